"""Profiles, RPO consultations, objections, and batches that wait for the RPO."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway import audit
from gateway.batches import manifest as manifests
from tests.support import VENDOR_PROFILE

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "sample"
HEADER = "telefono,fonte_consenso,data_consenso,versione_informativa,consenso_terzi,prova\n"


def rows(numbers) -> bytes:
    return (HEADER + "".join(f"{n},fiera-milano,2025-03-01 10:00,2025-01,si,p\n"
                             for n in numbers)).encode()


def post_upload(client, vendor, buyer, data: bytes):
    return client.post("/api/v1/batches", headers=vendor.auth, content_type="multipart/form-data",
                       data={"buyer_id": buyer.id, "file": (io.BytesIO(data), "lista.csv")})


def post_rpo(client, admin, data: bytes, consulted_at: datetime | str | None = None):
    when = consulted_at or datetime.now(UTC)
    return client.post("/api/v1/rpo/consultations", headers=admin.auth,
                       content_type="multipart/form-data",
                       data={"consulted_at": when if isinstance(when, str) else when.isoformat(),
                             "file": (io.BytesIO(data), "esito.csv")})


def test_vendor_reads_and_replaces_its_profile(client, vendor, store):
    assert client.get("/api/v1/profile", headers=vendor.auth).json["error"] == "PROFILE_NOT_SET"
    resp = client.put("/api/v1/profile", headers=vendor.auth, json=VENDOR_PROFILE | {
        "vendor_id": vendor.id})
    assert resp.status_code == 200, resp.json
    assert client.get("/api/v1/profile", headers=vendor.auth).json["legal_entity_id"] == \
        VENDOR_PROFILE["legal_entity_id"]
    assert any(e["action"] == "profile.update" for e in audit.events(store))


def test_invalid_profile_is_422_listing_every_problem(client, vendor):
    broken = json.loads(json.dumps(VENDOR_PROFILE | {"vendor_id": vendor.id}))
    del broken["legal_entity_id"]
    broken["informative"][0]["sha256"] = "not-a-hash"
    broken["sources"][0]["kind"] = "carrier-pigeon"
    resp = client.put("/api/v1/profile", headers=vendor.auth, json=broken)
    assert resp.status_code == 422
    text = json.dumps(resp.json["errors"])
    assert "legal_entity_id" in text and "sha256" in text and "kind" in text
    other = client.put("/api/v1/profile", headers=vendor.auth,
                       json=VENDOR_PROFILE | {"vendor_id": "org_someone_else"})
    assert other.status_code == 422 and other.json["error"] == "PROFILE_ORG_MISMATCH"


def test_buyers_cannot_replace_profiles(client, buyer):
    resp = client.put("/api/v1/profile", headers=buyer.auth, json={})
    assert resp.status_code == 403


def test_rpo_import_is_for_admins_and_validates_its_input(client, admin, vendor):
    assert post_rpo(client, vendor, b"phone,registered\n3471234567,no\n").status_code == 403
    ok = post_rpo(client, admin, b"phone,registered\n3471234567,no\n+39 06 1234 5678,si\n")
    assert ok.status_code == 201, ok.json
    assert ok.json["entries"] == 2 and ok.json["registered"] == 1
    listing = client.get("/api/v1/rpo/consultations", headers=admin.auth).json["items"]
    assert [c["id"] for c in listing] == [ok.json["id"]]
    bad_time = post_rpo(client, admin, b"phone,registered\n3471234567,no\n", "yesterday")
    assert bad_time.status_code == 422 and "consulted_at" in bad_time.json["errors"]
    junk = post_rpo(client, admin, b"phone,registered\nnot-a-phone,maybe\n")
    assert junk.status_code == 422
    missing = client.post("/api/v1/rpo/consultations", headers=admin.auth,
                          content_type="multipart/form-data",
                          data={"consulted_at": "2025-06-10"})
    assert missing.status_code == 422 and missing.json["error"] == "FILE_MISSING"


def test_rpo_format_b_through_the_api(client, admin):
    resp = client.post("/api/v1/rpo/consultations", headers=admin.auth,
                       content_type="multipart/form-data", data={
                           "consulted_at": datetime.now(UTC).isoformat(),
                           "sent": (io.BytesIO(b"phone\n3471111111\n3472222222\n"), "sent.csv"),
                           "contactable": (io.BytesIO(b"phone\n3471111111\n"), "back.csv")})
    assert resp.status_code == 201, resp.json
    assert resp.json["entries"] == 2 and resp.json["registered"] == 1


def test_batch_waits_for_rpo_offers_the_numbers_and_resumes(client, runtime, store, admin,
                                                            vendor_ready, buyer_ready):
    numbers = [f"+39 347 100 00{i:02d}" for i in range(20)]
    post_rpo(client, admin, "".join(["phone,registered\n"] + [
        f"{n},no\n" for n in numbers[:10]]).encode())
    batch = post_upload(client, vendor_ready, buyer_ready, rows(numbers)).json
    runtime.jobs.join(timeout=60)
    waiting = client.get(f"/api/v1/batches/{batch['id']}", headers=vendor_ready.auth).json
    assert waiting["state"] == "awaiting_rpo", waiting
    request = client.get(f"/api/v1/batches/{batch['id']}/rpo-request", headers=vendor_ready.auth)
    assert request.status_code == 200
    asked = request.data.decode().split()
    assert asked[0] == "phone"
    assert asked[1:] == [f"+39347100{i:04d}" for i in range(10, 20)]
    resp = post_rpo(client, admin, "".join(["phone,registered\n"] + [
        f"{n},no\n" for n in asked[1:]]).encode())
    assert batch["id"] in resp.json["resumed_batches"]
    runtime.jobs.join(timeout=60)
    done = client.get(f"/api/v1/batches/{batch['id']}", headers=vendor_ready.auth).json
    assert done["state"] == "certified", done
    gone = client.get(f"/api/v1/batches/{batch['id']}/rpo-request", headers=vendor_ready.auth)
    assert gone.status_code == 409


def test_buyer_objections_reject_rows_for_that_buyer_only(client, runtime, store, admin,
                                                          vendor_ready, buyer_ready):
    numbers = [f"+39 347 200 00{i:02d}" for i in range(20)]
    post_rpo(client, admin, "".join(["phone,registered\n"] + [
        f"{n},no\n" for n in numbers]).encode())
    one = client.post("/api/v1/objections", headers=buyer_ready.auth,
                      json={"phone": "0039 347 2000000"})
    assert one.status_code == 201, one.json
    csv = client.post("/api/v1/objections", headers=buyer_ready.auth,
                      content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"phone\n+393472000001\n"), "o.csv")})
    assert csv.status_code == 201, csv.json
    assert client.post("/api/v1/objections", headers=vendor_ready.auth,
                       json={"phone": "3470000000"}).status_code == 403
    bad = client.post("/api/v1/objections", headers=buyer_ready.auth, json={"phone": "12"})
    assert bad.status_code == 422
    batch = post_upload(client, vendor_ready, buyer_ready, rows(numbers)).json
    runtime.jobs.join(timeout=60)
    done = client.get(f"/api/v1/batches/{batch['id']}", headers=vendor_ready.auth).json
    assert done["counts"]["by_code"] == {"OBJECTION_RECORDED": 2}
    assert done["state"] == "certified"


def test_same_file_same_verdict_through_check_and_upload(client, runtime, store, admin,
                                                         vendor_ready, buyer_ready, tmp_path):
    from gateway.accounts import update_org
    from gateway.rules import check_file

    vendor = json.loads((SAMPLE / "vendor.json").read_text())
    buyer = json.loads((SAMPLE / "buyer.json").read_text())
    update_org(store, vendor_ready.id, profile=vendor | {"vendor_id": vendor_ready.id})
    update_org(store, buyer_ready.id, profile=buyer | {"buyer_id": buyer_ready.id})
    consulted = datetime.now(UTC) - timedelta(days=1)
    assert post_rpo(client, admin, (SAMPLE / "rpo.csv").read_bytes(), consulted).status_code \
        == 201
    # The sample's objections are global ones here, as an admin would import them.
    from gateway.objections import GLOBAL, ObjectionLedger

    ObjectionLedger(store).import_csv(str(SAMPLE / "objections.csv"), GLOBAL, actor="test")
    batch = post_upload(client, vendor_ready, buyer_ready, (SAMPLE / "sample.csv").read_bytes())
    runtime.jobs.join(timeout=60)
    done = client.get(f"/api/v1/batches/{batch.json['id']}", headers=vendor_ready.auth).json
    # The sample leaves one number out of the RPO file: the batch waits for it.
    assert done["state"] == "awaiting_rpo", done
    asked = client.get(f"/api/v1/batches/{done['id']}/rpo-request",
                       headers=vendor_ready.auth).data.decode().split()[1:]
    assert len(asked) == 1
    second = tmp_path / "rpo-second.csv"
    second.write_text("phone,registered\n" + "".join(f"{n},no\n" for n in asked))
    assert post_rpo(client, admin, second.read_bytes(), consulted).status_code == 201
    runtime.jobs.join(timeout=60)
    done = client.get(f"/api/v1/batches/{done['id']}", headers=vendor_ready.auth).json
    assert done["state"] in ("certified", "rejected"), done
    report = client.get(f"/api/v1/batches/{done['id']}/report", headers=vendor_ready.auth).json
    issued = manifests.load(store, done["id"])[0]["certificate"]["issued_at"]

    checked = check_file(SAMPLE / "sample.csv", vendor, buyer,
                         rpo_files=[(SAMPLE / "rpo.csv", consulted), (second, consulted)],
                         objections_file=SAMPLE / "objections.csv",
                         now=datetime.fromisoformat(issued))
    assert checked["decision"] == done["state"]
    assert checked["counts"]["by_code"] == done["counts"]["by_code"]
    assert [(r["row"], r["codes"], r["warnings"]) for r in checked["rows"]] == \
        [(r["row"], r["codes"], r["warnings"]) for r in report["rows"]]
