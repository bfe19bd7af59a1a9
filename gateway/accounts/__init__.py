"""Organisations, API keys and roles."""

from .service import (
    ROLES,
    Principal,
    authenticate_key,
    create_key,
    create_org,
    get_org,
    isoformat,
    list_keys,
    list_orgs,
    new_id,
    revoke_key,
    update_org,
    utcnow,
)

__all__ = [
    "ROLES",
    "Principal",
    "authenticate_key",
    "create_key",
    "create_org",
    "get_org",
    "isoformat",
    "list_keys",
    "list_orgs",
    "new_id",
    "revoke_key",
    "update_org",
    "utcnow",
]
