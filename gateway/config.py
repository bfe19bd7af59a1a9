"""Configuration from ``GATEWAY_*`` environment variables, with embedded defaults.

No variable is needed to start: the defaults store everything under ``./var``, run jobs in
process and sign with a local key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

GIB = 1024**3


@dataclass(frozen=True)
class Config:
    """Every setting the service reads; ``from_env`` fills it from the environment."""

    storage_url: str = field(default_factory=lambda: Path("var/store").resolve().as_uri())
    max_upload_bytes: int = GIB
    signer: str = "local"
    signing_key_dir: str = field(default_factory=lambda: str(Path("var/keys").resolve()))
    broker_url: str | None = None
    job_workers: int = 2
    lease_seconds: int = 120
    sweep_seconds: float = 15.0
    start_jobs: bool = True
    # Rows judged at a time. Larger chunks spread the fixed cost of each chunk over more rows;
    # a job holds about 4 KB per chunk row (the chunk read, the one whose phone numbers are
    # classified, the one judged, and the writes).
    chunk_rows: int = 57344
    secret_key: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    cookie_secure: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Build a configuration from ``GATEWAY_<NAME>`` variables, then apply overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get("GATEWAY_" + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(f.name, raw, f.type)
        config = cls(**values)
        return replace(config, **overrides) if overrides else config


def _coerce(name: str, raw: str, kind: Any) -> Any:
    kind = str(kind)
    try:
        if kind.startswith("float"):
            return float(raw)
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("bool"):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError:
        raise SystemExit(f"GATEWAY_{name.upper()}: invalid value {raw!r}") from None
    return raw
