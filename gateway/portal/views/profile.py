"""The vendor's own profile: privacy-notice versions and declared collection sources."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from ... import audit
from ...accounts import get_org
from ...accounts.profiles import set_profile
from ...errors import ValidationFailed
from .. import i18n, profile_form
from ..blueprint import blp, client_ip, principal, render, requires, store


@blp.route("/profile", methods=["GET", "POST"])
@requires("vendor")
def profile() -> Any:
    """Show and edit the vendor profile; problems are shown next to their fields."""
    who = principal()
    org = get_org(store(), who.org_id)
    if request.method == "GET":
        values = profile_form.rows_from_profile(org.get("profile"))
        if not values["name"]:
            values["name"] = org["name"]
        return render(
            "profile.html",
            values=values,
            problems={},
            kinds=profile_form.SOURCE_KINDS,
            saved=request.args.get("saved") == "1",
            has_profile=bool(org.get("profile")),
        )

    values = profile_form.rows_from_form(request.form)
    document = profile_form.profile_from_rows(values, who.org_id)
    try:
        validated = set_profile(store(), who.org_id, document)
    except ValidationFailed as exc:
        problems = profile_form.field_problems(exc.errors, i18n.current_language())
        return render(
            "profile.html",
            http_status=422,
            values=values,
            problems=problems,
            kinds=profile_form.SOURCE_KINDS,
            saved=False,
            error=exc,
            has_profile=bool(org.get("profile")),
        )
    audit.record(
        store(),
        "profile.update",
        actor=who.actor(),
        target=who.org_id,
        ip=client_ip(),
        details={
            "informative": [i["version"] for i in validated["informative"]],
            "sources": [s["id"] for s in validated["sources"]],
        },
    )
    return redirect(url_for("portal.profile", saved="1"), code=303)
