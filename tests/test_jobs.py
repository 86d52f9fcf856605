"""Jobs survive their worker: SIGKILL a worker process mid-job, start another, the job completes once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from dramatiq.middleware import Shutdown

from api.worker import Worker
from indexer.config import Settings, load_settings
from indexer.errors import InvalidInput, NotFound
from indexer.ingest.types import IngestJob
from indexer.service import Clipindex, IngestOptions
from indexer.store.jobs import JobQueue
from indexer.store.schema import jobs
from tests.apiserver import running
from tests.conftest import long_speech
from tests.test_ingest import cli
from tests.waiting import wait_until


def _worker(settings: Settings) -> subprocess.Popen:
    # windows of 10 s: the position moves past a fifth after the first one, seconds before the step ends (in one
    # window the batch's segments come together, and on a fast machine the step ends moments after the first report)
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(settings.data_dir), "CLIPINDEX_MODEL": "tiny.en",
           "CLIPINDEX_LEASE_S": "2", "CLIPINDEX_WINDOW_S": "10"}
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_killed_worker_job_is_redelivered_and_completes_once(settings: Settings, media_dir: Path,
                                                             tmp_path: Path) -> None:
    long_audio = tmp_path / "long.wav"
    long_speech(media_dir, long_audio)
    service = Clipindex(settings)
    job = service.submit_ingest(str(long_audio), IngestOptions(captions="never"))

    first = _worker(settings)
    try:
        # killed once the transcript step has begun: waiting for a fifth of its progress as well, CI once saw the
        # job done before the kill landed (the report of the first window came moments before the step's end);
        # tests/test_dist.py kills a worker part-way through its windows
        def transcribing() -> bool:
            ids = service.store.video_ids()
            step = service.store.step_status(ids[0]).get("transcript") if ids else None
            return service.jobs.get(job.id).state == "running" and step is not None and step.status == "running"

        wait_until(transcribing, 120, "the first worker to start transcribing")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert service.jobs.get(job.id).state == "running", "the dead worker's job still looks running"
    [video] = service.videos()
    killed_at = service.store.step_status(video.id)["transcript"]
    assert killed_at.status == "running", f"the kill came after the transcript step ended: {killed_at}"

    second = _worker(settings)
    try:
        done = wait_until(lambda: (j := service.jobs.get(job.id)).state in ("done", "failed") and j, 180,
                          "the second worker to finish the redelivered job")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    assert done.state == "done", done.error
    assert done.attempts == 2
    steps = service.store.step_status(video.id)
    assert steps["audio"].attempt == 1, "the audio step finished before the kill and is not redone"
    assert steps["transcript"].attempt == 2 and steps["transcript"].status == "done"
    words = service.transcript(video.id).words
    assert all(a.start <= b.start for a, b in zip(words, words[1:])), "no duplicated or shuffled words"
    assert words[-1].end > 30  # three passages, about 35 s of speech


def test_a_job_whose_worker_keeps_dying_fails_after_its_attempts(settings: Settings) -> None:
    service = Clipindex(settings)
    queue = JobQueue(service.store, lease_s=0.1)
    job = queue.submit("ingest", IngestJob("/x.wav"), max_attempts=2)
    for owner in ("a", "b"):
        assert queue.claim(owner) is not None
        time.sleep(0.15)
    assert queue.claim("c") is None
    failed = queue.get(job.id)
    assert failed.state == "failed" and "stopped before finishing" in str(failed.error)


def _finished(queue: JobQueue, state: str, days_ago: float) -> str:
    """A job in `state` whose last change was `days_ago` days ago (set in the store: claims take the oldest job)."""
    job = queue.submit("ingest", IngestJob("/x.wav"))
    with queue.store.tx() as conn:
        conn.execute(jobs.update().where(jobs.c.id == job.id).values(
            state=state, updated_at=time.time() - days_ago * 86_400,
            lease_owner="w" if state == "running" else None, lease_expires=time.time() + 600))
    return job.id


def test_finished_jobs_older_than_the_retention_are_pruned(settings: Settings) -> None:
    """Finished jobs were never removed: each keeps its request, result and error, one more row per upload and
    render for as long as the archive lives."""
    queue = Clipindex(replace(settings, job_retention_days=30)).jobs
    old = [_finished(queue, state, 31) for state in ("done", "failed", "cancelled")]
    young = _finished(queue, "done", 29)
    waiting, running = _finished(queue, "queued", 40), _finished(queue, "running", 40)
    assert queue.prune() == 3
    assert {job.id for job in queue.list(limit=10)} == {young, waiting, running}
    for job_id in old:
        with pytest.raises(NotFound):
            queue.get(job_id)
    _finished(queue, "done", 31)
    assert queue.prune() == 0, "asked again within the hour: the store is not read"
    assert queue.prune(force=True) == 1


def test_a_retention_of_0_keeps_every_job_and_a_negative_one_is_refused(settings: Settings) -> None:
    queue = Clipindex(replace(settings, job_retention_days=0)).jobs
    kept = _finished(queue, "done", 3650)
    assert queue.prune(force=True) == 0 and queue.get(kept).state == "done"
    for bad in ("-1", "nan"):
        with pytest.raises(InvalidInput, match="CLIPINDEX_JOB_RETENTION_DAYS"):
            load_settings({"CLIPINDEX_JOB_RETENTION_DAYS": bad})


def test_an_idle_worker_and_compact_prune_old_jobs(settings: Settings) -> None:
    service = Clipindex(settings)
    gone = _finished(service.jobs, "done", 31)
    stop = threading.Event()
    worker = threading.Thread(target=Worker(service, poll_s=0.05).run, args=(stop,))
    worker.start()
    try:
        wait_until(lambda: not service.jobs.list(), timeout=10, what=f"job {gone} pruned by the idle worker")
    finally:
        stop.set()
        worker.join()
    _finished(service.jobs, "failed", 45)
    _finished(service.jobs, "done", 1)
    code, out, err = cli(settings, "compact", "--quiet")
    assert code == 0 and "removed 1 finished job older than 30 days" in out, (out, err)
    assert [job.state for job in service.jobs.list()] == ["done"]


def test_a_job_is_stalled_once_its_worker_missed_two_reports(settings: Settings) -> None:
    queue = JobQueue(Clipindex(settings).store, lease_s=120.0)
    job = queue.submit("ingest", IngestJob("/x.wav"))
    assert queue.stalled(job) is None, "queued: no worker to miss a report"
    running = queue.claim("w")
    assert running is not None and running.lease_expires is not None
    taken = running.lease_expires
    assert queue.stalled(running, now=taken - 120 + 59) is None, "within two reports (one every 30 s)"
    stall = queue.stalled(running, now=taken - 120 + 61)
    assert stall is not None and stall.silent_s == pytest.approx(61) and stall.takeover_s == pytest.approx(59)
    late = queue.stalled(running, now=taken + 5)
    assert late is not None and late.takeover_s == 0.0
    queue.finish(job.id, "w", "done")
    assert queue.get(job.id).lease_expires is None and queue.stalled(queue.get(job.id)) is None


@pytest.mark.slow  # 501 jobs and a server: 1 s
def test_the_oldest_waiting_job_is_seen_behind_a_long_queue(settings: Settings) -> None:
    """`/readyz` and the broker's reconciler read the newest 500 queued jobs: behind a backlog of 500 newer ones,
    the probe named a job minutes old as the oldest and the reconciler never sent the oldest again."""
    svc = Clipindex(settings)
    queue = svc.jobs
    oldest = _finished(queue, "queued", 1 / 24)  # waiting, untouched, for an hour
    with queue.store.tx() as conn:
        conn.execute(jobs.update().where(jobs.c.id == oldest).values(created_at=time.time() - 3600))
    for _ in range(500):
        queue.submit("ingest", IngestJob("/x.wav"))
    with running(svc, workers=0) as url, httpx.Client(base_url=url) as client:
        ready = client.get("/readyz").json()
    assert 3590 < ready["oldest_queued_s"] < 3700, ready
    assert [job.id for job in queue.waiting_untouched(60)] == [oldest]
    assert len(queue.waiting_untouched(0, limit=500)) == 500 and queue.waiting_untouched(0)[0].id == oldest


@pytest.mark.parametrize("name, value", [("BEAM_SIZE", "-3"), ("BATCH_SIZE", "-1"), ("WINDOW_S", "0"),
                                         ("LEASE_S", "-5"), ("MAX_UPLOAD_MB", "nan"), ("MAX_UPLOAD_MB", "-1")])
def test_a_number_a_setting_cannot_take_is_refused_at_start(name: str, value: str, tmp_path: Path) -> None:
    """Such values were taken at start and failed far from their cause: a beam of -3 left a video "transcript
    failed" with a recogniser's traceback, a window of 0 s blamed a sound file, a lease of -5 s had a second process
    take a live step over, an upload limit of nan crashed `serve` and one of -1 refused every upload."""
    with pytest.raises(InvalidInput, match=rf"^CLIPINDEX_{name} must be from .* to .*, not {value}"):
        load_settings(env={f"CLIPINDEX_{name}": value}, data_dir=tmp_path)


@pytest.mark.slow
def test_serve_with_an_upload_limit_of_nan_says_so_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "CLIPINDEX_MAX_UPLOAD_MB": "nan", "CLIPINDEX_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--port", "1"], env=env, capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode != 0 and done.stderr.strip().count("\n") == 0, done.stderr  # it was a traceback
    assert "CLIPINDEX_MAX_UPLOAD_MB must be from 1 to" in done.stderr and not (tmp_path / "data").exists()


def test_a_worker_stopped_mid_job_hands_it_back_and_spends_no_attempt(settings: Settings,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A graceful stop of the `jobs` worker (systemd's SIGTERM on a restart) left its job running with the attempt
    its claim counted, until the lease ran out: three routine restarts during one long recognition failed a healthy
    job and swept its upload. The job is queued again at once now, its attempt given back."""
    service = Clipindex(settings)
    job = service.jobs.submit("ingest", IngestJob("/x.wav"), max_attempts=3)
    worker = Worker(service, owner="w1")

    def stopped(*_: object) -> None:
        raise Shutdown("the worker is stopping")  # what Dramatiq raises in a job's thread on SIGTERM

    monkeypatch.setattr(worker, "_work", stopped)
    for _restart in range(4):
        with pytest.raises(Shutdown):
            worker.run_once()
        back = service.jobs.get(job.id)
        assert back.state == "queued" and back.attempts == 0 and back.error is None, back
    assert service.jobs.claim("w2") is not None, "taken again at once, by any worker"
