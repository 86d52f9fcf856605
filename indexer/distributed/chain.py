"""The ingest chain on several machines: each step is sent to its queue in turn, and this coordinator waits on the
store until the step is done, then sends the next (the chaining lives here, in the pipeline, not in Dramatiq).

It is also the chain's reconciler: a step whose holder died (lease expired, or its process gone on this host) and
that Dramatiq has not redelivered is sent again; a step that failed in this run fails the chain with its error, as
run_chain would; a cancelled ingest sets the step's cancel flag, which its worker sees at its next heartbeat.
"""

from __future__ import annotations

import logging
import time

from indexer.distributed.transport import STEP_ACTOR, STEP_QUEUE, held, send
from indexer.errors import Cancelled, IngestError, unreachable
from indexer.ingest.context import StepContext
from indexer.ingest.types import STEPS, FetchResult, StepName
from indexer.store import owners
from indexer.store.db import StepRun
from indexer.store.schema import step_runs

# The store is read at once, then less often while the step runs on (x1.5 a look, up to POLL_MAX_S): a caption
# file's steps take a fraction of a second each and a recognition minutes. Progress is passed on (a write to the job
# row) when it changed, and at least every REPORT_S, which is how soon the job's cancel is seen here.
POLL_S, POLL_MAX_S, REPORT_S = 0.1, 1.0, 1.0
# A step still not taken this long after it was sent is sent again, whatever the broker says; sooner (after
# CLIPINDEX_DEAD_WORKER_S) where the broker no longer holds its message (Redis restarted without its data).
RESEND_S = 300.0
BROKER_WAIT_S = 2.0  # between tries while the broker cannot be reached
BROKER_PATIENCE_S = 600.0  # how long a run waits for a broker it reached before

log = logging.getLogger(__name__)


def run_distributed(video_id: str, ctx: StepContext) -> None:
    reached: list[float] = []  # when the broker was last reached by this run: set once a message went out
    for step in STEPS:
        _await_step(video_id, step, ctx, reached)


def _await_step(video_id: str, step: StepName, ctx: StepContext, reached: list[float] | None = None) -> None:
    first = ctx.store.step_status(video_id).get(step)
    if first is not None and first.status == "done":
        return
    base = first.attempt if first is not None else 0  # a failure from before this run is retried, not reported
    sent, queue, message = -RESEND_S, STEP_QUEUE[step], ""
    wait, shown, shown_at = POLL_S, ("", -1.0), 0.0
    try:
        while True:
            run = ctx.store.step_status(video_id).get(step)
            if run is not None and run.status == "done":
                return
            if run is None and ctx.store.find_video(video_id) is None:  # its rows go with the video
                raise IngestError(f"{step} of {video_id} stopped: the video was deleted during its ingest")
            if run is not None and run.status == "failed" and run.attempt > base:
                raise IngestError(run.error or f"{step} of {video_id} failed")
            waited = time.monotonic() - sent
            try:
                if not live(run) and (_stale(run, base) or waited > RESEND_S or (
                        waited > ctx.settings.dead_worker_s and not held(ctx.settings, queue, message))):
                    queue = queue_for(video_id, step, ctx)
                    message = send(ctx.settings, STEP_ACTOR, queue, video_id, step)
                    sent = time.monotonic()
                    base = run.attempt if run is not None else 0
                    if reached is not None:
                        reached[:] = [sent]
            except Exception as exc:  # noqa: BLE001 - the broker's client raises its own kinds; others go on up
                # the broker gone after this run reached it (Redis restarting): the step runs on where it is, and
                # the next message waits for the broker, up to BROKER_PATIENCE_S; the job failed, and an attempt
                # was spent, for a blip. A broker never reached (a wrong address) is the run's error at once.
                away = unreachable(exc)
                if away is None or not reached or time.monotonic() - reached[0] > BROKER_PATIENCE_S:
                    raise
                log.warning("%s; %s of %s waits for it", away, step, video_id)
                time.sleep(BROKER_WAIT_S)
            state = (_where(run, queue), run.progress if run is not None and live(run) else 0.0)
            if ctx.on_progress and (state != shown or time.monotonic() - shown_at >= REPORT_S):
                ctx.on_progress(step, state[1], state[0])
                shown, shown_at = state, time.monotonic()
            time.sleep(wait)
            wait = min(wait * 1.5, POLL_MAX_S)
    except (Cancelled, KeyboardInterrupt):
        _cancel(ctx, video_id, step)  # an ingest cancelled or interrupted here stops its step too
        raise


def queue_for(video_id: str, step: StepName, ctx: StepContext) -> str:
    """The step's queue; a transcript made from captions needs no recogniser, so it goes to `cpu`, not `asr`."""
    if step == "transcript" and ctx.store.step_result(video_id, "fetch", FetchResult).captions:
        return "cpu"
    return STEP_QUEUE[step]


def live(run: StepRun | None) -> bool:
    return (run is not None and run.status == "running" and (run.lease_expires or 0) > time.time()
            and not owners.gone(run.lease_owner))


def _stale(run: StepRun | None, base: int) -> bool:
    """Taken since the last send, and its holder is gone: Dramatiq redelivers, and so do we."""
    return run is not None and run.status == "running" and run.attempt > base and not live(run)


def _where(run: StepRun | None, queue: str) -> str:
    if live(run):
        holder = owners.holder(run.lease_owner if run else None)
        return f"running on {holder.host}" if holder else "running"
    return f"waiting on the {queue} queue"


def _cancel(ctx: StepContext, video_id: str, step: StepName) -> None:
    with ctx.store.tx() as conn:
        conn.execute(step_runs.update().where(step_runs.c.video_id == video_id, step_runs.c.step == step,
                                              step_runs.c.status == "running").values(cancel=True))
