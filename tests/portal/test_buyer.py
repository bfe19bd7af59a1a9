"""Buyer pages: certified lists, the certificate in human form, downloads, verification,
objections; and the vendor's view of the same decided batch."""

from __future__ import annotations

import io
import re

from tests.portal.conftest import Visitor, error_code


def list_id(batch: dict) -> str:
    return "c_" + batch["id"].removeprefix("b_")


def test_the_buyer_sees_its_list_with_the_time_left(visitor, buyer_person, certified_batch):
    visitor.sign_in(buyer_person)
    html = visitor.get("/lists").get_data(as_text=True)
    assert f'data-list-id="{list_id(certified_batch)}"' in html
    assert "lista-marzo.csv" in html
    assert re.search(r"ancora 1[45] g e \d+ h", html)


def test_the_certificate_page_says_who_what_when_and_which_consultations(
    visitor, buyer_person, certified_batch, store
):
    visitor.sign_in(buyer_person)
    html = visitor.get(f"/lists/{list_id(certified_batch)}").get_data(as_text=True)
    assert "Firma verificata" in html
    assert "Liste Rapide Srl" in html and "IT01234567890" in html  # who: the vendor
    assert "12345" in html  # the buyer's ROC number
    consultation = next(iter(store.list("rpo/consultations/"))).split("/")[2]
    assert consultation in html
    assert certified_batch["certificate"]["sha256"]["certified.csv"] in html
    assert "Scarica la lista (CSV)" in html


def test_the_buyer_downloads_the_list_and_the_certificate_and_verifies_them(
    visitor, buyer_person, certified_batch
):
    visitor.sign_in(buyer_person)
    lid = list_id(certified_batch)
    listing = visitor.get(f"/lists/{lid}/list.csv")
    assert listing.status_code == 200
    assert listing.headers["Content-Disposition"] == f'attachment; filename="{lid}-certified.csv"'
    assert listing.get_data().count(b"\n") == 13  # header and twelve rows
    workbook = visitor.get(f"/lists/{lid}/list.xlsx")
    assert workbook.get_data()[:2] == b"PK"
    certificate = visitor.get(f"/lists/{lid}/certificate.jws").get_data()
    visitor.get("/verify")
    verdict = visitor.client.post(
        "/verify",
        data={
            "csrf_token": visitor.token,
            "certificate": (io.BytesIO(certificate), "certificate.jws"),
            "file": (io.BytesIO(listing.get_data()), "lista.csv"),
        },
        content_type="multipart/form-data",
    )
    html = verdict.get_data(as_text=True)
    assert verdict.status_code == 200
    assert '<code id="verdict-code">VALID</code>' in html
    assert "Certificato valido per il lotto" in html
    tampered = visitor.client.post(
        "/verify",
        data={
            "csrf_token": visitor.token,
            "certificate": (io.BytesIO(certificate), "certificate.jws"),
            "file": (io.BytesIO(listing.get_data() + b"+393470000000\n"), "lista.csv"),
        },
        content_type="multipart/form-data",
    )
    assert tampered.status_code == 422
    assert '<code id="verdict-code">FILE_DIGEST_MISMATCH</code>' in tampered.get_data(as_text=True)


def test_the_vendor_sees_the_decision_chart_and_report_downloads(
    visitor, vendor_person, certified_batch
):
    visitor.sign_in(vendor_person)
    html = visitor.get(f"/batches/{certified_batch['id']}").get_data(as_text=True)
    assert 'id="decision"' in html and "Certificato" in html
    assert 'data-watch="0"' in html
    report = visitor.get(f"/batches/{certified_batch['id']}/report.xlsx")
    assert report.status_code == 200 and report.get_data()[:2] == b"PK"
    assert visitor.get(f"/batches/{certified_batch['id']}/report.json").json["decision"] == (
        "certified"
    )
    assert visitor.get(f"/batches/{certified_batch['id']}/decision.jws").get_data().count(b".") == 2
    # The certified list itself is the buyer's.
    assert visitor.get(f"/lists/{list_id(certified_batch)}/list.csv").status_code == 403


def test_a_garbled_certificate_gets_a_clear_verdict(visitor, buyer_person):
    visitor.get("/language/en")
    visitor.sign_in(buyer_person)
    visitor.get("/verify")
    response = visitor.post("/verify", {"certificate_text": "this is not a certificate"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<code id="verdict-code">NOT_A_JWS</code>' in html
    assert "This is not a signed decision" in html


def test_verification_without_a_certificate_explains_what_is_missing(visitor, buyer_person):
    visitor.sign_in(buyer_person)
    visitor.get("/verify")
    response = visitor.post("/verify", {})
    assert response.status_code == 400
    assert "CERTIFICATE_MISSING" in response.get_data(as_text=True)


def test_objections_from_a_file_and_one_number(visitor, buyer_person, store):
    from gateway.objections import ObjectionLedger

    visitor.sign_in(buyer_person)
    visitor.get("/objections")
    response = visitor.client.post(
        "/objections",
        data={
            "csrf_token": visitor.token,
            "file": (
                io.BytesIO(b"phone,recorded_at\n3471234567,2025-05-20\n+393471234568,\n"),
                "opposizioni.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert "Opposizioni registrate: 2." in response.get_data(as_text=True)
    single = visitor.post("/objections", {"phone": "+39 347 123 4569"})
    assert "Opposizioni registrate: 1." in single.get_data(as_text=True)
    imports = ObjectionLedger(store).imports(buyer_person.org.id)
    assert sorted(i["entries"] for i in imports) == [1, 2]
    assert all(i["scope"] == buyer_person.org.id for i in imports)


def test_a_bad_objection_number_is_refused_on_the_page(visitor, buyer_person):
    visitor.sign_in(buyer_person)
    visitor.get("/objections")
    response = visitor.post("/objections", {"phone": "not a number"})
    assert response.status_code == 422
    assert "IMPORT_INVALID" in response.get_data(as_text=True)


def test_an_expired_list_can_no_longer_be_downloaded(visitor, buyer_person, certified_batch, store):
    from gateway.batches import manifest as manifests

    def expire(m):
        m["valid_until"] = "2020-01-01T00:00:00.000000Z"

    manifests.update(store, certified_batch["id"], expire)
    visitor.sign_in(buyer_person)
    page = visitor.get(f"/lists/{list_id(certified_batch)}").get_data(as_text=True)
    assert "Certificato scaduto il" in page and "list.csv" not in page
    response = visitor.get(f"/lists/{list_id(certified_batch)}/list.csv")
    assert response.status_code == 410
    assert error_code(response) == "CERTIFICATE_EXPIRED"


def test_another_buyer_cannot_download_the_list(app, store, certified_batch, other_buyer):
    from tests.portal.conftest import make_person
    from tests.support import BUYER_PROFILE, set_profile

    set_profile(store, other_buyer, BUYER_PROFILE)
    stranger = Visitor(app.test_client())
    stranger.sign_in(make_person(store, other_buyer, "altro@chiamatesud.example"))
    for path in (
        f"/lists/{list_id(certified_batch)}",
        f"/lists/{list_id(certified_batch)}/list.csv",
        f"/lists/{list_id(certified_batch)}/certificate.jws",
    ):
        response = stranger.get(path)
        assert response.status_code == 404, path
        assert error_code(response) == "CERTIFIED_LIST_NOT_FOUND", path
