"""One coordinator a video (store/claims.py): a second ingest of a video another process is ingesting waits for it
without writing anything of the video, then says "skipped" (another process ingested it); a forced one is refused at
once; a claim whose holder crashed is taken over. With a broker, two coordinators of one video both sent its steps,
both said "ingested", and the second one's ingest options were what the first one's steps read."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.worker import Worker
from indexer.config import Settings
from indexer.errors import InvalidInput
from indexer.ingest.types import IngestJob
from indexer.service import Clipindex, IngestOptions
from indexer.store import claims, owners
from indexer.store.db import Store
from indexer.store.schema import ingest_claims
from tests.conftest import FIXTURES
from tests.servers import postgres, store_url  # noqa: F401 - fixtures
from tests.waiting import wait_until

ELSEWHERE_HOST = "ingest@another-machine:4242:1:abcdef12"  # a live process on another host: never taken for gone


def _dead_owner() -> str:
    """The owner id of a process on this host that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return owners.new_owner("ingest").replace(f":{os.getpid()}:", f":{proc.pid}:", 1)


def test_one_owner_holds_a_claim_until_it_releases_it(store_url: str) -> None:  # noqa: F811 - fixture
    store = Store(store_url)
    first, second = owners.new_owner("ingest"), ELSEWHERE_HOST
    assert claims.take(store, "file:a", first, 60) is None
    assert claims.take(store, "file:a", second, 60) == first
    assert claims.take(store, "file:a", first, 60) is None, "its holder takes it again (a renewal)"
    assert claims.take(store, "file:b", second, 60) is None, "another video's claim is another row"
    assert claims.renew(store, "file:a", first, 60) and not claims.renew(store, "file:a", second, 60)
    claims.release(store, "file:a", second)  # not its claim: nothing happens
    assert claims.take(store, "file:a", second, 60) == first
    claims.release(store, "file:a", first)
    assert claims.take(store, "file:a", second, 60) is None


def test_a_claim_whose_lease_ran_out_or_whose_holder_crashed_is_taken_over(store_url: str) -> None:  # noqa: F811
    store = Store(store_url)
    assert claims.take(store, "file:a", ELSEWHERE_HOST, 0.2) is None
    time.sleep(0.3)
    me = owners.new_owner("ingest")
    assert claims.take(store, "file:a", me, 60) is None
    assert not claims.renew(store, "file:a", ELSEWHERE_HOST, 60), "the old holder learns it lost the claim"
    dead = _dead_owner()
    assert claims.take(store, "file:b", dead, 600) is None
    assert claims.take(store, "file:b", me, 60) is None, "a crashed holder on this host is not waited for"


def test_of_many_takers_at_once_one_wins(store_url: str) -> None:  # noqa: F811 - fixture
    store = Store(store_url)
    takers = [f"ingest@machine{n}:{100 + n}:1:abcdef12" for n in range(8)]
    said: dict[str, str | None] = {}
    start = threading.Barrier(len(takers))

    def take(owner: str) -> None:
        start.wait()
        said[owner] = claims.take(store, "file:a", owner, 60)

    threads = [threading.Thread(target=take, args=(owner,)) for owner in takers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o, holder in said.items() if holder is None]
    assert len(winners) == 1, said
    assert all(holder == winners[0] for o, holder in said.items() if o != winners[0]), said


def test_a_held_claim_is_renewed_past_its_lease_and_released_on_close(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.db")
    me = owners.new_owner("ingest")
    assert claims.take(store, "file:a", me, 0.3) is None

    def expires() -> float:
        with store.tx() as conn:
            return float(conn.execute(sa.select(ingest_claims.c.expires)).scalar_one())

    first = expires()
    held = claims.Held(store, "file:a", me, 0.3)
    wait_until(lambda: expires() > first + 0.5, 30, "the claim to be renewed past its first lease and more")
    held.close()
    with store.tx() as conn:
        assert conn.execute(ingest_claims.select()).all() == []


def _ingested(service: Clipindex, title: str = "First") -> str:
    [result] = service.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru", title=title))
    assert result.status == "ingested"
    return result.video_id


def test_a_second_ingest_waits_for_the_claims_holder_writes_nothing_and_says_why_it_skipped(
        settings: Settings) -> None:
    service = Clipindex(settings)
    video_id = _ingested(service)
    assert claims.take(service.store, video_id, ELSEWHERE_HOST, 60) is None  # another machine ingests it again
    heard: list[str] = []
    results = []

    def second() -> None:
        results.extend(service.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru", title="New"),
                                      lambda _v, _s, _f, detail: heard.append(detail)))

    runner = threading.Thread(target=second)
    runner.start()
    wait_until(lambda: heard, 30, "the second ingest to say that it waits")
    time.sleep(1.0)
    assert runner.is_alive(), "it waits as long as the holder holds the claim"
    assert service.store.get_video(video_id).title == "First", "nothing of the video is written while it waits"
    assert heard[0] == "another process on another-machine is ingesting this video: waiting for it"
    claims.release(service.store, video_id, ELSEWHERE_HOST)
    runner.join(30)
    [result] = results
    assert result.status == "skipped" and result.note is not None and "another process" in result.note
    assert service.store.get_video(video_id).title == "First"


def test_a_forced_ingest_of_a_video_another_process_ingests_is_refused_at_once(settings: Settings) -> None:
    service = Clipindex(settings)
    video_id = _ingested(service)
    assert claims.take(service.store, video_id, ELSEWHERE_HOST, 60) is None
    with pytest.raises(InvalidInput, match="being ingested by another process on another-machine right now"):
        list(service.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru", force=True)))
    assert {r.status for r in service.store.step_status(video_id).values()} == {"done"}, "its steps kept"


def test_a_forced_jobs_retry_waits_for_the_claim_of_a_coordinator_that_died_elsewhere(settings: Settings) -> None:
    """A job's retry may follow its own first run, whose coordinator died on another host: its claim runs out."""
    service = Clipindex(settings)
    video_id = _ingested(service)
    assert claims.take(service.store, video_id, ELSEWHERE_HOST, 1.0) is None  # not renewed any more
    [result] = service.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru", force=True),
                              job="job-1")
    assert result.status == "ingested"
    assert {r.attempt for r in service.store.step_status(video_id).values()} == {1}, "its steps were run again"


def test_an_ingest_releases_its_claim_when_it_ends_or_fails(settings: Settings, tmp_path: Path) -> None:
    service = Clipindex(settings)
    _ingested(service)
    broken = tmp_path / "broken.srt"
    broken.write_text("not a caption file\n", encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever error the bad file gives; the claim is the point
        list(service.ingest(str(broken), IngestOptions()))
    with service.store.tx() as conn:
        assert conn.execute(ingest_claims.select()).all() == []



def test_a_claim_that_cannot_be_released_is_left_to_run_out_without_hiding_the_ingests_error(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(tmp_path / "store.db")
    me = owners.new_owner("ingest")
    assert claims.take(store, "file:a", me, 60) is None
    held = claims.Held(store, "file:a", me, 60)
    with store.tx() as conn:  # the store fails under the release (here: its table gone)
        conn.execute(sa.text("DROP TABLE ingest_claims"))
    held.close()
    assert "the ingest claim of file:a was not released" in caplog.text


def test_status_names_the_ingests_running_and_who_coordinates_them(tmp_path: Path) -> None:
    """With a broker a coordinator waits while its step waits on a queue: `clipindex status` showed no running step
    and nothing of the ingest under way (nor, after a crash, of the claim that ran out or whose process ended)."""
    from typer.testing import CliRunner

    from api.cli import app

    store = Store(tmp_path / "clipindex.db")
    assert claims.take(store, "file:abc", ELSEWHERE_HOST, 60) is None
    assert claims.take(store, "file:old", "ingest@another-machine:1:1:abcdef12", 0.01) is None  # runs out
    assert claims.take(store, "file:dead", _dead_owner(), 60) is None  # its process ended on this host
    time.sleep(0.05)
    result = CliRunner().invoke(app, ["status"], env={"CLIPINDEX_DATA_DIR": str(tmp_path)})
    assert "ingests  1 running\n  file:abc by ingest@another-machine:4242:1:abcdef12 (claim " in result.stdout
    assert "file:old" not in result.stdout and "file:dead" not in result.stdout, result.stdout


def test_a_job_waiting_for_another_ingest_of_its_video_says_so(settings: Settings) -> None:
    """A job whose video another process was ingesting showed its first step at 0%, with no word of why, for as long
    as that ingest ran: the waiting message went to the command line's bar only."""
    service = Clipindex(settings)
    video_id = _ingested(service)
    assert claims.take(service.store, video_id, ELSEWHERE_HOST, 60) is None
    job = service.jobs.submit("ingest", IngestJob(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"),
                                                  untrusted=False))
    runner = threading.Thread(target=Worker(service).run_once)
    runner.start()
    try:
        wait_until(lambda: service.jobs.get(job.id).detail, 30, "the job to say what it waits for")
        waiting = service.jobs.get(job.id)
        assert (waiting.state, waiting.step, waiting.detail) == (
            "running", "fetch", "another process on another-machine is ingesting this video: waiting for it")
    finally:
        claims.release(service.store, video_id, ELSEWHERE_HOST)
        runner.join(60)
    done = service.jobs.get(job.id)
    assert done.state == "done" and done.detail is None, done
    assert done.result is not None and done.result["videos"][0]["status"] == "skipped"
