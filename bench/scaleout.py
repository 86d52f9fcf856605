"""The same batch through 1, 2 and 4 worker processes on this machine, today's way (SQLite, `clipindex worker` polling
the store) and the multi-machine way (PostgreSQL + Dramatiq over Redis, `clipindex worker --queues ...`): throughput,
and the overhead of the broker and PostgreSQL against today's path.

The batch: caption files (no recognition: the transport's own cost shows) and short speech files recognised with
tiny.en (where recognition dominates, as it does in real ingest).

    .venv/bin/python bench/scaleout.py --captions 24 --media 4 --procs 1,2,4
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crash_cycles import caption_file  # noqa: E402 - after the path above
from indexer.config import Settings, load_settings  # noqa: E402
from indexer.service import Clipindex, IngestOptions  # noqa: E402
from tests.servers import new_database, start_postgres, start_redis, stop_all, stop_processes  # noqa: E402

TEXT = ("The council met on Tuesday to discuss the new bridge over the river. Engineers said the work would take "
        "two years and cost more than expected. Residents asked for a second crossing for pedestrians.")


def media_files(folder: Path, count: int) -> list[Path]:
    out = []
    for n in range(count):
        wav = folder / f"speech{n}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), f"Item {n}. {TEXT}"], check=True)
        out.append(wav)
    return out


def workers(settings: Settings, n: int, log: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLIPINDEX_DATA_DIR": str(settings.data_dir),
           "CLIPINDEX_MODEL": "tiny.en", "CLIPINDEX_DATABASE_URL": settings.database_url,
           "CLIPINDEX_BROKER_URL": settings.broker_url}
    procs = []
    with log.open("ab") as out:
        for i in range(n):
            args = ["worker", "--workers", "1"]
            if settings.broker_url:  # one index consumer; every process recognises and does cpu work
                args += ["--queues", "asr,cpu,index,jobs" if i == 0 else "asr,cpu,jobs"]
            procs.append(subprocess.Popen([sys.executable, "-m", "api.cli", *args], env=env, stdout=out, stderr=out))
    return procs


def run_batch(settings: Settings, files: list[Path], n: int, log: Path) -> float:
    service = Clipindex(settings)
    procs = workers(settings, n, log)
    time.sleep(8)  # start-up (imports, connections) is not throughput
    started = time.monotonic()
    jobs = [service.submit_ingest(str(f), IngestOptions(language="en")).id for f in files]
    try:
        while True:
            states = [service.jobs.get(j).state for j in jobs]
            if all(s in ("done", "failed", "cancelled") for s in states):
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        stop_processes(*procs, grace=60)
    failed = [service.jobs.get(j) for j in jobs if service.jobs.get(j).state != "done"]
    if failed:
        raise SystemExit(f"{len(failed)} jobs did not finish: {failed[0].error}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captions", type=int, default=24)
    parser.add_argument("--media", type=int, default=4)
    parser.add_argument("--procs", default="1,2,4")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="clipindex-scale-"))
    batches = {"captions": [caption_file(home, n) for n in range(args.captions)],
               "media": media_files(home, args.media)}
    pg, redis = start_postgres(), start_redis()
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    for kind, files in batches.items():
        if not files:
            continue
        for n in (int(p) for p in args.procs.split(",")):
            times = {}
            for mode in ("today", "scale"):
                data = home / f"{kind}-{n}-{mode}"
                extra = {"database_url": new_database(pg), "broker_url": redis.url} if mode == "scale" else {}
                settings = load_settings(env={}, data_dir=data, model="tiny.en", **extra)
                times[mode] = run_batch(settings, files, n, home / "workers.log")
                shutil.rmtree(data, ignore_errors=True)
            overhead = (times["scale"] / times["today"] - 1) * 100
            print(f"{kind:8} x{len(files):3}  {n} proc  today {times['today']:6.1f} s "
                  f"({len(files) / times['today']:5.2f}/s)  postgres+dramatiq {times['scale']:6.1f} s "
                  f"({len(files) / times['scale']:5.2f}/s)  overhead {overhead:+.0f}%", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    stop_all()
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
