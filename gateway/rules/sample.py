"""Sample data for the offline check walkthrough (docs/sample/), generated deterministically.

``python -m gateway.rules.sample FOLDER`` writes:

- ``sample.csv``: a contact list in the Italian Excel style (semicolons, Italian headers, an
  extra column carried through): mostly good rows, and at least one row for every row code;
- ``vendor.json`` and ``buyer.json``: the profiles;
- ``rpo.csv``: an RPO consultation in format A covering every number but one;
- ``objections.csv``: two numbers whose owners objected.

Every name, address and number is made up. The walkthrough uses :data:`NOW` and
:data:`RPO_CONSULTED_AT`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .fields import FISCAL_ODD_VALUES

ROME = ZoneInfo("Europe/Rome")
NOW = "2025-06-16T09:00:00+02:00"
RPO_CONSULTED_AT = "2025-06-10T08:00:00+02:00"
SEED = 20250616
GOOD_ROWS = 370

LEGAL_ENTITY_ID = "IT12345678903"
WEB_DOMAIN = "offerteluce.example"

HEADER = [
    "telefono",
    "nome",
    "cognome",
    "email",
    "codice_fiscale",
    "indirizzo",
    "cap",
    "comune",
    "provincia",
    "fonte_consenso",
    "data_consenso",
    "versione_informativa",
    "consenso_terzi",
    "ip_consenso",
    "data_doppio_optin",
    "rif_prova",
    "titolare_raccolta",
    "id_cliente",
]

_MALE = [
    "Marco",
    "Luca",
    "Giuseppe",
    "Francesco",
    "Alessandro",
    "Andrea",
    "Matteo",
    "Lorenzo",
    "Davide",
    "Simone",
    "Riccardo",
    "Stefano",
    "Paolo",
    "Giovanni",
    "Antonio",
    "Roberto",
]
_FEMALE = [
    "Giulia",
    "Francesca",
    "Chiara",
    "Sara",
    "Martina",
    "Valentina",
    "Elena",
    "Laura",
    "Alessia",
    "Federica",
    "Silvia",
    "Paola",
    "Anna",
    "Maria",
    "Elisa",
    "Roberta",
]
_SURNAMES = [
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
]
# City, province, postal code, cadastral code (for the codice fiscale).
_CITIES = [
    ("Roma", "RM", "00185", "H501"),
    ("Milano", "MI", "20121", "F205"),
    ("Napoli", "NA", "80133", "F839"),
    ("Torino", "TO", "10121", "L219"),
    ("Palermo", "PA", "90133", "G273"),
    ("Bologna", "BO", "40121", "A944"),
    ("Firenze", "FI", "50122", "D612"),
    ("Bari", "BA", "70121", "A662"),
    ("Catania", "CT", "95121", "C351"),
    ("Venezia", "VE", "30121", "L736"),
    ("Verona", "VR", "37121", "L781"),
    ("Genova", "GE", "16121", "D969"),
]
_STREETS = [
    "Via Roma",
    "Via Garibaldi",
    "Corso Italia",
    "Via Mazzini",
    "Via Verdi",
    "Piazza della Repubblica",
    "Via Cavour",
    "Viale Europa",
    "Via Dante",
    "Via Manzoni",
]
_MOBILE_PREFIXES = [
    "320",
    "324",
    "328",
    "329",
    "331",
    "333",
    "334",
    "338",
    "339",
    "340",
    "347",
    "348",
    "349",
    "351",
    "366",
    "380",
    "388",
    "389",
    "391",
    "392",
    "393",
]
_LANDLINE_PREFIXES = [("02", 8), ("06", 8), ("011", 7), ("051", 7), ("055", 7), ("081", 7)]
_MONTH_LETTERS = "ABCDEHLMPRST"
# The codice fiscale check-character table is the one the rules use.
_ODD = FISCAL_ODD_VALUES


def _notice_sha(version: str) -> str:
    return hashlib.sha256(f"Informativa privacy, versione {version}".encode()).hexdigest()


INFORMATIVE = [
    {
        "version": "2014-01",
        "effective_from": "2014-01-01",
        "effective_until": "2018-05-25",
        "sectors": ["energia", "telecomunicazioni"],
    },
    {
        "version": "2018-05",
        "effective_from": "2018-05-25",
        "effective_until": "2023-01-01",
        "sectors": ["energia", "telecomunicazioni"],
    },
    {
        "version": "2022-06-tlc",
        "effective_from": "2022-06-01",
        "effective_until": None,
        "sectors": ["telecomunicazioni"],
    },
    {
        "version": "2023-01",
        "effective_from": "2023-01-01",
        "effective_until": None,
        "sectors": ["energia", "telecomunicazioni", "assicurazioni"],
    },
]


def vendor_profile() -> dict[str, object]:
    """The sample vendor profile."""
    informative = []
    for item in INFORMATIVE:
        entry: dict[str, object] = {
            "version": item["version"],
            "effective_from": item["effective_from"],
            "sha256": _notice_sha(str(item["version"])),
            "url": f"https://www.{WEB_DOMAIN}/privacy/{item['version']}",
            "third_party_sectors": item["sectors"],
        }
        if item["effective_until"]:
            entry["effective_until"] = item["effective_until"]
        informative.append(entry)
    return {
        "vendor_id": "contatti-italia",
        "legal_entity_id": LEGAL_ENTITY_ID,
        "name": "Contatti Italia S.r.l.",
        "informative": informative,
        "sources": [
            {"id": "web-offerte", "kind": "web", "domains": [WEB_DOMAIN]},
            {"id": "fiera-milano-2024", "kind": "event"},
            {"id": "modulo-cartaceo", "kind": "paper"},
            {"id": "call-center-inbound", "kind": "phone"},
        ],
    }


def buyer_profile() -> dict[str, object]:
    """The sample buyer profile (an energy supplier, consents at most ten years old)."""
    return {
        "buyer_id": "energia-sud",
        "name": "Energia Sud S.p.A.",
        "roc_number": "34567",
        "sector": "energia",
        "policy": {"max_rejected_ratio": 0.10, "max_consent_age_days": 3650},
    }


def _consonants(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalpha() and c not in "AEIOU")


def _vowels(text: str) -> str:
    return "".join(c for c in text.upper() if c in "AEIOU")


def fiscal_code(first: str, last: str, birth: datetime, female: bool, place: str) -> str:
    """The codice fiscale of a person (the standard algorithm, without omocodia)."""
    surname = (_consonants(last) + _vowels(last) + "XXX")[:3]
    consonants = _consonants(first)
    if len(consonants) >= 4:
        name = consonants[0] + consonants[2] + consonants[3]
    else:
        name = (consonants + _vowels(first) + "XXX")[:3]
    day = birth.day + (40 if female else 0)
    body = f"{surname}{name}{birth:%y}{_MONTH_LETTERS[birth.month - 1]}{day:02d}{place}"
    total = sum(
        _ODD[c] if i % 2 == 0 else (int(c) if c.isdigit() else ord(c) - 65)
        for i, c in enumerate(body)
    )
    return body + chr(65 + total % 26)


class _Generator:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.used_numbers: set[str] = set()
        self.rows: list[list[str]] = []
        self.rpo: list[tuple[str, str, str]] = []
        self.customer = 1000

    def number(self, *, landline: bool = False) -> str:
        while True:
            if landline:
                prefix, digits = self.rng.choice(_LANDLINE_PREFIXES)
                national = prefix + "".join(self.rng.choice("0123456789") for _ in range(digits))
                national = prefix + str(self.rng.randint(2, 9)) + national[len(prefix) + 1 :]
            else:
                national = self.rng.choice(_MOBILE_PREFIXES) + str(
                    self.rng.randint(1_000_000, 9_999_999)
                )
            if national not in self.used_numbers:
                self.used_numbers.add(national)
                return national

    @staticmethod
    def written(national: str, style: int) -> str:
        # Vendors write numbers in many ways; all of these are the same number.
        if style == 0:
            return national
        if style == 1:
            return "+39" + national
        if style == 2:
            return f"+39 {national[:3]} {national[3:]}"
        return f"0039 {national[:3]} {national[3:6]} {national[6:]}"

    def consent_time(self, start: datetime, end: datetime) -> datetime:
        seconds = int((end - start).total_seconds())
        moment = start + timedelta(seconds=self.rng.randint(0, seconds))
        return moment.replace(microsecond=0)

    def written_time(self, moment: datetime, style: int) -> str:
        local = moment.astimezone(ROME)
        if style == 0:
            return local.strftime("%Y-%m-%dT%H:%M:%S")
        if style == 1:
            return local.strftime("%d/%m/%Y %H:%M")
        return local.isoformat(timespec="seconds")

    def person(self) -> dict[str, str]:
        female = self.rng.random() < 0.5
        first = self.rng.choice(_FEMALE if female else _MALE)
        last = self.rng.choice(_SURNAMES)
        city, province, cap, place = self.rng.choice(_CITIES)
        birth = datetime(1950, 1, 1) + timedelta(days=self.rng.randint(0, 50 * 365))
        self.customer += 1
        handle = f"{first}.{last}".lower().replace(" ", "")
        return {
            "nome": first,
            "cognome": last,
            "email": f"{handle}{self.rng.randint(1, 99)}@example.com",
            "codice_fiscale": fiscal_code(first, last, birth, female, place),
            "indirizzo": f"{self.rng.choice(_STREETS)} {self.rng.randint(1, 120)}",
            "cap": cap,
            "comune": city,
            "provincia": province,
            "id_cliente": f"C{self.customer}",
        }

    def good_row(self, index: int, **overrides: str) -> dict[str, str]:
        """A row every rule accepts (before the overrides)."""
        national = self.number(landline=self.rng.random() < 0.15)
        consented = self.consent_time(
            datetime(2018, 6, 1, tzinfo=ROME), datetime(2025, 5, 31, tzinfo=ROME)
        )
        version = "2018-05" if consented < datetime(2023, 1, 1, tzinfo=ROME) else "2023-01"
        source = self.rng.choice(
            [
                "web-offerte",
                f"https://www.{WEB_DOMAIN}/contatti",
                "fiera-milano-2024",
                "modulo-cartaceo",
                "call-center-inbound",
            ]
        )
        web = source.startswith(("web", "https"))
        row = {
            **self.person(),
            "telefono": self.written(national, index % 4),
            "fonte_consenso": source,
            "data_consenso": self.written_time(consented, index % 3),
            "versione_informativa": version,
            "consenso_terzi": self.rng.choice(["sì", "si", "SI", "1", "x", "yes"]),
            "ip_consenso": "",
            "data_doppio_optin": "",
            "rif_prova": "",
            "titolare_raccolta": self.rng.choice([LEGAL_ENTITY_ID, "it 12345678903", ""]),
        }
        if web:
            row["ip_consenso"] = self.rng.choice(
                [
                    f"93.{self.rng.randint(32, 63)}.{self.rng.randint(0, 255)}."
                    f"{self.rng.randint(1, 254)}",
                    f"2001:db8:{self.rng.randint(1, 9999):x}::1",
                ]
            )
            if self.rng.random() < 0.5:
                row["data_doppio_optin"] = self.written_time(
                    consented + timedelta(minutes=self.rng.randint(1, 600)), 0
                )
            else:
                row["rif_prova"] = f"SMS-{self.rng.randint(100000, 999999)}"
        else:
            row["rif_prova"] = f"PRV-{self.rng.randint(100000, 999999)}"
        if "data_consenso" in overrides and "data_doppio_optin" not in overrides:
            # The opt-in above followed the replaced consent time; keep the proof simple.
            row["data_doppio_optin"] = ""
            row["rif_prova"] = f"PRV-{self.rng.randint(100000, 999999)}"
        row.update(overrides)
        self.rpo.append((national, "no", ""))
        return row

    def add(self, row: dict[str, str]) -> None:
        self.rows.append([row.get(name, "") for name in HEADER])


def _failing_rows(gen: _Generator) -> None:
    """At least one row for every row code, interleaved by the caller."""
    repeat_of = gen.rows[4][0]  # written in national form (see ``written``)
    wrong_check = gen.person()["codice_fiscale"]
    wrong_check = wrong_check[:15] + ("A" if wrong_check[15] != "A" else "B")
    cases: list[dict[str, str]] = [
        {"telefono": ""},
        {"telefono": "12345"},
        {"telefono": "+44 20 7946 0958"},
        {"telefono": "800 123 456"},
        {"telefono": "899 123 456"},
        {"email": "mario.rossi@"},
        {"codice_fiscale": wrong_check},
        {"cap": "185"},
        {"fonte_consenso": ""},
        {"fonte_consenso": "volantino-spiaggia"},
        {
            "fonte_consenso": "https://www.altro-sito.example/form",
            "ip_consenso": "93.40.1.2",
            "rif_prova": "SMS-111111",
        },
        {"data_consenso": ""},
        {"data_consenso": "31/02/2024 10:00"},
        {"data_consenso": "2025-07-01T10:00:00", "versione_informativa": "2023-01"},
        {"versione_informativa": ""},
        {"versione_informativa": "2024-99"},
        {"versione_informativa": "2023-01", "data_consenso": "2022-05-10T11:00:00"},
        {"consenso_terzi": "no"},
        {"consenso_terzi": ""},
        {"versione_informativa": "2022-06-tlc", "data_consenso": "2022-09-12T16:20:00"},
        {"titolare_raccolta": "IT98765432105"},
        {
            "fonte_consenso": "web-offerte",
            "ip_consenso": "300.1.2.3",
            "rif_prova": "SMS-222222",
            "data_doppio_optin": "",
        },
        {
            "fonte_consenso": "web-offerte",
            "ip_consenso": "93.40.3.4",
            "rif_prova": "",
            "data_consenso": "2024-03-05T10:00:00",
            "data_doppio_optin": "2024-03-04T10:00:00",
            "versione_informativa": "2023-01",
        },
        {
            "fonte_consenso": "web-offerte",
            "ip_consenso": "",
            "rif_prova": "SMS-333333",
            "data_doppio_optin": "",
        },
        {
            "fonte_consenso": "modulo-cartaceo",
            "rif_prova": "",
            "ip_consenso": "",
            "data_doppio_optin": "",
        },
        {
            "data_consenso": "10/09/2014 10:30",
            "versione_informativa": "2014-01",
            "fonte_consenso": "modulo-cartaceo",
            "rif_prova": "PRV-424242",
            "ip_consenso": "",
            "data_doppio_optin": "",
        },
    ]
    for case in cases:
        gen.add(gen.good_row(len(gen.rows), **case))
    # The same number as an earlier row, written differently.
    duplicate = gen.good_row(len(gen.rows))
    duplicate["telefono"] = "+39 " + repeat_of
    gen.rpo.pop()
    gen.add(duplicate)
    # A record with one field too many.
    row = gen.good_row(len(gen.rows))
    gen.rows.append([row.get(name, "") for name in HEADER] + ["campo in più"])


def _rpo_rows(gen: _Generator) -> None:
    """Rows whose outcome depends on the RPO consultation or on objections."""
    # Registered with a known date after the consent: rejected.
    row = gen.good_row(0, data_consenso="2023-05-10T18:00:00", versione_informativa="2023-01")
    gen.rpo[-1] = (gen.rpo[-1][0], "sì", "2024-02-01")
    gen.add(row)
    # Registered, date unknown: rejected.
    row = gen.good_row(1)
    gen.rpo[-1] = (gen.rpo[-1][0], "1", "")
    gen.add(row)
    # Registered before the consent: accepted, with a warning.
    row = gen.good_row(2, data_consenso="2024-04-02T09:15:00", versione_informativa="2023-01")
    gen.rpo[-1] = (gen.rpo[-1][0], "si", "2021-03-01T12:00:00+01:00")
    gen.add(row)
    # Not in the consultation at all.
    row = gen.good_row(3)
    gen.rpo.pop()
    gen.add(row)
    # Consent before the GDPR applied: accepted, with a warning.
    gen.add(
        gen.good_row(
            4,
            data_consenso="20/11/2017 17:45",
            versione_informativa="2014-01",
            fonte_consenso="fiera-milano-2024",
            rif_prova="PRV-171120",
            ip_consenso="",
            data_doppio_optin="",
        )
    )


def generate() -> dict[str, str]:
    """Return the sample files as ``{name: text}``."""
    gen = _Generator()
    for index in range(GOOD_ROWS):
        gen.add(gen.good_row(index))
    _failing_rows(gen)
    _rpo_rows(gen)
    objecting = [gen.rows[40][0], gen.rows[41][0]]
    # Spread the special rows through the file, keeping the first rows ordinary.
    special = gen.rows[GOOD_ROWS:]
    ordinary = gen.rows[:GOOD_ROWS]
    rows: list[list[str]] = []
    step = len(ordinary) // (len(special) + 1)
    for i, row in enumerate(ordinary):
        rows.append(row)
        if i % step == step - 1 and special:
            rows.append(special.pop(0))
    rows.extend(special)

    sample = io.StringIO()
    writer = csv.writer(sample, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)

    rpo = io.StringIO()
    rpo_writer = csv.writer(rpo, lineterminator="\n")
    rpo_writer.writerow(["phone", "registered", "registered_at"])
    for national, registered, at in sorted(gen.rpo):
        rpo_writer.writerow(["+39" + national, registered, at])

    objections = io.StringIO()
    objection_writer = csv.writer(objections, lineterminator="\n")
    objection_writer.writerow(["phone", "recorded_at"])
    objection_writer.writerow([objecting[0], "2025-05-20T10:00:00+02:00"])
    objection_writer.writerow([objecting[1], "2025-06-01"])

    return {
        "sample.csv": sample.getvalue(),
        "vendor.json": json.dumps(vendor_profile(), indent=2, ensure_ascii=False) + "\n",
        "buyer.json": json.dumps(buyer_profile(), indent=2, ensure_ascii=False) + "\n",
        "rpo.csv": rpo.getvalue(),
        "objections.csv": objections.getvalue(),
    }


def write_sample(folder: str | Path) -> list[Path]:
    """Write the sample files into ``folder``; return their paths."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate().items():
        path = target / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_sample(sys.argv[1] if len(sys.argv) > 1 else "docs/sample"):
        print(written_path)
