"""Ruleset 1 judged one row at a time in plain Python: the reference for the engine.

This module exists for two reasons. A differential test runs it and the vectorised engine
(:mod:`gateway.rules.engine`) on the same rows and asserts they agree, so a mistake in either
shows up as a disagreement. The benchmark (``python -m gateway.bench``) runs it as the naive
baseline the engine's design is measured against. It is therefore written for plainness, not
speed: every row is a dict, every phone number goes through libphonenumber, every rule is an
``if``. It is written from domain.md and shares no rule code with the engine.

Where domain.md is silent this module decides as below; most of these are the decisions the
engine publishes in its module docstring, taken over so that a disagreement points at a bug
rather than at a matter of taste, the rest spell out what a valid value is:

- A malformed row gets ROW_MALFORMED only, takes no part in duplicates, RPO or objections.
- Duplicates are judged among rows whose number libphonenumber calls valid, Italian or not.
- RPO rules apply to valid Italian numbers, objections to every valid number.
- Registration and consent are compared in whole seconds (the consent truncated; the RPO index
  already rounds registrations up): a registration at or after the consent's second rejects
  (the ruleset configuration publishes this). Without a usable consent time a registered
  number is RPO_REGISTERED.
- Rules that compare with the consent time stay silent when it is missing or unreadable.
- CONSENT_TOO_OLD: older than ``max_consent_age_days`` times 24 hours before processing.
- Source ids and informativa versions match exactly (profile values trimmed); URL hosts ignore
  case; sectors ignore case and surrounding spaces; ``collected_by`` ignores case and white
  space (Unicode's White_Space); a fiscal code ignores case and ASCII spaces.
- A policy that accepts mobile or fixed-line numbers also accepts ``fixed_line_or_mobile``.
- A phone made only of white space is missing (as for the phones package); other columns are
  empty when the reader gives no value.
- E-mail addresses are judged in the ASCII dot-atom form with the RFC 5321 length limits, host
  labels of letters, digits and inner hyphens, a top level of letters or ``xn--``.
- Timestamps: years 0000-9999 of the proleptic Gregorian calendar; a naive wall time that
  occurs twice in Rome takes the earlier instant and one that never occurs is invalid; ``z``
  is accepted for ``Z``; second 60 is not a time.
- An http(s) URL has an authority with at most one ``@`` (ending the user information) and a
  non-empty host; it holds no white space.
- In service mode RPO_NOT_CHECKED still marks the row; the batch waits (``awaiting_rpo``)
  unless it would be rejected even if every row whose only rejection is RPO_NOT_CHECKED passed.
- ``counts.by_code`` counts warnings too; ``counts.warned`` counts rows with a warning.
"""

from __future__ import annotations

import csv
import ipaddress
import os
import re
import string
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

# The row codes of domain.md, in the order of its table.
ROW_CODES: tuple[str, ...] = (
    "ROW_MALFORMED",
    "PHONE_MISSING",
    "PHONE_INVALID",
    "PHONE_NOT_ITALIAN",
    "PHONE_TYPE_NOT_ALLOWED",
    "PHONE_DUPLICATE",
    "EMAIL_INVALID",
    "FISCAL_CODE_INVALID",
    "POSTAL_CODE_INVALID",
    "CONSENT_SOURCE_MISSING",
    "CONSENT_SOURCE_UNDECLARED",
    "CONSENT_TIMESTAMP_MISSING",
    "CONSENT_TIMESTAMP_INVALID",
    "CONSENT_TIMESTAMP_FUTURE",
    "INFORMATIVA_MISSING",
    "INFORMATIVA_UNKNOWN",
    "INFORMATIVA_NOT_IN_EFFECT",
    "THIRD_PARTY_CONSENT_MISSING",
    "SECTOR_NOT_COVERED",
    "CASCADING_TRANSFER",
    "CONSENT_IP_INVALID",
    "DOUBLE_OPTIN_INVALID",
    "CONSENT_PROOF_MISSING",
    "CONSENT_TOO_OLD",
    "CONSENT_PRE_GDPR",
    "RPO_NOT_CHECKED",
    "RPO_REGISTERED",
    "RPO_REGISTERED_CONSENT_AFTER",
    "OBJECTION_RECORDED",
)

ROME = "Europe/Rome"
FUTURE_TOLERANCE = timedelta(minutes=5)
RPO_VALIDITY = timedelta(days=15)
DEFAULT_POLICY: dict[str, Any] = {
    "max_rejected_ratio": 0.10,
    "require_proof": True,
    "max_consent_age_days": None,
    "reject_pre_gdpr": False,
    "phone_types": ["mobile", "fixed_line"],
}
AFFIRMATIVE = frozenset({"true", "yes", "si", "sì", "y", "s", "1", "x"})

# Stored registration values of an RPO consultation (as in the RPO index files).
NOT_REGISTERED = -(2**63)
DATE_UNKNOWN = 2**63 - 1

Mode = Literal["service", "offline"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ROME = ZoneInfo(ROME)
_MICROSECOND = timedelta(microseconds=1)
# 25 May 2018, 00:00 in Rome, in microseconds since the epoch.
GDPR_APPLIES_FROM = (datetime(2018, 5, 25, tzinfo=_ROME) - _EPOCH) // _MICROSECOND


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def _given(value: str | None) -> bool:
    return value is not None and value != ""


_DIGITS = "0123456789"
_ISO_FORM = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_ITALIAN_FORM = re.compile(
    r"(?P<day>[0-9]{2})/(?P<month>[0-9]{2})/(?P<year>[0-9]{4})"
    r"(?: (?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?)?"
)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a date of the proleptic Gregorian calendar (any year)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _rome_offsets(year: int, month: int, day: int, hour: int, minute: int, second: int) -> tuple:
    """Europe/Rome's UTC offset (microseconds) for a wall time, read both ways round a change.

    Returns the offsets with ``fold`` 0 and 1 (PEP 495): equal for ordinary times; in a gap
    (clocks skipped the time) the first is smaller, in a repeated hour it is larger.
    """
    # Before 1866 Rome kept one constant local mean time, so a date of year 0 (which Python
    # cannot hold) reads like any date of year 1.
    if year < 1:
        year, day = 1, min(day, 28)
    wall = datetime(year, month, day, hour, minute, second)
    offsets = []
    for fold in (0, 1):
        offset = wall.replace(tzinfo=_ROME, fold=fold).utcoffset()
        offsets.append(offset // _MICROSECOND)  # type: ignore[operator]
    return tuple(offsets)


def parse_instant(text: str) -> int | None:
    """Read a timestamp in one of the forms domain.md accepts: microseconds since the epoch
    (UTC), or None when it is not one.

    ISO 8601 dates and date-times (``T`` or a space, minutes or seconds, an optional fraction
    after ``.`` or ``,``, an optional offset ``Z``, ``+HH``, ``+HHMM`` or ``+HH:MM``),
    ``DD/MM/YYYY HH:MM[:SS]``, or ``DD/MM/YYYY``. Without offset the time is Europe/Rome (a
    date alone at 00:00): a time the clocks skipped is not valid, one they showed twice is the
    earlier instant. Years run from 0000 to 9999 in the proleptic Gregorian calendar.
    """
    match = _ISO_FORM.fullmatch(text) or _ITALIAN_FORM.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    year, month, day = int(parts["year"]), int(parts["month"]), int(parts["day"])
    hour, minute = int(parts["hour"] or 0), int(parts["minute"] or 0)
    second = int(parts["second"] or 0)
    if not (1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    fraction = int((parts.get("fraction") or "").ljust(6, "0")[:6])
    wall = (
        _days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
    ) * 1_000_000 + fraction
    offset = parts.get("offset")
    if offset is None:
        before, after = _rome_offsets(year, month, day, hour, minute, second)
        if before < after:
            return None
        return wall - before
    if offset in ("Z", "z"):
        return wall
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or "0")
    if hours > 23 or minutes > 59:
        return None
    sign = -1 if offset[0] == "-" else 1
    return wall - sign * (hours * 60 + minutes) * 60_000_000


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def is_affirmative(value: str | None) -> bool:
    """A yes/no value that says yes (case ignored); empty is no."""
    return _given(value) and value.lower() in AFFIRMATIVE  # type: ignore[union-attr]


_LETTERS = frozenset(string.ascii_letters)
_ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-")
_LDH = frozenset(string.ascii_letters + string.digits + "-")


def _host_label_ok(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and all(c in _LDH for c in label)
        and label[0] != "-"
        and label[-1] != "-"
    )


def is_email(value: str) -> bool:
    """A syntactically valid address: dot-atom local part, host name with a real top level."""
    if value.count("@") != 1:
        return False
    local, domain = value.split("@")
    if len(local.encode()) > 64 or len(value.encode()) > 254:
        return False
    atoms = local.split(".")
    if not all(atom and all(c in _ATEXT for c in atom) for atom in atoms):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not all(_host_label_ok(label) for label in labels):
        return False
    top = labels[-1]
    if top[:4].lower() == "xn--":
        return len(top) > 4
    return 2 <= len(top) <= 63 and all(c in _LETTERS for c in top)


_MONTHS = "ABCDEHLMPRST"
_OMOCODIA = "LMNPQRSTUV"
_ODD = {
    **dict(zip("0123456789", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True)),
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (
                1,
                0,
                5,
                7,
                9,
                13,
                15,
                17,
                19,
                21,
                2,
                4,
                18,
                20,
                11,
                3,
                6,
                8,
                12,
                14,
                16,
                10,
                22,
                25,
                24,
                23,
            ),
            strict=True,
        )
    ),
}
_EVEN = {**{d: int(d) for d in _DIGITS}, **{chr(65 + i): i for i in range(26)}}
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _omocodia_digit(char: str) -> int | None:
    if char in _DIGITS:
        return int(char)
    if char in _OMOCODIA:
        return _OMOCODIA.index(char)
    return None


def is_fiscal_code(value: str) -> bool:
    """A valid codice fiscale: 16-character personal (omocodia allowed) or 11 digits."""
    code = value.upper().replace(" ", "")
    if len(code) == 11 and all(c in _DIGITS for c in code):
        total = 0
        for position, char in enumerate(code[:10]):
            digit = int(char)
            if position % 2:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        return (10 - total % 10) % 10 == int(code[10])
    if len(code) != 16:
        return False
    letters = (0, 1, 2, 3, 4, 5, 8, 11, 15)
    if not all(code[i] in _UPPER for i in letters) or code[8] not in _MONTHS:
        return False
    numbers = [_omocodia_digit(code[i]) for i in (6, 7, 9, 10, 12, 13, 14)]
    if any(n is None for n in numbers):
        return False
    day = numbers[2] * 10 + numbers[3]  # type: ignore[operator]
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return False
    total = sum((_ODD if i % 2 == 0 else _EVEN)[code[i]] for i in range(15))
    return chr(65 + total % 26) == code[15]


def is_postal_code(value: str) -> bool:
    """Five digits."""
    return len(value) == 5 and all(c in _DIGITS for c in value)


def is_ip_address(value: str) -> bool:
    """A valid IPv4 (dotted decimal) or IPv6 address, without a zone."""
    if "%" in value or not value.isascii():
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_URL_START = re.compile(r"(?i)https?://")


def url_host(value: str) -> str | None:
    """The host of an http(s) URL, lower case, or None when the value is not one.

    The authority is what follows ``//`` up to ``/``, ``?`` or ``#``: optional user
    information ending in ``@``, the host (a name or a bracketed address), an optional port of
    digits. No white space anywhere.
    """
    start = _URL_START.match(value)
    if start is None or any(c.isspace() for c in value):
        return None
    rest = value[start.end() :]
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority = rest[:cut]
    if authority.count("@") > 1:
        return None
    host_port = authority.split("@")[-1]
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0:
            return None
        host, after = host_port[: close + 1], host_port[close + 1 :]
    else:
        host, _, port = host_port.partition(":")
        after = ":" + port if _ else ""
        if "[" in host or "]" in host:
            return None
    if after and not (after[0] == ":" and all(c in _DIGITS for c in after[1:])):
        return None
    if not host:
        return None
    return host.lower()


def host_is_declared(host: str, domains: Iterable[str]) -> bool:
    """Whether a host is one of the domains or a subdomain of one (case ignored)."""
    name = host[:-1] if host.endswith(".") else host
    for domain in domains:
        wanted = domain.strip().lower().rstrip(".")
        if wanted and (name == wanted or name.endswith("." + wanted)):
            return True
    return False


# White space as Unicode defines it (Python's str.split also splits at \x1c-\x1f).
_WHITE_SPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _without_spaces(value: str) -> str:
    """An identifier compared with case and white space ignored."""
    return "".join(c for c in value if c not in _WHITE_SPACE).casefold()


_TYPE_NAMES = {
    getattr(PhoneNumberType, name): name.lower() for name in dir(PhoneNumberType) if name.isupper()
}


@dataclass(frozen=True)
class Phone:
    """What libphonenumber (default region IT) says about one value."""

    status: Literal["missing", "invalid", "not_italian", "valid"]
    e164: str | None = None
    type: str | None = None


def classify_phone(value: str | None) -> Phone:
    """Parse one value with libphonenumber, default region IT."""
    if value is None or not value.strip():
        return Phone("missing")
    try:
        number = phonenumbers.parse(value, "IT")
    except NumberParseException:
        return Phone("invalid")
    if not phonenumbers.is_valid_number(number):
        return Phone("invalid")
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number.country_code != 39:
        return Phone("not_italian", e164)
    return Phone("valid", e164, _TYPE_NAMES[phonenumbers.number_type(number)])


def e164_key(e164: str) -> int:
    """The integer key of an E.164 number (its digits), as the RPO and objection lists store it."""
    return int(e164[1:])


# ---------------------------------------------------------------------------------------------
# RPO consultations as the reference reads them
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RpoConsultation:
    """One RPO consultation: when it was made and, per number key, the stored registration.

    ``registrations`` maps the key of every covered number to ``NOT_REGISTERED``,
    ``DATE_UNKNOWN`` or the registration time in epoch seconds.
    """

    id: str
    consulted_at: datetime
    registrations: Mapping[int, int]


class IndexRegistrations(Mapping[int, int]):
    """A consultation's sorted key and registration arrays, searched one key at a time."""

    def __init__(self, keys: np.ndarray, registered_at: np.ndarray) -> None:
        self._keys = keys
        self._registered_at = registered_at

    def __getitem__(self, key: int) -> int:
        slot = int(np.searchsorted(self._keys, key))
        if slot < len(self._keys) and int(self._keys[slot]) == key:
            return int(self._registered_at[slot])
        raise KeyError(key)

    def __iter__(self) -> Iterator[int]:
        return (int(k) for k in self._keys)

    def __len__(self) -> int:
        return len(self._keys)


# ---------------------------------------------------------------------------------------------
# Judging
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowVerdict:
    """What the rules say about one row."""

    row: int
    status: Literal["accepted", "rejected"]
    codes: tuple[str, ...]
    warnings: tuple[str, ...]
    phone_e164: str | None


@dataclass
class ReferenceOutcome:
    """The batch outcome, with every row's verdict."""

    decision: Literal["certified", "rejected", "awaiting_rpo"]
    batch_reasons: list[str]
    counts: dict[str, Any]
    rows: list[RowVerdict]
    unchecked_numbers: list[str]
    rpo_consultations: list[tuple[str, datetime]]
    informative: list[tuple[str, str]]
    valid_until: datetime | None


@dataclass
class _Notice:
    starts: int  # microseconds since the epoch
    ends: int | None
    covers_sector: bool
    sha256: str


@dataclass
class _Policy:
    max_rejected_ratio: Fraction
    require_proof: bool
    max_age: int | None  # microseconds
    reject_pre_gdpr: bool
    phone_types: frozenset[str]


def _policy(buyer: Mapping[str, Any]) -> _Policy:
    given = {**DEFAULT_POLICY, **(buyer.get("policy") or {})}
    types = set(given["phone_types"] or DEFAULT_POLICY["phone_types"])
    if types & {"mobile", "fixed_line"}:
        types.add("fixed_line_or_mobile")
    age = given["max_consent_age_days"]
    return _Policy(
        max_rejected_ratio=Fraction(str(given["max_rejected_ratio"])),
        require_proof=bool(given["require_proof"]),
        max_age=int(age) * 86_400_000_000 if age is not None else None,
        reject_pre_gdpr=bool(given["reject_pre_gdpr"]),
        phone_types=frozenset(types),
    )


def _profile_instant(text: str) -> int:
    moment = parse_instant(text.strip())
    if moment is None:
        raise ValueError(f"not an instant: {text!r}")
    return moment


class ReferenceJudge:
    """Judges rows one at a time and keeps what the batch decision needs."""

    def __init__(
        self,
        *,
        vendor: Mapping[str, Any],
        buyer: Mapping[str, Any],
        rpo: Sequence[RpoConsultation] = (),
        objections: Collection[int] = (),
        now: datetime,
        mode: Mode = "offline",
    ) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.now = now.astimezone(UTC)
        self.now_us = _micros(self.now)
        self.mode = mode
        self.policy = _policy(buyer)
        self.sector = buyer["sector"].strip().casefold()
        self.legal_entity = _without_spaces(vendor["legal_entity_id"])
        self.source_ids = {s["id"].strip() for s in vendor["sources"]}
        self.web_source_ids = {s["id"].strip() for s in vendor["sources"] if s["kind"] == "web"}
        self.domains = [d for s in vendor["sources"] if s["kind"] == "web" for d in s["domains"]]
        self.notices: dict[str, _Notice] = {}
        for item in vendor["informative"]:
            until = item.get("effective_until")
            sectors = {s.strip().casefold() for s in item["third_party_sectors"]}
            self.notices[item["version"].strip()] = _Notice(
                starts=_profile_instant(item["effective_from"]),
                ends=_profile_instant(until) if until else None,
                covers_sector=self.sector in sectors,
                sha256=item["sha256"],
            )
        valid = [c for c in rpo if c.consulted_at <= self.now < c.consulted_at + RPO_VALIDITY]
        self.consultations = sorted(valid, key=lambda c: (c.consulted_at, c.id), reverse=True)
        self.objections = objections
        self.seen: set[str] = set()  # E.164 numbers of earlier rows
        self.rows: list[RowVerdict] = []
        self.pending: list[str] = []
        self.used_consultations: set[str] = set()
        self.versions: set[str] = set()

    # One row --------------------------------------------------------------------------------

    def judge(self, record: Mapping[str, Any]) -> RowVerdict:
        """Judge the next row of the batch (``record``: canonical column -> value or None,
        plus ``_row`` and ``_malformed``)."""
        row_number = int(record.get("_row") or len(self.rows) + 2)
        if record.get("_malformed"):
            verdict = RowVerdict(row_number, "rejected", ("ROW_MALFORMED",), (), None)
            self.rows.append(verdict)
            return verdict

        def value(name: str) -> str | None:
            text = record.get(name)
            return text if _given(text) else None

        found: set[str] = set()
        phone = classify_phone(record.get("phone"))
        if phone.status == "missing":
            found.add("PHONE_MISSING")
        elif phone.status == "invalid":
            found.add("PHONE_INVALID")
        elif phone.status == "not_italian":
            found.add("PHONE_NOT_ITALIAN")
        elif phone.type not in self.policy.phone_types:
            found.add("PHONE_TYPE_NOT_ALLOWED")
        if phone.e164 is not None:
            if phone.e164 in self.seen:
                found.add("PHONE_DUPLICATE")
            self.seen.add(phone.e164)

        email = value("email")
        if email is not None and not is_email(email):
            found.add("EMAIL_INVALID")
        fiscal = value("fiscal_code")
        if fiscal is not None and not is_fiscal_code(fiscal):
            found.add("FISCAL_CODE_INVALID")
        postal = value("postal_code")
        if postal is not None and not is_postal_code(postal):
            found.add("POSTAL_CODE_INVALID")

        source = value("consent_source")
        host = url_host(source) if source is not None else None
        if source is None:
            found.add("CONSENT_SOURCE_MISSING")
        elif source not in self.source_ids and not (
            host is not None and host_is_declared(host, self.domains)
        ):
            found.add("CONSENT_SOURCE_UNDECLARED")
        web = host is not None or (source is not None and source in self.web_source_ids)

        stamp = value("consent_timestamp")
        consent = parse_instant(stamp) if stamp is not None else None
        if stamp is None:
            found.add("CONSENT_TIMESTAMP_MISSING")
        elif consent is None:
            found.add("CONSENT_TIMESTAMP_INVALID")
        elif consent > self.now_us + FUTURE_TOLERANCE // _MICROSECOND:
            found.add("CONSENT_TIMESTAMP_FUTURE")

        version = value("informativa_version")
        notice = self.notices.get(version) if version is not None else None
        if version is None:
            found.add("INFORMATIVA_MISSING")
        elif notice is None:
            found.add("INFORMATIVA_UNKNOWN")
        elif consent is not None and (
            consent < notice.starts or (notice.ends is not None and consent >= notice.ends)
        ):
            found.add("INFORMATIVA_NOT_IN_EFFECT")
        if not is_affirmative(value("consent_third_party")):
            found.add("THIRD_PARTY_CONSENT_MISSING")
        if notice is not None and not notice.covers_sector:
            found.add("SECTOR_NOT_COVERED")
        collector = value("collected_by")
        if collector is not None and _without_spaces(collector) != self.legal_entity:
            found.add("CASCADING_TRANSFER")

        ip = value("consent_ip")
        ip_ok = ip is not None and is_ip_address(ip)
        if ip is not None and not ip_ok:
            found.add("CONSENT_IP_INVALID")
        optin_text = value("double_optin_at")
        optin = parse_instant(optin_text) if optin_text is not None else None
        optin_bad = optin_text is not None and (
            optin is None or (consent is not None and optin < consent)
        )
        if optin_bad:
            found.add("DOUBLE_OPTIN_INVALID")
        if self.policy.require_proof:
            proof = value("proof_ref") is not None
            documented = (optin_text is not None and not optin_bad) or (
                proof and (not web or ip_ok)
            )
            if not documented:
                found.add("CONSENT_PROOF_MISSING")
        if (
            consent is not None
            and self.policy.max_age is not None
            and consent < self.now_us - self.policy.max_age
        ):
            found.add("CONSENT_TOO_OLD")
        if consent is not None and consent < GDPR_APPLIES_FROM:
            found.add("CONSENT_PRE_GDPR")

        if phone.status == "valid":
            self._rpo_codes(phone.e164, consent, found)  # type: ignore[arg-type]
        if phone.e164 is not None and e164_key(phone.e164) in self.objections:
            found.add("OBJECTION_RECORDED")

        warning_codes = {"RPO_REGISTERED_CONSENT_AFTER"}
        if not self.policy.reject_pre_gdpr:
            warning_codes.add("CONSENT_PRE_GDPR")
        codes = tuple(c for c in ROW_CODES if c in found and c not in warning_codes)
        warnings = tuple(c for c in ROW_CODES if c in found and c in warning_codes)
        status: Literal["accepted", "rejected"] = "rejected" if codes else "accepted"
        verdict = RowVerdict(row_number, status, codes, warnings, phone.e164)
        self.rows.append(verdict)
        if codes == ("RPO_NOT_CHECKED",) and self.mode == "service":
            self.pending.append(phone.e164)  # type: ignore[arg-type]
        if status == "accepted" and notice is not None:
            self.versions.add(version)  # type: ignore[arg-type]
        return verdict

    def _rpo_codes(self, e164: str, consent: int | None, found: set[str]) -> None:
        key = e164_key(e164)
        for consultation in self.consultations:
            stored = consultation.registrations.get(key)
            if stored is None:
                continue
            self.used_consultations.add(consultation.id)
            if stored == NOT_REGISTERED:
                return
            if stored == DATE_UNKNOWN or consent is None:
                found.add("RPO_REGISTERED")
                return
            consent_second = consent // 1_000_000
            if stored < consent_second:
                found.add("RPO_REGISTERED_CONSENT_AFTER")
            else:
                found.add("RPO_REGISTERED")
            return
        found.add("RPO_NOT_CHECKED")

    # The batch ------------------------------------------------------------------------------

    def _reasons(self, total: int, accepted: int, rejected: int) -> list[str]:
        if total == 0:
            return ["FILE_EMPTY"]
        reasons = []
        if Fraction(rejected, total) > self.policy.max_rejected_ratio:
            reasons.append("BATCH_REJECTION_RATIO_EXCEEDED")
        if accepted == 0:
            reasons.append("BATCH_NO_ACCEPTED_ROWS")
        return reasons

    def outcome(self) -> ReferenceOutcome:
        """The batch decision over every row judged so far."""
        total = len(self.rows)
        rejected = sum(1 for r in self.rows if r.status == "rejected")
        accepted = total - rejected
        by_code: dict[str, int] = {}
        for verdict in self.rows:
            for code in (*verdict.codes, *verdict.warnings):
                by_code[code] = by_code.get(code, 0) + 1
        counts = {
            "total": total,
            "accepted": accepted,
            "rejected": rejected,
            "warned": sum(1 for r in self.rows if r.warnings),
            "by_code": {c: by_code[c] for c in ROW_CODES if c in by_code},
        }
        reasons = self._reasons(total, accepted, rejected)
        decision: Literal["certified", "rejected", "awaiting_rpo"]
        decision = "rejected" if reasons else "certified"
        unchecked: list[str] = []
        waiting = len(self.pending)
        if waiting and not self._reasons(total, accepted + waiting, rejected - waiting):
            decision = "awaiting_rpo"
            reasons = ["RPO_NOT_CHECKED"]
            unchecked = sorted(set(self.pending))
        used = sorted(
            ((c.id, c.consulted_at) for c in self.consultations if c.id in self.used_consultations),
            key=lambda item: (item[1], item[0]),
        )
        return ReferenceOutcome(
            decision=decision,
            batch_reasons=reasons,
            counts=counts,
            rows=list(self.rows),
            unchecked_numbers=unchecked,
            rpo_consultations=used,
            informative=[(v, self.notices[v].sha256) for v in sorted(self.versions)],
            valid_until=used[0][1] + RPO_VALIDITY if used else None,
        )


def judge_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    vendor: Mapping[str, Any],
    buyer: Mapping[str, Any],
    rpo: Sequence[RpoConsultation] = (),
    objections: Collection[int] = (),
    now: datetime,
    mode: Mode = "offline",
) -> ReferenceOutcome:
    """Judge every row, in order, and decide the batch."""
    judge = ReferenceJudge(
        vendor=vendor, buyer=buyer, rpo=rpo, objections=objections, now=now, mode=mode
    )
    for record in rows:
        judge.judge(record)
    return judge.outcome()


# ---------------------------------------------------------------------------------------------
# A plain CSV reader for the baseline
# ---------------------------------------------------------------------------------------------

_ALIASES: dict[str, tuple[str, ...]] = {
    "phone": ("telefono", "cellulare", "numero", "numero_telefono", "tel"),
    "first_name": ("nome",),
    "last_name": ("cognome",),
    "email": ("e_mail", "posta_elettronica"),
    "fiscal_code": ("codice_fiscale", "cf"),
    "address": ("indirizzo",),
    "postal_code": ("cap",),
    "city": ("comune", "citta"),
    "province": ("provincia", "prov"),
    "consent_source": ("fonte_consenso", "fonte"),
    "consent_timestamp": ("data_consenso", "timestamp_consenso"),
    "informativa_version": ("versione_informativa", "informativa"),
    "consent_third_party": ("consenso_terzi", "consenso_cessione_terzi", "cessione_terzi"),
    "consent_ip": ("ip", "ip_consenso"),
    "double_optin_at": ("data_doppio_optin", "double_opt_in"),
    "proof_ref": ("rif_prova", "prova"),
    "collected_by": ("titolare_raccolta", "raccolto_da"),
}
_COLUMN_OF = {alias: name for name, aliases in _ALIASES.items() for alias in (name, *aliases)}
# Surrounding white space of a cell: ASCII white space and the no-break space.
_CELL_SPACE = " \t\n\r\x0b\x0c\xa0"


def column_name(header: str) -> str | None:
    """The canonical column a header cell names (case, accents, spaces and hyphens ignored)."""
    folded = unicodedata.normalize("NFKD", header.strip().casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"[\s_-]+", "_", folded.strip())
    return _COLUMN_OF.get(folded)


def read_csv_records(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Read a UTF-8 CSV into records for :class:`ReferenceJudge`, with Python's csv module.

    The delimiter is the candidate (comma, semicolon, tab, pipe) most frequent on the header
    line. Values are stripped, empty ones None; a record whose field count differs from the
    header's is malformed; blank records are skipped but counted as rows.
    """
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        delimiter = max(",;\t|", key=first.count)
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader)
        names = [column_name(cell) or cell for cell in header]
        row_number = 1
        for record in reader:
            row_number += 1
            cells = [cell.strip(_CELL_SPACE) for cell in record]
            if not any(cells) and len(cells) <= len(names):
                continue
            values: dict[str, Any] = {
                name: (cells[i] if i < len(cells) and cells[i] else None)
                for i, name in enumerate(names)
            }
            values["_row"] = row_number
            values["_malformed"] = len(cells) != len(names)
            yield values
