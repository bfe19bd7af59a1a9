"""Object storage: one interface, a local-folder backend and an S3 backend."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlparse

from .base import ObjectStore, ObjectWriter, StoredObject, sha256_file
from .errors import ObjectNotFound, PreconditionFailed, StorageError
from .local import LocalObjectStore
from .s3 import S3ObjectStore

__all__ = [
    "LocalObjectStore",
    "ObjectNotFound",
    "ObjectStore",
    "ObjectWriter",
    "PreconditionFailed",
    "S3ObjectStore",
    "StorageError",
    "StoredObject",
    "open_store",
    "sha256_file",
]


def open_store(url: str, *, s3_client: Any = None) -> ObjectStore:
    """Open the store a URL names: ``file:///abs/path``, a plain path, or ``s3://bucket/prefix``."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise StorageError(f"storage URL {url!r} names no bucket")
        return S3ObjectStore(parsed.netloc, parsed.path, client=s3_client)
    if parsed.scheme == "file":
        return LocalObjectStore(unquote(parsed.path))
    if parsed.scheme == "":
        return LocalObjectStore(os.path.abspath(url))
    raise StorageError(f"unsupported storage URL {url!r} (use file:// or s3://)")
