"""The Italian numbering plan, read from libphonenumber's own metadata at import time.

Nothing here is a hand-written national rule: the type patterns, the possible lengths, the
regions sharing +39 and their leading digits all come from ``phonenumbers``. What this module
adds is the translation into anchored patterns for the Rust regex engine that polars uses, and
the checks that the library behaves the way the vectorised classifier assumes. When a check
fails (a future metadata release changes the shape of the Italian plan, or a pattern no longer
compiles in Rust), the plan is marked unusable and every value goes through the reference.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata, PhoneNumberDesc, PhoneNumberType
from polars.exceptions import ComputeError

DEFAULT_REGION = "IT"


@dataclass(frozen=True)
class DescriptorPattern:
    """One number descriptor: the lengths it allows and its whole-number pattern."""

    lengths: tuple[int, ...]
    regex: str


@dataclass(frozen=True)
class TypeRule:
    """A number type and the descriptors a national number must all match to have it."""

    type_name: str
    descriptors: tuple[DescriptorPattern, ...]


@dataclass(frozen=True)
class RegionPlan:
    """How numbers of one region sharing the calling code are recognised and typed."""

    region: str
    leading_digits: str | None
    general: DescriptorPattern
    rules: tuple[TypeRule, ...]


@dataclass(frozen=True)
class NumberingPlan:
    """Everything the vectorised classifier needs about the default region's calling code."""

    country_code: int
    international_prefix: str
    max_input_length: int
    general: DescriptorPattern
    max_general_length: int
    local_only_lengths: tuple[int, ...]
    regions: tuple[RegionPlan, ...]


def type_name(number_type: int) -> str:
    """Return the lowercase PhoneNumberType name used in the classifier's output."""
    return PhoneNumberType.to_string(number_type).lower()


def _descriptor(desc: PhoneNumberDesc | None) -> DescriptorPattern | None:
    """Translate a PhoneNumberDesc into an anchored pattern, or None when it matches nothing."""
    if desc is None or not desc.national_number_pattern:
        return None
    # The library matches with re.fullmatch; anchoring a group gives the same answer in Rust.
    return DescriptorPattern(
        lengths=tuple(desc.possible_length),
        regex=f"^(?:{desc.national_number_pattern})$",
    )


def _type_rules(metadata: PhoneMetadata) -> tuple[TypeRule, ...]:
    """Encode the library's number-type decision order as first-match rules.

    The order mirrors phonenumbers' type helper: the special-rate and service types first,
    then fixed line (which becomes fixed_line_or_mobile when the mobile pattern also matches or
    both patterns are the same), then mobile.
    """
    ordered = [
        (PhoneNumberType.PREMIUM_RATE, metadata.premium_rate),
        (PhoneNumberType.TOLL_FREE, metadata.toll_free),
        (PhoneNumberType.SHARED_COST, metadata.shared_cost),
        (PhoneNumberType.VOIP, metadata.voip),
        (PhoneNumberType.PERSONAL_NUMBER, metadata.personal_number),
        (PhoneNumberType.PAGER, metadata.pager),
        (PhoneNumberType.UAN, metadata.uan),
        (PhoneNumberType.VOICEMAIL, metadata.voicemail),
    ]
    rules: list[TypeRule] = []
    for number_type, desc in ordered:
        pattern = _descriptor(desc)
        if pattern is not None:
            rules.append(TypeRule(type_name(number_type), (pattern,)))
    fixed = _descriptor(metadata.fixed_line)
    mobile = _descriptor(metadata.mobile)
    either = type_name(PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if fixed is not None:
        if metadata.same_mobile_and_fixed_line_pattern:
            rules.append(TypeRule(either, (fixed,)))
        else:
            if mobile is not None:
                rules.append(TypeRule(either, (fixed, mobile)))
            rules.append(TypeRule(type_name(PhoneNumberType.FIXED_LINE), (fixed,)))
    if mobile is not None and not metadata.same_mobile_and_fixed_line_pattern:
        rules.append(TypeRule(type_name(PhoneNumberType.MOBILE), (mobile,)))
    return tuple(rules)


def _compiles_in_polars(regex: str) -> bool:
    """Whether the Rust regex engine accepts a pattern (no look-around, no backreferences)."""
    try:
        pl.Series("probe", ["0"], dtype=pl.Utf8).str.contains(regex)
    except ComputeError:
        return False
    return True


def _all_regexes(plan: NumberingPlan) -> list[str]:
    """Every pattern the classifier will hand to polars."""
    regexes = [plan.general.regex]
    for region in plan.regions:
        regexes.append(region.general.regex)
        if region.leading_digits is not None:
            regexes.append(region.leading_digits)
        for rule in region.rules:
            regexes.extend(desc.regex for desc in rule.descriptors)
    return regexes


def build_plan(default_region: str = DEFAULT_REGION) -> NumberingPlan | None:
    """Build the numbering plan of the default region, or None if the fast path cannot be exact.

    The fast path assumes the parsing behaviour of the Italian plan: no national prefix to strip
    when parsing, international prefix "00", a calling code of two digits whose first digit is
    not a calling code by itself, and regions sharing the code that are told apart by their
    leading digits or by validity, in the library's order.
    """
    util = phonenumbers.phonenumberutil
    metadata = PhoneMetadata.metadata_for_region(default_region)
    if metadata is None or metadata.general_desc is None:
        return None
    country_code = metadata.country_code
    code_text = str(country_code)
    if (
        metadata.national_prefix_for_parsing
        or metadata.international_prefix != "00"
        or len(code_text) != 2
        or int(code_text[0]) in util.COUNTRY_CODE_TO_REGION_CODE
        or util.region_code_for_country_code(country_code) != default_region
    ):
        return None
    general = _descriptor(metadata.general_desc)
    if general is None or not metadata.general_desc.possible_length:
        return None
    min_nsn = getattr(util, "_MIN_LENGTH_FOR_NSN", None)
    max_nsn = getattr(util, "_MAX_LENGTH_FOR_NSN", None)
    if not isinstance(min_nsn, int) or not isinstance(max_nsn, int):
        return None
    regions: list[RegionPlan] = []
    for region in util.region_codes_for_country_code(country_code):
        region_metadata = PhoneMetadata.metadata_for_region(region)
        if region_metadata is None:
            continue
        general_desc = region_metadata.general_desc
        region_general = _descriptor(general_desc)
        # parse refuses national numbers outside these bounds, so no valid number may lie there.
        if (
            region_general is None
            or not general_desc.possible_length
            or min(general_desc.possible_length) < min_nsn
            or max(general_desc.possible_length) > max_nsn
        ):
            return None
        leading = region_metadata.leading_digits
        regions.append(
            RegionPlan(
                region=region,
                # The library tries leading digits with re.match: a prefix match.
                leading_digits=f"^(?:{leading})" if leading is not None else None,
                general=region_general,
                rules=_type_rules(region_metadata),
            )
        )
    if not regions or regions[0].region != default_region:
        return None
    max_input_length = getattr(util, "_MAX_INPUT_STRING_LENGTH", None)
    if not isinstance(max_input_length, int):
        return None
    plan = NumberingPlan(
        country_code=country_code,
        international_prefix=metadata.international_prefix,
        max_input_length=max_input_length,
        general=general,
        max_general_length=max(metadata.general_desc.possible_length),
        local_only_lengths=tuple(metadata.general_desc.possible_length_local_only),
        regions=tuple(regions),
    )
    if not all(_compiles_in_polars(regex) for regex in _all_regexes(plan)):
        return None
    return plan


def python_whitespace_class() -> str:
    """A Rust character class of exactly the characters Python's str.isspace() accepts.

    The reference calls a value missing when ``value.strip()`` is empty; Python's notion of
    whitespace differs from Rust's (it includes the ASCII information separators), so the class
    is computed rather than written as ``\\s``.
    """
    codes = [code for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    return "[" + "".join(f"\\x{{{code:x}}}" for code in codes) + "]"
