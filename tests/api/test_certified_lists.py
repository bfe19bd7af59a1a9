"""What the buyer gets: certified lists, certificates it can verify without us, reports."""

from __future__ import annotations

import base64
import io
import json
import time
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from joserfc import jws
from joserfc.jwk import KeySet

from gateway import audit
from gateway.rpo import RpoLedger

HEADER = ("telefono,nome,email,fonte_consenso,data_consenso,versione_informativa,"
          "consenso_terzi,prova,note\n")


def rows_csv(n: int, *, extra: str = "ok", name: str = "Mario") -> str:
    return "".join(
        f"+39 347 {i:07d},{name},m{i}@example.it,fiera-milano,2025-03-01 10:00,2025-01,si,"
        f"p-{i},{extra}\n" for i in range(n))


def certify(client, runtime, vendor, buyer, body: str, *, consulted_at=None, n=10):
    RpoLedger(runtime.store).import_format_a(
        io.BytesIO(("phone,registered\n" + "".join(
            f"+39347{i:07d},no\n" for i in range(n))).encode()),
        consulted_at or datetime.now(UTC))
    resp = client.post("/api/v1/batches", headers=vendor.auth, content_type="multipart/form-data",
                       data={"buyer_id": buyer.id,
                             "file": (io.BytesIO((HEADER + body).encode()), "lista.csv")})
    assert resp.status_code == 202, resp.json
    runtime.jobs.join(timeout=60)
    batch = client.get(f"/api/v1/batches/{resp.json['id']}", headers=vendor.auth).json
    return batch


@pytest.fixture
def certified(client, runtime, vendor_ready, buyer_ready):
    batch = certify(client, runtime, vendor_ready, buyer_ready, rows_csv(10))
    assert batch["state"] == "certified", batch
    return batch


def test_buyer_lists_and_reads_its_certified_list(client, certified, buyer_ready, vendor_ready):
    listing = client.get("/api/v1/certified-lists", headers=buyer_ready.auth).json
    assert len(listing["items"]) == 1
    item = listing["items"][0]
    assert item["batch_id"] == certified["id"]
    assert item["vendor_id"] == vendor_ready.id
    assert item["accepted"] == 10
    assert item["valid_until"] and item["issued_at"]
    filtered = client.get("/api/v1/certified-lists?vendor_id=other&valid=true",
                          headers=buyer_ready.auth).json
    assert filtered["items"] == []
    detail = client.get(f"/api/v1/certified-lists/{item['id']}", headers=buyer_ready.auth).json
    assert detail["certificate"]["ok"] is True
    predicate = detail["certificate"]["statement"]["predicate"]
    assert predicate["decision"] == "certified"
    assert predicate["buyer"]["roc_number"] == "12345"
    assert predicate["counts"]["accepted"] == 10


def test_certified_csv_and_xlsx_download(client, certified, buyer_ready):
    list_id = "c_" + certified["id"][2:]
    resp = client.get(f"/api/v1/certified-lists/{list_id}/download?format=csv",
                      headers=buyer_ready.auth)
    assert resp.status_code == 200
    assert resp.content_type.startswith("text/csv")
    lines = resp.data.decode().splitlines()
    assert lines[0] == ("phone,first_name,email,consent_source,consent_timestamp,"
                        "informativa_version,consent_third_party,proof_ref,note")
    assert lines[1].startswith("+393470000000,Mario,")
    assert len(lines) == 11
    resp = client.get(f"/api/v1/certified-lists/{list_id}/download?format=xlsx",
                      headers=buyer_ready.auth)
    assert resp.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    assert sheet.cell(2, 1).value == "+393470000000"
    bad = client.get(f"/api/v1/certified-lists/{list_id}/download?format=pdf",
                     headers=buyer_ready.auth)
    assert bad.status_code == 422


def test_certificate_verifies_with_an_independent_jose_library(client, certified, buyer_ready):
    list_id = "c_" + certified["id"][2:]
    token = client.get(f"/api/v1/certified-lists/{list_id}/certificate",
                       headers=buyer_ready.auth)
    assert token.content_type == "application/jose"
    jwks = client.get("/.well-known/jwks.json").json
    keys = KeySet.import_key_set(jwks)
    obj = jws.deserialize_compact(token.data.decode(), keys, algorithms=["ES256"])
    statement = json.loads(obj.payload)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    listing = client.get(f"/api/v1/certified-lists/{list_id}/download",
                         headers=buyer_ready.auth).data
    import hashlib

    digests = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert digests["certified.csv"] == hashlib.sha256(listing).hexdigest()
    assert digests["upload"] == certified["sha256"]


def test_verify_endpoint_catches_tampering(client, certified, buyer_ready):
    list_id = "c_" + certified["id"][2:]
    token = client.get(f"/api/v1/certified-lists/{list_id}/certificate",
                       headers=buyer_ready.auth).data
    listing = client.get(f"/api/v1/certified-lists/{list_id}/download",
                         headers=buyer_ready.auth).data

    def verify(cert: bytes, data: bytes | None = None):
        form = {"certificate": (io.BytesIO(cert), "c.jws")}
        if data is not None:
            form["file"] = (io.BytesIO(data), "list.csv")
        return client.post("/api/v1/verify", headers=buyer_ready.auth, data=form,
                           content_type="multipart/form-data").json

    assert verify(token, listing)["code"] == "VALID"
    tampered_list = listing.replace(b"Mario", b"Mariu", 1)
    assert verify(token, tampered_list)["code"] == "FILE_DIGEST_MISMATCH"
    header, payload, signature = token.decode().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["predicate"]["counts"]["accepted"] = 11
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert verify(f"{header}.{forged}.{signature}".encode())["code"] == "SIGNATURE_INVALID"
    assert verify(b"not a jws at all")["code"] == "NOT_A_JWS"
    missing = client.post("/api/v1/verify", headers=buyer_ready.auth, data={},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.json["error"] == "CERTIFICATE_MISSING"


def test_vendor_cannot_use_the_buyer_api_and_other_buyers_see_nothing(
        client, store, certified, vendor_ready, other_buyer):
    list_id = "c_" + certified["id"][2:]
    resp = client.get("/api/v1/certified-lists", headers=vendor_ready.auth)
    assert resp.status_code == 403
    for path in ("", "/download", "/certificate"):
        resp = client.get(f"/api/v1/certified-lists/{list_id}{path}", headers=other_buyer.auth)
        assert resp.status_code == 404
        assert resp.json["error"] == "CERTIFIED_LIST_NOT_FOUND"
    resp = client.get(f"/api/v1/batches/{certified['id']}/decision", headers=other_buyer.auth)
    assert resp.status_code == 404


def test_download_after_valid_until_is_410(client, runtime, vendor_ready, buyer_ready):
    # The consultation is 15 days old minus six seconds: the certificate lives six seconds,
    # room enough for a loaded machine to judge ten rows first.
    consulted = datetime.now(UTC) - timedelta(days=15) + timedelta(seconds=6)
    batch = certify(client, runtime, vendor_ready, buyer_ready, rows_csv(10),
                    consulted_at=consulted)
    assert batch["state"] == "certified", batch
    list_id = "c_" + batch["id"][2:]
    until = datetime.fromisoformat(batch["valid_until"])
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
    resp = client.get(f"/api/v1/certified-lists/{list_id}/download", headers=buyer_ready.auth)
    assert resp.status_code == 410
    assert resp.json["error"] == "CERTIFICATE_EXPIRED"
    valid = client.get("/api/v1/certified-lists?valid=true", headers=buyer_ready.auth).json
    assert valid["items"] == []


def test_formula_injection_is_inert_in_csv_and_xlsx(client, runtime, vendor_ready, buyer_ready):
    body = rows_csv(9, extra="=HYPERLINK(\"http://evil.example\";\"x\")", name="@SUM(1+1)")
    body += "+39 347 000 0009,-2+3,bad-email,fiera-milano,2025-03-01,2025-01,si,+cmd,x\n"
    batch = certify(client, runtime, vendor_ready, buyer_ready, body)
    assert batch["state"] == "certified", batch
    list_id = "c_" + batch["id"][2:]
    text = client.get(f"/api/v1/certified-lists/{list_id}/download",
                      headers=buyer_ready.auth).data.decode()
    first = text.splitlines()[1]
    assert first.startswith("+393470000000,'@SUM(1+1),")
    assert "'=HYPERLINK" in first
    data = client.get(f"/api/v1/certified-lists/{list_id}/download?format=xlsx",
                      headers=buyer_ready.auth).data
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [c.value for c in ws[2]]
    assert values[0] == "+393470000000"
    assert all(not (isinstance(v, str) and v.startswith(("=", "@"))) for v in values)
    report = client.get(f"/api/v1/batches/{batch['id']}/report?format=xlsx",
                        headers=vendor_ready.auth)
    assert report.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(report.data))
    rows_sheet = wb["Righe - Rows"]
    cells = [c.value for row in rows_sheet.iter_rows(min_row=2) for c in row]
    assert "'-2+3" in cells and "'+cmd" in cells
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for v in cells)
    assert rows_sheet.cell(2, 1).value == 11  # the spreadsheet row of the failing record
    summary = [c.value for row in wb["Riepilogo - Summary"].iter_rows() for c in row]
    assert "EMAIL_INVALID" in summary


def test_certificate_carries_no_personal_data(client, certified, buyer_ready, store):
    token = store.get(f"batches/{certified['id']}/decision.jws").data.decode()
    payload = token.split(".")[1]
    text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    for needle in ("3470000000", "Mario", "example.it", "p-1", "fiera-milano"):
        assert needle not in text


def test_reports_in_three_formats_and_downloads_are_audited(client, certified, vendor_ready,
                                                            buyer_ready, store):
    for fmt, kind in (("json", "application/json"), ("csv", "text/csv"),
                      ("xlsx", "application/vnd.openxmlformats")):
        resp = client.get(f"/api/v1/batches/{certified['id']}/report?format={fmt}",
                          headers=buyer_ready.auth)
        assert resp.status_code == 200
        assert resp.content_type.startswith(kind)
    report = client.get(f"/api/v1/batches/{certified['id']}/report",
                        headers=vendor_ready.auth).json
    assert report["decision"] == "certified" and report["rows"] == []
    actions = [e["action"] for e in audit.events(store) if e["target"] == certified["id"]]
    assert actions.count("download.report") == 4
