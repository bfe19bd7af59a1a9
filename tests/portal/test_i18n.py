"""Both languages are complete, and values are shown the Italian or the English way."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.portal import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_exists_in_both_languages_with_the_same_placeholders():
    for key, (italian, english) in i18n.MESSAGES.items():
        if key.startswith("profile.placeholder.effective_until"):
            continue  # deliberately empty: no example for an optional end date
        assert italian.strip() and english.strip(), key
        assert placeholders(italian) == placeholders(english), key


def test_every_key_the_templates_use_exists():
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"_\('([a-z0-9_.]+)'\)", text))
        used |= set(re.findall(r"_\('([a-z0-9_.]+)',", text))
        used |= set(re.findall(r"link\('portal\.[a-z_]+', '([a-z_.]+)'\)", text))
        prefixes |= set(re.findall(r"_\('([a-z0-9_.]+\.)' \+", text))
    assert used, "no keys found: the pattern no longer matches the templates"
    assert sorted(used - set(i18n.MESSAGES)) == []
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in i18n.MESSAGES), prefix


def test_an_unknown_key_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        i18n.translate("no.such.key", "it")


def test_times_are_shown_in_rome_time():
    moment = "2025-07-01T08:05:00Z"  # 10:05 in Rome (summer time)
    assert i18n.format_time(moment, "it") == "01/07/2025 10:05"
    assert i18n.format_time(moment, "en") == "2025-07-01 10:05"
    assert i18n.format_time(None, "it") == "–"


def test_numbers_and_sizes_use_each_languages_separators():
    assert i18n.format_number(1234567, "it") == "1.234.567"
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_bytes(1536, "it") == "1,5 KB"
    assert i18n.format_bytes(1536, "en") == "1.5 KB"


def test_time_left_before_expiry():
    now = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    until = now + timedelta(days=13, hours=4, minutes=10)
    assert i18n.format_time_left(until, "it", now=now) == "ancora 13 g e 4 h"
    assert i18n.format_time_left(until, "en", now=now) == "13 d 4 h left"
    assert i18n.format_time_left(now + timedelta(minutes=30), "en", now=now) == "30 min left"
    assert i18n.format_time_left(now - timedelta(seconds=1), "it", now=now) == "scaduto"
    consulted = now - timedelta(days=14)
    assert i18n.format_time_left(consulted, "en", plus_days=15, now=now) == "1 d 0 h left"


def test_known_service_details_are_translated():
    assert i18n.detail("Missing data for required field.", "it") == "Campo obbligatorio."
    assert i18n.detail("must be at least 10 characters long", "it") == (
        "deve avere almeno 10 caratteri"
    )
    assert i18n.detail("must be at least 10 characters long", "en") == (
        "must be at least 10 characters long"
    )
