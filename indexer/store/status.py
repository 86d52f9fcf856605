"""Where the work stands, read from the store: jobs by state, the ingests running now (which process coordinates
each video's chain: store/claims.py), the steps running now (on which worker, with how much lease left) and the
steps that failed, with their error (`clipindex status` prints it beside the queue depths); and each video's state
as `videos` lists it: ready only when its ingest ran to the end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from indexer.ingest.types import STEPS
from indexer.models import Video
from indexer.store import owners
from indexer.store.db import Store
from indexer.store.jobs import Job, JobQueue
from indexer.store.schema import ingest_claims, jobs, step_runs, transcripts

# ready: a transcript, and every step its ingest ran finished, the index step among them (so search finds it);
# ingesting: a step runs now; incomplete: no transcript, or a step failed, was cut off or did not run (ingest it again)
VideoState = Literal["ready", "ingesting", "incomplete"]
PAGE_MAX = 1000  # listings of at most this many videos read their rows by id
STEP_STATES = {"failed": "failed", "pending": "not run", "running": "cut off"}  # a live running step: "running"
AHEAD_OF_INDEX = STEPS[:STEPS.index("index")]  # the steps an ingest runs before its index step


@dataclass(frozen=True)
class VideoSummary:
    id: str
    title: str
    duration: float | None
    language: str | None
    transcript: str | None  # engine:model that made it, None before the transcript step
    state: VideoState
    url: str | None
    channel: str | None
    published: str | None
    has_video: bool = False  # a picture to show (else audio only, or captions only)
    unfinished: dict[str, str] = field(default_factory=dict)  # step -> failed | running | cut off | not run


def video_summaries(store: Store, listed: list[Video]) -> list[VideoSummary]:
    """The videos with their state, read in one transaction: two queries, over the listed videos only where they are
    a page (a page of 50 of 2,000 videos read every transcript and step row: as slow at the end as the whole list)."""
    now = time.time()
    some = [v.id for v in listed] if len(listed) <= PAGE_MAX else None
    with store.tx() as conn:
        made = sa.select(transcripts.c.video_id, transcripts.c.engine, transcripts.c.model)
        runs = sa.select(step_runs.c.video_id, step_runs.c.step, step_runs.c.status, step_runs.c.lease_expires,
                         step_runs.c.lease_owner)
        if some is not None:
            made, runs = made.where(transcripts.c.video_id.in_(some)), runs.where(step_runs.c.video_id.in_(some))
        sources = {r.video_id: f"{r.engine}:{r.model}" for r in conn.execute(made)}
        steps: dict[str, dict[str, str]] = {}
        for r in conn.execute(runs.order_by(step_runs.c.updated_at)):
            # a holder that ended on this host (killed) cut its step off, though its lease has not run out yet
            live = r.status == "running" and (r.lease_expires or 0) > now and not owners.gone(r.lease_owner)
            steps.setdefault(r.video_id, {})[r.step] = "running" if live else STEP_STATES.get(r.status, r.status)
    return [_summary(v, sources.get(v.id), steps.get(v.id)) for v in listed]


def _summary(v: Video, transcript: str | None, steps: dict[str, str] | None) -> VideoSummary:
    unfinished = {step: state for step, state in (steps or {}).items() if state != "done"}
    if steps and "index" not in steps and transcript and not unfinished:
        unfinished["index"] = "not run"  # its ingest stopped (or waits) between the transcript and the index
    state: VideoState = ("ingesting" if "running" in unfinished.values()
                         else "ready" if transcript and not unfinished else "incomplete")
    return VideoSummary(v.id, v.title, v.duration, v.language, transcript, state, v.url, v.channel, v.published,
                        v.has_video, unfinished)


def held_back(store: Store) -> set[str]:
    """The transcribed videos whose ingest has not reached its index step: a step ahead of it failed, was cut off (a
    process killed during chapters), runs now or has not run. The search index leaves them out until their ingest,
    run again, resumes and indexes them; searchable before, a video showed no or half its chapters while it was
    listed incomplete. A video without step records (stored by an older version, or directly) is not held back."""
    ahead = sa.and_(step_runs.c.step.in_(AHEAD_OF_INDEX), step_runs.c.status == "done")
    query = (sa.select(step_runs.c.video_id).join(transcripts, transcripts.c.video_id == step_runs.c.video_id)
             .group_by(step_runs.c.video_id)
             .having(sa.func.sum(sa.case((ahead, 1), else_=0)) < len(AHEAD_OF_INDEX)))
    with store.tx() as conn:
        return set(conn.execute(query).scalars())


@dataclass(frozen=True)
class RunningStep:
    video_id: str
    step: str
    worker: str | None
    lease_left_s: float  # negative: the lease ran out (its worker is gone or stalled) and another may take it
    progress: float
    attempt: int


@dataclass(frozen=True)
class FailedStep:
    video_id: str
    step: str
    error: str | None
    attempt: int
    at: float


@dataclass(frozen=True)
class RunningIngest:
    video_id: str
    coordinator: str  # the owner id of the process that runs the video's chain (its steps may run on workers)
    claim_left_s: float  # until another process may take the video over, unless renewed (every third of a lease)


@dataclass(frozen=True)
class JobLine:
    """A job as `clipindex status` names it: a running one with its worker and lease, a failed one with its error."""

    id: str
    kind: str
    title: str
    step: str | None
    progress: float
    worker: str | None
    lease_left_s: float | None  # negative: the lease ran out (its worker is gone or stalled)
    error: str | None
    at: float  # when it last changed


@dataclass(frozen=True)
class WorkStatus:
    jobs: dict[str, int]
    running: list[RunningStep]
    failed: list[FailedStep]
    cancelled: list[FailedStep]  # stopped because someone asked: apart from failures, which an operator is paged for
    ingests: list[RunningIngest]  # their claims (store/claims.py): while a step waits on a queue, none runs
    # the running jobs and the last failed ones: a render runs no step, and an upload that failed before its first
    # step left none, so neither showed but as a count
    running_jobs: list[JobLine]
    failed_jobs: list[JobLine]


def work_status(store: Store, limit: int = 50) -> WorkStatus:
    now = time.time()
    queue = JobQueue(store)
    with store.tx() as conn:
        counts = {state: int(n) for state, n in conn.execute(
            sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state))}
        running = conn.execute(sa.select(step_runs).where(step_runs.c.status == "running")
                               .order_by(step_runs.c.updated_at).limit(limit)).mappings().all()
        claimed = conn.execute(sa.select(ingest_claims).where(ingest_claims.c.expires > now)
                               .order_by(ingest_claims.c.video_id).limit(limit)).all()
        stopped = {kind: conn.execute(sa.select(step_runs).where(step_runs.c.status == "failed", asked)
                                      .order_by(step_runs.c.updated_at.desc()).limit(limit)).mappings().all()
                   for kind, asked in (("failed", step_runs.c.cancel.is_not(True)),
                                       ("cancelled", step_runs.c.cancel.is_(True)))}
    failed, cancelled = ([FailedStep(r["video_id"], r["step"], r["error"], r["attempt"], r["updated_at"])
                          for r in stopped[kind]] for kind in ("failed", "cancelled"))
    return WorkStatus(
        counts,
        [RunningStep(r["video_id"], r["step"], r["lease_owner"], (r["lease_expires"] or now) - now, r["progress"],
                     r["attempt"]) for r in running],
        failed, cancelled,
        [RunningIngest(r.video_id, r.owner, r.expires - now) for r in claimed if not owners.gone(r.owner)],
        [_line(j, now) for j in queue.list(limit, "running")], [_line(j, now) for j in queue.list(10, "failed")])


def _line(job: Job, now: float) -> JobLine:
    return JobLine(job.id, job.kind, job.title, job.step, job.progress, job.worker,
                   None if job.lease_expires is None else job.lease_expires - now, job.error, job.updated_at)
