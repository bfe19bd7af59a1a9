"""Object store in a local folder: atomic renames, exclusive creates and file locks."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .base import ObjectStore, ObjectWriter, StoredObject
from .errors import ObjectNotFound, PreconditionFailed, StorageError

_TMP_PREFIX = ".tmp-"
_LOCK_SUFFIX = ".lock"
# Past this many bytes written and not yet handed to the kernel for writing, a writer starts
# the writeback (see _LocalWriter._start_writeback).
_WRITEBACK_BYTES = 16 << 20


# Objects up to this size (manifests, records) get a content hash as ETag, which makes
# compare-and-swap exact. Larger ones (uploads, artefacts) are never swapped, and hashing them
# would cost a pass over every byte, so their ETag comes from the file's identity instead.
_HASHED_ETAG_MAX = 1024 * 1024


def _etag(path_or_fd: Path | int) -> str:
    stat = os.fstat(path_or_fd) if isinstance(path_or_fd, int) else os.stat(path_or_fd)
    if stat.st_size <= _HASHED_ETAG_MAX:
        if isinstance(path_or_fd, int):
            data = os.pread(path_or_fd, stat.st_size + 1, 0)
        else:
            data = Path(path_or_fd).read_bytes()
        return hashlib.md5(data, usedforsecurity=False).hexdigest()
    return f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}"


class LocalObjectStore(ObjectStore):
    """Objects are files under ``root``; partially written files are never visible."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.url = self.root.as_uri()

    def _path(self, key: str) -> Path:
        if not key or key.startswith("/") or "\\" in key:
            raise StorageError(f"invalid key {key!r}")
        parts = key.split("/")
        if any(p in ("", ".", "..") or p.startswith(_TMP_PREFIX) for p in parts):
            raise StorageError(f"invalid key {key!r}")
        if parts[-1].endswith(_LOCK_SUFFIX):
            raise StorageError(f"invalid key {key!r}")
        return self.root.joinpath(*parts)

    def get(self, key: str) -> StoredObject:
        try:
            with open(self._path(key), "rb") as src:
                # The ETag and the bytes come from the same open file, so they always agree.
                etag = _etag(src.fileno())
                data = src.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(key) from None
        return StoredObject(data, etag)

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(key) from None

    def size(self, key: str) -> int:
        try:
            path = self._path(key)
            if path.is_dir():
                raise ObjectNotFound(key)
            return path.stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    def local_path(self, key: str) -> str | None:
        return str(self._path(key))

    @contextlib.contextmanager
    def _locked(self, path: Path) -> Iterator[None]:
        # One lock file per key serialises compare-and-swap across processes on this host.
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = path.with_name(path.name + _LOCK_SUFFIX)
        with open(lock_path, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def put(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        out = _LocalWriter(self, self._path(key), if_none_match=if_none_match)
        out.expected_etag = if_match
        with out:
            out.write(data)
        assert out.etag is not None
        return out.etag

    def writer(self, key: str, *, if_none_match: bool = False) -> ObjectWriter:
        return _LocalWriter(self, self._path(key), if_none_match=if_none_match)

    def list(self, prefix: str, *, start_after: str | None = None) -> Iterator[str]:
        # Walk only the deepest folder the prefix names, then filter by the remainder.
        folder, _, _ = prefix.rpartition("/")
        base = self.root.joinpath(*folder.split("/")) if folder else self.root
        if not base.is_dir():
            return iter(())
        keys: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(_TMP_PREFIX)]
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                if name.startswith(_TMP_PREFIX) or name.endswith(_LOCK_SUFFIX):
                    continue
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix) and (start_after is None or key > start_after):
                    keys.append(key)
        keys.sort()
        return iter(keys)

    def delete(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + _LOCK_SUFFIX).unlink()


class _LocalWriter(ObjectWriter):
    """Writes to a temporary file beside the target, then renames or links it into place."""

    def __init__(self, store: LocalObjectStore, path: Path, *, if_none_match: bool) -> None:
        self.store = store
        self.path = path
        self.if_none_match = if_none_match
        self.expected_etag: str | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        self._tmp = Path(tmp)
        self._file = os.fdopen(fd, "wb")
        self._done = False
        self._flushed = 0

    def write(self, data: bytes) -> int:
        self._file.write(data)
        self.size += len(data)
        if self.size - self._flushed >= _WRITEBACK_BYTES:
            self._start_writeback()
        return len(data)

    def _start_writeback(self) -> None:
        """Have the kernel start writing out what was written so far, without waiting.

        ``commit`` then waits only for the last few megabytes instead of the whole object.
        """
        self._file.flush()
        if hasattr(os, "posix_fadvise"):
            # On Linux this starts writeback of the range's dirty pages and returns at once.
            os.posix_fadvise(
                self._file.fileno(),
                self._flushed,
                self.size - self._flushed,
                os.POSIX_FADV_DONTNEED,
            )
        self._flushed = self.size

    def commit(self) -> str:
        if self._done:
            assert self.etag is not None
            return self.etag
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._done = True
        # Renames and links keep the inode and times, so this is the ETag the object will have.
        etag = _etag(self._tmp)
        try:
            if self.if_none_match:
                # link() fails if the target exists: an atomic exclusive create.
                try:
                    os.link(self._tmp, self.path)
                except FileExistsError:
                    raise PreconditionFailed(str(self.path)) from None
            elif self.expected_etag is not None:
                with self.store._locked(self.path):
                    try:
                        current = _etag(self.path)
                    except FileNotFoundError:
                        raise PreconditionFailed(str(self.path)) from None
                    if current != self.expected_etag:
                        raise PreconditionFailed(str(self.path))
                    os.replace(self._tmp, self.path)
            else:
                with self.store._locked(self.path):
                    os.replace(self._tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self._tmp.unlink()
        self.etag = etag
        return etag

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()
