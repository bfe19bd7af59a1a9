"""Parsing objection lists: CSV ``phone[,recorded_at]``, or a single number.

Reading rules are those of the RPO lists (see :mod:`gateway.rpo.parse`). ``recorded_at`` takes
the consent timestamp forms (a date alone is 00:00 Europe/Rome, so the objection applies from
the start of that day); when absent the caller's default applies. Numbers may be any valid
number (Italian or not): an objection is honoured whatever the number.
"""

from __future__ import annotations

import os
from datetime import datetime

import numpy as np
import polars as pl

from ..phones import NOT_ITALIAN, VALID, classify_phones
from ..rpo.errors import ImportRejected, rejected_lines
from ..rpo.keys import e164_keys
from ..rpo.parse import read_records
from ..rules.timestamps import epoch_us, parse_timestamps

# recorded_at of an entry that applies whatever the processing time.
ALWAYS = np.iinfo(np.int64).min

WHAT = ("Objection list", "Lista delle opposizioni")


def number_keys(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Keys of valid numbers (any country; null otherwise) and whether each was usable."""
    classified = classify_phones(values)
    usable = classified.get_column("phone_status").is_in([VALID, NOT_ITALIAN])
    keys = e164_keys(classified.get_column("phone_e164"))
    return pl.select(pl.when(usable).then(keys)).to_series(), usable


def parse_objections(
    path: str | os.PathLike[str], *, default_recorded_at: datetime | None = None
) -> pl.DataFrame:
    """Parse a CSV ``phone[,recorded_at]`` into ``key`` (Int64) and ``recorded_at_us`` (Int64).

    A missing ``recorded_at`` becomes ``default_recorded_at`` or, when None, ``ALWAYS``.
    """
    default = epoch_us(default_recorded_at) if default_recorded_at is not None else ALWAYS
    listed: list[dict[str, object]] = []
    count = 0
    parts: list[pl.DataFrame] = []
    for frame in read_records(path, 2, what=WHAT[0], what_it=WHAT[1]):
        keys, usable = number_keys(frame.get_column("f0"))
        text = frame.get_column("f1")
        at = parse_timestamps(text)
        bad_at = text.is_not_null() & at.is_null()
        extra = frame.get_column("extra").is_not_null()
        lines = frame.get_column("line")
        for mask, problem in (
            (extra, "more than two fields"),
            (~extra & ~usable, "not a valid phone number"),
            (~extra & usable & bad_at, "recorded_at is not a date"),
        ):
            bad = lines.filter(mask)
            count += len(bad)
            listed.extend({"line": n, "problem": problem} for n in bad.head(100).to_list())
        if count:
            continue
        parts.append(
            pl.DataFrame({"key": keys, "recorded_at_us": at.dt.epoch("us").fill_null(default)})
        )
    if count:
        listed.sort(key=lambda p: int(p["line"]))  # type: ignore[call-overload]
        raise rejected_lines(WHAT[0], WHAT[1], listed[:100], count)
    if not parts:
        raise ImportRejected(
            f"{WHAT[0]}: the file lists no phone numbers.",
            message_it=f"{WHAT[1]}: il file non contiene numeri di telefono.",
        )
    return pl.concat(parts)


def parse_number(value: str) -> int:
    """The key of one phone number in any form; raise ``ImportRejected`` if it is not valid."""
    keys, usable = number_keys(pl.Series([value]))
    if not usable[0]:
        raise ImportRejected(
            f"{value!r} is not a valid phone number.",
            message_it=f"{value!r} non è un numero di telefono valido.",
        )
    return int(keys[0])
