"""Setting an organisation's profile: validated against its role's schema, with defaults."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationFailed
from ..storage import ObjectStore
from .service import get_org, update_org


def set_profile(store: ObjectStore, org_id: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Validate and store an organisation's profile; its id field must name the organisation."""
    from ..profiles import validate_buyer_profile, validate_vendor_profile

    org = get_org(store, org_id)
    if org["role"] not in ("vendor", "buyer"):
        raise ValidationFailed("Only vendor and buyer organisations have a profile.",
                               error="PROFILE_ROLE",
                               message_it="Solo fornitori e committenti hanno un profilo.")
    id_field = f"{org['role']}_id"
    doc = dict(doc)
    doc.setdefault(id_field, org_id)
    if doc[id_field] != org_id:
        raise ValidationFailed(
            f"{id_field} must be this organisation's id ({org_id}).",
            error="PROFILE_ORG_MISMATCH",
            message_it=f"{id_field} deve essere l'id di questa organizzazione ({org_id}).",
            errors=[{"path": f"/{id_field}", "message": f"must be {org_id}"}],
        )
    validate = validate_vendor_profile if org["role"] == "vendor" else validate_buyer_profile
    profile = validate(doc)
    update_org(store, org_id, profile=profile)
    return profile
