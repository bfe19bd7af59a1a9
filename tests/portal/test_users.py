"""Portal users: argon2id hashes only, unique emails, the create-user command, demo users."""

from __future__ import annotations

import io
import json

import pytest

from gateway.accounts.users import (
    create_user,
    find_user,
    get_user,
    list_users,
    principal_of,
    set_password,
    sign_in,
)
from gateway.errors import Conflict, NotFound, Unauthorized, ValidationFailed

PASSWORD = "a long enough passphrase"


def test_a_user_is_stored_with_an_argon2id_hash_never_the_password(store, vendor):
    user = create_user(
        store, org_id=vendor.id, email=" Anna@Example.ORG ", password=PASSWORD, name="Anna"
    )
    assert user["email"] == "anna@example.org"
    assert "password_hash" not in user
    raw = store.get(f"accounts/users/{user['id']}.json").data.decode()
    assert PASSWORD not in raw
    assert get_user(store, user["id"])["password_hash"].startswith("$argon2id$")
    assert find_user(store, "ANNA@example.org")["id"] == user["id"]
    assert [u["email"] for u in list_users(store, vendor.id)] == ["anna@example.org"]
    assert principal_of(store, get_user(store, user["id"])).role == "vendor"


def test_emails_are_unique(store, vendor, buyer):
    create_user(store, org_id=vendor.id, email="same@example.org", password=PASSWORD)
    with pytest.raises(Conflict) as taken:
        create_user(store, org_id=buyer.id, email="SAME@example.org", password=PASSWORD)
    assert taken.value.error == "EMAIL_TAKEN"


@pytest.mark.parametrize(
    "email,password,field",
    [
        ("not-an-email", PASSWORD, "email"),
        ("ok@example.org", "short", "password"),
        ("ok@example.org", "x" * 600, "password"),
    ],
)
def test_bad_emails_and_passwords_are_refused(store, vendor, email, password, field):
    with pytest.raises(ValidationFailed) as refused:
        create_user(store, org_id=vendor.id, email=email, password=password)
    assert field in refused.value.errors


def test_a_user_needs_an_existing_organisation(store):
    with pytest.raises(NotFound):
        create_user(store, org_id="org_missing", email="a@example.org", password=PASSWORD)


def test_set_password_replaces_the_old_one(store, vendor):
    user = create_user(store, org_id=vendor.id, email="a@example.org", password=PASSWORD)
    set_password(store, user["id"], "another long passphrase")
    with pytest.raises(Unauthorized):
        sign_in(store, "a@example.org", PASSWORD, ip=None)
    assert sign_in(store, "a@example.org", "another long passphrase", ip=None)["id"] == user["id"]


def test_create_user_command_reads_the_password_from_stdin(store, vendor, monkeypatch, capsys):
    from gateway.cli import main

    monkeypatch.setenv("GATEWAY_STORAGE_URL", store.url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    status = main(
        [
            "admin",
            "create-user",
            "--org",
            vendor.id,
            "--email",
            "cli@example.org",
            "--password-stdin",
            "--json",
        ]
    )
    assert status == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["email"] == "cli@example.org" and "password_hash" not in printed
    assert sign_in(store, "cli@example.org", PASSWORD, ip=None)["org_id"] == vendor.id


def test_create_user_command_reports_a_short_password(store, vendor, monkeypatch, capsys):
    from gateway.cli import main

    monkeypatch.setenv("GATEWAY_STORAGE_URL", store.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    status = main(
        [
            "admin",
            "create-user",
            "--org",
            vendor.id,
            "--email",
            "cli@example.org",
            "--password-stdin",
        ]
    )
    assert status == 2
    assert "USER_INVALID" in capsys.readouterr().err
    assert find_user(store, "cli@example.org") is None


def test_demo_seeds_one_user_per_role_and_a_rerun_resets_their_passwords(
    store, monkeypatch, capsys
):
    from gateway.cli import main

    monkeypatch.setenv("GATEWAY_STORAGE_URL", store.url)
    assert main(["demo", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert {role: info["user"]["email"] for role, info in first.items()} == {
        "vendor": "vendor@demo.example",
        "buyer": "buyer@demo.example",
        "admin": "admin@demo.example",
    }
    for role, info in first.items():
        user = sign_in(store, info["user"]["email"], info["user"]["password"], ip=None)
        assert principal_of(store, get_user(store, user["id"])).role == role

    assert main(["demo"]) == 0
    text = capsys.readouterr().out
    assert "vendor@demo.example" in text and "password: " in text
    new_password = text.split("vendor@demo.example", 1)[1].split("password: ", 1)[1].split()[0]
    assert new_password != first["vendor"]["user"]["password"]
    with pytest.raises(Unauthorized):
        sign_in(store, "vendor@demo.example", first["vendor"]["user"]["password"], ip=None)
    assert sign_in(store, "vendor@demo.example", new_password, ip=None)
    assert len(list_users(store)) == 3
