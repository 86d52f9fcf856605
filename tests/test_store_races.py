"""Many processes on one fresh data directory: the schema is created once, a video row is an upsert."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from indexer.models import Video
from indexer.store.db import MIGRATIONS, Store


def _open_stores(paths: list[str], start: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Each trial: wait for the other processes, then all open the same fresh store at once."""
    for path in paths:
        try:
            start.wait(30)
            Store(Path(path))
            out.put("ok")
        except Exception as exc:  # noqa: BLE001 - the parent reports what went wrong
            out.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.slow
def test_processes_opening_a_fresh_store_at_once_create_it_once(tmp_path: Path) -> None:
    # five processes started once (a start costs seconds of imports), racing on three fresh stores in turn
    spawn = multiprocessing.get_context("spawn")
    paths = [tmp_path / f"trial{trial}" / "clipindex.db" for trial in range(3)]
    start, out = spawn.Barrier(5), spawn.Queue()
    procs = [spawn.Process(target=_open_stores, args=([str(p) for p in paths], start, out)) for _ in range(5)]
    for p in procs:
        p.start()
    outcomes = [out.get(timeout=90) for _ in range(len(procs) * len(paths))]
    for p in procs:
        p.join(10)
    assert outcomes == ["ok"] * 15, outcomes
    for path in paths:
        assert Store(path).schema_version() == len(MIGRATIONS)


def test_the_same_video_written_at_once_by_many_writers_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "clipindex.db"
    Store(path)
    writers = [Store(path) for _ in range(6)]
    errors: list[str] = []
    for n in range(10):
        start = threading.Barrier(len(writers))

        def put(store: Store, n: int = n, start: threading.Barrier = start) -> None:
            start.wait(10)
            try:
                store.put_video(Video(id=f"file:{n}", source="/x.mp4", title=f"take {n}"))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=put, args=(w,)) for w in writers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert errors == []
    assert [v.id for v in Store(path).list_videos()] == [f"file:{n}" for n in range(10)]


def test_an_upsert_keeps_when_the_video_was_first_added(tmp_path: Path) -> None:
    store = Store(tmp_path / "clipindex.db")
    store.put_video(Video(id="file:a", source="/a.mp4", title="a"))
    store.put_video(Video(id="file:b", source="/b.mp4", title="b"))
    store.put_video(Video(id="file:a", source="/a.mp4", title="a, renamed"))
    assert [(v.id, v.title) for v in store.list_videos()] == [("file:a", "a, renamed"), ("file:b", "b")]
