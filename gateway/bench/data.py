"""Deterministic benchmark data: a contact list, its RPO consultation and objections.

Every row follows one scenario: a good row, a row with one known fault (one row code), or a
row with one known warning. The generator knows which codes each scenario must produce, so a
benchmark run can check the batch job's counts against :meth:`Batch.expected_counts` and
cannot silently measure a broken run.

Phones: about 70% mobile and 25% fixed-line numbers, 5% malformed (invalid or empty), written
in the ways vendors write them. Around 10% of rows are rejected across most row codes. The RPO
consultation covers every valid Italian number; 5% of the numbers are registered, with the
registration before the consent (a warning), after it, or on an unknown date. Everything is
vectorised (numpy and polars), so a million rows take seconds.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..rules.sample import HEADER as SAMPLE_HEADER
from ..rules.sample import fiscal_code

LEGAL_ENTITY_ID = "IT12345678903"
WEB_DOMAIN = "offerte-luce.example"
BUYER_SECTOR = "energia"
BLOCK_ROWS = 250_000
SEED = 20250616

# The sample's Italian column headers: benchmark files look like a vendor's export.
HEADER = list(SAMPLE_HEADER)

# Scenario name, share of rows, the rejection codes and the warnings it produces. The shares of
# the phone scenarios and of "good" make up the rest (see ``_shares``).
FAULTS: tuple[tuple[str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    ("phone_invalid", 0.045, ("PHONE_INVALID",), ()),
    ("phone_missing", 0.005, ("PHONE_MISSING",), ()),
    ("pre_gdpr", 0.025, (), ("CONSENT_PRE_GDPR",)),
    ("rpo_before_consent", 0.025, (), ("RPO_REGISTERED_CONSENT_AFTER",)),
    ("rpo_after_consent", 0.015, ("RPO_REGISTERED",), ()),
    ("rpo_date_unknown", 0.010, ("RPO_REGISTERED",), ()),
    ("foreign", 0.0012, ("PHONE_NOT_ITALIAN",), ()),
    ("type_not_allowed", 0.0012, ("PHONE_TYPE_NOT_ALLOWED",), ()),
    ("duplicate", 0.0030, ("PHONE_DUPLICATE",), ()),
    ("email_invalid", 0.0012, ("EMAIL_INVALID",), ()),
    ("fiscal_code_invalid", 0.0012, ("FISCAL_CODE_INVALID",), ()),
    ("postal_code_invalid", 0.0012, ("POSTAL_CODE_INVALID",), ()),
    ("source_missing", 0.0012, ("CONSENT_SOURCE_MISSING",), ()),
    ("source_undeclared", 0.0012, ("CONSENT_SOURCE_UNDECLARED",), ()),
    ("timestamp_missing", 0.0012, ("CONSENT_TIMESTAMP_MISSING",), ()),
    ("timestamp_invalid", 0.0012, ("CONSENT_TIMESTAMP_INVALID",), ()),
    ("timestamp_future", 0.0012, ("CONSENT_TIMESTAMP_FUTURE",), ()),
    ("informativa_missing", 0.0012, ("INFORMATIVA_MISSING",), ()),
    ("informativa_unknown", 0.0012, ("INFORMATIVA_UNKNOWN",), ()),
    ("informativa_not_in_effect", 0.0012, ("INFORMATIVA_NOT_IN_EFFECT",), ()),
    ("third_party_missing", 0.0012, ("THIRD_PARTY_CONSENT_MISSING",), ()),
    ("sector_not_covered", 0.0012, ("SECTOR_NOT_COVERED",), ()),
    ("cascading", 0.0012, ("CASCADING_TRANSFER",), ()),
    ("ip_invalid", 0.0012, ("CONSENT_IP_INVALID",), ()),
    ("optin_invalid", 0.0012, ("DOUBLE_OPTIN_INVALID",), ()),
    ("proof_missing", 0.0012, ("CONSENT_PROOF_MISSING",), ()),
    ("objection", 0.0012, ("OBJECTION_RECORDED",), ()),
    ("malformed", 0.0005, ("ROW_MALFORMED",), ()),
)
SCENARIOS = ("good_mobile", "good_fixed", *(name for name, *_ in FAULTS))
_CODES = {name: (codes, warnings) for name, _share, codes, warnings in FAULTS}
_CODES["good_mobile"] = _CODES["good_fixed"] = ((), ())
_S = {name: index for index, name in enumerate(SCENARIOS)}

# Scenarios whose number is a valid Italian number (so the RPO consultation lists it).
_ITALIAN = set(SCENARIOS) - {"phone_invalid", "phone_missing", "foreign"}
# Scenarios whose consent source is not a web source, so a proof reference alone documents it.
# (A consent time that does not parse, or lies ahead, would make a web opt-in look invalid.)
_PAPER_PROOF = (
    "source_missing",
    "source_undeclared",
    "optin_invalid",
    "proof_missing",
    "timestamp_missing",
    "timestamp_invalid",
    "timestamp_future",
)

# fmt: off
_MOBILE_PREFIXES = (
    "320", "324", "328", "329", "331", "333", "334", "338", "339", "340", "342", "345", "347",
    "348", "349", "351", "366", "370", "377", "380", "388", "389", "391", "392", "393",
)
_AREAS = ("02", "06", "011", "051", "055", "081", "010", "091")
_FIRST = (
    "Marco", "Luca", "Giuseppe", "Francesco", "Andrea", "Matteo", "Giulia", "Chiara", "Sara",
    "Martina", "Valentina", "Elena", "Laura", "Anna",
)
_LAST = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa",
)
_CITIES = (
    ("Roma", "RM", "00185", "H501"),
    ("Milano", "MI", "20121", "F205"),
    ("Napoli", "NA", "80133", "F839"),
    ("Torino", "TO", "10121", "L219"),
    ("Forlì", "FC", "47121", "D704"),
    ("Bologna", "BO", "40121", "A944"),
    ("Firenze", "FI", "50122", "D612"),
    ("Bari", "BA", "70121", "A662"),
)
_STREETS = (
    "Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Viale Europa",
    "Piazza della Repubblica", "Via Cavour", "Via Dante",
)
_YES = ("si", "sì", "SI", "Sì", "1", "x", "yes")
_INVALID_PHONES = (
    "12345", "+39 333", "3331", "06 12", "non disponibile", "000", "+39 12 345", "347 12",
)
_BAD_EMAILS = ("mario.rossi@", "@example.it", "mario rossi@example.it", "a..b@example.it")
# fmt: on

_WEB_URL = f"https://www.{WEB_DOMAIN}/contatti"
_SOURCES = ("web-offerte", _WEB_URL, "fiera-milano-2024", "modulo-cartaceo", "call-center-inbound")
_WEB_SOURCES = 2  # the first two of _SOURCES are web sources

_CONSENT_FROM = int(datetime(2018, 6, 1, tzinfo=UTC).timestamp())
_CONSENT_UNTIL = int(datetime(2025, 5, 31, tzinfo=UTC).timestamp())
_PRE_GDPR_FROM = int(datetime(2016, 2, 1, tzinfo=UTC).timestamp())
_PRE_GDPR_UNTIL = int(datetime(2018, 5, 20, tzinfo=UTC).timestamp())
_TLC_FROM = int(datetime(2022, 2, 1, tzinfo=UTC).timestamp())
_DAY = 86_400


def _notice_sha(version: str) -> str:
    return hashlib.sha256(f"Informativa privacy, versione {version}".encode()).hexdigest()


def vendor_profile() -> dict[str, Any]:
    """The vendor's profile: three informativa versions and five declared sources."""
    notices = [
        ("2016-01", "2016-01-01", "2018-05-25", ["energia", "telecomunicazioni"]),
        ("2018-05", "2018-05-25", None, ["energia", "telecomunicazioni", "assicurazioni"]),
        ("2022-tlc", "2022-01-01", None, ["telecomunicazioni"]),
    ]
    informative = []
    for version, start, end, sectors in notices:
        item: dict[str, Any] = {
            "version": version,
            "effective_from": start,
            "sha256": _notice_sha(version),
            "url": f"https://www.{WEB_DOMAIN}/privacy/{version}",
            "third_party_sectors": sectors,
        }
        if end:
            item["effective_until"] = end
        informative.append(item)
    return {
        "vendor_id": "placeholder",
        "legal_entity_id": LEGAL_ENTITY_ID,
        "name": "Contatti Veloci S.r.l.",
        "informative": informative,
        "sources": [
            {"id": "web-offerte", "kind": "web", "domains": [WEB_DOMAIN]},
            {"id": "fiera-milano-2024", "kind": "event"},
            {"id": "modulo-cartaceo", "kind": "paper"},
            {"id": "call-center-inbound", "kind": "phone"},
        ],
    }


def buyer_profile() -> dict[str, Any]:
    """The buyer's profile; its limit leaves room for the ~10% of rejected rows."""
    return {
        "buyer_id": "placeholder",
        "name": "Energia Nord S.p.A.",
        "roc_number": "23456",
        "sector": BUYER_SECTOR,
        "policy": {"max_rejected_ratio": 0.15},
    }


def _shares(malformed: bool) -> np.ndarray:
    faults = {name: share for name, share, *_ in FAULTS}
    if not malformed:
        faults["malformed"] = 0.0
    rest = 1.0 - sum(faults.values())
    # Of the rows with a usable number, 70:25 mobile to fixed line overall.
    shares = {"good_mobile": rest * 0.72, "good_fixed": rest * 0.28, **faults}
    return np.array([shares[name] for name in SCENARIOS])


@dataclass
class Batch:
    """A generated batch: its files and the outcome the rules must reach."""

    rows: int
    scenario_counts: dict[str, int]
    files: dict[str, Path]

    def expected_counts(self) -> dict[str, Any]:
        """``counts`` as the batch manifest states them (by_code holds warnings too)."""
        by_code: dict[str, int] = {}
        rejected = warned = 0
        for name, count in self.scenario_counts.items():
            codes, warnings = _CODES[name]
            for code in (*codes, *warnings):
                by_code[code] = by_code.get(code, 0) + count
            rejected += count if codes else 0
            warned += count if warnings else 0
        return {
            "total": self.rows,
            "accepted": self.rows - rejected,
            "rejected": rejected,
            "warned": warned,
            "by_code": {code: n for code, n in sorted(by_code.items()) if n},
        }


class _Block:
    """One block of rows: each row's scenario, and helpers to draw its values."""

    def __init__(self, start: int, scenario: np.ndarray, seed: int, fiscal_pool: list[str]):
        self.n = len(scenario)
        self.index = np.arange(start, start + self.n, dtype=np.int64)
        self.scenario = scenario
        self.rng = np.random.default_rng([seed, start])
        self.fiscal_pool = fiscal_pool

    def pick(self, values: Any) -> pl.Series:
        """A value of ``values`` for each row, drawn at random."""
        pool = pl.Series(values, dtype=pl.Utf8)
        return pool.gather(self.rng.integers(0, len(pool), self.n))

    def mask(self, *names: str) -> np.ndarray:
        return np.isin(self.scenario, [_S[name] for name in names])

    def chance(self, share: float) -> np.ndarray:
        return self.rng.random(self.n) < share


def _text(values: Any) -> pl.Series:
    """A Utf8 series from numbers (or an existing series)."""
    return pl.Series(values).cast(pl.Utf8)


def _either(mask: np.ndarray, yes: str, no: str) -> pl.Series:
    """``yes`` where ``mask``, ``no`` elsewhere."""
    return pl.select(pl.when(pl.Series(mask)).then(pl.lit(yes)).otherwise(pl.lit(no))).to_series()


def _cat(*parts: Any) -> pl.Series:
    """Concatenate series and strings element-wise."""
    return pl.select(
        pl.concat_str([p if isinstance(p, pl.Series) else pl.lit(p) for p in parts])
    ).to_series()


def _when(mask: np.ndarray, value: pl.Series | str, otherwise: pl.Series) -> pl.Series:
    """``value`` where ``mask``, ``otherwise`` elsewhere."""
    return pl.select(pl.when(pl.Series(mask)).then(pl.lit(value)).otherwise(otherwise)).to_series()


def _unique_digits(index: np.ndarray) -> pl.Series:
    """Seven digits unique to each row index (below ten million), in a scattered order."""
    return _text((index * 7_654_321 + 1_234_567) % 10_000_000).str.zfill(7)


def _style_italian(national: pl.Series, style: np.ndarray) -> pl.Series:
    """Write national numbers as vendors do: bare, +39, +39 with spaces, 0039 grouped."""
    n = pl.col("n")
    s = pl.col("s")
    return (
        pl.DataFrame({"n": national, "s": style})
        .select(
            pl.when(s == 0)
            .then(n)
            .when(s == 1)
            .then(pl.lit("+39") + n)
            .when(s == 2)
            .then(pl.concat_str([pl.lit("+39 "), n.str.slice(0, 3), pl.lit(" "), n.str.slice(3)]))
            .otherwise(
                pl.concat_str(
                    [
                        pl.lit("0039 "),
                        n.str.slice(0, 3),
                        pl.lit(" "),
                        n.str.slice(3, 3),
                        pl.lit(" "),
                        n.str.slice(6),
                    ]
                )
            )
        )
        .to_series()
    )


def _wall_text(epoch: np.ndarray, fmt: str, zone: str = "Europe/Rome") -> pl.Series:
    """Epoch seconds written as wall time in a zone."""
    moments = pl.Series(epoch * 1_000_000, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
    return moments.dt.convert_time_zone(zone).dt.strftime(fmt)


def _phones(block: _Block) -> tuple[pl.Series, pl.Series]:
    """The phone column as written, and each row's number in E.164 (where it has one)."""
    index = block.index
    unique = _unique_digits(index)
    lead = _text(2 + index % 8)
    mobile = _cat(block.pick(_MOBILE_PREFIXES), unique)
    # Area code, a digit 2-9 and the seven unique digits: ten or eleven digits in all.
    fixed = _cat(block.pick(_AREAS), lead, unique)
    national = _when(block.mask("good_fixed"), fixed, mobile)
    # Numbers the buyer's policy refuses: toll-free while the index allows it, then personal
    # and VoIP numbers, all unique.
    toll_free = _cat("800", _text(index % 1_000_000).str.zfill(6))
    other = _when(index % 2 == 0, _cat("178", unique), _cat("55", lead, unique))
    special = _when(index < 1_000_000, toll_free, other)
    national = _when(block.mask("type_not_allowed"), special, national)
    e164 = _cat("+39", national)
    phone = _style_italian(national, block.rng.integers(0, 4, block.n))
    phone = _when(block.mask("type_not_allowed"), national, phone)
    foreign = _cat("+44 20 7", unique)
    phone = _when(block.mask("foreign"), foreign, phone)
    e164 = _when(block.mask("foreign"), _cat("+44207", unique), e164)
    invalid = pl.Series(_INVALID_PHONES, dtype=pl.Utf8).gather(index % len(_INVALID_PHONES))
    phone = _when(block.mask("phone_invalid"), invalid, phone)
    phone = _when(block.mask("phone_missing"), "", phone)
    usable = ~block.mask("phone_invalid", "phone_missing")
    e164 = pl.select(pl.when(pl.Series(usable)).then(e164)).to_series()
    return phone, e164


def _build_block(block: _Block) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The block's rows (``HEADER`` columns plus ``_``-columns) and its RPO lines."""
    n = block.n
    index = block.index
    phone, e164 = _phones(block)

    first = block.pick(_FIRST)
    last = block.pick(_LAST)
    city = block.rng.integers(0, len(_CITIES), n)
    email = _cat(
        first.str.to_lowercase(),
        ".",
        last.str.to_lowercase().str.replace_all(" ", ""),
        _text(index % 97),
        "@example.it",
    )
    email = _when(block.chance(0.1), "", email)
    email = _when(block.mask("email_invalid"), block.pick(_BAD_EMAILS), email)
    fiscal = block.pick(block.fiscal_pool)
    wrong_check = _cat(
        fiscal.str.slice(0, 15),
        _either((fiscal.str.slice(15) == "A").to_numpy(), "B", "A"),
    )
    fiscal = _when(block.chance(0.2), "", fiscal)
    fiscal = _when(block.mask("fiscal_code_invalid"), wrong_check, fiscal)
    # Some addresses hold the delimiter, so the CSV quotes them.
    street = _cat(
        block.pick(_STREETS),
        _either(block.chance(0.2), ", ", " "),
        _text(block.rng.integers(1, 200, n)),
    )
    postal = pl.Series([c[2] for c in _CITIES]).gather(city)
    postal = _when(block.mask("postal_code_invalid"), "1234", postal)

    source_index = block.rng.integers(0, len(_SOURCES), n)
    source_index = np.where(block.mask(*_PAPER_PROOF), 3, source_index)
    source_index = np.where(block.mask("ip_invalid"), 0, source_index)
    web = source_index < _WEB_SOURCES
    source = pl.Series(_SOURCES, dtype=pl.Utf8).gather(source_index)
    source = _when(block.mask("source_missing"), "", source)
    source = _when(block.mask("source_undeclared"), "volantino-spiaggia", source)

    consent = block.rng.integers(_CONSENT_FROM, _CONSENT_UNTIL, n)
    pre_gdpr = block.mask("pre_gdpr")
    consent = np.where(pre_gdpr, block.rng.integers(_PRE_GDPR_FROM, _PRE_GDPR_UNTIL, n), consent)
    tlc = block.mask("sector_not_covered")
    consent = np.where(tlc, block.rng.integers(_TLC_FROM, _CONSENT_UNTIL, n), consent)
    time_style = block.rng.integers(0, 4, n)
    iso = pl.col("iso")
    consent_text = (
        pl.DataFrame(
            {
                "iso": _wall_text(consent, "%Y-%m-%dT%H:%M:%S"),
                "style": time_style,
                "utc": _wall_text(consent, "%Y-%m-%dT%H:%M:%SZ", "UTC"),
            }
        )
        .select(
            pl.when(pl.col("style") == 1)
            .then(
                pl.concat_str(
                    [
                        iso.str.slice(8, 2),
                        pl.lit("/"),
                        iso.str.slice(5, 2),
                        pl.lit("/"),
                        iso.str.slice(0, 4),
                        pl.lit(" "),
                        iso.str.slice(11, 5),
                    ]
                )
            )
            .when(pl.col("style") == 2)
            .then(pl.col("utc"))
            .when(pl.col("style") == 3)
            .then(iso.str.replace("T", " ", literal=True))
            .otherwise(iso)
        )
        .to_series()
    )
    exact = ~block.mask("timestamp_missing", "timestamp_invalid", "timestamp_future")
    consent_text = _when(block.mask("timestamp_missing"), "", consent_text)
    consent_text = _when(block.mask("timestamp_invalid"), "31/02/2024 10:00", consent_text)
    consent_text = _when(block.mask("timestamp_future"), "2099-06-01T10:00:00", consent_text)

    version = _either(pre_gdpr, "2016-01", "2018-05")
    version = _when(block.mask("informativa_missing"), "", version)
    version = _when(block.mask("informativa_unknown"), "2099-99", version)
    version = _when(block.mask("informativa_not_in_effect"), "2016-01", version)
    version = _when(tlc, "2022-tlc", version)
    third = block.pick(_YES)
    third = _when(block.mask("third_party_missing"), "no", third)

    ipv4 = _cat("93.", _text(block.rng.integers(32, 64, n)), ".", _text(index % 256), ".7")
    ipv6 = _cat("2001:db8:", _text(index % 10_000), "::1")
    ip = _when(block.chance(0.7), ipv4, ipv6)
    ip = _when(~web, "", ip)
    ip = _when(block.mask("ip_invalid"), "300.1.2.3", ip)
    with_optin = (web & block.chance(0.5)) | block.mask("ip_invalid", "optin_invalid")
    optin_at = consent + block.rng.integers(60, 36_000, n)
    optin_at = np.where(block.mask("optin_invalid"), consent - _DAY, optin_at)
    # With its offset: a wall time alone would be ambiguous in the hour clocks go back, and
    # the earlier reading could fall before the consent.
    optin = _when(~with_optin, "", _wall_text(optin_at, "%Y-%m-%dT%H:%M:%S%:z"))
    proof = _cat(_either(web, "SMS-", "PRV-"), _text(100_000 + index % 900_000))
    proof = _when(web & with_optin & block.chance(0.5), "", proof)
    proof = _when(block.mask("proof_missing"), "", proof)
    collector = block.pick([LEGAL_ENTITY_ID, "it 12345678903", "", ""])
    collector = _when(block.mask("cascading"), "IT98765432105", collector)

    rows = pl.DataFrame(
        {
            "telefono": phone,
            "nome": first,
            "cognome": last,
            "email": email,
            "codice_fiscale": fiscal,
            "indirizzo": street,
            "cap": postal,
            "comune": pl.Series([c[0] for c in _CITIES]).gather(city),
            "provincia": pl.Series([c[1] for c in _CITIES]).gather(city),
            "fonte_consenso": source,
            "data_consenso": consent_text,
            "versione_informativa": version,
            "consenso_terzi": third,
            "ip_consenso": ip,
            "data_doppio_optin": optin,
            "rif_prova": proof,
            "titolare_raccolta": collector,
            "id_cliente": _cat("C", _text(index).str.zfill(8)),
            "_e164": e164,
            "_scenario": block.scenario,
            "_consent": consent,
            "_consent_exact": exact & (time_style == 0),
        }
    )
    registered = block.mask("rpo_before_consent", "rpo_after_consent", "rpo_date_unknown")
    margin = block.rng.integers(3, 400, n) * _DAY
    registered_at = np.where(block.mask("rpo_before_consent"), consent - margin, consent + margin)
    at_text = _wall_text(registered_at, "%Y-%m-%dT%H:%M:%SZ", "UTC")
    at_text = _when(block.chance(0.3), at_text.str.slice(0, 10), at_text)
    at_text = _when(~registered | block.mask("rpo_date_unknown"), "", at_text)
    # Every valid Italian number once: duplicates repeat an earlier row's number.
    listed = ~block.mask("phone_invalid", "phone_missing", "foreign", "duplicate")
    rpo = pl.DataFrame(
        {"phone": e164, "registered": _either(registered, "si", "no"), "registered_at": at_text}
    ).filter(pl.Series(listed))
    return rows, rpo


def _fiscal_pool(seed: int) -> list[str]:
    rng = np.random.default_rng([seed, 0])
    codes = []
    for i in range(400):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i * 7) % len(_LAST)]
        female = first.endswith("a")
        birth = datetime(
            1950 + int(rng.integers(0, 50)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
        )
        place = _CITIES[i % len(_CITIES)][3]
        codes.append(fiscal_code(first, last, birth, female, place))
    return codes


def _duplicates(rows: pl.DataFrame, previous: str | None) -> tuple[pl.DataFrame, str | None]:
    """Give each duplicate row the number of the nearest earlier good row, written anew."""
    good = pl.col("_scenario").is_in([_S["good_mobile"], _S["good_fixed"]])
    origin = pl.when(good).then(pl.col("_e164")).forward_fill().shift(1)
    if previous is not None:
        origin = origin.fill_null(pl.lit(previous))
    duplicate = pl.col("_scenario") == _S["duplicate"]
    rows = rows.with_columns(
        pl.when(duplicate)
        .then(pl.lit("+39 ") + origin.str.slice(3))
        .otherwise(pl.col("telefono"))
        .alias("telefono"),
        pl.when(duplicate).then(origin).otherwise(pl.col("_e164")).alias("_e164"),
    )
    last = rows.filter(good).get_column("_e164").tail(1).to_list()
    return rows, (last[0] if last else previous)


def _csv_lines(rows: pl.DataFrame) -> pl.Series:
    """One CSV line per row; fields holding a comma are quoted, malformed rows get a field more."""
    fields = []
    for name in HEADER:
        col = pl.col(name)
        fields.append(
            pl.when(col.str.contains(",", literal=True))
            .then(pl.lit('"') + col + pl.lit('"'))
            .otherwise(col)
        )
    line = pl.concat_str(fields, separator=",")
    malformed = pl.col("_scenario") == _S["malformed"]
    return rows.select(
        pl.when(malformed).then(line + pl.lit(",campo in più")).otherwise(line).alias("line")
    ).to_series()


def generate_blocks(
    rows: int, *, seed: int = SEED, sheet: bool = False
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Yield (rows, RPO lines) blocks of the batch; ``sheet`` leaves out malformed rows."""
    if not 0 < rows < 10_000_000:
        raise ValueError("rows must be between 1 and 9,999,999 (numbers must stay unique)")
    shares = _shares(malformed=not sheet)
    pool = _fiscal_pool(seed)
    previous: str | None = None
    for start in range(0, rows, BLOCK_ROWS):
        n = min(BLOCK_ROWS, rows - start)
        rng = np.random.default_rng([seed, start, 1])
        scenario = rng.choice(len(SCENARIOS), size=n, p=shares / shares.sum())
        if start == 0:
            scenario[0] = _S["good_mobile"]  # so every duplicate has an earlier row to repeat
        block, rpo = _build_block(_Block(start, scenario, seed, pool))
        block, previous = _duplicates(block, previous)
        yield block, rpo


def _count(block: pl.DataFrame, counts: dict[str, int]) -> None:
    values, numbers = np.unique(block.get_column("_scenario").to_numpy(), return_counts=True)
    for value, number in zip(values, numbers, strict=True):
        counts[SCENARIOS[int(value)]] += int(number)


def _objections(block: pl.DataFrame) -> pl.DataFrame:
    return block.filter(pl.col("_scenario") == _S["objection"]).select(
        pl.col("_e164").alias("phone"), pl.lit("2025-01-01T00:00:00Z").alias("recorded_at")
    )


def write_batch(folder: Path, rows: int, *, kind: str = "csv", seed: int = SEED) -> Batch:
    """Write the batch (``batch.csv`` or ``batch.xlsx``), ``rpo.csv`` (format A) and
    ``objections.csv`` into ``folder``; return the batch and its expected outcome."""
    from .xlsx import SheetWriter

    if kind not in ("csv", "xlsx"):
        raise ValueError(f"kind must be csv or xlsx, not {kind!r}")
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "batch": folder / f"batch.{kind}",
        "rpo": folder / "rpo.csv",
        "objections": folder / "objections.csv",
    }
    counts = dict.fromkeys(SCENARIOS, 0)
    with (
        open(files["rpo"], "wb") as rpo_out,
        open(files["objections"], "wb") as objection_out,
        contextlib.ExitStack() as stack,
    ):
        rpo_out.write(b"phone,registered,registered_at\n")
        objection_out.write(b"phone,recorded_at\n")
        if kind == "csv":
            batch_out = stack.enter_context(open(files["batch"], "wb"))
            batch_out.write((",".join(HEADER) + "\n").encode())
        else:
            sheet = stack.enter_context(SheetWriter(files["batch"], HEADER))
        for block, rpo in generate_blocks(rows, seed=seed, sheet=kind == "xlsx"):
            _count(block, counts)
            if kind == "csv":
                pl.DataFrame({"line": _csv_lines(block)}).write_csv(
                    batch_out, include_header=False, quote_style="never"
                )
            else:
                sheet.write(block)
            rpo.write_csv(rpo_out, include_header=False)
            _objections(block).write_csv(objection_out, include_header=False)
    return Batch(rows, {k: v for k, v in counts.items() if v}, files)
