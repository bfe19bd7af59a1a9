"""Formula-injection neutralising: the vectorised form agrees with the per-value rule."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.artefacts import neutralise_frame, neutralise_value


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
