"""Vectorised phone classification that agrees exactly with the reference.

phonenumbers.parse(value, "IT") first turns the text into two facts: whether the number is
written after a ``+`` and its string of digits. Everything after that (calling code,
international prefix, the Italian plan's patterns) depends on those two facts only, so it is
computed with polars expressions from the metadata (``numbering``). Getting the two facts takes
three tiers, cheapest first:

1. Simple shapes, the bulk of real data. ASCII text (plus the no-break space) made of a label
   without digits, ``+`` or ``;`` (dropped by the library, e.g. ``Tel:``), an optional ``+``,
   digits and plain separators (space . - / ( )), then trailing non-word punctuation other than
   ``#``, ``;`` and ``+`` (trimmed by the library). Nothing in such a value can be an extension, a
   second number or a vanity letter, so the facts are "a ``+`` before the first digit" and the
   ASCII digits, and any value with three digits is viable (with fewer it is invalid however it
   is read).
2. Other ASCII text: the library's own parsing patterns (``parsing``) applied step by step,
   in Rust's regex engine, which reads them as Python does on ASCII text: find the number,
   trim its end, cut a second number, check viability, strip an extension, convert letters.
3. Everything else (non-ASCII digits, RFC 3966 phone-context or sub-address, values the
   library rejects for length, numbers under another calling code) goes to the reference,
   one value at a time.

From the facts: after a ``+`` the digits must start with 39 (other calling codes go to the
reference); after the international prefix 00 (only when the next digit is not 0) the rest
must; otherwise the number is national, and a leading 39 is dropped by the library's rule (the
whole does not fit the general pattern but the rest does, or the whole is too long). The
national significant number left is typed with the descriptors in the library's order, region
by region among those sharing +39 (Italy, then Vatican City by its leading digits).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from gateway.phones.numbering import (
    DescriptorPattern,
    NumberingPlan,
    RegionPlan,
    TypeRule,
    build_plan,
    python_whitespace_class,
)
from gateway.phones.parsing import ParsingPatterns, build_parsing_patterns
from gateway.phones.reference import INVALID, MISSING, VALID, classify_phone_reference

PLAN: NumberingPlan | None = build_plan()
PATTERNS: ParsingPatterns | None = build_parsing_patterns() if PLAN is not None else None

# Tier 1: a label, an optional "+", digits and plain separators, trailing punctuation. The
# trailer admits no "+", so in these values a "+" anywhere is the one before the digits.
_LABEL = r"[\x00-\x2a\x2c-\x2f\x3a\x3c-\x7f\xa0]"
_BODY = r"[0-9 .\-/()\xa0]"
_TRAILER = r"[\x00-\x22\x24-\x2a\x2c-\x2f\x3a\x3c-\x40\x5b-\x60\x7b-\x7f\xa0]"
_SIMPLE_SHAPE = f"^{_LABEL}*\\+?{_BODY}*{_TRAILER}*$"
# Tier 2: ASCII text without the RFC 3966 parameters that parse reads from the raw text.
_ASCII = r"^[\x00-\x7f]*$"
_RFC3966_PARAMETERS = r";phone-context=|;isub="

_BLANK = f"^{python_whitespace_class()}*$"
# The types nearly every number has; the rarer ones are looked for first (see
# _region_type_codes).
_COMMON_TYPES = frozenset({"fixed_line_or_mobile", "fixed_line", "mobile"})

_STATUS = "phone_status"
_E164 = "phone_e164"
_TYPE = "phone_type"
_FALLBACK = "_fallback"


def _length_in(length: pl.Expr, lengths: tuple[int, ...]) -> pl.Expr:
    """Whether a length is one of a few values, as range comparisons (cheaper than is_in)."""
    ranges: list[list[int]] = []
    for item in sorted(set(lengths)):
        if ranges and item == ranges[-1][1] + 1:
            ranges[-1][1] = item
        else:
            ranges.append([item, item])
    condition = pl.lit(False)
    for low, high in ranges:
        condition = condition | (length.is_between(low, high) if low != high else length == low)
    return condition


def _type_names(plan: NumberingPlan) -> list[str]:
    """Every type name the plan can produce, each once, in a fixed order."""
    names: dict[str, None] = {}
    for region in plan.regions:
        for rule in region.rules:
            names[rule.type_name] = None
    return list(names)


def _chain_codes(
    nsn: pl.Series, region: RegionPlan, codes: dict[str, int], rules: Sequence[TypeRule]
) -> pl.Series:
    """The type code of each national number under ``rules`` of one region, null if unknown.

    Each distinct pattern runs once over the column, all of them side by side; the library's
    first-match order is then applied to the boolean columns.
    """
    patterns = {region.general.regex: region.general}
    for rule in rules:
        for desc in rule.descriptors:
            patterns.setdefault(desc.regex, desc)
    columns = {regex: f"_match{index}" for index, regex in enumerate(patterns)}
    frame = pl.DataFrame({"_nsn": nsn}).with_columns(
        pl.col("_nsn").str.len_bytes().alias("_length"),
        *(pl.col("_nsn").str.contains(regex).alias(name) for regex, name in columns.items()),
    )

    def matches(desc: DescriptorPattern) -> pl.Expr:
        condition = pl.col(columns[desc.regex])
        if desc.lengths:
            condition = condition & _length_in(pl.col("_length"), desc.lengths)
        return condition

    chain = pl.when(~matches(region.general)).then(pl.lit(None, dtype=pl.UInt8))
    for rule in rules:
        condition = matches(rule.descriptors[0])
        for desc in rule.descriptors[1:]:
            condition = condition & matches(desc)
        chain = chain.when(condition).then(pl.lit(codes[rule.type_name], dtype=pl.UInt8))
    return frame.select(chain.otherwise(pl.lit(None, dtype=pl.UInt8))).to_series()


def _region_type_codes(nsn: pl.Series, region: RegionPlan, codes: dict[str, int]) -> pl.Series:
    """The type code of each national number under one region's metadata, null if unknown.

    Most numbers are fixed lines or mobiles, and the rarer types' patterns are tried before
    those. One pass with all the rarer patterns as alternatives finds the few numbers any of
    them can match; the others cannot satisfy those rules, so the chain without them decides
    the same type for them, and only the few go through the whole chain.
    """
    rare = [rule for rule in region.rules if rule.type_name not in _COMMON_TYPES]
    common = [rule for rule in region.rules if rule.type_name in _COMMON_TYPES]
    if not rare or not common:
        return _chain_codes(nsn, region, codes, region.rules)
    alternatives = dict.fromkeys(desc.regex for rule in rare for desc in rule.descriptors)
    maybe_rare = nsn.str.contains("|".join(f"(?:{regex})" for regex in alternatives))
    result = _chain_codes(nsn, region, codes, common)
    rows = maybe_rare.fill_null(False).arg_true()
    if len(rows):
        result = result.scatter(rows, _chain_codes(nsn.gather(rows), region, codes, region.rules))
    return result


def _type_codes(nsn: pl.Series, plan: NumberingPlan, codes: dict[str, int]) -> pl.Series:
    """The type code of each +39 national number, null when it is not valid.

    As in the library, the region is the first one (in metadata order) whose leading digits
    match or, when it has none, under which the number is valid; the type is that region's.
    Later regions only see the rows still undecided, which keeps their patterns off the bulk.
    """
    result = pl.repeat(None, len(nsn), dtype=pl.UInt8, eager=True).rename("_code")
    undecided = nsn.is_not_null()
    for region in plan.regions:
        candidates = undecided
        if region.leading_digits is not None:
            candidates = candidates & nsn.str.contains(region.leading_digits).fill_null(False)
        if not candidates.any():
            continue
        if (candidates == nsn.is_not_null()).all():
            # Every number is a candidate, so nothing is decided yet: no gather and scatter.
            result = _region_type_codes(nsn, region, codes)
        else:
            rows = candidates.arg_true()
            region_codes = _region_type_codes(nsn.gather(rows), region, codes)
            result = result.scatter(rows, region_codes)
        # A region chosen by its leading digits decides even when the number is invalid there.
        decided = candidates if region.leading_digits is not None else result.is_not_null()
        undecided = undecided & ~decided
    return result.rename("_code")


def _strip_code(digits: pl.Series, candidates: pl.Series, plan: NumberingPlan) -> pl.Series:
    """The library's rule for national digits that start with the calling code.

    The code is taken off when the whole does not match the general pattern but the rest does,
    or when the whole is too long. Only the candidate rows are examined.
    """
    strip = pl.repeat(False, len(digits), dtype=pl.Boolean, eager=True).rename("_strip_code")
    rows = candidates.arg_true()
    if len(rows) == 0:
        return strip
    national = digits.gather(rows)
    rest = national.str.slice(len(str(plan.country_code)))
    length = national.str.len_bytes()
    too_long = (length > plan.max_general_length) & ~length.is_in(list(plan.local_only_lengths))
    fits = ~national.str.contains(plan.general.regex) & rest.str.contains(plan.general.regex)
    return strip.scatter(rows, fits | too_long)


def _national_numbers(frame: pl.DataFrame, plan: NumberingPlan) -> pl.Series:
    """The national significant number of each row to parse, null where the reference decides.

    ``frame`` holds ``_parse`` (the row's two facts are known), ``_digits`` and ``_plus``.
    """
    digits = pl.col("_digits")
    code = str(plan.country_code)
    idd = plan.international_prefix
    frame = frame.with_columns(
        digits.str.starts_with(code).alias("_cc"),
        # The library strips the international prefix only when the next digit is not 0.
        (digits.str.starts_with(idd) & ~digits.str.starts_with(idd + "0")).alias("_idd"),
        digits.str.starts_with(idd + code).alias("_idd_cc"),
    )
    candidates = frame.select(pl.col("_parse") & ~pl.col("_plus") & pl.col("_cc")).to_series()
    frame = frame.with_columns(_strip_code(frame.get_column("_digits"), candidates, plan))
    offset = (
        pl.when(~pl.col("_parse"))
        .then(None)
        .when(pl.col("_plus"))
        .then(pl.when(pl.col("_cc")).then(len(code)))
        .when(pl.col("_idd"))
        .then(pl.when(pl.col("_idd_cc")).then(len(idd) + len(code)))
        .when(pl.col("_strip_code"))
        .then(len(code))
        .otherwise(0)
    )
    frame = frame.with_columns(offset.alias("_offset"))
    return frame.select(
        pl.when(pl.col("_offset").is_not_null())
        .then(digits.str.slice(pl.col("_offset")))
        .alias("_nsn")
    ).to_series()


def _read_ascii_numbers(text: pl.Series, patterns: ParsingPatterns) -> pl.DataFrame:
    """Apply the library's reading of a number to ASCII text, as vectors.

    Returns ``_viable`` (parse would go on), ``_digits`` (after letters became keypad digits,
    when there are three or more) and ``_plus`` (written after a plus sign).
    """
    value = pl.col("value")
    start = value.str.find(patterns.start_char)
    frame = pl.DataFrame(text).select(
        pl.when(start.is_not_null())
        .then(value.str.slice(start))
        .otherwise(pl.lit(""))
        .str.replace(patterns.unwanted_end, "")
        .alias("_found")
    )
    found = pl.col("_found")
    second = found.str.find(patterns.second_number)
    frame = frame.select(
        pl.when(second.is_not_null()).then(found.str.slice(0, second)).otherwise(found).alias("_e")
    )

    def viable(number: pl.Expr) -> pl.Expr:
        return (number.str.len_chars() >= patterns.min_viable_length) & number.str.contains(
            patterns.viable_number
        )

    number = pl.col("_e")
    extension = number.str.find(patterns.extension)
    before = number.str.slice(0, extension)
    frame = frame.select(
        viable(number).alias("_viable"),
        pl.when(extension.is_not_null() & viable(before).fill_null(False))
        .then(before)
        .otherwise(number)
        .alias("_number"),
    )
    number = pl.col("_number")
    body = number.str.replace(patterns.leading_plus, "")
    keypad = body.str.to_uppercase()
    for digit, letters in patterns.letter_digits.items():
        keypad = keypad.str.replace_all(f"[{letters}]", digit)
    return frame.select(
        "_viable",
        pl.when(body.str.contains(patterns.alpha_number))
        .then(keypad)
        .otherwise(body)
        .str.replace_all("[^0-9]", "")
        .alias("_digits"),
        number.str.contains(patterns.leading_plus).alias("_plus"),
    )


def _as_text(values: pl.Series) -> pl.Series:
    """Accept a string (or all-null) series, renamed for internal use."""
    if values.dtype == pl.Null:
        return values.cast(pl.Utf8).rename("value")
    if values.dtype != pl.Utf8:
        raise TypeError(f"phone values must be a string series, not {values.dtype}")
    return values.rename("value")


def _classify_vectorised(values: pl.Series) -> pl.DataFrame:
    """Classify what the vectorised tiers can; flag the rest in the ``_fallback`` column."""
    value = pl.col("value")
    if PLAN is None:
        missing = value.is_null() | value.str.contains(_BLANK)
        return pl.DataFrame(values).select(
            pl.when(missing).then(pl.lit(MISSING)).alias(_STATUS),
            pl.lit(None, dtype=pl.Utf8).alias(_E164),
            pl.lit(None, dtype=pl.Utf8).alias(_TYPE),
            (~missing).alias(_FALLBACK),
        )
    frame = pl.DataFrame(values).with_columns(
        # The byte length bounds the character count and costs nothing to read. Blank values
        # may be marked for parsing too: being missing takes precedence over what parse says.
        (
            (value.str.len_bytes() <= PLAN.max_input_length) & value.str.contains(_SIMPLE_SHAPE)
        ).alias("_parse"),
        value.str.replace_all("[^0-9]", "").alias("_digits"),
        value.str.contains("+", literal=True).alias("_plus"),
        pl.lit(False).alias("_unviable"),
    )
    # A blank value has no digit, so only the few values without one need the blank test.
    missing = frame.get_column("value").is_null()
    rows = frame.select(pl.col("_digits") == "").to_series().arg_true()
    if len(rows):
        blank = values.gather(rows).str.contains(_BLANK)
        missing = missing.scatter(rows, blank | missing.gather(rows))
    frame = frame.with_columns(missing.alias("_missing"))
    if PATTERNS is not None:
        # Tier 2 looks only at the few values tier 1 did not take.
        rows = frame.select(~pl.col("_missing") & ~pl.col("_parse")).to_series().arg_true()
        ascii_text = (
            values.gather(rows)
            .to_frame()
            .select(
                (value.str.len_bytes() <= PLAN.max_input_length)
                & value.str.contains(_ASCII)
                & ~value.str.contains(_RFC3966_PARAMETERS)
            )
            .to_series()
        )
        rows = rows.filter(ascii_text)
        if len(rows):
            read = _read_ascii_numbers(values.gather(rows), PATTERNS)
            viable = read.get_column("_viable")
            frame = frame.with_columns(
                frame.get_column("_parse").scatter(rows, viable),
                frame.get_column("_digits").scatter(rows, read.get_column("_digits")),
                frame.get_column("_plus").scatter(rows, read.get_column("_plus")),
                frame.get_column("_unviable").scatter(rows, ~viable),
            )
    frame = frame.with_columns(_national_numbers(frame, PLAN))
    names = _type_names(PLAN)
    codes = {name: index for index, name in enumerate(names)}
    frame = frame.with_columns(_type_codes(frame.get_column("_nsn"), PLAN, codes))
    nsn = pl.col("_nsn")
    type_code = pl.col("_code")
    # Statuses as small codes first: gathering the names is cheaper than building strings.
    status_code = (
        pl.when(pl.col("_missing"))
        .then(0)
        .when(type_code.is_not_null())
        .then(1)
        .when(nsn.is_not_null() | pl.col("_unviable"))
        .then(2)
        .cast(pl.UInt8)
    )
    statuses = pl.Series([MISSING, VALID, INVALID], dtype=pl.Utf8)
    return frame.select(
        pl.lit(statuses).gather(status_code).alias(_STATUS),
        pl.when(type_code.is_not_null()).then(pl.lit(f"+{PLAN.country_code}") + nsn).alias(_E164),
        pl.lit(pl.Series(names, dtype=pl.Utf8)).gather(type_code).alias(_TYPE),
        (~pl.col("_missing") & ~pl.col("_unviable") & nsn.is_null()).alias(_FALLBACK),
    )


def fast_path_mask(values: pl.Series) -> pl.Series:
    """Which values the vectorised tiers classify (the rest go to the reference)."""
    return ~_classify_vectorised(_as_text(values)).get_column(_FALLBACK)


def classify_phones(values: pl.Series) -> pl.DataFrame:
    """Classify phone values exactly as :func:`classify_phone_reference` would, vectorised.

    Returns a frame of the same height with ``phone_status`` (missing, invalid, not_italian,
    valid), ``phone_e164`` (for valid and not_italian numbers) and ``phone_type`` (the
    lowercase PhoneNumberType name, for valid numbers).
    """
    text = _as_text(values)
    frame = _classify_vectorised(text)
    fallback = frame.get_column(_FALLBACK)
    status = frame.get_column(_STATUS)
    e164 = frame.get_column(_E164)
    number_type = frame.get_column(_TYPE)
    if fallback.any():
        rows = fallback.arg_true()
        answers: dict[str | None, tuple[str, str | None, str | None]] = {}
        for item in text.gather(rows).to_list():
            if item not in answers:
                answers[item] = classify_phone_reference(item)
        results = [answers[item] for item in text.gather(rows).to_list()]
        status = status.scatter(rows, pl.Series([r[0] for r in results], dtype=pl.Utf8))
        e164 = e164.scatter(rows, pl.Series([r[1] for r in results], dtype=pl.Utf8))
        number_type = number_type.scatter(rows, pl.Series([r[2] for r in results], dtype=pl.Utf8))
    return pl.DataFrame([status, e164, number_type])
