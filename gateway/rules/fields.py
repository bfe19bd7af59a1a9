"""Vectorised checks of single input values: yes/no, e-mail, codice fiscale, CAP, IP, URL host.

Each function takes a Utf8 series (nulls for empty cells) and returns a Boolean series of the
same length; a null input gives ``False`` for the ``is_*`` checks, so callers decide what an
empty value means for their rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import polars as pl

# Yes/no values (domain.md): true/false, yes/no, si/sì/no, y/n, s/n, 1/0, x/empty.
YES_VALUES: tuple[str, ...] = ("true", "yes", "si", "sì", "y", "s", "1", "x")
NO_VALUES: tuple[str, ...] = ("false", "no", "n", "0")

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Top-level domains are letters only, or an internationalised "xn--" label.
_TLD = r"(?:[A-Za-z]{2,63}|[Xx][Nn]--(?:[A-Za-z0-9-]{0,58}[A-Za-z0-9]))"
# Dot-atom local part, a domain of LDH labels ending in an alphabetic top-level label.
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_TLD}$"

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_H16 = r"[0-9A-Fa-f]{1,4}"
_LS32 = rf"(?:{_H16}:{_H16}|{_IPV4})"


def _ipv6_pattern() -> str:
    # The IPv6address production of RFC 3986, section 3.2.2, one alternative per position of
    # the "::" that stands for a run of zero groups.
    forms = [
        rf"(?:{_H16}:){{6}}{_LS32}",
        rf"::(?:{_H16}:){{5}}{_LS32}",
        rf"(?:{_H16})?::(?:{_H16}:){{4}}{_LS32}",
    ]
    for before, after in ((1, 3), (2, 2), (3, 1)):
        middle = rf"(?:{_H16}:){{{after}}}" if after > 1 else rf"{_H16}:"
        forms.append(rf"(?:(?:{_H16}:){{0,{before}}}{_H16})?::{middle}{_LS32}")
    forms.append(rf"(?:(?:{_H16}:){{0,4}}{_H16})?::{_LS32}")
    forms.append(rf"(?:(?:{_H16}:){{0,5}}{_H16})?::{_H16}")
    forms.append(rf"(?:(?:{_H16}:){{0,6}}{_H16})?::")
    return "|".join(forms)


POSTAL_CODE_PATTERN = r"^[0-9]{5}$"

# Codice fiscale of a person: surname and name letters, year, month letter, day (plus 40 for
# women), municipality code, check letter. Omocodia replaces digits with L M N P Q R S T U V.
_OMO = "[0-9LMNPQRSTUV]"
PERSONAL_CF_PATTERN = rf"^[A-Z]{{6}}{_OMO}{{2}}[ABCDEHLMPRST]{_OMO}{{2}}[A-Z]{_OMO}{{3}}[A-Z]$"
NUMERIC_CF_PATTERN = r"^[0-9]{11}$"

# Values of the characters in odd (1st, 3rd, ...) positions for the check letter: a digit
# counts as the letter in the same place of the alphabet (0 as A, 1 as B, ...).
_ODD_A_TO_M = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18)
_ODD_N_TO_Z = (20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)
FISCAL_ODD_VALUES: dict[str, int] = {
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", _ODD_A_TO_M + _ODD_N_TO_Z, strict=True)),
    **dict(zip("0123456789", _ODD_A_TO_M[:10], strict=True)),
}


def _byte_table(values: dict[str, int]) -> np.ndarray:
    table = np.full(256, -1_000, dtype=np.int16)
    for char, value in values.items():
        table[ord(char)] = value
    return table


_ODD_TABLE = _byte_table(FISCAL_ODD_VALUES)
_EVEN_TABLE = _byte_table({**{str(d): d for d in range(10)}, **{chr(65 + i): i for i in range(26)}})
_OMOCODIA_DIGIT = _byte_table(
    {**{str(d): d for d in range(10)}, **{c: i for i, c in enumerate("LMNPQRSTUV")}}
)




def yes_expr(value: pl.Expr) -> pl.Expr:
    """Affirmative yes/no value (case ignored); False when empty."""
    # Lower-casing and an exact set, not a case-insensitive regex: Unicode case folding would
    # take the long s in "ſi" for an "s".
    return value.str.to_lowercase().is_in(YES_VALUES).fill_null(False)


def email_expr(value: pl.Expr) -> pl.Expr:
    """Syntactically valid address (ASCII dot-atom form, lengths within RFC 5321)."""
    shaped = value.str.contains(EMAIL_PATTERN)
    local_ok = value.str.find("@", literal=True) <= 64
    length_ok = value.str.len_bytes() <= 254
    return (shaped & local_ok & length_ok).fill_null(False)


def postal_code_expr(value: pl.Expr) -> pl.Expr:
    """Five digits."""
    return value.str.contains(POSTAL_CODE_PATTERN).fill_null(False)


_IP_PATTERN = rf"^(?:{_IPV4}|{_ipv6_pattern()})$"


def ip_address_expr(value: pl.Expr) -> pl.Expr:
    """Valid IPv4 (dotted decimal, no leading zeros) or IPv6 (RFC 4291 text forms)."""
    return value.str.contains(_IP_PATTERN).fill_null(False)


def _series(check: Callable[[pl.Expr], pl.Expr], values: pl.Series) -> pl.Series:
    return pl.DataFrame({"v": values.cast(pl.Utf8)}).select(check(pl.col("v"))).to_series()


def is_yes(values: pl.Series) -> pl.Series:
    """True where the value is an affirmative yes/no value (case ignored)."""
    return _series(yes_expr, values)


def is_yes_no(values: pl.Series) -> pl.Series:
    """True where the value is a recognised yes/no value, empty counting as no."""
    lowered = values.str.to_lowercase()
    return (lowered.is_in(YES_VALUES) | lowered.is_in(NO_VALUES)).fill_null(True)


def is_email(values: pl.Series) -> pl.Series:
    """True where the value is a syntactically valid address (ASCII dot-atom form)."""
    return _series(email_expr, values)


def is_postal_code(values: pl.Series) -> pl.Series:
    """True where the value is five digits."""
    return _series(postal_code_expr, values)


def is_ip_address(values: pl.Series) -> pl.Series:
    """True where the value is a valid IPv4 (dotted decimal) or IPv6 address."""
    return _series(ip_address_expr, values)


def fiscal_code_normalised(value: pl.Expr) -> pl.Expr:
    """Upper case without spaces, the form the fiscal-code checks read."""
    return value.str.to_uppercase().str.replace_all(" ", "", literal=True)


_ANY_CF_PATTERN = f"(?:{PERSONAL_CF_PATTERN})|(?:{NUMERIC_CF_PATTERN})"


def is_fiscal_code(values: pl.Series) -> pl.Series:
    """True where the value is a valid codice fiscale.

    Sixteen characters (a person's code, omocodia allowed): shape, day of birth 1-31 or 41-71,
    and the check letter. Eleven digits (a legal entity's code, the partita IVA form): the
    check digit. Case and spaces are ignored.
    """
    values = values.cast(pl.Utf8)
    shaped = values.str.contains(_ANY_CF_PATTERN).fill_null(False)
    # Lower case or spaces are rare: normalise only the values not already in shape.
    others = (~shaped & values.is_not_null()).arg_true()
    if len(others):
        fixed = _series(fiscal_code_normalised, values.gather(others))
        values = values.scatter(others, fixed)
        shaped = shaped.scatter(others, fixed.str.contains(_ANY_CF_PATTERN).fill_null(False))
    result = np.zeros(len(values), dtype=bool)
    candidates = shaped.arg_true()
    if len(candidates):
        codes = values.gather(candidates)
        sixteen = (codes.str.len_bytes() == 16).to_numpy()
        index = candidates.to_numpy()
        if sixteen.any():
            result[index[sixteen]] = _personal_code_ok(codes.filter(sixteen))
        if not sixteen.all():
            result[index[~sixteen]] = _numeric_code_ok(codes.filter(~sixteen))
    return pl.Series(values.name, result, dtype=pl.Boolean)


def _as_byte_matrix(values: pl.Series, width: int) -> np.ndarray:
    # Every value has exactly ``width`` ASCII characters (checked by the caller's pattern), so
    # joining them gives a rectangular block of bytes without a Python object per value.
    joined = values.str.join("").item().encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(values), width)


def _personal_code_ok(values: pl.Series) -> np.ndarray:
    chars = _as_byte_matrix(values, 16)
    total = np.zeros(len(values), dtype=np.int16)
    for i in range(15):
        total += (_ODD_TABLE if i % 2 == 0 else _EVEN_TABLE)[chars[:, i]]
    check_ok = (total % 26) + 65 == chars[:, 15]
    day = _OMOCODIA_DIGIT[chars[:, 9]] * 10 + _OMOCODIA_DIGIT[chars[:, 10]]
    day_ok = ((day >= 1) & (day <= 31)) | ((day >= 41) & (day <= 71))
    return check_ok & day_ok


def _numeric_code_ok(values: pl.Series) -> np.ndarray:
    digits = _as_byte_matrix(values, 11).astype(np.int16) - 48
    odd = digits[:, 0:10:2].sum(axis=1)
    doubled = digits[:, 1:10:2] * 2
    even = np.where(doubled > 9, doubled - 9, doubled).sum(axis=1)
    return (10 - (odd + even) % 10) % 10 == digits[:, 10]


_URL_HOST = r"(?i)^https?://(?:[^/?#\s@]*@)?(\[[^\]\s]*\]|[^/?#:\s\[\]@]+)(?::[0-9]*)?(?:[/?#]\S*)?$"


def http_url_expr(value: pl.Expr) -> pl.Expr:
    """An http(s) URL with a host."""
    return value.str.contains(_URL_HOST).fill_null(False)


def declared_host_expr(value: pl.Expr, domains: list[str]) -> pl.Expr:
    """An http(s) URL whose host is one of ``domains`` or a subdomain of one (case ignored)."""
    names = sorted({d.strip().lower().rstrip(".") for d in domains if d.strip()})
    if not names:
        return pl.lit(False)
    alternatives = "|".join(re.escape(d) for d in names)
    pattern = (
        r"(?i)^https?://(?:[^/?#\s@]*@)?(?:[^/?#:\s\[\]@]*\.)?(?:"
        + alternatives
        + r")\.?(?::[0-9]*)?(?:[/?#]\S*)?$"
    )
    return value.str.contains(pattern).fill_null(False)


def is_http_url(values: pl.Series) -> pl.Series:
    """True where the value is an http(s) URL with a host."""
    return _series(http_url_expr, values)


def is_declared_url(values: pl.Series, domains: list[str]) -> pl.Series:
    """True where the value is an http(s) URL on one of ``domains`` or a subdomain of one."""
    return _series(lambda value: declared_host_expr(value, domains), values)
