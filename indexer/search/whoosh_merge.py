"""Whoosh's segments merged in the background, outside the index's write lock, so no commit waits for a merge.

Why: Whoosh merges inside a commit, holding the index's one write lock, and merges at a few hundred passages a
second in Python. The commit that reached the tenth segment rewrote the five smallest before it returned: at
100,000 passages that was five segments of 10,000 passages, five minutes, during which every index step waited (3
passages/s over a thousand passages, against 227/s batched when no merge fell in). Ingest should keep a steady rate.

What is merged: see whoosh_policy (`pick`), so each passage is rewritten about once per size tier.

How: a commit adds its segment and merges nothing (below HARD_LIMIT segments). When `pick` finds a merge for a
lane (whoosh_policy: small segments and large ones), it starts a child process for that lane (`python -m
indexer.search.whoosh_merge FOLDER small|large`, niced; one per lane and folder, by the lane's lock file, so a merge
of large segments that takes minutes does not hold up the small ones) that, while commits go on:
1. reads the table of contents and picks the segments, noting which of their documents are deleted;
2. writes their live documents into one new segment (`_write`: a term that one segment has alone copied, its
   blocks as they are or with the document numbers moved up; the others' postings read as arrays and written whole;
   stored fields copied as they are stored: whoosh_write) in a work folder of its own (`merge.tmp`: a commit's
   clean-up removes files in the index folder that no segment names, and would take a segment still being written
   there);
3. takes the write lock for a moment: reads the table of contents again, carries over the deletions made meanwhile
   (a document deleted since step 1 is deleted in the new segment too: its number there is its rank among the
   live ones), moves the new segment in and writes the next generation's table with the five replaced by it. If a
   picked segment is gone (a commit past HARD_LIMIT merged it, the other lane took it, the index was cleared), the
   work is dropped.
Then it merges again while `pick` finds a merge for its lane. A new segment of whoosh_decoded.MIN_DOCS passages or
more that `pick` would not merge again at once (`lasting`) gets its decoded postings written during the merge, so
searches read it from them as soon as it is in; after the last merge the decoder does any large segment still
without.

Past HARD_LIMIT segments (a merger that cannot keep up, or cannot start) a commit merges the MERGE_AT smallest
itself, as before: searches slow with many segments, so ingest is held back instead (the smallest, not `pick`'s: a
large tier's merge would hold the write lock for minutes). A merger that dies leaves the index as it
was: its work folder is cleared by the next one, a moved-in segment that no table names is removed by the next
commit's clean-up.
"""

from __future__ import annotations

import contextlib
import fcntl
import heapq
import itertools
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo

from indexer.search.base import LOCK_TIMEOUT_S
from indexer.search.whoosh_policy import LANES, LARGE, SMALL, in_merge_order, lasting, pick
from indexer.search.whoosh_views import again_if_replaced, child_main, start_child

log = logging.getLogger(__name__)

LOCK = "merge.lock"  # the large lane's: not names Whoosh's clean-up matches (its own temporary folder is MAIN.tmp)
WORK = "merge.tmp"
LOCKS = {LARGE: LOCK, SMALL: "merge-small.lock"}  # per lane (whoosh_policy.LANES)
WORKS = {LARGE: WORK, SMALL: "merge-small.tmp"}
IDLE_ROUNDS = 5  # a merger gives up after this many rounds in which a merge was due and none was made ...
IDLE_WAIT_S = 0.25  # ... waiting this long before the second, twice as long before each next one (3.75 s in all)
SPILL = "gathered"  # in WORK: the postings kept for the decoded file (whoosh_gather.Gathered) until it is written


class _Staged:
    """What Whoosh's SegmentWriter reads of an index, with the work folder as its storage: the segment it writes
    goes there, while the segments it reads stay where they are."""

    def __init__(self, storage: Any, indexname: str, toc: Any) -> None:
        self.storage, self.indexname, self._toc = storage, indexname, toc

    def _read_toc(self) -> Any:
        return self._toc


def merge_once(folder: str | Path, lane: str | None = None) -> bool:
    """One merge of the index in `folder` if `pick` finds one for `lane` (the caller holds the lane's lock; None:
    the lane of the merge `pick` finds for the whole index). Returns whether the index changed."""
    from whoosh import index  # deferred: whoosh is imported by the index modules anyway; so are the three below
    from whoosh.filedb.filestore import FileStorage
    from whoosh.reading import SegmentReader
    from whoosh.writing import SegmentWriter

    from indexer.search import whoosh_decoded  # deferred: with the whoosh imports above

    folder = Path(folder)
    ix = again_if_replaced(lambda: index.open_dir(str(folder)))
    toc = again_if_replaced(ix._read_toc)
    found: list[Any] = []
    if lane is None:  # the small lane's merge if there is one, else the large lane's
        found = pick(toc.segments, SMALL)
        lane = SMALL if found else LARGE
    chosen = in_merge_order(found or pick(toc.segments, lane))
    if not chosen:
        return False
    work = folder / WORKS[lane]
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    live: list[tuple[str, set[int], int, np.ndarray]] = []  # segment, deleted then, first new number, live docs
    first = 0
    for seg in chosen:
        deleted = set(seg.deleted_docs())
        docs = np.setdiff1d(np.arange(seg.doc_count_all()), np.fromiter(deleted, np.int64, len(deleted)))
        live.append((seg.segment_id(), deleted, first, docs))
        first += len(docs)  # the writer numbers each segment's live documents on, in order
    readers = [SegmentReader(ix.storage, toc.schema, seg) for seg in chosen]
    try:
        writer = SegmentWriter(_Staged(FileStorage(str(work)), ix.indexname, toc), _lk=False)
        try:
            decoded = [whoosh_decoded.open_decoded(folder, seg.segment_id()) for seg in chosen]
            gather = first >= whoosh_decoded.MIN_DOCS and lasting(toc.segments, chosen)
            merged = _write(writer, readers, decoded, live, work if gather else None)
        except FileNotFoundError:
            if _gone(ix, chosen):
                return False  # a commit past HARD_LIMIT (or the other lane) merged a source meanwhile: dropped
            raise
        finally:
            writer._tempstorage.destroy()
        return _swap(ix, folder, work, merged, live)
    finally:
        for reader in readers:
            reader.close()
        shutil.rmtree(work, ignore_errors=True)


def _write(writer: Any, readers: list[Any], decoded: list[Any], live: list[tuple[str, set[int], int, np.ndarray]],
           work: Path | None = None) -> Any:
    """The readers' live documents written as one segment; returns it.

    Whoosh's own way (`add_reader`) walks every posting through a matcher and a pool that pickles each one, sorts
    them and reads them back: about half of a merge's time in a profile. The postings of each term are already in
    order in each source and the sources' documents are numbered on one after the other, so here each term's
    postings are read as arrays, the term tables in order (from the decoded files where there are some:
    whoosh_arrays.postings_of), renumbered and written a whole term at a time (whoosh_write.Terms). The same
    segment as `add_reader` writes (a test compares them); Whoosh's way is kept for a schema or codec that
    whoosh_write does not know.

    With `work`, the segment's decoded file is written there too, from the lists as they are written: searches read
    it from its file at once, and no decoder reads it all again after."""
    from whoosh.codec.whoosh3 import W3TermsReader  # deferred: as in merge_once

    from indexer.search.whoosh_gather import Gathered  # deferred: with the whoosh imports above
    from indexer.search.whoosh_perdoc import Lengths, copy_documents, copyable
    from indexer.search.whoosh_write import Terms, supported

    schema = writer.schema
    indexed = [name for name in schema.names() if schema[name].indexed]
    if not supported(writer) or not all(isinstance(getattr(r, "_terms", None), W3TermsReader) for r in readers):
        for reader in readers:
            writer.add_reader(reader)
        return writer._finalize_segment()
    renumber = []
    copy = copyable(writer, readers)
    copied: dict[str, list[np.ndarray]] = {name: [] for name in indexed}  # each source's length bytes, by field
    for reader, (_, _, first, docs) in zip(readers, live):
        if copy:  # stored fields and lengths, live documents in order
            for name, length_bytes in copy_documents(writer, reader, docs, indexed).items():
                copied[name].append(length_bytes)
        else:
            writer.write_per_doc(set(schema.names()), reader)
        to = np.full(reader.doc_count_all(), -1, np.int64)
        to[docs] = first + np.arange(len(docs))
        renumber.append(to)

    writer._added = True
    writer.perdocwriter.close()
    lengths = None
    if writer.codec.length_stats:
        lengths = (Lengths({name: np.concatenate(parts) for name, parts in copied.items()}) if copy else
                   Lengths.of_segment(writer.per_document_reader(), indexed, writer.docnum))
    out = Terms(writer.fieldwriter)
    # where a source has no deleted documents its terms' postings keep their order, numbered on from `first`
    shifts = [first if len(docs) == reader.doc_count_all() else None
              for reader, (_, _, first, docs) in zip(readers, live)]
    renumbered = [to.tolist() if shift is None and d is None else [] for to, shift, d in zip(renumber, shifts, decoded)]
    gathered = Gathered(work, writer.newsegment.segment_id(), work / SPILL, tolerant=True) if work is not None else None
    with gathered or contextlib.nullcontext():
        _write_terms(writer, readers, decoded, out, lengths, shifts, renumber, renumbered, gathered)
        writer.fieldwriter.close()
        writer._close_segment()
        writer._assemble_segment()
        if gathered is not None:
            gathered.write()
    return writer.get_segment()


def _write_terms(writer: Any, readers: list[Any], decoded: list[Any], out: Any, lengths: Any,
                 shifts: list[int | None], renumber: list[np.ndarray], renumbered: list[list[int]],
                 gathered: Any) -> None:
    """`_write`'s terms: the sources' term tables side by side, each term's postings copied or renumbered and
    written (and handed to `gathered`, a whoosh_decoded.Gathered, when there is one)."""
    from indexer.search.whoosh_arrays import parse_extent, postings_of, row_extent, term_rows  # deferred: as in _write

    schema = writer.schema
    terms = heapq.merge(*[term_rows(r, i) for i, r in enumerate(readers)])
    for field, fieldterms in itertools.groupby(terms, key=itemgetter(0)):
        column = lengths.column(field) if lengths is not None else None
        started = False  # a field is started at its first term with a live posting, as Whoosh's writer does
        for (_, text), group in itertools.groupby(fieldterms, key=itemgetter(0, 1)):
            sources = list(group)
            _, _, i, row = sources[0]
            shift = shifts[i]
            if len(sources) == 1 and shift is not None and not row[0]:  # one source, documents in order; not inlined
                if not started:
                    out.start_field(field, schema[field])
                    started = True
                offset, length = row_extent(row)
                extent = readers[i]._terms._postfile.get(offset, length)
                if gathered is not None:
                    gathered.add_copied(out.tell(), extent, decoded[i], offset, shift)
                out.copy_term(text, row, extent, shift)
                continue
            ids: list[int] = []
            weights: list[float] = []
            for _, _, i, row in sources:
                if decoded[i] is None and not row[0]:  # a small segment's list: parsed without numpy
                    offset, length = row_extent(row)
                    listed, w = parse_extent(readers[i]._terms._postfile.get(offset, length))
                    shift = shifts[i]
                    if shift is not None:
                        ids += [d + shift for d in listed]
                        weights += w
                    else:
                        to = renumbered[i]
                        for d, x in zip(listed, w):
                            if to[d] >= 0:
                                ids.append(to[d])
                                weights.append(x)
                    continue
                got, wa = postings_of(readers[i]._terms, W3TermInfo.from_bytes(row), decoded[i])
                new = renumber[i][got]
                keep = new >= 0
                ids += new[keep].tolist()
                weights += wa[keep].astype(np.float64).tolist()
            if ids:
                if not started:
                    out.start_field(field, schema[field])
                    started = True
                if gathered is not None:
                    gathered.add(out.tell(), ids, weights)
                out.write_term(text, ids, weights, column)
        if started:
            out.finish_field()


def _gone(ix: Any, chosen: list[Any]) -> bool:
    """Whether a segment of `chosen` is no longer in the index's table of contents."""
    now = {seg.segment_id() for seg in again_if_replaced(ix._read_toc).segments}
    return any(seg.segment_id() not in now for seg in chosen)


def _swap(ix: Any, folder: Path, work: Path, merged: Any, live: list[tuple[str, set[int], int, np.ndarray]]) -> bool:
    """Under the write lock: the merged segment in place of its sources, with the deletions made since."""
    from whoosh.index import TOC, clean_files  # deferred: as in merge_once
    from whoosh.util.filelock import try_for

    lock = ix.lock("WRITELOCK")
    if not try_for(lock.acquire, timeout=LOCK_TIMEOUT_S, delay=0.05):
        log.warning("merging %s: the write lock stayed taken for %.0f s; the merge is dropped", folder,
                    LOCK_TIMEOUT_S)
        return False
    try:
        now = ix._read_toc()
        current = {seg.segment_id(): seg for seg in now.segments}
        if any(segment_id not in current for segment_id, *_ in live):
            return False  # merged or cleared meanwhile
        for segment_id, deleted, first, docs in live:
            since = sorted(set(current[segment_id].deleted_docs()) - deleted)
            for number in first + np.searchsorted(docs, since):
                merged.delete_document(int(number))
        for name in os.listdir(work):
            os.replace(work / name, folder / name)
        replaced = {segment_id for segment_id, *_ in live}
        segments = [seg for seg in now.segments if seg.segment_id() not in replaced] + [merged]
        TOC(now.schema, segments, now.generation + 1).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, now.generation + 1, segments)
        return True
    finally:
        lock.release()


def _due(folder: Path, lane: str) -> bool:
    """Whether `pick` finds a merge for the lane in the index now."""
    from whoosh import index  # deferred: as in merge_once

    return bool(pick(again_if_replaced(lambda: index.open_dir(str(folder))._segments()), lane))


def merge_all(folder: str | Path, lane: str | None = None) -> int:
    """Merge until `pick` finds nothing more for the lane (None: both, in turn, until neither finds one), under the
    lane's lock; returns how many merges were made. Another process holding the lock is merging already: nothing
    is done here, and that one looks at the segments again after it lets the lock go (so a commit that found the
    lock taken is seen)."""
    folder = Path(folder)
    if lane is None:
        made = 0
        while rounds := sum(merge_all(folder, each) for each in LANES):
            made += rounds
        return made
    made = idle = 0
    while idle < IDLE_ROUNDS:  # rounds without a merge while one is due: the write lock stays taken, or commits
        if idle:  # past HARD_LIMIT merge the segments picked first; waiting lets a burst of them pass
            time.sleep(IDLE_WAIT_S * 2 ** (idle - 1))
        before = made
        with _lane_lock(folder, lane) as taken:
            if not taken:
                return made
            if not made:
                _clear_stale(folder, lane)
            while merge_once(folder, lane):
                made += 1
        if not _due(folder, lane):
            break
        idle = 0 if made > before else idle + 1
    return made


def _clear_stale(folder: Path, lane: str) -> None:
    """Remove what a dead merger of another lane left in its work folder (its own lane's is cleared by each merge):
    a large lane's half-written segment can be gigabytes, and that lane may not run again for a long time. Only
    while that lane's lock is free, and held here meanwhile, so no live merger's work is taken."""
    for other in LANES:
        if other == lane or not (folder / WORKS[other]).exists():
            continue
        with _lane_lock(folder, other) as taken:
            if taken:
                shutil.rmtree(folder / WORKS[other], ignore_errors=True)


def _merging(folder: Path, lane: str) -> bool:
    """Whether a merger holds the lane's lock on the folder now."""
    with _lane_lock(folder, lane) as taken:
        return not taken


@contextlib.contextmanager
def _lane_lock(folder: Path, lane: str) -> Iterator[bool]:
    """The lane's lock on the folder, taken without waiting: yields whether it was (another process holds it when
    not); let go on leaving, as the file closes."""
    with (folder / LOCKS[lane]).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


_children: list[subprocess.Popen[bytes]] = []
_children_lock = threading.Lock()


def merge_later(folder: str | Path, lane: str) -> None:
    """After a commit that left a merge to make for the lane (`pick`): start a merger for it in a child process,
    unless one holds the lane's lock on the folder (it looks again when it lets go). Never raises: past HARD_LIMIT
    segments the commits merge themselves."""
    folder = Path(folder)
    try:
        if _merging(folder, lane):
            return
    except OSError as e:
        log.warning("could not start the segment merger for %s: %s", folder, e)
        return
    child = start_child("indexer.search.whoosh_merge", folder, f"segment merger ({lane} segments)", choice=lane)
    if child is None:
        return
    with _children_lock:
        _children[:] = [c for c in _children if c.poll() is None] + [child]


def wait_children(timeout: float = 300.0) -> None:
    """Wait for this process's mergers (tests, benches)."""
    with _children_lock:
        children = list(_children)
    for child in children:
        child.wait(timeout)


def _merge_and_decode(folder: str, lane: str | None = None) -> None:
    from indexer.search.whoosh_decoded import decode_missing  # deferred: only the child decodes after merging

    if merge_all(folder, lane):
        decode_missing(folder, wait=True)  # the new segment's postings, after any decoder running now


def main(argv: list[str]) -> int:
    return child_main(argv, "indexer.search.whoosh_merge", _merge_and_decode, "merging the segments", LANES)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
