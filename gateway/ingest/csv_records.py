"""Reading CSV records with Python's csv module, under the reader's rules.

The csv module defines how the odd lines read (a quote inside an unquoted field is text, text
after a closing quote joins the field); the fast path agrees with it on every other input.
Lines are split at line feeds only: a carriage return not followed by a line feed is text,
kept through the csv module by a stand-in character.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

from .table import WHITESPACE

CR_STANDIN = "\ue000"
_LONE_CR = re.compile("\r(?!\n)")


def is_blank(record: list[str]) -> bool:
    """True when every field of a record is empty or white space."""
    return all(not cell.strip(WHITESPACE) for cell in record)


def split_lines(text: str, complete: bool) -> list[str]:
    """Split at line feeds, keeping them; without ``complete`` the unfinished tail is dropped."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if complete and parts[-1]:
        lines.append(parts[-1])
    return lines


def _standing_in(lines: list[str]) -> Iterator[str]:
    for line in lines:
        yield _LONE_CR.sub(CR_STANDIN, line) if "\r" in line else line


def record_reader(lines: list[str], delimiter: str) -> Any:
    """A csv reader over ``lines``; its ``line_num`` tells how many lines each record took.

    Fields may hold ``CR_STANDIN`` where the text had a lone carriage return.
    """
    return csv.reader(
        _standing_in(lines), delimiter=delimiter, quotechar='"', doublequote=True, strict=False
    )
