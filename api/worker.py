"""Workers: take jobs from the store's queue and run them through the service, renewing their lease as they go.

`clipindex serve --workers N` runs N of these as threads beside the API; `clipindex worker` runs them in a process
of their own against the same store. Either may be killed at any moment: the job's lease expires and another worker
takes it, and the ingest chain resumes after the last finished step.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace

from indexer.errors import ClipindexError, JobCancelled
from indexer.ingest.types import STEPS, IngestJob, IngestJobResult, StepName
from indexer.models import Record, Video
from indexer.reels.service import RenderJob
from indexer.service import Clipindex
from indexer.store.jobs import AudioPosition, Job
from indexer.store.owners import new_owner
from media.errors import MediaError

log = logging.getLogger("clipindex.worker")
# Each step's share of an ingest's time (measured on a 6-minute file on 2 cores: transcription is most of it), so
# the bar moves with the work rather than by equal steps.
STEP_WEIGHTS: dict[str, float] = {"fetch": 0.05, "audio": 0.07, "transcript": 0.8, "chapters": 0.03, "index": 0.03,
                                  "article": 0.02}


def overall(step: str, fraction: float) -> float:
    """An ingest's overall progress (0..1) from its current step and that step's fraction."""
    if step not in STEP_WEIGHTS:
        return fraction
    before = sum(STEP_WEIGHTS[s] for s in STEPS[: STEPS.index(step)])
    return min(before + STEP_WEIGHTS[step] * min(max(fraction, 0.0), 1.0), 1.0)


class AudioClock:
    """Turns the transcript step's fraction into seconds of audio and a time left, by the rate measured so far; the
    job row keeps them in columns of their own (`jobs.audio_*`)."""

    def __init__(self) -> None:
        self.first: tuple[float, float] | None = None  # (when, seconds done) at the first report

    def position(self, fraction: float, video: Video | None) -> AudioPosition | None:
        total = video.duration if video and video.duration else None
        if total is None:
            return None
        now = time.monotonic()
        done = total * min(max(fraction, 0.0), 1.0)
        if self.first is None:
            self.first = (now, done)
        spent, gained = now - self.first[0], done - self.first[1]
        left = (total - done) * spent / gained if gained > 0.5 and spent > 0.2 else None
        return AudioPosition(round(done, 1), total, round(left) if left is not None else None)


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
                    self.queue.prune()  # and remove jobs finished longer ago than the retention (hourly at most)
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
        except BaseException:  # the process stops (SIGTERM's Shutdown, Ctrl-C): the job did not fail
            self.queue.hand_back(job.id, self.owner)
            raise
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
        clock = AudioClock()
        at = [0, 1]  # a playlist's videos done, of how many: the job's bar is the whole playlist's, not a video's

        def beat(whole: float, step: str, audio: AudioPosition | None = None, detail: str = "") -> None:
            if not self.queue.heartbeat(job.id, self.owner, whole, step, audio, detail):
                cancelled.set()
                raise JobCancelled("cancelled")

        def progress(video_id: str, step: StepName, fraction: float, detail: str) -> None:
            if cancelled.is_set():
                raise JobCancelled("cancelled")
            audio = clock.position(fraction, self.service.store.find_video(video_id)) if step == "transcript" else None
            # the words say what the step waits for ("waiting on the asr queue") or where it runs; once the audio
            # moves, its position says it, and the recogniser's own "0:10 of 3:00 transcribed" would repeat it
            beat((at[0] + overall(step, fraction)) / at[1], step, audio, "" if audio and fraction > 0 else detail)

        def position(done: int, count: int) -> None:
            nonlocal clock
            at[:] = [done, max(count, 1)]
            if at[1] > 1:  # a new clock for each video; its place in the playlist at once
                clock = AudioClock()
                beat(done / count, "fetch")

        done = _own_work(self.service.run_ingest_job(work, progress, position), job, self.service)
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


def _own_work(done: IngestJobResult, job: Job, service: Clipindex) -> IngestJobResult:
    """A job resumed after its worker died finds the videos its first attempt added already done: they read
    "skipped" ("Already in the archive" on the page), though this job added them. Those added since the job was
    asked for read "ingested"."""
    if job.attempts <= 1:
        return done
    skipped = [r.video_id for r in done.videos if r.status == "skipped" and r.video_id]
    ours = service.store.added_since(skipped, job.created_at)
    return IngestJobResult(tuple(replace(r, status="ingested") if r.video_id in ours else r for r in done.videos))
