"""Exceptions raised by object-store backends, whatever the backend."""

from __future__ import annotations


class StorageError(Exception):
    """An object-store operation failed."""


class ObjectNotFound(StorageError, FileNotFoundError):
    """The key does not exist."""


class PreconditionFailed(StorageError):
    """A conditional write lost: the object exists (create) or changed (compare-and-swap)."""
