"""Spreadsheet uploads (XLSX, XLS, ODS).

The first visible worksheet is read. Cells become text the way a vendor sees them: native
date and date-time cells become naive ISO 8601 ``YYYY-MM-DDTHH:MM:SS`` (the wall-clock value),
whole numbers become integer text (a phone number stored as a number reads "3471234567"),
other numbers their shortest representation, booleans "true"/"false".

XLSX goes through the streaming reader of ``ooxml`` when it can prove it reads the workbook
exactly as calamine does, and hands over to calamine from the first row it cannot; XLS, ODS
and any XLSX it declines are read with python-calamine here.

Memory: calamine parses the whole worksheet into its own cell grid when the sheet is opened
(roughly 40 bytes per cell plus the text); only the conversion to chunks is streamed. XLSX
allows at most 1,048,576 rows, which bounds that grid. The streaming reader holds a few
blocks of the worksheet (about a megabyte each) and the chunk being built.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
import python_calamine as calamine

from . import errors
from .columns import map_header
from .ooxml import open_xlsx
from .sniff import XLSX
from .table import WHITESPACE, Table, physical_names

_ONE_SECOND = dt.timedelta(seconds=1)
_CONVERT_ROWS = 16384


def _datetime_text(value: dt.datetime) -> str:
    # Spreadsheets store date-times as fractions of a day; round to the second they show.
    if value.microsecond >= 500_000:
        value += _ONE_SECOND
    return value.replace(microsecond=0, tzinfo=None).isoformat(timespec="seconds")


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return repr(value)


_CONVERTERS: dict[type, Callable[[Any], str]] = {
    str: lambda value: value,
    float: _float_text,
    int: str,
    bool: lambda value: "true" if value else "false",
    dt.datetime: _datetime_text,
    dt.date: lambda value: value.isoformat() + "T00:00:00",
    dt.time: lambda value: value.replace(microsecond=0).isoformat(timespec="seconds"),
    dt.timedelta: str,
}


def cell_text(value: Any) -> str:
    """The text of one calamine cell value."""
    convert = _CONVERTERS.get(type(value))
    return convert(value) if convert else str(value)


def _floats_text(values: list[float | None]) -> pl.Series:
    series = pl.Series(values, dtype=pl.Float64)
    whole = series.is_finite() & (series.floor() == series) & (series.abs() < 2.0**62)
    if whole.fill_null(True).all():
        return series.cast(pl.Int64).cast(pl.Utf8)
    return pl.Series([None if v is None else _float_text(v) for v in values], dtype=pl.Utf8)


def _datetimes_text(values: list[dt.datetime | None]) -> pl.Series:
    series = pl.Series(values, dtype=pl.Datetime("us"))
    # Spreadsheets store date-times as fractions of a day; round to the second they show.
    return series.dt.round("1s").dt.strftime("%Y-%m-%dT%H:%M:%S")


def _column(name: str, values: tuple[Any, ...]) -> pl.Series:
    """One column of cells as text, converted in bulk for the usual cell types.

    The usual columns hold one native type (numbers, or dates and date-times) plus empty
    cells, which calamine gives as empty strings; anything else goes cell by cell.
    """
    kinds = set(map(type, values))
    if kinds == {str}:
        return pl.Series(name, values, dtype=pl.Utf8)
    natives = kinds - {str}
    if str in kinds:
        types = list(map(type, values))
        only_empty = types.count(str) == values.count("")
    else:
        only_empty = True
    if only_empty and natives == {float}:
        floats = [v if v.__class__ is float else None for v in values]
        return _floats_text(floats).alias(name)
    if only_empty and natives <= {dt.datetime, dt.date}:
        stamps = [
            v
            if v.__class__ is dt.datetime
            else None
            if v.__class__ is str
            else dt.datetime(v.year, v.month, v.day)
            for v in values
        ]
        return _datetimes_text(stamps).alias(name)
    return pl.Series(name, [cell_text(v) for v in values], dtype=pl.Utf8)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch of cells becomes a frame.

    A batch is tens of thousands of short-lived lists, none in a reference cycle; letting the
    collector walk them again and again costs more than the conversion itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _damaged(exc: calamine.CalamineError) -> errors.FileRejected:
    return errors.unreadable(
        f"the spreadsheet is damaged ({exc})", f"il foglio di calcolo è danneggiato ({exc})"
    )


def _first_visible_worksheet(workbook: calamine.CalamineWorkbook) -> int:
    for index, meta in enumerate(workbook.sheets_metadata):
        if (
            meta.typ == calamine.SheetTypeEnum.WorkSheet
            and meta.visible == calamine.SheetVisibleEnum.Visible
        ):
            return index
    return 0


class SheetTable(Table):
    """A spreadsheet upload opened for reading: the streaming XLSX reader when it accepts the
    workbook, calamine otherwise."""

    def __init__(self, path: str, kind: str, filename: str | None = None) -> None:
        self.format = kind
        engine: Table | None = None
        if kind == XLSX:
            engine = open_xlsx(path, filename, lambda: CalamineTable(path, kind, filename))
        if engine is None:
            engine = CalamineTable(path, kind, filename)
        self._engine = engine
        # Both readers map the same header; the engine's positions are its own business.
        super().__init__(engine._header, filename)

    def _frames(self, rows: int) -> Iterator[pl.DataFrame]:
        return self._engine._frames(rows)

    def close(self) -> None:
        """Release the workbook."""
        self._engine.close()


class CalamineTable(Table):
    """A spreadsheet read with python-calamine."""

    def __init__(self, path: str, kind: str, filename: str | None = None) -> None:
        self.format = kind
        try:
            self._workbook = calamine.CalamineWorkbook.from_path(path)
        except calamine.PasswordError as exc:
            raise errors.encrypted() from exc
        except calamine.CalamineError as exc:
            raise _damaged(exc) from exc
        try:
            self._open_sheet(filename)
        except BaseException:
            self._workbook.close()
            raise

    def _open_sheet(self, filename: str | None) -> None:
        try:
            if not self._workbook.sheet_names:
                raise errors.empty(has_header=False)
            sheet = self._workbook.get_sheet_by_index(_first_visible_worksheet(self._workbook))
        except calamine.PasswordError as exc:
            raise errors.encrypted() from exc
        except calamine.CalamineError as exc:
            raise _damaged(exc) from exc
        if sheet.start is None:
            raise errors.empty(has_header=False)
        self._sheet = sheet
        self._width = sheet.width
        rows = sheet.iter_rows()
        header: list[str] | None = None
        for number, cells in enumerate(rows, start=1):
            texts = [cell_text(value) for value in cells]
            if any(text.strip(WHITESPACE) for text in texts):
                header, self._header_row = texts, number
                break
        if header is None:
            raise errors.empty(has_header=False)
        super().__init__(map_header(header), filename)
        # Look ahead to the first data row now, so that an empty sheet is refused at open.
        if not any(any(cell_text(v).strip(WHITESPACE) for v in cells) for cells in rows):
            raise errors.empty(has_header=True)
        self._closed = False

    def close(self) -> None:
        """Release the workbook and its cell grid."""
        if not self._closed:
            self._closed = True
            self._workbook.close()

    def _frames(self, rows: int) -> Iterator[pl.DataFrame]:
        return self.frames_from(rows, self._header_row + 1)

    def frames_from(self, rows: int, row: int) -> Iterator[pl.DataFrame]:
        """Finished frames for sheet rows ``row`` onwards, cut where ``iter_chunks`` cuts.

        Chunks cover ``rows`` sheet rows each, counted from the row below the header, so the
        first frame ends where the chunk holding ``row`` ends.
        """
        names = physical_names(self._width)
        data_start = self._header_row + 1
        row = max(row, data_start)
        data = itertools.islice(self._sheet.iter_rows(), row - 1, None)
        first_row = row
        step = min(rows, _CONVERT_ROWS)
        parts: list[pl.DataFrame] = []
        taken = (row - data_start) % rows
        while True:
            # Cells become Python objects on their way out of calamine; converting a few
            # thousand rows at a time keeps that transient memory small.
            with _collector_paused():
                batch = list(itertools.islice(data, min(step, rows - taken)))
                if batch:
                    parts.append(self._frame(names, batch, first_row))
            first_row += len(batch)
            taken += len(batch)
            if parts and (not batch or taken >= rows):
                yield parts[0] if len(parts) == 1 else pl.concat(parts, rechunk=True)
                parts = []
                taken = 0
            if not batch:
                return

    def _frame(self, names: list[str], batch: list[list[Any]], first_row: int) -> pl.DataFrame:
        columns = zip(*batch, strict=True)
        raw = pl.DataFrame(
            [_column(name, values) for name, values in zip(names, columns, strict=True)]
        )
        return self._finish(raw, first_row, None)
