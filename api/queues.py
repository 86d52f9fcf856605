"""`clipindex worker` with a broker: Dramatiq consumers of the `asr`, `cpu`, `index` and `jobs` queues in this process.

Two actors. `clipindex_step(video_id, step)` runs one ingest step through ingest/context.run_step: the store decides
whether it runs (a duplicate delivery finds it claimed or done and returns at once), renews its lease, records its
result or error. `clipindex_job(job_id)` coordinates a queued job (ingest or render) as api/worker.Worker does in
one process; its ingest chain sends each step to its queue and waits (indexer/distributed/chain.py).

Each queue has its own thread pool: `asr` one thread (one model per process, loaded on first use inside this process,
after any fork: CTranslate2 is not fork-safe), `index` one (Whoosh has one writer), `cpu` as many as asked, `jobs` a
few (coordinators only wait). A worker killed mid-step leaves its message unacknowledged: Dramatiq gives it to
another worker once this one's heartbeats stop (about 10 s), and the step's lease in the store lets the new claimant
take over. A reconciler re-sends queued jobs whose message the broker lost, and once a job whose lease expired (again
only when that message is lost too, or stuck unclaimed in a worker for a lease: JobQueue.unsent).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import dramatiq
from dramatiq.middleware import Shutdown

from api.worker import Worker
from indexer.asr.engine import Engine, EngineChoice, make_engine
from indexer.config import Settings
from indexer.distributed import transport
from indexer.distributed.chain import live
from indexer.errors import ClipindexError, InvalidInput
from indexer.ingest.context import StepContext, run_step
from indexer.ingest.steps import STEP_FUNCTIONS
from indexer.ingest.types import STEPS, StepName
from indexer.service import Clipindex
from media.errors import MediaError

log = logging.getLogger("clipindex.queues")
RECONCILE_S = 10.0
THREADS = {"asr": 1, "index": 1, "jobs": 4}  # cpu: --workers


@dataclass
class _Process:
    """What this worker process builds once and its threads share: the service (store, index) and the models."""

    settings: Settings
    service: Clipindex
    engines: dict[tuple[str, str], Engine] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def engine(self, settings: Settings, choice: EngineChoice) -> Engine:
        key = (choice.engine or settings.engine, choice.model or settings.model)
        with self.lock:  # loaded once per process, by whichever thread needs it first
            if key not in self.engines:
                self.engines[key] = make_engine(settings, choice)
            return self.engines[key]


def declare(settings: Settings, proc: _Process) -> Any:
    """The broker with this process's two actors and the four queues declared on it."""
    broker = transport.broker(settings)

    def step(video_id: str, name: str) -> None:
        _run_step(proc, video_id, name)

    def job(_job_id: str) -> None:
        # the message is a nudge: the worker claims the oldest runnable job (this one, unless another took it)
        try:
            Worker(proc.service).run_once()
        except Shutdown:  # a graceful stop: the job is queued again, its attempt given back (Worker._run)
            log.info("the job worker stops: its job is handed back for the next one")

    options = {"max_retries": 0}  # a failure is recorded in the store and retried there, by the job's attempts
    dramatiq.Actor(step, broker=broker, actor_name=transport.STEP_ACTOR, queue_name="cpu", priority=0,
                   options={**options, "time_limit": transport.STEP_TIME_LIMIT_MS})
    dramatiq.Actor(job, broker=broker, actor_name=transport.JOB_ACTOR, queue_name="jobs", priority=0,
                   # on shutdown the coordinator is interrupted (its steps run on): the reconciler re-sends the job
                   options={**options, "time_limit": transport.JOB_TIME_LIMIT_MS, "notify_shutdown": True})
    for queue in transport.QUEUES:
        broker.declare_queue(queue)
    return broker


def _run_step(proc: _Process, video_id: str, name: str) -> None:
    if name not in STEPS:
        log.error("unknown step %r for %s: message dropped", name, video_id)
        return
    step = cast(StepName, name)  # checked just above
    store = proc.service.store
    if store.find_video(video_id) is None:  # deleted while its message waited: nothing to do, nothing to retry
        log.info("%s of %s: the video is gone (deleted): message dropped", step, video_id)
        return
    run = store.step_status(video_id).get(step)
    if run is not None and (run.status == "done" or live(run)):
        return  # a duplicate delivery: the step is done or in a live worker's hands
    ctx = StepContext(store, proc.settings, ytdl=proc.service.ytdl, engine_factory=proc.engine)
    try:
        run_step(video_id, step, ctx, STEP_FUNCTIONS[step])
    except (ClipindexError, MediaError) as exc:  # recorded on the step; its coordinator reports it
        log.info("%s of %s failed: %s", step, video_id, exc)


def reconcile(service: Clipindex) -> int:
    """Re-send the jobs that wait in the store without a live coordinator: queued ones whose message the broker no
    longer holds (lost with a Redis restarted without its data), running ones whose lease expired (a dead worker)
    and that no message sent since is still waiting for. How many were sent."""
    settings = service.settings
    resend = service.jobs.unsent(RECONCILE_S, lambda ids: transport.held_of(settings, "jobs", ids),
                                 lambda ids: transport.waiting_of(settings, "jobs", ids))
    for job_id in resend:
        service.jobs.sent(job_id, transport.send_job(settings, job_id))
    return len(resend)


def _consumer(broker: Any, queue: str, threads: int) -> dramatiq.Worker:
    worker = dramatiq.Worker(broker, queues={queue}, worker_threads=threads, worker_timeout=1000)
    if queue == "asr":  # a recognition can take hours: the next one waits in Redis for whichever worker is free
        worker.queue_prefetch = threads  # first, not in this one's prefetch (Dramatiq's default: 2 per thread)
    return worker


def queue_names(queues: Iterable[str]) -> list[str]:
    """The queues asked for, each once and without blanks ("cpu,,jobs"); InvalidInput for one that does not exist,
    before a worker says it consumes it."""
    wanted = list(dict.fromkeys(q.strip() for q in queues if q.strip()))
    unknown = [q for q in wanted if q not in transport.QUEUES]
    if unknown or not wanted:
        raise InvalidInput(f"unknown queue {unknown[0] if unknown else '(none)'!r}: choose from "
                           f"{', '.join(transport.QUEUES)}")
    return wanted


def run(settings: Settings, queues: Iterable[str], cpu_threads: int, stop: threading.Event) -> None:
    """Consume the queues until `stop` is set; each queue with its own threads."""
    wanted = queue_names(queues)
    # one Dramatiq Worker per queue (each its own thread pool) means one worker middleware each: intended, not a slip
    logging.getLogger("dramatiq.broker.RedisBroker").addFilter(lambda r: "same type twice" not in r.getMessage())
    proc = _Process(settings, Clipindex(settings))
    if "index" in wanted:  # passages a killed predecessor held in its uncommitted batch come back from the store
        proc.service.index.reconcile()
    broker = declare(settings, proc)
    workers = [_consumer(broker, q, THREADS.get(q, max(cpu_threads, 1))) for q in wanted]
    for w in workers:
        w.start()
    try:
        while not stop.wait(RECONCILE_S if "jobs" in wanted else 1.0):
            if "jobs" in wanted:
                try:
                    reconcile(proc.service)
                    proc.service.sweep_failed_uploads()  # as an idle in-process worker does (api/worker.py)
                    proc.service.jobs.prune()
                except Exception:  # noqa: BLE001 - the reconciler outlives a broker or database hiccup
                    log.warning("reconcile failed", exc_info=True)
    finally:
        for w in workers:
            w.stop(timeout=10_000)
