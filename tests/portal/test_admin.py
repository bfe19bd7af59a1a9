"""Administrators manage organisations, users, API keys, RPO imports and signing keys."""

from __future__ import annotations

import io
import re

from gateway.accounts import list_orgs
from gateway.accounts.users import find_user
from tests.portal.conftest import Person, Visitor, error_code


def test_an_admin_creates_an_organisation_and_a_user_who_can_sign_in(
    app, visitor, admin_person, store
):
    visitor.sign_in(admin_person)
    visitor.get("/admin/orgs")
    created = visitor.post("/admin/orgs", {"name": "Nuove Liste Srl", "role": "vendor"})
    assert created.status_code == 303
    org = next(o for o in list_orgs(store) if o["name"] == "Nuove Liste Srl")
    assert created.headers["Location"] == f"/admin/orgs/{org['id']}"
    visitor.get(created.headers["Location"])
    page = visitor.post(
        f"/admin/orgs/{org['id']}/users",
        {"email": "nuova@nuoveliste.example", "name": "Nuova", "password": ""},
    )
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    password = re.search(r'id="new-user-password">([^<]+)<', html).group(1)
    assert find_user(store, "nuova@nuoveliste.example")["org_id"] == org["id"]
    newcomer = Visitor(app.test_client())
    response = newcomer.sign_in(Person("nuova@nuoveliste.example", None, password))
    assert response.status_code == 303 and response.headers["Location"] == "/batches"
    # The password is shown once: the organisation page does not repeat it.
    assert password not in visitor.get(f"/admin/orgs/{org['id']}").get_data(as_text=True)


def test_an_invalid_organisation_is_explained_on_the_page(visitor, admin_person):
    visitor.sign_in(admin_person)
    visitor.get("/admin/orgs")
    response = visitor.post("/admin/orgs", {"name": "  ", "role": "vendor"})
    assert response.status_code == 422
    assert "VALIDATION_FAILED" in response.get_data(as_text=True)
    assert "non può essere vuoto" in response.get_data(as_text=True)


def test_a_taken_email_is_refused_with_its_code(visitor, admin_person, vendor_person):
    visitor.sign_in(admin_person)
    visitor.get(f"/admin/orgs/{vendor_person.org.id}")
    response = visitor.post(
        f"/admin/orgs/{vendor_person.org.id}/users",
        {"email": vendor_person.email, "password": "long enough password"},
    )
    assert response.status_code == 409
    assert "EMAIL_TAKEN" in response.get_data(as_text=True)


def test_api_keys_are_shown_once_and_can_be_revoked(app, visitor, admin_person, vendor_person):
    visitor.sign_in(admin_person)
    visitor.get(f"/admin/orgs/{vendor_person.org.id}")
    page = visitor.post(f"/admin/orgs/{vendor_person.org.id}/keys", {"label": "gestionale"})
    assert page.status_code == 201
    token = re.search(r'id="new-key-value">(gk_[^<]+)<', page.get_data(as_text=True)).group(1)
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/batches", headers=auth).status_code == 200
    key_id = token.split("_")[1]
    org_page = visitor.get(f"/admin/orgs/{vendor_person.org.id}").get_data(as_text=True)
    assert token not in org_page and f'data-key-id="{key_id}"' in org_page
    revoked = visitor.post(f"/admin/keys/{key_id}/revoke")
    assert revoked.status_code == 303
    assert api.get("/api/v1/batches", headers=auth).status_code == 401
    assert "revocata il" in visitor.get(revoked.headers["Location"]).get_data(as_text=True)


def test_signing_keys_are_listed_and_rotated(visitor, admin_person, runtime):
    first = runtime.signer.kid
    visitor.sign_in(admin_person)
    page = visitor.get("/admin/signing-keys").get_data(as_text=True)
    assert first in page and "pubblicata alla prima firma" in page
    runtime.signer.sign(b"a decision")  # a key that signed stays published for good
    response = visitor.post("/admin/signing-keys/rotate")
    assert response.status_code == 303
    second = runtime.signer.kid
    assert second != first
    html = visitor.get(response.headers["Location"]).get_data(as_text=True)
    assert first in html and second in html
    assert f"Nuova chiave in uso: {second}" in html


def test_an_rpo_import_with_bad_lines_is_refused_with_them_listed(visitor, admin_person):
    visitor.sign_in(admin_person)
    visitor.get("/admin/rpo")
    response = visitor.client.post(
        "/admin/rpo",
        data={
            "csrf_token": visitor.token,
            "consulted_at": "2025-06-01T10:30",
            "file": (io.BytesIO(b"phone,registered\n+393471234567,si\nnot-a-phone,no\n"), "e.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "IMPORT_INVALID" in html and "riga 3" in html


def test_an_rpo_import_is_listed(visitor, admin_person, store):
    from gateway.accounts import utcnow

    visitor.sign_in(admin_person)
    visitor.get("/admin/rpo")
    consulted = utcnow().strftime("%Y-%m-%dT%H:%M")
    response = visitor.client.post(
        "/admin/rpo",
        data={
            "csrf_token": visitor.token,
            "consulted_at": consulted + "+00:00",
            "sent": (io.BytesIO(b"phone\n+393471234567\n+393471234568\n"), "sent.csv"),
            "contactable": (io.BytesIO(b"phone\n+393471234567\n"), "back.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    html = visitor.get(response.headers["Location"]).get_data(as_text=True)
    meta = next(iter(store.list("rpo/consultations/")))
    consultation_id = meta.split("/")[2]
    assert f"Consultazione {consultation_id} importata." in html
    row = re.search(rf"<tr><td class=\"mono\">{consultation_id}</td>.*?</tr>", html, re.S)
    assert row and "<td>B</td>" in row.group(0)


def test_a_consultation_time_that_is_not_a_time_is_explained(visitor, admin_person):
    visitor.sign_in(admin_person)
    visitor.get("/admin/rpo")
    response = visitor.client.post(
        "/admin/rpo",
        data={
            "csrf_token": visitor.token,
            "consulted_at": "ieri",
            "file": (io.BytesIO(b"phone,registered\n+393471234567,si\n"), "e.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "TIMESTAMP_INVALID" in html and "Non è una data e ora valida." in html


def test_a_non_admin_cannot_rotate_keys(visitor, vendor_person):
    visitor.sign_in(vendor_person)
    response = visitor.post("/admin/signing-keys/rotate")
    assert response.status_code == 403
    assert error_code(response) == "ROLE_NOT_ADMIN"
