"""Random kill -9 cycles against a multi-worker deployment on this machine: PostgreSQL, Redis and N `clipindex worker
--queues ...` processes, all started here. Each cycle submits an ingest job (a small caption file of its own), waits a
random moment, and SIGKILLs a random worker, which is started again. At the end every job must be done once: one
video each, its transcript whole, its passages in the index exactly once, no step left running. Prints the count of
cycles, losses and duplicates; exits 1 when any job was lost or doubled.

    .venv/bin/python bench/crash_cycles.py --cycles 200 --workers 3
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.config import Settings, load_settings  # noqa: E402 - after the path above
from indexer.search.base import PassageIndex  # noqa: E402
from indexer.search.passages import build_passages  # noqa: E402
from indexer.service import Clipindex, IngestOptions  # noqa: E402
from tests.servers import new_database, start_postgres, start_redis, stop_all, stop_processes  # noqa: E402

CUES = 4


def caption_file(folder: Path, n: int) -> Path:
    path = folder / f"report{n:04d}.vtt"
    cues = [f"00:00:{i * 5:02d}.000 --> 00:00:{i * 5 + 4:02d}.500\nReport {n} part {i}: the council voted on "
            f"budget line {n * 10 + i} after a long debate about the river bridge." for i in range(CUES)]
    path.write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n", encoding="utf-8")
    return path


def worker(settings: Settings, log: Path, queues: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLIPINDEX_DATA_DIR": str(settings.data_dir),
           "CLIPINDEX_DATABASE_URL": settings.database_url, "CLIPINDEX_BROKER_URL": settings.broker_url,
           "CLIPINDEX_LEASE_S": str(settings.lease_s)}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--queues", queues,
                                 "--workers", "2"], env=env, stdout=out, stderr=out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--max-wait", type=float, default=1.5, help="longest random wait before a kill (s)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="clipindex-crash-"))
    pg, redis = start_postgres(), start_redis()
    settings = load_settings(env={}, data_dir=home / "data", database_url=new_database(pg),
                             broker_url=redis.url, lease_s=3.0)
    service = Clipindex(settings)
    log = home / "workers.log"
    # the first worker is the one consumer of the index queue (Whoosh has one writer); all take cpu and jobs
    queues = ["cpu,index,jobs" if i == 0 else "cpu,jobs" for i in range(args.workers)]
    procs = [worker(settings, log, q) for q in queues]
    rng = random.Random(13)
    jobs: list[str] = []
    kills = 0
    given_up: list[str] = []
    started = time.monotonic()
    try:
        for n in range(args.cycles):
            jobs.append(service.submit_ingest(str(caption_file(home, n)), IngestOptions(language="en")).id)
            time.sleep(rng.uniform(0, args.max_wait))
            victim = rng.randrange(len(procs))
            os.kill(procs[victim].pid, signal.SIGKILL)
            procs[victim].wait()
            kills += 1
            procs[victim] = worker(settings, log, queues[victim])
        drain(service, jobs)
        # a job whose coordinator was killed on each of its 3 attempts is given up (max_attempts: a guard against a
        # job that crashes its workers); submitting it again must finish it from where it stopped, losing nothing
        given_up = [j for j in jobs if service.jobs.get(j).state == "failed"]
        again = [service.submit_ingest(service.jobs.get(j).payload["source"], IngestOptions(language="en")).id
                 for j in given_up]
        drain(service, again)
        jobs = [j for j in jobs if j not in given_up] + again
        time.sleep(3)  # the index consumer's last batched commit
    finally:
        stop_processes(*procs)
    lost, duplicates = report(service, jobs, kills, time.monotonic() - started)
    print(f"  given up after 3 worker deaths and submitted again: {len(given_up)}")
    stop_all()
    sys.exit(1 if lost or duplicates else 0)  # a run that lost or doubled a job fails


def drain(service: Clipindex, jobs: list[str], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [service.jobs.get(j).state for j in jobs]
        if all(s in ("done", "failed", "cancelled") for s in states):
            return
        time.sleep(1)


def indexed_pids(index: PassageIndex, video_id: str) -> list[str] | None:
    """The ids of the video's passages as the index holds them, one per indexed document (Whoosh only; None on
    another backend, where the passage count alone is compared)."""
    if index.backend != "whoosh":
        return None
    searcher = index.searcher()  # type: ignore[attr-defined]
    return [searcher.stored_fields(n)["pid"] for n in searcher.document_numbers(video_id=video_id)]


def report(service: Clipindex, jobs: list[str], kills: int, seconds: float) -> tuple[int, int]:
    """Print what the cycles left and return (losses, duplicates). Each video is compared with the passages its own
    stored transcript makes: compared with the first video's count, a video indexed twice everywhere looked whole."""
    states = [service.jobs.get(j) for j in jobs]
    videos = service.store.video_ids()
    index = service.index.backend
    not_done = [j for j in states if j.state != "done"]
    lost = len(not_done) + max(len(jobs) - len(videos), 0)
    duplicates = 0
    for vid in videos:
        tr = service.store.get_transcript(vid)
        expected = len(build_passages(tr)) if tr is not None else 0
        count = index.passage_count(vid)
        pids = indexed_pids(index, vid)
        steps = service.store.step_status(vid)
        lost += (tr is None or len(tr.segments) < CUES or count < expected or count == 0
                 or any(s.status != "done" for s in steps.values()))
        duplicates += ((tr is not None and len(tr.segments) > CUES) or count > expected
                       or (pids is not None and len(pids) != len(set(pids))))
    print(f"cycles {len(jobs)}  kills {kills}  videos {len(videos)}  losses {lost}  duplicates {duplicates}  "
          f"({seconds:.0f} s; {sum(j.attempts for j in states) - len(states)} job re-runs after kills)")
    for j in not_done[:5]:
        print(f"  job {j.id} {j.state}: {j.error}")
    return lost, duplicates


if __name__ == "__main__":
    main()
