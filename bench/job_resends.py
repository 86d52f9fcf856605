"""The `jobs` queue under a backlog nobody takes from: how many messages the workers' reconciler leaves in Redis.

N jobs are submitted (one message each) to a store and a Redis of their own, started here, with no consumer of the
`jobs` queue, as when a playlist waits behind a few busy workers. The jobs are then aged past the reconciler's idle
time (RECONCILE_S) and `api.queues.reconcile` runs ROUNDS times, one call standing for one 10 s round of a
`clipindex worker --queues jobs`; after each, the queue's length and the round's time. Last, the queue is flushed (a
Redis restarted without persistence) and one more round must send every job again.

Then the same for N jobs whose worker died: each taken by a worker on another host that stopped renewing its lease,
its message spent (Dramatiq handed it back when the worker's heartbeats stopped, and the worker that took it found
the job still leased), the lease run out. `expired` is how many the reconciler sent each round before it kept when it
sent a job's message (migration 10): every one, every round, until a worker took it.

    .venv/bin/python bench/job_resends.py --jobs 500 --rounds 5 [--store postgresql]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.queues import RECONCILE_S, reconcile  # noqa: E402 - after the path above
from indexer.config import load_settings  # noqa: E402
from indexer.distributed import transport  # noqa: E402
from indexer.ingest.types import IngestJob  # noqa: E402
from indexer.service import Clipindex  # noqa: E402
from indexer.store.schema import jobs  # noqa: E402
from tests.servers import new_database, start_postgres, start_redis, stop_all  # noqa: E402

DEPTH = f"{transport.NAMESPACE}:jobs"
TIMES = ("created_at", "updated_at", "lease_expires", "sent_at")  # aged together, as time passing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="clipindex-resends-"))
    extra = {"database_url": new_database(start_postgres())} if args.store == "postgresql" else {}
    settings = load_settings(env={}, data_dir=home / "data", broker_url=start_redis().url, **extra)
    service = Clipindex(settings)
    client = transport.broker(settings).client
    try:
        backlog(service, client, args.jobs, args.rounds, args.store)
        dead_workers(service, client, args.jobs, args.rounds)
    finally:
        stop_all()
        shutil.rmtree(home, ignore_errors=True)


def backlog(service: Clipindex, client: Any, count: int, rounds: int, store: str) -> None:
    for n in range(count):
        service.jobs.submit("ingest", IngestJob(f"/media/item{n}.wav"))
    print(f"{count} jobs submitted ({store} store): the jobs queue holds {client.llen(DEPTH)}")
    with service.store.tx() as conn:  # untouched for longer than the reconciler waits
        conn.execute(jobs.update().values(updated_at=jobs.c.updated_at - 6 * RECONCILE_S))
    _rounds(service, client, rounds)
    client.flushdb()
    sent = reconcile(service)
    print(f"after a flush (messages lost): sent {sent}, the jobs queue holds {client.llen(DEPTH)}")


def dead_workers(service: Clipindex, client: Any, count: int, rounds: int) -> None:
    lease_s = service.settings.lease_s
    with service.store.tx() as conn:  # every job taken by a worker on another host, which then died
        conn.execute(jobs.update().values(state="running", lease_owner="worker@another-host:1:0", attempts=1,
                                          lease_expires=time.time() + lease_s))
        conn.execute(jobs.update().values({name: jobs.c[name] - lease_s - 2 * RECONCILE_S for name in TIMES
                                           if name in jobs.c}))
    client.flushdb()  # their messages spent
    print(f"{count} jobs whose worker died, lease expired: the jobs queue holds {client.llen(DEPTH)}")
    _rounds(service, client, rounds, expired=True)
    client.flushdb()
    sent = [reconcile(service) for _ in range(2)]
    print(f"after a flush (messages lost): sent {sent[0]}, then {sent[1]}; the jobs queue holds {client.llen(DEPTH)}")


def _rounds(service: Clipindex, client: Any, rounds: int, expired: bool = False) -> None:
    print(f"{'round':>5} {'sent':>6}{' expired' if expired else ''} {'queue':>7} {'ms':>7}")
    for n in range(1, rounds + 1):
        before = f" {_expired(service):7}" if expired else ""
        began = time.perf_counter()
        sent = reconcile(service)
        print(f"{n:5} {sent:6}{before} {client.llen(DEPTH):7} {(time.perf_counter() - began) * 1000:7.0f}")


def _expired(service: Clipindex) -> int:
    """Running jobs whose lease has run out: how many the reconciler sent every round before migration 10."""
    with service.store.tx() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(jobs).where(
            jobs.c.state == "running", jobs.c.lease_expires < time.time())).scalar() or 0)


if __name__ == "__main__":
    main()
