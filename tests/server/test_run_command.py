"""The README's run command brings up a real server that answers /healthz."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return json.loads(resp.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_healthz_and_prints_demo_keys(tmp_path):
    port = free_port()
    env = {**os.environ, "GATEWAY_STORAGE_URL": (tmp_path / "store").as_uri(),
           "GATEWAY_SIGNING_KEY_DIR": str(tmp_path / "keys")}
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz") == {"status": "ok"}
        # The demo keys printed before serving work against the running server.
        os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert "vendor" in output and "key: gk_" in output
    assert (tmp_path / "store" / "accounts" / "orgs" / "org_demo_vendor.json").exists()


def test_serve_answers_api_with_a_demo_key(tmp_path):
    port = free_port()
    env = {**os.environ, "GATEWAY_STORAGE_URL": (tmp_path / "store").as_uri(),
           "GATEWAY_SIGNING_KEY_DIR": str(tmp_path / "keys")}
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else "python3"
    seeded = json.loads(subprocess.run(
        [python, "-m", "gateway", "demo", "--json"], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True).stdout)
    proc = subprocess.Popen([python, "-m", "gateway", "serve", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/batches",
            headers={"Authorization": f"Bearer {seeded['vendor']['key']}"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200
            assert json.loads(resp.read()) == {"items": [], "next_cursor": None}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
