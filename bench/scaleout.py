"""The same batch through 1, 2 and 4 worker processes on this machine, today's way (SQLite, `clipindex worker` polling
the store) and the multi-machine way (PostgreSQL + Dramatiq over Redis, `clipindex worker --queues ...`): throughput
side by side, and the overhead of the broker and PostgreSQL against today's path, in wall time and in CPU time.

The batch: caption files (no recognition: the transport's own cost shows) and short speech files recognised with
tiny.en (where recognition dominates, as it does in real ingest). CPU time counts every process that works on the
batch: the workers and what they run (ffmpeg), PostgreSQL's backends and Redis in the multi-machine way, and this
script's own submits and polls; unlike wall time it does not move with other load on a shared machine.

    .venv/bin/python bench/scaleout.py --captions 12 --media 4 --procs 1,2,4
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crash_cycles import caption_file  # noqa: E402 - after the path above
from indexer.config import Settings, load_settings  # noqa: E402
from indexer.service import Clipindex, IngestOptions  # noqa: E402
from tests.servers import Server, new_database, start_postgres, start_redis, stop_all, stop_processes  # noqa: E402

TEXT = ("The council met on Tuesday to discuss the new bridge over the river. Engineers said the work would take "
        "two years and cost more than expected. Residents asked for a second crossing for pedestrians.")
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    load: float  # the 1-minute load average when the batch was submitted

    def rate(self, files: int) -> float:
        return files / self.seconds


def media_files(folder: Path, count: int) -> list[Path]:
    out = []
    for n in range(count):
        wav = folder / f"speech{n}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), f"Item {n}. {TEXT}"], check=True)
        out.append(wav)
    return out


def cpu_seconds(pid: int, children: bool = True) -> float:
    """CPU time of a process, and of its children it has waited for (ffmpeg under a worker, exited backends under
    PostgreSQL), from /proc; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = [int(x) for x in fields[11:15]]  # utime, stime, cutime, cstime
    return sum(ticks if children else ticks[:2]) / TICK


def tree_cpu(pid: int) -> float:
    """A server's CPU time: its own, its reaped children's, and that of its children still running (backends)."""
    live = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            if ppid == pid:
                live += cpu_seconds(int(entry.name))
    return cpu_seconds(pid) + live


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


def run_batch(settings: Settings, files: list[Path], n: int, log: Path, servers: list[Server]) -> Run:
    service = Clipindex(settings)
    procs = workers(settings, n, log)
    time.sleep(8)  # start-up (imports, connections) is not throughput
    load = os.getloadavg()[0]

    def cpu() -> float:
        return (sum(cpu_seconds(p.pid) for p in procs) + sum(tree_cpu(s.proc.pid) for s in servers)
                + time.process_time())

    before, started = cpu(), time.monotonic()
    jobs = {service.submit_ingest(str(f), IngestOptions(language="en")).id for f in files}
    try:
        while True:
            states = {j.id: j.state for j in service.jobs.list(limit=len(jobs) + 10)}
            if all(states.get(j) in ("done", "failed", "cancelled") for j in jobs):
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        used = cpu() - before
    finally:
        stop_processes(*procs, grace=60)
    failed = [service.jobs.get(j) for j in jobs if service.jobs.get(j).state != "done"]
    if failed:
        raise SystemExit(f"{len(failed)} jobs did not finish: {failed[0].error}")
    return Run(elapsed, used, load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captions", type=int, default=12)
    parser.add_argument("--media", type=int, default=4)
    parser.add_argument("--procs", default="1,2,4")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="clipindex-scale-"))
    batches = {"captions": [caption_file(home, n) for n in range(args.captions)],
               "media": media_files(home, args.media)}
    pg, redis = start_postgres(), start_redis()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    header = (f"{'batch':14} {'procs':>5} | {'today: SQLite, in-process jobs':^30} | {'PostgreSQL + Dramatiq':^30} | "
              f"{'overhead':^15}\n{'':14} {'':5} | {'wall s':>7} {'files/s':>7} {'cpu s':>7} {'load':>6} | "
              f"{'wall s':>7} {'files/s':>7} {'cpu s':>7} {'load':>6} | {'wall':>7} {'cpu':>7}")
    rows = []
    for kind, files in batches.items():
        for n in (int(p) for p in args.procs.split(",")) if files else ():
            runs = {}
            for mode in ("today", "scale"):
                data = home / f"{kind}-{n}-{mode}"
                extra = {"database_url": new_database(pg), "broker_url": redis.url} if mode == "scale" else {}
                settings = load_settings(env={}, data_dir=data, model="tiny.en", **extra)
                runs[mode] = run_batch(settings, files, n, home / "workers.log", [pg, redis] if extra else [])
                shutil.rmtree(data, ignore_errors=True)
            today, scale = runs["today"], runs["scale"]
            cells = [f"{r.seconds:7.1f} {r.rate(len(files)):7.2f} {r.cpu:7.1f} {r.load:6.1f}" for r in (today, scale)]
            wall, cpu = (scale.seconds / today.seconds - 1) * 100, (scale.cpu / today.cpu - 1) * 100
            name = f"{kind} x{len(files)}"
            rows.append(f"{name:14} {n:5} | {cells[0]} | {cells[1]} | {wall:+6.0f}% {cpu:+6.0f}%")
            print(rows[-1], flush=True)
    print(f"\n{header}\n" + "\n".join(rows))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    stop_all()
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
