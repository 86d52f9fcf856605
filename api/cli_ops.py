"""Operating an archive: `clipindex worker` (worker threads in this process, or with a broker configured the Dramatiq
consumers of its queues, see api/queues.py), `clipindex compact` (the disk space of deleted videos given back), and
on several machines `clipindex migrate-store` and `clipindex status`. Registered on the main app by api/cli.py."""

from __future__ import annotations

import json
import logging
import signal
import socket
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_common import (
    DataDir,
    JsonOut,
    Quiet,
    err,
    errors,
    out,
    progress,
    service,
    terminate_as_interrupt,
    videos_done,
)
from indexer.config import Settings, load_settings
from indexer.errors import ClipindexError, InvalidInput
from indexer.store import owners

if TYPE_CHECKING:
    from indexer.store.status import WorkStatus


def migrate_store(
    to: Annotated[str, typer.Option("--to", help="The target store: postgresql+psycopg://USER:PASS@HOST/DB, or "
                                                  "sqlite:///PATH to copy back.")],
    source: Annotated[str | None, typer.Option("--from", help="The source store URL [default: "
                                                              "CLIPINDEX_DATABASE_URL, or this data directory's "
                                                              "SQLite store when that is unset or is the target].")
                      ] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Copy every table of a store into another (SQLite -> PostgreSQL, or back), without loss and idempotently.

    Both ends are migrated to the current schema first; only what the target lacks is written (a row it holds is
    kept as it is there, a video's segments and chapters and a reel's clips copied whole or not at all), so running
    it again changes nothing, an interrupted copy is finished by the next run, and a run after the target went into
    service never puts older rows back over its edits, nor brings back what it removed (a deleted video).

    Example: clipindex migrate-store --to postgresql+psycopg://clipindex@db.internal/clipindex
    """
    # deferred: SQLAlchemy and the store, for this command only
    from indexer.store.copy import copy_store
    from indexer.store.db import Store
    from indexer.store.dialect import describe

    with errors():
        settings = load_settings(data_dir=data_dir)
        # README's order: CLIPINDEX_DATABASE_URL exported first, then this copy to it from the machine's SQLite file
        default = settings.store_url if settings.database_url and settings.database_url != to else settings.db_path
        src, dst = Store(source or default), Store(to)
        err.print(f"copying {describe(src.engine)} -> {describe(dst.engine)}", markup=False)
        started = time.monotonic()
        report = copy_store(src, dst)
        lost = sum(t.missing for t in report)
        if as_json:
            out.print_json(json.dumps({"tables": [asdict(t) for t in report], "missing": lost,
                                       "seconds": round(time.monotonic() - started, 2)}))
        else:
            for t in report:
                out.print(f"{t.table:15} {t.rows:9} rows" + (f"  {t.missing} MISSING" if t.missing else "")
                          + (f"  ({t.kept} kept as the target has them)" if t.kept else "")
                          + (f"  ({t.removed} left out: removed in the target since an earlier copy)"
                             if t.removed else ""), markup=False)
            out.print(f"done in {time.monotonic() - started:.1f} s", markup=False)
        if lost:
            raise ClipindexError(f"{lost} rows did not arrive in the target; run the command again")
        added = sum(t.rows - t.kept - t.removed for t in report if t.table == "videos")
        if added:  # the target's search index (on its own machines) has never seen them
            err.print(f"{added} video(s) copied: run `clipindex reindex --missing` where the target's search index "
                      "is (with its data directory) so that search finds them", markup=False)


def status(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Where the work stands: queue depths (with a broker), jobs by state (the running ones with their worker and
    lease, the last failed ones with their error), the ingests running (the process that coordinates each), running
    steps with their worker and lease, failed steps with their error.

    Example: clipindex status
    """
    from indexer.store.db import Store  # deferred: SQLAlchemy, for this command only
    from indexer.store.status import work_status

    with errors():
        settings = load_settings(data_dir=data_dir)
        work = work_status(Store(settings.store_url))
        try:
            depths, away = _depths(settings), None
        except ClipindexError as exc:  # the store's half of the answer still helps: it is printed, then this
            depths, away = None, exc
    if as_json:
        out.print_json(json.dumps({"queues": depths, **asdict(work), **({"error": str(away)} if away else {})}))
    else:
        _print_status(depths, work)
    if away:
        err.print(f"error: {away}", markup=False, highlight=False)
        raise typer.Exit(1)


def _print_status(depths: dict[str, int] | None, work: WorkStatus) -> None:
    if depths is not None:
        out.print("queues   " + "  ".join(f"{q} {n}" for q, n in depths.items()), markup=False)
    out.print("jobs     " + ("  ".join(f"{s} {n}" for s, n in sorted(work.jobs.items())) or "none"), markup=False)
    for j in work.running_jobs:
        out.print(f"  running {j.kind} {j.title} ({j.step or 'starting'} {j.progress:.0%}) on {j.worker} "
                  f"({_lease(j.lease_left_s or 0.0, j.worker)})", markup=False)
    for j in work.failed_jobs:
        out.print(f"  failed  {j.kind} {j.title}: {j.error}", markup=False)
    out.print(f"ingests  {len(work.ingests)} running", markup=False)
    for i in work.ingests:
        out.print(f"  {i.video_id} by {i.coordinator} (claim {i.claim_left_s:.0f} s left)", markup=False)
    out.print(f"running  {len(work.running)} step(s)", markup=False)
    for r in work.running:
        out.print(f"  {r.video_id} {r.step} {r.progress:.0%} on {r.worker} ({_lease(r.lease_left_s, r.worker)}, "
                  f"attempt {r.attempt})", markup=False)
    for name, steps in (("failed", work.failed), ("cancelled", work.cancelled)):
        if steps or name == "failed":
            out.print(f"{name:<8} {len(steps)} step(s)", markup=False)
        for f in steps:
            out.print(f"  {f.video_id} {f.step} (attempt {f.attempt}): {f.error}", markup=False)


def _lease(left_s: float, worker: str | None) -> str:
    """A step's or a job's lease as status prints it; a process of this host that has ended is named (another takes
    its work at once)."""
    lease = f"lease {left_s:.0f} s left" if left_s >= 0 else "LEASE EXPIRED"
    return lease + ", ITS PROCESS HAS ENDED" if owners.gone(worker) else lease


def _depths(settings: Settings) -> dict[str, int] | None:
    if not settings.broker_url:
        return None
    from indexer.distributed.transport import queue_depths  # deferred: redis, only with a broker

    try:
        return queue_depths(settings)
    except Exception as exc:  # noqa: BLE001 - redis' own errors; the store's half of the answer still helps
        raise ClipindexError(f"cannot read the queues at the broker: {type(exc).__name__}: {exc}") from None


def asr_note(workers: int, cpu: bool) -> str:
    """What runs on the asr queue, as a worker consuming it says at its start: one recognition at a time per process
    (one model, loaded in the process: CTranslate2 is not fork-safe), whatever --workers says."""
    what = "asr: 1 recognition at a time per process; start more processes for more (one per GPU, or per 2 to 4 CPU "\
           "cores: docs/deploy.md)"
    if workers <= 1:
        return what
    used = (f"it gives the cpu queue {workers} threads" if cpu
            else "it sets only the cpu queue's threads, and this process does not consume cpu")
    return f"warning: --workers {workers} does not run {workers} recognitions ({used}). {what}"


def queue_worker(queues: str | None, workers: int, data_dir: DataDir) -> None:
    """`clipindex worker` with CLIPINDEX_BROKER_URL: consume the named queues until SIGTERM or Ctrl-C."""
    from api.queues import queue_names, run  # deferred: Dramatiq and the whole service, for this command only
    from indexer.asr.engine import check_engine  # deferred with it
    from indexer.ingest.uploads import foreign_data_dir
    from indexer.store.db import Store

    with errors():
        settings = load_settings(data_dir=data_dir)
        if not settings.broker_url:
            raise InvalidInput("--queues needs a broker: set CLIPINDEX_BROKER_URL=redis://HOST:6379/0")
        names = queue_names((queues or "asr,cpu,index,jobs").split(","))  # checked before it says what it consumes
        # a worker that transcribes, without the model it would use, is refused here, not by every job it takes
        engine = f" (transcribing with {check_engine(settings)})" if "asr" in names else ""
        if elsewhere := foreign_data_dir(settings.data_dir, Store(settings.store_url)):
            err.print(f"warning: {elsewhere}", markup=False, highlight=False)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        err.print(f"consuming {', '.join(names)} from the broker{engine}; Ctrl-C stops", markup=False)
        if "asr" in names:  # --workers 3 read as three recognitions: one runs, said so at the start
            err.print(asr_note(workers, "cpu" in names), markup=False, highlight=False)
        try:
            run(settings, names, workers, stop)
        except KeyboardInterrupt:
            stop.set()


def worker(
    workers: Annotated[int, typer.Option(help="Worker threads in this process (with a broker: threads for the cpu "
                                              "queue; asr runs 1 recognition at a time per process: start more "
                                              "processes for more).")] = 1,
    queues: Annotated[str | None, typer.Option(help="With CLIPINDEX_BROKER_URL: the queues to consume, from asr, "
                                                    "cpu, index, jobs [default: all]. Run index on one machine "
                                                    "only.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run background workers for queued jobs, in this process, against the same store as the server.

    Example: clipindex worker --workers 1   (several machines: clipindex worker --queues asr,cpu)
    """
    from api.worker import Worker  # deferred: the worker pulls the service (SQLAlchemy) and the reel service

    # a worker's log is read beside other machines' (journald, a shared file): each line says when and from where
    logging.basicConfig(level=logging.WARNING, format=f"%(asctime)s {socket.gethostname()} %(name)s: %(message)s")
    if queues is not None or load_settings(data_dir=data_dir).broker_url:
        queue_worker(queues, workers, data_dir)
        return
    with errors():
        svc = service(data_dir)
        svc.store.must_write()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        threads = [threading.Thread(target=Worker(svc).run, args=(stop,), daemon=True) for _ in range(max(workers, 1))]
        for t in threads:
            t.start()
        err.print(f"{len(threads)} worker(s) waiting for jobs in {svc.settings.data_dir}; Ctrl-C stops")
        try:
            while not stop.wait(0.5):
                pass
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=10)


def compact(data_dir: DataDir = None, quiet: Quiet = False) -> None:
    """Give back the disk space of deleted videos: rebuild the search index without their passages (the old copy
    goes ten minutes later, once no reader can hold it), remove the jobs that finished longer ago than
    CLIPINDEX_JOB_RETENTION_DAYS (30; workers do that hourly too) and compact the store (SQLite: VACUUM).

    Example: clipindex compact
    """
    from indexer.store.dialect import vacuum  # deferred: the one command that needs it

    with errors("the index in use and the store are unchanged"), terminate_as_interrupt():
        svc = service(data_dir)
        url = svc.store.engine.url
        files = [Path(f"{url.database}{end}") for end in ("", "-wal")] if url.get_backend_name() == "sqlite" else []

        def size() -> float:
            return sum(f.stat().st_size for f in files if f.exists()) / 1e6

        before = size()
        with progress(quiet) as report:
            passages = svc.index.reindex(videos_done(report, "index", "compact"))
        pruned = svc.jobs.prune(force=True)
        vacuum(svc.store.engine)
    out.print(f"indexed {passages} passages", markup=False)
    if svc.jobs.retention_s > 0:
        out.print(f"removed {pruned} finished job{'' if pruned == 1 else 's'} older than "
                  f"{svc.settings.job_retention_days:g} days", markup=False)
    if files:
        out.print(f"store {before:.1f} MB -> {size():.1f} MB", markup=False)
