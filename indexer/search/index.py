"""Search by quote and by keyword over a Whoosh index of transcript passages.

The index is a projection of the store: rebuildable at any time, never the only copy of anything. One document
per *passage*, a sentence-aligned window of about 40 s (20-60 s) whose successor starts half-way through it, so any
quote shorter than about 20 s lies whole inside some passage. Each passage stores its words with their times, so a
hit maps back to the exact seconds.

Text is analysed once, in Python, by indexer.text.normalize (folding, numbers as digits, transliteration keys, stemming
where the language is known), and stored as space-separated tokens in three fields: `stem` (stemmed with the
passage's language), `keys` (cross-script skeletons) and `pairs` (adjacent key pairs, so word order counts without
storing positions). The on-disk schema thus holds only Whoosh's own classes, and the tokens are stored with the
passage so a search never re-analyses one.

- keyword mode: passages with every query word first, then any (over `stem` and `keys`), ranked by BM25's
  saturating term frequency (query.Saturated); the hit spans the matched words of the passage.
- quote mode (quoted, or 6 words or more): candidates by the quote's rarest word pairs, and by its rarest words
  too unless the pairs already gave a close match (never the exact phrase); then indexer.text.align aligns the quote
  against each candidate's words; hits are ranked by alignment score and overlapping spans are merged.

User text is never parsed as query syntax: the query objects are built from normalised terms. Limits: 1000
characters, 64 quote words, 32 terms, about 2 s per search (a time-limited collector, then a bounded number of
alignments). Writes: one writer at a time; Whoosh's lock is retried for up to 30 s (`IndexBusy` after that), and a
thread lock queues writers within a process. The ingest's index step `enqueue`s: a background thread commits what
waits within COMMIT_DELAY_S, many videos in one commit, merging by a tiered policy (`_tiered`).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import pickle
import shutil
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.idsets import BitSet
from whoosh.query import Query
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, IndexWriter, LockError

from indexer.errors import IndexBusy
from indexer.models import Chapter, Transcript, Video
from indexer.search.passages import documents
from indexer.search.query import (
    Saturated,
    SearchResult,
    build_filter,
    check_page,
    keyword_search,
    parse_query,
    query_variants,
    quote_search,
)
from indexer.store.files import exclusive
from indexer.text.normalize import primary_language

FORMAT = "clipindex-passages/3"
LOCK_TIMEOUT_S = 30.0
COMMIT_DELAY_S = 1.0  # a video handed to `enqueue` is committed (searchable everywhere) this long after, at most
MAX_BATCH = 400  # passages: more waiting than this are committed by `enqueue` itself, so a commit stays short
MAX_SEGMENTS, MERGE_AT = 10, 5  # segments a commit leaves alone; how many of the smallest one merge joins
CURRENT = "CURRENT"  # names the generation in use
KEEP_OLD_S = 600.0  # a replaced generation is kept this long for readers that still have it open
READ_ATTEMPTS = 5
# what a read meets when a writer in another process replaced the files it was opening (a stress test saw each)
REPLACED_UNDER_A_READER = (FileNotFoundError, zlib.error, pickle.UnpicklingError, EOFError, struct.error)
R = TypeVar("R")
log = logging.getLogger(__name__)


def _schema() -> Schema:
    ws = SpaceSeparatedTokenizer()
    return Schema(pid=ID(stored=True, unique=True), video_id=ID(stored=True), channel=ID, language=ID(stored=True),
                  published=ID, stem=TEXT(analyzer=ws, phrase=False), keys=TEXT(analyzer=ws, phrase=False),
                  pairs=TEXT(analyzer=ws, phrase=False), doc=STORED)


def _current(root: Path) -> str:
    """The generation readers and writers use: a folder named in CURRENT, or "." (the root itself: indexes made
    before generations, and a fresh one until its first rebuild)."""
    try:
        return (root / CURRENT).read_text(encoding="ascii").strip() or "."
    except FileNotFoundError:
        return "."


def _publish(root: Path, name: str) -> None:
    """Point every reader and writer, in every process, at another generation: one atomic rename."""
    tmp = root / f".{CURRENT}.{uuid.uuid4().hex}"
    tmp.write_text(name, encoding="ascii")
    os.replace(tmp, root / CURRENT)


def _sweep(root: Path, current: str) -> None:
    """Remove generations no one should still be reading: not current, and untouched for KEEP_OLD_S (a reader
    that still held one would have run again on the current generation: see SearchIndex._reading)."""
    cutoff = time.time() - KEEP_OLD_S
    for old in root.glob("g-*"):
        if old.name != current and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    if current != ".":  # the files of the index as it was before generations
        for stale in [*root.glob("_MAIN_*"), *root.glob("MAIN_*")]:
            if stale.stat().st_mtime < cutoff:
                stale.unlink(missing_ok=True)


def _open(path: Path) -> Any:
    path.mkdir(parents=True, exist_ok=True)
    marker = path / "clipindex.json"
    with exclusive(path / "create.lock"):  # two processes opening a fresh directory create it once
        if index.exists_in(str(path)) and marker.exists() and json.loads(marker.read_text()).get("format") == FORMAT:
            return index.open_dir(str(path))
        ix = index.create_in(str(path), _schema())  # a projection: an unknown format is simply rebuilt
        marker.write_text(json.dumps({"format": FORMAT}))
        return ix


def _tiered(writer: IndexWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: nothing until there are MAX_SEGMENTS segments, then the MERGE_AT smallest into one.
    Segments so grow by about MERGE_AT times per level and each passage is rewritten a few times in all, where
    Whoosh's default merged the small segments again at nearly every commit (2/3 of caption-ingest time). Fewer
    segments search faster (a query builds its matchers once per segment): 10 is the compromise."""
    if len(segments) < MAX_SEGMENTS:
        return segments
    ordered = sorted(segments, key=lambda seg: seg.doc_count_all())
    for seg in ordered[:MERGE_AT]:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return ordered[MERGE_AT:]


def _write(w: IndexWriter, items: Iterable[tuple[Video, Transcript, Sequence[Chapter]]],
           progress: Callable[[str, int], None] | None, *, replace: bool) -> int:
    """Add each video's passages (replacing those it had, where it may have some); returns how many."""
    total = 0
    for video, transcript, chapters in items:
        if replace:
            w.delete_by_term("video_id", video.id)
        docs = documents(video, transcript, chapters)
        for doc in docs:
            w.add_document(**doc)
        total += len(docs)
        if progress:
            progress(video.id, len(docs))
    return total


class SearchIndex:
    """The passage index in one directory. Thread-safe; one writer at a time across processes.

    The directory holds generations: `rebuild` writes a complete new one beside the one in use and switches to it
    with one rename, so readers in every process see the old index, whole, until the new one is whole, and pick the
    new one up at their next search."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._generation = _current(self.path)
        self._ix = _open(self._folder(self._generation))
        self._write_lock = threading.RLock()  # flush takes it around _writer, which takes it too
        self._read_lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._filters: dict[tuple[int, str], tuple[Searcher, BitSet]] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}  # video id -> passages, enqueued but not committed
        self._pending_since = 0.0
        self._pending_lock = threading.Lock()
        self._committing = False  # a batch has left the queue and its commit is under way
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None

    # ---- writing -------------------------------------------------------------------------------------------------
    def _folder(self, generation: str) -> Path:
        return self.path if generation == "." else self.path / generation

    def _index(self) -> Any:
        """The open index of the current generation; created afresh, empty, if its directory was deleted (the
        caller's reconcile refills it)."""
        generation = _current(self.path)
        if generation != self._generation or not index.exists_in(str(self._folder(generation))):
            self._ix, self._searcher, self._generation = _open(self._folder(generation)), None, generation
        return self._ix

    @contextmanager
    def _writer(self, timeout: float = LOCK_TIMEOUT_S) -> Iterator[IndexWriter]:
        with self._write_lock:
            try:
                w = self._index().writer(timeout=timeout, delay=0.05)
            except LockError:
                raise IndexBusy(f"the search index at {self.path} is locked by another writer; try again") from None
            try:
                yield w
            except BaseException:
                w.cancel()
                raise
            if not w.is_closed:
                w.commit(mergetype=_tiered)

    def enqueue(self, video: Video, transcript: Transcript, chapters: Sequence[Chapter] = ()) -> int:
        """Index one video's passages (replacing any it had) in the next batched commit, at most COMMIT_DELAY_S
        from now; returns the number of passages. Until then a search in this process commits them first; a
        crash before the commit loses them from the index only: the store has them, and `reconcile` adds them."""
        docs = documents(video, transcript, chapters)  # the analysis, outside any lock
        with self._pending_lock:
            if not self._pending:
                self._pending_since = time.monotonic()
            self._pending[video.id] = docs
            full = sum(len(d) for d in self._pending.values()) >= MAX_BATCH
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_loop, daemon=True, name="index-commits")
                self._flusher.start()
                atexit.register(self._flush_at_exit)
        self._wake.set()
        if full:  # ingest runs ahead of the commits: it waits for one, so a batch (and its commit) stays short
            self.flush()
        return len(docs)

    def flush(self, timeout: float = LOCK_TIMEOUT_S) -> int:
        """Commit what `enqueue` holds, in one commit; returns the number of videos. IndexBusy if another writer
        holds the lock for `timeout` s (what was held stays held for the next flush)."""
        with self._write_lock:  # the batch is taken under the writer's lock: batches commit in order
            with self._pending_lock:
                batch, self._pending = self._pending, {}
                self._committing = bool(batch)
            if not batch:
                return 0
            try:
                with self._writer(timeout) as w:
                    for video_id, docs in batch.items():
                        w.delete_by_term("video_id", video_id)
                        for doc in docs:
                            w.add_document(**doc)
            except BaseException:
                with self._pending_lock:  # newer passages of a video win over the batch's
                    self._pending = {**batch, **self._pending}
                    self._pending_since = time.monotonic()
                raise
            finally:
                self._committing = False
            return len(batch)

    def _flush_loop(self) -> None:
        while True:
            self._wake.wait()
            with self._pending_lock:
                due = self._pending_since + COMMIT_DELAY_S - time.monotonic() if self._pending else None
                if due is None:
                    self._wake.clear()
            if due is None:
                continue
            if due > 0:
                time.sleep(due)  # more videos join the batch meanwhile
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - kept for the next attempt; the store is the truth either way
                log.warning("could not commit the search index at %s; retrying", self.path, exc_info=True)
                time.sleep(COMMIT_DELAY_S)

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - at exit: reconcile adds what did not get in
            log.warning("uncommitted passages at exit; `reconcile` (server start-up) adds them", exc_info=True)

    def add(self, video: Video, transcript: Transcript, chapters: Sequence[Chapter] = ()) -> int:
        """Index one video's passages, replacing any it had; returns the number of passages."""
        return self.add_many([(video, transcript, chapters)])

    def add_many(self, items: Iterable[tuple[Video, Transcript, Sequence[Chapter]]],
                 progress: Callable[[str, int], None] | None = None) -> int:
        """Index many videos with one writer and one commit (for a rebuild); progress(video_id, passages)."""
        with self._writer() as w:
            return _write(w, items, progress, replace=True)

    def rebuild(self, items: Iterable[tuple[Video, Transcript, Sequence[Chapter]]],
                progress: Callable[[str, int], None] | None = None) -> int:
        """Build a new generation from `items` beside the current one and switch to it when it is complete. A
        rebuild that stops part-way leaves the current generation in use, untouched."""
        name = f"g-{uuid.uuid4().hex[:12]}"
        fresh = _open(self.path / name)
        w = fresh.writer()
        try:
            total = _write(w, items, progress, replace=False)
        except BaseException:
            w.cancel()
            shutil.rmtree(self.path / name, ignore_errors=True)
            raise
        w.commit()
        with self._write_lock:
            _publish(self.path, name)
            self._index()
        _sweep(self.path, name)
        return total

    def delete(self, video_id: str) -> None:
        with self._pending_lock:
            self._pending.pop(video_id, None)
        with self._writer() as w:
            w.delete_by_term("video_id", video_id)

    def clear(self) -> None:
        with self._writer() as w:
            w.commit(mergetype=CLEAR)

    # ---- reading -------------------------------------------------------------------------------------------------
    def searcher(self) -> Searcher:
        """A searcher on the latest commit. The old one is left open for threads still using it, and is not
        `refresh()`ed: a refreshed reader reuses segment readers and misses deletions made since."""
        # this process's own passages are searchable at once for its own searches: those still queued are committed
        # now, and a commit the flusher thread has under way is waited for (on the writer's thread lock, so for as
        # long as that one commit takes; its batch has already left the queue)
        if self._pending or self._committing:
            try:
                self.flush(timeout=0)
            except IndexBusy:
                pass  # another process is writing: the flusher commits them shortly; a search never waits
        with self._read_lock:
            ix = self._index()
            s = self._searcher
            if s is None or s.reader().generation() != ix.latest_generation():
                self._searcher = s = ix.searcher(weighting=Saturated())
            return s

    def is_empty(self) -> bool:
        """No passage at all: cheap (one count), unlike `video_ids`."""
        return self._reading(lambda: self.searcher().doc_count() == 0)

    def video_ids(self) -> set[str]:
        def read() -> set[str]:
            s = self.searcher()
            return {vid for vid in (t.decode() for t in s.lexicon("video_id")) if self.passage_count(vid, s)}

        return self._reading(read)

    def passage_count(self, video_id: str, searcher: Searcher | None = None) -> int:
        s = searcher or self.searcher()
        return sum(1 for _ in s.document_numbers(video_id=video_id))

    def search(self, query: str, *, mode: str | None = None, video: str | None = None, channel: str | None = None,
               language: str | None = None, after: str | None = None, before: str | None = None,
               limit: int = 10, offset: int = 0) -> SearchResult:
        """Search passages; see the module docstring. Raises InvalidInput for a query or option it cannot take."""
        mode, text = parse_query(query, mode)
        check_page(limit, offset)
        flt = build_filter(video, channel, primary_language(language), after, before)
        variants = query_variants(text, primary_language(language))
        started = time.monotonic()

        def read() -> SearchResult:
            searcher = self.searcher()
            allow = self._allowed(searcher, flt)
            if mode == "quote":
                return quote_search(searcher, text, variants, allow, limit, offset, started)
            return keyword_search(searcher, variants, allow, limit, offset)

        return self._reading(read)

    def _reading(self, read: Callable[[], R]) -> R:
        """Run a read, again on the newest commit if another process's writer removed or replaced files it was
        opening: a commit or a merge deletes the segments and the table of contents that it replaces (seen as a
        missing file, or rarely as a compressed block or a pickled table cut short). The last attempt raises."""
        for attempt in range(1, READ_ATTEMPTS):
            try:
                return read()
            except REPLACED_UNDER_A_READER:
                with self._read_lock:
                    self._searcher = None
                time.sleep(0.01 * attempt)
        return read()  # the last attempt: what it raises is the caller's

    def _allowed(self, searcher: Searcher, flt: Query | None) -> BitSet | None:
        """The documents a filter lets through, cached per commit: computing them walks all the filter's terms."""
        if flt is None:
            return None
        # keyed by the searcher itself: commit numbers restart in each index generation (folder), so a number
        # would let one generation's documents stand for another's; the entry holds the searcher, so its id is
        # not reused while the entry lives
        cache_key = (id(searcher), repr(flt))
        entry = self._filters.get(cache_key)
        if entry is not None and entry[0] is searcher:
            return entry[1]
        found = BitSet(searcher.docs_for_query(flt), size=searcher.doc_count_all())
        with self._read_lock:
            if len(self._filters) >= 64:
                self._filters.clear()
            self._filters[cache_key] = (searcher, found)
        return found




_OPEN: dict[Path, SearchIndex] = {}
_OPEN_LOCK = threading.Lock()


def open_index(path: Path) -> SearchIndex:
    """One SearchIndex object per index directory and process: it holds the searcher and queues this process's
    writers, so every service object in the process must share it."""
    path = Path(path).resolve()
    with _OPEN_LOCK:
        if path not in _OPEN:
            _OPEN[path] = SearchIndex(path)
        return _OPEN[path]
