"""Organisations see only their own batches and lists; roles see only their own pages."""

from __future__ import annotations

import io

from tests.portal.conftest import Visitor, error_code, make_person
from tests.support import BUYER_PROFILE, VENDOR_PROFILE, set_profile

CSV = (
    b"telefono;nome;fonte_consenso;data_consenso;versione_informativa;consenso_terzi;prova\n"
    b"+39 347 123 4567;Mario;web-main;2025-03-01 10:00;2025-01;si;ref-1\n"
)


def upload(visitor: Visitor, buyer_id: str, data: bytes = CSV) -> str:
    visitor.get("/batches/new")
    response = visitor.client.post(
        "/batches/new",
        data={
            "csrf_token": visitor.token,
            "buyer_id": buyer_id,
            "file": (io.BytesIO(data), "lista.csv"),
        },
        content_type="multipart/form-data",
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.json["id"]


def test_a_vendor_never_sees_another_vendors_batch(
    app, store, vendor_person, buyer_person, other_vendor
):
    owner = Visitor(app.test_client())
    owner.sign_in(vendor_person)
    batch_id = upload(owner, buyer_person.org.id)
    set_profile(store, other_vendor, VENDOR_PROFILE)
    intruder = Visitor(app.test_client())
    intruder.sign_in(make_person(store, other_vendor, "spia@altricontatti.example"))
    for path in (
        f"/batches/{batch_id}",
        f"/batches/{batch_id}/status",
        f"/batches/{batch_id}/panel",
        f"/batches/{batch_id}/report.csv",
        f"/batches/{batch_id}/decision.jws",
    ):
        response = intruder.get(path)
        assert response.status_code == 404, path
        assert error_code(response) == "BATCH_NOT_FOUND", path
    listing = intruder.get("/batches").get_data(as_text=True)
    assert batch_id not in listing
    assert batch_id in owner.get("/batches").get_data(as_text=True)


def test_a_buyer_sees_only_what_is_addressed_to_it(
    app, store, vendor_person, buyer_person, other_buyer
):
    vendor = Visitor(app.test_client())
    vendor.sign_in(vendor_person)
    batch_id = upload(vendor, buyer_person.org.id)
    set_profile(store, other_buyer, BUYER_PROFILE)
    addressed = Visitor(app.test_client())
    addressed.sign_in(buyer_person)
    assert addressed.get(f"/batches/{batch_id}").status_code == 200
    stranger = Visitor(app.test_client())
    stranger.sign_in(make_person(store, other_buyer, "altro@chiamatesud.example"))
    response = stranger.get(f"/batches/{batch_id}")
    assert response.status_code == 404
    assert error_code(response) == "BATCH_NOT_FOUND"
    missing_list = stranger.get("/lists/c_" + batch_id.removeprefix("b_"))
    assert error_code(missing_list) == "CERTIFIED_LIST_NOT_FOUND"


def test_the_status_json_follows_the_batch(app, vendor_person, buyer_person):
    vendor = Visitor(app.test_client())
    vendor.sign_in(vendor_person)
    batch_id = upload(vendor, buyer_person.org.id)
    status = vendor.get(f"/batches/{batch_id}/status").json
    assert status["id"] == batch_id
    assert status["state"] in (
        "received",
        "validating",
        "failed",
        "awaiting_rpo",
        "certified",
        "rejected",
    )
    assert status["state_label"]


def test_roles_reach_only_their_pages(visitor, vendor_person):
    visitor.sign_in(vendor_person)
    for path in ("/lists", "/objections", "/admin/orgs", "/admin/rpo", "/admin/signing-keys"):
        response = visitor.get(path)
        assert response.status_code == 403, path
        assert error_code(response) in ("ROLE_NOT_BUYER", "ROLE_NOT_ADMIN"), path


def test_a_buyer_cannot_upload(visitor, buyer_person):
    visitor.sign_in(buyer_person)
    response = visitor.get("/batches/new")
    assert response.status_code == 403
    assert error_code(response) == "ROLE_NOT_VENDOR"


def test_upload_errors_come_back_in_the_users_language(visitor, vendor_person, store):
    from gateway.accounts import create_org

    bare = create_org(store, role="buyer", name="Senza Profilo Srl")
    visitor.sign_in(vendor_person)
    visitor.get("/batches/new")
    response = visitor.client.post(
        "/batches/new",
        data={
            "csrf_token": visitor.token,
            "buyer_id": bare["id"],
            "file": (io.BytesIO(CSV), "lista.csv"),
        },
        content_type="multipart/form-data",
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 422
    assert response.json["error"] == "BUYER_PROFILE_MISSING"
    assert response.json["message"].startswith("Il committente non ha ancora un profilo")


def test_the_same_file_twice_is_the_same_batch_as_through_the_api(
    app, visitor, vendor_person, buyer_person
):
    visitor.sign_in(vendor_person)
    batch_id = upload(visitor, buyer_person.org.id)
    again = app.test_client().post(
        "/api/v1/batches",
        data={"buyer_id": buyer_person.org.id, "file": (io.BytesIO(CSV), "other-name.csv")},
        headers=vendor_person.org.auth,
        content_type="multipart/form-data",
    )
    assert again.status_code == 200
    assert again.json["id"] == batch_id
