"""Signing in and out of the portal, and what signed-out visitors get."""

from __future__ import annotations

from tests.portal.conftest import Visitor, error_code


def session_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("gw_session="))


def test_signed_out_visitors_are_sent_to_sign_in_with_the_page_they_wanted(visitor):
    response = visitor.get("/batches?state=certified")
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-in?next=%2Fbatches%3Fstate%3Dcertified"
    assert visitor.get("/").headers["Location"] == "/sign-in"


def test_sign_in_opens_a_session_and_lands_on_the_role_home(visitor, vendor_person):
    response = visitor.sign_in(vendor_person)
    assert response.status_code == 303
    assert response.headers["Location"] == "/batches"
    cookie = session_cookie_header(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = visitor.get("/batches")
    assert page.status_code == 200
    assert vendor_person.email in page.get_data(as_text=True)


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(visitor, vendor_person):
    visitor.get("/sign-in")
    ok = visitor.post(
        "/sign-in",
        {"email": vendor_person.email, "password": vendor_person.password, "next": "/profile"},
    )
    assert ok.headers["Location"] == "/profile"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        other = Visitor(visitor.client.application.test_client())
        other.get("/sign-in")
        response = other.post(
            "/sign-in",
            {"email": vendor_person.email, "password": vendor_person.password, "next": target},
        )
        assert response.headers["Location"] == "/batches", target


def test_wrong_password_shows_the_form_again_with_the_code(visitor, vendor_person):
    response = visitor.sign_in(vendor_person, password="not the password at all")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "SIGN_IN_FAILED" in html
    assert "L&#39;email o la password non sono corretti." in html
    assert 'value="anna@listerapide.example"' in html
    assert not any(h.startswith("gw_session=") for h in response.headers.getlist("Set-Cookie"))
    assert visitor.get("/batches").status_code == 303


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(visitor, vendor_person):
    visitor.get("/sign-in")
    response = visitor.post(
        "/sign-in", {"email": "nobody@nowhere.example", "password": vendor_person.password}
    )
    assert response.status_code == 401
    assert "SIGN_IN_FAILED" in response.get_data(as_text=True)


def test_sign_out_ends_the_session_even_for_a_copied_cookie(client, vendor_person):
    visitor = Visitor(client)
    response = visitor.sign_in(vendor_person)
    token = session_cookie_header(response).split(";")[0].split("=", 1)[1]
    out = visitor.post("/sign-out")
    assert out.status_code == 303 and out.headers["Location"] == "/sign-in"
    thief = client.application.test_client()
    thief.set_cookie("gw_session", token)
    assert thief.get("/batches").status_code == 303


def test_session_cookie_is_secure_when_configured(app_factory, app_config, vendor_person):
    app_config["cookie_secure"] = True
    secure_app = app_factory()
    visitor = Visitor(secure_app.test_client())
    response = visitor.sign_in(vendor_person)
    assert response.status_code == 303
    assert "Secure" in session_cookie_header(response)


def test_a_session_opened_by_one_process_works_in_another(app, app_factory, vendor_person):
    visitor = Visitor(app.test_client())
    response = visitor.sign_in(vendor_person)
    token = session_cookie_header(response).split(";")[0].split("=", 1)[1]
    second = app_factory().test_client()
    second.set_cookie("gw_session", token)
    assert second.get("/batches").status_code == 200


def test_a_disabled_user_is_signed_out(visitor, store, vendor_person):
    from gateway.accounts.users import find_user

    visitor.sign_in(vendor_person)
    user = find_user(store, vendor_person.email)
    user["disabled"] = True
    store.put_json(f"accounts/users/{user['id']}.json", user)
    assert visitor.get("/batches").status_code == 303


def test_page_script_requests_get_json_401_instead_of_a_redirect(visitor):
    response = visitor.get("/batches/b_x/status", headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 401
    assert response.json["error"] == "SIGN_IN_REQUIRED"


def test_pages_forbid_framing_and_caching(visitor, vendor_person):
    visitor.sign_in(vendor_person)
    response = visitor.get("/batches")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_pages_are_a_not_found_page_but_the_api_keeps_json(visitor, vendor_person):
    visitor.sign_in(vendor_person)
    page = visitor.get("/does/not/exist")
    assert page.status_code == 404
    assert error_code(page) == "PAGE_NOT_FOUND"
    api = visitor.client.get("/api/v1/does-not-exist")
    assert api.status_code == 404
    assert api.json["error"] == "NOT_FOUND"
