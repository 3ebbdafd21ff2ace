"""The output storage policy: Delta is the only output format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RunMode = Literal["production", "development"]


@dataclass(frozen=True)
class OutputStoragePolicy:
    """Where outputs may land, as the seed's ``OutputStoragePolicy``.

    Args:
        format: the only output format, ``"delta"``. Anything else is a forbidden sink.
        allow_parquet_exports: let :func:`export_parquet` write plain Parquet copies of
            a table version (default ``False``).
        mode: what a forbidden sink does: ``"production"`` raises
            :class:`~deltaline.errors.PolicyViolation`; ``"development"`` refuses it with
            a :class:`~deltaline.errors.DeltaWarning` and goes on.
    """

    format: str = "delta"
    allow_parquet_exports: bool = False
    mode: RunMode = "production"

    def _config(self) -> dict:
        return {"format": self.format, "allow_parquet_exports": self.allow_parquet_exports,
                "run_mode": self.mode}
