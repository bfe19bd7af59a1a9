"""Uploads and batch listing through the REST API, including every bad input."""

from __future__ import annotations

import io

import pytest

from gateway.batches import manifest as manifests

CSV = (
    b"telefono;nome;fonte_consenso;data_consenso;versione_informativa;consenso_terzi;prova\n"
    b"+39 347 123 4567;Mario;web-main;2025-03-01 10:00;2025-01;si;ref-1\n"
)


def upload(client, org, buyer_id, data=CSV, filename="lista.csv"):
    return client.post(
        "/api/v1/batches",
        data={"buyer_id": buyer_id, "file": (io.BytesIO(data), filename)},
        headers=org.auth,
        content_type="multipart/form-data",
    )


def test_upload_creates_a_received_batch(client, vendor_ready, buyer_ready, store):
    resp = upload(client, vendor_ready, buyer_ready.id)
    assert resp.status_code == 202, resp.json
    batch = resp.json
    assert batch["state"] == "received"
    assert batch["vendor_id"] == vendor_ready.id
    assert batch["buyer_id"] == buyer_ready.id
    assert batch["filename"] == "lista.csv"
    assert batch["size"] == len(CSV)
    import hashlib

    assert batch["sha256"] == hashlib.sha256(CSV).hexdigest()
    assert store.get(f"batches/{batch['id']}/upload").data == CSV


def test_same_bytes_same_buyer_return_the_existing_batch(client, vendor_ready, buyer_ready):
    first = upload(client, vendor_ready, buyer_ready.id)
    second = upload(client, vendor_ready, buyer_ready.id, filename="renamed.csv")
    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json["id"] == first.json["id"]
    listing = client.get("/api/v1/batches", headers=vendor_ready.auth).json
    assert [b["id"] for b in listing["items"]] == [first.json["id"]]


def test_same_bytes_for_another_buyer_is_a_new_batch(client, store, vendor_ready, buyer_ready,
                                                     other_buyer):
    from tests.support import BUYER_PROFILE, set_profile

    set_profile(store, other_buyer, BUYER_PROFILE)
    a = upload(client, vendor_ready, buyer_ready.id)
    b = upload(client, vendor_ready, other_buyer.id)
    assert a.status_code == b.status_code == 202
    assert a.json["id"] != b.json["id"]


def test_no_key_or_wrong_key_is_401(client, vendor_ready, buyer_ready):
    resp = client.post("/api/v1/batches", data={"buyer_id": buyer_ready.id})
    assert resp.status_code == 401
    assert resp.json["error"] == "AUTH_REQUIRED"
    assert set(resp.json) >= {"code", "status", "message", "error"}
    for token in ["gk_abc_wrong", "nonsense", vendor_ready.key + "x"]:
        resp = client.get("/api/v1/batches", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401
        assert resp.json["error"] == "AUTH_INVALID"


def test_revoked_key_stops_working(client, store, vendor_ready):
    from gateway.accounts import revoke_key

    assert client.get("/api/v1/batches", headers=vendor_ready.auth).status_code == 200
    key_id = vendor_ready.key.split("_")[1]
    revoke_key(store, key_id)
    assert client.get("/api/v1/batches", headers=vendor_ready.auth).status_code == 401


@pytest.mark.parametrize("role", ["buyer", "admin"])
def test_only_vendors_upload(client, role, buyer_ready, admin, store):
    org = buyer_ready if role == "buyer" else admin
    resp = upload(client, org, buyer_ready.id)
    assert resp.status_code == 403
    assert resp.json["error"] == "ROLE_NOT_VENDOR"
    assert list(store.list("batches/")) == []


def test_missing_or_unknown_buyer_is_422_naming_the_field(client, vendor_ready, other_vendor,
                                                          store):
    resp = client.post("/api/v1/batches", headers=vendor_ready.auth,
                       data={"file": (io.BytesIO(CSV), "a.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422
    assert resp.json["error"] == "BUYER_ID_MISSING"
    assert "buyer_id" in resp.json["errors"]
    for bad in ["org_doesnotexist", other_vendor.id, "../../etc"]:
        resp = upload(client, vendor_ready, bad)
        assert resp.status_code == 422
        assert resp.json["error"] == "BUYER_UNKNOWN"
        assert "buyer_id" in resp.json["errors"]
    assert list(store.list("batches/")) == []


def test_upload_without_profiles_is_refused_clearly(client, vendor, buyer_ready, store):
    resp = upload(client, vendor, buyer_ready.id)
    assert resp.status_code == 422
    assert resp.json["error"] == "VENDOR_PROFILE_MISSING"
    assert list(store.list("batches/")) == []


def test_empty_file_is_refused_and_leaves_nothing(client, vendor_ready, buyer_ready, store):
    resp = upload(client, vendor_ready, buyer_ready.id, data=b"")
    assert resp.status_code == 422
    assert resp.json["error"] == "FILE_EMPTY"
    assert list(store.list("batches/")) == []


def test_missing_file_field(client, vendor_ready, buyer_ready):
    resp = client.post("/api/v1/batches", headers=vendor_ready.auth,
                       data={"buyer_id": buyer_ready.id}, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert resp.json["error"] == "FILE_MISSING"


def test_not_multipart_is_400(client, vendor_ready):
    resp = client.post("/api/v1/batches", headers=vendor_ready.auth, data=CSV,
                       content_type="text/csv")
    assert resp.status_code == 400
    assert resp.json["error"] == "UPLOAD_NOT_MULTIPART"


def test_body_over_the_limit_is_413_and_leaves_nothing(app_config, vendor_ready, buyer_ready):
    from gateway import create_app

    app = create_app({**app_config, "max_upload_bytes": 1000})
    client = app.test_client()
    store = app.extensions["gateway"].store
    # The limit applies to the file even when the client announces no length.
    resp = upload(client, vendor_ready, buyer_ready.id, data=b"x" * 5000)
    assert resp.status_code == 413
    assert resp.json["error"] == "FILE_TOO_LARGE"
    assert [k for k in store.list("batches/")] == []
    assert [k for k in store.list("index/")] == []


def test_truncated_multipart_body_is_400_and_leaves_nothing(client, vendor_ready, buyer_ready,
                                                            store):
    boundary = "XyZ"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"buyer_id\"\r\n\r\n"
        f"{buyer_ready.id}\r\n--{boundary}\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + CSV * 50  # the closing boundary never comes
    resp = client.post("/api/v1/batches", headers=vendor_ready.auth, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")
    assert resp.status_code == 400
    assert resp.json["error"] == "UPLOAD_TRUNCATED"
    assert list(store.list("batches/")) == []


def test_other_organisations_batches_are_404(client, store, vendor_ready, other_vendor,
                                             buyer_ready, other_buyer):
    batch = upload(client, vendor_ready, buyer_ready.id).json
    for org in (other_vendor, other_buyer):
        resp = client.get(f"/api/v1/batches/{batch['id']}", headers=org.auth)
        assert resp.status_code == 404
        assert resp.json["error"] == "BATCH_NOT_FOUND"
        assert client.get("/api/v1/batches", headers=org.auth).json["items"] == []
    missing = client.get("/api/v1/batches/b_0000", headers=vendor_ready.auth)
    assert missing.status_code == 404 and missing.json["error"] == "BATCH_NOT_FOUND"


def test_buyer_sees_batches_addressed_to_it(client, vendor_ready, buyer_ready):
    batch = upload(client, vendor_ready, buyer_ready.id).json
    resp = client.get(f"/api/v1/batches/{batch['id']}", headers=buyer_ready.auth)
    assert resp.status_code == 200
    fields = set(resp.json)
    assert fields >= {"id", "state", "vendor_id", "buyer_id", "filename", "sha256", "size",
                      "progress", "counts", "reasons", "created_at", "updated_at"}
    assert "lease" not in fields
    items = client.get("/api/v1/batches", headers=buyer_ready.auth).json["items"]
    assert [b["id"] for b in items] == [batch["id"]]


def test_listing_is_newest_first_and_paginated(client, vendor_ready, buyer_ready):
    ids = []
    for i in range(5):
        data = CSV + f"+39 347 000 000{i};X;web-main;2025-03-01;2025-01;si;r\n".encode()
        ids.append(upload(client, vendor_ready, buyer_ready.id, data=data).json["id"])
    page1 = client.get("/api/v1/batches?limit=2", headers=vendor_ready.auth).json
    assert [b["id"] for b in page1["items"]] == ids[::-1][:2]
    page2 = client.get(f"/api/v1/batches?limit=2&cursor={page1['next_cursor']}",
                       headers=vendor_ready.auth).json
    assert [b["id"] for b in page2["items"]] == ids[::-1][2:4]
    bad = client.get("/api/v1/batches?limit=0", headers=vendor_ready.auth)
    assert bad.status_code == 422
    assert bad.json["error"] == "VALIDATION_FAILED"
    assert "limit" in str(bad.json["errors"])


def test_retry_is_for_admins_and_failed_batches_only(client, store, runtime, vendor_ready,
                                                     buyer_ready, admin):
    batch = upload(client, vendor_ready, buyer_ready.id).json
    runtime.jobs.join(timeout=30)
    resp = client.post(f"/api/v1/batches/{batch['id']}/retry", headers=vendor_ready.auth)
    assert resp.status_code == 403

    def to_failed(m):
        m["state"] = "failed" if m["state"] != "failed" else m["state"]

    state = manifests.load(store, batch["id"])[0]["state"]
    if state in ("certified", "rejected"):
        resp = client.post(f"/api/v1/batches/{batch['id']}/retry", headers=admin.auth)
        assert resp.status_code == 409
        assert resp.json["error"] == "BATCH_NOT_FAILED"
        return
    manifests.update(store, batch["id"], to_failed)
    resp = client.post(f"/api/v1/batches/{batch['id']}/retry", headers=admin.auth)
    assert resp.status_code == 202
    assert resp.json["state"] == "received"


def test_openapi_and_health(client):
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/batches" in spec.json["paths"]
    assert client.get("/healthz").json == {"status": "ok"}


def test_unknown_api_path_is_json_404(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.json["error"] == "NOT_FOUND"


def test_every_upload_is_audited(client, store, vendor_ready, buyer_ready):
    from gateway import audit

    batch = upload(client, vendor_ready, buyer_ready.id).json
    events = [e for e in audit.events(store) if e["action"] == "batch.upload"]
    assert len(events) == 1
    assert events[0]["target"] == batch["id"]
    assert events[0]["actor"]["org_id"] == vendor_ready.id
    assert events[0]["ip"]


@pytest.mark.parametrize("weird", ["%C2%83%C3%BB%3D", "a%5Cb", "..", "x%00y", "b_" + "9" * 200])
def test_ids_that_cannot_exist_are_404_not_500(client, vendor_ready, weird):
    for path in (f"/api/v1/batches/{weird}", f"/api/v1/batches/{weird}/decision",
                 f"/api/v1/batches/{weird}/report"):
        resp = client.get(path, headers=vendor_ready.auth)
        assert resp.status_code == 404, path


def test_buyer_id_with_odd_characters_is_422(client, vendor_ready):
    resp = upload(client, vendor_ready, "org\\x\u00e9\x00")
    assert resp.status_code == 422
    assert resp.json["error"] == "BUYER_UNKNOWN"
