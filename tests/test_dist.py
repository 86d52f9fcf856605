"""Several machines' worth of clipindex on this one: PostgreSQL as the store, Dramatiq over Redis as the transport,
`clipindex worker --queues ...` processes as the workers, all real and started here. A worker killed with SIGKILL in
the middle of recognition loses nothing: its step is redelivered and completes once."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dramatiq", reason="the multi-machine extra: pip install -e '.[scale]' (or run .ci/setup)")

from api.queues import _Process, _run_step  # noqa: E402 - after the skip above
from indexer.config import Settings, load_settings
from indexer.models import Video
from indexer.service import Clipindex, IngestOptions
from tests.conftest import FIXTURES, ffmpeg
from tests.servers import Server, new_database, postgres, redis_server, stop_processes  # noqa: F401 - fixtures
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # PostgreSQL and Redis are started, and worker processes (seconds)
_redis_db = itertools.count(1)


@pytest.fixture
def dist_settings(tmp_path: Path, postgres: Server, redis_server: Server) -> Settings:  # noqa: F811 - fixtures
    """A fresh PostgreSQL database and a Redis database of its own (Redis has 16) for each test."""
    broker = redis_server.url.rsplit("/", 1)[0] + f"/{next(_redis_db) % 16}"
    return load_settings(env={}, data_dir=tmp_path / "data", model="tiny.en", allow_file_urls=True,
                         database_url=new_database(postgres), broker_url=broker, lease_s=3.0)


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CLIPINDEX_DATA_DIR": str(settings.data_dir),
            "CLIPINDEX_MODEL": "tiny.en", "CLIPINDEX_LEASE_S": str(settings.lease_s),
            "CLIPINDEX_DATABASE_URL": settings.database_url, "CLIPINDEX_BROKER_URL": settings.broker_url}


def _worker(settings: Settings, queues: str = "asr,cpu,index,jobs") -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--queues", queues, "--workers", "2"],
                            env=_env(settings), stderr=subprocess.DEVNULL)


def test_a_duplicate_delivery_of_a_done_step_does_nothing(dist_settings: Settings) -> None:
    proc = _Process(dist_settings, Clipindex(dist_settings))
    store = proc.service.store
    store.put_video(Video("file:abc", "/x.mp4", "x"))
    assert store.claim_step("file:abc", "audio", "w1", 60)
    _run_step(proc, "file:abc", "audio")  # held by a live worker: left alone
    assert store.step_status("file:abc")["audio"].lease_owner == "w1"
    store.finish_step("file:abc", "audio", "w1")
    _run_step(proc, "file:abc", "audio")  # done: nothing runs again
    assert store.step_status("file:abc")["audio"].attempt == 1


def test_an_ingest_job_runs_through_the_queues(dist_settings: Settings) -> None:
    service = Clipindex(dist_settings)
    worker = _worker(dist_settings)
    try:
        job = service.submit_ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
        done = wait_until(lambda: (j := service.jobs.get(job.id)).state in ("done", "failed") and j, 90,
                          "the job to finish on the worker")
        # the index queue's worker commits its batch of passages within a second or so of the step
        wait_until(lambda: service.search("Каменке").hits, 30, "the passages to be searchable")
        status = subprocess.run([sys.executable, "-m", "api.cli", "status"], env=_env(dist_settings),
                                capture_output=True, text=True, timeout=60)
    finally:
        stop_processes(worker)
    assert done.state == "done", done.error
    [video] = service.videos()
    assert video.state == "ready"
    assert {s.status for s in service.store.step_status(video.id).values()} == {"done"}
    assert status.returncode == 0 and "queues   asr 0  cpu 0  index 0  jobs 0" in status.stdout, status.stdout


def test_a_worker_killed_mid_recognition_is_redelivered_and_completes_once(dist_settings: Settings, media_dir: Path,
                                                                           tmp_path: Path) -> None:
    long_audio = tmp_path / "long.wav"
    ffmpeg("-stream_loop", "4", "-i", str(media_dir / "speech.wav"), "-c:a", "pcm_s16le", str(long_audio))
    service = Clipindex(dist_settings)
    first = _worker(dist_settings)
    try:
        job = service.submit_ingest(str(long_audio), IngestOptions(captions="never"))
        video_id = wait_until(lambda: service.store.video_ids(), 60, "the job to register its video")[0]
        wait_until(lambda: (r := service.store.step_status(video_id).get("transcript")) is not None
                   and r.status == "running" and r.progress >= 0.2, 120, "the worker to be part-way through")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        stop_processes(first)
    second = _worker(dist_settings)
    try:
        try:
            done = wait_until(lambda: (j := service.jobs.get(job.id)).state in ("done", "failed") and j, 300,
                              "the second worker to finish the redelivered job")
        except AssertionError as exc:  # say where it stood
            raise AssertionError(f"{exc}; {service.jobs.get(job.id)}; {service.store.step_status(video_id)}") from None
        wait_until(lambda: service.search("sandbags outside the library").hits, 30, "the passages to be searchable")
    finally:
        stop_processes(second)
    assert done.state == "done", done.error
    steps = service.store.step_status(video_id)
    assert steps["audio"].attempt == 1, "the audio step finished before the kill and is not redone"
    assert steps["transcript"].attempt == 2 and steps["transcript"].status == "done"
    assert steps["index"].attempt == 1, "indexed once"
    words = service.transcript(video_id).words
    assert all(a.start <= b.start for a, b in zip(words, words[1:])), "no duplicated or shuffled words"
    assert words[-1].end > 50
    hits = service.search("sandbags outside the library", limit=50).hits
    assert len({(h.start, h.end) for h in hits}) == len(hits), "no passage indexed twice"
