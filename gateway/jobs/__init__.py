"""Job queues: run a batch job by id, in process (embedded default) or on Celery workers."""

from __future__ import annotations

import abc
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

JobFunction = Callable[[str], None]


class JobQueue(abc.ABC):
    """Runs ``job(batch_id)`` somewhere, at least once per submission."""

    @abc.abstractmethod
    def submit(self, batch_id: str) -> None:
        """Queue a batch for processing."""

    def start(self) -> None:  # noqa: B027 - optional hook
        """Start background work (sweeps)."""

    def shutdown(self, wait: bool = True) -> None:  # noqa: B027 - optional hook
        """Stop accepting work."""


class InProcessJobQueue(JobQueue):
    """A thread pool in the serving process, plus a periodic sweep for leftover work.

    The sweep is what makes the embedded default survive crashes: batches that a dead
    process left behind, or that wait for an RPO import, are found in the store and run again.
    """

    def __init__(
        self, job: JobFunction, *, workers: int = 2, sweep: Callable[[], list[str]] | None = None,
        sweep_seconds: float = 15.0,
    ) -> None:
        self._job = job
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch-job")
        self._sweep = sweep
        self._sweep_seconds = sweep_seconds
        self._stop = threading.Event()
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    def submit(self, batch_id: str) -> None:
        future = self._pool.submit(self._run, batch_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run(self, batch_id: str) -> None:
        try:
            self._job(batch_id)
        except Exception:  # the job records failures itself; this only keeps the pool alive
            log.exception("batch job %s crashed", batch_id)

    def sweep_now(self) -> list[str]:
        """Queue every batch the sweep finds; return their ids."""
        if self._sweep is None:
            return []
        ids = self._sweep()
        for batch_id in ids:
            self.submit(batch_id)
        return ids

    def start(self) -> None:
        if self._sweep is None or self._sweeper is not None:
            return
        self._sweeper = threading.Thread(target=self._sweep_loop, name="batch-sweep", daemon=True)
        self._sweeper.start()

    def _sweep_loop(self) -> None:
        while True:
            try:
                self.sweep_now()
            except Exception:  # a store hiccup must not end the sweeps
                log.exception("batch sweep failed")
            if self._stop.wait(self._sweep_seconds):
                return

    def join(self, timeout: float | None = None) -> None:
        """Wait until every queued job has finished (for tests and the CLI)."""
        import concurrent.futures

        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            concurrent.futures.wait(pending, timeout=timeout)
            if timeout is not None:
                return

    def shutdown(self, wait: bool = True) -> None:
        self._stop.set()
        self._pool.shutdown(wait=wait)
