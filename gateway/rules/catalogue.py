"""The codes of ruleset 1: what each means, in English and Italian, and on what legal ground.

The code names are a public contract (domain.md): vendors, buyers and tests depend on them. Row
codes are listed in the order the report shows them. ``ruleset_config_hash`` fingerprints the
rule configuration (codes, order, kinds, fields and constants), so a certificate names exactly
which rules judged the batch; the wording of messages is not part of it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

RULESET_VERSION = "1"

Kind = Literal["reject", "warning", "file", "batch"]

# Constants the rules use; they are part of the configuration hash.
RPO_VALIDITY_DAYS = 15
FUTURE_TOLERANCE_SECONDS = 300
GDPR_DATE = "2018-05-25T00:00:00+02:00"  # 25 May 2018, 00:00 Europe/Rome
TIMEZONE = "Europe/Rome"

POLICY_DEFAULTS: dict[str, Any] = {
    "max_rejected_ratio": 0.10,
    "require_proof": True,
    "max_consent_age_days": None,
    "reject_pre_gdpr": False,
    "phone_types": ["mobile", "fixed_line"],
}

_RPO = "Legge 5/2018; DPR 26/2022 (Registro Pubblico delle Opposizioni)"
_RPO_CADENCE = "DPR 26/2022 art. 8 (an RPO consultation is valid 15 days for telephone marketing)"
_THIRD_PARTY = "Garante, provv. 330 of 4 July 2013 (specific consent to third-party communication)"
_SECTOR = "Garante, provv. 114 of 27 February 2025 (consent granular by recipient sector)"
_ONE_HOP = "Garante, Iren Mercato decision of 13 May 2021 (one transfer only)"
_PROOF = "Codice di condotta per il telemarketing (GU 73 of 27 March 2024), art. 6"
_GDPR_INFO = "GDPR art. 13 (information to the data subject); Codice di condotta, art. 6"
_ACCOUNTABILITY = "GDPR art. 5(1)(d) and 5(2) (accuracy and accountability)"


@dataclass(frozen=True)
class RuleCode:
    """One code of the ruleset: its kind, the input columns it is about and its messages."""

    code: str
    kind: Kind
    fields: tuple[str, ...]
    message_en: str
    message_it: str
    legal_ground: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form (for the API and the portal)."""
        return {
            "code": self.code,
            "kind": self.kind,
            "fields": list(self.fields),
            "message_en": self.message_en,
            "message_it": self.message_it,
            "legal_ground": self.legal_ground,
        }


_ROW_CODES: tuple[RuleCode, ...] = (
    RuleCode(
        "ROW_MALFORMED",
        "reject",
        (),
        "The row has a different number of fields than the header, so its values cannot be "
        "matched to their columns.",
        "La riga ha un numero di campi diverso dall'intestazione: non si può sapere a quale "
        "colonna appartiene ciascun valore.",
    ),
    RuleCode(
        "PHONE_MISSING",
        "reject",
        ("phone",),
        "The phone number is empty.",
        "Il numero di telefono è vuoto.",
    ),
    RuleCode(
        "PHONE_INVALID",
        "reject",
        ("phone",),
        "The phone number is not a valid number (checked as an Italian number when it has no "
        "international prefix).",
        "Il numero di telefono non è valido (se manca il prefisso internazionale viene "
        "controllato come numero italiano).",
    ),
    RuleCode(
        "PHONE_NOT_ITALIAN",
        "reject",
        ("phone",),
        "The phone number is valid but not Italian (its country code is not +39).",
        "Il numero di telefono è valido ma non è italiano (il prefisso internazionale non è +39).",
    ),
    RuleCode(
        "PHONE_TYPE_NOT_ALLOWED",
        "reject",
        ("phone",),
        "The buyer does not accept this type of number (for example toll-free, premium rate, "
        "shared cost, personal or VoIP numbers).",
        "Il committente non accetta questo tipo di numero (per esempio numeri verdi, a "
        "tariffazione speciale, a costo ripartito, personali o VoIP).",
    ),
    RuleCode(
        "PHONE_DUPLICATE",
        "reject",
        ("phone",),
        "The same phone number already appears on an earlier row of this file.",
        "Lo stesso numero di telefono compare già in una riga precedente di questo file.",
    ),
    RuleCode(
        "EMAIL_INVALID",
        "reject",
        ("email",),
        "The e-mail address is not a valid address.",
        "L'indirizzo e-mail non è valido.",
        _ACCOUNTABILITY,
    ),
    RuleCode(
        "FISCAL_CODE_INVALID",
        "reject",
        ("fiscal_code",),
        "The fiscal code is not a valid codice fiscale (16 characters with a correct check "
        "letter, or 11 digits with a correct check digit).",
        "Il codice fiscale non è valido (16 caratteri con carattere di controllo corretto, "
        "oppure 11 cifre con cifra di controllo corretta).",
        _ACCOUNTABILITY,
    ),
    RuleCode(
        "POSTAL_CODE_INVALID",
        "reject",
        ("postal_code",),
        "The postal code (CAP) is not five digits.",
        "Il CAP non è composto da cinque cifre.",
        _ACCOUNTABILITY,
    ),
    RuleCode(
        "CONSENT_SOURCE_MISSING",
        "reject",
        ("consent_source",),
        "The consent source is empty: where the consent was collected must be stated.",
        "La fonte del consenso è vuota: va indicato dove è stato raccolto il consenso.",
        _PROOF,
    ),
    RuleCode(
        "CONSENT_SOURCE_UNDECLARED",
        "reject",
        ("consent_source",),
        "The consent source is not one of the sources declared in your profile (a source id, "
        "or a web address on one of your declared domains).",
        "La fonte del consenso non è tra quelle dichiarate nel profilo (un identificativo di "
        "fonte, oppure un indirizzo web su uno dei domini dichiarati).",
        _PROOF,
    ),
    RuleCode(
        "CONSENT_TIMESTAMP_MISSING",
        "reject",
        ("consent_timestamp",),
        "The consent date and time is empty.",
        "La data e l'ora del consenso sono vuote.",
        _PROOF,
    ),
    RuleCode(
        "CONSENT_TIMESTAMP_INVALID",
        "reject",
        ("consent_timestamp",),
        "The consent date and time cannot be read. Use for example 2024-03-01T10:15:00, "
        "2024-03-01T10:15:00+01:00, 01/03/2024 10:15 or 2024-03-01.",
        "La data e l'ora del consenso non sono leggibili. Usare per esempio "
        "2024-03-01T10:15:00, 2024-03-01T10:15:00+01:00, 01/03/2024 10:15 oppure 2024-03-01.",
        _PROOF,
    ),
    RuleCode(
        "CONSENT_TIMESTAMP_FUTURE",
        "reject",
        ("consent_timestamp",),
        "The consent date and time is in the future (more than five minutes after processing).",
        "La data e l'ora del consenso sono nel futuro (oltre cinque minuti dopo l'elaborazione).",
        _PROOF,
    ),
    RuleCode(
        "INFORMATIVA_MISSING",
        "reject",
        ("informativa_version",),
        "The privacy notice (informativa) version is empty.",
        "La versione dell'informativa privacy è vuota.",
        _GDPR_INFO,
    ),
    RuleCode(
        "INFORMATIVA_UNKNOWN",
        "reject",
        ("informativa_version",),
        "The privacy notice (informativa) version is not one of the versions in your profile.",
        "La versione dell'informativa non è tra quelle registrate nel profilo.",
        _GDPR_INFO,
    ),
    RuleCode(
        "INFORMATIVA_NOT_IN_EFFECT",
        "reject",
        ("informativa_version", "consent_timestamp"),
        "That privacy notice version was not in effect at the time of consent.",
        "Quella versione dell'informativa non era in vigore al momento del consenso.",
        _GDPR_INFO,
    ),
    RuleCode(
        "THIRD_PARTY_CONSENT_MISSING",
        "reject",
        ("consent_third_party",),
        "There is no specific consent to the communication of the data to third parties.",
        "Manca il consenso specifico alla comunicazione dei dati a terzi.",
        _THIRD_PARTY,
    ),
    RuleCode(
        "SECTOR_NOT_COVERED",
        "reject",
        ("informativa_version",),
        "The privacy notice version does not name the buyer's business sector among the "
        "recipients of the data.",
        "La versione dell'informativa non indica il settore merceologico del committente tra i "
        "destinatari dei dati.",
        _SECTOR,
    ),
    RuleCode(
        "CASCADING_TRANSFER",
        "reject",
        ("collected_by",),
        "The data was collected by someone other than you: a list received from another party "
        "cannot be passed on (one transfer only).",
        "I dati sono stati raccolti da un soggetto diverso da te: una lista ricevuta da altri non "
        "può essere ceduta di nuovo (una sola cessione).",
        _ONE_HOP,
    ),
    RuleCode(
        "CONSENT_IP_INVALID",
        "reject",
        ("consent_ip",),
        "The consent IP address is not a valid IPv4 or IPv6 address.",
        "L'indirizzo IP del consenso non è un indirizzo IPv4 o IPv6 valido.",
        _PROOF,
    ),
    RuleCode(
        "DOUBLE_OPTIN_INVALID",
        "reject",
        ("double_optin_at", "consent_timestamp"),
        "The double opt-in date cannot be read or is earlier than the consent.",
        "La data del doppio opt-in non è leggibile oppure è precedente al consenso.",
        _PROOF,
    ),
    RuleCode(
        "CONSENT_PROOF_MISSING",
        "reject",
        ("proof_ref", "consent_ip", "double_optin_at", "consent_source"),
        "The consent is not documented: a valid double opt-in, or a proof reference together "
        "with a valid IP address for web sources, or a proof reference for other sources, is "
        "required.",
        "Il consenso non è documentato: serve un doppio opt-in valido, oppure un riferimento "
        "alla prova insieme a un indirizzo IP valido per le fonti web, oppure un riferimento "
        "alla prova per le altre fonti.",
        _PROOF,
    ),
    RuleCode(
        "CONSENT_TOO_OLD",
        "reject",
        ("consent_timestamp",),
        "The consent is older than the buyer accepts.",
        "Il consenso è più vecchio di quanto il committente accetti.",
        "Buyer policy (max_consent_age_days)",
    ),
    RuleCode(
        "CONSENT_PRE_GDPR",
        "warning",
        ("consent_timestamp",),
        "The consent was given before the GDPR applied (25 May 2018). It rejects the row when "
        "the buyer's policy says so.",
        "Il consenso è anteriore all'applicazione del GDPR (25 maggio 2018). Scarta la riga se "
        "la policy del committente lo prevede.",
        "Garante, Carrefour decision (2020); GDPR art. 7",
    ),
    RuleCode(
        "RPO_NOT_CHECKED",
        "reject",
        ("phone",),
        "The number has not been checked against the Registro Pubblico delle Opposizioni in "
        "the last 15 days.",
        "Il numero non è stato verificato nel Registro Pubblico delle Opposizioni negli ultimi "
        "15 giorni.",
        _RPO_CADENCE,
    ),
    RuleCode(
        "RPO_REGISTERED",
        "reject",
        ("phone", "consent_timestamp"),
        "The number is registered in the Registro Pubblico delle Opposizioni, and the "
        "registration is not earlier than the consent (or its date is unknown).",
        "Il numero è iscritto nel Registro Pubblico delle Opposizioni e l'iscrizione non è "
        "anteriore al consenso (oppure la sua data non è nota).",
        _RPO,
    ),
    RuleCode(
        "RPO_REGISTERED_CONSENT_AFTER",
        "warning",
        ("phone", "consent_timestamp"),
        "The number is registered in the Registro Pubblico delle Opposizioni, but the consent "
        "was given after the registration, so it is valid.",
        "Il numero è iscritto nel Registro Pubblico delle Opposizioni, ma il consenso è "
        "successivo all'iscrizione ed è quindi valido.",
        _RPO,
    ),
    RuleCode(
        "OBJECTION_RECORDED",
        "reject",
        ("phone",),
        "The owner of this number has objected to being contacted by this buyer or by anyone.",
        "L'intestatario di questo numero si è opposto ai contatti di questo committente o di "
        "chiunque.",
        "GDPR art. 21(2)-(3) (right to object to direct marketing)",
    ),
)

_FILE_CODES: tuple[RuleCode, ...] = (
    RuleCode(
        "FILE_TYPE_UNSUPPORTED",
        "file",
        (),
        "The file is neither CSV text nor a spreadsheet (XLSX).",
        "Il file non è né un testo CSV né un foglio di calcolo (XLSX).",
    ),
    RuleCode(
        "FILE_UNREADABLE",
        "file",
        (),
        "The spreadsheet cannot be read (it is damaged or password-protected).",
        "Il foglio di calcolo non è leggibile (è danneggiato o protetto da password).",
    ),
    RuleCode(
        "FILE_ENCODING_INVALID",
        "file",
        (),
        "The file's text encoding is not supported (use UTF-8, UTF-16 with BOM or Windows-1252).",
        "La codifica del testo non è supportata (usare UTF-8, UTF-16 con BOM o Windows-1252).",
    ),
    RuleCode(
        "FILE_TOO_LARGE",
        "file",
        (),
        "The file is larger than the upload limit.",
        "Il file supera il limite di dimensione consentito.",
    ),
    RuleCode(
        "FILE_EMPTY",
        "file",
        (),
        "The file has no data rows.",
        "Il file non contiene righe di dati.",
    ),
    RuleCode(
        "HEADER_MISSING_COLUMNS",
        "file",
        (),
        "The header lacks required columns (phone, consent_source, consent_timestamp, "
        "informativa_version, consent_third_party, or their Italian names).",
        "Nell'intestazione mancano colonne obbligatorie (telefono, fonte_consenso, "
        "data_consenso, versione_informativa, consenso_terzi o i nomi inglesi equivalenti).",
    ),
    RuleCode(
        "HEADER_DUPLICATE_COLUMN",
        "file",
        (),
        "Two header columns name the same field.",
        "Due colonne dell'intestazione indicano lo stesso campo.",
    ),
)

_BATCH_CODES: tuple[RuleCode, ...] = (
    RuleCode(
        "BATCH_REJECTION_RATIO_EXCEEDED",
        "batch",
        (),
        "Too many rows were rejected: the share of rejected rows is above the buyer's limit.",
        "Troppe righe scartate: la quota di righe scartate supera il limite del committente.",
        "Buyer policy (max_rejected_ratio)",
    ),
    RuleCode(
        "BATCH_NO_ACCEPTED_ROWS",
        "batch",
        (),
        "No row was accepted, so there is nothing to certify.",
        "Nessuna riga è stata accettata: non c'è nulla da certificare.",
    ),
)

CODES: dict[str, RuleCode] = {c.code: c for c in (*_ROW_CODES, *_FILE_CODES, *_BATCH_CODES)}

ROW_CODE_ORDER: tuple[str, ...] = tuple(c.code for c in _ROW_CODES)
FILE_CODES: tuple[str, ...] = tuple(c.code for c in _FILE_CODES)
BATCH_CODES: tuple[str, ...] = tuple(c.code for c in _BATCH_CODES)


def ruleset_config() -> dict[str, Any]:
    """The rule configuration that :func:`ruleset_config_hash` fingerprints."""
    from .fields import NO_VALUES, YES_VALUES

    return {
        "ruleset": RULESET_VERSION,
        "codes": [
            {"code": c.code, "kind": c.kind, "fields": list(c.fields)} for c in CODES.values()
        ],
        "constants": {
            "rpo_validity_days": RPO_VALIDITY_DAYS,
            "rpo_validity_boundary": "consulted_at <= now < consulted_at + 15 days",
            "future_tolerance_seconds": FUTURE_TOLERANCE_SECONDS,
            "gdpr_date": GDPR_DATE,
            "timezone": TIMEZONE,
            "naive_timestamps": "Europe/Rome wall time; ambiguous earliest; non-existent invalid",
            "date_only": "00:00 Europe/Rome; RPO registered_at: 23:59:59 Europe/Rome",
            "rpo_registered_comparison": "seconds; registration >= consent rejects",
            "yes_values": list(YES_VALUES),
            "no_values": list(NO_VALUES),
            "policy_defaults": POLICY_DEFAULTS,
        },
    }


def ruleset_config_hash() -> str:
    """SHA-256 (hex) of the canonical JSON of the rule configuration."""
    canonical = json.dumps(
        ruleset_config(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def ruleset_info() -> dict[str, str]:
    """``{"version", "config_sha256"}`` as certificates and reports state it."""
    return {"version": RULESET_VERSION, "config_sha256": ruleset_config_hash()}
