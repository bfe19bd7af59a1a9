"""Generators of phone-like values, realistic and adversarial, for the comparison tests."""

from __future__ import annotations

import random
import re

import phonenumbers
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata

DIGITS = "0123456789"
FULLWIDTH_DIGITS = "".join(chr(0xFF10 + i) for i in range(10))
ARABIC_INDIC_DIGITS = "".join(chr(0x0660 + i) for i in range(10))

PREFIXES = [
    "", "", "", "+39", "+39 ", "0039", "0039 ", "+", "00", "39", "+390", "+39 0", "++39",
    "+ 39 ", "(+39) ", "+41 ", "0041 ", "+44", "+1 ", "+3", "+0039", "+039", "000", "0", "＋39",
    "00 39 ", "+39 (0) ", "0039-",
]  # fmt: skip
SEPARATORS = [
    "", "", "", " ", " ", ".", "-", "/", "(", ")", "\u00a0", "\t", "  ", " - ", "*", "x", "~",
    "\u2013", "\u3000", "_", "\n",
]  # fmt: skip
LEADING = [
    "", "", "", " ", "Tel: ", "tel:", "cell. ", "(", ".", "#", "x", "*", "_", "n. ", "\t",
    "tel:+39", "Cell.", "\u00a0", "\n", "+", "-", "ab", "\x1c",
]  # fmt: skip
TRAILING = [
    "", "", "", " ", ".", ")", " (casa)", " ufficio", " ext. 12", " int. 3", " x12", "#12",
    " #", ";ext=12", ",,12", ",12", " - 503#", ";isub=1", "_", "\t", "*", "/x2303", " / 3471234567",
    " abc", "ab", "+", ";phone-context=+39", ";phone-context=example.com", "!", "\n", "#",
    "/x23034567890", "\\ x12 casa", " / xyz", "/x1", " x 12345678901", " ext 123456789012345678901",
]  # fmt: skip
TEXT_ALPHABET = (
    DIGITS * 4 + " +-./()#*x;,_:tTeElL" + "ab" + FULLWIDTH_DIGITS[:3] + "\u00a0\u2013\t\x1c"
)


def _metadata_pattern_strategies() -> list[st.SearchStrategy[str]]:
    """One generator per Italian/Vatican number descriptor, drawing numbers that match it."""
    strategies = []
    for region in phonenumbers.region_codes_for_country_code(39):
        metadata = PhoneMetadata.metadata_for_region(region)
        for desc in (
            metadata.general_desc,
            metadata.fixed_line,
            metadata.mobile,
            metadata.toll_free,
            metadata.premium_rate,
            metadata.shared_cost,
            metadata.personal_number,
            metadata.voip,
            metadata.voicemail,
        ):
            if desc is not None and desc.national_number_pattern:
                strategies.append(
                    st.from_regex(desc.national_number_pattern, fullmatch=True, alphabet=DIGITS)
                )
    return strategies


def _example_numbers() -> list[str]:
    """The metadata's example numbers of both regions sharing +39."""
    examples = []
    for region in phonenumbers.region_codes_for_country_code(39):
        metadata = PhoneMetadata.metadata_for_region(region)
        for name in dir(metadata):
            desc = getattr(metadata, name)
            example = getattr(desc, "example_number", None)
            if isinstance(example, str):
                examples.append(example)
    return sorted(set(examples))


EXAMPLE_NUMBERS = _example_numbers()


@st.composite
def _perturbed(draw: st.DrawFn, national: st.SearchStrategy[str]) -> str:
    """A national number with digits dropped, added or changed."""
    digits = list(draw(national))
    for _ in range(draw(st.integers(0, 2))):
        action = draw(st.sampled_from(["drop", "add", "change", "none"]))
        position = draw(st.integers(0, len(digits)))
        if action == "drop" and position < len(digits):
            del digits[position]
        elif action == "add":
            digits.insert(position, draw(st.sampled_from(DIGITS)))
        elif action == "change" and position < len(digits):
            digits[position] = draw(st.sampled_from(DIGITS))
    return "".join(digits)


@st.composite
def _formatted(draw: st.DrawFn, national: st.SearchStrategy[str]) -> str:
    """A digit string written the way people type it: prefix, separators, junk around."""
    digits = draw(national)
    pieces = []
    for digit in digits:
        if pieces and draw(st.integers(0, 3)) == 0:
            pieces.append(draw(st.sampled_from(SEPARATORS)))
        pieces.append(digit)
    body = "".join(pieces)
    if draw(st.integers(0, 9)) == 0:
        alphabet = draw(st.sampled_from([FULLWIDTH_DIGITS, ARABIC_INDIC_DIGITS]))
        body = body.translate(str.maketrans(DIGITS, alphabet))
    if draw(st.integers(0, 9)) == 0 and body:
        position = draw(st.integers(0, len(body)))
        letters = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzCALME", max_size=5))
        body = body[:position] + letters + body[position:]
    # Now and then pad the value to around the library's 250-character limit.
    padding = " " * draw(st.sampled_from([0, 0, 0, 0, 0, 0, 0, 0, 230, 236, 240, 245, 250]))
    return (
        padding
        + draw(st.sampled_from(LEADING))
        + draw(st.sampled_from(PREFIXES))
        + body
        + draw(st.sampled_from(TRAILING))
    )


ASCII_TOKENS = [
    "347", "1234567", "06", "0039", "+39", "39", "+", "00", "0", "5", "12", " ", "  ", "-", ".",
    "/", "\\", "(", ")", "#", "*", "~", ",", ",,", ";", ":", "\t", "\n", "_", "x", "X", "ext",
    "EXT.", "extn", "int", "anexo", ";ext=", "ext. ", " x", "abc", "CALL", "ME", "e", "t",
    "tel:", ";isub=", "/ x", "@", "!", "%", "ab", "Z",
]  # fmt: skip


def ascii_token_values() -> st.SearchStrategy[str]:
    """ASCII text assembled from the pieces the library's parsing steps react to.

    Most values carry a plausible number in the middle, so that what surrounds it decides.
    """
    tokens = st.lists(st.sampled_from(ASCII_TOKENS), max_size=6).map("".join)
    core = st.sampled_from(
        [
            "3471234567",
            "06 1234 5678",
            "+39 347 123 4567",
            "0039 0612345678",
            "347 123",
            "800123456",
            "3934712345",
            "+41446681800",
            "",
        ]
    )
    return st.one_of(
        st.tuples(tokens, core, tokens).map("".join),
        st.lists(st.sampled_from(ASCII_TOKENS), min_size=1, max_size=12).map("".join),
    )


def phone_values() -> st.SearchStrategy[str | None]:
    """Realistic and adversarial phone values."""
    nationals = st.one_of(
        st.text(alphabet=DIGITS, min_size=1, max_size=20),
        st.sampled_from(EXAMPLE_NUMBERS),
        st.one_of(*_metadata_pattern_strategies()),
    )
    return st.one_of(
        _formatted(nationals),
        _formatted(_perturbed(nationals)),
        st.text(alphabet=TEXT_ALPHABET, max_size=25),
        ascii_token_values(),
        st.text(max_size=12),
        st.sampled_from(["", " ", "\x1c", "\u2028", "\u200b", "\u00a0", None]),
    )


def random_phone_values(count: int, seed: int) -> list[str | None]:
    """A large seeded sample of phone-like values, most of them plausible, some broken."""
    rng = random.Random(seed)
    mobile_prefixes = [f"3{a}{b}" for a in DIGITS for b in DIGITS]
    values: list[str | None] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.4:
            national = rng.choice(mobile_prefixes) + _random_digits(rng, rng.choice([6, 7, 7, 8]))
        elif roll < 0.7:
            national = "0" + _random_digits(rng, rng.randint(4, 11))
        elif roll < 0.8:
            national = rng.choice(EXAMPLE_NUMBERS)
        else:
            national = _random_digits(rng, rng.randint(1, 20))
        if rng.random() < 0.2:
            national = _random_digits(rng, 1) + national[1:]
        values.append(_random_format(rng, national))
    return values


def _random_digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(DIGITS) for _ in range(count))


def _random_format(rng: random.Random, national: str) -> str | None:
    """Write a national number in one of many forms, mostly simple ones."""
    if rng.random() < 0.01:
        return rng.choice(["", "  ", None, "n/a", "-"])
    pieces = []
    separator = rng.choice(SEPARATORS[:10])
    for index, digit in enumerate(national):
        if index and rng.random() < 0.2:
            pieces.append(separator if rng.random() < 0.9 else rng.choice(SEPARATORS))
        pieces.append(digit)
    body = "".join(pieces)
    prefix = rng.choice(PREFIXES) if rng.random() < 0.5 else ""
    leading = rng.choice(LEADING) if rng.random() < 0.1 else ""
    trailing = rng.choice(TRAILING) if rng.random() < 0.1 else ""
    value = leading + prefix + body + trailing
    if rng.random() < 0.01:
        value = re.sub("[0-9]", lambda m: FULLWIDTH_DIGITS[int(m.group())], value)
    return value
