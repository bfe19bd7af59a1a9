"""The streaming XLSX reader gives exactly the chunks the calamine path gives.

Every comparison reads the same file twice, through ``open_xlsx`` (the streaming reader, with
calamine as its fallback) and through ``CalamineTable`` (the calamine path), and compares the
header, the chunks (values, ``_row``, ``_malformed``) and file-level refusals.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from gateway.bench.data import write_batch
from gateway.bench.xlsx import SheetWriter
from gateway.ingest import FileRejected, open_table
from gateway.ingest.ooxml import format_kind, open_xlsx
from gateway.ingest.sheet_reader import CalamineTable

REQUIRED = ["telefono", "fonte", "data_consenso", "informativa", "consenso_terzi"]
CHUNK_SIZES = (1, 3, 1000)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


# ---------------------------------------------------------------------------------------------
# Reading both ways.


class Fallbacks:
    """A fallback factory for ``open_xlsx`` that records the rows calamine was asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.resumed_at: list[int] = []

    def __call__(self) -> CalamineTable:
        table = CalamineTable(str(self.path), "xlsx", None)
        frames_from = table.frames_from

        def recorded(rows: int, row: int):
            self.resumed_at.append(row)
            return frames_from(rows, row)

        table.frames_from = recorded  # type: ignore[method-assign]
        return table


def outcome(open_reader, rows: int):
    """What a reader yields: (columns, source columns, chunks), or the refusal."""
    try:
        table = open_reader()
    except FileRejected as exc:
        return ("rejected", exc.error, exc.message)
    if table is None:
        return None
    with table:
        return (table.columns, table.source_columns, list(table.iter_chunks(rows)))


def assert_same(fast, slow) -> None:
    assert fast is not None, "the streaming reader declined the workbook"
    if fast[0] == "rejected" or slow[0] == "rejected":
        assert fast == slow
        return
    assert fast[:2] == slow[:2]
    assert [chunk.height for chunk in fast[2]] == [chunk.height for chunk in slow[2]]
    for mine, theirs in zip(fast[2], slow[2], strict=True):
        assert mine.schema == theirs.schema
        assert mine.equals(theirs), (mine.to_dicts()[:5], theirs.to_dicts()[:5])


def compare(path: Path, sizes=CHUNK_SIZES) -> Fallbacks:
    """Read ``path`` both ways at each chunk size; return the last run's fallback record."""
    for rows in sizes:
        fallbacks = Fallbacks(path)
        fast = outcome(lambda fallbacks=fallbacks: open_xlsx(str(path), None, fallbacks), rows)
        slow = outcome(lambda: CalamineTable(str(path), "xlsx", None), rows)
        assert_same(fast, slow)
    return fallbacks


def stream_only(path: Path) -> None:
    """Compare, and check that the streaming reader read the whole sheet itself."""
    fallbacks = compare(path)
    assert fallbacks.resumed_at == []


# ---------------------------------------------------------------------------------------------
# Writing workbooks.


def raw_workbook(
    path: Path,
    rows_xml: str,
    *,
    shared: str | None = None,
    styles: str | None = None,
    workbook_pr: str = "",
    sheet_prefix: str = "",
) -> Path:
    """An XLSX whose worksheet is ``rows_xml`` inside ``<sheetData>``, part by part."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{workbook_pr}<sheets>'
            '<sheet name="Lista" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet"'
            ' Target="worksheets/lista.xml"/></Relationships>',
        )
        if styles is not None:
            archive.writestr("xl/styles.xml", styles)
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{shared}</sst>')
        archive.writestr(
            "xl/worksheets/lista.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{sheet_prefix}'
            f"<sheetData>{rows_xml}</sheetData></worksheet>",
        )
    return path


def style_sheet(formats: list[str]) -> str:
    """Styles whose cell style i+1 has the number format ``formats[i]`` (a built-in id or a
    custom code); style 0 is General."""
    custom = []
    ids = []
    for number, code in enumerate(formats):
        if code.isdigit():
            ids.append(code)
        else:
            custom.append(f'<numFmt numFmtId="{200 + number}" formatCode="{escape(code)}"/>')
            ids.append(str(200 + number))
    cells = "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0"/>' for i in ids)
    return (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="{len(custom)}">{"".join(custom)}</numFmts>'
        f'<cellXfs count="{len(ids) + 1}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f"{cells}</cellXfs></styleSheet>"
    )


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def header_row(names: list[str], row: int = 1) -> str:
    cells = "".join(
        f'<c r="{column(i)}{row}" t="inlineStr"><is><t>{escape(name)}</t></is></c>'
        for i, name in enumerate(names)
    )
    return f'<row r="{row}">{cells}</row>'


def column(index: int) -> str:
    return get_column_letter(index + 1)


_INLINE_CELL = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)


def to_shared_strings(source: Path, target: Path, extra_items: list[str] = ()) -> Path:
    """Rewrite an openpyxl workbook (inline strings) with a shared string table instead.

    ``extra_items`` are raw ``<si>`` bodies put first in the table, unused by the cells.
    """
    bodies = list(extra_items)
    index_of: dict[str, int] = {}

    def shared(match: re.Match[str]) -> str:
        before, after, body = match.groups()
        if body not in index_of:
            index_of[body] = len(bodies)
            bodies.append(body)
        return f'<c {before}t="s"{after}><v>{index_of[body]}</v></c>'

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = old.read(name)
            if name.startswith("xl/worksheets/sheet"):
                data = _INLINE_CELL.sub(shared, data.decode()).encode()
            new.writestr(name, data)
        table = "".join(f"<si>{body}</si>" for body in bodies)
        new.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{table}</sst>')
    return target


# ---------------------------------------------------------------------------------------------
# Hypothesis: cells of every kind, written by openpyxl.

TEXT_ALPHABET = st.sampled_from(
    [*list("aZà é_x0D1;-&<>\"'\n\t\r\xa0\u3000ç"), "😀", "_x000D_", "_x0041_", "&amp;", "Niccolò"]
)
texts = st.lists(TEXT_ALPHABET, max_size=6).map("".join).filter(lambda t: not t.startswith("="))
DATE_FORMATS = [
    "yyyy-mm-dd",
    "dd/mm/yyyy hh:mm",
    "h:mm:ss",
    "mm:ss",
    "yyyy-mm-dd h:mm:ss",
    "[$-410]d mmmm yyyy;@",
    "dd/mm/yy",
    "m/d/yy h:mm",
    '"Data: "dd/mm/yyyy',
    "General",
    "0.00",
    "#,##0",
    "@",
]
datetimes = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2199, 12, 31))


@st.composite
def cell_values(draw):
    kind = draw(st.sampled_from(["empty", "text", "int", "float", "special", "date", "bool", "ws"]))
    if kind == "empty":
        return None, None
    if kind == "text":
        return draw(texts), None
    if kind == "int":
        return draw(
            st.integers(-(10**15), 10**15) | st.integers(3_000_000_000, 3_999_999_999)
        ), None
    if kind == "float":
        value = draw(
            st.floats(allow_nan=False, allow_infinity=False, min_value=-1e20, max_value=1e20)
        )
        return value, draw(st.sampled_from([None, "0.00", "#,##0"]))
    if kind == "special":
        return draw(
            st.sampled_from([2**53 + 1, 10**20, -0.0, 0.1, 1e-7, 5e-5, 1e16, 123.456])
        ), None
    if kind == "date":
        moment = draw(datetimes)
        value = draw(st.sampled_from([moment, moment.date(), moment.time()]))
        return value, draw(st.sampled_from(DATE_FORMATS))
    if kind == "bool":
        return draw(st.booleans()), None
    return draw(st.sampled_from(["  ", "\t", "\u00a0", " x ", "\n"])), None


@st.composite
def sheets(draw):
    extras = draw(
        st.lists(st.sampled_from(["note", " Extra ", "id", "x_x0041_", "Nòte"]), unique=True)
    )
    header = REQUIRED + extras
    width = len(header) + draw(st.integers(0, 2))  # cells beyond the header count too
    rows = draw(st.lists(st.lists(cell_values(), min_size=width, max_size=width), max_size=25))
    return {
        "top": draw(st.integers(1, 4)),
        "left": draw(st.integers(1, 3)),
        "header": header,
        "rows": rows,
        "date1904": draw(st.booleans()),
        "hidden_first": draw(st.booleans()),
        "blank_above": draw(st.booleans()),
    }


def openpyxl_workbook(spec, path: Path) -> Path:
    workbook = openpyxl.Workbook()
    if spec["date1904"]:
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    if spec["hidden_first"]:
        sheet.title = "istruzioni"
        sheet.append(["leggimi"])
        sheet.sheet_state = "hidden"
        sheet = workbook.create_sheet("lista")
    top, left = spec["top"], spec["left"]
    if spec["blank_above"] and top > 1:
        sheet.cell(row=top - 1, column=left, value="   ")
    for offset, name in enumerate(spec["header"]):
        sheet.cell(row=top, column=left + offset, value=name)
    for number, cells in enumerate(spec["rows"], start=top + 1):
        for offset, (value, number_format) in enumerate(cells):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=left + offset, value=value)
            if number_format:
                cell.number_format = number_format
    workbook.save(path)
    return path


def dates_before_epoch(spec) -> bool:
    """Dates before the workbook's epoch are stored as negative serials, left to calamine."""
    if not spec["date1904"]:
        return False
    for cells in spec["rows"]:
        for value, _ in cells:
            day = value.date() if isinstance(value, dt.datetime) else value
            if isinstance(day, dt.date) and day < dt.date(1904, 1, 1):
                return True
    return False


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(spec=sheets())
def test_openpyxl_workbooks_read_the_same(tmp_path, spec):
    path = openpyxl_workbook(spec, tmp_path / "lista.xlsx")
    fallbacks = compare(path)
    if not dates_before_epoch(spec):
        assert fallbacks.resumed_at == []


@SETTINGS
@given(spec=sheets())
def test_shared_string_workbooks_read_the_same(tmp_path, spec):
    source = openpyxl_workbook(spec, tmp_path / "inline.xlsx")
    rich = [
        '<r><t>ricco</t></r><r><rPr><b/></rPr><t xml:space="preserve"> testo </t></r>',
        '<t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="0"/>',
        "<t/>",
    ]
    path = to_shared_strings(source, tmp_path / "shared.xlsx", rich)
    fallbacks = compare(path)
    if not dates_before_epoch(spec):
        assert fallbacks.resumed_at == []


@st.composite
def bench_frames(draw):
    height = draw(st.integers(1, 30))
    column = st.lists(texts | st.none(), min_size=height, max_size=height)
    phones = st.lists(
        st.integers(3_000_000_000, 3_999_999_999).map(str) | texts, min_size=height, max_size=height
    )
    stamps = st.lists(st.integers(0, 4_000_000_000), min_size=height, max_size=height)
    exact = st.lists(st.booleans(), min_size=height, max_size=height)
    return pl.DataFrame(
        {
            "telefono": draw(phones),
            "fonte": draw(column),
            "data_consenso": draw(column),
            "informativa": draw(column),
            "consenso_terzi": draw(column),
            "note": draw(column),
            "_consent": draw(stamps),
            "_consent_exact": draw(exact),
        },
        schema_overrides={name: pl.String for name in [*REQUIRED[1:], "note"]},
    )


@SETTINGS
@given(frame=bench_frames())
def test_bench_writer_workbooks_read_the_same(tmp_path, frame):
    path = tmp_path / "bench.xlsx"
    with SheetWriter(path, [*REQUIRED, "note"]) as writer:
        writer.write(frame)
    stream_only(path)


def test_the_benchmark_batch_reads_the_same(tmp_path):
    batch = write_batch(tmp_path, 3000, kind="xlsx")
    fallbacks = Fallbacks(batch.files["batch"])
    for rows in (7, 1000, 65536):
        fast = outcome(lambda: open_xlsx(str(batch.files["batch"]), None, fallbacks), rows)
        slow = outcome(lambda: CalamineTable(str(batch.files["batch"]), "xlsx", None), rows)
        assert_same(fast, slow)
    assert fallbacks.resumed_at == []


# ---------------------------------------------------------------------------------------------
# Dates, times and number formats.

SERIALS = [
    "0",
    "0.25",
    "0.5",
    "0.999988",
    "0.99999999",
    "1",
    "1.5",
    "59",
    "59.999",
    "60",
    "60.5",
    "61",
    "25569",
    "25569.645833333333",
    "44484.7916666667",
    "45352.4166666666",
    "45352.999994",
    "45352.9999942",
    "2958464.5",
    "45000",
    "1e3",
    "4.5E4",
]


@pytest.mark.parametrize("date1904", [False, True])
def test_date_cells_read_the_same_in_both_date_systems(tmp_path, date1904):
    formats = [
        "14",
        "22",
        "21",
        "45",
        "47",
        "yyyy-mm-dd",
        "dd/mm/yyyy\\ hh:mm",
        "[$-410]d mmmm yyyy;@",
    ]
    formats += ["h:mm AM/PM", "B1yy", '"Y"yyyy', "0.00", "#,##0*y", "@", "General"]
    rows = [header_row([*REQUIRED, *[f"f{i}" for i in range(len(formats))]])]
    for number, serial in enumerate(SERIALS, start=2):
        cells = "".join(
            f'<c r="{column(5 + i)}{number}" s="{i + 1}"><v>{serial}</v></c>'
            for i in range(len(formats))
        )
        rows.append(f'<row r="{number}"><c r="A{number}"><v>{serial}</v></c>{cells}</row>')
    path = raw_workbook(
        tmp_path / "date.xlsx",
        "".join(rows),
        styles=style_sheet(formats),
        workbook_pr='<workbookPr date1904="1"/>' if date1904 else "",
    )
    fallbacks = compare(path)
    # Serials at 9999-12-31 and beyond are numbers to calamine; in the 1904 system the last
    # serial is past that day, and calamine reads on from its row.
    assert fallbacks.resumed_at == ([SERIALS.index("2958464.5") + 2] if date1904 else [])
    frame = pl.concat(outcome(lambda: open_xlsx(str(path), None, Fallbacks(path)), 100)[2])
    # Serial 45352.4166666666 in the 1900 system: 1 March 2024, 10:00.
    if not date1904:
        assert "2024-03-01T10:00:00" in frame["f1"].to_list()
        # The 1900 leap-year quirk: 59 and 60 are both 28 February 1900.
        shown = dict(zip(SERIALS, frame["f0"].to_list(), strict=True))
        assert shown["59"] == shown["60"] == "1900-02-28T00:00:00"
        assert shown["61"] == "1900-03-01T00:00:00"


@pytest.mark.parametrize("number_format", ["46", "[h]:mm:ss", "[mm]:ss"])
def test_durations_are_left_to_calamine(tmp_path, number_format):
    rows = header_row(REQUIRED) + '<row r="2"><c r="A2"><v>3471234567</v></c></row>'
    rows += '<row r="3"><c r="A3">' + '<v>1</v></c><c r="B3" s="1"><v>1.25</v></c></row>'
    path = raw_workbook(tmp_path / "duration.xlsx", rows, styles=style_sheet([number_format]))
    fallbacks = compare(path)
    assert fallbacks.resumed_at == [3]


format_codes = st.lists(
    st.sampled_from(
        [*list('dmyhsDMYHSaApP/[]"\\_*;0#.,@ :-E+'), "[h]", "[$-410]", "AM/PM", "[Red]"]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=25, deadline=None)
@given(codes=st.lists(format_codes, min_size=1, max_size=30, unique=True))
def test_custom_formats_are_dates_exactly_when_calamine_says(codes):
    # One cell per code in one workbook; calamine's type for the cell tells its verdict.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "formats.xlsx"
        codes = [code for code in codes if code]
        if not codes:
            return
        cells = "".join(
            f'<c r="{column(i)}1" s="{i + 1}"><v>45000.25</v></c>' for i in range(len(codes))
        )
        raw_workbook(path, f'<row r="1">{cells}</row>', styles=style_sheet(codes))
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        values = next(workbook.get_sheet_by_index(0).iter_rows())
        workbook.close()
    verdicts = {float: 0, dt.datetime: 1, dt.timedelta: 2}
    assert [format_kind(code) for code in codes] == [verdicts[type(v)] for v in values]


# ---------------------------------------------------------------------------------------------
# Text: entities, escapes, white space, shared strings.


def test_text_escapes_and_white_space_read_the_same(tmp_path):
    values = [
        "a&amp;b&lt;c&gt;d&quot;e&apos;f",
        "&#233;&#xE9;&#x1F600; &#13;&#10;x",
        "riga\r\nnuova\rancora",
        "_x000D__x0041__x00e9_ _x0100_ _x005F_x0041_ __x0041__",
        "  spazi  ",
        "\u00a0no-break\u00a0",
        "&#32;entity space&#9;",
        "]]&gt;",
    ]
    texts = [f"<is><t>{v}</t></is>" for v in values]
    texts += [f'<is><t xml:space="preserve">{v}</t></is>' for v in values]
    rows = [header_row([*REQUIRED, "note", "altro"])]
    for number, body in enumerate(texts, start=2):
        rows.append(
            f'<row r="{number}"><c r="A{number}"><v>{number}</v></c>'
            f'<c r="F{number}" t="inlineStr">{body}</c>'
            f'<c r="G{number}" t="str"><v>{values[(number - 2) % len(values)]}</v></c></row>'
        )
    stream_only(raw_workbook(tmp_path / "text.xlsx", "".join(rows)))


def test_shared_strings_with_runs_escapes_and_white_space_read_the_same(tmp_path):
    items = [
        "<t>semplice</t>",
        '<t xml:space="preserve">  conservato  </t>',
        "<t>  tagliato  </t>",
        '<r><t>ricco</t></r><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve"> due</t></r>',
        '<t>base</t><rPh sb="0" eb="1"><t>fonetica</t></rPh><phoneticPr fontId="1"/>',
        "<t>a_x000D_b &amp; c&#10;</t>",
        "<t/>",
        "<t>   </t>",
        "<r><t>_x00</t></r><r><t>41_</t></r>",
        "<t>telefono</t>",
    ]
    # The header's first cell is a shared string too (item 9).
    rows = [
        '<row r="1"><c r="A1" t="s"><v>9</v></c>'
        + "".join(
            f'<c r="{column(i + 1)}1" t="inlineStr"><is><t>{name}</t></is></c>'
            for i, name in enumerate(REQUIRED[1:])
        )
        + '<c r="F1" t="inlineStr"><is><t>note</t></is></c></row>'
    ]
    for number in range(2, 11):
        rows.append(
            f'<row r="{number}"><c r="A{number}"><v>{number}</v></c>'
            f'<c r="F{number}" t="s"><v>{number - 2}</v></c></row>'
        )
    path = raw_workbook(
        tmp_path / "shared.xlsx", "".join(rows), shared="".join(f"<si>{i}</si>" for i in items)
    )
    stream_only(path)


def test_formula_cells_read_the_same(tmp_path):
    rows = header_row([*REQUIRED, "calcolo"]) + (
        '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2" t="str"><f>"a"&amp;"b"</f>'
        '<v>ab</v></c><c r="C2"><f t="shared" ref="C2:C3" si="0">A2*2</f><v>4</v></c>'
        '<c r="D2" t="str"><f>""</f><v></v></c><c r="F2"><f>NOW()</f></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c><c r="C3"><f t="shared" si="0"/><v>6</v></c>'
        '<c r="F3" t="b"><f>TRUE()</f><v>1</v></c></row>'
    )
    stream_only(raw_workbook(tmp_path / "formula.xlsx", rows))


# ---------------------------------------------------------------------------------------------
# Rows, header, shapes of XML the reader must accept.


def test_header_search_blank_rows_and_cells_beyond_the_header(tmp_path):
    rows = [
        '<row r="2"><c r="B2" t="inlineStr"><is><t xml:space="preserve">   </t></is></c></row>',
        '<row r="3" spans="2:8"/>',
        header_row(["", *REQUIRED, ""], 4),
        '<row r="5"><c r="B5"><v>1</v></c><c r="C5" t="inlineStr"><is><t> a </t></is></c></row>',
        '<row r="6"><c r="C6" t="inlineStr"><is><t>\u00a0</t></is></c></row>',
        # Only a cell under no header: still a data row, with its fields empty.
        '<row r="8"><c r="J8" t="inlineStr"><is><t>fuori</t></is></c></row>',
        '<row r="9"></row>',
        '<row r="1500"><c r="B1500"><v>5</v></c></row>',
        '<row r="1501"><c r="AA1501"><v>6</v></c><c r="AB1501" t="b"><v>0</v></c></row>',
    ]
    path = raw_workbook(tmp_path / "rows.xlsx", "".join(rows))
    # (Chunks of one row would make the calamine side slow here: 1,500 sheet rows.)
    assert compare(path, sizes=(3, 1000)).resumed_at == []
    frame = pl.concat(outcome(lambda: open_xlsx(str(path), None, Fallbacks(path)), 10)[2])
    assert frame["_row"].to_list() == [5, 8, 1500, 1501]


@pytest.mark.parametrize(
    "rows",
    [
        header_row(REQUIRED),
        header_row(REQUIRED) + '<row r="2"><c r="A2" t="inlineStr"><is><t> </t></is></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t>  </t></is></c></row>',
        "",
        header_row(["telefono", "telefono", *REQUIRED[1:]])
        + '<row r="2"><c r="A2"><v>1</v></c></row>',
        header_row(["telefono", "nome"]) + '<row r="2"><c r="A2"><v>1</v></c></row>',
    ],
    ids=["header-only", "blank-data", "blank-sheet", "no-rows", "duplicate", "missing"],
)
def test_file_level_refusals_are_the_same(tmp_path, rows):
    compare(raw_workbook(tmp_path / "refused.xlsx", rows), sizes=(5,))


def test_spaced_self_closing_cells_and_styles_without_number_formats(tmp_path):
    styles = (
        f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf fontId="0"/>'
        '<xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    rows = header_row(REQUIRED) + (
        '<row r="2"><c r="A2" s="0" t="n"><v>1</v></c><c r="B2" t="inlineStr" />'
        '<c r="C2" s="1" ><v>45000</v></c><c r="D2" s="7"><v>45000</v></c><c r="E2" s="1"/></row>'
    )
    stream_only(raw_workbook(tmp_path / "spaced.xlsx", rows, styles=styles))


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Blocks of about a kilobyte, so that a small sheet crosses many block boundaries."""
    from gateway.ingest import ooxml

    monkeypatch.setattr(ooxml, "_BLOCK_BYTES", 1024)
    monkeypatch.setattr(ooxml, "_FIRST_BLOCK_BYTES", 700)
    monkeypatch.setattr(ooxml, "_PIECE_BYTES", 333)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=sheets())
def test_block_boundaries_change_nothing(tmp_path, tiny_blocks, spec):
    source = openpyxl_workbook(spec, tmp_path / "inline.xlsx")
    compare(source, sizes=(2, 1000))
    compare(to_shared_strings(source, tmp_path / "shared.xlsx"), sizes=(2, 1000))


def test_a_row_in_two_row_elements_is_read_once(tmp_path, tiny_blocks):
    rows = [header_row(REQUIRED)]
    for number in range(2, 120):
        rows.append(f'<row r="{number}"><c r="A{number}"><v>{number}</v></c></row>')
        rows.append(
            f'<row r="{number}"><c r="C{number}" t="inlineStr"><is><t>r{number}</t></is></c></row>'
        )
    path = raw_workbook(tmp_path / "split.xlsx", "".join(rows))
    compare(path, sizes=(1, 10, 1000))
    frame = pl.concat(outcome(lambda: open_xlsx(str(path), None, Fallbacks(path)), 10)[2])
    assert frame["_row"].to_list() == list(range(2, 120))


def test_parts_as_excel_writes_them(tmp_path):
    path = raw_workbook(
        tmp_path / "excel.xlsx",
        header_row(REQUIRED)
        + '<row r="2" spans="1:5" x14ac:dyDescent="0.25"><c r="A2" s="1"><v>1200</v></c>'
        '<c r="B2" s="2"><v>45352.5</v></c><c r="C2" s="3"><v>0.75</v></c></row>',
        sheet_prefix='<dimension ref="A1:E2"/><sheetViews><sheetView workbookViewId="0"/>'
        '</sheetViews><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>',
        styles=(
            f'<styleSheet xmlns="{MAIN}" xmlns:mc="m" mc:Ignorable="x14ac x16r2" '
            'xmlns:x14ac="a"><numFmts count="2">'
            '<numFmt numFmtId="164" formatCode="[>=1000]#,##0;0"/>'
            '<numFmt numFmtId="165" formatCode="dd/mm/yyyy\\ hh:mm"/></numFmts>'
            '<fonts count="1" x14ac:knownFonts="1"><font><sz val="11"/></font></fonts>'
            '<cellStyleXfs count="1"><xf numFmtId="14" fontId="0"/></cellStyleXfs>'
            '<cellXfs count="4"><xf numFmtId="0" fontId="0" xfId="0"/>'
            '<xf numFmtId="164" fontId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="165" fontId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="20" fontId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<dxfs count="1"><dxf><numFmt numFmtId="166" formatCode="yyyy"/></dxf></dxfs>'
            '<extLst><ext uri="{EB79DEF2}" xmlns:x15="b"><x15:timelineStyles '
            'defaultTimelineStyle="TimeSlicerStyleLight1"/></ext></extLst></styleSheet>'
        ),
        workbook_pr=(
            '<fileVersion appName="xl" lastEdited="7"/><workbookPr defaultThemeVersion="166925"/>'
            '<mc:AlternateContent xmlns:mc="m"><mc:Choice Requires="x15"><x15ac:absPath '
            'url="C:\\\\Liste\\\\" xmlns:x15ac="c"/></mc:Choice></mc:AlternateContent>'
            '<xr:revisionPtr revIDLastSave="0" documentId="8_{1}" xr6:coauthVersionLast="47"/>'
            '<bookViews><workbookView xWindow="-120" yWindow="-120"/></bookViews>'
        ),
    )
    stream_only(path)
    frame = pl.concat(outcome(lambda: open_xlsx(str(path), None, Fallbacks(path)), 10)[2])
    assert frame.row(0)[:3] == ("1200", "2024-03-01T12:00:00", "18:00:00")


def test_values_holding_the_splitters_bytes_read_the_same(tmp_path):
    rows = header_row(REQUIRED) + (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>\ufeffbom</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>a\x01b</t></is></c><c r="C2" t="str"><v>c\r</v></c>'
        '<c r="D2" t="inlineStr"><is><t xml:space="preserve">d\r\n\re</t></is></c></row>'
    )
    stream_only(raw_workbook(tmp_path / "bytes.xlsx", rows))


# ---------------------------------------------------------------------------------------------
# What the reader leaves to calamine.


ODD_CELLS = {
    "error": '<c r="B{n}" t="e"><v>#N/A</v></c>',
    "iso-date": '<c r="B{n}" t="d"><v>2024-01-01T10:00:00</v></c>',
    "rich-inline": '<c r="B{n}" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c>',
    "no-reference": '<c t="inlineStr"><is><t>senza</t></is></c>',
    "comment": '<!-- nota --><c r="B{n}"><v>1</v></c>',
    "boolean-word": '<c r="B{n}" t="b"><v>true</v></c>',
    "number-with-space": '<c r="B{n}"><v> 5</v></c>',
    "formula-after-value": '<c r="B{n}"><v>1</v><f>1</f></c>',
    "lowercase-reference": '<c r="b{n}"><v>1</v></c>',
    "other-attribute": '<c r="B{n}" cm="1"><v>1</v></c>',
    "negative-date": '<c r="B{n}" s="1"><v>-1</v></c>',
}


@pytest.mark.parametrize("odd", sorted(ODD_CELLS))
def test_an_odd_cell_mid_file_switches_to_calamine_without_losing_rows(tmp_path, odd):
    rows = [header_row(REQUIRED)]
    for number in range(2, 1502):
        cell = ODD_CELLS[odd].format(n=number) if number == 1000 else ""
        rows.append(
            f'<row r="{number}"><c r="A{number}"><v>{3470000000 + number}</v></c>'
            f'{cell}<c r="C{number}" t="inlineStr"><is><t>r{number}</t></is></c></row>'
        )
    path = raw_workbook(tmp_path / "odd.xlsx", "".join(rows), styles=style_sheet(["14"]))
    fallbacks = compare(path, sizes=(7, 250, 65536))
    # calamine reads on from the odd cell's row, or the row before it.
    assert fallbacks.resumed_at and fallbacks.resumed_at[0] in (999, 1000)
    frame = pl.concat(outcome(lambda: open_xlsx(str(path), None, Fallbacks(path)), 333)[2])
    assert frame["_row"].to_list() == list(range(2, 1502))


def rewrite_part(path: Path, name: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {entry: archive.read(entry) for entry in archive.namelist()}
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in parts.items():
            archive.writestr(entry, data)


def as_utf16(xml: bytes) -> bytes:
    return xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


DECLINED = {
    "namespace-prefix": lambda rows: rows.replace("<c ", "<x:c ").replace("</c>", "</x:c>"),
    "odd-before-data": lambda rows: (
        header_row(REQUIRED)
        + '<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2"><v>1</v></c></row>'
    ),
    "unknown-entity": lambda rows: (
        header_row(REQUIRED)
        + '<row r="2"><c r="A2" t="inlineStr"><is><t>a&nbsp;</t></is></c></row>'
    ),
    "utf-16": lambda rows: rows,
    "chart-sheet-first": lambda rows: rows,
}


@pytest.mark.parametrize("case", sorted(DECLINED))
def test_workbooks_the_reader_declines_go_to_calamine_whole(tmp_path, case):
    rows = DECLINED[case](header_row(REQUIRED) + '<row r="2"><c r="A2"><v>1</v></c></row>')
    path = raw_workbook(tmp_path / "declined.xlsx", rows)
    if case == "utf-16":
        rewrite_part(path, "xl/worksheets/lista.xml", as_utf16)
    if case == "chart-sheet-first":
        rewrite_part(
            path,
            "xl/_rels/workbook.xml.rels",
            lambda xml: xml.replace(b"worksheets/lista.xml", b"chartsheets/lista.xml"),
        )
    assert open_xlsx(str(path), None, Fallbacks(path)) is None
    # The public reader then gives calamine's answer, refusal included.
    public = outcome(lambda: open_table(str(path)), 5)
    slow = outcome(lambda: CalamineTable(str(path), "xlsx", None), 5)
    assert_same(public, slow)


# ---------------------------------------------------------------------------------------------
# Damaged files keep calamine's refusals.


@pytest.mark.parametrize("rows", [50, 20_000], ids=["damage-near-the-header", "damage-mid-file"])
def test_a_truncated_worksheet_is_refused_as_calamine_refuses_it(tmp_path, rows):
    body = header_row(REQUIRED) + "".join(
        f'<row r="{n}"><c r="A{n}"><v>{3470000000 + n}</v></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>web</t></is></c></row>'
        for n in range(2, rows + 2)
    )
    path = raw_workbook(tmp_path / "damaged.xlsx", body)
    rewrite_part(path, "xl/worksheets/lista.xml", lambda xml: xml[: len(xml) * 3 // 4])
    with pytest.raises(FileRejected) as calamine:
        CalamineTable(str(path), "xlsx", None)
    with pytest.raises(FileRejected) as public, open_table(str(path)) as table:
        for _chunk in table.iter_chunks(1000):
            pass
    assert public.value.error == calamine.value.error == "FILE_UNREADABLE"
    assert public.value.message == calamine.value.message


# ---------------------------------------------------------------------------------------------
# Memory stays flat.

MEMORY_PROBE = textwrap.dedent(
    """
    import json, sys
    import numpy, polars
    from gateway.ingest import open_table

    def high_water_kb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])

    before = high_water_kb()
    rows = 0
    with open_table(sys.argv[1]) as table:
        for chunk in table.iter_chunks(20000):
            rows += chunk.height
    print(json.dumps({"rows": rows, "growth": (high_water_kb() - before) * 1024}))
    """
)


def large_sheet(path: Path, height: int) -> int:
    """Write a sheet of ``height`` data rows; return the size of its XML."""
    with SheetWriter(path, REQUIRED) as writer:
        for start in range(0, height, 100_000):
            size = min(100_000, height - start)
            first = 3_400_000_000 + start
            writer.write(
                pl.DataFrame(
                    {
                        "telefono": pl.int_range(first, first + size, eager=True).cast(pl.String),
                        "fonte": pl.repeat("https://www.example.it/iscrizione", size, eager=True),
                        "data_consenso": pl.repeat("2024-03-05T10:11:12+01:00", size, eager=True),
                        "informativa": pl.repeat("v2", size, eager=True),
                        "consenso_terzi": pl.repeat("sì", size, eager=True),
                    }
                )
            )
    with zipfile.ZipFile(path) as archive:
        return archive.getinfo("xl/worksheets/sheet1.xml").file_size


def peak_growth(path: Path) -> dict:
    """Read ``path`` in a fresh process; its rows and how far its peak memory rose."""
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc")
def test_memory_stays_flat_whatever_the_sheet_size(tmp_path):
    small_size = large_sheet(tmp_path / "small.xlsx", 40_000)
    large_size = large_sheet(tmp_path / "large.xlsx", 300_000)
    small = peak_growth(tmp_path / "small.xlsx")
    large = peak_growth(tmp_path / "large.xlsx")
    assert (small["rows"], large["rows"]) == (40_000, 300_000)
    # 7.5 times the XML (about 95 MB against 13 MB) costs no more than a few megabytes more:
    # the reader holds a block or two of the sheet and one chunk, never the sheet.
    assert large_size > 7 * small_size
    assert large["growth"] - small["growth"] < 24 << 20, (small, large)
    # Holding the sheet's text alone would take more than its size.
    assert large["growth"] < large_size, (large, large_size)
