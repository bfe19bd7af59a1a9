"""The object-store interface every backend implements."""

from __future__ import annotations

import abc
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredObject:
    """An object's bytes with the ETag a compare-and-swap update must quote."""

    data: bytes
    etag: str

    def json(self) -> Any:
        """Decode the bytes as JSON."""
        return json.loads(self.data)


class ObjectWriter(abc.ABC):
    """A writable stream that becomes visible under its key only when committed.

    Use it as a context manager: a clean exit commits, an exception aborts and leaves nothing
    behind. ``etag`` is set once committed.
    """

    etag: str | None = None
    size: int = 0

    @abc.abstractmethod
    def write(self, data: bytes) -> int:
        """Append bytes."""

    @abc.abstractmethod
    def commit(self) -> str:
        """Make the object visible atomically and return its ETag."""

    @abc.abstractmethod
    def abort(self) -> None:
        """Drop everything written so far."""

    def writable(self) -> bool:  # lets io wrappers (TextIOWrapper, csv) accept the writer
        return True

    def flush(self) -> None:
        return None

    @property
    def closed(self) -> bool:
        return False

    def __enter__(self) -> ObjectWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


class ObjectStore(abc.ABC):
    """Keys to bytes, with streaming, create-if-absent and compare-and-swap writes.

    Keys are ``/``-separated relative paths. Every backend gives the same guarantees, so any
    number of processes can share one store.
    """

    url: str

    @abc.abstractmethod
    def get(self, key: str) -> StoredObject:
        """Read a whole (small) object with its ETag; raise ``ObjectNotFound``."""

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Open an object for streaming reads; raise ``ObjectNotFound``."""

    @abc.abstractmethod
    def put(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        """Write a whole object and return its ETag.

        ``if_none_match`` creates only if absent; ``if_match`` replaces only if the current ETag
        is the one given. A lost condition raises ``PreconditionFailed``.
        """

    @abc.abstractmethod
    def writer(self, key: str, *, if_none_match: bool = False) -> ObjectWriter:
        """Return a streaming writer for ``key`` (see :class:`ObjectWriter`)."""

    @abc.abstractmethod
    def list(self, prefix: str, *, start_after: str | None = None) -> Iterator[str]:
        """Yield keys under ``prefix`` in lexicographic order, after ``start_after`` if given."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove a key; a missing key is not an error."""

    @abc.abstractmethod
    def size(self, key: str) -> int:
        """Return an object's size in bytes; raise ``ObjectNotFound``."""

    def exists(self, key: str) -> bool:
        """Tell whether a key exists."""
        try:
            self.size(key)
        except FileNotFoundError:
            return False
        return True

    def get_json(self, key: str) -> Any:
        """Read and decode a JSON object."""
        return self.get(key).json()

    def put_json(
        self, key: str, value: Any, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        """Encode and write a JSON object (same conditions as :meth:`put`)."""
        data = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1).encode()
        return self.put(key, data, if_match=if_match, if_none_match=if_none_match)

    def copy_from(self, key: str, source: BinaryIO, *, if_none_match: bool = False) -> str:
        """Stream a readable file object into ``key`` and return the ETag."""
        with self.writer(key, if_none_match=if_none_match) as out:
            while chunk := source.read(COPY_CHUNK):
                out.write(chunk)
        assert out.etag is not None
        return out.etag

    def local_path(self, key: str) -> str | None:
        """Return a filesystem path for the object when the backend has one, else None."""
        return None


def sha256_file(stream: BinaryIO) -> str:
    """Return the hex SHA-256 of a stream read to its end."""
    digest = hashlib.sha256()
    while chunk := stream.read(COPY_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
