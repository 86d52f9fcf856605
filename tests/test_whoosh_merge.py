"""Whoosh's segments merged outside the write lock (indexer/search/whoosh_merge.py): a commit no longer merges, the
merger's segment holds exactly the live passages (deletions made while it worked carried over), commits go on while
it works, and a merge whose segments went meanwhile, or a merger that died, leaves the index as it was."""

from __future__ import annotations

import gc
import random
import sys
import threading
import time
import traceback
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from indexer.search import index as search_index
from indexer.search import whoosh_merge
from indexer.search.index import MAX_SEGMENTS, SearchIndex
from indexer.search.whoosh_arrays import CACHE
from indexer.search.whoosh_merge import LOCKS, WORKS, merge_all, merge_once, wait_children
from indexer.search.whoosh_policy import HARD_LIMIT, LANE_TIER, LANES, LARGE, MERGE_AT, SMALL, lasting, pick, tier
from tests.test_search import make_transcript, video
from tests.test_whoosh_arrays import _sentences
from tests.waiting import wait_until


@pytest.fixture
def no_merger(monkeypatch: pytest.MonkeyPatch) -> None:
    """No merger process starts: the test merges when it wants to."""
    monkeypatch.setattr(search_index, "merge_later", lambda folder, lane: None)


def _add(ix: SearchIndex, name: str, rng: random.Random, sentences: int = 6) -> None:
    tr, _ = make_transcript(name, _sentences(rng, sentences))
    ix.add(video(name), tr)  # a commit: a segment


def _segments(ix: SearchIndex) -> list[Any]:
    return list(ix._index()._segments())


def _folder(ix: SearchIndex) -> Path:
    return Path(ix._index().storage.folder)


def _videos_in(ix: SearchIndex, segment: Any) -> str:
    """The one video a segment of these tests holds (a commit each)."""
    reader = SegmentReader(ix._index().storage, ix._index().schema, segment)
    try:
        [video_id] = {fields["video_id"] for fields in reader.all_stored_fields()}
    finally:
        reader.close()
    return str(video_id)


def _state(ix: SearchIndex) -> tuple[set[str], list[str], list[set[str]]]:
    """What a reader sees: the videos, every live passage's id, and which videos a few searches find (all of them:
    the order of passages that score alike follows document numbers, which a merge changes)."""
    with ix._index().searcher() as s:
        passages = sorted(fields["pid"] for fields in s.all_stored_fields())
    queries = ("bridge council", "word203 end", "river water")
    found = [{h.video_id for h in ix.search(q, limit=100).hits} for q in queries]
    return ix.video_ids(), passages, found


def _work_left(folder: Path) -> bool:
    """Whether a merger's work folder (of either lane) is still there."""
    return any((folder / work).exists() for work in WORKS.values())


def _filled(path: Path, commits: int) -> SearchIndex:
    rng = random.Random(5)
    ix = SearchIndex(path)
    for n in range(commits):
        _add(ix, f"file:v{n}", rng)
    return ix


@pytest.mark.slow
def test_a_commit_leaves_merging_to_the_merger_which_keeps_every_passage(tmp_path: Path, no_merger: None) -> None:
    ix = _filled(tmp_path / "index", MAX_SEGMENTS + 2)
    assert len(_segments(ix)) == MAX_SEGMENTS + 2, "no commit merged (before the merger: the tenth merged five)"
    before = _state(ix)
    first = {s.segment_id() for s in pick(_segments(ix))}
    made = merge_all(_folder(ix))
    after = _segments(ix)
    assert made >= 2 and len(after) == MAX_SEGMENTS + 2 - (MERGE_AT - 1) * made
    assert not pick(after) and not first & {s.segment_id() for s in after}
    assert sum(s.doc_count_all() for s in after) == len(before[1])
    assert _state(SearchIndex(tmp_path / "index")) == before == _state(ix)
    assert not _work_left(_folder(ix))


class _Size:
    """What `pick` reads of a segment."""

    def __init__(self, passages: int) -> None:
        self.passages = passages

    def doc_count(self) -> int:
        return self.passages

    doc_count_all = doc_count


def test_a_merge_joins_segments_of_one_size() -> None:
    sizes = [60_000, 11_000, 10_500, 10_400, 10_100, 10_000, 1_900, 400, 400, 390]
    assert sorted(s.passages for s in pick([_Size(n) for n in sizes])) == [10_000, 10_100, 10_400, 10_500, 11_000]
    assert pick([_Size(n) for n in (60_000, 11_000, 400, 400, 390, 380)]) == [], "no tier holds five"
    assert sorted(s.passages for s in pick([_Size(n) for n in (60_000, 400, 400, 390, 380, 700)])) == [
        380, 390, 400, 400, 700]
    # four in each of five tiers: no tier is full, but past MAX_SEGMENTS the five smallest are merged
    spread = [_Size(n) for base in (100, 3_000, 15_000, 70_000, 400_000) for n in (base, base + 1, base + 2, base + 3)]
    assert len(spread) == MAX_SEGMENTS and not pick(spread[:-1])
    assert sorted(s.passages for s in pick(spread)) == [100, 101, 102, 103, 3_000]


def test_a_merge_knows_whether_its_segment_is_merged_again_at_once() -> None:
    small = [_Size(n) for n in (1_000, 1_000, 1_000, 1_000, 1_000)]  # they make one of 5,000, tier 1
    three = [_Size(n) for n in (5_200, 5_100, 5_000)]
    four = three + [_Size(4_900)]
    assert lasting([_Size(90_000), *three, *small], small), "a fourth of its tier: it stays"
    assert not lasting([_Size(90_000), *four, *small], small), "the fifth: merged into one of 25,000 at once"


def test_each_passage_is_rewritten_about_once_per_tier() -> None:
    """400-passage commits up to 200,000 passages, each merge made as soon as `pick` finds it. The policy before
    (the five smallest once there were ten) merged the new small segments into the same growing one every few
    commits: 10.8 passages rewritten per passage added; the tiers, about once per tier (3.4)."""
    segments: list[_Size] = []
    rewritten, most = 0, 0
    for _ in range(500):
        segments.append(_Size(400))
        while chosen := pick(segments):
            segments = [s for s in segments if all(s is not c for c in chosen)]
            segments.append(_Size(sum(c.passages for c in chosen)))
            rewritten += segments[-1].passages
        most = max(most, len(segments))
    assert sum(s.passages for s in segments) == 200_000
    assert rewritten / 200_000 < 4
    assert most < MAX_SEGMENTS


@pytest.mark.slow
def test_deletions_made_while_the_merger_works_are_carried_over(tmp_path: Path, no_merger: None,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ix = _filled(tmp_path / "index", MAX_SEGMENTS)
    chosen = pick(_segments(ix))
    in_chosen = sorted(_videos_in(ix, seg) for seg in chosen)
    ix.delete(in_chosen[0])  # deleted before: left out of the merged segment
    victims = in_chosen[1:4] + sorted(ix.video_ids() - set(in_chosen))[:1]  # three in it, one elsewhere
    smallest = {s.segment_id() for s in chosen}
    real_swap = whoosh_merge._swap

    def swap_after_deletes(*args: Any) -> bool:
        other = SearchIndex(tmp_path / "index")  # another process's writer, while the merged segment is written
        for v in victims:
            other.delete(v)
        return real_swap(*args)

    monkeypatch.setattr(whoosh_merge, "_swap", swap_after_deletes)
    before_ids = {s.segment_id() for s in _segments(ix)}
    assert merge_once(_folder(ix))
    assert not smallest & {s.segment_id() for s in _segments(ix)}, "the five smallest were replaced"
    merged = [s for s in _segments(ix) if s.segment_id() not in before_ids]
    assert len(merged) == 1 and merged[0].deleted_count() > 0, "the deletions made meanwhile, carried over"
    fresh = SearchIndex(tmp_path / "index")
    gone = set(victims) | {in_chosen[0]}
    assert fresh.video_ids() == {f"file:v{n}" for n in range(MAX_SEGMENTS)} - gone
    assert all(fresh.passage_count(v) == 0 for v in gone)
    assert not any(h.video_id in gone for h in fresh.search("harbour bridge council word17").hits)


def test_commits_go_on_while_a_merge_is_written(tmp_path: Path, no_merger: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    ix = _filled(tmp_path / "index", MAX_SEGMENTS)
    from indexer.search import whoosh_perdoc

    reading, go_on = threading.Event(), threading.Event()
    real_copy = whoosh_perdoc.copy_documents

    def held(*args: Any) -> Any:  # the merge is copying its sources' documents
        reading.set()
        assert go_on.wait(30)
        return real_copy(*args)

    monkeypatch.setattr(whoosh_perdoc, "copy_documents", held)
    result: list[bool] = []
    merger = threading.Thread(target=lambda: result.append(merge_once(_folder(ix))))
    merger.start()
    try:
        assert reading.wait(30)
        writer = SearchIndex(tmp_path / "index")
        _add(writer, "file:during", random.Random(9))  # would raise IndexBusy if the merge held the lock
        writer.delete("file:v9")
    finally:
        go_on.set()
        merger.join(60)
    assert result == [True]
    fresh = SearchIndex(tmp_path / "index")
    assert "file:during" in fresh.video_ids() and "file:v9" not in fresh.video_ids()
    assert len(_segments(fresh)) == MAX_SEGMENTS + 1 - MERGE_AT + 1


def test_a_merge_whose_segments_went_meanwhile_is_dropped(tmp_path: Path, no_merger: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ix = _filled(tmp_path / "index", MAX_SEGMENTS)
    real_swap = whoosh_merge._swap

    def swap_after_clear(*args: Any) -> bool:
        SearchIndex(tmp_path / "index").clear()
        return real_swap(*args)

    monkeypatch.setattr(whoosh_merge, "_swap", swap_after_clear)
    assert not merge_once(_folder(ix))
    fresh = SearchIndex(tmp_path / "index")
    assert fresh.video_ids() == set() and fresh.search("harbour").hits == []
    assert not _work_left(_folder(ix))
    assert not [p for p in _folder(ix).iterdir() if p.suffix == ".seg"], "the merged segment went too"


@pytest.mark.slow
def test_what_a_dead_merger_left_is_cleared(tmp_path: Path, no_merger: None) -> None:
    ix = _filled(tmp_path / "index", MAX_SEGMENTS)
    folder = _folder(ix)
    for work in WORKS.values():  # a dead merger in each lane
        (folder / work).mkdir()
        (folder / work / "MAIN_deadbeefdeadbeef.seg").write_bytes(b"half a segment")
    orphan = folder / "MAIN_0123456789abcdef.seg"  # moved in, but the merger died before the table was written
    orphan.write_bytes(b"a segment no table names")
    before = _state(ix)
    assert merge_all(folder) >= 1
    assert not _work_left(folder) and not orphan.exists()
    assert _state(SearchIndex(tmp_path / "index")) == before


def test_the_lanes_split_the_segments_by_size_and_never_pick_the_same() -> None:
    """A bulk load's twenty segments of 50,000 and a few commits' small ones: the large lane merges five of the
    former, the small lane the latter, at the same time."""
    bulk = [_Size(50_000) for _ in range(20)]
    small = [_Size(n) for n in (400, 390, 380, 420, 410)]
    assert pick(bulk + small, SMALL) == sorted(small, key=lambda s: s.passages)
    assert len(pick(bulk + small, LARGE)) == MERGE_AT and all(s in bulk for s in pick(bulk + small, LARGE))
    assert pick(bulk + small) == pick(bulk + small, SMALL), "the whole index's next merge: the small one first"
    spread = [_Size(n) for base in (100, 3_000, 15_000, 70_000, 400_000) for n in (base, base + 1, base + 2, base + 3)]
    assert sorted(s.passages for s in pick(spread, SMALL)) == [100, 101, 102, 103, 3_000], "past MAX_SEGMENTS"
    assert pick(spread, LARGE) == [], "the small lane has segments to bound the count with"
    lone = spread[7:]  # one small segment left: past MAX_SEGMENTS the large lane merges its five smallest
    lone += [_Size(2_000_000 + n) for n in range(4)] + [_Size(9_000_000 + n) for n in range(3)]  # no tier full
    assert len(lone) == MAX_SEGMENTS
    assert pick(lone, SMALL) == [] and sorted(s.passages for s in pick(lone, LARGE)) == [
        15_000, 15_001, 15_002, 15_003, 70_000]
    rng = random.Random(3)
    for _ in range(300):
        segments = [_Size(int(rng.lognormvariate(8, 2.5)) + 1) for _ in range(rng.randrange(1, 35))]
        mine, theirs = pick(segments, SMALL), pick(segments, LARGE)
        assert not {id(s) for s in mine} & {id(s) for s in theirs}
        assert all(tier(s.passages) < LANE_TIER for s in mine) and all(tier(s.passages) >= LANE_TIER for s in theirs)


def test_while_the_large_lane_merges_the_small_segments_stay_few() -> None:
    """The bulk load's twenty segments of 50,000, then 400-passage commits, each merge made as soon as its lane is
    free; a large merge keeps its lane busy for a commit per 2,000 passages it writes. With one lane the small
    segments waited behind the large merges and reached HARD_LIMIT (where the commits merge themselves)."""
    def most_segments(lanes: tuple[str | None, ...]) -> int:
        segments = [_Size(50_000) for _ in range(20)]
        busy = dict.fromkeys(lanes, 0)
        most = 0
        for _ in range(600):
            segments.append(_Size(400))
            for lane in lanes:
                busy[lane] -= 1
                if busy[lane] <= 0 and (chosen := pick(segments, lane)):
                    segments = [s for s in segments if all(s is not c for c in chosen)]
                    segments.append(_Size(sum(c.passages for c in chosen)))
                    busy[lane] = segments[-1].passages // 2_000 if tier(segments[-1].passages) > LANE_TIER else 1
            most = max(most, len(segments))
        return most

    assert most_segments((None,)) >= HARD_LIMIT
    assert most_segments(LANES) < HARD_LIMIT


def test_a_lane_merges_only_its_own_segments(tmp_path: Path, no_merger: None) -> None:
    ix = _filled(tmp_path / "index", MERGE_AT + 1)
    before = [seg.segment_id() for seg in _segments(ix)]
    assert not merge_once(_folder(ix), LARGE), "every segment is small"
    assert [seg.segment_id() for seg in _segments(ix)] == before
    assert merge_once(_folder(ix), SMALL)
    assert len(_segments(ix)) == 2 and len(ix.video_ids()) == MERGE_AT + 1 and not _work_left(_folder(ix))


@pytest.mark.slow
def test_small_segments_are_merged_while_a_large_merge_holds_its_lane(tmp_path: Path) -> None:
    """The large lane's lock held all along, as by a merger writing a segment of 250,000 passages for minutes:
    the commits' small segments are still merged by their own lane's merger, in a child process. With one merger
    per index they waited, and the commits reached HARD_LIMIT and merged themselves."""
    import fcntl

    rng = random.Random(8)
    ix = SearchIndex(tmp_path / "index")
    folder = _folder(ix)
    with (folder / LOCKS[LARGE]).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        for n in range(3 * MAX_SEGMENTS):
            _add(ix, f"file:v{n}", rng, sentences=3)
        wait_children()
        assert len(_segments(ix)) < MAX_SEGMENTS
        assert len(ix.video_ids()) == 3 * MAX_SEGMENTS and not _work_left(folder)


@pytest.mark.slow
def test_past_the_hard_limit_a_commit_merges_itself(tmp_path: Path, no_merger: None) -> None:
    ix = _filled(tmp_path / "index", HARD_LIMIT + 1)
    assert len(_segments(ix)) == HARD_LIMIT + 1 - MERGE_AT  # 30, less five, and the one they became
    assert len(ix.video_ids()) == HARD_LIMIT + 1


@pytest.mark.slow
def test_the_merger_process_runs_after_commits_and_keeps_up(tmp_path: Path) -> None:
    rng = random.Random(8)
    ix = SearchIndex(tmp_path / "index")
    for n in range(3 * MAX_SEGMENTS):
        _add(ix, f"file:v{n}", rng, sentences=3)
    wait_children()
    assert len(_segments(ix)) < MAX_SEGMENTS
    assert len(ix.video_ids()) == 3 * MAX_SEGMENTS
    assert not _work_left(_folder(ix))


def _merged_by(way: str, ix: SearchIndex, work: Path) -> Any:
    """The five smallest segments merged into `work`, by whoosh_merge's writer or by Whoosh's own `add_reader`;
    a reader on the result."""
    from whoosh.filedb.filestore import FileStorage

    from indexer.search.whoosh_decoded import open_decoded

    work.mkdir()
    wix = ix._index()
    toc = wix._read_toc()
    chosen = pick(toc.segments)
    readers = [SegmentReader(wix.storage, toc.schema, seg) for seg in chosen]
    writer = SegmentWriter(whoosh_merge._Staged(FileStorage(str(work)), wix.indexname, toc), _lk=False)
    if way == "ours":
        live = []
        first = 0
        for seg in chosen:
            docs = np.array([d for d in range(seg.doc_count_all()) if not seg.is_deleted(d)], dtype=np.int64)
            live.append((seg.segment_id(), set(seg.deleted_docs()), first, docs))
            first += len(docs)
        decoded = [open_decoded(_folder(ix), seg.segment_id()) for seg in chosen]
        merged = whoosh_merge._write(writer, readers, decoded, live)
    else:
        for reader in readers:
            writer.add_reader(reader)
        merged = writer._finalize_segment()
    writer._tempstorage.destroy()
    return SegmentReader(FileStorage(str(work)), toc.schema, merged)


def _everything(reader: Any) -> dict[str, Any]:
    postings = {}
    for field, text in reader.all_terms():
        info = reader.term_info(field, text)
        m, items = reader.postings(field, text), []
        while m.is_active():
            items.append((m.id(), m.weight(), m.value()))
            m.next()
        postings[(field, text)] = (items, info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                   info.max_weight())
    lengths = {(d, f): reader.doc_field_length(d, f) for d in range(reader.doc_count_all())
               for f in ("stem", "keys", "pairs")}
    keys = reader.column_reader("keys", translate=False) if reader.has_column("keys") else None
    return {"docs": reader.doc_count_all(), "stored": list(reader.all_stored_fields()), "lengths": lengths,
            "postings": postings, "totals": {f: reader.field_length(f) for f in ("stem", "keys", "pairs")},
            "keys column": None if keys is None else [keys[d] for d in range(reader.doc_count_all())]}


@pytest.mark.parametrize("compress_from", [0, 64])
def test_our_merge_writes_the_segment_whoosh_would(tmp_path: Path, no_merger: None, monkeypatch: pytest.MonkeyPatch,
                                                   compress_from: int) -> None:
    """Segments with every posting block compressed (0, as Whoosh writes them) or the small ones plain (64); the
    term tables read in pieces that end inside rows (0) or whole (64)."""
    from indexer.search import whoosh_arrays, whoosh_decoded, whoosh_perdoc, whoosh_write

    monkeypatch.setattr(whoosh_write, "COMPRESS_FROM", compress_from)
    if compress_from == 0:
        monkeypatch.setattr(whoosh_arrays, "TABLE_CHUNK", 97)
    monkeypatch.setattr(whoosh_decoded, "MIN_DOCS", 0)
    monkeypatch.setattr(search_index, "decode_later", lambda folder: None)
    shifts: list[int] = []  # the terms copied from one source: as they are (0) or numbered on (above 0)
    real_copy_term = whoosh_write.Terms.copy_term

    def copy_term(self: Any, btext: bytes, row: bytes, extent: bytes, shift: int) -> None:
        shifts.append(shift)
        real_copy_term(self, btext, row, extent, shift)

    monkeypatch.setattr(whoosh_write.Terms, "copy_term", copy_term)
    copied_documents: list[int] = []  # the documents copied as their bytes (stored passages, the keys column)
    real_copy_documents = whoosh_perdoc.copy_documents

    def copy_documents(writer: Any, reader: Any, docs: np.ndarray, fields: Any) -> Any:
        copied_documents.append(len(docs))
        return real_copy_documents(writer, reader, docs, fields)

    monkeypatch.setattr(whoosh_perdoc, "copy_documents", copy_documents)
    rng = random.Random(21)
    ix = SearchIndex(tmp_path / "index")
    for n in range(MAX_SEGMENTS):
        _add(ix, f"file:v{n}", rng, sentences=40 if n % 3 == 0 else 8)
    chosen = pick(_segments(ix))
    ix.delete(_videos_in(ix, chosen[1]))  # a source with deleted passages
    assert whoosh_decoded.decode(_folder(ix), SegmentReader(ix._index().storage, ix._index().schema, chosen[0]))
    ours, whooshs = _merged_by("ours", ix, tmp_path / "a"), _merged_by("whoosh", ix, tmp_path / "b")
    mine, theirs = _everything(ours), _everything(whooshs)
    assert 0 in shifts and any(shifts), "terms copied as they were and numbered on"
    assert len(shifts) < len(mine["postings"]), "and terms of several sources or with deletions written anew"
    assert mine["docs"] > 0 and any(len(v[0]) > 1 and v[0][0][1] > 1 for v in mine["postings"].values())
    assert sum(copied_documents) == mine["docs"], "every document copied as its bytes"
    assert mine["keys column"] and all(mine["keys column"]), "the keys column carried over, for every passage"
    assert mine == theirs


@pytest.mark.slow
def test_a_merger_whose_merges_are_taken_by_a_burst_of_commits_waits_and_merges_after(
        tmp_path: Path, no_merger: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past HARD_LIMIT the commits merge the smallest segments themselves, so a merger's picks keep going from under
    it while a burst lasts. It used to give up after three such rounds, and with the burst over no commit was left to
    start another: the index stayed at HARD_LIMIT segments. Now it waits between rounds, longer each time."""
    ix = _filled(tmp_path / "index", 2 * MERGE_AT)
    dropped = []
    real = whoosh_merge.merge_once

    def taken_during_the_burst(folder: Path, lane: str | None = None) -> bool:
        if len(dropped) < whoosh_merge.IDLE_ROUNDS - 1:
            dropped.append(time.monotonic())
            return False  # what merge_once returns when a commit merged a picked segment meanwhile
        return real(folder, lane)

    monkeypatch.setattr(whoosh_merge, "IDLE_WAIT_S", 0.05)
    monkeypatch.setattr(whoosh_merge, "merge_once", taken_during_the_burst)
    assert merge_all(_folder(ix)) >= 2 and not pick(_segments(ix))
    waits = [b - a for a, b in zip(dropped, dropped[1:])]
    assert all(w >= 0.05 * 2 ** i for i, w in enumerate(waits)), waits


def _stack_of(thread: threading.Thread | None) -> str:
    """Where `thread` is now (for a failure's message)."""
    frame = sys._current_frames().get(thread.ident or -1) if thread is not None else None
    return "".join(traceback.format_stack(frame)) if frame is not None else "(not running)"


def _deleted_files_mapped(folder: Path) -> list[str]:
    """The files under `folder` that this process still maps or holds open although they were deleted."""
    held = {line.split(None, 5)[-1].strip() for line in Path("/proc/self/maps").read_text().splitlines()}
    for fd in Path("/proc/self/fd").iterdir():
        try:
            held.add(str(fd.readlink()))
        except OSError:
            continue  # closed meanwhile
    return sorted(h for h in held if h.startswith(str(folder)) and h.endswith("(deleted)"))


@pytest.mark.slow  # a dozen commits and a merge: 1.3 s
def test_an_idle_process_lets_go_of_the_segments_a_merge_deleted(tmp_path: Path, no_merger: None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches (filtered ones too) read segments that a merge then replaced. The old searchers were only dropped,
    and a filter cache kept up to 64 of them: an idle server held the deleted segments' files open and mapped, their
    disk space never freed. A searcher that went stale is now closed once no read uses it."""
    monkeypatch.setattr(search_index, "READER_CHECK_S", 0.1)
    ix = _filled(tmp_path / "index", MAX_SEGMENTS + 2)
    for n in range(MAX_SEGMENTS + 2):
        assert {h.video_id for h in ix.search("bridge council", video=f"file:v{n}").hits} <= {f"file:v{n}"}
    said = _state(ix)[2]
    before = {s.segment_id() for s in _segments(ix)}

    def cached() -> set[str]:  # the segments whose posting lists the process keeps
        return {key[1] for key in list(CACHE._entries) if key[0] == str(_folder(ix))}

    assert before & cached()
    assert merge_all(_folder(ix)) >= 2  # as the merger process would: segments searched are deleted
    assert not before & {s.segment_id() for s in _segments(ix)}
    wait_until(lambda: not _deleted_files_mapped(tmp_path), 10, "the deleted segments let go")
    try:  # the watcher's next tick drops them; on a loaded machine its collections of garbage may hold it back
        wait_until(lambda: not before & cached(), 60, "the deleted segments' posting lists dropped")
    except AssertionError as e:
        raise AssertionError(f"{e}; the watcher thread was at:\n{_stack_of(ix._watcher)}") from None
    assert _state(ix)[2] == said and said[0]  # and the index reads on, from the merged segments


def test_a_dropped_index_takes_its_reader_watcher_with_it(tmp_path: Path, no_merger: None,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The thread that closes stale searchers held its index for the process's life: every index object a process
    ever searched stayed in memory, each waking its own thread every READER_CHECK_S. It holds the index weakly now
    and ends once the index is gone."""
    monkeypatch.setattr(search_index, "READER_CHECK_S", 0.05)
    ix = _filled(tmp_path / "index", 2)
    assert ix.search("bridge council").hits
    watcher = ix._watcher
    assert watcher is not None and watcher.is_alive()
    time.sleep(0.2)  # a few ticks: it looks, and lets go of the index between them
    gone = weakref.ref(ix)
    del ix
    gc.collect()
    assert gone() is None, "something still holds the index"
    watcher.join(5)
    assert not watcher.is_alive()

