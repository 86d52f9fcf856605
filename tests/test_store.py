"""The store on SQLite and on PostgreSQL (the `store_url` fixture runs each test on both): pragmas, migrations, atomic
transcripts, and step leases that only one worker wins."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.errors import ClipindexError, Conflict, InvalidInput, NotFound
from indexer.ingest.types import AudioResult, FetchResult
from indexer.models import Chapter, Segment, Transcript, Video, Word
from indexer.refs import pick_one
from indexer.store.db import Store
from indexer.store.schema import MIGRATIONS, schema_version, step_runs
from tests.servers import postgres, store_url  # noqa: F401 - fixtures


def _video(store: Store, vid: str = "file:abc") -> None:
    store.put_video(Video(id=vid, source="/x.mp4", title="x"))


def test_wal_full_sync_and_migrations_run_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    again = Store(tmp_path / "db.sqlite")
    rows = sqlite3.connect(tmp_path / "db.sqlite").execute("SELECT version FROM schema_version").fetchall()
    assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))
    assert again.list_videos() == []


def test_transcript_round_trip_and_replace(store_url: str) -> None:  # noqa: F811 - the fixture
    store = Store(store_url)
    _video(store)
    words = (Word(0.0, 0.5, "Salom", 0.9, "caption"), Word(0.5, 1.0, "dunyo!", 0.8, "caption"))
    tr = Transcript("file:abc", "uz", "captions", "file", (Segment(0.0, 1.0, "Salom dunyo!", words),), ("w",))
    store.put_transcript(tr)
    assert store.get_transcript("file:abc") == tr
    assert store.transcript_head("file:abc") == Transcript("file:abc", "uz", "captions", "file", (), ("w",))
    shorter = Transcript("file:abc", "uz", "captions", "file", ())
    store.put_transcript(shorter)
    assert store.get_transcript("file:abc") == shorter
    assert store.delete_video("file:abc") and store.get_transcript("file:abc") is None
    assert store.transcript_head("file:abc") is None


def test_the_archive_languages_and_naming_a_transcript_language(store_url: str) -> None:  # noqa: F811 - the fixture
    store = Store(store_url)
    for vid, language in (("file:a", "de"), ("file:b", "ru"), ("file:c", "de"), ("file:d", "und")):
        _video(store, vid)
        store.put_transcript(Transcript(vid, language, "captions", "file", (Segment(0.0, 1.0, "x", ()),)))
    assert store.languages() == ["de", "ru"], "most videos first, und left out"
    store.set_language("file:d", "ru")
    assert store.languages() == ["de", "ru"] and store.find_video("file:d").language == "ru"  # type: ignore[union-attr]
    assert store.get_transcript("file:d") == Transcript("file:d", "ru", "captions", "file",
                                                        (Segment(0.0, 1.0, "x", ()),)), "its words untouched"


# Run in a process of its own, started fresh: a fork copies the forking thread only, so a lock another thread held at
# that moment stays held in the child. Inside the test process, threads other tests left (an index's commit thread)
# made the child hang once on a lock of theirs, not the store's.
_FORKS = """
import multiprocessing, sys
from indexer.models import Video
from indexer.store.db import Store

def child(store):
    assert store.engine.pool.checkedin() == 0, "the child starts with an empty pool"
    store.put_video(Video(id="file:child", source="/c.mp4", title="from the child"))

store = Store(sys.argv[1])
store.put_video(Video(id="file:abc", source="/x.mp4", title="x"))
assert store.engine.pool.checkedin() >= 1, "the parent keeps a connection for its next use"
proc = multiprocessing.get_context("fork").Process(target=child, args=(store,))
proc.start()
proc.join(60)
assert proc.exitcode == 0, proc.exitcode
assert {v.id for v in store.list_videos()} == {"file:abc", "file:child"}  # the parent's connection still works
store.put_video(Video(id="file:after", source="/x.mp4", title="x"))
assert store.get_video("file:after").title == "x"
print("forked", flush=True)
"""


def test_a_forked_child_opens_its_own_connections(store_url: str) -> None:  # noqa: F811 - the fixture
    done = subprocess.run([sys.executable, "-c", _FORKS, store_url], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0 and done.stdout.strip() == "forked", done.stderr[-2000:]
    assert {v.id for v in Store(store_url).list_videos()} == {"file:abc", "file:child", "file:after"}


def test_many_threads_share_the_store(store_url: str) -> None:  # noqa: F811 - the fixture
    store = Store(store_url)
    _video(store)

    def work(k: int) -> str:
        _video(store, f"file:t{k}")
        return store.get_video(f"file:t{k}").id

    with ThreadPoolExecutor(max_workers=12) as pool:
        done = list(pool.map(work, range(48)))
    assert done == [f"file:t{k}" for k in range(48)]
    assert len(store.list_videos()) == 49


def test_a_step_is_claimed_once_until_its_lease_expires(store_url: str) -> None:  # noqa: F811 - the fixture
    store = Store(store_url)
    _video(store)
    assert store.claim_step("file:abc", "audio", "w1", lease_s=0.3)
    assert not store.claim_step("file:abc", "audio", "w2", lease_s=0.3)
    time.sleep(0.4)
    assert store.claim_step("file:abc", "audio", "w2", lease_s=30), "an expired lease is taken over"
    assert not store.heartbeat("file:abc", "audio", "w1", 30, 0.5), "the old owner learns it lost the step"
    store.finish_step("file:abc", "audio", "w2", AudioResult(audio="a.wav"))
    assert not store.claim_step("file:abc", "audio", "w3", lease_s=30), "a done step never runs again"
    assert store.step_result("file:abc", "audio", AudioResult) == AudioResult(audio="a.wav")
    assert store.step_result("file:abc", "fetch", FetchResult) == FetchResult(), "a step not run left nothing"


def _claim(path: str, owner: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    out.put((owner, Store(path).claim_step("file:abc", "transcript", owner, 60)))


@pytest.mark.slow
def test_two_processes_never_claim_the_same_step(store_url: str) -> None:  # noqa: F811 - the fixture
    store = Store(store_url)
    _video(store)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_claim, args=(store_url, f"p{i}", out)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    wins = [owner for owner, won in (out.get() for _ in procs) if won]
    assert len(wins) == 1


def test_cancel_flag_stops_a_step(store_url: str) -> None:  # noqa: F811 - the fixture
    store = Store(store_url)
    _video(store)
    assert store.claim_step("file:abc", "audio", "w1", lease_s=30)
    assert store.heartbeat("file:abc", "audio", "w1", 30, 0.1)
    with store.tx() as conn:
        conn.execute(step_runs.update().values(cancel=True))
    assert not store.heartbeat("file:abc", "audio", "w1", 30, 0.2)


def test_chapters_keep_their_method_through_an_upgrade_and_a_round_trip(store_url: str) -> None:  # noqa: F811
    """A store made before chapters recorded their method (schema 6) upgrades in place: its chapters read back with
    an empty method, and chapters written afterwards keep theirs."""
    store = Store(store_url)
    _video(store)
    with store.tx() as conn:  # the store as version 6 left it: no method column, later versions not recorded
        conn.execute(sa.text("ALTER TABLE chapters DROP COLUMN method"))
        conn.execute(schema_version.delete().where(schema_version.c.version > 6))
        conn.execute(sa.text('INSERT INTO chapters (video_id, source, idx, start, "end", title, keywords) '
                             "VALUES ('file:abc', 'computed', 0, 0, 10, 'Old', '[]')"))
    upgraded = Store(store_url)
    assert upgraded.schema_version() == len(MIGRATIONS)
    assert upgraded.get_chapters("file:abc") == [Chapter("file:abc", 0.0, 10.0, "Old")]
    fresh = [Chapter("file:abc", 0.0, 10.0, "New", ("flood",), "computed", "e5-small + lexical + pauses")]
    upgraded.put_chapters("file:abc", "computed", fresh)
    assert upgraded.get_chapters("file:abc") == fresh


def test_a_reference_names_a_thing_by_its_id_or_a_unique_prefix_past_its_kind() -> None:
    """"art:" alone named the only article (an API client that built its URL from an empty id got it back), and
    "file" the only local video."""
    arts = ["art:3f9a1c77", "art:3f0b2d11"]
    assert pick_one("art:3f9a", arts, what="article", listing="x", prefix="art:") == "art:3f9a1c77"
    assert pick_one("3f9a", arts, what="article", listing="x", prefix="art:") == "art:3f9a1c77"
    with pytest.raises(InvalidInput, match="matches 3 articles"):
        pick_one("art:3f", arts + ["art:3fff0000"], what="article", listing="x", prefix="art:")
    for kind_only in ("art:", "art", "file", "file:"):  # "yt:" read "no video 'yt:'" as if the archive had none
        with pytest.raises(InvalidInput if kind_only.endswith(":") else NotFound,
                           match="only the kind of an id" if kind_only.endswith(":") else "no thing"):
            pick_one(kind_only, ["art:3f9a1c77"] if kind_only.startswith("art") else ["file:a5133234"],
                     what="thing", listing="x", prefix="art:" if kind_only.startswith("art") else "")
    assert pick_one("a513", ["file:a5133234"], what="video", listing="x") == "file:a5133234"


def test_a_store_in_a_folder_named_in_any_script_opens(tmp_path: Path) -> None:
    """The schema's lock was looked for under the percent-encoded path ("архив" as "%D0%B0..."): every command in a
    data directory named in Cyrillic (a newsroom laptop's home folder) failed with a traceback."""
    folder = tmp_path / "архив ünï 📼"
    store = Store(folder / "clipindex.db")
    store.put_video(Video(id="file:a", source="/a.mp4", title="Мост"))
    assert [v.title for v in Store(folder / "clipindex.db").list_videos()] == ["Мост"]
    assert (folder / "clipindex.db.migrate.lock").exists() and not list(tmp_path.glob("%*"))


def test_a_migration_that_fails_half_way_leaves_the_store_as_it_was(store_url: str,  # noqa: F811 - the fixture
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite a migration's CREATE TABLE was kept on its own when a later step failed (or the process was
    killed): the schema's version stayed behind, and every later opening failed on "table ... already exists"."""
    from indexer.store import schema

    store = Store(store_url)
    _video(store)
    extra = sa.Table("made_by_a_later_version", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))

    def failing(conn: sa.engine.Connection) -> None:
        extra.create(conn)
        raise OSError("killed half-way")

    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS, failing])
    with pytest.raises(OSError, match="killed half-way"):
        Store(store_url)
    with store.engine.connect() as conn:
        assert not sa.inspect(conn).has_table(extra.name)
    assert store.schema_version() == len(MIGRATIONS)
    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS, lambda conn: extra.create(conn)])
    assert Store(store_url).schema_version() == len(MIGRATIONS) + 1  # the next opening migrates, as if never tried
    assert [v.id for v in store.list_videos()] == ["file:abc"]
    with store.tx() as conn:
        extra.drop(conn)  # PostgreSQL's database outlives the test


def test_a_store_a_newer_clipindex_migrated_is_refused(tmp_path: Path) -> None:
    """An older clipindex opened and wrote a store a newer one had migrated: what it did not know it left out."""
    path = tmp_path / "clipindex.db"
    Store(path)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (len(MIGRATIONS) + 1,))
    with pytest.raises(Conflict, match=f"made by a newer clipindex \\(schema {len(MIGRATIONS) + 1}; this version "
                                       f"knows {len(MIGRATIONS)}\\)"):
        Store(path)


def test_a_store_already_up_to_date_is_opened_without_writing_its_migration_lock(tmp_path: Path) -> None:
    """Every command opened the migration's lock file for writing, so none could run on a read-only data directory
    (an archive's backup, a snapshot) and each said so with a traceback."""
    path = tmp_path / "clipindex.db"
    Store(path)
    lock = tmp_path / "clipindex.db.migrate.lock"
    lock.unlink()
    assert Store(path).schema_version() == len(MIGRATIONS) and not lock.exists()


def test_a_migration_keeps_a_copy_of_the_store_from_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """A migrated store is refused by the older clipindex, and the way back was a backup only the upgrade notes asked
    for: an administrator who skipped that step had none. The copy is made first; one that cannot be written stops
    the migration with the store as it was."""
    from indexer.store import schema

    path = tmp_path / "clipindex.db"
    _video(Store(path))
    extra = sa.Table("made_by_a_later_version", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS, lambda conn: extra.create(conn)])
    blocker = tmp_path / f"clipindex.db.schema{len(MIGRATIONS)}.bak.part"
    blocker.mkdir()  # where the copy is written first: it cannot be, as on a full disk
    with pytest.raises(ClipindexError, match=f"not brought up to date: its copy from before \\(schema "
                                             f"{len(MIGRATIONS)}\\) could not be written"):
        Store(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT max(version) FROM schema_version").fetchone() == (len(MIGRATIONS),)
    blocker.rmdir()
    with caplog.at_level(logging.WARNING):
        assert Store(path).schema_version() == len(MIGRATIONS) + 1
    kept = tmp_path / f"clipindex.db.schema{len(MIGRATIONS)}.bak"
    assert f"its copy from before: {kept}" in caplog.text and not blocker.exists()
    with sqlite3.connect(kept) as db:  # the store as it was: the old schema, every row
        assert db.execute("SELECT max(version) FROM schema_version").fetchone() == (len(MIGRATIONS),)
        assert db.execute("SELECT id FROM videos").fetchall() == [("file:abc",)]
        assert not db.execute("SELECT name FROM sqlite_master WHERE name = 'made_by_a_later_version'").fetchall()
    assert list(tmp_path.glob("*.bak")) == [kept]
