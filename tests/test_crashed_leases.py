"""A step or job whose holder crashed on this host is taken over at once, not after its lease runs out."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from indexer.config import load_settings
from indexer.errors import Cancelled, IngestError, InvalidInput
from indexer.ingest.context import StepContext, _claim, run_step
from indexer.ingest.steps import STEP_FUNCTIONS
from indexer.ingest.types import IngestJob
from indexer.models import Video
from indexer.service import Clipindex, IngestOptions
from indexer.store import owners
from indexer.store.db import Store
from indexer.store.jobs import JobQueue
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]


def _in_a_process_that_dies(code: str) -> None:
    """Run `code` in a new interpreter that then exits without releasing anything (as a kill -9 would leave it)."""
    done = subprocess.run([sys.executable, "-c", code + "\nimport os; os._exit(0)"], env={**os.environ,
                          "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_step_held_by_a_crashed_process_is_taken_over_at_once(tmp_path: Path) -> None:
    db = tmp_path / "clipindex.db"
    Store(db).put_video(Video("file:abc", "/x.mp4", "x"))
    _in_a_process_that_dies(
        "from pathlib import Path\nfrom indexer.store.db import Store\nfrom indexer.store.owners import new_owner\n"
        f"assert Store(Path({str(db)!r})).claim_step('file:abc', 'audio', new_owner('ingest'), 600)")
    store = Store(db)
    held = store.step_status("file:abc")["audio"]
    assert held.status == "running" and held.lease_expires and owners.gone(held.lease_owner)
    ctx = StepContext(store, load_settings(env={}, data_dir=tmp_path, lease_s=600))
    assert _claim("file:abc", "audio", ctx)
    assert time.time() < held.lease_expires, "taken before the dead holder's lease ran out"
    assert store.step_status("file:abc")["audio"].lease_owner == ctx.owner


def test_a_step_held_by_a_live_process_is_not_taken(tmp_path: Path) -> None:
    store = Store(tmp_path / "clipindex.db")
    store.put_video(Video("file:abc", "/x.mp4", "x"))
    alive = owners.new_owner("ingest")  # this very process
    assert store.claim_step("file:abc", "audio", alive, 600)
    assert not owners.gone(alive)
    assert not store.claim_step("file:abc", "audio", owners.new_owner("ingest"), 600)


def test_a_job_whose_worker_crashed_is_taken_again_at_once(tmp_path: Path) -> None:
    db = tmp_path / "clipindex.db"
    queue = JobQueue(Store(db), lease_s=600)
    job = queue.submit("ingest", IngestJob("/some/file.mp4"))
    _in_a_process_that_dies(
        "from pathlib import Path\nfrom indexer.store.db import Store\nfrom indexer.store.jobs import JobQueue\n"
        "from indexer.store.owners import new_owner\n"
        f"assert JobQueue(Store(Path({str(db)!r})), 600).claim(new_owner('worker')) is not None")
    assert queue.get(job.id).state == "running"
    again = queue.claim(owners.new_owner("worker"))
    assert again is not None and again.id == job.id and again.attempts == 2


def test_owner_ids_in_the_old_form_are_waited_for() -> None:
    assert owners.holder("1234-abcdef12") is None and not owners.gone("1234-abcdef12")
    assert owners.holder(owners.new_owner("worker")) is not None


@pytest.mark.slow
def test_force_refuses_to_start_over_under_a_live_run(tmp_path: Path) -> None:
    svc = Clipindex(load_settings(env={}, data_dir=tmp_path / "data"))
    source = str(FIXTURES / "captions_ru.vtt")
    [first] = svc.ingest(source, IngestOptions(language="ru"))
    video_id = str(first.video_id)
    svc.store.reset_steps(video_id, ["index"])
    assert svc.store.claim_step(video_id, "index", owners.new_owner("ingest"), 600)  # a live run, this process
    with pytest.raises(InvalidInput, match="being ingested by another process"):
        list(svc.ingest(source, IngestOptions(language="ru", force=True)))
    dead = f"ingest@{socket.gethostname()}:{2 ** 22 + 7}::deadbeef"  # no such process on this host
    svc.store.expire_step_lease(video_id, "index", svc.store.step_status(video_id)["index"].lease_owner or "")
    assert svc.store.claim_step(video_id, "index", dead, 600)
    [again] = svc.ingest(source, IngestOptions(language="ru", force=True))
    assert again.status == "ingested", "a run whose process is gone does not block --force"


def test_a_video_deleted_under_its_step_is_a_cancellation_not_a_missing_file(tmp_path: Path) -> None:
    """`clipindex delete` during an ingest removes the video's audio: the transcript step, opening it a moment
    later, died with a FileNotFoundError traceback in the CLI (1 run in 5), where a delete a moment earlier is met
    as a cancellation. A missing file of a video still there stays an error."""
    store = Store(tmp_path / "clipindex.db")
    store.put_video(Video("file:abc", "/x.mp4", "x"))
    ctx = StepContext(store, load_settings(env={}, data_dir=tmp_path, lease_s=600))

    def deleted_under(video_id: str, _ctx: StepContext) -> Any:
        store.delete_video(video_id)
        return (tmp_path / "audio.wav").read_bytes()

    with pytest.raises(Cancelled, match="audio of file:abc was cancelled: the video was deleted"):
        run_step("file:abc", "audio", ctx, deleted_under)
    store.put_video(Video("file:def", "/y.mp4", "y"))
    with pytest.raises(FileNotFoundError):
        run_step("file:def", "audio", ctx, lambda _v, _c: (tmp_path / "gone.wav").read_bytes())
    assert store.step_status("file:def")["audio"].status == "failed"


def test_status_says_a_steps_process_has_ended(tmp_path: Path) -> None:
    """Right after a worker was killed, `clipindex status` showed its step running with 118 s of lease left, with
    nothing to tell that its process is gone (another takes it at once)."""
    from typer.testing import CliRunner

    from api.cli import app

    db = tmp_path / "clipindex.db"
    Store(db).put_video(Video("file:abc", "/x.mp4", "x"))
    _in_a_process_that_dies(
        "from pathlib import Path\nfrom indexer.store.db import Store\nfrom indexer.store.owners import new_owner\n"
        f"assert Store(Path({str(db)!r})).claim_step('file:abc', 'audio', new_owner('ingest'), 600)")
    result = CliRunner().invoke(app, ["status"], env={"CLIPINDEX_DATA_DIR": str(tmp_path)})
    line = next(row for row in result.stdout.splitlines() if "file:abc audio" in row)
    assert "s left, ITS PROCESS HAS ENDED" in line, result.stdout


def test_status_names_the_jobs_running_and_failed_that_no_step_shows(tmp_path: Path) -> None:
    """A render runs no ingest step, and an upload that failed before its first step left none: `status` showed
    them only as counts, a render whose server was killed as alive as a live one, and no failure's reason."""
    from typer.testing import CliRunner

    from api.cli import app
    from indexer.reels.service import RenderJob

    db = tmp_path / "clipindex.db"
    queue = JobQueue(Store(db))
    upload = queue.submit("ingest", IngestJob("/uploads/abc.mp4", upload_name="Night bulletin.mp4"))
    worker = owners.new_owner("worker")
    assert queue.claim(worker) is not None
    queue.finish(upload.id, worker, "failed", error="Night bulletin.mp4: not a media file ffmpeg can read")
    render = queue.submit("render", RenderJob("reel:evening"))
    _in_a_process_that_dies(  # a worker that took the render, then was killed
        "from pathlib import Path\nfrom indexer.store.db import Store\nfrom indexer.store.jobs import JobQueue\n"
        "from indexer.store.owners import new_owner\n"
        f"q = JobQueue(Store(Path({str(db)!r})), lease_s=600)\nj = q.claim(new_owner('worker'))\n"
        "assert j is not None and q.heartbeat(j.id, j.worker or '', 0.4, 'render')")
    result = CliRunner().invoke(app, ["status"], env={"CLIPINDEX_DATA_DIR": str(tmp_path)})
    running = next(row for row in result.stdout.splitlines() if "reel reel:evening" in row)
    assert running.startswith("  running render reel reel:evening (render 40%) on worker@"), result.stdout
    assert running.endswith("s left, ITS PROCESS HAS ENDED)"), running
    assert "  failed  ingest Night bulletin.mp4: Night bulletin.mp4: not a media file ffmpeg can read" in (
        result.stdout), result.stdout
    assert render.id in {j["id"] for j in json.loads(CliRunner().invoke(
        app, ["status", "--json"], env={"CLIPINDEX_DATA_DIR": str(tmp_path)}).stdout)["running_jobs"]}


def test_a_forced_job_taken_again_after_its_coordinator_died_redoes_no_finished_step(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run of a forced job reset the steps: a coordinator that died after the transcript was made left a retry
    that recognised the whole video again (and fetched and extracted its audio again). A new forced job still
    starts over."""
    svc = Clipindex(load_settings(env={}, data_dir=tmp_path / "data"))
    source = str(FIXTURES / "captions_ru.vtt")
    [first] = svc.ingest(source, IngestOptions(language="ru"))
    made: list[str] = []
    transcribe = STEP_FUNCTIONS["transcript"]

    def counted(video_id: str, ctx: StepContext) -> Any:
        made.append(video_id)
        return transcribe(video_id, ctx)

    monkeypatch.setitem(STEP_FUNCTIONS, "transcript", counted)
    forced = IngestJob(source, IngestOptions(language="ru", force=True), untrusted=False, token="job-1")
    assert [r.status for r in svc.run_ingest_job(forced).videos] == ["ingested"]
    assert made == [first.video_id]
    again = svc.run_ingest_job(IngestJob.from_dict(forced.to_dict()))  # the same job, as its retry reads it back
    assert [r.status for r in again.videos] == ["ingested"] and made == [first.video_id]
    svc.run_ingest_job(IngestJob(source, IngestOptions(language="ru", force=True), untrusted=False, token="job-2"))
    assert made == [first.video_id] * 2


def test_status_lists_a_cancelled_step_apart_from_failures(tmp_path: Path) -> None:
    """A job a user cancelled was listed under "failed N step(s)", where an operator's alerting looks."""
    from typer.testing import CliRunner

    from api.cli import app

    store = Store(tmp_path / "clipindex.db")
    for vid in ("file:asked", "file:broken"):
        store.put_video(Video(vid, "/x.mp4", "x"))
    ctx = StepContext(store, load_settings(env={}, data_dir=tmp_path, lease_s=600))

    def stopped(video_id: str, _ctx: StepContext) -> Any:
        raise Cancelled(f"transcript of {video_id} was cancelled")

    def broken(_video_id: str, _ctx: StepContext) -> Any:
        raise OSError("the disk is full")

    for vid, fn, kind in (("file:asked", stopped, Cancelled), ("file:broken", broken, OSError)):
        with pytest.raises(kind):
            run_step(vid, "transcript", ctx, fn)
    out = CliRunner().invoke(app, ["status"], env={"CLIPINDEX_DATA_DIR": str(tmp_path)}).stdout
    failed, cancelled = out.split("failed ", 1)[1].split("cancelled ", 1)
    assert "file:broken" in failed and "file:asked" not in failed, out
    assert cancelled.startswith("1 step(s)") and "file:asked transcript" in cancelled, out
    assert store.claim_step("file:asked", "transcript", "ingest@again", 600)  # resumed: not cancelled at once
    assert store.heartbeat("file:asked", "transcript", "ingest@again", 600, 0.1)


def test_the_same_file_uploaded_twice_at_once_leaves_one_copy(tmp_path: Path) -> None:
    """Two uploads of one file, ingested at the same moment: both runs found the video unfinished and reported
    "ingested", so neither dropped its copy, and the one no video plays from stayed in uploads/ for good."""
    from indexer.ingest import uploads

    svc = Clipindex(load_settings(env={}, data_dir=tmp_path / "data"))
    copies = [uploads.new_path(svc.settings.data_dir, "hearing.vtt") for _ in range(2)]
    for copy in copies:
        copy.write_bytes((FIXTURES / "captions_ru.vtt").read_bytes())
    jobs = [IngestJob(str(c), IngestOptions(language="ru"), upload_name="hearing.vtt", token=f"j{i}")
            for i, c in enumerate(copies)]
    [first] = svc.run_ingest_job(jobs[0]).videos
    svc.store.reset_steps(str(first.video_id), ["index", "article"])  # the second run starts before these end
    [second] = svc.run_ingest_job(jobs[1]).videos
    assert (first.status, second.status) == ("ingested", "ingested") and first.video_id == second.video_id
    assert [c.exists() for c in copies] == [True, False]  # the copy the video was made from stays


def test_a_failed_forced_run_leaves_search_with_the_title_the_store_has(tmp_path: Path) -> None:
    """A forced re-ingest with a new title that failed at its transcript step: `videos` showed the new title and
    search hits the old one."""
    from tests.conftest import ffmpeg

    svc = Clipindex(load_settings(env={}, data_dir=tmp_path / "data"))
    report = tmp_path / "report.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=4", "-f", "lavfi", "-i", "sine=d=4", "-c:v", "libx264",
           "-preset", "ultrafast", "-c:a", "aac", str(report))
    report.with_suffix(".srt").write_text("1\n00:00:00,500 --> 00:00:03,000\nThe bridge stays closed.\n")
    [first] = svc.ingest(str(report), IngestOptions(title="Old title"))
    report.with_suffix(".srt").write_text("not captions at all")  # the next run's transcript step fails on it
    with pytest.raises(IngestError):
        list(svc.ingest(str(report), IngestOptions(title="New title", force=True)))
    assert svc.video(str(first.video_id)).title == "New title"
    assert [h.title for h in svc.search("bridge stays closed").hits] == ["New title"]


def test_a_step_that_reports_no_progress_keeps_its_lease_while_it_runs(tmp_path: Path) -> None:
    """The chapters step reports nothing while it embeds; on a loaded machine it outlasted its lease, the coordinator
    sent it again, and a CI run recorded ten runs of it. Its lease is now renewed while it works."""
    import threading

    store = Store(tmp_path / "clipindex.db")
    store.put_video(Video("file:quiet", "/x.mp4", "x"))
    ctx = StepContext(store, load_settings(env={}, data_dir=tmp_path, lease_s=1.0))
    started = threading.Event()

    def quiet(_video_id: str, _ctx: StepContext) -> Any:
        started.set()
        time.sleep(3.0)  # three leases without a word of progress
        return None

    worker = threading.Thread(target=run_step, args=("file:quiet", "chapters", ctx, quiet))
    worker.start()
    assert started.wait(10)
    taken = []
    while worker.is_alive():
        taken.append(store.claim_step("file:quiet", "chapters", "ingest@elsewhere", 60))
        time.sleep(0.1)
    worker.join()
    assert len(taken) > 10 and not any(taken), "another process took the step from the run still working on it"
    run = store.step_status("file:quiet")["chapters"]
    assert (run.status, run.attempt, run.lease_owner) == ("done", 1, None)
