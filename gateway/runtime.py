"""The services one running gateway shares: configuration, store, job queue and signer.

``create_app`` builds exactly one Runtime; commands build their own. Nothing here touches
``flask.request``.
"""

from __future__ import annotations

import logging
from typing import Any

from .config import Config
from .jobs import InProcessJobQueue, JobQueue
from .storage import ObjectStore, open_store

log = logging.getLogger(__name__)


class Runtime:
    """Holds the wired services; the batch job is a method of it so queues can call it by id."""

    def __init__(
        self, config: Config, *, store: ObjectStore | None = None, s3_client: Any = None,
        kms_client: Any = None,
    ) -> None:
        if config.broker_url:
            # Refuse rather than silently run jobs in process when a broker was asked for.
            raise SystemExit(
                "GATEWAY_BROKER_URL is set, but this version runs batch jobs in process only; "
                "unset it (several gateway processes can share one store instead)."
            )
        self.config = config
        self.store = store or open_store(config.storage_url, s3_client=s3_client)
        self.kms_client = kms_client
        self._signer: Any = None
        self.jobs: JobQueue = InProcessJobQueue(
            self.run_batch, workers=config.job_workers, sweep=self.find_leftover_work,
            sweep_seconds=config.sweep_seconds,
        )

    @property
    def signer(self) -> Any:
        """The configured signer, built on first use."""
        if self._signer is None:
            from .certificates import make_signer

            self._signer = make_signer(self.config, self.store, kms_client=self.kms_client)
        return self._signer

    def run_batch(self, batch_id: str) -> None:
        """Run the batch job for one batch (see :func:`gateway.batches.run_batch`)."""
        from .batches.job import run_batch

        run_batch(self, batch_id)

    def find_leftover_work(self) -> list[str]:
        """Return batches to (re)run: received, abandoned while validating, or awaiting RPO."""
        from .batches.job import find_leftover_work

        return find_leftover_work(self)
