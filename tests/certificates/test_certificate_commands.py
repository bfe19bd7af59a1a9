"""``gateway verify`` and the signing-key admin commands, as an operator runs them."""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gateway.certificates import LocalSigner, jwks, sign_statement
from gateway.certificates.commands import register
from gateway.storage import LocalObjectStore

REPO_ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str]) -> int:
    """Parse and run one command with only this package's commands registered."""
    parser = argparse.ArgumentParser(prog="gateway")
    sub = parser.add_subparsers()
    admin = sub.add_parser("admin").add_subparsers()
    register(sub, admin)
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Point the configuration at a store and a key directory under tmp_path."""
    values = {
        "GATEWAY_STORAGE_URL": (tmp_path / "store").as_uri(),
        "GATEWAY_SIGNING_KEY_DIR": str(tmp_path / "keys"),
        "GATEWAY_SIGNER": "local",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def cli_store(env, tmp_path):
    return LocalObjectStore(tmp_path / "store")


@pytest.fixture
def decision(cli_store, env, tmp_path, make_statement, files):
    """A certificate signed into the configured store, with the files it names on disk."""
    signer = LocalSigner(env["GATEWAY_SIGNING_KEY_DIR"], registry=cli_store)
    path = tmp_path / "decision.jws"
    path.write_text(sign_statement(signer, cli_store, make_statement()) + "\n")
    (tmp_path / "certified.csv").write_bytes(files["certified.csv"])
    return path


NOW = "2025-03-05T10:00:00Z"


def test_valid_certificate_exits_0_and_says_so(decision, tmp_path, capsys):
    status = run(["verify", str(decision), "--file", str(tmp_path / "certified.csv"), "--now", NOW])

    out = capsys.readouterr().out
    assert status == 0
    assert "VALID: Valid certificate for batch b-20250303-0001" in out
    assert "Certificato valido" in out
    assert "Chiamate Veloci S.p.A. (ROC 31245)" in out


def test_json_output(decision, capsys):
    assert run(["verify", str(decision), "--now", NOW, "--json"]) == 0

    verdict = json.loads(capsys.readouterr().out)
    assert verdict["ok"] is True and verdict["code"] == "VALID"
    assert verdict["statement"]["predicate"]["batch_id"] == "b-20250303-0001"


def test_expired_certificate_exits_1(decision, capsys):
    assert run(["verify", str(decision), "--now", "2025-04-01T00:00:00Z"]) == 1
    assert "CERTIFICATE_EXPIRED" in capsys.readouterr().out


def test_a_time_without_offset_is_read_as_rome_time(decision):
    # valid_until is 08:00 UTC, 09:00 in Rome (CET).
    assert run(["verify", str(decision), "--now", "2025-03-16T08:59:59"]) == 0
    assert run(["verify", str(decision), "--now", "2025-03-16T09:00:00"]) == 1


def test_a_different_file_exits_1(decision, tmp_path, capsys):
    other = tmp_path / "other.csv"
    other.write_bytes(b"phone\n+393330000000\n")

    assert run(["verify", str(decision), "--file", str(other), "--now", NOW]) == 1
    assert "FILE_DIGEST_MISMATCH" in capsys.readouterr().out


def test_a_tampered_decision_exits_1(decision, capsys):
    text = decision.read_text().strip()
    header, payload, signature = text.split(".")
    flipped = payload[:30] + ("A" if payload[30] != "A" else "B") + payload[31:]
    decision.write_text(f"{header}.{flipped}.{signature}")

    assert run(["verify", str(decision), "--now", NOW]) == 1
    assert "SIGNATURE_INVALID" in capsys.readouterr().out


def test_a_file_that_is_not_a_jws_exits_1(env, tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("not a certificate\n")

    assert run(["verify", str(path)]) == 1
    assert "NOT_A_JWS" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra",
    [
        ["--file", "missing.csv"],
        ["--jwks", "missing.json"],
        ["--jwks", "garbage.json"],
        ["--jwks", "not-a-keyset.json"],
        ["--now", "next tuesday"],
    ],
)
def test_unusable_input_exits_2(decision, tmp_path, monkeypatch, capsys, extra):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "garbage.json").write_text("{not json")
    (tmp_path / "not-a-keyset.json").write_text('{"kty": "EC"}')

    assert run(["verify", str(decision), *extra]) == 2
    assert "error:" in capsys.readouterr().err


def test_missing_decision_exits_2(env, capsys):
    assert run(["verify", "nowhere.jws"]) == 2
    assert "cannot read nowhere.jws" in capsys.readouterr().err


def test_jwks_from_a_file(decision, cli_store, tmp_path):
    keyset = tmp_path / "jwks.json"
    keyset.write_text(json.dumps(jwks(cli_store)))

    assert run(["verify", str(decision), "--jwks", str(keyset), "--now", NOW]) == 0
    keyset.write_text('{"keys": []}')
    assert run(["verify", str(decision), "--jwks", str(keyset), "--now", NOW]) == 1


@pytest.fixture
def jwks_server(cli_store, tmp_path):
    """Serve the store's key set over HTTP, as /.well-known/jwks.json would."""
    site = tmp_path / "site" / ".well-known"
    site.mkdir(parents=True)
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "site")
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_jwks_from_a_url(decision, cli_store, jwks_server, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    site, base = jwks_server
    (site / "jwks.json").write_text(json.dumps(jwks(cli_store)))

    assert (
        run(["verify", str(decision), "--jwks", f"{base}/.well-known/jwks.json", "--now", NOW]) == 0
    )
    assert (
        run(["verify", str(decision), "--jwks", f"{base}/.well-known/missing", "--now", NOW]) == 2
    )


def test_without_published_keys_the_key_is_unknown(env, tmp_path, make_statement, capsys):
    elsewhere = LocalObjectStore(tmp_path / "elsewhere")
    token = sign_statement(LocalSigner(tmp_path / "other-keys"), elsewhere, make_statement())
    path = tmp_path / "d.jws"
    path.write_text(token)

    assert run(["verify", str(path), "--now", NOW]) == 1
    assert "KEY_UNKNOWN" in capsys.readouterr().out


def test_rotate_prints_the_new_kid_and_old_decisions_still_verify(decision, cli_store, env, capsys):
    old_kid = LocalSigner(env["GATEWAY_SIGNING_KEY_DIR"]).kid
    capsys.readouterr()

    assert run(["admin", "rotate-signing-key"]) == 0

    new_kid = capsys.readouterr().out.strip()
    assert new_kid != old_kid
    assert LocalSigner(env["GATEWAY_SIGNING_KEY_DIR"]).kid == new_kid
    assert {k["kid"] for k in jwks(cli_store)["keys"]} == {old_kid, new_kid}
    assert run(["verify", str(decision), "--now", NOW]) == 0


def test_rotate_with_kms_explains_and_exits_2(env, monkeypatch, capsys):
    monkeypatch.setenv("GATEWAY_SIGNER", "kms:alias/gateway-signing")

    assert run(["admin", "rotate-signing-key"]) == 2
    err = capsys.readouterr().err
    assert "create a new KMS key" in err and "GATEWAY_SIGNER=kms:<new-key-id>" in err


def test_signing_keys_lists_every_published_key(decision, env, capsys):
    run(["admin", "rotate-signing-key"])
    capsys.readouterr()

    assert run(["admin", "signing-keys", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 2
    assert {k["backend"] for k in listed} == {"local"}
    assert all(k["created_at"].endswith("Z") for k in listed)

    assert run(["admin", "signing-keys"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("KID") and all(k["kid"] in table for k in listed)


def test_python_m_gateway_verify(decision, env, tmp_path):
    command = [sys.executable, "-m", "gateway", "verify", str(decision), "--now", NOW]
    environ = {**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)}

    valid = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=60)
    expired = subprocess.run(
        [*command[:-1], "2030-01-01T00:00:00Z"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert valid.returncode == 0, valid.stderr
    assert "Valid certificate" in valid.stdout
    assert expired.returncode == 1
    assert "expired" in expired.stdout
