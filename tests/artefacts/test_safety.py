"""Formula-injection neutralising: the vectorised form agrees with the per-value rule."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.artefacts import neutralise_frame, neutralise_value
from gateway.artefacts.safety import may_start_risky


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+393471234567", "+393471234567"),  # E.164 phones stay exactly as they are
        ("-12", "-12"),
        ("3,5", "3,5"),
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Mario", "Mario"),
        ("", ""),
        (None, None),
    ],
)
def test_risky_text_gets_an_apostrophe_and_numbers_do_not(value, expected):
    assert neutralise_value(value) == expected
    assert neutralise_frame(pl.DataFrame({"v": [value]}, schema={"v": pl.Utf8}))["v"][0] == \
        expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\r0123456789.,aZ |!", max_size=8)),
                max_size=30))
def test_frame_and_value_rules_agree(values):
    frame = pl.DataFrame({"v": values, "n": list(range(len(values)))},
                         schema={"v": pl.Utf8, "n": pl.Int64})
    out = neutralise_frame(frame)
    assert out["v"].to_list() == [neutralise_value(v) for v in values]
    assert out["n"].to_list() == list(range(len(values)))


_SCREENED = st.one_of(
    st.none(),
    st.text(alphabet="=+-@\t\raZ 9è", max_size=3),
    # Longer than the twelve bytes a string view holds inline.
    st.text(alphabet="=+-@\t\raZ 9è", min_size=12, max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_SCREENED, max_size=40),
    st.lists(_SCREENED, max_size=40),
    st.integers(min_value=0, max_value=10),
)
def test_the_column_screen_finds_every_risky_start(first, second, skip):
    # Several chunks, and a slice that starts inside the first one.
    values = pl.concat(
        [pl.Series(first, dtype=pl.Utf8), pl.Series(second, dtype=pl.Utf8)], rechunk=False
    ).slice(skip)
    expected = any(v is not None and v[:1] in ("=", "+", "-", "@", "\t", "\r") for v in values)
    assert may_start_risky(values) is expected
    assert may_start_risky(values.rechunk()) is expected


def test_the_screen_ignores_what_a_null_left_behind():
    # Nulling a value keeps its old view under the validity bit.
    values = pl.Series(["=1+1", "ok", "@x"]).scatter([0, 2], [None, None])
    assert values.to_list() == [None, "ok", None]
    assert not may_start_risky(values)
    assert may_start_risky(pl.Series(["ok", "@x"]))
