"""Workers: take jobs from the store's queue and run them through the service, renewing their lease as they go.

`clipindex serve --workers N` runs N of these as threads beside the API; `clipindex worker` runs them in a process
of their own against the same store. Either may be killed at any moment: the job's lease expires and another worker
takes it, and the ingest chain resumes after the last finished step.
"""

from __future__ import annotations

import logging
import threading

from indexer.errors import ClipindexError, JobCancelled
from indexer.ingest.types import STEPS, IngestJob, IngestJobResult, StepName
from indexer.models import Record
from indexer.reels.service import RenderJob
from indexer.service import Clipindex
from indexer.store.jobs import Job
from indexer.store.owners import new_owner
from media.errors import MediaError

log = logging.getLogger("clipindex.worker")


class Worker:
    def __init__(self, service: Clipindex, *, owner: str | None = None, poll_s: float = 1.0) -> None:
        self.service = service
        self.queue = service.jobs
        self.owner = owner or new_owner("worker")
        self.poll_s = poll_s

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if self.run_once() is None:
                    self.service.sweep_failed_uploads()  # idle: tidy after jobs whose workers all died
                    stop.wait(self.poll_s)
            except Exception:  # noqa: BLE001 - a worker outlives any one job's surprise
                log.exception("worker %s: unexpected error", self.owner)
                stop.wait(self.poll_s)

    def run_once(self) -> Job | None:
        job = self.queue.claim(self.owner)
        if job is None:
            return None
        cancelled = threading.Event()
        done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job.id, cancelled, done), daemon=True)
        beat.start()
        try:
            self._run(job, cancelled)
        finally:
            done.set()
            beat.join()
        return self.queue.get(job.id)

    def _beat(self, job_id: str, cancelled: threading.Event, done: threading.Event) -> None:
        while not done.wait(max(self.queue.lease_s / 4, 0.2)):
            if not self.queue.heartbeat(job_id, self.owner):
                cancelled.set()

    def _run(self, job: Job, cancelled: threading.Event) -> None:
        try:
            result = self._work(job, cancelled)
        except JobCancelled:
            self.queue.finish(job.id, self.owner, "cancelled", error="cancelled")
        except (ClipindexError, MediaError) as exc:
            self.queue.finish(job.id, self.owner, "failed", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - unknown failures are retried, up to the job's attempts
            log.exception("job %s failed", job.id)
            self.queue.release(job.id, self.owner, f"internal error: {type(exc).__name__}")
        else:
            self.queue.finish(job.id, self.owner, "done", result=result)

    def _work(self, job: Job, cancelled: threading.Event) -> Record:
        if job.kind == "render":
            return self._render(job, cancelled)
        if job.kind == "ingest":
            return self._ingest(job, cancelled)
        raise ClipindexError(f"unknown job kind {job.kind!r}")

    def _ingest(self, job: Job, cancelled: threading.Event) -> IngestJobResult:
        work = IngestJob.from_dict(job.payload)

        def progress(_video_id: str, step: StepName, fraction: float, _detail: str) -> None:
            if cancelled.is_set():
                raise JobCancelled("cancelled")
            overall = (STEPS.index(step) + fraction) / len(STEPS) if step in STEPS else fraction
            if not self.queue.heartbeat(job.id, self.owner, overall, step):
                cancelled.set()
                raise JobCancelled("cancelled")

        done = self.service.run_ingest_job(work, progress)
        failed = [r for r in done.videos if r.status == "failed"]
        if failed and len(failed) == len(done.videos):
            raise ClipindexError("; ".join(str(r.error) for r in failed))
        return done

    def _render(self, job: Job, cancelled: threading.Event) -> Record:
        def progress(fraction: float) -> None:
            if cancelled.is_set() or not self.queue.heartbeat(job.id, self.owner, fraction, "render"):
                cancelled.set()
                raise JobCancelled("cancelled")

        return self.service.reels.run_render_job(RenderJob.from_dict(job.payload), progress)
