"""Setting the stage for a measured batch job: a store with real organisations, profiles, an
imported RPO consultation, objections and an upload that went through the real intake path.

Nothing here is timed; the measured process only opens the store and runs the job.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..accounts import Principal, create_key, create_org, update_org
from ..batches import UploadSink, accept_upload
from ..objections import ObjectionLedger
from ..rpo import RpoLedger
from ..storage import LocalObjectStore, open_store
from . import data

_COPY = 1 << 20
_ROOT = Path(__file__).resolve().parents[2]


def child_environment(**extra: str) -> dict[str, str]:
    """Environment for a child Python process that must import this checkout's gateway."""
    path = os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


@dataclass
class Stage:
    """Where a prepared batch lives, and who owns it."""

    storage_url: str
    signing_key_dir: str
    vendor_id: str
    vendor_key: str
    buyer_id: str
    batch_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain form, to hand to the measuring process."""
        return asdict(self)


def prepare_parties(folder: Path, batch: data.Batch) -> Stage:
    """Create the store, a vendor and a buyer with profiles, and import the RPO consultation
    (consulted an hour ago) and the objections the batch refers to."""
    store_root = folder / "store"
    store = LocalObjectStore(str(store_root))
    vendor = create_org(store, role="vendor", name="Contatti Veloci S.r.l.")
    buyer = create_org(store, role="buyer", name="Energia Nord S.p.A.")
    update_org(store, vendor["id"], profile={**data.vendor_profile(), "vendor_id": vendor["id"]})
    update_org(store, buyer["id"], profile={**data.buyer_profile(), "buyer_id": buyer["id"]})
    token, _ = create_key(store, vendor["id"], label="benchmark")
    now = datetime.now(UTC)
    RpoLedger(store).import_format_a(batch.files["rpo"], now - timedelta(hours=1), actor="bench")
    if batch.scenario_counts.get("objection"):
        ObjectionLedger(store).import_csv(batch.files["objections"], actor="bench", now=now)
    return Stage(
        storage_url=store_root.resolve().as_uri(),
        signing_key_dir=str((folder / "keys").resolve()),
        vendor_id=vendor["id"],
        vendor_key=token,
        buyer_id=buyer["id"],
    )


def upload_batch(stage: Stage, path: Path) -> str:
    """Upload a file through the intake path (streamed into the store) without queueing it;
    return the batch id."""
    store = open_store(stage.storage_url)
    sink = UploadSink(store, max_bytes=path.stat().st_size + 1, filename=path.name)
    with open(path, "rb") as source:
        while block := source.read(_COPY):
            sink.write(block)
    result = accept_upload(
        store,
        sink,
        principal=Principal(org_id=stage.vendor_id, role="vendor"),
        buyer_id=stage.buyer_id,
        ip=None,
        enqueue=lambda _batch_id: None,
    )
    stage.batch_id = result.batch["id"]
    return stage.batch_id
