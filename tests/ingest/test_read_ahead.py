"""Reading ahead in a background thread: same chunks, same order, same errors."""

from __future__ import annotations

import threading
import time

import polars as pl
import pytest

from gateway.ingest import FileRejected, open_table, read_ahead
from tests.ingest.ingest_samples import HEADER, good_row, write


def test_yields_every_item_in_order():
    assert list(read_ahead(iter(range(100)), depth=3)) == list(range(100))


def _settle(produced: list[int], at_least: int) -> None:
    """Wait until the reader made ``at_least`` items, then give it time to make more."""
    deadline = time.monotonic() + 10
    while len(produced) < at_least and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)


@pytest.mark.parametrize("depth", [1, 3])
def test_no_more_than_depth_items_are_read_beyond_the_one_held(depth):
    produced: list[int] = []

    def source():
        for number in range(100):
            produced.append(number)
            yield number

    items = read_ahead(source(), depth=depth)
    assert next(items) == 0
    _settle(produced, 1 + depth)
    assert len(produced) == 1 + depth
    assert next(items) == 1
    _settle(produced, 2 + depth)
    assert len(produced) == 2 + depth
    items.close()


def test_chunks_of_a_file_are_the_same_read_ahead_or_not(tmp_path):
    text = ",".join(HEADER) + "\n" + "".join(",".join(good_row(i)) + "\n" for i in range(1, 500))
    path = write(tmp_path, "list.csv", text)
    with open_table(path) as table:
        direct = list(table.iter_chunks(64))
    with open_table(path) as table:
        ahead = list(read_ahead(table.iter_chunks(64)))
    assert len(ahead) == len(direct) > 5
    assert all(a.equals(d) for a, d in zip(ahead, direct, strict=True))


def test_a_problem_found_further_into_the_file_comes_after_the_chunks_before_it(tmp_path):
    # UTF-8 accents in the head, then a byte that is not UTF-8 far into the file.
    head = ",".join(HEADER) + "\n" + ",".join(good_row(1)).replace("Anna", "Niccolò") + "\n"
    body = "".join(",".join(good_row(i)) + "\n" for i in range(2, 3000))
    path = write(tmp_path, "list.csv", head + body)
    with open(path, "ab") as out:
        out.write(b"3471234567,Citt\xe0\n")
    got: list[pl.DataFrame] = []
    with open_table(path) as table, pytest.raises(FileRejected) as caught:
        for chunk in read_ahead(table.iter_chunks(100)):
            got.append(chunk)
    assert caught.value.error == "FILE_ENCODING_INVALID"
    assert sum(chunk.height for chunk in got) >= 2000


def test_stopping_early_stops_the_reader_and_closes_the_source():
    produced: list[int] = []
    closed = threading.Event()

    def source():
        try:
            for number in range(1_000_000):
                produced.append(number)
                yield number
        finally:
            closed.set()

    items = read_ahead(source(), depth=2)
    assert next(items) == 0
    items.close()
    # Closed in the reader thread before close() returned, and only a few items were read.
    assert closed.is_set()
    assert len(produced) < 10


def test_an_error_in_the_caller_stops_the_reader():
    closed = threading.Event()

    def source():
        try:
            yield from range(1_000_000)
        finally:
            closed.set()

    with pytest.raises(RuntimeError):
        for number in read_ahead(source()):
            if number == 5:
                raise RuntimeError("judging failed")
    assert closed.is_set()
    assert not any(t.name == "read-ahead" for t in threading.enumerate())


def test_depth_must_be_positive():
    with pytest.raises(ValueError):
        list(read_ahead(iter([1]), depth=0))
