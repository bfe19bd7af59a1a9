"""Timestamp forms, time zones and daylight-saving edges."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.rules.timestamps import parse_timestamp, parse_timestamps


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T10:00:00", "2024-03-01T09:00:00+00:00"),  # winter: UTC+1
        ("2024-07-01T10:00:00", "2024-07-01T08:00:00+00:00"),  # summer: UTC+2
        ("2024-07-01 10:00:00", "2024-07-01T08:00:00+00:00"),
        ("2024-07-01T10:00", "2024-07-01T08:00:00+00:00"),
        ("2024-07-01T10:00:00.250", "2024-07-01T08:00:00.250+00:00"),
        ("2024-07-01T10:00:00,5", "2024-07-01T08:00:00.500+00:00"),
        ("2024-07-01T10:00:00Z", "2024-07-01T10:00:00+00:00"),
        ("2024-07-01T10:00:00+05:30", "2024-07-01T04:30:00+00:00"),
        ("2024-07-01T10:00:00-0300", "2024-07-01T13:00:00+00:00"),
        ("2024-07-01T10:00+02", "2024-07-01T08:00:00+00:00"),
        ("01/07/2024 10:00", "2024-07-01T08:00:00+00:00"),
        ("01/07/2024 10:00:30", "2024-07-01T08:00:30+00:00"),
        ("2024-07-01", "2024-06-30T22:00:00+00:00"),  # a date alone: 00:00 in Rome
        ("01/07/2024", "2024-06-30T22:00:00+00:00"),
        # The autumn hour that happens twice takes its first (summer-time) occurrence.
        ("2024-10-27T02:30:00", "2024-10-27T00:30:00+00:00"),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_timestamp(text) == _utc(expected)


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-31T02:30:00",  # skipped when clocks go forward: never happened in Rome
        "2024-02-30T10:00:00",
        "2024-13-01",
        "1/7/2024 10:00",
        "2024-7-1",
        "2024/07/01",
        "01-07-2024",
        "2024-07-01T25:00:00",
        "2024-07-01T10:00:00+24:00",
        "2024-07-01Z",
        "20240701",
        "ieri",
        "",
    ],
)
def test_rejected_forms(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_end_of_day_for_dates_alone():
    values = pl.Series(["2024-03-01", "01/07/2024", "2024-03-01T10:00:00", None])
    parsed = parse_timestamps(values, date_only="end").to_list()
    assert parsed[0] == _utc("2024-03-01T23:59:59+01:00")
    assert parsed[1] == _utc("2024-07-01T23:59:59+02:00")
    assert parsed[2] == _utc("2024-03-01T10:00:00+01:00")
    assert parsed[3] is None


def test_mixed_column_keeps_order_and_nulls():
    values = pl.Series(["2024-01-01T00:00:00Z", None, "02/01/2024 00:00", "x", "2024-01-03"])
    parsed = parse_timestamps(values)
    assert parsed.dtype == pl.Datetime("us", "UTC")
    assert parsed.to_list() == [
        _utc("2024-01-01T00:00:00+00:00"),
        None,
        _utc("2024-01-02T00:00:00+01:00"),
        None,
        _utc("2024-01-03T00:00:00+01:00"),
    ]


def test_agrees_with_zoneinfo_every_hour_of_a_year():
    from zoneinfo import ZoneInfo

    rome = ZoneInfo("Europe/Rome")
    start = datetime(2023, 1, 1)
    walls = pl.datetime_range(start, datetime(2024, 1, 1), "1h", eager=True)
    parsed = parse_timestamps(walls.dt.strftime("%Y-%m-%dT%H:%M:%S")).to_list()
    for wall, got in zip(walls.to_list(), parsed, strict=True):
        local = wall.replace(tzinfo=rome)
        # zoneinfo keeps fold=0 (the first occurrence); skipped times do not round-trip.
        exists = local.astimezone(UTC).astimezone(rome).replace(tzinfo=None) == wall
        assert got == (local.astimezone(UTC) if exists else None), wall


def test_rome_conversion_agrees_with_polars_from_1880_to_2110():
    import numpy as np

    from gateway.rules.timestamps import _rome_periods, rome_to_utc

    rng = np.random.default_rng(11)
    low = int(datetime(1880, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    high = int(datetime(2110, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    _, wall_starts, wall_ends, _, _ = _rome_periods()
    minutes = np.arange(-130, 131, 7) * 60_000_000
    around = np.concatenate(
        [(wall_starts[1:, None] + minutes).ravel(), (wall_ends[:-1, None] + minutes).ravel()]
    )
    walls = np.concatenate([rng.integers(low, high, 100_000), around])
    expected = (
        pl.Series(walls)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("Europe/Rome", ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        .cast(pl.Int64)
        .to_list()
    )
    got = [None if v == np.iinfo(np.int64).min else v for v in rome_to_utc(walls).tolist()]
    assert got == expected
    assert None in got  # the table's gaps were exercised


def test_utc_form_agrees_with_the_general_iso_reading():
    # "...Z" has a quick path of its own; "+00:00" is read by the general ISO pattern. Both
    # must give the same instant, or null, for valid and impossible dates and times alike.
    import itertools

    years = ["0000", "1900", "2000", "2023", "2024", "9999"]
    months = ["00", "01", "02", "04", "12", "13"]
    days = ["00", "01", "28", "29", "30", "31", "32"]
    times = ["00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "02:30:00"]
    walls = [f"{y}-{m}-{d}T{t}" for y, m, d, t in itertools.product(years, months, days, times)]
    for end in ("start", "end"):
        general = parse_timestamps(pl.Series([w + "+00:00" for w in walls]), date_only=end)
        for suffix in ("Z", "z"):
            quick = parse_timestamps(pl.Series([w + suffix for w in walls]), date_only=end)
            # Compared as epoch microseconds: year 0 has no Python datetime.
            assert quick.dt.epoch("us").to_list() == general.dt.epoch("us").to_list()
    assert general.null_count() and general.drop_nulls().len()


@pytest.mark.parametrize(
    "text", ["2024-07-01T10:00:00ZZ", "2024-07-01T10:00:00 Z", "2024-07-01t10:00:00Z"]
)
def test_near_misses_of_the_utc_form_are_rejected(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


# The fixed-width forms are read from the bytes; every other value by the patterns. Both
# readings must agree on every value the byte reading claims, valid or not.
_YEARS = ["0000", "0999", "1000", "1900", "1970", "2000", "2023", "2024", "2100", "9999"]
_MONTHS = ["00", "01", "02", "03", "10", "12", "13", "99"]
_DAYS = ["00", "01", "28", "29", "30", "31", "32"]
_TIMES = ["00:00:00", "02:30:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "09:07:05"]
_OFFSETS = ["", "Z", "z", "+00:00", "-00:00", "+02:00", "-05:30", "+23:59", "+24:00", "+01:60"]


def _both_readings(values, date_only):
    from gateway.rules.timestamps import _parse_timestamps

    series = pl.Series(values, dtype=pl.Utf8)
    fast = _parse_timestamps(series, date_only, read_fixed=True).dt.epoch("us").to_list()
    slow = _parse_timestamps(series, date_only, read_fixed=False).dt.epoch("us").to_list()
    return fast, slow


def test_fixed_width_reading_agrees_with_the_patterns_on_a_grid():
    import itertools

    values = []
    for y, m, d in itertools.product(_YEARS, _MONTHS, _DAYS):
        values += [f"{y}-{m}-{d}", f"{d}/{m}/{y}"]
        for t in _TIMES:
            values += [f"{d}/{m}/{y} {t}", f"{d}/{m}/{y} {t[:5]}", f"{y}-{m}-{d} {t[:5]}"]
            values += [f"{y}-{m}-{d}T{t}{offset}" for offset in _OFFSETS]
    for date_only in ("start", "end"):
        fast, slow = _both_readings(values, date_only)
        assert fast == slow
    assert any(v is None for v in fast) and any(v is not None for v in fast)


_FIXED_CHARS = "0123456789-/:T Zz+\u0661\uff11x"


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=_FIXED_CHARS, min_size=10, max_size=10),
            st.text(alphabet=_FIXED_CHARS, min_size=16, max_size=16),
            st.text(alphabet=_FIXED_CHARS, min_size=19, max_size=20),
            st.text(alphabet=_FIXED_CHARS, min_size=25, max_size=25),
            st.builds(
                # Some characters of a valid value replaced ("." keeps the original one).
                lambda base, noise: "".join(
                    b if n == "." else n for b, n in zip(base, noise[: len(base)], strict=True)
                ),
                st.sampled_from(
                    ["2024-02-29T23:59:59+01:00", "29/02/2024 23:59:59", "2023-10-29 02:30"]
                ),
                st.text(alphabet="......0129:-/ T+", min_size=25, max_size=25),
            ),
            st.none(),
        ),
        max_size=40,
    ),
    st.sampled_from(["start", "end"]),
)
@settings(max_examples=300, deadline=None)
def test_fixed_width_reading_agrees_with_the_patterns_on_any_text(values, date_only):
    fast, slow = _both_readings(values, date_only)
    assert fast == slow


def test_fixed_width_reading_handles_sliced_and_chunked_columns():
    values = pl.Series(["2024-07-01T10:00:00", "01/07/2024 10:00", None, "x"] * 50)
    chunked = pl.concat([values.slice(3, 70), values.slice(101, 60)], rechunk=False)
    fast, slow = _both_readings(chunked.to_list(), "start")
    assert fast == slow
    from gateway.rules.timestamps import parse_timestamps

    assert parse_timestamps(chunked).dt.epoch("us").to_list() == slow
