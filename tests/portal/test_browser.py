"""End to end in a real Chromium against a real server: vendor, admin and buyer at work.

The server is the application from ``create_app`` on a temporary store, served by werkzeug in
a thread, with in-process jobs. Screenshots of the main pages go to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import base64
import io
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.portal.conftest import PASSWORD, Person, contact_rows, make_person
from tests.support import BUYER_PROFILE, VENDOR_PROFILE, Org

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "sample"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
ROME = ZoneInfo("Europe/Rome")
# A batch is judged in well under a second here; the allowance is for a busy machine.
DECISION_TIMEOUT_MS = 45_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@dataclass
class LiveGateway:
    url: str
    app: Any
    store: Any
    people: dict[str, Person] = field(default_factory=dict)
    list_bytes: bytes = b""
    list_name: str = ""


def _org(store, role: str, name: str, profile: dict | None) -> Org:
    from gateway.accounts import create_org
    from gateway.accounts.profiles import set_profile

    org = create_org(store, role=role, name=name)
    if profile is not None:
        doc = dict(profile)
        doc[f"{role}_id"] = org["id"]
        set_profile(store, org["id"], doc)
    return Org(org["id"], role, "")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Iterator[LiveGateway]:
    from werkzeug.serving import make_server

    from gateway import create_app
    from gateway.accounts import utcnow
    from gateway.rpo import RpoLedger

    root = tmp_path_factory.mktemp("portal-browser")
    app = create_app(
        {
            "storage_url": (root / "store").as_uri(),
            "signing_key_dir": str(root / "keys"),
            "start_jobs": True,
            "job_workers": 2,
            "sweep_seconds": 2.0,
            "secret_key": "browser-test",
        }
    )
    store = app.extensions["gateway"].store

    if (SAMPLE / "sample.csv").exists():
        vendor_profile = json.loads((SAMPLE / "vendor.json").read_text())
        buyer_profile = json.loads((SAMPLE / "buyer.json").read_text())
        list_name, list_bytes = "sample.csv", (SAMPLE / "sample.csv").read_bytes()
        # The sample's consultation covers every number but a few, so the batch waits for
        # an administrator to import the rest: the scenario below does that.
        with open(SAMPLE / "rpo.csv", "rb") as esito:
            RpoLedger(store).import_format_a(esito, utcnow() - timedelta(hours=1))
    else:
        vendor_profile, buyer_profile = VENDOR_PROFILE, BUYER_PROFILE
        list_name, (list_bytes, _) = "lista.csv", contact_rows(40)

    vendor = _org(store, "vendor", "Contatti Italia S.r.l.", vendor_profile)
    buyer = _org(store, "buyer", "Energia Sud S.p.A.", buyer_profile)
    admin = _org(store, "admin", "Gestione gateway", None)
    rival = _org(store, "vendor", "Altre Liste S.r.l.", VENDOR_PROFILE)
    people = {
        "vendor": make_person(store, vendor, "vendor@contattiitalia.example"),
        "buyer": make_person(store, buyer, "buyer@energiasud.example"),
        "admin": make_person(store, admin, "admin@gateway.example"),
        "rival": make_person(store, rival, "rival@altreliste.example"),
    }

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="portal-server", daemon=True)
    thread.start()
    try:
        yield LiveGateway(
            f"http://127.0.0.1:{server.server_port}", app, store, people, list_bytes, list_name
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["gateway"].jobs.shutdown(wait=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def open_page(browser, gateway: LiveGateway, *, phone: bool = False, lang: str | None = None):
    """A fresh browser context (no cookies) and its page."""
    options: dict[str, Any] = {"base_url": gateway.url, "accept_downloads": True}
    if phone:
        options.update(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
    else:
        options.update(viewport={"width": 1280, "height": 900})
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if lang:
        page.goto(f"/language/{lang}")
    return context, page


def sign_in(page, person: Person) -> None:
    page.goto("/sign-in")
    page.fill("#email", person.email)
    page.fill("#password", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, page.content()[:2000]


def shot(page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def drop_file(page, selector: str, name: str, data: bytes) -> None:
    """Drop a file on an element, as a person dragging it from the desktop would."""
    page.evaluate(
        """([selector, name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: "text/csv"}));
            const zone = document.querySelector(selector);
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true,
                                                        cancelable: true}));
            }
        }""",
        [selector, name, base64.b64encode(data).decode()],
    )


def save_download(page, click: str, target: Path) -> Path:
    with page.expect_download() as info:
        page.click(click)
    info.value.save_as(target)
    return target


def test_a_list_goes_from_upload_to_a_verified_certificate(browser, gateway, tmp_path):
    people = gateway.people

    # The vendor drops its list on the upload page and follows it without reloading.
    vendor_context, vendor = open_page(browser, gateway)
    sign_in(vendor, people["vendor"])
    shot(vendor, "vendor-batches-empty")
    vendor.click("nav >> text=Carica un lotto")
    assert vendor.locator("h1").inner_text() == "Carica un lotto"
    vendor.evaluate("window.__samePage = 'still here'")
    drop_file(vendor, "#dropzone", gateway.list_name, gateway.list_bytes)
    assert gateway.list_name in vendor.inner_text("#chosen-file")
    vendor.select_option("#buyer_id", people["buyer"].org.id)
    shot(vendor, "vendor-upload-ready")
    vendor.click("#upload-button")
    vendor.wait_for_selector("#transfer-label:has-text('File ricevuto.')")
    assert vendor.eval_on_selector("#transfer-progress", "bar => bar.value") == 100
    vendor.wait_for_selector("#upload-result .batch-panel", timeout=DECISION_TIMEOUT_MS)
    batch_id = vendor.get_attribute("#upload-result .batch-panel", "data-batch-id")
    assert batch_id and batch_id.startswith("b_")
    vendor.wait_for_selector(
        "#upload-result .batch-panel[data-state='awaiting_rpo'], "
        "#upload-result .batch-panel[data-state='certified']",
        timeout=DECISION_TIMEOUT_MS,
    )
    state = vendor.get_attribute("#upload-result .batch-panel", "data-state")
    shot(vendor, "vendor-upload-validated")

    if state == "awaiting_rpo":
        # An administrator (who prefers English) imports a consultation for the missing numbers.
        assert "RPO" in vendor.inner_text("#awaiting-rpo")
        admin_context, admin = open_page(browser, gateway, lang="en")
        sign_in(admin, people["admin"])
        admin.click("nav >> text=RPO consultations")
        row = admin.locator("#waiting-table tr", has_text=batch_id)
        assert row.count() == 1
        request = save_download(
            admin,
            f"#waiting-table tr:has-text('{batch_id}') a[download]",
            tmp_path / "rpo-request.csv",
        )
        assert request.read_text().startswith("phone\n")
        admin.set_input_files("#sent", str(request))
        admin.set_input_files("#contactable", str(request))
        consulted = (datetime.now(ROME) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S")
        admin.fill("#consulted-b", consulted)
        admin.click("#rpo-b-form button[type=submit]")
        admin.wait_for_selector("#rpo-imported")
        assert "Batches resumed: 1." in admin.inner_text("#rpo-imported")
        shot(admin, "admin-rpo-imported")
        admin_context.close()

    # The vendor's page reaches the decision by itself.
    vendor.wait_for_selector(
        "#upload-result .batch-panel[data-state='certified']", timeout=DECISION_TIMEOUT_MS
    )
    assert vendor.evaluate("window.__samePage") == "still here"
    decision = vendor.inner_text("#upload-result #decision")
    assert "Certificato" in decision and "Valido fino al" in decision
    if vendor.locator("#upload-result #by-code").count():
        assert vendor.locator("#upload-result svg.chart rect").count() >= 1
    report = save_download(vendor, "#upload-result #report-csv", tmp_path / "report.csv")
    assert report.read_text(encoding="utf-8").splitlines()[0].startswith("row")
    workbook = save_download(vendor, "#upload-result #report-xlsx", tmp_path / "report.xlsx")
    assert workbook.read_bytes()[:2] == b"PK"
    vendor.goto(f"/batches/{batch_id}")
    shot(vendor, "vendor-batch-certified")
    vendor_context.close()

    # The buyer finds the list, downloads it with its certificate and verifies both.
    buyer_context, buyer = open_page(browser, gateway)
    sign_in(buyer, people["buyer"])
    assert buyer.url.endswith("/lists")
    list_id = "c_" + batch_id.removeprefix("b_")
    row = buyer.locator(f"tr[data-list-id='{list_id}']")
    assert re.search(r"ancora 1[45] g e \d+ h", row.inner_text())
    shot(buyer, "buyer-lists")
    row.locator("td a").first.click()
    buyer.wait_for_selector("#signature-state")
    assert buyer.inner_text("#signature-state") == "Firma verificata"
    shot(buyer, "buyer-certificate")
    listing = save_download(buyer, "#download-csv", tmp_path / "certified.csv")
    certificate = save_download(buyer, "#download-certificate", tmp_path / "certificate.jws")
    assert listing.read_bytes().count(b"\n") > 1
    buyer.click("nav >> text=Verifica certificato")
    buyer.set_input_files("#certificate", str(certificate))
    buyer.set_input_files("#verify-file", str(listing))
    buyer.click("#verify-form button[type=submit]")
    buyer.wait_for_selector("#verdict")
    assert buyer.inner_text("#verdict-code") == "VALID"
    assert "Verifica riuscita" in buyer.inner_text("#verdict")
    assert "la lista certificata" in buyer.inner_text("#verdict")
    shot(buyer, "buyer-verified")

    # The same certificate with a file it does not name fails, in plain words.
    buyer.set_input_files("#certificate", str(certificate))
    buyer.set_input_files(
        "#verify-file",
        files=[{"name": "altro.csv", "mimeType": "text/csv", "buffer": b"phone\n+393470000000\n"}],
    )
    buyer.click("#verify-form button[type=submit]")
    buyer.wait_for_selector("#verdict.verdict-bad")
    assert buyer.inner_text("#verdict-code") == "FILE_DIGEST_MISMATCH"
    buyer_context.close()


def _a_batch_of(gateway: LiveGateway, person: Person) -> str:
    from gateway import batches
    from gateway.accounts import Principal

    data, _ = contact_rows(3)
    sink = batches.UploadSink(gateway.store, max_bytes=10**6, filename="privata.csv")
    sink.write(data + person.email.encode())
    result = batches.accept_upload(
        gateway.store,
        sink,
        principal=Principal(person.org.id, "vendor"),
        buyer_id=gateway.people["buyer"].org.id,
        ip=None,
        enqueue=gateway.app.extensions["gateway"].jobs.submit,
    )
    return result.batch["id"]


def test_signed_out_and_other_organisations_are_refused(browser, gateway):
    batch_id = _a_batch_of(gateway, gateway.people["vendor"])

    context, page = open_page(browser, gateway)
    page.goto("/lists")
    assert page.url.endswith("/sign-in?next=%2Flists")
    page.goto(f"/batches/{batch_id}")
    assert "/sign-in?next=" in page.url
    shot(page, "sign-in")

    sign_in(page, gateway.people["rival"])
    response = page.goto(f"/batches/{batch_id}")
    assert response.status == 404
    assert page.inner_text("#error-code") == "BATCH_NOT_FOUND"
    assert "Lotto non trovato." in page.inner_text("main")
    shot(page, "error-not-found")
    response = page.goto("/lists")
    assert response.status == 403
    assert page.inner_text("#error-code") == "ROLE_NOT_BUYER"
    context.close()


def test_a_form_without_its_token_is_refused(browser, gateway):
    context, page = open_page(browser, gateway, lang="en")
    sign_in(page, gateway.people["vendor"])
    page.goto("/profile")
    page.evaluate("document.querySelector('#profile-form input[name=csrf_token]').remove()")
    with page.expect_navigation():
        page.click("#profile-form button[type=submit]")
    assert page.inner_text("#error-code") == "CSRF_TOKEN_INVALID"
    assert "This form is not valid any more" in page.inner_text("main")
    shot(page, "error-csrf")
    context.close()


def test_the_profile_form_grows_rows_and_reads_well_on_a_phone(browser, gateway):
    batch_id = _a_batch_of(gateway, gateway.people["vendor"])
    context, page = open_page(browser, gateway, phone=True)
    sign_in(page, gateway.people["vendor"])
    page.goto("/profile")
    rows = page.locator("#informative-rows fieldset")
    before = rows.count()
    page.click("button[data-template='informative-template']")
    assert rows.count() == before + 1
    assert page.locator(f"#informative-{before}-version").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "phone-profile", full_page=False)
    page.goto("/batches")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "phone-batches", full_page=False)
    page.click(f"#batches-table tr[data-batch-id='{batch_id}'] td a")
    page.wait_for_selector(".batch-panel")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "phone-batch", full_page=False)
    context.close()


def test_the_language_switch_is_remembered(browser, gateway):
    context, page = open_page(browser, gateway)
    page.goto("/sign-in")
    assert page.locator("html").get_attribute("lang") == "it"
    page.click("text=English")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Sign in"
    sign_in(page, gateway.people["buyer"])
    assert page.locator("h1").inner_text() == "Certified lists"
    page.goto("/verify")
    assert page.locator("h1").inner_text() == "Verify a certificate"
    page.click("text=Italiano")
    assert page.locator("h1").inner_text() == "Verifica un certificato"
    context.close()


def test_api_answers_stay_json_beside_the_portal(gateway):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{gateway.url}/api/v1/batches", timeout=10)
    assert refused.value.code == 401
    assert json.load(io.TextIOWrapper(refused.value, encoding="utf-8"))["error"] == (
        "AUTH_REQUIRED"
    )
