"""The GIL is released while deltaline works: another Python thread runs during a write
and a read. The switch interval is raised so far that, were the GIL held through the
call, the other thread could not get it back before the call returned."""

from __future__ import annotations

import sys
import threading

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from deltaline import DeltaWriteOptions, delete_delta, open_delta_table, write_table_delta


class Counter(threading.Thread):
    """Counts while it can hold the GIL, giving it up every 1000 steps."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.count = 0
        self.stop = False
        self.started_counting = threading.Event()

    def run(self) -> None:
        import time
        while not self.stop:
            for _ in range(1000):
                self.count += 1
            self.started_counting.set()
            time.sleep(0)


@pytest.fixture
def counter():
    old = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    thread = Counter()
    thread.start()
    thread.started_counting.wait()
    yield thread
    thread.stop = True
    thread.join()
    sys.setswitchinterval(old)


def big_table(rows: int = 3_000_000) -> pa.Table:
    ids = pa.array(range(rows), pa.int64())
    return pa.table({"id": ids, "s": pc.cast(pc.multiply(ids, 31), pa.string())})


def counted_during(counter: Counter, call) -> int:
    before = counter.count
    call()
    return counter.count - before


def test_other_threads_run_during_a_write_a_read_and_a_delete(tmp_path, counter):
    path = tmp_path / "t"
    table = big_table()
    assert counted_during(counter, lambda: write_table_delta(
        table, path, options=DeltaWriteOptions(mode="error"))) > 10_000
    assert counted_during(counter, lambda: open_delta_table(path).to_pyarrow_table()) > 10_000
    assert counted_during(counter, lambda: delete_delta(path, "id < 1500000")) > 10_000
    assert open_delta_table(path).num_records == table.num_rows // 2


def test_the_check_tells_a_held_gil(counter):
    # The yardstick: a call that keeps the GIL lets the counter do next to nothing.
    assert counted_during(counter, lambda: sum(range(20_000_000))) <= 1_000
