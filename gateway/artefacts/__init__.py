"""The files a batch produces: certified list, report (JSON, CSV, XLSX), all formula-safe."""

from .hashing import HashingWriter
from .safety import neutralise_frame, neutralise_value
from .tables import CertifiedListWriter, ReportCsvWriter, report_table, write_report_csv
from .xlsx import write_report_xlsx, write_table_xlsx

__all__ = [
    "CertifiedListWriter",
    "HashingWriter",
    "ReportCsvWriter",
    "neutralise_frame",
    "neutralise_value",
    "report_table",
    "write_report_csv",
    "write_report_xlsx",
    "write_table_xlsx",
]
