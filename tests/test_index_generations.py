"""A rebuild never leaves the index dark: it is built beside the one in use and swapped in whole."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.models import Chapter, Segment, Transcript, Video, Word
from indexer.search.base import PassageIndex, index_class, index_dir
from indexer.search.generations import CURRENT
from indexer.service import Clipindex, IngestOptions
from tests.conftest import FIXTURES, HAS_TANTIVY


def _index(backend: str, path: Path) -> PassageIndex:
    return index_class(backend)(path)


def _video(n: int) -> tuple[Video, Transcript, list[Chapter]]:
    text = f"the flood reached the stone bridge on day {n} and the mayor spoke to the press"
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, w, 1.0) for i, w in enumerate(text.split()))
    vid = f"file:{n}"
    return Video(vid, f"{n}.mp4", str(n)), Transcript(vid, "en", "captions", "file",
                                                      (Segment(0.0, words[-1].end, text, words),)), []


def test_readers_in_another_process_never_see_an_empty_index_during_a_rebuild(tmp_path: Path,
                                                                              search_backend: str) -> None:
    builder, server = _index(search_backend, tmp_path / "index"), _index(search_backend, tmp_path / "index")
    builder.add_many(_video(n) for n in range(20))
    answers: list[int] = []
    halfway = threading.Event()

    def slow_items() -> Iterator[tuple[Video, Transcript, list[Chapter]]]:
        for n in range(40):
            if n == 20:
                halfway.set()
                # the server searches while the new generation is half-built
                answers.extend(len(server.search("stone bridge", limit=100).hits) for _ in range(5))
            yield _video(n)

    assert builder.rebuild(slow_items()) > 0 and halfway.is_set()
    assert answers and min(answers) >= 10, answers  # always the old, complete index
    assert {h.video_id for h in server.search("stone bridge", limit=100).hits} >= {f"file:{n}" for n in (5, 35)}, \
        "the server picked up the new generation without being reopened"
    assert (tmp_path / "index" / CURRENT).read_text().startswith("g-")


def test_a_rebuild_that_fails_part_way_leaves_the_old_index_in_use(tmp_path: Path, search_backend: str) -> None:
    index = _index(search_backend, tmp_path / "index")
    index.add_many(_video(n) for n in range(5))
    before = len(index.search("stone bridge", limit=100).hits)

    def broken() -> Iterator[tuple[Video, Transcript, list[Chapter]]]:
        yield _video(100)
        raise RuntimeError("killed part-way")

    with pytest.raises(RuntimeError):
        index.rebuild(broken())
    assert len(_index(search_backend, tmp_path / "index").search("stone bridge", limit=100).hits) == before > 0
    assert not list((tmp_path / "index").glob("g-*")), "the half-built generation is removed"


def test_a_filtered_search_after_a_rebuild_finds_the_new_generations_documents(tmp_path: Path,
                                                                               search_backend: str) -> None:
    """Commit numbers restart in every generation: a filter cached for the old index's first commit must not be
    reused for the new index's first commit, where the same document numbers are other passages."""
    index = _index(search_backend, tmp_path / "index")
    index.add_many(_video(n) for n in range(6))
    assert {h.video_id for h in index.search("stone bridge", video="file:1").hits} == {"file:1"}
    index.rebuild(_video(n) for n in reversed(range(6)))  # the same videos, so other document numbers
    assert {h.video_id for h in index.search("stone bridge", video="file:1").hits} == {"file:1"}


@pytest.mark.slow
@pytest.mark.parametrize("how, search_backend", [  # the format check is shared code: once per backend is enough
    ("format changed by an upgrade", "whoosh"), ("folder deleted", "whoosh"), ("stems changed by an upgrade", "whoosh"),
    pytest.param("folder deleted", "tantivy", marks=pytest.mark.skipif(not HAS_TANTIVY, reason="no tantivy")),
    pytest.param("stems changed by an upgrade", "tantivy",
                 marks=pytest.mark.skipif(not HAS_TANTIVY, reason="no tantivy"))])
def test_a_command_line_search_refills_an_index_that_lost_everything(tmp_path: Path, how: str,
                                                                     search_backend: str) -> None:
    """Before, the CLI answered "no matches" on a full archive until someone thought of `clipindex reindex`."""
    data = tmp_path / "data"
    cli = [sys.executable, "-m", "api.cli"]
    env = {**os.environ, "CLIPINDEX_SEARCH_BACKEND": search_backend}
    folder = index_dir(data, search_backend)
    fixture = Path(__file__).parent / "fixtures" / "captions_ru.vtt"
    subprocess.run([*cli, "ingest", str(fixture), "--language", "ru", "--quiet", "--data-dir", str(data)],
                   check=True, capture_output=True, env=env)
    assert (folder / "clipindex.json").exists(), "the backend's own folder"
    marker = folder / "clipindex.json"
    if how == "folder deleted":
        shutil.rmtree(folder)
    elif how == "stems changed by an upgrade":  # the backend's format as it is, the passages stemmed otherwise
        marker.write_text(json.dumps({**json.loads(marker.read_text()), "stems": "stems/1"}))
    else:
        marker.write_text(json.dumps({"format": "clipindex-passages/0"}))
    found = subprocess.run([*cli, "search", "мост", "--json", "--data-dir", str(data)], capture_output=True,
                           text=True, check=True, env=env)
    assert json.loads(found.stdout), found.stderr
    assert "the search index lacks 1 of the archive's transcribed videos" in found.stderr
    again = subprocess.run([*cli, "search", "мост", "--json", "--data-dir", str(data)], capture_output=True,
                           text=True, check=True, env=env)
    assert json.loads(again.stdout) and again.stderr == "", "the second search only reads"


@pytest.mark.slow
@pytest.mark.parametrize("how", ["stems changed by an upgrade", "folder deleted"])
def test_an_ingest_before_the_first_search_after_an_upgrade_leaves_the_refill_to_it(tmp_path: Path, how: str) -> None:
    """The first process to open an index of other stems (or none) makes it anew, empty; where that was an ingest,
    its own video made the index no longer empty, and every later command-line search answered from that video
    alone while the rest of the archive was listed ready. Making it anew leaves the refill's mark now."""
    data = tmp_path / "data"
    cli = [sys.executable, "-m", "api.cli"]
    folder = index_dir(data, "whoosh")
    fixtures = Path(__file__).parent / "fixtures"
    subprocess.run([*cli, "ingest", str(fixtures / "captions_ru.vtt"), "--language", "ru", "--quiet", "--data-dir",
                    str(data)], check=True, capture_output=True)
    marker = folder / "clipindex.json"
    if how == "folder deleted":
        shutil.rmtree(folder)
    else:
        marker.write_text(json.dumps({**json.loads(marker.read_text()), "stems": "stems/1"}))
    later = tmp_path / "later.srt"
    later.write_text("1\n00:00:01,000 --> 00:00:04,000\nThe ferry runs again from Monday.\n", encoding="utf-8")
    subprocess.run([*cli, "ingest", str(later), "--language", "en", "--quiet", "--data-dir", str(data)],
                   check=True, capture_output=True)
    found = subprocess.run([*cli, "search", "мост", "--json", "--data-dir", str(data)], capture_output=True,
                           text=True, check=True)
    assert json.loads(found.stdout), found.stderr
    assert "the search index lacks 1 of the archive's transcribed videos" in found.stderr
    ferry = subprocess.run([*cli, "search", "ferry", "--json", "--data-dir", str(data)], capture_output=True,
                           text=True, check=True)
    assert json.loads(ferry.stdout) and ferry.stderr == "", "the refill is done once"


def test_edits_made_while_a_reindex_builds_are_in_the_index_it_switches_to(backend_settings: Settings) -> None:
    """A correction, or a video's new channel, made while `reindex` built went into the generation it then
    replaced: the store had the change, and search went back to the old words and the old channel, until the next
    reindex. Writers note what they change; the rebuild writes those videos again after it switches."""
    svc = Clipindex(backend_settings)
    for name in ("captions_ru.vtt", "captions_uz.srt"):
        assert [r.status for r in svc.ingest(str(FIXTURES / name), IngestOptions())] == ["ingested"]
    first, second = (v.id for v in svc.videos())
    [word] = [w for w in svc.transcript(first).words if w.text.strip(",.") == "Каменку"][:1]
    editor = Clipindex(backend_settings)  # another writer: an API server, a CLI command
    edited: list[str] = []

    def meanwhile(done: int, _total: int) -> None:  # both videos read into the new generation, before its switch
        if done == 2 and not edited:
            editor.correct_words(first, word.start, word.end, "Заречье")
            editor.update_video(second, channel="Moved Channel")
            edited.append("done")

    assert svc.index.reindex(meanwhile) > 0 and edited
    hits = svc.search("Заречье", mode="keyword").hits
    assert [h.video_id for h in hits] == [first], hits
    assert not [h for h in svc.search("Каменку", mode="keyword", limit=50).hits
                if h.video_id == first and abs(h.start - word.start) < 0.05]  # the words replaced are gone
    said = next(w.text.strip(",.") for w in svc.transcript(second).words if len(w.text) > 6)
    assert [h.video_id for h in svc.search(said, channel="Moved Channel", mode="keyword").hits][:1] == [second]


@pytest.mark.slow
def test_a_reindex_stopped_by_sigterm_leaves_no_half_built_folder_and_says_so(settings: Settings) -> None:
    """SIGTERM killed `reindex` without a word (exit 143) and left its half-built generation on disk; Ctrl-C said
    "finished steps are kept; run the same command again to resume", which a reindex does not do."""
    svc = Clipindex(settings)
    for n in range(500):
        vid = f"file:{n:04d}"
        video, transcript, _ = _video(n)
        svc.store.put_video(replace(video, id=vid))
        svc.store.put_transcript(replace(transcript, video_id=vid))
    index = settings.data_dir / "index"
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(settings.data_dir)}
    for _attempt in range(5):
        done = {p.name for p in index.glob("g-*")}  # generations that earlier attempts completed
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "reindex", "--quiet"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not {p.name for p in index.glob("g-*")} - done and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # the new generation's folder: the build has begun
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        if (index / CURRENT).exists() and (index / CURRENT).read_text().strip() not in done:
            continue  # on a loaded machine the whole build ran before this process looked: it switched first
        assert proc.returncode == 130, (proc.returncode, err)
        assert "interrupted: the index in use is unchanged" in err and "resume" not in err, err
        assert {p.name for p in index.glob("g-*")} == done, list(index.glob("g-*"))
        return
    pytest.fail("every reindex finished before its SIGTERM could be sent")
