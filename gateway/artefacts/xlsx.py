"""XLSX renderings: the styled report and the certified list (openpyxl, write-only mode).

The CSV and JSON artefacts are the originals; these workbooks are made from them on first
download and kept, so a batch job never spends time on styling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from .safety import neutralise_frame, neutralise_value
from .tables import CODE_SEPARATOR

_BAD = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
_WARN = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
_HEAD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _header(ws: Any, names: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=neutralise_value(name))
        cell.font = _HEAD
        cells.append(cell)
    return cells


def write_report_xlsx(path: str, header: Mapping[str, Any], rows: Iterable[pl.DataFrame],
                      catalogue: Mapping[str, Any]) -> None:
    """Write the report workbook: a summary sheet and a rows sheet with failing cells marked.

    ``rows`` are flattened report frames (``row, status, codes, warnings, <input columns>``,
    codes joined by ``|``); ``catalogue`` maps a code to an object with ``kind``, ``fields``,
    ``message_en`` and ``message_it``.
    """
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("Riepilogo - Summary")
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["D"].width = 70
    summary.column_dimensions["E"].width = 70
    counts = header.get("counts") or {}
    for label, value in (
        ("Lotto / Batch", header.get("batch_id")),
        ("Esito / Decision", header.get("decision")),
        ("Motivi del lotto / Batch reasons", ", ".join(
            r if isinstance(r, str) else r.get("code", "") for r in header.get("batch_reasons")
            or [])),
        ("Righe / Rows", counts.get("total")),
        ("Accettate / Accepted", counts.get("accepted")),
        ("Scartate / Rejected", counts.get("rejected")),
        ("Con avvisi / Warned", counts.get("warned")),
        ("Regole / Ruleset", (header.get("ruleset") or {}).get("version")),
    ):
        summary.append([_bold(summary, label), neutralise_value(None if value is None
                                                                else str(value))])
    summary.append([])
    summary.append(_header(summary, ["Codice / Code", "Tipo / Kind", "Righe / Rows",
                                     "Spiegazione (IT)", "Explanation (EN)"]))
    for code, n in sorted((counts.get("by_code") or {}).items(), key=lambda kv: -kv[1]):
        entry = catalogue.get(code)
        summary.append([code, getattr(entry, "kind", ""), n,
                        _wrapped(summary, getattr(entry, "message_it", "")),
                        _wrapped(summary, getattr(entry, "message_en", ""))])

    sheet = wb.create_sheet("Righe - Rows")
    sheet.freeze_panes = "A2"
    first = True
    for frame in rows:
        if first:
            sheet.append(_header(sheet, frame.columns))
            first = False
        safe = neutralise_frame(frame)
        if "row" in safe.columns:
            safe = safe.with_columns(pl.col("row").cast(pl.Int64, strict=False))
        columns = safe.columns
        for values in safe.iter_rows():
            record = dict(zip(columns, values, strict=True))
            bad, warned = _flagged(record, catalogue)
            out = []
            for name, value in zip(columns, values, strict=True):
                if name in bad or name in warned:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.fill = _BAD if name in bad else _WARN
                    out.append(cell)
                else:
                    out.append(value)
            sheet.append(out)
    if first:
        sheet.append(_header(sheet, ["row", "status", "codes", "warnings"]))

    legend = wb.create_sheet("Codici - Codes")
    legend.column_dimensions["C"].width = 80
    legend.column_dimensions["D"].width = 80
    legend.append(_header(legend, ["Codice / Code", "Tipo / Kind", "Spiegazione (IT)",
                                   "Explanation (EN)"]))
    for code, entry in catalogue.items():
        legend.append([code, getattr(entry, "kind", ""), getattr(entry, "message_it", ""),
                       getattr(entry, "message_en", "")])
    wb.save(path)


def _bold(ws: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = _HEAD
    return cell


def _wrapped(ws: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.alignment = _WRAP
    return cell


def _flagged(record: Mapping[str, Any], catalogue: Mapping[str, Any]) -> tuple[set, set]:
    bad: set[str] = set()
    warned: set[str] = set()
    for key, target in (("codes", bad), ("warnings", warned)):
        for code in (record.get(key) or "").split(CODE_SEPARATOR):
            entry = catalogue.get(code)
            if entry is not None:
                target.update(getattr(entry, "fields", ()))
    if bad or warned:
        bad.add("codes")
    return bad, warned - bad


def write_table_xlsx(path: str, frames: Iterable[pl.DataFrame], *, sheet: str = "Lista") -> None:
    """Write CSV-like frames to a one-sheet workbook, every value as text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.freeze_panes = "A2"
    first = True
    for frame in frames:
        if first:
            ws.append(_header(ws, frame.columns))
            first = False
        for values in neutralise_frame(frame).iter_rows():
            ws.append(list(values))
    wb.save(path)
