"""Vectorised parsing of the timestamp forms domain.md accepts.

Accepted forms (surrounding spaces already stripped by the reader):

- ISO 8601 date and time, ``T`` or a space between them, minutes or seconds, optional fraction
  (``.`` or ``,``), optional offset (``Z``, ``+HH``, ``+HHMM``, ``+HH:MM``);
- ``DD/MM/YYYY HH:MM`` and ``DD/MM/YYYY HH:MM:SS``;
- a date alone, ``YYYY-MM-DD`` or ``DD/MM/YYYY``;
- spreadsheet date cells, which the reader hands over as ``YYYY-MM-DDTHH:MM:SS``.

Day, month, hour, minute and second fields take exactly two digits and the year four. A value
without offset is a wall time in Europe/Rome. Wall times that occur twice (the autumn hour when
clocks go back) take the earlier instant, which is the cautious reading for the RPO rule (an
earlier consent is more likely to predate a registration); wall times that never occur (the
spring hour skipped when clocks go forward) are not valid timestamps. A date alone means 00:00
Europe/Rome, or with ``date_only="end"`` the last second of that day (used for RPO registration
dates, the cautious reading).

Every result is ``Datetime("us", "UTC")``; values that do not parse become null.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

TIMEZONE = "Europe/Rome"
RESULT_DTYPE = pl.Datetime("us", "UTC")

# Whole-value shapes that a single strptime format parses exactly. They are tried in order on
# whatever is still unparsed, so a column in one common shape costs one regex and one strptime.
# The last flag marks the UTC form (a trailing "Z", dropped before strptime reads the rest).
_SIMPLE_FORMS: tuple[tuple[str, str, bool, bool], ...] = (
    (r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", "%Y-%m-%dT%H:%M:%S", False, False),
    (r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$", "%d/%m/%Y %H:%M:%S", False, False),
    (r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", "%Y-%m-%d %H:%M:%S", False, False),
    (r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$", "%d/%m/%Y %H:%M", False, False),
    (r"^\d{4}-\d{2}-\d{2}$", "%Y-%m-%d", True, False),
    (r"^\d{2}/\d{2}/\d{4}$", "%d/%m/%Y", True, False),
    (r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[Zz]$", "%Y-%m-%dT%H:%M:%S", False, True),
)

_SECOND_60 = r"\d{2}:\d{2}:60(?:[.,]\d*)?(?:[Zz]|[+-]\d|\s*$)"

# Everything else ISO 8601 allows here: minutes only, fractions, offsets.
_ISO_GENERAL = (
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$"
)


_NULL = np.iinfo(np.int64).min
_US = 1_000_000
_DAY_US = 86_400 * _US


def parse_timestamps(
    values: pl.Series, *, date_only: Literal["start", "end"] = "start"
) -> pl.Series:
    """Parse a Utf8 series of timestamps into UTC instants (null where unparseable)."""
    return _parse_timestamps(values, date_only, read_fixed=True)


def _parse_timestamps(
    values: pl.Series, date_only: Literal["start", "end"], *, read_fixed: bool
) -> pl.Series:
    """Parse timestamps; ``read_fixed=False`` skips the byte-level reading of the common
    fixed-width forms, which must give the same result as the patterns (tests compare)."""
    values = values.cast(pl.Utf8)
    n = len(values)
    # Wall-clock microseconds (``_NULL`` when unparsed), the UTC offset when one was written,
    # and whether the value was a date alone.
    wall = np.full(n, _NULL, dtype=np.int64)
    offset = np.zeros(n, dtype=np.int64)
    has_offset = np.zeros(n, dtype=bool)
    is_date = np.zeros(n, dtype=bool)

    # The common fixed-width forms are read digit by digit straight from the string buffer;
    # whatever they do not claim goes through the pattern-by-pattern reading below.
    claimed = _read_fixed_forms(values, wall, offset, has_offset, is_date) if read_fixed else None
    usable = values.is_not_null()
    if claimed is not None:
        usable = usable & pl.Series(~claimed)
    if usable.any() and values.str.contains(":60", literal=True).any():
        # chrono reads second 60 as a leap second and rolls it into the next minute; a consent
        # time with second 60 is not a valid time here, so it stays unparsed.
        usable = usable & ~values.str.contains(_SECOND_60).fill_null(False)
    remaining = np.flatnonzero(usable.to_numpy())
    for shape, fmt, date_form, utc in _SIMPLE_FORMS:
        if not len(remaining):
            break
        subset = values if len(remaining) == n else values.gather(remaining)
        matches = subset.str.contains(shape).fill_null(False).to_numpy()
        if not matches.any():
            continue
        if not matches.all():
            subset = subset.filter(matches)
        if utc:
            subset = subset.str.head(-1)
        parsed = subset.str.strptime(pl.Datetime("us"), fmt, strict=False)
        chosen = remaining[matches]
        wall[chosen] = parsed.cast(pl.Int64).fill_null(_NULL).to_numpy()
        is_date[chosen] = date_form
        has_offset[chosen] = utc
        remaining = remaining[~matches]

    if len(remaining):
        general = _parse_general(values.gather(remaining))
        wall[remaining] = general.get_column("wall").cast(pl.Int64).fill_null(_NULL).to_numpy()
        minutes = general.get_column("offset")
        has_offset[remaining] = minutes.is_not_null().to_numpy()
        offset[remaining] = minutes.fill_null(0).cast(pl.Int64).to_numpy() * 60 * _US
        is_date[remaining] = general.get_column("is_date").to_numpy()

    parsed_ok = wall != _NULL
    if date_only == "end":
        # The last second of the day: 23:59:59 local time.
        wall[is_date & parsed_ok] += _DAY_US - _US
    result = np.full(n, _NULL, dtype=np.int64)
    result = np.where(parsed_ok & has_offset, wall - offset, result)
    local = np.flatnonzero(parsed_ok & ~has_offset)
    if len(local):
        result[local] = rome_to_utc(wall[local])
    series = pl.Series(values.name, result, dtype=pl.Int64)
    return (
        pl.select(pl.when(series != _NULL).then(series))
        .to_series()
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
        .alias(values.name)
    )


# Fixed-width forms read straight from the string bytes: the length, the separators by
# position, the positions of the year, month, day, hour, minute and second digits (None:
# absent), whether it is a date alone, and where a written offset starts.
_FixedForm = tuple[int, dict[int, bytes], tuple[tuple[int, ...] | None, ...], bool, int | None]
_ISO_DATE = ((0, 1, 2, 3), (5, 6), (8, 9))
_DMY_DATE = ((6, 7, 8, 9), (3, 4), (0, 1))
_ISO_SEPARATORS = {4: b"-", 7: b"-"}
_DMY_SEPARATORS = {2: b"/", 5: b"/"}
_FIXED_FORMS: tuple[_FixedForm, ...] = (
    # YYYY-MM-DDTHH:MM:SS (or a space for the T), alone, with Z, or with +HH:MM.
    (
        19,
        {**_ISO_SEPARATORS, 10: b"T ", 13: b":", 16: b":"},
        (*_ISO_DATE, (11, 12), (14, 15), (17, 18)),
        False,
        None,
    ),
    (
        20,
        {**_ISO_SEPARATORS, 10: b"T ", 13: b":", 16: b":", 19: b"Zz"},
        (*_ISO_DATE, (11, 12), (14, 15), (17, 18)),
        False,
        19,
    ),
    (
        25,
        {**_ISO_SEPARATORS, 10: b"T ", 13: b":", 16: b":", 19: b"+-", 22: b":"},
        (*_ISO_DATE, (11, 12), (14, 15), (17, 18)),
        False,
        19,
    ),
    (
        16,
        {**_ISO_SEPARATORS, 10: b"T ", 13: b":"},
        (*_ISO_DATE, (11, 12), (14, 15), None),
        False,
        None,
    ),
    (10, _ISO_SEPARATORS, (*_ISO_DATE, None, None, None), True, None),
    # DD/MM/YYYY HH:MM:SS, DD/MM/YYYY HH:MM, DD/MM/YYYY.
    (
        19,
        {**_DMY_SEPARATORS, 10: b" ", 13: b":", 16: b":"},
        (*_DMY_DATE, (11, 12), (14, 15), (17, 18)),
        False,
        None,
    ),
    (
        16,
        {**_DMY_SEPARATORS, 10: b" ", 13: b":"},
        (*_DMY_DATE, (11, 12), (14, 15), None),
        False,
        None,
    ),
    (10, _DMY_SEPARATORS, (*_DMY_DATE, None, None, None), True, None),
)
_OFFSET_DIGITS = ((20, 21), (23, 24))
# The fast reading takes years 1000-9999; others go the pattern-by-pattern way.
_FIRST_YEAR, _LAST_YEAR = 1000, 9999


@cache
def _month_table() -> tuple[np.ndarray, np.ndarray]:
    """Days from 1970-01-01 to the first of each month of years 1000-9999, and the month's
    length, indexed by ``(year - 1000) * 12 + month - 1``."""
    years = np.repeat(np.arange(_FIRST_YEAR, _LAST_YEAR + 2, dtype=np.int64), 12)
    months = np.tile(np.arange(1, 13, dtype=np.int64), _LAST_YEAR + 2 - _FIRST_YEAR)
    march_year = years - (months <= 2)
    era = march_year // 400
    year_of_era = march_year - era * 400
    day_of_year = (153 * ((months + 9) % 12) + 2) // 5
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    firsts = era * 146_097 + day_of_era - 719_468
    return firsts[:-12], np.diff(firsts)[: len(firsts) - 12]


def _number(digits: np.ndarray, positions: tuple[int, ...] | None) -> np.ndarray | int:
    if positions is None:
        return 0
    value = digits[:, positions[0]].astype(np.int64)
    for position in positions[1:]:
        value *= 10
        value += digits[:, position]
    return value


def _read_fixed_forms(
    values: pl.Series,
    wall: np.ndarray,
    offset: np.ndarray,
    has_offset: np.ndarray,
    is_date: np.ndarray,
) -> np.ndarray | None:
    """Read the fixed-width forms of :data:`_FIXED_FORMS` from the string buffer.

    Fills ``wall`` (left ``_NULL`` for an impossible date or time), ``offset``, ``has_offset``
    and ``is_date`` for the values it claims and returns the claimed mask (None when it claims
    nothing). A value is claimed only when its every byte is an ASCII digit or the separator
    its form puts there, so it reads exactly what the pattern-by-pattern path would.
    """
    if not len(values):
        return None
    # A private accessor, but the one way to the raw bytes without a copy per value.
    buffers = values._get_buffers()
    if buffers["offsets"] is None:
        return None
    bounds = buffers["offsets"].to_numpy()
    data = buffers["values"].to_numpy()
    lengths = np.diff(bounds)
    starts = bounds[:-1]
    if buffers["validity"] is not None:
        lengths[~buffers["validity"].to_numpy()] = -1
    firsts, month_days = _month_table()
    claimed = np.zeros(len(values), dtype=bool)
    for length, separators, fields, date_form, offset_at in _FIXED_FORMS:
        rows = np.flatnonzero(lengths == length)
        if not len(rows):
            continue
        # One gather copies each candidate's bytes into a row of a matrix.
        text = np.lib.stride_tricks.sliding_window_view(data, length)[starts[rows]]
        digits = text - np.uint8(48)  # unsigned: bytes below "0" wrap round to large values
        numeric = sorted({p for field in fields if field for p in field})
        if length == 25:
            numeric += [p for pair in _OFFSET_DIGITS for p in pair]
        fits = (digits[:, numeric] <= 9).all(axis=1)
        for position, allowed in separators.items():
            match = text[:, position] == allowed[0]
            for other in allowed[1:]:
                match |= text[:, position] == other
            fits &= match
        fits &= digits[:, fields[0][0]] > 0
        if not fits.any():
            continue
        if not fits.all():
            rows, text, digits = rows[fits], text[fits], digits[fits]
        year, month, day, hour, minute, second = (_number(digits, f) for f in fields)
        month_index = np.clip((year - _FIRST_YEAR) * 12 + month - 1, 0, len(firsts) - 1)
        valid = (
            (month >= 1)
            & (month <= 12)
            & (day >= 1)
            & (day <= month_days[month_index])
            & (hour <= 23)
            & (minute <= 59)
            & (second <= 59)
        )
        seconds = (firsts[month_index] + day - 1) * 86_400 + hour * 3600 + minute * 60 + second
        if offset_at is not None:
            has_offset[rows] = True
            if length == 25:
                sign = np.where(text[:, offset_at] == ord("-"), -1, 1)
                off_hours = _number(digits, _OFFSET_DIGITS[0])
                off_minutes = _number(digits, _OFFSET_DIGITS[1])
                valid &= (off_hours <= 23) & (off_minutes <= 59)
                offset[rows] = sign * (off_hours * 60 + off_minutes) * 60 * _US
        wall[rows] = np.where(valid, seconds * _US, _NULL)
        is_date[rows] = date_form
        claimed[rows] = True
    return claimed if claimed.any() else None


@cache
def _rome_periods() -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Europe/Rome as periods of constant UTC offset, from the time zone database.

    Returns each period's offset, the wall time its clocks start at and the wall time they
    would reach at its end (all microseconds), and the wall-time range the table covers.
    Offsets are sampled daily (Italian clocks never changed twice in a day), then each change
    is located to the second.
    """
    rome = ZoneInfo(TIMEZONE)
    first, last = datetime(1900, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC)
    days = pl.datetime_range(first, last, "1d", time_zone="UTC", eager=True)
    local = days.dt.convert_time_zone(TIMEZONE).dt.replace_time_zone(None)
    offsets = (local - days.dt.replace_time_zone(None)).dt.total_microseconds().to_numpy()
    starts_s = [-(2**40)]
    period_offsets = [int(offsets[0])]
    for change in np.flatnonzero(offsets[1:] != offsets[:-1]) + 1:
        low = int(days[int(change) - 1].timestamp())
        high = int(days[int(change)].timestamp())
        before = rome.utcoffset(datetime.fromtimestamp(low, UTC).replace(tzinfo=None))
        # The first second whose offset differs from the day before.
        while high - low > 1:
            middle = (low + high) // 2
            moment = datetime.fromtimestamp(middle, UTC)
            if moment.astimezone(rome).utcoffset() == before:
                low = middle
            else:
                high = middle
        starts_s.append(high)
        period_offsets.append(int(offsets[change]))
    starts = np.array(starts_s, dtype=np.int64) * _US
    offs = np.array(period_offsets, dtype=np.int64)
    wall_starts = starts + offs
    wall_ends = np.append(starts[1:], 2**62) + offs
    covered_from = int(days[1].timestamp()) * _US
    covered_until = int(days[-2].timestamp()) * _US
    return offs, wall_starts, wall_ends, covered_from, covered_until


@cache
def _rome_days() -> tuple[int, np.ndarray, np.ndarray]:
    """Europe/Rome by wall-clock day: the first day covered (in days since 1970-01-01), each
    day's UTC offset, and whether the clocks change during that day (offset then unused)."""
    offs, wall_starts, wall_ends, covered_from, covered_until = _rome_periods()
    first = -(-covered_from // _DAY_US)
    last = covered_until // _DAY_US - 1
    day_starts = np.arange(first, last + 1, dtype=np.int64) * _DAY_US
    boundaries = np.unique(np.concatenate([wall_starts[1:], wall_ends[:-1]]))
    # A day is plain when no period starts or ends in it (wall clock, end exclusive).
    inside = np.searchsorted(boundaries, day_starts + _DAY_US) - np.searchsorted(
        boundaries, day_starts, side="right"
    )
    changing = (inside > 0) | np.isin(day_starts, boundaries)
    offsets = offs[np.searchsorted(wall_starts, day_starts, side="right") - 1]
    return int(first), offsets, changing


def rome_to_utc(wall: np.ndarray) -> np.ndarray:
    """UTC microseconds of Europe/Rome wall times (microseconds), vectorised.

    A wall time that occurs twice takes the earlier instant; one that never occurs gives
    ``_NULL``. Wall times outside 1900-2100 are converted by polars.
    """
    first, day_offsets, changing = _rome_days()
    day = wall // _DAY_US - first
    inside = (day >= 0) & (day < len(day_offsets))
    day = np.where(inside, day, 0)
    plain = inside & ~changing[day]
    if plain.all():
        return wall - day_offsets[day]
    result = np.where(plain, wall - day_offsets[day], _NULL)
    rest = np.flatnonzero(~plain)
    result[rest] = _rome_to_utc_by_periods(wall[rest])
    return result


def _rome_to_utc_by_periods(wall: np.ndarray) -> np.ndarray:
    offs, wall_starts, wall_ends, covered_from, covered_until = _rome_periods()
    period = np.maximum(np.searchsorted(wall_starts, wall, side="right") - 1, 0)
    previous = np.maximum(period - 1, 0)
    repeated = (period > 0) & (wall < wall_ends[previous])
    period = np.where(repeated, previous, period)
    result = wall - offs[period]
    result[wall >= wall_ends[period]] = _NULL
    outside = np.flatnonzero((wall < covered_from) | (wall > covered_until))
    if len(outside):
        converted = (
            pl.Series(wall[outside], dtype=pl.Int64)
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone(TIMEZONE, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .dt.replace_time_zone(None)
            .cast(pl.Int64)
            .fill_null(_NULL)
        )
        result[outside] = converted.to_numpy()
    return result


def _parse_general(values: pl.Series) -> pl.DataFrame:
    """Parse the ISO forms the simple shapes do not cover."""
    parts = (
        pl.DataFrame({"v": values})
        .select(pl.col("v").str.extract_groups(_ISO_GENERAL).alias("g"))
        .unnest("g")
    )
    parts.columns = ["y", "mo", "d", "h", "mi", "s", "frac", "tz"]
    frac = pl.col("frac").fill_null("").str.slice(0, 6).str.pad_end(6, "0")
    canonical = pl.concat_str(
        pl.col("y"),
        pl.lit("-"),
        pl.col("mo"),
        pl.lit("-"),
        pl.col("d"),
        pl.lit("T"),
        pl.col("h").fill_null("00"),
        pl.lit(":"),
        pl.col("mi").fill_null("00"),
        pl.lit(":"),
        pl.col("s").fill_null("00"),
        pl.lit("."),
        frac,
    )
    tz = pl.col("tz").str.replace(":", "", literal=True)
    sign = pl.when(tz.str.starts_with("-")).then(-1).otherwise(1)
    tz_hours = tz.str.slice(1, 2).cast(pl.Int32, strict=False)
    tz_minutes = tz.str.slice(3, 2).cast(pl.Int32, strict=False).fill_null(0)
    offset = (
        pl.when(pl.col("tz").is_null())
        .then(None)
        .when(pl.col("tz").str.to_uppercase() == "Z")
        .then(0)
        .when((tz_hours <= 23) & (tz_minutes <= 59))
        .then(sign * (tz_hours * 60 + tz_minutes))
        .otherwise(None)
        .cast(pl.Int32)
    )
    wall = canonical.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.f", strict=False)
    bad_offset = pl.col("tz").is_not_null() & offset.is_null()
    return parts.select(
        pl.when(bad_offset).then(None).otherwise(wall).alias("wall"),
        offset.alias("offset"),
        (pl.col("y").is_not_null() & pl.col("h").is_null()).alias("is_date"),
    )


def parse_timestamp(value: str, *, date_only: Literal["start", "end"] = "start") -> datetime:
    """Parse one timestamp (same forms and rules as :func:`parse_timestamps`).

    Raises ``ValueError`` naming the value when it does not parse.
    """
    parsed = parse_timestamps(pl.Series([value.strip()]), date_only=date_only)[0]
    if parsed is None:
        raise ValueError(f"not a timestamp in an accepted form: {value!r}")
    return parsed.astimezone(UTC)


def to_utc(moment: datetime) -> datetime:
    """Return an aware datetime in UTC; a naive one is refused (it names no instant)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC)


def epoch_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    moment = to_utc(moment)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
