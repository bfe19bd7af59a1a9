"""A writer wrapper that hashes and counts what passes through it."""

from __future__ import annotations

import hashlib
from typing import Any


class HashingWriter:
    """Forwards writes to ``target`` while computing SHA-256 and size."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        return None

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()
