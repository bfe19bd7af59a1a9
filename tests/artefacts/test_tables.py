"""Report CSV written chunk by chunk while a batch is judged."""

from __future__ import annotations

import io

import polars as pl

from gateway.artefacts import ReportCsvWriter, write_report_csv


def _report_frame(start: int, rows: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_row": list(range(start, start + rows)),
            "status": ["rejected"] * rows,
            "codes": [["PHONE_INVALID", "EMAIL_INVALID"]] * rows,
            "warnings": [["CONSENT_PRE_GDPR"] if i % 2 else [] for i in range(rows)],
            "phone": ["=1+1" if i == 0 else f"34712345{i:02d}" for i in range(rows)],
            "email": ["bad@"] * rows,
        },
        schema_overrides={"codes": pl.List(pl.Utf8), "warnings": pl.List(pl.Utf8)},
    )


def test_chunks_written_one_by_one_make_the_whole_report():
    frames = [_report_frame(2, 3), _report_frame(5, 0), _report_frame(9, 4)]
    whole = io.BytesIO()
    assert write_report_csv(whole, [pl.concat(frames)]) == 7
    chunked = io.BytesIO()
    writer = ReportCsvWriter(chunked)
    for frame in frames:
        writer.write(frame)
    assert writer.finish() == 7
    assert chunked.getvalue() == whole.getvalue()
    lines = chunked.getvalue().decode().splitlines()
    assert lines[0] == "row,status,codes,warnings,phone,email"
    assert lines[1] == '2,rejected,PHONE_INVALID|EMAIL_INVALID,"",\'=1+1,bad@'
    assert len(lines) == 8


def test_a_report_without_rows_has_its_header():
    out = io.BytesIO()
    writer = ReportCsvWriter(out)
    writer.write(_report_frame(2, 0))
    assert writer.finish() == 0
    assert out.getvalue() == b"row,status,codes,warnings\n"
