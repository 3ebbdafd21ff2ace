"""Exceptions raised by deltaline, one class per kind of failure the C++ library reports.

Every error is a :class:`DeltaError`; the message is the one the ``deltaline`` command
prints after ``deltaline: error: <Kind>:``.
"""

from __future__ import annotations


class DeltaError(Exception):
    """Any failure reported by deltaline.

    Attributes:
        kind: the library's name for the failure (``"TableNotFound"``,
            ``"ConcurrentModification"``, ``"PolicyViolation"``, ``"IOError"``…).
        message: the message, as the CLI prints it.
    """

    def __init__(self, message: str, *, kind: str = "DeltaError") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class CommitConflict(DeltaError):
    """A concurrent commit beat this one; nothing of this operation was committed.

    Attributes:
        conflict: which change won, as Spark names it: ``"ConcurrentAppend"``,
            ``"ConcurrentDeleteRead"``, ``"ConcurrentDeleteDelete"``,
            ``"MetadataChanged"``, ``"ProtocolChanged"``, ``"ConcurrentTransaction"``,
            ``"CommitVersionTaken"`` or ``"RetriesExhausted"``.
    """

    def __init__(self, message: str, *, kind: str = "ConcurrentModification",
                 conflict: str = "") -> None:
        super().__init__(message, kind=kind)
        self.conflict = conflict


class PolicyViolation(DeltaError):
    """The output storage policy forbids this output (a non-Delta sink)."""


class SchemaMismatch(DeltaError):
    """The data's schema does not fit the table's under the schema mode."""


class TableNotFound(DeltaError, FileNotFoundError):
    """No Delta table at the path (no ``_delta_log``)."""


class TableAlreadyExists(DeltaError, FileExistsError):
    """The table exists and the mode says not to write to it (``mode="error"``)."""


class VersionNotFound(DeltaError, KeyError):
    """Time travel to a version or timestamp the log does not hold."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class UnsupportedFeature(DeltaError):
    """A table feature, type or option deltaline refuses rather than get wrong.

    Attributes:
        feature: the feature's name (``"deletionVectors"``, ``"rowTracking"``…) when known.
    """

    def __init__(self, message: str, *, kind: str = "UnsupportedFeature",
                 feature: str = "") -> None:
        super().__init__(message, kind=kind)
        self.feature = feature


class ProtocolError(DeltaError):
    """The table's log breaks the Delta protocol (corrupt or missing files, gaps)."""


class ChangeDataNotRecorded(DeltaError):
    """Change data was asked for versions written without ``delta.enableChangeDataFeed``."""


class InvalidInput(DeltaError, ValueError):
    """A bad argument: an unknown option or column, a malformed predicate or value."""


class DeltaWarning(UserWarning):
    """Something deltaline reports without failing (a refused sink in development mode)."""


_BY_KIND: dict[str, type[DeltaError]] = {
    "TableNotFound": TableNotFound,
    "TableAlreadyExists": TableAlreadyExists,
    "VersionNotFound": VersionNotFound,
    "ConcurrentModification": CommitConflict,
    "ProtocolError": ProtocolError,
    "UnsupportedFeature": UnsupportedFeature,
    "SchemaMismatch": SchemaMismatch,
    "InvalidInput": InvalidInput,
    "ChangeDataNotRecorded": ChangeDataNotRecorded,
    "PolicyViolation": PolicyViolation,
    # Arrow's own codes, for failures without a Delta kind.
    "Invalid": InvalidInput,
    "Type error": InvalidInput,
    "Key error": InvalidInput,
}


def _from_status(kind: str, conflict: str, feature: str, message: str) -> DeltaError:
    """The exception for a failed C++ status (called by the extension)."""
    cls = _BY_KIND.get(kind, DeltaError)
    # The library names its C++ option; a Python caller sets the DeltaWriteOptions field.
    for option in ("coerce_timestamps", "widen_unsigned"):
        message = message.replace(f"set SchemaConversionOptions::{option}",
                                  f"pass DeltaWriteOptions({option}=True)")
    if cls is CommitConflict:
        return CommitConflict(message, kind=kind, conflict=conflict)
    if cls is UnsupportedFeature:
        return UnsupportedFeature(message, kind=kind, feature=feature)
    return cls(message, kind=kind)


__all__ = [
    "ChangeDataNotRecorded",
    "CommitConflict",
    "DeltaError",
    "DeltaWarning",
    "InvalidInput",
    "PolicyViolation",
    "ProtocolError",
    "SchemaMismatch",
    "TableAlreadyExists",
    "TableNotFound",
    "UnsupportedFeature",
    "VersionNotFound",
]
