"""Shared fixtures of the Python package's tests (tests/python, run by ctest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def table_path(tmp_path: Path) -> Path:
    """A path for a new Delta table (does not exist yet)."""
    return tmp_path / "table"


@pytest.fixture(scope="session")
def deltaline_bin() -> str:
    """The deltaline command built beside the package (for cross-checks)."""
    return os.environ.get("DELTALINE_BIN", "deltaline")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(os.environ.get("DELTALINE_ROOT", Path(__file__).resolve().parents[2]))
