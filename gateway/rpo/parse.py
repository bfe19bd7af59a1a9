"""Parsers of the RPO import formats (and the small delimited lists objections reuse).

Format A is the esito as one CSV: ``phone,registered[,registered_at]``. Format B is the list
that was sent plus the contactable list that came back: numbers of the first missing from the
second are registered, date unknown; numbers in both are not registered.

Shared reading rules: UTF-8 text (a BOM is ignored); delimiter comma, semicolon, tab or pipe,
taken from the first line; quoted fields allowed; blank lines ignored; the first line is a
header when its first field contains a letter (a phone number never does). Numbers may be in
any form libphonenumber reads with default region IT; only valid Italian numbers are usable.
``registered`` takes the yes/no values of domain.md (empty means no). ``registered_at`` takes
the consent timestamp forms; a date alone means the end of that day, Europe/Rome, and it is
rounded up to the whole second (both the cautious reading). ``registered_at`` on a number that
is not registered is ignored. A line with more than three fields, or any unusable line, rejects
the whole import, listing the lines.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..phones import VALID, classify_phones
from ..rules.fields import is_yes, is_yes_no
from ..rules.timestamps import parse_timestamps
from .errors import ImportRejected, rejected_lines
from .keys import e164_keys

# registered_at sentinels in index files: not registered, and registered with unknown date.
NOT_REGISTERED = np.iinfo(np.int64).min
DATE_UNKNOWN = np.iinfo(np.int64).max

READ_ROWS = 1_000_000
_DELIMITERS = (",", ";", "\t", "|")


@dataclass
class Entries:
    """A consultation's outcome: sorted unique keys and their registered_at values."""

    keys: np.ndarray  # int64, ascending, unique
    registered_at: np.ndarray  # int64 epoch seconds, NOT_REGISTERED or DATE_UNKNOWN

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def registered(self) -> int:
        """How many entries are registered."""
        return int(np.count_nonzero(self.registered_at != NOT_REGISTERED))


def _first_line(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as fh:
        head = fh.read(65536)
    text = head.decode("utf-8-sig", errors="replace")
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def detect_delimiter(path: str | os.PathLike[str]) -> str:
    """The delimiter of a small delimited file: the most frequent candidate on its first line."""
    line = _first_line(path)
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_records(
    path: str | os.PathLike[str], fields: int, *, what: str, what_it: str
) -> Iterator[pl.DataFrame]:
    """Yield frames of ``line`` (Int64) and ``f0``..``f{fields-1}`` (stripped Utf8, empty null)
    plus ``extra`` (non-null when a line has more fields), header and blank lines dropped."""
    names = [f"f{i}" for i in range(fields)] + ["extra"]
    frame_iter = (
        pl.scan_csv(
            path,
            has_header=False,
            separator=detect_delimiter(path),
            schema=dict.fromkeys(names, pl.Utf8),
            truncate_ragged_lines=True,
            infer_schema=False,
        )
        .with_row_index("line", offset=1)
        .collect_batches(chunk_size=READ_ROWS)
    )
    first = True
    try:
        for frame in frame_iter:
            frame = frame.with_columns(
                pl.col("line").cast(pl.Int64),
                *[pl.col(c).str.strip_chars().replace("", None).alias(c) for c in names],
            )
            frame = frame.filter(pl.any_horizontal(pl.col(names).is_not_null()))
            if first and frame.height:
                first = False
                head = frame.get_column("f0")[0]
                if head is not None and any(ch.isalpha() for ch in head):
                    frame = frame.slice(1)
            yield frame
    except pl.exceptions.ComputeError as exc:
        raise ImportRejected(
            f"{what}: the file is not readable UTF-8 delimited text ({exc}).",
            message_it=f"{what_it}: il file non è un testo delimitato UTF-8 leggibile.",
        ) from None


def phone_keys(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Keys of valid Italian numbers (null otherwise) and whether each value was usable."""
    classified = classify_phones(values)
    usable = classified.get_column("phone_status") == VALID
    keys = e164_keys(classified.get_column("phone_e164"))
    keys = pl.select(pl.when(usable).then(keys)).to_series()
    return keys, usable


class _Problems:
    """Collects unusable lines (the first ones in full, the rest only counted)."""

    def __init__(self) -> None:
        self.listed: list[dict[str, object]] = []
        self.count = 0

    def add(self, lines: pl.Series, problem: str) -> None:
        self.count += len(lines)
        room = 100 - len(self.listed)
        for line in lines.head(max(room, 0)).to_list():
            self.listed.append({"line": line, "problem": problem})

    def raise_if_any(self, what: str, what_it: str) -> None:
        if self.count:
            self.listed.sort(key=lambda p: int(p["line"]))  # type: ignore[call-overload]
            raise rejected_lines(what, what_it, self.listed, self.count)


def parse_format_a(path: str | os.PathLike[str]) -> Entries:
    """Parse format A (``phone,registered[,registered_at]``) into entries."""
    what, what_it = "RPO import (format A)", "Importazione RPO (formato A)"
    if detect_delimiter(path) not in _first_line(path):
        raise ImportRejected(
            f"{what}: each line needs at least phone and registered, separated by a comma, "
            "semicolon, tab or pipe.",
            message_it=f"{what_it}: ogni riga deve contenere almeno telefono e iscritto, "
            "separati da virgola, punto e virgola, tabulazione o barra verticale.",
        )
    problems = _Problems()
    keys_parts: list[np.ndarray] = []
    reg_parts: list[np.ndarray] = []
    for frame in read_records(path, 3, what=what, what_it=what_it):
        keys, usable = phone_keys(frame.get_column("f0"))
        registered = frame.get_column("f1")
        yes = is_yes(registered)
        yes_no = is_yes_no(registered)
        at_text = frame.get_column("f2")
        at = parse_timestamps(at_text, date_only="end")
        # Round up to the whole second: a later registration is the cautious reading.
        at_seconds = -((-at.dt.epoch("us")) // 1_000_000)
        bad_at = yes & at_text.is_not_null() & at.is_null()
        extra = frame.get_column("extra").is_not_null()
        lines = frame.get_column("line")
        problems.add(lines.filter(extra), "more than three fields")
        problems.add(lines.filter(~extra & ~usable), "not a valid Italian phone number")
        problems.add(lines.filter(~extra & usable & ~yes_no), "registered is not a yes/no value")
        problems.add(lines.filter(~extra & usable & yes_no & bad_at), "registered_at is not a date")
        if problems.count:
            continue
        values = (
            pl.select(
                pl.when(~yes)
                .then(pl.lit(NOT_REGISTERED, dtype=pl.Int64))
                .when(at_seconds.is_null())
                .then(pl.lit(DATE_UNKNOWN, dtype=pl.Int64))
                .otherwise(at_seconds)
            )
            .to_series()
            .to_numpy()
        )
        keys_parts.append(keys.to_numpy())
        reg_parts.append(values)
    problems.raise_if_any(what, what_it)
    entries = build_entries(keys_parts, reg_parts)
    _require_entries(entries, what, what_it)
    return entries


def read_number_list(path: str | os.PathLike[str], *, what: str, what_it: str) -> np.ndarray:
    """Unique sorted keys of a list of numbers (first column; other columns ignored)."""
    problems = _Problems()
    parts: list[np.ndarray] = []
    for frame in read_records(path, 1, what=what, what_it=what_it):
        keys, usable = phone_keys(frame.get_column("f0"))
        problems.add(frame.get_column("line").filter(~usable), "not a valid Italian phone number")
        if not problems.count:
            parts.append(keys.to_numpy())
    problems.raise_if_any(what, what_it)
    if not parts:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(parts))


def parse_format_b(sent: str | os.PathLike[str], contactable: str | os.PathLike[str]) -> Entries:
    """Parse format B: numbers sent and not contactable are registered, date unknown."""
    what, what_it = "RPO import (format B)", "Importazione RPO (formato B)"
    sent_keys = read_number_list(sent, what=f"{what}, sent list", what_it=f"{what_it}, inviati")
    back_keys = read_number_list(
        contactable, what=f"{what}, contactable list", what_it=f"{what_it}, contattabili"
    )
    stray = np.setdiff1d(back_keys, sent_keys, assume_unique=True)
    if len(stray):
        shown = ", ".join("+" + str(k) for k in stray[:20])
        raise ImportRejected(
            f"{what}: {len(stray)} number(s) in the contactable list were not in the sent list "
            f"({shown}); the two files do not belong together.",
            message_it=f"{what_it}: {len(stray)} numeri della lista dei contattabili non sono "
            f"nella lista inviata ({shown}); i due file non corrispondono.",
            errors={"count": len(stray), "numbers": ["+" + str(k) for k in stray[:100]]},
        )
    registered = ~np.isin(sent_keys, back_keys, assume_unique=True)
    values = np.where(registered, DATE_UNKNOWN, NOT_REGISTERED).astype(np.int64)
    entries = Entries(sent_keys, values)
    _require_entries(entries, what, what_it)
    return entries


def build_entries(keys_parts: list[np.ndarray], reg_parts: list[np.ndarray]) -> Entries:
    """Sort and deduplicate; a number listed twice keeps its most cautious answer.

    The sentinels are ordered so that the largest value is the most cautious: not registered
    (minimum), a registration date (later is more cautious), date unknown (maximum).
    """
    keys = np.concatenate([np.empty(0, dtype=np.int64), *keys_parts]).astype(np.int64, copy=False)
    values = np.concatenate([np.empty(0, dtype=np.int64), *reg_parts]).astype(np.int64, copy=False)
    if not len(keys):
        return Entries(keys, values)
    # polars sorts on every core; the permutation then orders both arrays.
    order = pl.Series(keys).arg_sort().to_numpy()
    keys = keys[order]
    values = values[order]
    del order
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    if len(starts) == len(keys):
        return Entries(keys, values)
    return Entries(keys[starts], np.maximum.reduceat(values, starts))


def _require_entries(entries: Entries, what: str, what_it: str) -> None:
    if not len(entries):
        raise ImportRejected(
            f"{what}: the file lists no phone numbers.",
            message_it=f"{what_it}: il file non contiene numeri di telefono.",
        )
