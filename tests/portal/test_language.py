"""Italian by default, English on request, the choice remembered; errors follow the language."""

from __future__ import annotations

from tests.portal.conftest import error_code


def test_pages_are_italian_by_default(visitor):
    html = visitor.get("/sign-in").get_data(as_text=True)
    assert '<html lang="it">' in html
    assert "Accedi" in html


def test_the_switch_is_remembered_and_brings_the_user_back(visitor):
    response = visitor.get("/language/en?next=/sign-in%3Fnext%3D%252Fprofile")
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-in?next=%2Fprofile"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("gw_lang="))
    assert "gw_lang=en" in cookie and "Max-Age=31536000" in cookie
    html = visitor.get("/sign-in").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in with the email and password" in html
    back = visitor.get("/language/it")
    assert back.headers["Location"] == "/"
    assert '<html lang="it">' in visitor.get("/sign-in").get_data(as_text=True)


def test_the_switch_never_redirects_to_another_site(visitor):
    response = visitor.get("/language/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_a_not_found_page(visitor):
    response = visitor.get("/language/fr")
    assert response.status_code == 404
    assert error_code(response) == "LANGUAGE_UNSUPPORTED"


def test_error_pages_speak_the_chosen_language(visitor, vendor_person):
    visitor.sign_in(vendor_person)
    italian = visitor.get("/batches/b_0000000000")
    assert italian.status_code == 404
    assert error_code(italian) == "BATCH_NOT_FOUND"
    assert "Lotto non trovato." in italian.get_data(as_text=True)
    visitor.get("/language/en")
    english = visitor.get("/batches/b_0000000000")
    assert error_code(english) == "BATCH_NOT_FOUND"
    assert "Batch not found." in english.get_data(as_text=True)
    assert "Lotto non trovato." not in english.get_data(as_text=True)


def test_every_page_of_every_role_renders_in_both_languages(
    visitor, app, vendor_person, buyer_person, admin_person
):
    from tests.portal.conftest import Visitor

    pages = [
        (vendor_person, ["/batches", "/batches/new", "/profile", "/verify"]),
        (buyer_person, ["/lists", "/batches", "/objections", "/verify"]),
        (
            admin_person,
            [
                "/admin/orgs",
                f"/admin/orgs/{vendor_person.org.id}",
                "/batches",
                "/admin/rpo",
                "/admin/signing-keys",
                "/verify",
            ],
        ),
    ]
    for person, paths in pages:
        browser = Visitor(app.test_client())
        browser.sign_in(person)
        for lang in ("it", "en"):
            browser.get(f"/language/{lang}")
            for path in paths:
                response = browser.get(path)
                assert response.status_code == 200, (person.email, lang, path)
                assert f'<html lang="{lang}">' in response.get_data(as_text=True)
