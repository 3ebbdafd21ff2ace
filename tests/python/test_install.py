"""`pip install ./python` into a fresh virtualenv that has only the pinned pyarrow, then
import the package and use it (what the README tells users to do).

The build goes to build-python/ in the checkout; ccache serves the library objects
make build compiled, so this costs a link and the binding files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa

ROOT = Path(os.environ.get("DELTALINE_ROOT", Path(__file__).resolve().parents[2]))


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True,
                          timeout=1500, **kwargs)


def test_fresh_venv_installs_from_checkout_and_imports(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", venv])
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    pinned = run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                  f"pyarrow=={pa.__version__}"])
    assert pinned.returncode == 0, pinned.stderr
    installed = run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                     ROOT / "python"])
    assert installed.returncode == 0, installed.stdout + installed.stderr

    listed = run([python, "-m", "pip", "list", "--format=freeze"])
    packages = {line.split("==")[0].lower() for line in listed.stdout.split()}
    # Only the package and what it depends on: nothing of the project's dev venv.
    assert "deltaline" in packages and "pyarrow" in packages
    assert not packages & {"deltalake", "polars", "duckdb", "pytest", "nanobind"}

    table = tmp_path / "t"
    script = textwrap.dedent(f"""
        import pathlib, pyarrow as pa, deltaline
        from deltaline import DeltaWriteOptions, write_table_delta, open_delta_table
        pkg = pathlib.Path(deltaline.__file__).parent
        assert (pkg / "py.typed").exists() and (pkg / "_core.pyi").exists(), pkg
        assert "site-packages" in str(pkg), pkg
        r = write_table_delta(pa.table({{"id": [1, 2, 3]}}), {str(table)!r},
                              options=DeltaWriteOptions(mode="error"))
        assert r.version == 0 and r.rows_added == 3, r
        t = open_delta_table({str(table)!r})
        assert t.to_pyarrow_table().column("id").to_pylist() == [1, 2, 3]
        print("ok", deltaline.__version__)
    """)
    used = run([python, "-c", script], cwd=tmp_path)
    assert used.returncode == 0, used.stdout + used.stderr
    assert used.stdout.startswith("ok 0.1.0")


def test_mismatched_pyarrow_is_a_clear_import_error(tmp_path: Path) -> None:
    """The version check runs before the extension loads: a different pyarrow gives an
    ImportError naming both versions, not a crash in the dynamic loader."""
    fake = tmp_path / "pyarrow"
    fake.mkdir()
    (fake / "__init__.py").write_text("__version__ = '25.0.0'\n")
    package = Path(__import__("deltaline").__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{package}"}
    out = subprocess.run([sys.executable, "-c", "import deltaline"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "ImportError: deltaline needs pyarrow==26.0.1" in out.stderr
    assert "pyarrow 25.0.0 is installed" in out.stderr
