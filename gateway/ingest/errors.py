"""File-level rejections: the batch is refused before any row is judged.

Each code of domain.md's batch decision has one constructor here, so the English and Italian
wording a vendor reads lives in one place.
"""

from __future__ import annotations

from typing import Any

from gateway.errors import GatewayError

FILE_TYPE_UNSUPPORTED = "FILE_TYPE_UNSUPPORTED"
FILE_UNREADABLE = "FILE_UNREADABLE"
FILE_ENCODING_INVALID = "FILE_ENCODING_INVALID"
FILE_TOO_LARGE = "FILE_TOO_LARGE"
FILE_EMPTY = "FILE_EMPTY"
HEADER_MISSING_COLUMNS = "HEADER_MISSING_COLUMNS"
HEADER_DUPLICATE_COLUMN = "HEADER_DUPLICATE_COLUMN"

FILE_LEVEL_CODES = (
    FILE_TYPE_UNSUPPORTED,
    FILE_UNREADABLE,
    FILE_ENCODING_INVALID,
    FILE_TOO_LARGE,
    FILE_EMPTY,
    HEADER_MISSING_COLUMNS,
    HEADER_DUPLICATE_COLUMN,
)

_FORMATS_EN = "a CSV text file or a spreadsheet (XLSX, XLS or ODS)"
_FORMATS_IT = "un file di testo CSV o un foglio di calcolo (XLSX, XLS o ODS)"


class FileRejected(GatewayError):
    """The uploaded file cannot be read as a contact list; ``error`` names the reason."""

    status = 422
    error = FILE_UNREADABLE
    message = "The file cannot be read."
    message_it = "Il file non può essere letto."


def _reject(code: str, en: str, it: str, errors: dict[str, Any] | None = None) -> FileRejected:
    return FileRejected(en, message_it=it, error=code, errors=errors)


def type_unsupported(what_en: str | None = None, what_it: str | None = None) -> FileRejected:
    """The content is neither CSV text nor a spreadsheet, whatever its name says."""
    seen_en = f" It looks like {what_en}." if what_en else ""
    seen_it = f" Sembra {what_it}." if what_it else ""
    return _reject(
        FILE_TYPE_UNSUPPORTED,
        f"The file is not {_FORMATS_EN}.{seen_en} Export the list as CSV or XLSX and upload it "
        "again.",
        f"Il file non è {_FORMATS_IT}.{seen_it} Esporta la lista in CSV o XLSX e caricala di "
        "nuovo.",
        {"detected": what_en} if what_en else None,
    )


def unreadable(reason_en: str, reason_it: str, **details: Any) -> FileRejected:
    """A corrupt or encrypted spreadsheet (or a CSV whose structure cannot be followed)."""
    return _reject(
        FILE_UNREADABLE,
        f"The file cannot be read: {reason_en}.",
        f"Il file non può essere letto: {reason_it}.",
        {"reason": reason_en, **details},
    )


def encrypted() -> FileRejected:
    """A password-protected workbook: its content cannot be read without the password."""
    return unreadable(
        "the spreadsheet is protected by a password; save it again without a password",
        "il foglio di calcolo è protetto da password; salvalo di nuovo senza password",
    )


def encoding_invalid(reason_en: str, reason_it: str, **details: Any) -> FileRejected:
    """The text is in none of the accepted encodings."""
    return _reject(
        FILE_ENCODING_INVALID,
        f"The text encoding of the file is not supported: {reason_en}. Save the file as "
        "'CSV UTF-8' (Windows-1252 and UTF-16 with byte order mark are also accepted).",
        f"La codifica dei caratteri del file non è supportata: {reason_it}. Salva il file come "
        "'CSV UTF-8' (sono accettati anche Windows-1252 e UTF-16 con BOM).",
        {"reason": reason_en, **details},
    )


def too_large(size: int, limit: int) -> FileRejected:
    """The file is over the upload limit."""
    return _reject(
        FILE_TOO_LARGE,
        f"The file is {size} bytes, over the limit of {limit} bytes. Split the list into "
        "smaller batches.",
        f"Il file è di {size} byte e supera il limite di {limit} byte. Dividi la lista in "
        "lotti più piccoli.",
        {"size": size, "limit": limit},
    )


def empty(has_header: bool) -> FileRejected:
    """No data row: the file is empty, or holds a header (and blank lines) only."""
    if has_header:
        en = "The file has a header but no data rows below it."
        it = "Il file ha un'intestazione ma nessuna riga di dati."
    else:
        en = "The file is empty."
        it = "Il file è vuoto."
    return _reject(FILE_EMPTY, en, it)


def missing_columns(missing: list[str], aliases: dict[str, tuple[str, ...]]) -> FileRejected:
    """Required columns absent from the header; the message names each one."""

    def named(column: str) -> str:
        alias = aliases.get(column)
        return f"{column} ({alias[0]})" if alias else column

    listed = ", ".join(named(c) for c in missing)
    return _reject(
        HEADER_MISSING_COLUMNS,
        f"The header lacks required columns: {listed}.",
        f"Nell'intestazione mancano colonne obbligatorie: {listed}.",
        {"missing": list(missing)},
    )


def duplicate_column(column: str, headers: list[str]) -> FileRejected:
    """Two header cells name the same column."""
    quoted = " and ".join(f"'{h}'" for h in headers)
    quoted_it = " e ".join(f"'{h}'" for h in headers)
    return _reject(
        HEADER_DUPLICATE_COLUMN,
        f"The column '{column}' appears more than once in the header ({quoted}). Keep one.",
        f"La colonna '{column}' compare più volte nell'intestazione ({quoted_it}). Tienine una.",
        {"column": column, "headers": list(headers)},
    )


def reserved_column(header: str) -> FileRejected:
    """An extra header that clashes with a column the reader adds to every chunk."""
    return _reject(
        HEADER_DUPLICATE_COLUMN,
        f"The header '{header}' is reserved by the gateway. Rename that column.",
        f"L'intestazione '{header}' è riservata dal gateway. Rinomina quella colonna.",
        {"column": header, "headers": [header]},
    )
