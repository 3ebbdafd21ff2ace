"""Two Python processes racing on one table. Each child streams its rows from a
generator that first waits at a file barrier; the writer pulls the first batch only
after it has read the table's snapshot, so both children have read the same version
before either commits: the race is certain, not a matter of timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pyarrow as pa
from deltalake import DeltaTable as RsTable

from deltaline import DeltaWriteOptions, open_delta_table, write_table_delta

CHILD = textwrap.dedent("""
    import json, os, sys, time
    import pyarrow as pa
    import deltaline

    path, barrier, name, op, parties = sys.argv[1:6]
    schema = pa.schema([("id", pa.int64()), ("day", pa.string()), ("who", pa.string())])

    def wait_for_everyone():
        open(os.path.join(barrier, name), "w").close()
        deadline = time.monotonic() + 120
        while len(os.listdir(barrier)) < int(parties):
            if time.monotonic() > deadline:
                raise SystemExit("barrier timed out")
            time.sleep(0.005)

    def batches(ids, day):
        wait_for_everyone()
        yield pa.record_batch([pa.array(ids, pa.int64()), pa.array([day] * len(ids)),
                               pa.array([name] * len(ids))], schema=schema)

    class Source:
        # Replayable rows (not a reader): each export is a new stream. The first one
        # waits at the barrier and then for version 1 (the other child's commit).

        exports = 0

        def __arrow_c_stream__(self, requested_schema=None):
            Source.exports += 1
            first = Source.exports == 1

            def rows():
                if first:
                    wait_for_everyone()
                    log = os.path.join(path, "_delta_log", "%020d.json" % 1)
                    while not os.path.exists(log):
                        time.sleep(0.005)
                yield pa.record_batch([pa.array([base, base + 1], pa.int64()),
                                       pa.array(["a", "a"]), pa.array([name] * 2)],
                                      schema=schema)
            return pa.RecordBatchReader.from_batches(schema, rows()).__arrow_c_stream__()

    base = 1000 if name == "one" else 2000
    if op == "replayed_replace_where":
        result = deltaline.write_table_delta(Source(), path, options=deltaline.DeltaWriteOptions(
            mode="overwrite", predicate="day = 'a'"))
        print(json.dumps({"ok": True, "version": result.version, "attempts": result.attempts,
                          "exports": Source.exports}))
        raise SystemExit(0)
    if op == "replace_high_ids":  # adds to day 'a' and removes nothing: not blind
        ids, options = [base, base + 1], deltaline.DeltaWriteOptions(
            mode="overwrite", predicate="day = 'a' and id >= 2000")
    elif op == "replace_where":
        ids, options = [base, base + 1], deltaline.DeltaWriteOptions(
            mode="overwrite", predicate="day = 'a'")
    elif op == "delete_where":  # a replaceWhere without rows: deletes day 'a'
        ids, options = [], deltaline.DeltaWriteOptions(
            mode="overwrite", predicate="day = 'a'")
    else:
        ids, options = [base, base + 1, base + 2], deltaline.DeltaWriteOptions(mode="append")
    reader = pa.RecordBatchReader.from_batches(schema, batches(ids, "a"))
    try:
        result = deltaline.write_dataset_delta(reader, path, options=options)
        out = {"ok": True, "version": result.version,
               "commit_attempts": result.commit_attempts}
    except deltaline.CommitConflict as e:
        out = {"ok": False, "error": type(e).__name__, "conflict": e.conflict,
               "kind": e.kind, "message": str(e)}
    print(json.dumps(out))
""")


def seed(path) -> None:
    write_table_delta(pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                                "day": ["a", "a", "b"], "who": ["seed"] * 3}),
                      path, options=DeltaWriteOptions(partition_by=["day"]))


def race(tmp_path, path, op: str, other_op: str = "") -> dict[str, dict]:
    barrier = tmp_path / f"barrier-{op}"
    barrier.mkdir()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    ops = {"one": op, "two": other_op or op}
    children = {
        name: subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(barrier), name, ops[name], "2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for name in ("one", "two")
    }
    results = {}
    for name, child in children.items():
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        results[name] = json.loads(out.strip().splitlines()[-1])
    return results


def by_day(path) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list] = {}
    for row in open_delta_table(path).to_pyarrow_table().to_pylist():
        out.setdefault(row["day"], []).append((row["id"], row["who"]))
    return {day: sorted(v) for day, v in out.items()}


def winner_and_loser(results):
    winners = [n for n, r in results.items() if r["ok"]]
    losers = [n for n, r in results.items() if not r["ok"]]
    assert len(winners) == 1 and len(losers) == 1, results
    return winners[0], results[losers[0]]


def test_two_replace_wheres_over_the_same_files(tmp_path):
    path = tmp_path / "t"
    seed(path)
    results = race(tmp_path, path, "replace_where")
    winner, loser = winner_and_loser(results)
    assert loser["error"] == "CommitConflict" and loser["kind"] == "ConcurrentModification"
    # The winner's commit removes the seed's day=a file, which the loser read.
    assert loser["conflict"] == "ConcurrentDeleteRead", loser
    assert "day=a" in loser["message"]
    assert results[winner]["version"] == 1
    assert open_delta_table(path).version == 1
    base = 1000 if winner == "one" else 2000
    expected = {"a": [(base, winner), (base + 1, winner)], "b": [(3, "seed")]}
    assert by_day(path) == expected
    assert sorted(RsTable(str(path)).to_pyarrow_table()["id"].to_pylist()) == \
        [3, base, base + 1]


def test_two_deletes_of_the_same_partition(tmp_path):
    path = tmp_path / "t"
    seed(path)
    results = race(tmp_path, path, "delete_where")
    _, loser = winner_and_loser(results)
    assert loser["conflict"] == "ConcurrentDeleteRead", loser
    assert by_day(path) == {"b": [(3, "seed")]}
    assert open_delta_table(path).version == 1


def test_blind_appends_both_commit(tmp_path):
    path = tmp_path / "t"
    seed(path)
    results = race(tmp_path, path, "append")
    assert all(r["ok"] for r in results.values()), results
    assert sorted(r["version"] for r in results.values()) == [1, 2]
    # Both read version 0, so the second to commit found version 1 taken and retried.
    assert sorted(r["commit_attempts"] for r in results.values()) == [1, 2]
    rows = by_day(path)
    assert rows["b"] == [(3, "seed")]
    assert rows["a"] == sorted([(1, "seed"), (2, "seed")] +
                               [(1000 + i, "one") for i in range(3)] +
                               [(2000 + i, "two") for i in range(3)])


def test_a_replayable_replace_where_is_redone_after_a_concurrent_append(tmp_path):
    # "one" replaces day 'a' from a replayable source; "two" adds rows to day 'a' with
    # a replaceWhere that removes nothing (a blind append would be tolerated under
    # WriteSerializable) and commits first. one's commit then finds a file added where
    # its predicate reads (ConcurrentAppend), so the write is done again from a new
    # export, over version 1.
    path = tmp_path / "t"
    seed(path)
    results = race(tmp_path, path, "replayed_replace_where", "replace_high_ids")
    assert results["two"]["ok"] and results["two"]["version"] == 1, results
    one = results["one"]
    assert one == {"ok": True, "version": 2, "attempts": 2, "exports": 2}, results
    # The redone replace saw two's rows in day 'a' and replaced them too.
    assert by_day(path) == {"a": [(1000, "one"), (1001, "one")], "b": [(3, "seed")]}
    history = open_delta_table(path).history()
    assert [h["operation"] for h in history] == ["WRITE", "WRITE", "WRITE"]
