"""Batched Whoosh commits made by a child process (indexer.search.whoosh_commits): what it commits is searchable here
and elsewhere, merges still follow, and a child that fails or dies loses no passage."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.errors import IndexBusy
from indexer.models import Segment, Transcript, Video, Word
from indexer.search import base as search_base
from indexer.search import whoosh_commits
from indexer.search.index import MAX_SEGMENTS, SearchIndex
from indexer.search.whoosh_merge import wait_children as wait_for_mergers


@pytest.fixture(autouse=True)
def every_batch_to_the_child(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(whoosh_commits, "CHILD_MIN_PASSAGES", 1)
    yield
    whoosh_commits.stop()


def _video(n: int, text: str) -> tuple[Video, Transcript]:
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, w, 1.0) for i, w in enumerate(text.split()))
    vid = f"file:{n}"
    return Video(vid, f"{n}.mp4", str(n)), Transcript(vid, "en", "captions", "file",
                                                     (Segment(0.0, words[-1].end, text, words),))


@pytest.fixture(autouse=True)
def _no_background_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests commit with `flush` and count what it committed. The background flusher commits a batch on its own
    COMMIT_DELAY_S after `enqueue`: on a loaded machine it once came first, and `flush` found nothing to commit."""
    monkeypatch.setattr(search_base, "COMMIT_DELAY_S", 600.0)


def test_a_batch_committed_by_the_child_is_searchable_here_and_elsewhere(tmp_path: Path) -> None:
    ix, other = SearchIndex(tmp_path / "index"), SearchIndex(tmp_path / "index")
    ix.enqueue(*_video(1, "the ferry left the harbour at dawn"))
    ix.enqueue(*_video(2, "the storm closed the coastal road"))
    assert ix.flush() == 2
    child = whoosh_commits.child_pid()
    assert child is not None and child != os.getpid()
    assert [h.video_id for h in ix.search("coastal road").hits] == ["file:2"]
    assert other.passage_count("file:1") == other.passage_count("file:2") == 1
    ix.enqueue(*_video(2, "the coastal road opened again"))  # replaces what video 2 had
    ix.flush()
    assert whoosh_commits.child_pid() == child, "one child serves every batch"
    assert [h.video_id for h in other.search("storm").hits] == []
    assert [h.video_id for h in other.search("opened again").hits] == ["file:2"]


@pytest.mark.slow
def test_the_segments_are_merged_after_the_childs_commits(tmp_path: Path) -> None:
    ix = SearchIndex(tmp_path / "index")
    for n in range(3 * MAX_SEGMENTS):
        ix.enqueue(*_video(n, f"report number {n} on rain"))
        ix.flush()
    wait_for_mergers()  # this process starts the merger after each answer, as after its own commits
    assert len(ix.searcher().reader().leaf_readers()) <= MAX_SEGMENTS
    assert len(ix.video_ids()) == 3 * MAX_SEGMENTS


def test_an_error_in_the_child_is_raised_here_and_the_batch_waits(tmp_path: Path) -> None:
    ix = SearchIndex(tmp_path / "index")
    holder = SearchIndex(tmp_path / "index")
    ix.enqueue(*_video(1, "the bridge reopened after repairs"))
    with holder._session():  # another writer holds the index's lock
        with pytest.raises(IndexBusy):
            ix.flush(timeout=0)
    assert whoosh_commits.child_pid() is not None, "the child answered with the error and goes on"
    assert ix.flush() == 1
    assert [h.video_id for h in ix.search("bridge reopened").hits] == ["file:1"]


def test_a_child_that_dies_mid_commit_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ix = SearchIndex(tmp_path / "index")
    # a child that takes the message's first byte and ends without an answer
    dying = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.buffer.read(1)"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    monkeypatch.setattr(whoosh_commits, "_child", dying)
    ix.enqueue(*_video(1, "the library moved to the old station"))
    assert ix.flush() == 1  # committed in this process
    assert dying.poll() is not None
    assert [h.video_id for h in ix.search("old station").hits] == ["file:1"]
    ix.enqueue(*_video(2, "the museum moved to the harbour"))
    ix.flush()
    assert whoosh_commits.child_pid() not in (None, dying.pid), "the next batch starts a new child"
    assert [h.video_id for h in SearchIndex(tmp_path / "index").search("museum").hits] == ["file:2"]
