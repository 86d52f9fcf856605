"""Choosing the search backend (CLIPINDEX_SEARCH_BACKEND): a clear error for an unknown one or a missing package,
each backend in its own folder, and an archive switched to another backend refilled from the store."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from indexer.config import MISSING_TANTIVY, Settings, load_settings
from indexer.errors import InvalidInput
from indexer.search.base import index_class, index_dir, open_index
from indexer.service import Clipindex, IngestOptions
from tests.conftest import FIXTURES, HAS_TANTIVY


def test_an_unknown_backend_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown search backend 'lucene'.*whoosh, tantivy"):
        load_settings(env={"CLIPINDEX_SEARCH_BACKEND": "lucene"}, data_dir=tmp_path)
    with pytest.raises(InvalidInput, match="unknown search backend 'lucene'"):
        open_index(tmp_path / "index", "lucene")
    result = CliRunner().invoke(app, ["search", "bridge", "--data-dir", str(tmp_path)],
                                env={"CLIPINDEX_SEARCH_BACKEND": "lucene"})
    assert result.exit_code != 0 and "unknown search backend 'lucene'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_tantivy_package_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tantivy", None)  # what `import tantivy` meets where it is not installed
    monkeypatch.delitem(sys.modules, "indexer.search.tantivy_index", raising=False)
    with pytest.raises(InvalidInput) as caught:
        load_settings(env={"CLIPINDEX_SEARCH_BACKEND": "tantivy"}, data_dir=tmp_path)
    assert str(caught.value) == MISSING_TANTIVY and "pip install 'clipindex[scale]'" in MISSING_TANTIVY
    with pytest.raises(InvalidInput, match="needs the tantivy package"):
        index_class("tantivy")
    assert load_settings(env={}, data_dir=tmp_path).search_backend == "whoosh", "Whoosh needs nothing more"


@pytest.mark.skipif(not HAS_TANTIVY, reason="the tantivy package is not installed")
def test_an_archive_switched_to_tantivy_is_refilled_in_its_own_folder(settings: Settings) -> None:
    svc = Clipindex(settings)
    [done] = svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
    assert svc.search("Каменке").hits and (settings.data_dir / "index" / "clipindex.json").exists()
    switched = Clipindex(replace(settings, search_backend="tantivy"))
    assert switched.index.backend.path == index_dir(settings.data_dir, "tantivy") != index_dir(settings.data_dir,
                                                                                               "whoosh")
    assert switched.search("Каменке").hits == [], "a new, empty index: Whoosh's is not read"
    assert switched.index.refill_if_empty() == 1
    assert {h.video_id for h in switched.search("Каменке").hits} == {done.video_id}  # said at two moments
    assert svc.search("Каменке").hits, "the Whoosh index is left as it was"


def test_a_refill_stopped_part_way_is_finished_by_the_next_search(settings: Settings, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade's first search refills the recreated index; stopped part-way (Ctrl-C, a service stop), the index
    it left held some videos, so no later search refilled it again: the others stayed unsearchable for good while
    `videos` listed them as ready."""
    svc = Clipindex(settings)
    words = ["zqalphax", "zqbravox", "zqcharliex", "zqdeltax"]
    for n, word in enumerate(words):
        path = tmp_path / f"report{n}.srt"
        path.write_text(f"1\n00:00:01,000 --> 00:00:04,000\nThe council spoke of {word} today.\n", encoding="utf-8")
        list(svc.ingest(str(path), IngestOptions(language="en")))
    upgraded = Clipindex(settings)
    upgraded.index.flush()
    upgraded.index.backend.clear()  # emptied, as an upgrade that changes the index's format recreates it
    real, done = upgraded.index.index_video, []

    def stopped(video_id: str, *, batched: bool = False) -> int:
        if len(done) == 2:
            upgraded.index.flush()  # two videos' passages committed, as a long refill commits batch by batch
            raise KeyboardInterrupt
        done.append(video_id)
        return real(video_id, batched=batched)

    monkeypatch.setattr(upgraded.index, "index_video", stopped)
    with pytest.raises(KeyboardInterrupt):
        upgraded.index.refill_if_empty()
    monkeypatch.undo()
    again = Clipindex(upgraded.settings)
    assert not again.index.backend.is_empty()
    assert again.index.refill_if_empty() == 2
    assert all(again.search(word, mode="keyword").hits for word in words)
    assert again.index.refill_if_empty() == 0  # finished: the next search counts nothing
