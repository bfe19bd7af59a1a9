"""The judge's background writer: order and failures."""

from __future__ import annotations

import polars as pl
import pytest

from gateway.batches.judge import BackgroundWrites


def _frame(start: int, rows: int) -> pl.DataFrame:
    return pl.DataFrame({"_row": list(range(start, start + rows))})


def test_writes_run_in_order_and_then_runs_after_them():
    events: list[str] = []
    writes = BackgroundWrites("test")
    try:
        writes.submit(lambda f: events.append(f"write {f.height}"), _frame(0, 3))
        writes.submit(lambda f: events.append(f"write {f.height}"), _frame(3, 1))
        done = writes.then(lambda: events.append("commit"))
        done.result()
    finally:
        writes.close()
    assert events == ["write 3", "write 1", "commit"]


def test_a_failed_write_is_raised_to_the_submitter():
    def fail(frame: pl.DataFrame) -> None:
        raise OSError("disk full")

    writes = BackgroundWrites("test")
    try:
        writes.submit(fail, _frame(0, 3))
        with pytest.raises(OSError, match="disk full"):
            writes.wait()
    finally:
        writes.close()
