"""``/api/v1/profile``: an organisation reads its profile; a vendor replaces its own."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import audit
from ..accounts import get_org
from ..accounts.profiles import set_profile
from ..errors import BadRequest, NotFound
from .auth import client_ip, current_principal, runtime

blp = Blueprint("profile", __name__, url_prefix="/api/v1/profile",
                description="The calling organisation's profile (vendor: informative and sources).")


@blp.route("")
class Profile(MethodView):
    @blp.response(200)
    def get(self) -> Any:
        """The calling organisation's profile."""
        principal = current_principal(("vendor", "buyer"))
        profile = get_org(runtime().store, principal.org_id).get("profile")
        if not profile:
            raise NotFound("No profile has been set yet.", error="PROFILE_NOT_SET",
                           message_it="Non è ancora stato impostato alcun profilo.")
        return profile

    @blp.doc(requestBody={"content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/VendorProfile"}}}})
    @blp.response(200)
    def put(self) -> Any:
        """Replace the vendor's profile; a 422 lists every problem with its path."""
        principal = current_principal(("vendor",))
        doc = request.get_json(silent=True)
        if not isinstance(doc, dict):
            raise BadRequest("Send the profile as a JSON object.", error="PROFILE_NOT_JSON",
                             message_it="Invia il profilo come oggetto JSON.")
        profile = set_profile(runtime().store, principal.org_id, doc)
        audit.record(runtime().store, "profile.update", actor=principal.actor(),
                     target=principal.org_id, ip=client_ip())
        return profile
