"""The README's verification recipe works as written against a real certificate."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from gateway.rpo import RpoLedger

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_jose_snippet_verifies_a_certificate(client, runtime, vendor_ready, buyer_ready,
                                                    tmp_path, monkeypatch, capsys):
    RpoLedger(runtime.store).import_format_a(
        io.BytesIO(b"phone,registered\n+393470000001,no\n+393470000002,no\n"), datetime.now(UTC))
    body = (b"telefono,fonte_consenso,data_consenso,versione_informativa,consenso_terzi,prova\n"
            b"+39 347 0000001,fiera-milano,2025-03-01,2025-01,si,p1\n"
            b"+39 347 0000002,fiera-milano,2025-03-01,2025-01,si,p2\n")
    batch = client.post("/api/v1/batches", headers=vendor_ready.auth,
                        content_type="multipart/form-data",
                        data={"buyer_id": buyer_ready.id, "file": (io.BytesIO(body), "l.csv")}).json
    runtime.jobs.join(timeout=60)
    list_id = "c_" + batch["id"][2:]
    (tmp_path / "jwks.json").write_bytes(client.get("/.well-known/jwks.json").data)
    (tmp_path / "certificate.jws").write_bytes(
        client.get(f"/api/v1/certified-lists/{list_id}/certificate", headers=buyer_ready.auth).data)
    (tmp_path / "list.csv").write_bytes(
        client.get(f"/api/v1/certified-lists/{list_id}/download", headers=buyer_ready.auth).data)

    section = README.read_text().split("With any JOSE library", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(snippet, "README.md", "exec"), {})
    assert capsys.readouterr().out.startswith("certified ")
