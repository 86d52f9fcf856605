"""Many processes on one fresh data directory: the schema is created once, a video row is an upsert; many editors of
one reel or one video at once each keep their change."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest

from api.worker import Worker
from indexer.errors import NotFound
from indexer.models import Clip, Video
from indexer.reels.service import RenderJob
from indexer.service import Clipindex
from indexer.store.db import Store
from indexer.store.schema import MIGRATIONS
from media.ffmpeg import probe
from tests.conftest import stored_video


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
        errors += _at_once([lambda w=w, n=n: w.put_video(Video(id=f"file:{n}", source="/x.mp4",  # type: ignore[misc]
                                                               title=f"take {n}")) for w in writers])
    assert errors == []
    assert [v.id for v in Store(path).list_videos()] == [f"file:{n}" for n in range(10)]


def test_an_upsert_keeps_when_the_video_was_first_added(tmp_path: Path) -> None:
    store = Store(tmp_path / "clipindex.db")
    store.put_video(Video(id="file:a", source="/a.mp4", title="a"))
    store.put_video(Video(id="file:b", source="/b.mp4", title="b"))
    store.put_video(Video(id="file:a", source="/a.mp4", title="a, renamed"))
    assert [(v.id, v.title) for v in store.list_videos()] == [("file:a", "a, renamed"), ("file:b", "b")]


def _at_once(calls: list[Callable[[], object]]) -> list[str]:
    """Run the calls in threads started together; what each raised, if anything."""
    start = threading.Barrier(len(calls))
    errors: list[str] = []

    def run(call: Callable[[], object]) -> None:
        start.wait(10)
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - the test reads what went wrong
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


@pytest.mark.slow  # 2-3 s: the quick lane stays under a minute
def test_editors_changing_one_reel_at_once_each_keep_their_change(svc: Clipindex) -> None:
    """Each clip edit read the reel in one transaction and wrote its clips back in the next: 20 adds at once, all
    answered 201, left 6 clips, and two trims of different clips lost one."""
    video = stored_video(svc)
    reel = svc.reels.new("Race").id
    assert _at_once([lambda n=n: svc.reels.add_range(reel, video, 3.0 * n, 3.0 * n + 2.0)  # type: ignore[misc]
                     for n in range(20)]) == []
    assert len(svc.reels.get(reel).clips) == 20
    assert _at_once([lambda: svc.reels.remove_clip(reel, 1) for _ in range(8)]) == []
    clips = svc.reels.get(reel).clips
    assert len(clips) == 12
    wanted = {n: (clips[n - 1].start + 0.5, clips[n - 1].end + 0.5) for n in (1, 4, 7, 10)}
    assert _at_once([lambda n=n: svc.reels.trim_clip(reel, n, *wanted[n]) for n in wanted]) == []  # type: ignore[misc]
    trimmed = svc.reels.get(reel).clips
    for n, (start, end) in wanted.items():
        assert trimmed[n - 1].start <= start and trimmed[n - 1].end >= end > clips[n - 1].end, (n, trimmed[n - 1])


def test_a_clip_added_as_its_reel_or_video_is_deleted_is_not_found(svc: Clipindex) -> None:
    """A clip written after the reel's or the video's delete failed on the foreign key: a 500 for the API."""
    video = stored_video(svc)
    reel = svc.reels.new("Gone").id
    svc.reels.get(reel)
    svc.reels.delete(reel)
    with pytest.raises(NotFound, match="deleted"):
        svc.reels.saved.set_clips(reel, [Clip(video, 1.0, 2.0)])
    other = svc.reels.new("Other").id
    svc.store.delete_video(video)
    with pytest.raises(NotFound, match="deleted"):
        svc.reels.saved.set_clips(other, [Clip(video, 1.0, 2.0)])


@pytest.mark.slow
def test_editing_a_video_keeps_other_edits_and_never_brings_a_deleted_one_back(svc: Clipindex) -> None:
    """An edit wrote back the whole row it had read, by an upsert: a title edit undid a channel edit made at the same
    moment, and an edit racing a delete brought the deleted video back with no transcript."""
    video = stored_video(svc)
    for n in range(5):
        assert _at_once([lambda n=n: svc.update_video(video, title=f"T{n}"),  # type: ignore[misc]
                         lambda n=n: svc.update_video(video, channel=f"C{n}")]) == []  # type: ignore[misc]
        assert (svc.video(video).title, svc.video(video).channel) == (f"T{n}", f"C{n}")
    svc.update_video(video, channel="Te\u0301le\u0301 Gene\u0300ve")
    assert svc.video(video).channel == "Télé Genève"  # composed, as the search filter compares it
    svc.store.delete_video(video)
    with pytest.raises(NotFound):
        svc.store.update_video(video, title="late")
    assert svc.store.find_video(video) is None


@pytest.mark.slow  # a real render of 6 s (ffmpeg)
def test_a_render_job_renders_the_reel_as_it_was_when_asked_for(svc: Clipindex) -> None:
    """The job held the reel's id only, and a worker rendered the clips as they were when it ran: a producer who
    removed two clips after pressing Render got a 2 s film, "done", with no word of it."""
    video = stored_video(svc)
    reel = svc.reels.new("Asked").id
    for n in range(3):
        svc.reels.add_range(reel, video, 10.0 * n, 10.0 * n + 2.0, snap_to="none")
    asked = svc.reels.get(reel).clips
    job = svc.reels.submit_render(reel)
    svc.reels.remove_clip(reel, 1)
    svc.reels.remove_clip(reel, 1)
    assert len(svc.reels.get(reel).clips) == 1
    assert RenderJob.from_dict(svc.jobs.get(job.id).payload).clips == tuple(asdict(c) for c in asked)
    Worker(svc).run_once()  # the worker renders after the edits
    done = svc.jobs.get(job.id)
    assert done.state == "done", done.error
    asked_s = sum(c.end - c.start for c in asked)
    assert asked_s == pytest.approx(6.0)
    assert done.result["duration"] == pytest.approx(asked_s, abs=0.2)
    film = svc.reels.render_dir() / Path(done.result["file"]).name
    assert probe(film).duration == pytest.approx(asked_s, abs=0.2), "the three clips asked for, not the one left"
