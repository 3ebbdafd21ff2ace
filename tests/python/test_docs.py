"""The Python examples of the README and of docs/python/README.md run as written, in
order, each file's blocks in one namespace (in a scratch directory)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("DELTALINE_ROOT", Path(__file__).resolve().parents[2]))


def python_blocks(path: Path, section: str | None = None) -> list[str]:
    text = path.read_text()
    if section is not None:
        start = text.index(section)
        end = text.find("\n## ", start + len(section))
        text = text[start:end if end != -1 else None]
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("doc,section", [("README.md", "## Python"),
                                         ("docs/python/README.md", None)])
def test_examples_run(doc: str, section: str | None, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    blocks = python_blocks(ROOT / doc, section)
    assert blocks, f"no python examples in {doc}"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__doc_example__"}
    for block in blocks:
        exec(compile(block, f"{doc} example", "exec"), namespace)
    printed = capsys.readouterr().out
    if doc == "README.md":
        assert printed.splitlines()[0] == "0 3"
        assert "[('north', 10.0), ('south', 20.5)]" in printed
        assert "refused: PolicyViolation" in printed
        assert not (tmp_path / "out").exists()
