"""Failed sign-ins are throttled per email and per address, with state every process shares."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.accounts.users import ThrottlePolicy, sign_in
from gateway.errors import TooManyRequests, Unauthorized
from tests.portal.conftest import Visitor, error_code


def fail(visitor: Visitor, email: str, times: int) -> list[int]:
    visitor.get("/sign-in")
    return [
        visitor.post("/sign-in", {"email": email, "password": "wrong-password"}).status_code
        for _ in range(times)
    ]


def test_too_many_failures_for_an_email_lock_it_even_with_the_right_password(
    visitor, vendor_person
):
    assert fail(visitor, vendor_person.email, 5) == [401] * 5
    response = visitor.sign_in(vendor_person)
    assert response.status_code == 429
    assert error_code(response) == "TOO_MANY_REQUESTS"
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Troppi accessi non riusciti" in response.get_data(as_text=True)


def test_the_lock_is_shared_by_every_process(app, app_factory, vendor_person):
    fail(Visitor(app.test_client()), vendor_person.email, 5)
    elsewhere = Visitor(app_factory().test_client())
    assert elsewhere.sign_in(vendor_person).status_code == 429


def test_one_address_trying_many_emails_is_locked_out(app, visitor, vendor_person, buyer_person):
    app.config["PORTAL_SIGN_IN_THROTTLE"] = ThrottlePolicy(max_per_email=50, max_per_address=4)
    for n in range(4):
        fail(visitor, f"guess{n}@example.org", 1)
    assert visitor.sign_in(buyer_person).status_code == 429
    # Another address is not affected.
    other = Visitor(app.test_client())
    other.client.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert other.sign_in(buyer_person).status_code == 303


def test_a_success_clears_the_email_count(visitor, app, vendor_person):
    fail(visitor, vendor_person.email, 4)
    assert visitor.sign_in(vendor_person).status_code == 303
    again = Visitor(app.test_client())
    assert fail(again, vendor_person.email, 4) == [401] * 4
    assert again.sign_in(vendor_person).status_code == 303


def test_failures_older_than_the_window_stop_counting(store, vendor_person):
    policy = ThrottlePolicy(max_per_email=2, max_per_address=100, window_seconds=60)
    from gateway.accounts import utcnow

    start = utcnow()
    for _ in range(2):
        with pytest.raises(Unauthorized):
            sign_in(
                store,
                vendor_person.email,
                "nope-nope-nope",
                ip="198.51.100.1",
                policy=policy,
                now=start,
            )
    with pytest.raises(TooManyRequests) as locked:
        sign_in(
            store,
            vendor_person.email,
            vendor_person.password,
            ip="198.51.100.1",
            policy=policy,
            now=start + timedelta(seconds=30),
        )
    assert locked.value.errors["retry_after_seconds"] == 30
    user = sign_in(
        store,
        vendor_person.email,
        vendor_person.password,
        ip="198.51.100.1",
        policy=policy,
        now=start + timedelta(seconds=61),
    )
    assert user["email"] == vendor_person.email
