"""Property tests: the CSV reader agrees with the csv module on any well- or ill-formed input,
whatever the chunk size (small chunks force many block boundaries)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.ingest import open_table
from tests.ingest.ingest_samples import HEADER, reference_rows

DELIMITERS = [",", ";", "\t", "|"]
PLAIN = st.text(alphabet="ab çè1 ", max_size=6)


@st.composite
def fields(draw, delimiter: str, stray: bool) -> str:
    """One field as it appears in the file: plain, quoted, or with a stray quote."""
    kinds = ["plain", "plain", "plain", "quoted", "spaced"] + (["stray"] if stray else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "plain":
        return draw(PLAIN)
    if kind == "quoted":
        parts = st.sampled_from(["a", " ", '"', "\n", "\r\n", delimiter, "é"])
        inner = "".join(draw(st.lists(parts, max_size=8)))
        return '"' + inner.replace('"', '""') + '"'
    if kind == "stray":
        return draw(PLAIN) + 'x"' + draw(PLAIN)
    return " " + draw(PLAIN) + "\t"


@st.composite
def csv_files(draw) -> tuple[str, str]:
    delimiter = draw(st.sampled_from(DELIMITERS))
    # Most files quote properly (read by polars); some have stray quotes (the csv module).
    stray = draw(st.integers(0, 3)) == 0
    width = len(HEADER)
    lines = [delimiter.join(HEADER)]
    for _ in range(draw(st.integers(1, 40))):
        shape = draw(
            st.sampled_from(["full"] * 6 + ["short", "long", "trailing", "blank", "delims"])
        )
        if shape == "blank":
            lines.append("")
            continue
        if shape == "delims":
            lines.append(delimiter * (width - 1))
            continue
        if shape == "trailing":
            # One empty field too many, as a stray trailing delimiter makes.
            lines.append(delimiter.join(["3471234567"] + ["x"] * (width - 1)) + delimiter)
            continue
        count = {"full": width, "short": draw(st.integers(1, width - 1))}.get(
            shape, width + draw(st.integers(1, 3))
        )
        values = [draw(fields(delimiter, stray)) for _ in range(count)]
        # Keep the phone column filled so most records are data rows.
        if not values[0].strip():
            values[0] = "3471234567"
        lines.append(delimiter.join(values))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines)
    if draw(st.booleans()):
        text += newline
    return text, delimiter


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sample=csv_files(), rows=st.sampled_from([1, 2, 3, 5, 65536]))
def test_reader_matches_the_csv_module(tmp_path, sample, rows):
    text, delimiter = sample
    _, expected = reference_rows(text, delimiter)
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode("utf-8"))
    if not expected:
        return  # an empty file is refused at open, covered elsewhere
    with open_table(str(path)) as table:
        assert table.delimiter == delimiter
        chunks = list(table.iter_chunks(rows))
    assert all(chunk.height <= rows for chunk in chunks)
    got = pl.concat(chunks).rows()
    assert got == expected


@given(
    data=st.binary(max_size=300).map(lambda raw: bytes(b % 4 + 42 for b in raw)),
    byte=st.sampled_from([42, 44]),
)
def test_byte_counts_before_any_offset_match_a_plain_count(data, byte):
    from gateway.ingest.csv_blocks import _ByteCounts

    arr = np.frombuffer(data, dtype=np.uint8)
    counts = _ByteCounts(arr, byte)
    offsets = np.arange(len(arr) + 1)
    expected = np.array([data[:offset].count(bytes([byte])) for offset in offsets])
    assert counts.before(offsets).tolist() == expected.tolist()
    assert counts.positions().tolist() == [i for i, b in enumerate(data) if b == byte]
