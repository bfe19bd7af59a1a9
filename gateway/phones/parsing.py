"""phonenumbers' own parsing patterns, checked to run unchanged in the Rust regex engine.

phonenumbers.parse finds the number inside the text, trims what follows it, cuts off a second
number, checks that what is left is a viable number, strips an extension and turns letters into
keypad digits when there are at least three of them. The patterns for those steps are taken
from the library (they are not public names, hence the defensive reading) so that the
vectorised path applies the very same expressions. The vectorised path uses them only for ASCII
text, where Python's and Rust's readings of ``\\d``, ``\\w`` and case-insensitive matching agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl
from phonenumbers import phonenumberutil
from polars.exceptions import ComputeError


@dataclass(frozen=True)
class ParsingPatterns:
    """The library's parsing patterns, written for polars (anchors and flags made explicit)."""

    start_char: str
    unwanted_end: str
    second_number: str
    viable_number: str
    extension: str
    leading_plus: str
    alpha_number: str
    letter_digits: dict[str, str]
    max_input_length: int
    min_viable_length: int


def _rust(pattern: re.Pattern[str], *, full: bool = False) -> str:
    """A compiled Python pattern rewritten for the Rust engine with the same flags."""
    text = f"^(?:{pattern.pattern})$" if full else pattern.pattern
    if pattern.flags & re.IGNORECASE:
        text = "(?i)" + text
    return text


def _compiles(regex: str) -> bool:
    try:
        pl.Series("probe", ["0"], dtype=pl.Utf8).str.contains(regex)
    except ComputeError:
        return False
    return True


def build_parsing_patterns() -> ParsingPatterns | None:
    """Read the parsing patterns from phonenumbers, or None if any is missing or unusable."""
    names = [
        "_VALID_START_CHAR_PATTERN",
        "_UNWANTED_END_CHAR_PATTERN",
        "_SECOND_NUMBER_START_PATTERN",
        "_VALID_PHONE_NUMBER_PATTERN",
        "_EXTN_PATTERN",
        "_PLUS_CHARS_PATTERN",
        "_VALID_ALPHA_PHONE_PATTERN",
        "_ALPHA_MAPPINGS",
        "_MAX_INPUT_STRING_LENGTH",
        "_MIN_LENGTH_FOR_NSN",
    ]
    found = {name: getattr(phonenumberutil, name, None) for name in names}
    if any(value is None for value in found.values()):
        return None
    letter_digits: dict[str, str] = {}
    for letter, digit in found["_ALPHA_MAPPINGS"].items():
        letter_digits[digit] = letter_digits.get(digit, "") + letter
    patterns = ParsingPatterns(
        start_char=_rust(found["_VALID_START_CHAR_PATTERN"]),
        unwanted_end=_rust(found["_UNWANTED_END_CHAR_PATTERN"]),
        second_number=_rust(found["_SECOND_NUMBER_START_PATTERN"]),
        # Viability is a full match; the extension pattern carries its own end anchor and is
        # searched, as the library does.
        viable_number=_rust(found["_VALID_PHONE_NUMBER_PATTERN"], full=True),
        extension=_rust(found["_EXTN_PATTERN"]),
        leading_plus="^(?:" + found["_PLUS_CHARS_PATTERN"].pattern + ")",
        alpha_number=_rust(found["_VALID_ALPHA_PHONE_PATTERN"], full=True),
        letter_digits=letter_digits,
        max_input_length=found["_MAX_INPUT_STRING_LENGTH"],
        min_viable_length=found["_MIN_LENGTH_FOR_NSN"],
    )
    regexes = [
        patterns.start_char,
        patterns.unwanted_end,
        patterns.second_number,
        patterns.viable_number,
        patterns.extension,
        patterns.leading_plus,
        patterns.alpha_number,
    ]
    if not all(_compiles(regex) for regex in regexes):
        return None
    return patterns
