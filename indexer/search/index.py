"""The Whoosh backend of the passage index (the default: nothing to install, no server).

The index is a projection of the store: rebuildable at any time, never the only copy of anything. One document
per *passage*, a sentence-aligned window of about 40 s (20-60 s) whose successor starts half-way through it, so any
quote shorter than about 20 s lies whole inside some passage. Each passage stores its words with their times, so a
hit maps back to the exact seconds.

Text is analysed once, in Python, by indexer.text.normalize (folding, numbers as digits, transliteration keys, stemming
where the language is known), and stored as space-separated tokens in three fields: `stem` (stemmed with the
passage's language), `keys` (cross-script skeletons) and `pairs` (adjacent key pairs, so word order counts without
storing positions). The on-disk schema thus holds only Whoosh's own classes, and the tokens are stored with the
passage so a search never re-analyses one. `keys` is also kept as a column of plain bytes beside the stored passages:
a quote search ranks a few hundred candidates by their keys (query._order_score) before it aligns the best few dozen,
and reading a whole stored passage (a zlib-compressed pickle of its words and times) for that was a third of a quote's
time at 100,000 passages.

What is common to every backend (generations, batched commits, the search modes) is in base.py and query.py; this
module answers the full-text questions (`_WhooshCandidates`) and writes (one writer at a time: Whoosh's lock is
retried for up to 30 s, `IndexBusy` after that), merging by a tiered policy in a child process (`_tiered`,
whoosh_merge); a bulk ingest's batched commits are made by another child (whoosh_commits).
"""

from __future__ import annotations

import gc
import logging
import pickle
import struct
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.query import And, Term, TermRange
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, IndexWriter, LockError

from indexer.errors import IndexBusy
from indexer.search import whoosh_commits
from indexer.search.base import (  # some re-exported (__all__): tests and benches import them from here
    COMMIT_DELAY_S,
    LOCK_TIMEOUT_S,
    MAX_BATCH,
    Items,
    PassageIndex,
    Progress,
    R,
    open_index,
    write_items,
)
from indexer.search.generations import CURRENT
from indexer.search.passages import readable_as_it_is, same_marker, write_marker
from indexer.search.terms import Filter
from indexer.search.whoosh_arrays import CACHE, Leaves
from indexer.search.whoosh_decoded import decode_later, lacking
from indexer.search.whoosh_merge import merge_later
from indexer.search.whoosh_policy import HARD_LIMIT, LANES, MAX_SEGMENTS, pick, smallest
from indexer.search.whoosh_pool import add_document
from indexer.search.whoosh_pool import install as install_writer
from indexer.search.whoosh_query import Saturated, WhooshCandidates
from indexer.search.whoosh_views import again_if_replaced
from indexer.search.whoosh_views import install as read_segments_in_place
from indexer.store.files import exclusive, read_only_folder

read_segments_in_place()  # Whoosh copied each segment part it opened into memory (whoosh_views)
# how often an idle process looks whether its searcher went stale (a commit elsewhere): it then closes it, and so
# frees the disk space of the segments that commit's merge deleted
READER_CHECK_S = 30.0
COLLECTS = 3  # ticks of the watcher that collect garbage after it closed searchers
POOL_LIMIT = 2_000_000  # postings a writer holds before it commits (about 13,000 passages, 150 MB)

FORMAT = "clipindex-passages/4"
# An index made before `keys` kept a column has none (the schema is stored with the index): it is searched as
# before, each candidate's keys read from its stored passage, until `clipindex reindex` builds one with it.
# what a read meets when a writer in another process replaced the files it was opening (a stress test saw each)
REPLACED_UNDER_A_READER = (FileNotFoundError, zlib.error, pickle.UnpicklingError, EOFError, struct.error)

log = logging.getLogger(__name__)
# what reading a damaged table of contents raises: Whoosh unpickles it and checks its header (IndexError for a
# "different architecture", IndexVersionError ...); never OSError (a full disk, a permission: the index may be whole)
DAMAGED = (index.IndexError, pickle.UnpicklingError, EOFError, struct.error, ValueError, KeyError, AttributeError,
           ImportError, TypeError)


def _schema() -> Schema:
    ws = SpaceSeparatedTokenizer()
    return Schema(pid=ID(stored=True, unique=True), video_id=ID(stored=True), channel=ID, language=ID(stored=True),
                  published=ID, stem=TEXT(analyzer=ws, phrase=False),
                  keys=TEXT(analyzer=ws, phrase=False, sortable=True),  # kept as a column too: whoosh_query reads it
                  pairs=TEXT(analyzer=ws, phrase=False), doc=STORED)


def _open(path: Path) -> Any:
    if read_only_folder(path):  # a read-only share or a mounted backup: searched as it is, or not at all
        readable_as_it_is(path, FORMAT, lambda: again_if_replaced(lambda: index.exists_in(str(path))))
        return again_if_replaced(lambda: index.open_dir(str(path)))
    path.mkdir(parents=True, exist_ok=True)
    marker = path / "clipindex.json"
    with exclusive(path / "create.lock"):  # two processes opening a fresh directory create it once
        if same_marker(marker, FORMAT):
            try:
                if again_if_replaced(lambda: index.exists_in(str(path))):
                    return again_if_replaced(lambda: index.open_dir(str(path)))
            except DAMAGED as exc:  # a table of contents a full disk or a crash garbled: reindex failed on it too
                log.warning("the search index at %s is damaged (%s: %s); it is made again, empty, and refilled "
                            "from the store", path, type(exc).__name__, exc)
        ix = index.create_in(str(path), _schema())  # a projection: an unknown format is simply rebuilt
        write_marker(marker, FORMAT)
        return ix


def _tiered(writer: IndexWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: nothing below HARD_LIMIT segments (a child process merges, outside the write lock, what
    whoosh_policy.pick picks: five segments of one size tier); past it, the commit merges the five smallest itself.
    Segments so grow by about five times per tier and each passage is rewritten a few times in all, where Whoosh's
    default merged the small segments again at nearly every commit (2/3 of caption-ingest time)."""
    if len(segments) < HARD_LIMIT:
        return segments
    chosen = smallest(segments)
    for seg in chosen:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg not in chosen]


def _after_commit(ix: Any) -> None:
    """Start the child processes a commit calls for: a merger for each lane with a merge to make
    (whoosh_policy.pick), a decoder while a large segment lacks its decoded postings (whoosh_decoded)."""
    segments = again_if_replaced(ix._segments)
    for lane in LANES:
        if pick(segments, lane):
            merge_later(ix.storage.folder, lane)  # it decodes what it makes, and what is missing, when it is done
    if lacking(ix.storage.folder, segments):
        decode_later(ix.storage.folder)


class _Writer:
    """base.Writer over a Whoosh IndexWriter. A writer whose postings pass POOL_LIMIT (a rebuild, a large
    `add_many`) commits them and goes on with a new writer: its pool (whoosh_pool.Postings) is held in memory,
    where Whoosh's own spilled sorted runs to disk."""

    def __init__(self, ix: Any, w: IndexWriter, timeout: float = LOCK_TIMEOUT_S, after_commit: bool = True) -> None:
        self.ix, self.w, self.timeout, self.after_commit = ix, install_writer(w), timeout, after_commit

    def delete_video(self, video_id: str) -> None:
        self.w.delete_by_term("video_id", video_id)

    def add(self, doc: dict[str, Any]) -> None:
        add_document(self.w, doc)
        if getattr(self.w.pool, "size", 0) >= POOL_LIMIT:
            self.commit()
            try:
                self.w = install_writer(self.ix.writer(timeout=self.timeout, delay=0.05))
            except LockError:
                raise IndexBusy(f"the search index at {self.ix.storage.folder} is locked by another writer; try "
                                "again") from None

    def commit(self) -> None:
        if not self.w.is_closed:
            self.w.commit(mergetype=_tiered)
            if self.after_commit:
                _after_commit(self.ix)

    def cancel(self) -> None:
        """Drop what the writer holds (a commit it made past POOL_LIMIT stays)."""
        if not self.w.is_closed:
            self.w.cancel()

    def clear(self) -> None:
        self.w.commit(mergetype=CLEAR)


class SearchIndex(PassageIndex):
    """The passage index on Whoosh. Readers: a fresh searcher whenever the index's generation changed (the old one
    is left open for threads still using it)."""

    backend = "whoosh"
    index_format = FORMAT
    root_files = ("_MAIN_*", "MAIN_*")
    replaced_under_a_reader = REPLACED_UNDER_A_READER

    def __init__(self, path: Path) -> None:
        self._searcher: Searcher | None = None
        self._leaves: Leaves | None = None  # the searcher's segments, for whoosh_arrays
        self._filters: dict[tuple[int, Filter], tuple[Searcher, np.ndarray]] = {}
        # Whoosh's matchers seek and read in a segment's one postings file, which every thread's searches share:
        # the few reads that go through them (filters, passage counts) take turns
        self._walk_lock = threading.Lock()
        self._reads = 0  # reads under way (_reading): searchers set aside are closed when none is
        self._retired: list[Searcher] = []
        self._watcher: threading.Thread | None = None
        self._collects = 0  # ticks left on which the watcher collects garbage (COLLECTS once searchers were closed)
        super().__init__(path)

    def _open_folder(self, folder: Path) -> None:
        with self._read_lock:
            self._retire()
        self._ix = _open(folder)

    def _exists(self, folder: Path) -> bool:
        try:
            return bool(again_if_replaced(lambda: index.exists_in(str(folder))))
        except DAMAGED:  # opened again, and so made again (_open)
            return False

    def _index(self) -> Any:
        self._sync_generation()
        return self._ix

    @contextmanager
    def _session(self, timeout: float = LOCK_TIMEOUT_S, after_commit: bool = True) -> Iterator[_Writer]:
        """`after_commit=False`: start no merger or decoder after the commit (whoosh_commits' child, whose parent
        does)."""
        with self._write_lock:
            try:
                w = self._index().writer(timeout=timeout, delay=0.05)
            except LockError:
                raise IndexBusy(f"the search index at {self.path} is locked by another writer; try again") from None
            writer = _Writer(self._ix, w, timeout, after_commit)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def _commit_batch(self, batch: dict[str, list[dict[str, Any]]], timeout: float) -> None:
        """A bulk ingest's batches are written by a child process (whoosh_commits), the rest here."""
        if whoosh_commits.wanted(batch) and whoosh_commits.commit(self.path, batch, timeout):
            _after_commit(self._index())
            return
        super()._commit_batch(batch, timeout)

    def _build(self, folder: Path, items: Items, progress: Progress | None) -> int:
        ix = _open(folder)
        writer = _Writer(ix, ix.writer())
        try:
            total = write_items(writer, items, progress, replace=False)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return total

    # ---- reading -------------------------------------------------------------------------------------------------
    def searcher(self) -> Searcher:
        """A searcher on the latest commit. The old one is left open for threads still using it, and is not
        `refresh()`ed: a refreshed reader reuses segment readers and misses deletions made since."""
        self._commit_own_first()
        with self._read_lock:
            ix = self._index()
            s = self._searcher
            if s is None or s.reader().generation() != ix.latest_generation():
                if self._watcher is None:
                    self._watcher = threading.Thread(target=_watch_readers, args=(weakref.ref(self),), daemon=True,
                                                     name="index-readers")
                    self._watcher.start()
                self._retire()
                self._searcher = s = ix.searcher(weighting=Saturated())
            return s

    def _retire(self) -> None:
        """Set the searcher aside, to be closed once no read is under way (_reading), and drop what holds it (its
        filters, its segments' arrays). A searcher keeps the files of segments that later merges deleted open
        (mapped), and Whoosh's searchers hold themselves in a cycle, so one merely dropped stays open until the
        garbage collector happens to run: an idle server kept the disk space of every merged-away segment. Called
        with the read lock held."""
        if self._searcher is not None:
            self._retired.append(self._searcher)
            self._searcher = None
        self._filters.clear()
        self._leaves = None

    def _reading(self, read: Callable[[], R]) -> R:
        with self._read_lock:
            self._reads += 1
        try:
            return super()._reading(read)
        finally:
            with self._read_lock:
                self._reads -= 1
                done = self._closable()
            self._close(done)

    def _close(self, searchers: list[Searcher]) -> None:
        for old in searchers:
            old.close()
        if searchers:
            self._collects = COLLECTS

    def _closable(self) -> list[Searcher]:
        """The searchers set aside, taken to be closed, when no read is under way (with the read lock held)."""
        if self._reads:
            return []
        done, self._retired = self._retired, []
        return done

    def _let_go_of_stale(self) -> None:
        with self._read_lock:
            s = self._searcher
            try:
                stale = s is not None and s.reader().generation() != self._ix.latest_generation()
            except OSError:  # the folder went (a rebuild's generation replaced it): the next read opens anew
                stale = True
            if stale:
                self._retire()
            done = self._closable()
        CACHE.keep_only(str(self._ix.storage.folder), {seg.segment_id() for seg in self._ix._segments()})
        self._close(done)
        if self._collects:
            # a closed segment whose mapped file some arrays still view stays mapped until they go, and they are in
            # the searcher's reference cycles, which only the collector frees (at most every READER_CHECK_S). Not
            # once but on a few ticks: a merge in this process may still hold readers of the old segments when the
            # watcher first sees its commit, and they become garbage only when it returns
            self._collects -= 1
            gc.collect()

    def _forget_reader(self) -> None:
        with self._read_lock:
            self._retire()

    def _candidates(self, flt: Filter | None) -> WhooshCandidates:
        searcher = self.searcher()
        with self._read_lock:
            leaves = self._leaves
            if leaves is None or leaves.searcher is not searcher:
                self._leaves = leaves = Leaves(searcher, str(self._ix.storage.folder))
        return WhooshCandidates(leaves, self._allowed(searcher, flt))

    def is_empty(self) -> bool:
        return self._reading(lambda: self.searcher().doc_count() == 0)

    def video_ids(self) -> set[str]:
        def read() -> set[str]:
            s = self.searcher()
            return {vid for vid in (t.decode() for t in s.lexicon("video_id")) if self.passage_count(vid, s)}

        return self._reading(read)

    def passage_count(self, video_id: str, searcher: Searcher | None = None) -> int:
        def count(s: Searcher) -> int:
            with self._walk_lock:
                return sum(1 for _ in s.document_numbers(video_id=video_id))

        return count(searcher) if searcher is not None else self._reading(lambda: count(self.searcher()))

    def _allowed(self, searcher: Searcher, flt: Filter | None) -> np.ndarray | None:
        """The documents a filter lets through (a mask over document numbers), cached per commit: computing them
        walks all the filter's terms."""
        if flt is None:
            return None
        # keyed by the searcher itself: commit numbers restart in each index generation (folder), so a number
        # would let one generation's documents stand for another's; the entry holds the searcher, so its id is
        # not reused while the entry lives
        cache_key = (id(searcher), flt)
        entry = self._filters.get(cache_key)
        if entry is not None and entry[0] is searcher:
            return entry[1]
        found = np.zeros(searcher.doc_count_all(), dtype=bool)
        with self._walk_lock:
            found[np.fromiter(searcher.docs_for_query(_filter_query(flt)), dtype=np.int64)] = True
        with self._read_lock:
            if len(self._filters) >= 64:
                self._filters.clear()
            self._filters[cache_key] = (searcher, found)
        return found


def _filter_query(flt: Filter) -> Any:
    terms: list[Any] = []
    if flt.video:
        terms.append(Term("video_id", flt.video))
    if flt.channel:
        terms.append(Term("channel", flt.channel))
    if flt.language:
        terms.append(Term("language", flt.language))
    if flt.dated:
        terms.append(TermRange("published", flt.after, flt.before))
    return And(terms) if len(terms) > 1 else terms[0]


__all__ = ["COMMIT_DELAY_S", "CURRENT", "MAX_BATCH", "MAX_SEGMENTS", "SearchIndex", "open_index"]


def _watch_readers(ref: weakref.ref[SearchIndex]) -> None:
    """Every READER_CHECK_S, a searcher that a later commit (of this or another process) made stale is set aside and
    closed (SearchIndex._let_go_of_stale): an idle server otherwise holds the files that commit's merge deleted until
    its next search. The posting lists of segments the current searcher no longer has leave the cache. The thread
    holds its index weakly and ends once the index is gone: it held every index a process ever searched, and woke
    for each, for the process's life."""
    while True:
        time.sleep(READER_CHECK_S)
        index = ref()
        if index is None:
            return
        try:
            index._let_go_of_stale()
        except Exception:  # noqa: BLE001 - a read of the folder failed (replaced under it ...): next time
            log.debug("could not look for a stale searcher of %s", index.path, exc_info=True)
        del index  # not held while asleep
