"""The command line as a user meets it: Arrow's file conventions (`.arrow` is the IPC
file format, `.arrows` the stream), exit codes, `read --json` / `--metrics-json`, and a
`history` that fits a terminal."""

import json
import subprocess

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from conftest import assert_same_rows, write_ipc_file

ROWS = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]})


@pytest.fixture()
def table(deltaline, tmp_path):
    path = tmp_path / "t"
    deltaline.write(path, ROWS, tmp_path)
    return path


def test_format_arrow_writes_the_ipc_file_format(deltaline, table, tmp_path):
    out = tmp_path / "x.arrow"
    deltaline.run("read", table, "--format", "arrow", "--output", out)
    assert_same_rows(ipc.open_file(str(out)).read_all(), ROWS)
    # `ipc` into a file is the same file format.
    legacy = tmp_path / "legacy.ipc"
    deltaline.run("read", table, "--format", "ipc", "--output", legacy)
    assert_same_rows(ipc.open_file(str(legacy)).read_all(), ROWS)


def test_format_arrows_writes_the_ipc_stream_format(deltaline, table, tmp_path):
    proc = deltaline.run("read", table, "--format", "arrows")
    assert_same_rows(ipc.open_stream(proc.stdout).read_all(), ROWS)
    with pytest.raises(pa.ArrowInvalid):
        ipc.open_file(pa.BufferReader(proc.stdout))
    # `ipc` on standard output stays the stream format (pipes cannot seek).
    piped = deltaline.run("read", table, "--format", "ipc").stdout
    assert_same_rows(ipc.open_stream(piped).read_all(), ROWS)


def test_output_extension_decides_without_format(deltaline, table, tmp_path):
    as_file, as_stream = tmp_path / "y.arrow", tmp_path / "y.arrows"
    deltaline.run("read", table, "--output", as_file)
    deltaline.run("read", table, "--output", as_stream)
    assert_same_rows(ipc.open_file(str(as_file)).read_all(), ROWS)
    assert_same_rows(ipc.open_stream(as_stream.read_bytes()).read_all(), ROWS)
    # An explicit --format wins over the extension.
    forced = tmp_path / "z.arrow"
    deltaline.run("read", table, "--format", "arrows", "--output", forced)
    assert_same_rows(ipc.open_stream(forced.read_bytes()).read_all(), ROWS)


def test_polars_reads_both_forms(deltaline, table, tmp_path):
    pl = pytest.importorskip("polars")
    out = tmp_path / "p.arrow"
    deltaline.run("read", table, "--format", "arrow", "--output", out)
    assert pl.read_ipc(out)["id"].to_list() == [1, 2, 3]
    stream = deltaline.run("read", table, "--format", "arrows").stdout
    import io
    assert pl.read_ipc_stream(io.BytesIO(stream))["name"].to_list() == ["a", "b", "c"]


def test_write_input_accepts_both_ipc_forms_whatever_the_extension(deltaline, tmp_path):
    file_named_stream = tmp_path / "file-format.arrows"
    write_ipc_file(file_named_stream, ROWS)
    stream_named_file = tmp_path / "stream-format.arrow"
    with ipc.new_stream(str(stream_named_file), ROWS.schema) as writer:
        writer.write_table(ROWS)
    target = tmp_path / "both"
    deltaline.run("write", target, "--input", file_named_stream)
    deltaline.run("write", target, "--input", stream_named_file, "--mode", "append")
    # The file format through a pipe, which cannot seek.
    proc = subprocess.run([str(deltaline.binary), "write", str(target), "--input", "-",
                           "--input-format", "arrow", "--mode", "append"],
                          input=file_named_stream.read_bytes(), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert deltaline.read(target).num_rows == 9


def test_exit_codes(deltaline, table, tmp_path):
    bad_value = deltaline.run("write", table, "--input", "x.csv", "--mode", "bogus", check=False)
    assert bad_value.returncode == 2
    assert b"--mode" in bad_value.stderr and b"bogus" in bad_value.stderr
    assert deltaline.run("read", table, "--no-such-flag", check=False).returncode == 2
    assert deltaline.run("read", table, "--format", "xml", check=False).returncode == 2
    assert deltaline.run("read", table, "--limit", "-3", check=False).returncode == 2
    assert deltaline.run("write", table, "--input", "x.csv", "--metadata", "novalue",
                         check=False).returncode == 2
    assert deltaline.run("vacuum", table, "--retain-hours", "nan",
                         check=False).returncode == 2
    missing = deltaline.run("read", tmp_path / "missing", check=False)
    assert missing.returncode == 1 and b"error: TableNotFound" in missing.stderr
    assert deltaline.run("--help").returncode == 0


def test_read_json_is_a_usage_error_pointing_at_the_right_flags(deltaline, table):
    proc = deltaline.run("read", table, "--json", check=False)
    assert proc.returncode == 2
    assert b"--format jsonl" in proc.stderr and b"--metrics-json" in proc.stderr
    assert proc.stdout == b""


def test_metrics_json_goes_to_stderr(deltaline, table):
    proc = deltaline.run("read", table, "--format", "jsonl", "--metrics-json")
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == [1, 2, 3]
    metrics = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    assert metrics["rowsReturned"] == 3


def test_history_fits_a_terminal(deltaline, tmp_path):
    target = tmp_path / "ten"
    csv = tmp_path / "rows.csv"
    csv.write_text("id,name,note\n" + "".join(f"{i},n{i},{'x' * 60}\n" for i in range(20)))
    run = ["--run-id", "run-" + "r" * 40, "--metadata", "owner=" + "o" * 80]
    deltaline.run("write", target, "--input", csv, *run)                            # 0
    for _ in range(4):                                                              # 1-4
        deltaline.run("write", target, "--input", csv, "--mode", "append", *run)
    deltaline.run("write", target, "--input", csv, "--mode", "overwrite", *run)     # 5
    deltaline.run("delete", target, "--predicate",                                  # 6
                  "id < 5 AND name <> '" + "long" * 20 + "'")
    deltaline.run("write", target, "--input", csv, "--mode", "append",              # 7, 8
                  "--target-file-size", "2000000", "--update-properties", *run)
    high = tmp_path / "high.csv"
    high.write_text("id,name,note\n" + "".join(f"{i},n{i},z\n" for i in range(10, 15)))
    deltaline.run("write", target, "--input", high, "--mode", "overwrite",          # 9
                  "--predicate", "id >= 10 AND note <> '" + "y" * 80 + "'", *run)
    history = deltaline.history(target)
    assert [entry["version"] for entry in history] == list(range(9, -1, -1))
    # --json keeps everything, the whole policy included.
    assert len(json.dumps(history[0]["userMetadata"]["deltaline.policy"])) > 100

    lines = deltaline.run("history", target).stdout.decode().splitlines()
    assert len(lines) == 11, lines  # header + ten commits
    for line in lines:
        assert len(line) <= 160, line
    for entry, line in zip(history, lines[1:]):
        fields = line.split()
        assert fields[0] == str(entry["version"])
        assert entry["operation"] in line
    assert any("SET TBLPROPERTIES" in line for line in lines)
    assert any("DELETE" in line for line in lines)
    assert "deltaline.{" in lines[1] and "owner" in lines[1]
    assert "deltaline.policy\"" not in "".join(lines)
