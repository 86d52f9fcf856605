"""Where the work stands, read from the store: jobs by state, the steps running now (on which worker, with how much
lease left) and the steps that failed, with their error. `clipindex status` prints it beside the queue depths."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from indexer.store.db import Store
from indexer.store.schema import jobs, step_runs


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
class WorkStatus:
    jobs: dict[str, int]
    running: list[RunningStep]
    failed: list[FailedStep]


def work_status(store: Store, limit: int = 50) -> WorkStatus:
    now = time.time()
    with store.tx() as conn:
        counts = {state: int(n) for state, n in conn.execute(
            sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state))}
        running = conn.execute(sa.select(step_runs).where(step_runs.c.status == "running")
                               .order_by(step_runs.c.updated_at).limit(limit)).mappings().all()
        failed = conn.execute(sa.select(step_runs).where(step_runs.c.status == "failed")
                              .order_by(step_runs.c.updated_at.desc()).limit(limit)).mappings().all()
    return WorkStatus(
        counts,
        [RunningStep(r["video_id"], r["step"], r["lease_owner"], (r["lease_expires"] or now) - now, r["progress"],
                     r["attempt"]) for r in running],
        [FailedStep(r["video_id"], r["step"], r["error"], r["attempt"], r["updated_at"]) for r in failed])
