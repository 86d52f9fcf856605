"""Several machines' worth of clipindex on this one: PostgreSQL as the store, Dramatiq over Redis as the transport,
`clipindex worker --queues ...` processes as the workers, all real and started here. A worker killed with SIGKILL in
the middle of recognition loses nothing: its step is redelivered and completes once."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("dramatiq", reason="the multi-machine extra: pip install -e '.[scale]' (or run .ci/setup)")

from api.queues import _consumer, _Process, _run_step  # noqa: E402 - after the skip above
from indexer.config import Settings, load_settings
from indexer.distributed import transport
from indexer.distributed.chain import RESEND_S
from indexer.errors import IngestError, InvalidInput
from indexer.ingest.types import STEPS, IngestResult
from indexer.models import Video
from indexer.search.passages import build_passages
from indexer.service import Clipindex, IngestOptions
from indexer.store import owners
from tests.conftest import FIXTURES, ffmpeg, long_speech, settings_for
from tests.servers import (  # noqa: F401 - fixtures
    Server,
    free_port,
    new_database,
    postgres,
    redis_server,
    stop_processes,
)
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # PostgreSQL and Redis are started, and worker processes (seconds)
_redis_db = itertools.count(1)


@pytest.fixture
def dist_settings(tmp_path: Path, postgres: Server, redis_server: Server) -> Settings:  # noqa: F811 - fixtures
    """A fresh PostgreSQL database and a Redis database of its own (Redis has 16) for each test."""
    broker = redis_server.url.rsplit("/", 1)[0] + f"/{next(_redis_db) % 16}"
    # short enough that a killed worker's step comes back within seconds, long enough that a live one on a slow,
    # loaded machine is not taken for dead (with 3 s and 4 s, a CI run once saw a done step claimed again)
    return settings_for(tmp_path, database_url=new_database(postgres), broker_url=broker, lease_s=5.0,
                        dead_worker_s=8.0)


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CLIPINDEX_DATA_DIR": str(settings.data_dir),
            "CLIPINDEX_MODEL": "tiny.en", "CLIPINDEX_LEASE_S": str(settings.lease_s),
            "CLIPINDEX_WINDOW_S": str(settings.window_s), "CLIPINDEX_DEAD_WORKER_S": str(settings.dead_worker_s),
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



def test_a_sent_message_is_found_held_by_the_broker(dist_settings: Settings) -> None:
    """`send` returned Dramatiq's id of the message while Redis keeps the body under one of its own: `held` never
    found a message, and a coordinator sent its waiting step again every CLIPINDEX_DEAD_WORKER_S (a `cpu` queue
    nobody took from grew by one message a coordinator every 10 s, and `status` counted them all)."""
    from indexer.distributed import transport

    sent = transport.send(dist_settings, transport.STEP_ACTOR, "cpu", "file:nobody", "fetch")
    assert transport.held(dist_settings, "cpu", sent)
    assert transport.queue_depths(dist_settings)["cpu"] == 1
    assert not transport.held(dist_settings, "cpu", "not-a-message-id")

def test_a_deleted_videos_step_is_dropped_and_its_chain_fails_at_once(dist_settings: Settings) -> None:
    """A video deleted mid-ingest: its job stayed "running" for good, and its step, sent again every 300 s, failed
    on the store's foreign key and went back to Dramatiq's retries each time."""
    proc = _Process(dist_settings, Clipindex(dist_settings))
    proc.service.store.put_video(Video("file:gone", "/x.mp4", "x"))
    proc.service.store.delete_video("file:gone")
    _run_step(proc, "file:gone", "audio")  # no error for Dramatiq to retry, and no step row made
    assert proc.service.store.step_status("file:gone") == {}
    service = Clipindex(dist_settings)
    worker = _worker(dist_settings, "cpu,jobs")  # no index worker: the chain waits at its index step
    try:
        job = service.submit_ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
        wait_until(lambda: service.jobs.get(job.id).step == "index", 60, "the chain to wait at its index step")
        [video] = service.videos()
        service.delete_video(video.id)
        failed = wait_until(lambda: (j := service.jobs.get(job.id)).state in ("done", "failed") and j, 30,
                            "the job to end after its video was deleted")
    finally:
        stop_processes(worker)
    assert failed.state == "failed" and "deleted" in (failed.error or ""), failed


RESENT_WITHIN_S = 60.0  # a bound, not a speed limit: it only tells the dead-worker resend from RESEND_S's


def test_a_step_message_lost_with_redis_is_sent_again_within_the_dead_worker_time(dist_settings: Settings) -> None:
    """Redis restarted without its data while a step waited on its queue: the coordinator sent it again only after
    300 s, and nothing said the ingest was stuck."""
    service = Clipindex(dist_settings)
    coordinator = _worker(dist_settings, "cpu,jobs")  # no index worker yet: the chain waits at its index step
    indexer = None
    try:
        job = service.submit_ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
        wait_until(lambda: service.jobs.get(job.id).step == "index", 60, "the chain to wait at its index step")
        assert service.jobs.get(job.id).detail == "waiting on the index queue"  # the job says why, to the page too
        client = transport.broker(dist_settings).client
        wait_until(lambda: client.llen(f"{transport.NAMESPACE}:index") == 1, 10, "the index step's message")
        client.flushdb()  # what a restart without persistence leaves: no queues, no messages
        indexer = _worker(dist_settings, "index")
        # the wait's bound is what tells the two apart: far past the dead-worker time (4 s here) plus a worker's
        # start, far short of RESEND_S, the coordinator's resend for a message it cannot see in Redis
        assert RESEND_S >= 5 * RESENT_WITHIN_S
        done = wait_until(lambda: (j := service.jobs.get(job.id)).state in ("done", "failed") and j, RESENT_WITHIN_S,
                          "the job to finish once its step is sent again")
    finally:
        stop_processes(coordinator, *([indexer] if indexer else []))
    assert done.state == "done", done.error
    [video] = service.videos()
    assert service.store.step_status(video.id)["index"].status == "done"


def test_a_second_recognition_waits_in_redis_not_in_a_busy_worker(dist_settings: Settings) -> None:
    broker = transport.broker(dist_settings)
    assert _consumer(broker, "asr", 1).queue_prefetch == 1, "hours of audio are not held by a worker already busy"
    assert _consumer(broker, "cpu", 2).queue_prefetch == 4, "short steps keep Dramatiq's prefetch"
    assert broker.heartbeat_timeout == dist_settings.dead_worker_s * 1000, \
        "a worker silent for CLIPINDEX_DEAD_WORKER_S is taken for dead"


def test_a_dead_worker_timeout_is_read_from_the_environment_and_checked(tmp_path: Path) -> None:
    assert load_settings(env={"CLIPINDEX_DEAD_WORKER_S": "2.5"}).dead_worker_s == 2.5
    for bad in ("1", "0", "-3", "nan", "inf", "1e9"):
        with pytest.raises(InvalidInput, match="CLIPINDEX_DEAD_WORKER_S must be at least 2 seconds and at most a day"):
            load_settings(env={"CLIPINDEX_DEAD_WORKER_S": bad})
    with pytest.raises(InvalidInput, match="CLIPINDEX_DEAD_WORKER_S='soon' is not a valid float"):
        load_settings(env={"CLIPINDEX_DEAD_WORKER_S": "soon"})


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
    long_speech(media_dir, long_audio)
    # windows of 10 s: the position moves past a fifth after the first one, seconds before the end (in one window
    # the batch's segments come together and the step ends moments after)
    dist_settings = dataclasses.replace(dist_settings, window_s=10.0)
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
    assert words[-1].end > 30  # three passages, about 35 s of speech
    hits = service.search("sandbags outside the library", limit=50).hits
    assert len({(h.start, h.end) for h in hits}) == len(hits), "no passage indexed twice"


BULLETIN_CUES = 2200  # 3 hours of captions: 500 passages, past the index's batch, so the step commits itself


def _long_bulletin(path: Path, cues: int) -> Path:
    """Hours of Uzbek captions: the fixture's cues again and again, numbered, 5 s apart. Uzbek because the chapter
    model leaves it to lexical segmentation (a second, where embedding 3,000 sentences would take minutes), so the
    chain reaches the index step quickly, and that step, with more passages than one batch holds, runs for seconds."""
    blocks = [b.split("\n", 2)[2] for b in (FIXTURES / "captions_uz.srt").read_text(encoding="utf-8").split("\n\n")
              if b.strip()]

    def stamp(s: float) -> str:
        return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{s % 60:06.3f}".replace(".", ",")

    path.write_text("\n\n".join(f"{i + 1}\n{stamp(i * 5)} --> {stamp(i * 5 + 4.6)}\n{i // len(blocks) + 1}-xabar. "
                                f"{blocks[i % len(blocks)].strip()}" for i in range(cues)) + "\n", encoding="utf-8")
    return path


def _indexed_pids(service: Clipindex, video_id: str) -> list[str]:
    searcher = service.index.backend.searcher()
    return [searcher.stored_fields(n)["pid"] for n in searcher.document_numbers(video_id=video_id)]


def test_the_index_consumer_killed_mid_step_is_redelivered_and_indexes_each_passage_once(
        dist_settings: Settings, tmp_path: Path) -> None:
    service = Clipindex(dist_settings)
    rest = _worker(dist_settings, "asr,cpu,jobs")  # the coordinator lives here, and is not killed
    first = _worker(dist_settings, "index")
    second = None
    try:
        job = service.submit_ingest(str(_long_bulletin(tmp_path / "bulletins.srt", BULLETIN_CUES)),
                                    IngestOptions(language="uz"))
        video_id = wait_until(lambda: service.store.video_ids(), 60, "the job to register its video")[0]

        def indexing() -> bool:
            run = service.store.step_status(video_id).get("index")
            holder = owners.holder(run.lease_owner) if run is not None and run.status == "running" else None
            return holder is not None and holder.pid == first.pid

        wait_until(indexing, 120, "the index consumer to be indexing", interval=0.02)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        assert service.store.step_status(video_id)["index"].status == "running", "killed in the step, not after it"
        second = _worker(dist_settings, "index")
        done = wait_until(lambda: (j := service.jobs.get(job.id)).state in ("done", "failed") and j, 120,
                          "the redelivered index step and the rest of the chain")
        expected = {f"{video_id}#{n}" for n in range(len(build_passages(service.transcript(video_id))))}
        wait_until(lambda: len(_indexed_pids(service, video_id)) >= len(expected), 30, "the index's commit")
    finally:
        stop_processes(*(p for p in (rest, first, second) if p is not None))
    assert done.state == "done" and done.attempts == 1, (done.state, done.attempts, done.error)
    assert service.store.video_ids() == [video_id] and len(service.jobs.list()) == 1
    steps = service.store.step_status(video_id)
    assert {s: (r.status, r.attempt) for s, r in steps.items()} == {
        **{s: ("done", 1) for s in steps}, "index": ("done", 2)}, "only the killed step ran again"
    assert len(service.store.get_transcript(video_id).segments) == BULLETIN_CUES, "each segment stored once"
    pids = _indexed_pids(service, video_id)
    assert len(expected) > 400 and len(pids) == len(set(pids)), "no passage indexed twice"
    assert set(pids) == expected, "every passage in the index"


def _serve(settings: Settings) -> tuple[subprocess.Popen[bytes], int]:
    """`clipindex serve` in a process of its own (jobs go to the broker), once it answers HTTP."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "0"],
                              env=_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def answers() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/v1/jobs", timeout=5).status_code > 0
        except httpx.TransportError:
            assert server.poll() is None, "the server exited while starting"
            return False

    wait_until(answers, 60, "the server to answer", interval=0.2)
    return server, port


def _begin_upload(port: int, secret: str, name: str, size: int) -> tuple[socket.socket, bytes]:
    """A multipart upload of `size` bytes, its headers sent: the body is up to the caller, then the returned tail."""
    boundary = "clipindex-upload-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall((f"POST /v1/videos HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {secret}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                  f"Content-Length: {len(head) + size + len(tail)}\r\n\r\n").encode() + head)
    return sock, tail


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    with contextlib.suppress(OSError):  # the server is killed while this sends
        sock.sendall(data)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_the_api_killed_mid_upload_leaves_no_file_and_no_job(dist_settings: Settings, media_dir: Path,
                                                                tmp_path: Path) -> None:
    video = tmp_path / "bulletin.mkv"  # 9 s of speech under uncompressed pictures: 100 MB, seconds to write
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25", "-i", str(media_dir / "speech.wav"), "-t", "9",
           "-c:v", "rawvideo", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", str(video))
    data = video.read_bytes()
    service = Clipindex(dist_settings)
    _key, secret = service.keys.create("tests")
    uploads = dist_settings.data_dir / "uploads"
    worker = _worker(dist_settings)  # live throughout: it must find no job for a half upload
    server, port = _serve(dist_settings)
    try:
        # killed while the body is still arriving
        sock, _tail = _begin_upload(port, secret, video.name, len(data))
        sock.sendall(data[: len(data) // 4])
        time.sleep(1)
        assert server.poll() is None, "the server is still reading the body"
        _kill(server)
        sock.close()
        assert _files(uploads) == [] and service.jobs.list() == []

        # killed while the whole body is being written into uploads/
        server, port = _serve(dist_settings)
        sock, tail = _begin_upload(port, secret, video.name, len(data))
        threading.Thread(target=_send_quietly, args=(sock, data + tail), daemon=True).start()
        partial = wait_until(lambda: [n for n in _files(uploads) if n.endswith(".part")], 120,
                             "the server to write the upload into uploads/", interval=0.001)
        _kill(server)
        sock.close()
        assert _files(uploads) == partial and service.jobs.list() == [], "killed before the file was whole"

        # started again: the dead server's partial file goes; the same upload again completes once
        server, port = _serve(dist_settings)
        assert _files(uploads) == [], "a partial upload of a dead server is removed at start"
        with video.open("rb") as f:
            r = httpx.post(f"http://127.0.0.1:{port}/v1/videos", headers={"Authorization": f"Bearer {secret}"},
                           files={"file": (video.name, f, "video/x-matroska")}, timeout=120)
        assert r.status_code == 202, r.text
        done = wait_until(lambda: (j := service.jobs.get(r.json()["id"])).state in ("done", "failed") and j, 120,
                          "the uploaded video to be ingested")
    finally:
        stop_processes(server, worker)
    assert done.state == "done", done.error
    assert len(service.jobs.list()) == 1 and len(service.videos()) == 1, "one job, one video"
    assert not [n for n in _files(uploads) if n.endswith(".part")]


def test_a_store_or_broker_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    """Their drivers' errors came out as Rich tracebacks of 300-530 lines."""
    from typer.testing import CliRunner

    from api.cli import app

    captions = tmp_path / "a.srt"
    captions.write_text("1\n00:00:01,000 --> 00:00:03,000\nThe bridge stays closed.\n")
    cases = [
        (["videos"], {"CLIPINDEX_DATABASE_URL": "postgresql+psycopg://clipindex@127.0.0.1:1/archive"},
         "the store cannot be used"),
        (["ingest", str(captions)], {"CLIPINDEX_BROKER_URL": "redis://127.0.0.1:1/0"}, "the broker cannot be reached"),
    ]
    for args, env, message in cases:
        result = CliRunner().invoke(app, args, env={"CLIPINDEX_DATA_DIR": str(tmp_path / "data"), **env})
        assert result.exit_code == 1 and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    # `status` with the broker away still prints what the store says, then the error
    result = CliRunner().invoke(app, ["status"], env={"CLIPINDEX_DATA_DIR": str(tmp_path / "data"),
                                                      "CLIPINDEX_BROKER_URL": "redis://127.0.0.1:1/0"})
    assert result.exit_code == 1 and "cannot read the queues" in result.stderr, result.stderr
    assert "jobs " in result.stdout and "running  0 step(s)" in result.stdout, result.stdout


@pytest.mark.parametrize("url, said", [
    ("postgresql+psycopg2://clipindex:Hunter2secret@127.0.0.1:5432/archive", "is +psycopg"),
    ("postgresql+psycopg://clipindex:Hunter2secret@127.0.0.1:5543x/archive", "its port a number"),
    ("postgresql+psycopg:/clipindex:Hunter2secret@127.0.0.1:5432/archive", "is not a URL"),
    ("clipindex:Hunter2secret@127.0.0.1:5432/archive", "is not a URL"),
    ("mysql://clipindex:Hunter2secret@db/archive", "not mysql://..."),
])
def test_a_mistyped_database_url_is_one_line_without_its_password(url: str, said: str, tmp_path: Path) -> None:
    """A typo gave an 80-line traceback (ModuleNotFoundError for +psycopg2, ValueError for the port, ArgumentError),
    and a URL without "://" was printed back whole, password included."""
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, ["videos"], env={"CLIPINDEX_DATA_DIR": str(tmp_path / "data"),
                                                      "CLIPINDEX_DATABASE_URL": url})
    assert result.exit_code != 0 and said in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Hunter2secret" not in result.output, result.output


def test_a_transcribing_worker_without_its_model_refuses_to_start(tmp_path: Path) -> None:
    """It started cleanly and failed every job it took, at once and for good: always the free worker, it took
    nearly all of them, each upload deleted with its job, and its own log said nothing."""
    from typer.testing import CliRunner

    from api.cli import app

    env = {"CLIPINDEX_DATA_DIR": str(tmp_path / "data"), "CLIPINDEX_BROKER_URL": "redis://127.0.0.1:1/0",
           "CLIPINDEX_MODEL": "small"}
    result = CliRunner().invoke(app, ["worker", "--queues", "asr"], env=env)
    assert result.exit_code == 1 and "model 'small' is not available offline" in result.stderr, result.output
    assert "consuming" not in result.output


def test_a_local_file_a_worker_cannot_see_is_said_so(tmp_path: Path) -> None:
    """`clipindex ingest story.opus` on a machine whose workers do not mount its folder: "story.opus: no such
    file", though the file was right there where the command ran."""
    from indexer.ingest.context import StepContext
    from indexer.ingest.steps import STEP_FUNCTIONS
    from indexer.ingest.types import StepOptions
    from indexer.models import Video

    settings = settings_for(tmp_path, broker_url="redis://127.0.0.1:1/0")
    svc = Clipindex(settings)
    elsewhere = tmp_path / "laptop" / "story.opus"  # on the machine that ran the command, not on this one
    svc.store.put_video(Video("file:story", str(elsewhere), "story"))
    svc.store.set_options("file:story", StepOptions("file", str(elsewhere)))
    with pytest.raises(IngestError, match=r"story.opus cannot be read on .*, where this step runs: with several "
                                          "machines, a local file must be on a path every machine mounts"):
        STEP_FUNCTIONS["fetch"]("file:story", StepContext(svc.store, settings))


@pytest.mark.slow  # a worker process, waiting for its first connection error
def test_a_workers_log_lines_say_when_and_where(tmp_path: Path) -> None:
    """Lined up across machines, "Consumer encountered a connection error" said neither when nor which machine."""
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(tmp_path / "data"), "CLIPINDEX_BROKER_URL": "redis://127.0.0.1:1/0"}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--queues", "cpu"], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = iter(proc.stderr.readline, "") if proc.stderr else iter(())
        logged = next(line for line in lines if "connection error" in line)
    finally:
        proc.terminate()
        proc.wait(30)
    assert re.match(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ {re.escape(socket.gethostname())} dramatiq", logged), logged


def test_a_worker_on_another_data_directory_is_warned(tmp_path: Path) -> None:
    """A worker whose machine mounts the share elsewhere (or not at all) started without a word: its audio went
    where no other machine looks, the next step failed with a raw errno, and the job's upload stayed."""
    from indexer.ingest.uploads import foreign_data_dir, new_path
    from indexer.models import Video
    from indexer.store.db import Store

    shared, private = tmp_path / "shared", tmp_path / "private"
    store = Store(shared / "clipindex.db")
    assert foreign_data_dir(private, store) is None  # an archive that keeps nothing there yet
    upload = new_path(shared, "report.mp4")
    upload.write_bytes(b"media")
    store.put_video(Video("file:abc", str(upload), "report", media_path=str(upload)))
    assert foreign_data_dir(shared, store) is None
    warned = foreign_data_dir(private, store)  # the share is there, at another path than this machine's setting
    assert warned is not None and "is the shared data directory mounted here" in warned and upload.name in warned
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(private), "CLIPINDEX_BROKER_URL": "redis://127.0.0.1:1/0",
           "CLIPINDEX_DATABASE_URL": f"sqlite:///{shared / 'clipindex.db'}"}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--queues", "cpu"], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = iter(proc.stderr.readline, "") if proc.stderr else iter(())
        first = next(lines)
    finally:
        proc.terminate()
        proc.wait(30)
    assert first.startswith(f"warning: the data directory {private} holds none"), first


def test_a_coordinator_waits_for_a_broker_that_cannot_be_reached(tmp_path: Path) -> None:
    """Redis restarting while a job's coordinator sends a step's message: the ConnectionError failed the job's run
    (an attempt of three spent, 100 lines of traceback), though its steps were healthy. Now the coordinator waits for
    the broker, as the step's worker does for its store, and goes on when the step is done."""
    from indexer.distributed.chain import _await_step
    from indexer.ingest.context import StepContext
    from tests.servers import free_port

    settings = settings_for(tmp_path, broker_url=f"redis://127.0.0.1:{free_port()}/0", lease_s=3.0)  # nothing there
    service = Clipindex(settings)
    service.store.put_video(Video("file:abc", "/x.mp4", "x"))
    ctx = StepContext(service.store, settings)

    def the_step_runs_elsewhere() -> None:
        time.sleep(1.5)
        worker = owners.new_owner("worker")
        assert service.store.claim_step("file:abc", "fetch", worker, 60)
        service.store.finish_step("file:abc", "fetch", worker)

    runner = threading.Thread(target=the_step_runs_elsewhere)
    runner.start()
    _await_step("file:abc", "fetch", ctx, [time.monotonic()])  # the run reached the broker before (a step sent)
    runner.join()
    assert service.store.step_status("file:abc")["fetch"].status == "done"


def test_two_coordinators_of_one_video_ingest_it_once_with_the_first_ones_options(dist_settings: Settings) -> None:
    """Both sent the video's steps and said "ingested", and the second one's options (its title here) were what the
    first one's steps read (store/claims.py). The first is a `clipindex ingest` process; the second runs here, so
    that the worker starts only once it has said where it stands (it waits for the first, or, before, for its
    step)."""
    service = Clipindex(dist_settings)
    source = str(FIXTURES / "captions_ru.vtt")
    first = subprocess.Popen([sys.executable, "-m", "api.cli", "ingest", "-q", "--language", "ru", "--title", "First",
                              source], env=_env(dist_settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # no worker yet: its fetch step waits on the queue
    worker = None
    try:
        [video_id] = wait_until(lambda: service.store.video_ids(), 60, "the first coordinator to register the video")
        heard: list[str] = []
        second: list[IngestResult] = []
        runner = threading.Thread(target=lambda: second.extend(service.ingest(
            source, IngestOptions(language="ru", title="Second"), lambda _v, _s, _f, detail: heard.append(detail))))
        runner.start()
        wait_until(lambda: heard, 60, "the second coordinator to report")
        worker = _worker(dist_settings)
        said = first.communicate(timeout=120)
        runner.join(120)
    finally:
        if worker is not None:
            stop_processes(worker)
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0 and said[0].startswith("ingested"), said
    assert heard[0] == f"another process on {socket.gethostname()} is ingesting this video: waiting for it", heard
    [result] = second
    assert result.status == "skipped" and "another process at the same time" in (result.note or ""), result
    assert service.store.get_video(video_id).title == "First", "the second's options were the ones the steps read"
    assert {s: (r.status, r.attempt) for s, r in service.store.step_status(video_id).items()} == {
        s: ("done", 1) for s in STEPS}
