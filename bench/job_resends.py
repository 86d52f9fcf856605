"""The `jobs` queue under a backlog nobody takes from: how many messages the workers' reconciler leaves in Redis.

N jobs are submitted (one message each) to a store and a Redis of their own, started here, with no consumer of the
`jobs` queue, as when a playlist waits behind a few busy workers. The jobs are then aged past the reconciler's idle
time (RECONCILE_S) and `api.queues.reconcile` runs ROUNDS times, one call standing for one 10 s round of a
`clipindex worker --queues jobs`; after each, the queue's length and the round's time. Last, the queue is flushed (a
Redis restarted without persistence) and one more round must send every job again.

    .venv/bin/python bench/job_resends.py --jobs 500 --rounds 5 [--store postgresql]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.queues import RECONCILE_S, reconcile  # noqa: E402 - after the path above
from indexer.config import load_settings  # noqa: E402
from indexer.distributed import transport  # noqa: E402
from indexer.ingest.types import IngestJob  # noqa: E402
from indexer.service import Clipindex  # noqa: E402
from indexer.store.schema import jobs  # noqa: E402
from tests.servers import new_database, start_postgres, start_redis, stop_all  # noqa: E402


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
    depth = f"{transport.NAMESPACE}:jobs"
    try:
        for n in range(args.jobs):
            service.jobs.submit("ingest", IngestJob(f"/media/item{n}.wav"))
        print(f"{args.jobs} jobs submitted ({args.store} store): the jobs queue holds {client.llen(depth)}")
        with service.store.tx() as conn:  # untouched for longer than the reconciler waits
            conn.execute(jobs.update().values(updated_at=jobs.c.updated_at - 6 * RECONCILE_S))
        print(f"{'round':>5} {'sent':>6} {'queue':>7} {'ms':>7}")
        for n in range(1, args.rounds + 1):
            began = time.perf_counter()
            sent = reconcile(service)
            print(f"{n:5} {sent:6} {client.llen(depth):7} {(time.perf_counter() - began) * 1000:7.0f}")
        client.flushdb()
        sent = reconcile(service)
        print(f"after a flush (messages lost): sent {sent}, the jobs queue holds {client.llen(depth)}")
    finally:
        stop_all()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
