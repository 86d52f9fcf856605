"""Running one step: claiming it in the store, reporting progress (which renews the lease), recording the outcome.

`run_step(video_id, step, ctx)` is a plain function: everything a step needs is in the store (the video row, the
ingest options, earlier steps' results) or in the settings, so any worker on any machine can run it. A step that is
done, or claimed by another live worker, is not run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.asr.engine import EngineFactory
from indexer.config import Settings
from indexer.errors import Cancelled, IngestError, as_ingest_error
from indexer.ingest.types import StepName, StepResult
from indexer.store import owners
from indexer.store.db import Store
from indexer.store.renewal import renewed
from media.sources import YtdlOptions

StepProgress = Callable[[StepName, float, str], None]  # step, fraction 0..1, detail


@dataclass
class StepContext:
    store: Store
    settings: Settings
    owner: str = field(default_factory=lambda: owners.new_owner("ingest"))
    on_progress: StepProgress | None = None
    engine_factory: EngineFactory | None = None
    ytdl: YtdlOptions = field(default_factory=YtdlOptions)
    video_id: str = ""
    step: StepName = "fetch"

    def progress(self, fraction: float, detail: str = "") -> None:
        """Record progress and renew the lease; raises Cancelled when the step was cancelled or taken over."""
        fraction = min(max(fraction, 0.0), 1.0)
        if not self.store.heartbeat(self.video_id, self.step, self.owner, self.settings.lease_s, fraction):
            raise Cancelled(f"{self.step} of {self.video_id} was cancelled")
        if self.on_progress:
            self.on_progress(self.step, fraction, detail)


StepFn = Callable[[str, StepContext], StepResult]


def run_step(video_id: str, step: StepName, ctx: StepContext, fn: StepFn, then: StepName | None = None) -> bool:
    """Run one step if it is not done; True when it ran. Failures are recorded on the step and re-raised. `then`:
    the step this run goes on to, leased to it as this one is recorded done (Store.finish_step), so a second
    process ingesting the same video at once waits for this one's steps instead of running some of them."""
    if not _claim(video_id, step, ctx):
        return False
    ctx.video_id, ctx.step = video_id, step
    try:
        # the lease renewed while the step works, whether or not it reports progress: the chapters step says nothing
        # while it embeds, outlasted its lease on a loaded machine, and was sent again and again (ten runs of it)
        with as_ingest_error(), renewed(lambda: ctx.store.heartbeat(video_id, step, ctx.owner, ctx.settings.lease_s,
                                                                    None), max(ctx.settings.lease_s / 4, 0.2),
                                        f"{step} of {video_id}"):
            result = fn(video_id, ctx)
    except OSError as exc:
        # a video deleted under its step takes its files with it: the step then meets a missing file (a traceback
        # in the CLI), where a delete a moment earlier is met as a cancellation
        if ctx.store.find_video(video_id) is None:
            raise Cancelled(f"{step} of {video_id} was cancelled: the video was deleted") from None
        ctx.store.fail_step(video_id, step, ctx.owner, str(exc) or type(exc).__name__)
        raise
    except BaseException as exc:
        ctx.store.fail_step(video_id, step, ctx.owner, str(exc) or type(exc).__name__, isinstance(exc, Cancelled))
        raise
    ctx.store.finish_step(video_id, step, ctx.owner, result, then=then, lease_s=ctx.settings.lease_s)
    if ctx.on_progress:  # a step that reports no progress of its own (chapters, index) ends at 100% too
        try:
            ctx.on_progress(step, 1.0, "")
        except BaseException:  # a job cancelled at this report: the next step, leased to this run, is given back
            if then is not None:
                ctx.store.release_step(video_id, then, ctx.owner)
            raise
    return True


def _claim(video_id: str, step: StepName, ctx: StepContext) -> bool:
    """Claim the step; False if it is done. A holder that crashed on this host is taken over at once; while another
    holder may still be running, wait (saying so) for it to finish or for its lease to run out. A holder that renews
    its lease is working (a recognition of an hour): it is waited for as long as it does; the wait gave up after one
    lease, and the second of two ingests of one file failed with "held by another worker that does not finish"."""
    deadline, renewed = time.monotonic() + ctx.settings.lease_s + 5, None
    while True:
        if ctx.store.claim_step(video_id, step, ctx.owner, ctx.settings.lease_s):
            return True
        run = ctx.store.step_status(video_id).get(step)
        if run is not None and run.status == "done":
            return False
        if run is not None and owners.gone(run.lease_owner):
            ctx.store.expire_step_lease(video_id, step, str(run.lease_owner))
            continue
        if run is not None and run.lease_expires != renewed:  # renewed since the last look (or first seen)
            deadline, renewed = time.monotonic() + ctx.settings.lease_s + 5, run.lease_expires
        if deadline < time.monotonic():
            raise IngestError(f"{step} of {video_id} is held by another worker that does not finish")
        if ctx.on_progress and run is not None:
            holder = owners.holder(run.lease_owner)
            where = f" on {holder.host}" if holder else ""
            left = max((run.lease_expires or 0) - time.time(), 0)
            ctx.on_progress(step, run.progress, f"another process{where} runs this step: waiting for it to "
                            f"finish (or for its lease to run out in {left:.0f} s)")
        time.sleep(0.5)
