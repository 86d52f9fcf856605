"""Whoosh's postings decoded on disk beside each large segment (indexer/search/whoosh_decoded.py): the same lists
as parsing Whoosh's blocks gives, written after a commit by a child process, picked up by readers that started
without them, removed with their segment, and ignored (then written again) when damaged."""

from __future__ import annotations

import fcntl
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT, Schema

from indexer.search import index as search_index
from indexer.search import whoosh_arrays, whoosh_decoded, whoosh_gather, whoosh_merge
from indexer.search.index import SearchIndex
from indexer.search.whoosh_arrays import read_postings
from indexer.search.whoosh_decoded import decode, decode_missing, open_decoded, path_for, wait_children
from indexer.search.whoosh_merge import wait_children as wait_for_mergers
from indexer.search.whoosh_policy import MERGE_AT
from tests.test_search import make_transcript, video
from tests.test_whoosh_arrays import QUERIES, _arrays, _sentences, _whoosh
from tests.test_whoosh_merge import _state


@pytest.fixture
def decode_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every segment counts as large (here and in the decoder's child processes)."""
    monkeypatch.setenv("CLIPINDEX_DECODED_MIN_DOCS", "0")
    monkeypatch.setattr(whoosh_decoded, "MIN_DOCS", 0)


@pytest.fixture
def no_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """No decoder process starts: the test decodes when it wants to."""
    for module in (whoosh_arrays, search_index):
        monkeypatch.setattr(module, "decode_later", lambda folder: None)


def _add(ix: SearchIndex, rng: random.Random, batch: int, videos: int = 40) -> None:
    items = []
    for n in range(videos):
        vid = f"file:{batch}-{n}"
        tr, _ = make_transcript(vid, _sentences(rng, 30))
        items.append((video(vid, channel=f"ch{n % 3}"), tr, []))
    ix.add_many(items)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of several segments with deleted documents, no decoded files; each test searches a copy."""
    path = tmp_path_factory.mktemp("decoded") / "index"
    rng = random.Random(11)
    ix = SearchIndex(path)
    for batch in range(3):  # a commit each: several segments
        _add(ix, rng, batch)
    for n in range(0, 30, 7):  # re-adding deletes the old passages: segments with deleted documents
        vid = f"file:1-{n}"
        tr, _ = make_transcript(vid, _sentences(rng, 12))
        ix.add(video(vid, channel="ch0"), tr)
    wait_for_mergers()  # a merger its commits started must be done: tests copy the folder, which it rewrites
    wait_children()
    assert not list(path.rglob(f"*{whoosh_decoded.SUFFIX}")), "small segments: none decoded by default"
    return path


@pytest.fixture
def built(original: Path, tmp_path: Path) -> SearchIndex:
    shutil.copytree(original, tmp_path / "index")
    return SearchIndex(tmp_path / "index")


def _folder(ix: SearchIndex) -> Path:
    return Path(ix._index().storage.folder)


def _segments(ix: SearchIndex) -> list[str]:
    return [sub.reader().segment().segment_id() for sub, _ in ix.searcher().leaf_searchers()]


@pytest.mark.slow
def test_decoded_lists_equal_the_parsed_ones(built: SearchIndex, decode_all: None) -> None:
    ix = built
    folder = _folder(ix)
    decode_missing(folder)
    readers = [sub.reader() for sub, _ in ix.searcher().leaf_searchers()]
    assert len(readers) >= 3 and any(r.has_deletions() for r in readers)
    compared = long_lists = 0
    for reader in readers:
        decoded = open_decoded(folder, reader.segment().segment_id())
        assert decoded is not None and decoded.weights.dtype == np.uint8  # term counts: whole and small
        for field in ("stem", "keys", "pairs"):
            for text in (t.decode() for t in reader.lexicon(field)):
                want = read_postings(reader, field, text)
                got = read_postings(reader, field, text, decoded)
                assert got[0].tolist() == want[0].tolist(), (field, text)
                assert got[1].astype(np.float32).tolist() == want[1].tolist(), (field, text)
                compared += 1
                long_lists += len(want[0]) > 128
    assert compared > 1000 and long_lists, "lists of one posting and of several blocks"
    assert read_postings(readers[0], "keys", "absentword", open_decoded(folder, _segments(ix)[0]))[0].size == 0


def test_searches_give_whooshs_hits_with_the_files_and_without(built: SearchIndex, decode_all: None) -> None:
    ix = built
    decode_missing(_folder(ix))
    ix._leaves = None  # a new reader: it finds the files
    found = ix._candidates(None)
    assert all(leaf[4] is not None for leaf in found.leaves._leaves), "every segment read from its file"
    for q in QUERIES:
        want, got = _whoosh(ix, q), _arrays(ix, q)
        assert want and got.keys() == want.keys()
        assert max(abs(got[d] - want[d]) for d in want) < 1e-9


@pytest.mark.slow
def test_a_commit_decodes_in_a_child_and_a_merge_removes_the_old_files(tmp_path: Path, decode_all: None) -> None:
    rng = random.Random(3)
    ix = SearchIndex(tmp_path / "index")
    _add(ix, rng, 0, videos=4)
    wait_children()
    folder = _folder(ix)
    seen = set(_segments(ix))
    assert [path_for(folder, s).exists() for s in seen] == [True]
    for batch in range(1, MERGE_AT):  # five small segments: the merger merges them
        _add(ix, rng, batch, videos=4)
        seen |= set(_segments(ix))
        wait_for_mergers()  # it decodes the segment it made
        wait_children()
        seen |= set(_segments(ix))
    now = set(_segments(ix))
    assert len(seen - now) == 5, "five merged away"
    assert not any(path_for(folder, s).exists() for s in seen - now), "their files went with them"
    assert all(path_for(folder, s).exists() for s in now), "the merged segment decoded too"
    assert not list(folder.glob("*.part*"))


def test_a_segment_merged_away_while_it_is_decoded_leaves_no_file(tmp_path: Path, decode_all: None, no_child: None,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge's clean-up runs before the decoder's file is in (a race CI met): the decoder removes its file."""
    monkeypatch.setattr(search_index, "merge_later", lambda folder, lane: None)
    rng = random.Random(5)
    ix = SearchIndex(tmp_path / "index")
    for batch in range(MERGE_AT):
        _add(ix, rng, batch, videos=4)
    folder = _folder(ix)
    before = set(_segments(ix))
    real_decode = whoosh_decoded.decode
    merged: list[bool] = []

    def merged_meanwhile(where: Path, reader: object) -> Path | None:
        if not merged:  # the first segment read is merged away (and its folder cleaned) before its file is in
            merged.append(whoosh_merge.merge_once(where))
        return real_decode(where, reader)

    monkeypatch.setattr(whoosh_decoded, "decode", merged_meanwhile)
    decode_missing(folder)
    now = set(_segments(ix))
    assert merged == [True] and before - now
    assert not any(path_for(folder, s).exists() for s in before - now), "a file for a segment no longer there"
    assert not list(folder.glob("*.part*"))


def test_a_reader_picks_up_files_written_after_it_opened(built: SearchIndex, decode_all: None, no_child: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whoosh_arrays, "RECHECK_S", 0.0)
    ix = built
    leaves = ix._candidates(None).leaves
    assert len(leaves._missing) == len(_segments(ix))
    want = _arrays(ix, QUERIES[2])
    decode_missing(_folder(ix))
    assert _arrays(ix, QUERIES[2]) == want
    assert not leaves._missing and all(leaf[4] is not None for leaf in leaves._leaves)


@pytest.mark.slow  # 3-4 s: builds and decodes its own index, for the quick lane to stay near a minute
def test_a_damaged_file_is_ignored_removed_and_written_again(built: SearchIndex, decode_all: None, no_child: None,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    ix = built
    folder = _folder(ix)
    decode_missing(folder)
    segment = _segments(ix)[0]
    path = path_for(folder, segment)
    whole = path.read_bytes()
    want = _arrays(ix, QUERIES[3])
    assert b'"weight_type": "<u1"' in whole
    for damage in (whole[: len(whole) // 2], b"NOTMINE!" + whole[8:], whole[:200] + b"\xff" * (len(whole) - 200),
                   whole.replace(b'"weight_type": "<u1"', b'"weight_type": "|O8"', 1), b""):
        path.write_bytes(damage)
        whoosh_decoded._opened.clear()
        ix._leaves = None
        assert open_decoded(folder, segment) is None
        assert "ignoring and removing" in caplog.text
        assert not path.exists()
        assert _arrays(ix, QUERIES[3]) == want  # parsed from Whoosh's blocks meanwhile
        caplog.clear()
        decode_missing(folder)
        assert path.read_bytes() == whole


def test_one_decoder_at_a_time(built: SearchIndex, decode_all: None, no_child: None) -> None:
    ix = built
    folder = _folder(ix)
    stale = path_for(folder, _segments(ix)[0]).with_suffix(".decoded.part99999")
    stale.write_bytes(b"left by a decoder that died")
    with (folder / whoosh_decoded.LOCK).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert decode_missing(folder) == 0, "another process holds the lock: nothing done"
        waiting = ThreadPoolExecutor(1).submit(decode_missing, folder, True)
        time.sleep(0.3)
        assert not waiting.done(), "told to wait: it waits for the lock"
        fcntl.flock(held, fcntl.LOCK_UN)
    assert waiting.result(timeout=60) == len(_segments(ix)), "then it does what is left"
    assert not stale.exists()
    assert decode_missing(folder) == 0, "nothing left"


def test_small_segments_are_left_to_the_parse_path(built: SearchIndex) -> None:
    ix = built  # 2,000 documents a segment is the default bound; these hold about 200
    built.searcher()
    wait_children()
    assert whoosh_decoded.MIN_DOCS > max(sub.reader().doc_count_all() for sub, _ in ix.searcher().leaf_searchers())
    assert decode_missing(_folder(ix)) == 0
    assert not list(_folder(ix).glob("*.decoded"))


def test_weights_with_a_fraction_are_kept_as_float32(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(field_boost=1.5)))
    with ix.writer() as w:
        for n in range(300):
            w.add_document(body=f"river river town n{n % 7}")
    with ix.reader() as reader:
        path = decode(tmp_path, reader)
        assert path is not None
        decoded = open_decoded(tmp_path, reader.segment().segment_id())
        assert decoded is not None and decoded.weights.dtype == np.float32
        ids, weights = read_postings(reader, "body", "river", decoded)
        assert len(ids) == 300 and set(weights.tolist()) == {3.0}
        ids, weights = read_postings(reader, "body", "n3", decoded)
        assert ids.tolist() == list(range(3, 300, 7)) and set(weights.tolist()) == {1.5}


@pytest.mark.parametrize("raw, want", [("", 2000), ("0", 0), ("50000", 50000), ("-3", 2000), ("many", 2000)])
def test_the_size_setting(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, raw: str,
                          want: int) -> None:
    monkeypatch.setenv("CLIPINDEX_DECODED_MIN_DOCS", raw)
    assert whoosh_decoded._min_docs() == want
    assert ("is not a whole number" in caplog.text) == (raw in ("-3", "many"))


@pytest.mark.slow
def test_the_decoder_process_says_why_it_failed(tmp_path: Path) -> None:
    def decoder(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "indexer.search.whoosh_decoded", *args], capture_output=True,
                              text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])

    failed = decoder(str(tmp_path))  # a folder with no index in it
    assert failed.returncode == 1 and f"decoding the postings of {tmp_path} failed" in failed.stderr
    gone = decoder(str(tmp_path / "swept"))  # a generation swept away meanwhile: nothing to tell
    assert gone.returncode == 0 and gone.stderr == ""
    assert decoder().returncode == 2


@pytest.mark.slow
def test_a_merge_writes_the_merged_segments_file_as_the_decoder_would(tmp_path: Path, decode_all: None,
                                                                      no_child: None,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "merge_later", lambda folder, lane: None)  # the test merges
    monkeypatch.setattr(whoosh_gather.Gathered, "SPILL", 100)  # the postings written out many times, in chunks
    rng = random.Random(5)
    ix = SearchIndex(tmp_path / "index")
    for batch in range(MERGE_AT):
        _add(ix, rng, batch, videos=3 + 2 * batch)  # segments of different sizes
    tr, _ = make_transcript("file:2-1", _sentences(rng, 12))
    ix.add(video("file:2-1", channel="ch1"), tr)  # its old passages deleted: a source renumbered
    folder = _folder(ix)
    with whoosh_index.open_dir(str(folder)).reader() as top:
        leaves = [r for r, _ in top.leaf_readers()]
        assert any(r.has_deletions() for r in leaves)
        # all but the smallest decoded: lists taken from the sources' files, shifted or renumbered, and parsed
        for reader in sorted(leaves, key=lambda r: r.doc_count_all())[1:]:
            decode(folder, reader)
    before = set(_segments(ix))
    assert whoosh_merge.merge_once(folder)
    [merged] = set(_segments(ix)) - before
    made = path_for(folder, merged).read_bytes()
    assert not list(folder.glob("*.part*")) and not (folder / whoosh_merge.WORK).exists()
    path_for(folder, merged).unlink()
    with whoosh_index.open_dir(str(folder)).reader() as top:
        [reader] = [r for r, _ in top.leaf_readers() if r.segment().segment_id() == merged]
        assert decode(folder, reader) == path_for(folder, merged)
        assert reader.doc_count_all() > 50
    assert path_for(folder, merged).read_bytes() == made, "the same file as the decoder writes from the segment"
    decoded = open_decoded(folder, merged)
    assert decoded is not None and len(decoded.offsets) > 1000


@pytest.mark.slow
def test_a_merge_whose_gathering_fails_still_merges_and_leaves_the_file_to_the_decoder(
        built: SearchIndex, decode_all: None, no_child: None, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def full_disk(self: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(whoosh_gather.Gathered, "_spill", full_disk)
    monkeypatch.setattr(whoosh_merge, "pick", lambda segments, lane=None: list(segments))  # every segment, in one merge
    monkeypatch.setattr(whoosh_merge, "lasting", lambda segments, chosen: True)
    ix, folder = built, _folder(built)
    before = _state(ix)
    assert whoosh_merge.merge_once(folder)
    [merged] = _segments(ix)
    assert not path_for(folder, merged).exists() and "left to the decoder" in caplog.text
    assert not list(folder.glob("*.part*")) and not (folder / whoosh_merge.WORK).exists()
    assert _state(ix) == before, "the same passages and hits"
    monkeypatch.undo()
    monkeypatch.setattr(whoosh_decoded, "MIN_DOCS", 0)
    assert decode_missing(folder) == 1 and open_decoded(folder, merged) is not None
