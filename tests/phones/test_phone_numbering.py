"""The numbering plan read from phonenumbers' metadata, and its type decision order."""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import phonenumbers
import polars as pl
import pytest
from phonenumbers import PhoneNumberDesc, PhoneNumberType, phonenumberutil

from gateway.phones.classify import PATTERNS, PLAN, _region_type_codes, _type_names
from gateway.phones.numbering import (
    RegionPlan,
    _descriptor,
    _type_rules,
    build_plan,
    python_whitespace_class,
    type_name,
)

DESCRIPTOR_FIELDS = [
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
]


def test_the_italian_plan_is_usable_and_read_from_the_metadata():
    assert PLAN is not None
    assert PATTERNS is not None
    assert PLAN.country_code == 39
    assert [region.region for region in PLAN.regions] == ["IT", "VA"]
    italy, vatican = PLAN.regions
    assert italy.leading_digits is None
    assert vatican.leading_digits == "^(?:06698)"
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("IT")
    mobile = next(rule for rule in italy.rules if rule.type_name == "mobile")
    assert mobile.descriptors[0].regex == f"^(?:{metadata.mobile.national_number_pattern})$"
    assert mobile.descriptors[0].lengths == tuple(metadata.mobile.possible_length)


def test_a_region_whose_rules_cannot_be_made_exact_has_no_plan():
    # The United Kingdom strips a national prefix when parsing: not a shape the fast path knows.
    assert build_plan("GB") is None
    assert build_plan("ZZ") is None


def test_the_whitespace_class_is_pythons():
    blank = f"^{python_whitespace_class()}*$"
    candidates = [chr(code) for code in range(0x3100)] + ["\u3000", "\ufeff", "\u200b"]
    values = pl.Series(candidates, dtype=pl.Utf8)
    got = values.str.contains(blank).to_list()
    assert got == [character.isspace() for character in candidates]


def _fake_metadata(**patterns: tuple[str, tuple[int, ...]]) -> SimpleNamespace:
    """A metadata-shaped object with the given descriptors (pattern, possible lengths)."""
    fields = dict.fromkeys(DESCRIPTOR_FIELDS)
    for field, (pattern, lengths) in patterns.items():
        fields[field] = PhoneNumberDesc(national_number_pattern=pattern, possible_length=lengths)
    fields["general_desc"] = PhoneNumberDesc(
        national_number_pattern=r"\d{2,4}", possible_length=(2, 3, 4)
    )
    fixed, mobile = fields["fixed_line"], fields["mobile"]
    fields["same_mobile_and_fixed_line_pattern"] = (fixed is None and mobile is None) or (
        fixed is not None
        and mobile is not None
        and fixed.national_number_pattern == mobile.national_number_pattern
    )
    return SimpleNamespace(**fields)


SHAPES = {
    "fixed and mobile overlap": _fake_metadata(
        fixed_line=(r"[12]\d{1,3}", (2, 3, 4)), mobile=(r"[23]\d{2,3}", (3, 4))
    ),
    "fixed and mobile are the same pattern": _fake_metadata(
        fixed_line=(r"[1-3]\d{1,3}", (2, 3, 4)), mobile=(r"[1-3]\d{1,3}", (3,))
    ),
    "only a fixed-line pattern": _fake_metadata(fixed_line=(r"1\d\d", (3,))),
    "only a mobile pattern": _fake_metadata(mobile=(r"3\d\d", (3,))),
    "special types overlap each other and the fixed line": _fake_metadata(
        premium_rate=(r"1[0-5]\d", (3,)),
        toll_free=(r"1\d\d", (3,)),
        shared_cost=(r"1\d{2,3}", (3, 4)),
        voip=(r"[12]\d{2}", (3,)),
        personal_number=(r"2\d{1,3}", (2, 4)),
        pager=(r"2[0-4]\d\d", (4,)),
        uan=(r"2\d{3}", (4,)),
        voicemail=(r"[23]\d{3}", (4,)),
        fixed_line=(r"[1-3]\d{1,3}", (2, 3, 4)),
        mobile=(r"3\d{1,3}", (2, 3, 4)),
    ),
    "lengths narrower than the pattern": _fake_metadata(
        toll_free=(r"\d{2,4}", (3,)), fixed_line=(r"\d{2,4}", (2, 4))
    ),
}


@pytest.mark.parametrize("metadata", SHAPES.values(), ids=SHAPES.keys())
def test_type_rules_follow_the_library_decision_order(metadata):
    region = RegionPlan(
        region="XX",
        leading_digits=None,
        general=_descriptor(metadata.general_desc),
        rules=_type_rules(metadata),
    )
    names = _type_names(SimpleNamespace(regions=(region,)))
    codes = {name: index for index, name in enumerate(names)}
    numbers = [
        "".join(digits)
        for length in range(1, 6)
        for digits in itertools.product("01234", repeat=length)
    ]
    got = _region_type_codes(pl.Series(numbers, dtype=pl.Utf8), region, codes).to_list()
    got_names = [None if code is None else names[code] for code in got]
    expected = []
    for number in numbers:
        number_type = phonenumberutil._number_type_helper(number, metadata)
        expected.append(None if number_type == PhoneNumberType.UNKNOWN else type_name(number_type))
    assert got_names == expected
    assert any(name is not None for name in expected)


def test_every_metadata_pattern_is_anchored_for_a_whole_number_match():
    for region in PLAN.regions:
        for rule in region.rules:
            for desc in rule.descriptors:
                assert re.fullmatch(r"\^\(\?:.*\)\$", desc.regex)
