"""A minimal, fast XLSX writer for benchmark batches: the OOXML parts written directly.

Text cells are inline strings; bare mobile numbers are number cells (as spreadsheets keep
them); consent times whose text is an exact ISO wall time become native date-time cells. Rows
are turned into XML by polars expressions, a block at a time, so 200,000 rows take seconds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from types import TracebackType
from typing import IO

import polars as pl
from openpyxl.utils import get_column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""  # noqa: E501
_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG_REL}">
<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">
<sheets><sheet name="Contatti" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
_WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG_REL}">
<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>
</Relationships>"""
# Style 1 shows a date and time; cells with it are native date-time cells.
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_MAIN}">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""  # noqa: E501
_SHEET_START = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{_MAIN}"><sheetData>"""
_SHEET_END = "</sheetData></worksheet>"

# Days from the spreadsheet epoch (1899-12-30) to the Unix epoch.
_UNIX_EPOCH_SERIAL = 25569


def _escaped(value: pl.Expr) -> pl.Expr:
    return (
        value.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


class SheetWriter:
    """Writes one worksheet of text columns, block by block, into an XLSX file.

    ``write(frame)`` takes the header's columns as text; a ``_consent`` column (epoch seconds)
    with ``_consent_exact`` marks the ``data_consenso`` cells written as native date-times.
    """

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.header = header
        self.letters = [get_column_letter(i + 1) for i in range(len(header))]
        self.next_row = 1
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            self._zip.writestr(name, text)
        self._sheet: IO[bytes] = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._sheet.write(_SHEET_START.encode())
        cells = "".join(
            f'<c r="{letter}1" t="inlineStr"><is><t>{name}</t></is></c>'
            for letter, name in zip(self.letters, header, strict=True)
        )
        self._sheet.write(f'<row r="1">{cells}</row>'.encode())
        self.next_row = 2

    def write(self, frame: pl.DataFrame) -> None:
        """Append rows."""
        row = pl.int_range(self.next_row, self.next_row + frame.height).cast(pl.Utf8)
        cells = []
        for letter, name in zip(self.letters, self.header, strict=True):
            value = pl.col(name)
            ref = pl.lit(f'<c r="{letter}') + row
            text = pl.concat_str(
                [ref, pl.lit('" t="inlineStr"><is><t>'), _escaped(value), pl.lit("</t></is></c>")]
            )
            cell = pl.when(value.is_null() | (value == "")).then(pl.lit("")).otherwise(text)
            if name == "telefono":
                bare_mobile = value.str.contains(r"^3[0-9]{9}$")
                number = pl.concat_str([ref, pl.lit('"><v>'), value, pl.lit("</v></c>")])
                cell = pl.when(bare_mobile).then(number).otherwise(cell)
            if name == "data_consenso" and "_consent_exact" in frame.columns:
                wall = (
                    pl.from_epoch(pl.col("_consent"), time_unit="s")
                    .dt.replace_time_zone("UTC")
                    .dt.convert_time_zone("Europe/Rome")
                    .dt.replace_time_zone(None)
                    .dt.epoch("s")
                )
                serial = (wall / 86_400 + _UNIX_EPOCH_SERIAL).cast(pl.Utf8)
                date = pl.concat_str([ref, pl.lit('" s="1"><v>'), serial, pl.lit("</v></c>")])
                cell = pl.when(pl.col("_consent_exact")).then(date).otherwise(cell)
            cells.append(cell)
        xml = pl.concat_str([pl.lit('<row r="'), row, pl.lit('">'), *cells, pl.lit("</row>")])
        lines = frame.select(xml.alias("xml"))
        lines.write_csv(self._sheet, include_header=False, quote_style="never")
        self.next_row += frame.height

    def close(self) -> None:
        """Finish the worksheet and the file."""
        self._sheet.write(_SHEET_END.encode())
        self._sheet.close()
        self._zip.close()

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
