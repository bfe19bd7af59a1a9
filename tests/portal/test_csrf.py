"""Every form must carry its session's token; anything else is refused with a clear page."""

from __future__ import annotations

import io

from tests.portal.conftest import Visitor, error_code

CSV = (
    b"telefono;nome;fonte_consenso;data_consenso;versione_informativa;consenso_terzi;prova\n"
    b"+39 347 123 4567;Mario;web-main;2025-03-01 10:00;2025-01;si;ref-1\n"
)


def test_a_form_without_its_token_is_refused(visitor, vendor_person, store):
    visitor.sign_in(vendor_person)
    response = visitor.post("/profile", {"name": "Hijacked Srl"}, token=False)
    assert response.status_code == 403
    assert error_code(response) == "CSRF_TOKEN_INVALID"
    assert "Questo modulo non è più valido" in response.get_data(as_text=True)


def test_a_token_from_another_session_is_refused(client, app, vendor_person):
    mine = Visitor(client)
    mine.sign_in(vendor_person)
    theirs = Visitor(app.test_client())
    theirs.sign_in(vendor_person)
    response = mine.post("/sign-out", {"csrf_token": theirs.token})
    assert response.status_code == 403
    assert error_code(response) == "CSRF_TOKEN_INVALID"
    assert mine.get("/batches").status_code == 200  # still signed in


def test_the_sign_in_form_needs_its_token_too(visitor, vendor_person):
    response = visitor.post(
        "/sign-in", {"email": vendor_person.email, "password": vendor_person.password}, token=False
    )
    assert response.status_code == 403
    assert error_code(response) == "CSRF_TOKEN_INVALID"
    assert visitor.get("/batches").status_code == 303


def test_sign_in_without_the_form_cookie_is_refused(app, vendor_person):
    # A token lifted from someone else's page is useless without the cookie that goes with it.
    donor = Visitor(app.test_client())
    donor.get("/sign-in")
    response = app.test_client().post(
        "/sign-in",
        data={
            "email": vendor_person.email,
            "password": vendor_person.password,
            "csrf_token": donor.token,
        },
    )
    assert response.status_code == 403


def test_an_upload_without_its_token_is_refused_and_leaves_nothing(
    visitor, vendor_person, buyer_ready, store
):
    visitor.sign_in(vendor_person)
    response = visitor.client.post(
        "/batches/new",
        data={"buyer_id": buyer_ready.id, "file": (io.BytesIO(CSV), "l.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert error_code(response) == "CSRF_TOKEN_INVALID"
    assert list(store.list("batches/")) == []


def test_a_script_upload_with_a_wrong_header_token_is_refused_as_json(
    visitor, vendor_person, buyer_ready, store
):
    visitor.sign_in(vendor_person)
    response = visitor.client.post(
        "/batches/new",
        data={"buyer_id": buyer_ready.id, "file": (io.BytesIO(CSV), "l.csv")},
        content_type="multipart/form-data",
        headers={"X-CSRF-Token": "forged", "X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 403
    assert response.json["error"] == "CSRF_TOKEN_INVALID"
    assert list(store.list("batches/")) == []
