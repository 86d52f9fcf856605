"""Searches read only, and a reader survives another process's writer committing and merging under it."""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from indexer.config import Settings
from indexer.models import Segment, Transcript, Video, Word
from indexer.search import base
from indexer.search.base import PassageIndex, index_class
from indexer.service import Clipindex, IngestOptions
from tests.apiserver import running
from tests.conftest import FIXTURES
from tests.waiting import wait_until


def _transcript(video_id: str, n: int) -> Transcript:
    text = f"the flood reached the stone bridge on day {n} and the mayor spoke"
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, w, 1.0) for i, w in enumerate(text.split()))
    return Transcript(video_id, "en", "captions", "file", (Segment(0.0, words[-1].end, text, words),))


def _index(backend: str, path: Path) -> PassageIndex:
    return index_class(backend)(path)


def test_a_read_that_loses_its_files_is_run_again_on_the_newest_commit(tmp_path: Path, search_backend: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    index = _index(search_backend, tmp_path / "index")
    index.add(Video("file:a", "a.mp4", "a"), _transcript("file:a", 1))
    cls = type(index)
    real = cls._candidates
    calls = []

    def vanishing(self: PassageIndex, flt):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:  # what a merge in another process does to a reader opening the old segments
            raise FileNotFoundError(2, "No such file or directory", "_MAIN_7.toc")
        return real(self, flt)

    monkeypatch.setattr(cls, "_candidates", vanishing)
    assert [h.video_id for h in index.search("stone bridge").hits] == ["file:a"]
    assert len(calls) == 2


@pytest.mark.slow
def test_readers_survive_a_writer_in_another_index_object(tmp_path: Path, search_backend: str) -> None:
    # two index objects on one directory: what two processes (a server and an ingest) have
    writer, reader = _index(search_backend, tmp_path / "index"), _index(search_backend, tmp_path / "index")
    writer.add(Video("file:0", "0.mp4", "0"), _transcript("file:0", 0))
    stop = threading.Event()
    errors: list[str] = []
    answered = [0]

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            vid = f"file:{n % 30}"
            writer.add(Video(vid, f"{n}.mp4", str(n)), _transcript(vid, n))

    def read() -> None:
        while not stop.is_set():
            try:
                assert reader.search("flood bridge").hits, "the archive is never empty"
                answered[0] += 1
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=write), threading.Thread(target=read), threading.Thread(target=read)]
    for t in threads:
        t.start()
    time.sleep(6)
    stop.set()
    for t in threads:
        t.join(30)
    assert errors == [] and answered[0] > 20, (answered, errors[:3])


WRITER_PROCESS = """
import sys
from pathlib import Path
from indexer.models import Segment, Transcript, Video, Word
from indexer.search.base import index_class
text = "the ferry to the island was cancelled because of the storm"
words = tuple(Word(i * 0.5, i * 0.5 + 0.4, w, 1.0) for i, w in enumerate(text.split()))
ix = index_class(sys.argv[2])(Path(sys.argv[1]))
ix.add(Video("file:b", "b.mp4", "b"), Transcript("file:b", "en", "captions", "file", (Segment(0, 6, text, words),)))
ix.delete("file:a")
"""


@pytest.mark.slow
def test_a_reader_sees_what_a_writer_in_another_process_committed(tmp_path: Path, search_backend: str) -> None:
    index = _index(search_backend, tmp_path / "index")
    index.add(Video("file:a", "a.mp4", "a"), _transcript("file:a", 1))
    assert index.search("stone bridge").hits and not index.search("ferry island").hits  # its reader is open
    subprocess.run([sys.executable, "-c", WRITER_PROCESS, str(tmp_path / "index"), search_backend], check=True,
                   cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert [h.video_id for h in index.search("ferry island").hits] == ["file:b"]
    assert index.search("stone bridge").hits == [] and index.video_ids() == {"file:b"}


KILLED_WRITER = """
import os, sys
from pathlib import Path
from indexer.search.base import index_class
with index_class(sys.argv[2])(Path(sys.argv[1]))._session() as w:
    w.delete_video("file:a")
    os._exit(9)  # killed with the writer open: no commit, no cleanup
"""


@pytest.mark.slow
def test_a_writer_killed_in_its_session_leaves_the_index_writable(tmp_path: Path, search_backend: str) -> None:
    index = _index(search_backend, tmp_path / "index")
    index.add(Video("file:a", "a.mp4", "a"), _transcript("file:a", 1))
    out = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path / "index"), search_backend],
                         cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert out.returncode == 9
    assert index.search("stone bridge").hits, "nothing of the killed session was committed"
    with index._session(timeout=2) as w:  # the locks died with the process: no stale lock file blocks a writer
        w.delete_video("file:a")
    assert index.search("stone bridge").hits == []


def test_a_search_only_reads_and_start_up_reconciles(backend_settings: Settings) -> None:
    settings = backend_settings
    svc = Clipindex(settings)
    [done] = svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
    assert done.video_id and svc.search("Каменке").hits
    svc.index.backend.delete(done.video_id)  # as if the video's index step had not run yet
    assert Clipindex(settings).search("Каменке").hits == []
    assert svc.index.backend.passage_count(done.video_id) == 0, "a search never writes to the index"
    Clipindex(settings).index.reconcile()  # what the server does at start-up
    assert Clipindex(settings).search("Каменке").hits


@pytest.mark.slow
def test_the_server_reconciles_the_index_in_the_background(backend_settings: Settings) -> None:
    settings = backend_settings
    svc = Clipindex(settings)
    [done] = svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
    svc.index.backend.delete(str(done.video_id))  # the index lost a video the store has
    with running(Clipindex(settings), workers=0) as url, httpx.Client(base_url=url, timeout=30) as client:
        def found() -> bool:
            return bool(client.get("/v1/search", params={"q": "Каменке"}).json()["hits"])

        wait_until(found, 30, "the start-up reconciliation to index the missing video", interval=0.1)


@pytest.mark.parametrize("damage", [pickle.UnpicklingError("invalid load key, '\\xd2'."), EOFError(),
                                    struct.error("unpack requires a buffer of 4 bytes")])
def test_a_read_that_meets_a_table_cut_short_is_run_again(tmp_path: Path, damage: Exception) -> None:
    """Seen in a CI run: a reader opened a table of contents while another process's writer replaced it, and the
    search failed with UnpicklingError instead of being run again on the newest commit. (Whoosh's tables.)"""
    index = _index("whoosh", tmp_path / "index")
    index.add(Video("file:0", "0.mp4", "0"), _transcript("file:0", 0))
    attempts = []

    def read() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise damage
        return len(index.search("flood bridge").hits)

    assert index._reading(read) > 0 and len(attempts) == 2


def test_a_video_deleted_while_its_passages_wait_for_a_batched_commit_stays_deleted(
        backend_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ingest's index step queues a video's passages; `clipindex delete` in another process takes the video from
    the store and from the index; the queued commit then put the passages back: searches over live videos answered
    "no matches" (the page was filled with the deleted video's hits, dropped afterwards)."""
    monkeypatch.setattr(base, "COMMIT_DELAY_S", 600.0)  # the queued commit waits until this test makes it
    ingesting = Clipindex(backend_settings)  # the ingest's process
    for video_id, n in (("file:gone", 1), ("file:live", 2)):
        ingesting.store.put_video(Video(video_id, f"{video_id[5:]}.mp4", video_id[5:]))
        ingesting.store.put_transcript(_transcript(video_id, n))
    ingesting.index.index_video("file:live")
    assert ingesting.index.index_video("file:gone", batched=True) > 0  # queued for the next commit
    queued_in = ingesting.index.backend
    # `clipindex delete` in another process: a store and an index object of its own (one per directory and process)
    ingest_process = base._OPEN
    monkeypatch.setattr(base, "_OPEN", {})
    deleting = Clipindex(backend_settings)
    assert deleting.index.backend is not queued_in
    deleting.delete_video("file:gone")
    assert deleting.index.backend.video_ids() == {"file:live"}
    monkeypatch.setattr(base, "_OPEN", ingest_process)
    ingesting.index.flush()  # the queued commit, in the ingest's process
    assert ingesting.store.find_video("file:gone") is None
    assert queued_in.video_ids() == deleting.index.backend.video_ids() == {"file:live"}
    assert [h.video_id for h in deleting.search("flood bridge", limit=1).hits] == ["file:live"]
    assert [h.video_id for h in ingesting.search("flood bridge").hits] == ["file:live"]
