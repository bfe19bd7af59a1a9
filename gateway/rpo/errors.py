"""Errors raised while importing RPO consultations and objection lists."""

from __future__ import annotations

from ..errors import ValidationFailed

MAX_LISTED_LINES = 100


class ImportRejected(ValidationFailed):
    """An imported list has unusable lines (or none); ``errors`` lists them by line number."""

    error = "IMPORT_INVALID"
    message = "The file cannot be imported."
    message_it = "Il file non può essere importato."


def rejected_lines(
    what: str, what_it: str, problems: list[dict[str, object]], count: int
) -> ImportRejected:
    """Build the error for ``count`` unusable lines, listing the first ones by number."""
    listed = problems[:MAX_LISTED_LINES]
    numbers = ", ".join(str(p["line"]) for p in listed)
    more = f" and {count - len(listed)} more" if count > len(listed) else ""
    more_it = f" e altre {count - len(listed)}" if count > len(listed) else ""
    return ImportRejected(
        f"{what}: {count} line(s) cannot be used (lines {numbers}{more}). Nothing was imported.",
        message_it=f"{what_it}: {count} riga/righe non utilizzabili (righe {numbers}{more_it}). "
        "Non è stato importato nulla.",
        errors={"count": count, "lines": listed},
    )
