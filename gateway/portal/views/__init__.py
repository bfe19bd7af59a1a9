"""The portal's views, one module per area; importing this package registers them all."""

from . import admin, auth, batches, buyer, profile

__all__ = ["admin", "auth", "batches", "buyer", "profile"]
