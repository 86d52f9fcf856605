"""The passage index, whatever its backend: generations, batched commits, the write lock, and search.

A backend (Whoosh in index.py, tantivy in tantivy_index.py) opens an index folder, writes passages in one writer
session, builds a complete index in a fresh folder, and answers a search's full-text questions (terms.Candidates).
Everything else is here, once:

- Generations: the index directory holds generation folders named in CURRENT (or the directory itself, "."), so a
  rebuild writes a complete new one beside the one in use and switches with one rename; readers in every process
  see the old index, whole, until the new one is whole, and pick the new one up at their next search.
- Batched commits: the ingest's index step `enqueue`s; a background thread commits what waits within
  COMMIT_DELAY_S, many videos in one commit; MAX_BATCH passages waiting are committed by `enqueue` itself.
- Writers: one at a time across processes (each backend's lock, retried for LOCK_TIMEOUT_S, then `IndexBusy`),
  and a thread lock queues writers within a process.
- Reads are run again on the newest commit when another process's writer replaced files under them.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from indexer.config import MISSING_TANTIVY
from indexer.config import SEARCH_BACKENDS as BACKENDS
from indexer.errors import IndexBusy, InvalidInput
from indexer.models import Chapter, Transcript, Video
from indexer.search.generations import (
    REBUILD_LOCK,
    changes_since,
    current_generation,
    file_lock,
    journal_start,
    note_changes,
    publish,
    sweep,
    sweep_unless_rebuilding,
)
from indexer.search.parsing import check_page, parse_query, query_variants
from indexer.search.passages import documents, same_marker
from indexer.search.query import SearchResult, keyword_search, quote_search
from indexer.search.terms import Candidates, Filter, build_filter
from indexer.search.uncommitted import Uncommitted
from indexer.store.files import read_only_folder
from indexer.text.normalize import primary_language

LOCK_TIMEOUT_S = 30.0
COMMIT_DELAY_S = 1.0  # a video handed to `enqueue` is committed (searchable everywhere) this long after, at most
# passages: more waiting than this are committed by `enqueue` itself, so a commit stays short (about 3 s). Larger
# batches write fewer terms a passage (a commit's word pairs and rare words are shared by more passages) and leave
# fewer small segments to merge: 400 -> 1,000 made a caption ingest's index step at 100k passages faster (docs/
# benchmarks.md, "Larger batches"). Only a burst fills one: a Whisper ingest's video comes every minute or so.
MAX_BATCH = 1000
READ_ATTEMPTS = 5
Items = Iterable[tuple[Video, Transcript, Sequence[Chapter]]]
Progress = Callable[[str, int], None]
R = TypeVar("R")
log = logging.getLogger(__name__)


class Writer(Protocol):
    """One writer session of a backend: what `flush`, `add_many`, `delete`, `clear` and `rebuild` need."""

    def delete_video(self, video_id: str) -> None: ...

    def add(self, doc: dict[str, Any]) -> None: ...

    def clear(self) -> None: ...


def write_items(w: Writer, items: Items, progress: Progress | None, *, replace: bool) -> int:
    """Add each video's passages (replacing those it had, where it may have some); returns how many."""
    total = 0
    for video, transcript, chapters in items:
        if replace:
            w.delete_video(video.id)
        docs = documents(video, transcript, chapters)
        for doc in docs:
            w.add(doc)
        total += len(docs)
        if progress:
            progress(video.id, len(docs))
    return total


def commit_batch(w: Writer, batch: dict[str, list[dict[str, Any]]]) -> None:
    """Write a batch of `enqueue`d passages: each video's replace those it had."""
    for video_id, docs in batch.items():
        w.delete_video(video_id)
        for doc in docs:
            w.add(doc)


class PassageIndex(ABC):
    """The passage index in one directory, on one backend. Thread-safe; one writer at a time across processes."""

    backend: ClassVar[str] = ""
    root_files: ClassVar[tuple[str, ...]] = ()  # the backend's files in the root folder (an index before generations)
    index_format: ClassVar[str] = ""  # the format its folders' marker names (passages.same_marker)
    replaced_under_a_reader: ClassVar[tuple[type[BaseException], ...]] = (FileNotFoundError,)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.read_only = read_only_folder(self.path)  # searched as it is: the service neither refills nor reconciles
        self.path.mkdir(parents=True, exist_ok=True)
        self._generation = current_generation(self.path)
        self._write_lock = threading.RLock()  # flush takes it around _session, which takes it too
        self._read_lock = threading.RLock()  # the Whoosh searcher, opening a generation, retires the old one
        self._pending: dict[str, list[dict[str, Any]]] = {}  # video id -> passages, enqueued but not committed
        self._pending_since = 0.0
        self._pending_lock = threading.Lock()
        self._committing = False  # a batch has left the queue and its commit is under way
        self.failing: str | None = None  # why the last commit failed, until one succeeds (a readiness probe reads it)
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None
        self.exists: Callable[[str], bool] | None = None  # whether the store still has a video (set by the service)
        self.uncommitted = Uncommitted(self.path)  # on disk: what a process killed before its commit had queued
        self.made_anew = False  # this process made the index in use anew, empty (_open_current)
        self._open_current(self._folder(self._generation))
        sweep_unless_rebuilding(self.path, self._generation, self.root_files)

    # ---- what a backend provides ---------------------------------------------------------------------------------
    @abstractmethod
    def _open_folder(self, folder: Path) -> None:
        """Open (or create, empty) the index in `folder` as the one this object reads and writes."""

    @abstractmethod
    def _exists(self, folder: Path) -> bool:
        """Whether `folder` holds an index of this backend."""

    @abstractmethod
    def _session(self, timeout: float = LOCK_TIMEOUT_S) -> AbstractContextManager[Writer]:
        """A writer on the current generation, committed when the block ends (cancelled if it raises); takes the
        write lock (self._write_lock, then the backend's lock across processes: IndexBusy after `timeout` s)."""

    @abstractmethod
    def _build(self, folder: Path, items: Items, progress: Progress | None) -> int:
        """A complete index of `items` in the new folder `folder`, committed; returns the number of passages."""

    @abstractmethod
    def _candidates(self, flt: Filter | None) -> Candidates:
        """A reader on the newest commit, through the filter (after committing this process's own batch)."""

    @abstractmethod
    def _forget_reader(self) -> None:
        """Drop the reader, so the next read opens the newest commit afresh."""

    @abstractmethod
    def is_empty(self) -> bool:
        """No passage at all: cheap (one count), unlike `video_ids`."""

    @abstractmethod
    def video_ids(self) -> set[str]:
        """The videos that have at least one passage in the index."""

    @abstractmethod
    def passage_count(self, video_id: str) -> int:
        """How many passages of `video_id` the index holds."""

    # ---- generations ---------------------------------------------------------------------------------------------
    def _folder(self, generation: str) -> Path:
        return self.path if generation == "." else self.path / generation

    def _sync_generation(self) -> Path:
        """The current generation's folder, opened again if another process switched generations, or created
        afresh, empty, if its directory was deleted (the caller's reconcile refills it)."""
        generation = current_generation(self.path)
        folder = self._folder(generation)
        if generation != self._generation or not self._exists(folder):
            self._open_current(folder)
            self._generation = generation
        return folder

    def _open_current(self, folder: Path) -> None:
        """Open the generation in use, noting in `made_anew` where that makes it anew, empty (its folder gone, or
        made by a version with another format or other stems): the search service then leaves the REFILLING mark
        if the store has transcripts (SearchService.backend)."""
        made = not self.read_only and not (same_marker(folder / "clipindex.json", self.index_format)
                                           and self._exists(folder))
        self._open_folder(folder)
        self.made_anew = self.made_anew or made

    def rebuild(self, items: Items, progress: Progress | None = None,
                catch_up: Callable[[set[str]], None] | None = None) -> int:
        """Build a new generation from `items` beside the current one and switch to it when it is complete. A
        rebuild that stops part-way leaves the current generation in use, untouched. `catch_up` gets the videos
        other writers changed meanwhile (written into the generation being replaced), after the switch, to write
        them again (generations.py: the journal). One rebuild at a time (IndexBusy while another runs)."""
        name = f"g-{uuid.uuid4().hex[:12]}"
        with file_lock(self.path / REBUILD_LOCK, LOCK_TIMEOUT_S, self.path):
            offset = journal_start(self.path)
            try:
                total = self._build(self.path / name, items, progress)
            except BaseException:
                shutil.rmtree(self.path / name, ignore_errors=True)
                raise
            with self._write_lock:
                publish(self.path, name)
                self._sync_generation()
            if catch_up:
                catch_up(changes_since(self.path, offset))
            sweep(self.path, name, self.root_files)
        return total

    # ---- writing -------------------------------------------------------------------------------------------------
    def enqueue(self, video: Video, transcript: Transcript, chapters: Sequence[Chapter] = ()) -> int:
        """Index one video's passages (replacing any it had) in the next batched commit, at most COMMIT_DELAY_S
        from now; returns the number of passages. Until then a search in this process commits them first; a
        crash before the commit loses them from the index only: the store has them, and `reconcile` adds them."""
        docs = documents(video, transcript, chapters)  # the analysis, outside any lock
        note_changes(self.path, [video.id])
        with self._pending_lock:
            if not self._pending:
                self._pending_since = time.monotonic()
            if video.id not in self._pending:
                self.uncommitted.note(video.id)
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
                self._commit_batch(batch, timeout)
                # a video deleted while queued: its delete took it from the store, then from the index, and this
                # commit put it back (searches then answered short pages); its passages go again
                gone = [v for v in batch if self.exists and not self.exists(v)]
                if gone:
                    self._commit_batch(dict.fromkeys(gone, []), timeout)
                with self._pending_lock:
                    self.uncommitted.committed(self._pending)
            except BaseException:
                with self._pending_lock:  # newer passages of a video win over the batch's
                    self._pending = {**batch, **self._pending}
                    self._pending_since = time.monotonic()
                raise
            finally:
                self._committing = False
            return len(batch)

    def _commit_batch(self, batch: dict[str, list[dict[str, Any]]], timeout: float) -> None:
        """One commit of a batch: each video's passages replace those it had (under the write lock)."""
        with self._session(timeout) as w:
            commit_batch(w, batch)

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
                self.failing = None
            except Exception as exc:  # noqa: BLE001 - kept for the next attempt; the store is the truth either way
                self.failing = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
                log.warning("could not commit the search index at %s; retrying", self.path, exc_info=True)
                time.sleep(COMMIT_DELAY_S)

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception as exc:  # noqa: BLE001 - at exit: reconcile adds what did not get in
            log.warning("uncommitted passages at exit (%s): ingesting the same sources again adds them, as do "
                        "`clipindex reindex` and a server's start-up", exc)

    def _commit_own_first(self) -> None:
        """This process's own passages are searchable at once for its own searches: those still queued are
        committed now, and a commit the flusher thread has under way is waited for (on the writer's thread lock, so
        for as long as that one commit takes; its batch has already left the queue)."""
        if self._pending or self._committing:
            try:
                self.flush(timeout=0)
            except IndexBusy:
                pass  # another process is writing: the flusher commits them shortly; a search never waits

    def add(self, video: Video, transcript: Transcript, chapters: Sequence[Chapter] = ()) -> int:
        """Index one video's passages, replacing any it had; returns the number of passages."""
        return self.add_many([(video, transcript, chapters)])

    def add_many(self, items: Items, progress: Progress | None = None) -> int:
        """Index many videos with one writer and one commit (for a rebuild; Whoosh commits every 2,000,000
        postings, index.POOL_LIMIT); progress(video_id, passages)."""
        def noted() -> Items:  # each video noted before it is written (generations.py: the journal)
            for item in items:
                note_changes(self.path, [item[0].id])
                # what an ingest queued of the video is older than this: committed after it, it put back the
                # passages as they were (a correction or a new title made a moment after an ingest was lost)
                with self._pending_lock:
                    self._pending.pop(item[0].id, None)
                yield item

        with self._session() as w:
            return write_items(w, noted(), progress, replace=True)

    def discard_pending(self) -> None:
        """Forget the passages queued for the next commit (after a commit that failed: ingesting those videos
        again adds them), so the exit does not try again on a full disk or a lock that stays taken."""
        with self._pending_lock:
            self._pending = {}

    def delete(self, video_id: str) -> None:
        note_changes(self.path, [video_id])
        with self._pending_lock:
            self._pending.pop(video_id, None)
        with self._session() as w:
            w.delete_video(video_id)

    def clear(self) -> None:
        with self._session() as w:
            w.clear()

    # ---- reading -------------------------------------------------------------------------------------------------
    def search(self, query: str, *, mode: str | None = None, video: str | None = None, channel: str | None = None,
               language: str | None = None, after: str | None = None, before: str | None = None,
               limit: int = 10, offset: int = 0, languages: Sequence[str] | None = None) -> SearchResult:
        """Search passages (see query.py); without a `language` filter the query is read in each of `languages` (the
        archive's) too. Raises InvalidInput for a query or option it cannot take."""
        mode, text = parse_query(query, mode)
        check_page(limit, offset)
        flt = build_filter(video, channel, primary_language(language), after, before)
        variants = query_variants(text, primary_language(language), languages)
        started = time.monotonic()

        def read() -> SearchResult:
            found = self._candidates(flt)
            if mode == "quote":
                return quote_search(found, text, variants, limit, offset, started)
            return keyword_search(found, variants, limit, offset, text)

        return self._reading(read)

    def _reading(self, read: Callable[[], R]) -> R:
        """Run a read, again on the newest commit if another process's writer removed or replaced files it was
        opening (each backend names what that looks like). The last attempt raises."""
        for attempt in range(1, READ_ATTEMPTS):
            try:
                return read()
            except self.replaced_under_a_reader:
                self._forget_reader()
                time.sleep(0.01 * attempt)
        return read()  # the last attempt: what it raises is the caller's


def index_dir(data_dir: Path, backend: str) -> Path:
    """Where a backend's index lives in the data directory: each its own, so switching back and forth only refills."""
    return data_dir / ("index" if backend == "whoosh" else f"index-{backend}")


_OPEN: dict[tuple[Path, str], PassageIndex] = {}
_OPEN_LOCK = threading.Lock()


def index_class(backend: str) -> type[PassageIndex]:
    """The class of a backend by name; InvalidInput for an unknown one or one whose package is missing."""
    if backend == "whoosh":
        from indexer.search.index import SearchIndex  # deferred: Whoosh is heavy to import

        return SearchIndex
    if backend == "tantivy":
        try:
            from indexer.search.tantivy_index import TantivyIndex  # deferred: only when chosen
        except ModuleNotFoundError as exc:
            if exc.name != "tantivy":
                raise
            raise InvalidInput(MISSING_TANTIVY) from None
        return TantivyIndex
    raise InvalidInput(f"unknown search backend {backend!r}: choose one of {', '.join(BACKENDS)} "
                       f"(CLIPINDEX_SEARCH_BACKEND)")


def open_index(path: Path, backend: str = "whoosh") -> PassageIndex:
    """One index object per index directory and process: it holds the reader and queues this process's writers,
    so every service object in the process must share it."""
    cls = index_class(backend)
    key = (Path(path).resolve(), backend)
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = cls(key[0])
        return _OPEN[key]
