"""The package's public face: every public name documented, the extension's stubs
complete, and the DeltaTable methods that delegate to the table tools."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pyarrow as pa
import pytest

import deltaline
from deltaline import DeltaWriteOptions, _core, open_delta_table, write_table_delta

PACKAGE = Path(deltaline.__file__).parent


def public_members(obj: type) -> list[tuple[str, object]]:
    return [(name, member) for name, member in vars(obj).items()
            if not name.startswith("_") or name in ("__arrow_c_stream__",
                                                    "__arrow_c_schema__")]


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for name in deltaline.__all__:
        obj = getattr(deltaline, name)
        if not inspect.getdoc(obj):
            missing.append(name)
        if inspect.isclass(obj):
            for member_name, member in public_members(obj):
                target = member.fget if isinstance(member, property) else member
                if callable(target) and not inspect.getdoc(target):
                    missing.append(f"{name}.{member_name}")
    assert missing == []


def test_all_lists_what_the_package_exports() -> None:
    assert len(set(deltaline.__all__)) == len(deltaline.__all__)
    for name in deltaline.__all__:
        assert hasattr(deltaline, name), name


def test_the_stubs_declare_every_name_of_the_extension() -> None:
    stub = ast.parse((PACKAGE / "_core.pyi").read_text())
    declared = set()
    for node in stub.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
    actual = {name for name in dir(_core) if not name.startswith("__")}
    assert actual - declared == set(), "in _core but not in _core.pyi"
    assert declared - actual == set(), "in _core.pyi but not in _core"
    assert (PACKAGE / "py.typed").exists()


@pytest.fixture
def two_versions(tmp_path: Path) -> Path:
    path = tmp_path / "t"
    write_table_delta(pa.table({"id": [1, 2]}), path, options=DeltaWriteOptions(mode="error"))
    write_table_delta(pa.table({"id": [3]}), path, options=DeltaWriteOptions(mode="append"))
    return path


def test_table_methods_act_on_the_table(two_versions: Path, tmp_path: Path) -> None:
    table = open_delta_table(two_versions, version=0)
    # clone and export take the pinned version, not the latest.
    table.clone(tmp_path / "c")
    assert open_delta_table(tmp_path / "c").to_pyarrow_table().column("id").to_pylist() == [1, 2]
    with pytest.raises(deltaline.PolicyViolation):
        table.export_parquet(tmp_path / "out")
    assert not (tmp_path / "out").exists()
    latest = open_delta_table(two_versions)
    latest.restore(version=0)
    restored = open_delta_table(two_versions)
    assert restored.version == 2
    assert sorted(restored.to_pyarrow_table().column("id").to_pylist()) == [1, 2]
    result = restored.delete("id = 1")
    assert result.committed and result.version == 3
    vacuumed = restored.vacuum()
    assert vacuumed.dry_run and vacuumed.start_version is None
    restored.create_checkpoint()
    assert open_delta_table(two_versions).to_pyarrow_table().column("id").to_pylist() == [2]
