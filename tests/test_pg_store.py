"""The store on PostgreSQL: concurrent job claims each win a different job (FOR UPDATE SKIP LOCKED), concurrent
upserts of one video, and `clipindex migrate-store` copying a real archive SQLite -> PostgreSQL -> SQLite without
loss, idempotently."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.config import load_settings
from indexer.errors import NotFound, unreachable
from indexer.formats import spread_words
from indexer.ingest.types import IngestJob
from indexer.models import Clip, Segment, Transcript, Video
from indexer.reels.store import ReelStore
from indexer.service import Clipindex, IngestOptions
from indexer.store.copy import copy_store
from indexer.store.db import Store
from indexer.store.dialect import vacuum
from indexer.store.jobs import JobQueue
from indexer.store.schema import MIGRATIONS, copied_in, meta, schema_version
from tests.conftest import FIXTURES
from tests.servers import Server, new_database, postgres, store_url  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # a PostgreSQL server is started (seconds)


def test_concurrent_claims_take_different_jobs(store_url: str) -> None:  # noqa: F811 - the fixture
    queue = JobQueue(Store(store_url), lease_s=60)
    submitted = {queue.submit("ingest", IngestJob(f"/x{n}.wav")).id for n in range(12)}
    claimed: list[str] = []
    start = threading.Barrier(4)

    def claim_all() -> None:
        mine = JobQueue(Store(store_url), lease_s=60)
        start.wait(10)
        while (job := mine.claim(f"w{threading.get_ident()}")) is not None:
            claimed.append(job.id)

    threads = [threading.Thread(target=claim_all) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(claimed) == sorted(submitted), "every job claimed exactly once"


def test_concurrent_upserts_of_one_video_are_one_row(store_url: str) -> None:  # noqa: F811 - the fixture
    stores = [Store(store_url) for _ in range(4)]
    start = threading.Barrier(len(stores))
    errors: list[str] = []

    def put(store: Store, n: int) -> None:
        start.wait(10)
        try:
            store.put_video(Video("file:a", "/a.mp4", f"take {n}"))
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=put, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and [v.id for v in stores[0].list_videos()] == ["file:a"]
    stores[0].delete_video("file:a")
    vacuum(stores[0].engine)  # `clipindex compact` on PostgreSQL: a plain VACUUM, outside a transaction
    assert stores[0].count_videos() == 0


def test_migrations_run_once_on_postgres(postgres: Server) -> None:  # noqa: F811 - the fixture
    url = new_database(postgres)
    Store(url)
    again = Store(url)
    with again.tx() as conn:
        versions = conn.execute(sa.select(schema_version.c.version).order_by(schema_version.c.version)).scalars()
        assert list(versions) == list(range(1, len(MIGRATIONS) + 1))


def _rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    with store.tx() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(sa.select(t))) for t in meta.sorted_tables
                if t not in (schema_version, copied_in)}  # copied_in: the target's record of what came in


def test_migrate_store_copies_an_archive_there_and_back_without_loss(tmp_path: Path,
                                                                    postgres: Server) -> None:  # noqa: F811
    settings = load_settings(env={}, data_dir=tmp_path / "data")
    svc = Clipindex(settings)
    [done] = svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
    svc.jobs.submit("ingest", IngestJob("/elsewhere.wav"))
    svc.keys.create("newsroom")
    pg_url = new_database(postgres)
    # as README has it: the database URL exported first, then `migrate-store --to "$CLIPINDEX_DATABASE_URL"`,
    # which copies from this data directory's SQLite store (the source was the target: "the same store")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLIPINDEX_DATA_DIR": str(settings.data_dir),
           "CLIPINDEX_DATABASE_URL": pg_url}
    first = subprocess.run([sys.executable, "-m", "api.cli", "migrate-store", "--to", pg_url], env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "segments" in first.stdout and "MISSING" not in first.stdout
    source, target = Store(settings.db_path), Store(pg_url)
    assert _rows(target) == _rows(source), "every row of every table, equal"
    assert target.get_transcript(str(done.video_id)) == source.get_transcript(str(done.video_id))
    report = copy_store(source, target)  # again: nothing changes, nothing is duplicated
    assert _rows(target) == _rows(source) and all(t.missing == 0 for t in report)
    # the target goes into service: a title corrected there, the transcript made again with fewer segments
    vid = str(done.video_id)
    target.put_video(dataclasses.replace(target.get_video(vid), title="Edited in the newsroom"))
    shorter = source.get_transcript(vid)
    assert shorter is not None and len(shorter.segments) > 1
    target.put_transcript(dataclasses.replace(shorter, segments=shorter.segments[:1]))
    again = {t.table: t for t in copy_store(source, target)}  # run again by mistake: the target's rows stay
    assert target.get_video(vid).title == "Edited in the newsroom"
    assert target.get_transcript(vid).segments == shorter.segments[:1], "no older segments mixed in"
    assert again["videos"].kept == 1 and again["segments"].kept == 1  # the target's one segment
    assert again["segments"].removed == len(shorter.segments) - 1  # the rest: gone from the target since the copy
    assert all(t.missing == 0 for t in again.values())
    back = Store(tmp_path / "back" / "clipindex.db")
    copy_store(target, back)
    assert _rows(back) == _rows(target), "and back to SQLite, equal to the store in service"
    pg_settings = load_settings(env={}, data_dir=settings.data_dir, database_url=pg_url)
    assert Clipindex(pg_settings).search("Каменке").hits, "the PostgreSQL store serves the same archive"


def test_the_api_answers_503_while_its_store_cannot_be_used(tmp_path: Path, postgres: Server) -> None:  # noqa: F811
    """A database gone from under a running server answered 500 "internal error"; now 503, why, and when to retry,
    and the server's log says so in one line (the answer was followed by 190 lines of traceback a request)."""
    import httpx
    import psycopg

    from tests.apiserver import running

    url = new_database(postgres)
    service = Clipindex(load_settings(env={}, data_dir=tmp_path / "data", database_url=url))
    records: list[logging.LogRecord] = []
    catch = logging.Handler()
    catch.emit = records.append  # type: ignore[method-assign]
    with running(service, workers=0) as base, httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/v1/videos").status_code == 200
        service.store.engine.dispose()
        with psycopg.connect(postgres.url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")  # a generated name
        for name in ("uvicorn.error", "clipindex.api"):  # the server's own loggers (uvicorn's do not propagate)
            logging.getLogger(name).addHandler(catch)
        try:
            r = client.get("/v1/videos")
        finally:
            for name in ("uvicorn.error", "clipindex.api"):
                logging.getLogger(name).removeHandler(catch)
    assert r.status_code == 503 and r.headers["retry-after"] == "10", r.text
    assert r.json()["error"].startswith("the store cannot be used") and "Traceback" not in r.text
    assert [rec.getMessage()[:26] for rec in records] == ["the store cannot be used: "], [
        (rec.name, rec.getMessage()[:80]) for rec in records]
    assert not any(rec.exc_info for rec in records)


def test_writers_take_shared_rows_in_one_order_so_none_deadlocks(store_url: str) -> None:  # noqa: F811
    """On PostgreSQL two transactions that lock the same rows in opposite orders deadlock, and one fails (a 503 over
    HTTP): a reel's delete took its clips before its row while a clip edit took the row first; a video's delete took
    its segments before its transcript while a correction took the transcript first; and its cascade into a reel's
    clips met a clip insert's check of the video. Each pair is run here with the first writer paused between its two
    locks, the second writer started meanwhile."""
    store = Store(store_url)
    said = "The bridge stays closed until Friday."
    for vid in ("file:a", "file:b"):
        store.put_video(Video(vid, f"/{vid}.mp4", vid, media_path=f"/{vid}.mp4", has_video=True, duration=9.0))
        store.put_transcript(Transcript(vid, "en", "captions", "file",
                                        (Segment(0.0, 3.0, said, spread_words(said, 0.0, 3.0)),)))
    reels = ReelStore(store)
    errors: list[str] = []

    def second(call: Callable[[], object]) -> threading.Thread:
        def run() -> None:
            try:
                call()
            except Exception as exc:  # noqa: BLE001 - asserted below
                errors.append(repr(exc))
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def paused(then: Callable[[], object]) -> Callable[[list[Clip]], list[Clip]]:
        def change(clips: list[Clip]) -> list[Clip]:  # runs after edit's lock on the reel row, before its writes
            waiting.append(second(then))
            time.sleep(1.5)  # PostgreSQL's deadlock_timeout is 1 s
            return [*clips, Clip("file:a", 1.0, 2.0)]
        return change

    waiting: list[threading.Thread] = []
    reel = reels.create("Week").id
    reels.set_clips(reel, [Clip("file:a", 0.0, 1.0)])
    reels.edit(reel, paused(lambda: reels.delete(reel)))
    waiting.pop().join(30)
    with pytest.raises(NotFound):  # the reel is deleted once the edit has written its clips
        reels.get(reel)
    other = reels.create("Other").id
    reels.set_clips(other, [Clip("file:a", 0.0, 1.0)])
    reels.edit(other, paused(lambda: store.delete_video("file:a")))
    with store.engine.begin() as conn:  # a correction: the transcript's row first, its segments after
        conn.execute(sa.text("UPDATE transcripts SET video_id = video_id WHERE video_id = 'file:b'"))
        waiting.append(second(lambda: store.delete_video("file:b")))
        time.sleep(1.5)
        conn.execute(sa.text("UPDATE segments SET text = text WHERE video_id = 'file:b'"))
    for thread in waiting:
        thread.join(30)
    assert errors == []
    assert store.list_videos() == [] and reels.get(other).clips == ()


def test_a_deadlock_is_said_as_a_clash_not_as_a_database_away() -> None:
    """PostgreSQL's deadlock and serialization errors were answered "the store cannot be used ... check
    CLIPINDEX_DATABASE_URL and that its database server runs" while the database ran."""
    psycopg = pytest.importorskip("psycopg", reason="the multi-machine extra: pip install -e '.[scale]'")
    for clash in (psycopg.errors.DeadlockDetected("deadlock detected"),
                  psycopg.errors.SerializationFailure("could not serialize access")):
        said = unreachable(sa.exc.OperationalError("UPDATE reels", {}, clash))
        assert said == "another change to the same things came at the same moment: try again"


def test_videos_copied_into_a_running_archive_are_found_after_reindex_missing(tmp_path: Path) -> None:
    """migrate-store into an archive already in service: the copied videos were listed "ready" and never found by
    search (its index had never seen them) until a server restarted. The copy says what to run; that run adds them
    and only them."""
    laptop, newsroom = (load_settings(env={}, data_dir=tmp_path / name) for name in ("laptop", "newsroom"))
    [copied] = Clipindex(laptop).ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
    in_service = Clipindex(newsroom)
    [own] = in_service.ingest(str(FIXTURES / "captions_uz.srt"), IngestOptions(language="uz"))
    in_service.index.backend.flush()  # as a server in service has it: its index holds its own videos
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLIPINDEX_DATA_DIR": str(newsroom.data_dir)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True,
                              timeout=120)

    moved = cli("migrate-store", "--from", f"sqlite:///{laptop.db_path}", "--to", f"sqlite:///{newsroom.db_path}")
    assert moved.returncode == 0 and "run `clipindex reindex --missing`" in moved.stderr, moved.stderr
    quote = ["search", "Уровень воды в реке Каменке", "--json"]
    assert json.loads(cli(*quote).stdout) == []  # the index in service has not seen it
    added = cli("reindex", "--missing")
    assert added.returncode == 0 and "added 1 videos, dropped 0" in added.stdout, added.stderr
    assert [h["video_id"] for h in json.loads(cli(*quote).stdout)][:1] == [copied.video_id]
    assert own.video_id in Clipindex(newsroom).index.backend.video_ids()
