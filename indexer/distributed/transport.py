"""Sending work to the queues, and reading their depths. Dramatiq and redis are imported only when a broker is set.

Queues by resource: `asr` (speech recognition; one process per GPU or per few cores, the model loaded once in it),
`cpu` (fetch, audio, chapters, articles, renders), `index` (exactly one consumer: Whoosh has a single writer) and
`jobs` (the coordinators of queued ingest and render jobs: light, they wait on the steps). Messages name an actor
and carry ids only; whoever runs them reads everything else from the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from indexer.config import Settings

log = logging.getLogger("clipindex.dist")

QUEUES = ("asr", "cpu", "index", "jobs")
STEP_QUEUE: dict[str, str] = {"fetch": "cpu", "audio": "cpu", "transcript": "asr", "chapters": "cpu",
                              "index": "index", "article": "cpu"}
STEP_ACTOR = "clipindex_step"
JOB_ACTOR = "clipindex_job"
NAMESPACE = "clipindex"  # the Redis key prefix, so a shared Redis can serve other Dramatiq users too
# A worker that stops sending heartbeats for Settings.dead_worker_s (CLIPINDEX_DEAD_WORKER_S, 10 s by default) is
# dead: its unacknowledged messages go back on their queue. Every process of a deployment should have the same value
# (one with a longer one is only slower to call a worker dead). Live workers poll Redis at least once a second even
# while every thread is busy (the delay-queue consumers), so a long recognition is never taken for dead; the
# maintenance chance makes some poll notice a dead one within seconds.
MAINTENANCE_CHANCE = 50_000  # per million commands
STEP_TIME_LIMIT_MS = 12 * 3600 * 1000  # hour-long recordings on a CPU take hours; a stuck step is seen by its lease
JOB_TIME_LIMIT_MS = 48 * 3600 * 1000  # a coordinator waits for every step of every video of a playlist

_brokers: dict[tuple[str, float], Any] = {}
_lock = threading.Lock()


def broker(settings: Settings) -> Any:
    """The process's Dramatiq Redis broker at `settings.broker_url` (one per process: its connection pool is not
    fork-safe, so a process builds its own on first use)."""
    url, dead_worker_s = settings.broker_url, settings.dead_worker_s
    with _lock:
        key = (url, dead_worker_s)
        if key not in _brokers:
            # deferred: Dramatiq and redis are needed only when a broker is configured
            from dramatiq.brokers.redis import RedisBroker

            _brokers[key] = RedisBroker(url=url, namespace=NAMESPACE, heartbeat_timeout=round(dead_worker_s * 1000),
                                        maintenance_chance=MAINTENANCE_CHANCE)
        return _brokers[key]


def send(settings: Settings, actor: str, queue: str, *args: str) -> str:
    """Send a message; its id (`held` tells whether the broker still has it)."""
    from dramatiq import Message  # deferred: only with a broker

    message: Any = Message(queue_name=queue, actor_name=actor, args=args, kwargs={}, options={})
    sent = broker(settings).enqueue(message)
    # the broker keeps the body under an id of its own (Redis: a fresh one each enqueue); `held` looked the message
    # up by Dramatiq's id, never found it, and every waiting step was sent again every CLIPINDEX_DEAD_WORKER_S
    return str(sent.options.get("redis_message_id", sent.message_id))


def held(settings: Settings, queue: str, message_id: str) -> bool:
    """Whether the broker still holds a message: waiting, delayed for a retry, or taken and not yet acknowledged
    (Dramatiq keeps each message's body in its queue's `.msgs` hash until the worker acknowledges it). False after a
    Redis restart without persistence lost it; True when the broker cannot be asked (nothing is sent again then)."""
    try:
        client = broker(settings).client
        return any(client.hexists(f"{NAMESPACE}:{q}.msgs", message_id) for q in (queue, f"{queue}.DQ"))
    except Exception:  # noqa: BLE001 - redis' own errors: the broker is away, and the coordinator asks again later
        return True


def held_of(settings: Settings, queue: str, message_ids: list[str]) -> set[str]:
    """Those of the messages the broker still holds (as `held`, in one round trip however many): all of them when
    the broker cannot be asked."""
    return _asked(settings, queue, message_ids, lambda pipe, q, m: pipe.hexists(f"{NAMESPACE}:{q}.msgs", m), bool)


def waiting_of(settings: Settings, queue: str, message_ids: list[str]) -> set[str]:
    """Those of the messages still waiting on the queue, taken by no worker (a taken one sits in the worker's
    acknowledgement set until it is done): all of them when the broker cannot be asked. One round trip; each look
    reads the queue's list, so ask only about the few that matter."""
    return _asked(settings, queue, message_ids, lambda pipe, q, m: pipe.lpos(f"{NAMESPACE}:{q}", m),
                  lambda found: found is not None)


def _asked(settings: Settings, queue: str, message_ids: list[str], ask: Callable[[Any, str, str], object],
           says: Callable[[Any], bool]) -> set[str]:
    """Those of the messages for which `says` holds of `ask`'s answer, on the queue or its delay queue, in one round
    trip: all of them when the broker cannot be asked."""
    try:
        pipe = broker(settings).client.pipeline(transaction=False)
        for message_id in message_ids:
            for q in (queue, f"{queue}.DQ"):
                ask(pipe, q, message_id)
        found = pipe.execute()
    except Exception:  # noqa: BLE001 - redis' own errors: the broker is away; the reconciler asks again next round
        return set(message_ids)
    return {m for n, m in enumerate(message_ids) if says(found[2 * n]) or says(found[2 * n + 1])}


def send_job(settings: Settings, job_id: str) -> str:
    """Send a job's message to the `jobs` queue; its id (the job keeps it: JobQueue.sent)."""
    return send(settings, JOB_ACTOR, "jobs", job_id)


def job_notifier(settings: Settings) -> Callable[[str], str | None] | None:
    """What the job queue calls after a submit: a message to the `jobs` queue, and its id (None without a broker). A
    failed send loses nothing: the job is in the store and the workers' reconciler sends it again."""
    if not settings.broker_url:
        return None

    def notify(job_id: str) -> str | None:
        try:
            return send_job(settings, job_id)
        except Exception:  # noqa: BLE001 - the store has the job; the reconciler re-sends it
            log.warning("could not send job %s to the broker; a worker's reconciler will pick it up", job_id,
                        exc_info=True)
            return None

    return notify


def queue_depths(settings: Settings) -> dict[str, int]:
    """Messages waiting (or delayed for a retry) on each queue."""
    client = broker(settings).client
    return {q: int(client.llen(f"{NAMESPACE}:{q}")) + int(client.llen(f"{NAMESPACE}:{q}.DQ")) for q in QUEUES}
