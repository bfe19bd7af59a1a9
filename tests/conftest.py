"""Shared fixtures: an app on a temporary store, organisations with keys, and a client."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.support import BUYER_PROFILE, VENDOR_PROFILE, Org, make_org, set_profile

# Tests never reach AWS: moto intercepts boto3, and these keep any real profile out.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-south-1")
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def app_config(tmp_path) -> dict[str, Any]:
    return {
        "storage_url": (tmp_path / "store").as_uri(),
        "signing_key_dir": str(tmp_path / "keys"),
        "start_jobs": False,
        "job_workers": 1,
        "secret_key": "test-secret",
    }


@pytest.fixture
def app(app_config):
    from gateway import create_app

    app = create_app(app_config)
    app.config["TESTING"] = True
    yield app
    app.extensions["gateway"].jobs.shutdown(wait=True)


@pytest.fixture
def runtime(app):
    return app.extensions["gateway"]


@pytest.fixture
def store(runtime):
    return runtime.store


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def vendor(store) -> Org:
    return make_org(store, "vendor", "Liste Rapide Srl")


@pytest.fixture
def other_vendor(store) -> Org:
    return make_org(store, "vendor", "Altri Contatti Spa")


@pytest.fixture
def buyer(store) -> Org:
    return make_org(store, "buyer", "Call Center Nord Srl")


@pytest.fixture
def other_buyer(store) -> Org:
    return make_org(store, "buyer", "Chiamate Sud Srl")


@pytest.fixture
def admin(store) -> Org:
    return make_org(store, "admin", "Gateway operations")


def wait_for_jobs(runtime, timeout: float = 60.0) -> None:
    """Run every queued job to completion."""
    runtime.jobs.join(timeout=timeout)


@pytest.fixture
def vendor_ready(store, vendor) -> Org:
    set_profile(store, vendor, VENDOR_PROFILE)
    return vendor


@pytest.fixture
def buyer_ready(store, buyer) -> Org:
    set_profile(store, buyer, BUYER_PROFILE)
    return buyer
