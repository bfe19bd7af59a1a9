"""Case 5: a large CSV uploaded through the API to a real ``gateway serve`` process.

The server runs in its own process on a prepared store. Its resident memory is sampled while
the upload streams in (and its high-water mark read before and after), so the figure is the
server's peak above its idle size. The body is generated while it is sent: a block of real
rows repeated, so the client costs almost nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .stage import Stage, child_environment

MB = 1_000_000
_BOUNDARY = "gatewaybenchmarkboundary7f3a"
_SEND = 1 << 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


class _Sampler(threading.Thread):
    """Polls a process's resident memory until stopped; keeps the maximum."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            with contextlib.suppress(OSError, KeyError, ValueError):
                self.peak_kb = max(self.peak_kb, _status_kb(self.pid, "VmRSS"))
                self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _body_parts(block: bytes, header: bytes, target: int) -> tuple[int, int, Iterator[bytes]]:
    """The CSV of about ``target`` bytes: header, then whole copies and a cut of ``block``.

    Returns the file's size, its number of data rows, and its pieces.
    """
    copies, rest = divmod(max(target - len(header), 0), len(block))
    cut = block[:rest]
    cut = cut[: cut.rfind(b"\n") + 1] if b"\n" in cut else b""
    size = len(header) + copies * len(block) + len(cut)
    rows = copies * block.count(b"\n") + cut.count(b"\n")

    def pieces() -> Iterator[bytes]:
        yield header
        for _ in range(copies):
            yield block
        if cut:
            yield cut

    return size, rows, pieces()


def _serve(stage: Stage, port: int, log_path: Path, max_bytes: int) -> subprocess.Popen[bytes]:
    env = child_environment(
        GATEWAY_STORAGE_URL=stage.storage_url,
        GATEWAY_SIGNING_KEY_DIR=stage.signing_key_dir,
        GATEWAY_START_JOBS="false",
        GATEWAY_SECRET_KEY="benchmark",
        GATEWAY_MAX_UPLOAD_BYTES=str(max_bytes),
    )
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(f"the server did not start; see {log_path}") from None
            time.sleep(0.2)


def _warm_up(port: int, key: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/batches", headers={"Authorization": f"Bearer {key}"}
    )
    for _ in range(3):
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def measure_upload(stage: Stage, folder: Path, block: bytes, header: bytes, target: int) -> dict:
    """Upload a CSV of about ``target`` bytes; return throughput and the server's memory."""
    size, rows, pieces = _body_parts(block, header, target)
    head = (
        f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="buyer_id"\r\n\r\n'
        f'{stage.buyer_id}\r\n--{_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="lista.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    tail = f"\r\n--{_BOUNDARY}--\r\n".encode()
    port = _free_port()
    server = _serve(stage, port, folder / "server.log", max(size + 1, 1 << 30))
    try:
        _warm_up(port, stage.vendor_key)
        time.sleep(1.0)
        idle_kb = _status_kb(server.pid, "VmRSS")
        hwm_before_kb = _status_kb(server.pid, "VmHWM")
        sampler = _Sampler(server.pid)
        sampler.start()
        digest = hashlib.sha256()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        started = time.perf_counter()
        connection.putrequest("POST", "/api/v1/batches")
        connection.putheader("Authorization", f"Bearer {stage.vendor_key}")
        connection.putheader("Content-Type", f"multipart/form-data; boundary={_BOUNDARY}")
        connection.putheader("Content-Length", str(len(head) + size + len(tail)))
        connection.endheaders()
        connection.send(head)
        for piece in pieces:
            digest.update(piece)
            for offset in range(0, len(piece), _SEND):
                connection.send(piece[offset : offset + _SEND])
        connection.send(tail)
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        # Read the high-water mark at once: the batch job starts right after the response.
        hwm_after_kb = _status_kb(server.pid, "VmHWM")
        sampler.stop()
        connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    batch: dict[str, Any] = json.loads(body) if body.startswith(b"{") else {}
    peak_kb = max(sampler.peak_kb, hwm_after_kb if hwm_after_kb > hwm_before_kb else 0)
    return {
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "mb_per_second": size / MB / seconds,
        "status": response.status,
        "idle_rss_mb": idle_kb * 1024 / MB,
        "peak_rss_mb": peak_kb * 1024 / MB,
        "peak_rss_above_idle_mb": (peak_kb - idle_kb) * 1024 / MB,
        "rss_samples": sampler.samples,
        "check_ok": response.status == 202
        and batch.get("size") == size
        and batch.get("sha256") == digest.hexdigest(),
    }
