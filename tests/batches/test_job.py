"""The batch job: from upload to a final state, races between workers, and crash recovery."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway import audit, create_app
from gateway.batches import manifest as manifests
from tests.support import BUYER_PROFILE, VENDOR_PROFILE, make_org, set_profile

ROOT = Path(__file__).resolve().parents[2]
HEADER = "telefono,nome,fonte_consenso,data_consenso,versione_informativa,consenso_terzi,prova\n"


def sample_csv(rows: int, start: int = 0) -> bytes:
    lines = [HEADER]
    for i in range(start, start + rows):
        lines.append(f"+39 347 {i:07d},Nome{i},fiera-milano,2025-03-01 10:00,2025-01,si,p-{i}\n")
    return "".join(lines).encode()


def rpo_csv(rows: int, start: int = 0) -> bytes:
    lines = ["phone,registered\n"]
    lines += [f"+39347{i:07d},no\n" for i in range(start, start + rows)]
    return "".join(lines).encode()


def upload(client, org, buyer_id, data, name="lista.csv"):
    return client.post("/api/v1/batches", headers=org.auth, content_type="multipart/form-data",
                       data={"buyer_id": buyer_id, "file": (io.BytesIO(data), name)})


def import_rpo(store, data: bytes) -> None:
    from gateway.rpo import RpoLedger

    RpoLedger(store).import_format_a(io.BytesIO(data), datetime.now(UTC))


def test_upload_reaches_certified_with_artefacts(client, runtime, store, vendor_ready,
                                                 buyer_ready):
    import_rpo(store, rpo_csv(20))
    batch = upload(client, vendor_ready, buyer_ready.id, sample_csv(20)).json
    runtime.jobs.join(timeout=60)
    done = client.get(f"/api/v1/batches/{batch['id']}", headers=vendor_ready.auth).json
    assert done["state"] == "certified", done
    assert done["counts"]["accepted"] == 20
    assert done["progress"] == {"rows_done": 20, "rows_total": 20}
    assert {"certified_csv", "decision", "report_json"} <= set(done["artefacts"])
    certified = store.get(f"batches/{batch['id']}/certified.csv").data.decode().splitlines()
    assert certified[0].split(",")[:2] == ["phone", "first_name"]
    assert certified[1].startswith("+393470000000,")
    actions = [e["action"] for e in audit.events(store) if e["target"] == batch["id"]]
    assert actions[:3] == ["batch.upload", "batch.validating", "batch.certified"]


def test_content_that_is_not_csv_is_rejected_whatever_its_name(client, runtime, vendor_ready,
                                                               buyer_ready):
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(300)
    batch = upload(client, vendor_ready, buyer_ready.id, pdf, name="lista.csv").json
    runtime.jobs.join(timeout=60)
    done = client.get(f"/api/v1/batches/{batch['id']}", headers=vendor_ready.auth).json
    assert done["state"] == "rejected"
    assert done["reasons"] == ["FILE_TYPE_UNSUPPORTED"]
    assert done["file_error"]["message_it"]
    decision = client.get(f"/api/v1/batches/{batch['id']}/decision", headers=vendor_ready.auth)
    assert decision.status_code == 200
    assert decision.content_type == "application/jose"


def test_internal_error_fails_the_batch_and_admin_retry_recovers(client, runtime, store,
                                                                 vendor_ready, buyer_ready,
                                                                 admin, monkeypatch):
    import gateway.batches.judge as judge

    import_rpo(store, rpo_csv(5))
    real = judge.judge_batch

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(judge, "judge_batch", broken)
    batch = upload(client, vendor_ready, buyer_ready.id, sample_csv(5)).json
    runtime.jobs.join(timeout=60)
    failed = client.get(f"/api/v1/batches/{batch['id']}", headers=vendor_ready.auth).json
    assert failed["state"] == "failed"
    assert failed["error"]["type"] == "RuntimeError"
    monkeypatch.setattr(judge, "judge_batch", real)
    resp = client.post(f"/api/v1/batches/{batch['id']}/retry", headers=admin.auth)
    assert resp.status_code == 202
    runtime.jobs.join(timeout=60)
    done = client.get(f"/api/v1/batches/{batch['id']}", headers=vendor_ready.auth).json
    assert done["state"] == "certified"
    assert manifests.load(store, batch["id"])[0]["attempts"] == 2


def test_a_certified_list_that_cannot_be_stored_signs_nothing(client, runtime, store,
                                                              vendor_ready, buyer_ready,
                                                              monkeypatch):
    from gateway.storage import local

    import_rpo(store, rpo_csv(5))
    real_commit = local._LocalWriter.commit

    def commit(self):
        if self.path.name == "certified.csv":
            raise OSError("no space left on device")
        return real_commit(self)

    monkeypatch.setattr(local._LocalWriter, "commit", commit)
    batch = upload(client, vendor_ready, buyer_ready.id, sample_csv(5)).json
    runtime.jobs.join(timeout=60)
    failed = client.get(f"/api/v1/batches/{batch['id']}", headers=vendor_ready.auth).json
    assert failed["state"] == "failed"
    assert failed["error"]["type"] == "OSError"
    assert not set(failed["artefacts"]) & {"certified_csv", "decision", "report_json"}
    assert not store.exists(f"batches/{batch['id']}/decision.jws")
    assert not store.exists(f"batches/{batch['id']}/certified.csv")


def test_two_workers_racing_move_the_batch_once(app_config, tmp_path):
    # Two independent runtimes (as two processes would be) share one store.
    first = create_app(app_config)
    second = create_app(app_config)
    store = first.extensions["gateway"].store
    vendor, buyer = make_org(store, "vendor", "V"), make_org(store, "buyer", "B")
    set_profile(store, vendor, VENDOR_PROFILE)
    set_profile(store, buyer, BUYER_PROFILE)
    import_rpo(store, rpo_csv(2000))
    # Queue nothing: the workers are driven by hand below.
    first.extensions["gateway"].jobs.submit = lambda batch_id: None
    resp = upload(first.test_client(), vendor, buyer.id, sample_csv(2000))
    assert resp.status_code == 202, resp.json
    batch = resp.json
    barrier = threading.Barrier(4)

    def work(app):
        barrier.wait()
        app.extensions["gateway"].run_batch(batch["id"])

    threads = [threading.Thread(target=work, args=(a,)) for a in (first, second, first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    manifest, _ = manifests.load(store, batch["id"])
    assert manifest["state"] == "certified"
    assert [h["state"] for h in manifest["history"]] == ["received", "validating", "certified"]
    claims = [e for e in audit.events(store)
              if e["target"] == batch["id"] and e["action"] == "batch.validating"]
    assert len(claims) == 1
    assert manifest["attempts"] == 1


def test_a_job_whose_lease_was_taken_stops_at_its_next_progress(app_config):
    from gateway.batches.job import Progress, claim

    app = create_app(app_config)
    rt = app.extensions["gateway"]
    store = rt.store
    vendor, buyer = make_org(store, "vendor", "V"), make_org(store, "buyer", "B")
    set_profile(store, vendor, VENDOR_PROFILE)
    set_profile(store, buyer, BUYER_PROFILE)
    rt.jobs.submit = lambda batch_id: None  # this test plays the worker
    batch = upload(app.test_client(), vendor, buyer.id, sample_csv(3)).json
    manifest = claim(rt, batch["id"])
    progress = Progress(rt, batch["id"], manifest["lease"]["token"])
    progress(1)  # written in the background, under the lease
    progress.close()
    assert manifests.load(store, batch["id"])[0]["progress"]["rows_done"] == 1

    def take_over(m):
        m["lease"] = manifests.new_lease(60)

    manifests.update(store, batch["id"], take_over)
    progress = Progress(rt, batch["id"], manifest["lease"]["token"])
    progress(2)
    with pytest.raises(manifests.StaleManifest):
        progress.close()
    assert manifests.load(store, batch["id"])[0]["progress"]["rows_done"] == 1


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, key: str) -> dict:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _post_upload(url: str, key: str, buyer_id: str, data: bytes) -> dict:
    boundary = "gatewaytestboundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"buyer_id\"\r\n\r\n"
        f"{buyer_id}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
        f"filename=\"lista.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": f"Bearer {key}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert resp.status == 202
        return json.loads(resp.read())


def _serve(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.2)


def test_job_killed_half_way_is_resumed_after_restart(tmp_path):
    store_url = (tmp_path / "store").as_uri()
    env = {**os.environ, "GATEWAY_STORAGE_URL": store_url,
           "GATEWAY_SIGNING_KEY_DIR": str(tmp_path / "keys"),
           # Small chunks and a slow-enough file so the kill lands mid-batch.
           "GATEWAY_CHUNK_ROWS": "2000", "GATEWAY_SWEEP_SECONDS": "1"}
    from gateway.storage import open_store

    store = open_store(store_url)
    vendor, buyer = make_org(store, "vendor", "V"), make_org(store, "buyer", "B")
    set_profile(store, vendor, VENDOR_PROFILE)
    set_profile(store, buyer, BUYER_PROFILE)
    rows = 400_000
    import_rpo(store, rpo_csv(rows))
    port = _free_port()
    server = _serve(env, port)
    try:
        batch = _post_upload(f"http://127.0.0.1:{port}/api/v1/batches", vendor.key, buyer.id,
                             sample_csv(rows))
        url = f"http://127.0.0.1:{port}/api/v1/batches/{batch['id']}"
        deadline = time.monotonic() + 120
        while True:
            seen = _get(url, vendor.key)
            if seen["state"] == "validating" and seen["progress"]["rows_done"] > 0:
                break
            assert seen["state"] in ("received", "validating"), seen
            assert time.monotonic() < deadline, "the batch never started"
            time.sleep(0.05)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    interrupted, _ = manifests.load(store, batch["id"])
    assert interrupted["state"] == "validating"

    port = _free_port()
    server = _serve(env, port)
    url = f"http://127.0.0.1:{port}/api/v1/batches/{batch['id']}"
    try:
        deadline = time.monotonic() + 180
        while (seen := _get(url, vendor.key))["state"] not in ("certified", "rejected",
                                                               "failed"):
            assert time.monotonic() < deadline, seen
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert seen["state"] == "certified", seen
    assert seen["counts"]["total"] == rows
    manifest, _ = manifests.load(store, batch["id"])
    assert manifest["attempts"] == 2
