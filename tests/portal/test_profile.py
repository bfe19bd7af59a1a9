"""The vendor edits its privacy-notice versions and sources; problems show next to fields."""

from __future__ import annotations

import re

from gateway.accounts import get_org
from tests.support import VENDOR_PROFILE


def form_of(profile: dict) -> dict[str, str]:
    """The form a browser would send for this profile, with one blank row per section."""
    data = {"name": profile["name"], "legal_entity_id": profile["legal_entity_id"]}
    for i, item in enumerate(profile["informative"]):
        for field in ("version", "effective_from", "sha256", "url"):
            data[f"informative-{i}-{field}"] = item[field]
        data[f"informative-{i}-effective_until"] = item.get("effective_until") or ""
        data[f"informative-{i}-third_party_sectors"] = ", ".join(item["third_party_sectors"])
    blank = len(profile["informative"])
    for field in (
        "version",
        "effective_from",
        "effective_until",
        "sha256",
        "url",
        "third_party_sectors",
    ):
        data[f"informative-{blank}-{field}"] = ""
    for i, source in enumerate(profile["sources"]):
        data[f"sources-{i}-id"] = source["id"]
        data[f"sources-{i}-kind"] = source["kind"]
        data[f"sources-{i}-domains"] = ", ".join(source.get("domains", []))
    blank = len(profile["sources"])
    data.update(
        {f"sources-{blank}-id": "", f"sources-{blank}-kind": "web", f"sources-{blank}-domains": ""}
    )
    return data


def field_errors(html: str, name: str) -> list[str]:
    """The messages shown inside the field block of input ``name``."""
    block = re.search(rf'<input id="{re.escape(name)}".*?</div>', html, re.S)
    assert block, name
    return re.findall(r'<p class="field-error">(.*?)</p>', block.group(0))


def test_the_form_shows_the_current_profile(visitor, vendor_person):
    visitor.sign_in(vendor_person)
    html = visitor.get("/profile").get_data(as_text=True)
    assert 'value="2023-01"' in html and 'value="2025-01"' in html
    assert 'value="energy, telecom, insurance"' in html
    assert 'value="listerapide.example"' in html


def test_a_valid_edit_is_saved(visitor, vendor_person, store):
    visitor.sign_in(vendor_person)
    visitor.get("/profile")
    data = form_of(VENDOR_PROFILE)
    data["informative-2-version"] = "2026-01"
    data["informative-2-effective_from"] = "2026-01-01"
    data["informative-2-sha256"] = "C" * 64
    data["informative-2-url"] = "https://listerapide.example/privacy/2026-01"
    data["informative-2-third_party_sectors"] = "energy; telecom"
    data["sources-2-id"] = "call-center"
    data["sources-2-kind"] = "phone"
    response = visitor.post("/profile", data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile?saved=1"
    profile = get_org(store, vendor_person.org.id)["profile"]
    assert [i["version"] for i in profile["informative"]] == ["2023-01", "2025-01", "2026-01"]
    assert profile["informative"][2]["sha256"] == "c" * 64
    assert profile["informative"][2]["third_party_sectors"] == ["energy", "telecom"]
    assert "effective_until" not in profile["informative"][2]
    assert profile["sources"][2] == {"id": "call-center", "kind": "phone"}
    assert "Profilo salvato." in visitor.get("/profile?saved=1").get_data(as_text=True)


def test_problems_are_shown_next_to_their_fields_in_the_users_language(
    visitor, vendor_person, store
):
    visitor.sign_in(vendor_person)
    visitor.get("/profile")
    data = form_of(VENDOR_PROFILE)
    data["informative-0-sha256"] = "not-a-hash"
    data["informative-1-effective_from"] = "yesterday"
    data["sources-0-domains"] = ""  # a web source without domains
    data["sources-1-id"] = "web-main"  # a repeated id
    response = visitor.post("/profile", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "VALIDATION_FAILED" in html
    assert field_errors(html, "informative-0-sha256") == ["Servono 64 caratteri esadecimali."]
    assert "Usa una data ISO" in field_errors(html, "informative-1-effective_from")[0]
    assert field_errors(html, "sources-1-id") == ["Valore ripetuto: deve essere unico."]
    assert field_errors(html, "sources-0-domains") == ["Campo obbligatorio."]
    assert field_errors(html, "informative-1-version") == []
    # What the vendor typed is kept, and nothing was saved.
    assert 'value="not-a-hash"' in html
    assert get_org(store, vendor_person.org.id)["profile"]["informative"][0]["sha256"] == "a" * 64


def test_messages_follow_the_language(visitor, vendor_person):
    visitor.get("/language/en")
    visitor.sign_in(vendor_person)
    visitor.get("/profile")
    data = form_of(VENDOR_PROFILE)
    data["informative-0-url"] = "ftp://example.org/notice"
    html = visitor.post("/profile", data).get_data(as_text=True)
    assert field_errors(html, "informative-0-url") == ["Needs an http:// or https:// address."]


def test_an_empty_profile_asks_for_at_least_one_of_each(visitor, vendor_person):
    visitor.sign_in(vendor_person)
    visitor.get("/profile")
    response = visitor.post(
        "/profile", {"name": "Liste Rapide Srl", "legal_entity_id": "IT01234567890"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Serve almeno un&#39;informativa." in html
    assert "Serve almeno una fonte." in html
