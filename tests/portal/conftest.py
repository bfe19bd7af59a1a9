"""Portal fixtures: people who sign in, and a test client that behaves like a browser."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.support import Org

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Person:
    email: str
    org: Org
    password: str = PASSWORD


def make_person(store, org: Org, email: str) -> Person:
    from gateway.accounts.users import create_user

    create_user(store, org_id=org.id, email=email, password=PASSWORD)
    return Person(email, org)


def csrf_from(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = _TOKEN.search(html)
    assert match, "the page has no form token"
    return match.group(1)


class Visitor:
    """A test client that keeps its cookies and the form token of the last page, like a browser."""

    def __init__(self, client) -> None:
        self.client = client
        self.token: str | None = None

    def get(self, path: str, **kwargs):
        # Buffered: a streamed download is read and closed at once, as a browser would.
        response = self.client.get(path, buffered=True, **kwargs)
        if response.mimetype == "text/html":
            match = _TOKEN.search(response.get_data(as_text=True))
            if match:
                self.token = match.group(1)
        return response

    def post(self, path: str, data: dict | None = None, *, token: bool = True, **kwargs):
        data = dict(data or {})
        if token:
            if self.token is None:
                self.get("/sign-in" if "/sign-in" in path else "/verify")
            data.setdefault("csrf_token", self.token)
        return self.client.post(path, data=data, buffered=True, **kwargs)

    def sign_in(self, person: Person, password: str | None = None):
        self.get("/sign-in")
        response = self.post(
            "/sign-in", {"email": person.email, "password": password or person.password}
        )
        if response.status_code == 303:
            self.get("/verify")  # the signed-in session's own form token
        return response


def error_code(response) -> str | None:
    """The stable error code an error page shows."""
    match = re.search(r'<code id="error-code">([A-Z_]+)</code>', response.get_data(as_text=True))
    return match.group(1) if match else None


@pytest.fixture
def visitor(client) -> Visitor:
    return Visitor(client)


@pytest.fixture
def vendor_person(store, vendor_ready) -> Person:
    return make_person(store, vendor_ready, "anna@listerapide.example")


@pytest.fixture
def buyer_person(store, buyer_ready) -> Person:
    return make_person(store, buyer_ready, "marco@callcenternord.example")


@pytest.fixture
def admin_person(store, admin) -> Person:
    return make_person(store, admin, "ops@gateway.example")


@pytest.fixture
def app_factory(app_config):
    """Build more applications on the same store (several processes serving one portal)."""
    from gateway import create_app

    apps = []

    def build():
        app = create_app(dict(app_config))
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["gateway"].jobs.shutdown(wait=True)


def contact_rows(count: int) -> tuple[bytes, list[str]]:
    """A small valid list for the test profiles (tests.support) and its numbers."""
    numbers = [f"+39347{1000000 + n:07d}" for n in range(count)]
    lines = [
        "telefono;nome;fonte_consenso;data_consenso;versione_informativa;consenso_terzi;"
        "ip_consenso;rif_prova"
    ]
    lines += [
        f"{phone};Nome{n};web-main;2025-03-01 10:00;2025-01;si;93.41.41.{n % 200 + 1};ref-{n}"
        for n, phone in enumerate(numbers)
    ]
    return ("\n".join(lines) + "\n").encode(), numbers


def import_rpo(store, numbers: list[str]) -> dict:
    """Record a fresh RPO consultation in which none of the numbers is registered."""
    from datetime import timedelta

    from gateway.accounts import utcnow
    from gateway.rpo import RpoLedger

    esito = "phone,registered\n" + "".join(f"{n},no\n" for n in numbers)
    import io

    return RpoLedger(store).import_format_a(
        io.BytesIO(esito.encode()), utcnow() - timedelta(minutes=10)
    )


@pytest.fixture
def certified_batch(app, store, runtime, vendor_person, buyer_person):
    """A batch of the vendor, addressed to the buyer, judged and certified."""
    from gateway import batches
    from gateway.accounts import Principal

    data, numbers = contact_rows(12)
    import_rpo(store, numbers)
    sink = batches.UploadSink(store, max_bytes=10**7, filename="lista-marzo.csv")
    sink.write(data)
    result = batches.accept_upload(
        store,
        sink,
        principal=Principal(vendor_person.org.id, "vendor"),
        buyer_id=buyer_person.org.id,
        ip=None,
        enqueue=runtime.jobs.submit,
    )
    runtime.jobs.join(timeout=60)
    batch = store.get_json(f"batches/{result.batch['id']}/manifest.json")
    assert batch["state"] == "certified", (batch["state"], batch.get("counts"), batch.get("error"))
    return batch
