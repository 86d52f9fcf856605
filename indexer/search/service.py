"""The search service: the index kept as a projection of the store, and quote/keyword search over it.

The store is the truth. A search only reads: indexing a transcribed video is the ingest chain's index step, never a
search's, so searches in many processes never contend for the index's one writer (what a killed process left
uncommitted is indexed in a thread of its own: `recover_uncommitted`). `reconcile` makes the index hold
exactly the store's transcribed videos (the server runs it at start-up); `reindex` rebuilds it from nothing. The
index itself is opened lazily, so a command that never searches never imports Whoosh (or tantivy: the backend is
`Settings.search_backend`, CLIPINDEX_SEARCH_BACKEND).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.chapters.display import display_chapters
from indexer.config import Settings
from indexer.errors import IndexBusy
from indexer.models import Chapter, SearchMode, Transcript, Video
from indexer.search.generations import REFILLING
from indexer.search.uncommitted import abandoned
from indexer.store.db import Store
from indexer.store.files import exclusive
from indexer.store.status import held_back

log = logging.getLogger(__name__)
LANGUAGES_TTL_S = 10.0  # a video in a language new to the archive is searched in it within this long
# ... at once where this process indexed it (an ingest step has a SearchService of its own): languages indexed here
_INDEXED: dict[Path, set[str]] = {}

if TYPE_CHECKING:  # Whoosh is imported only by commands that search
    from indexer.search.base import PassageIndex
    from indexer.search.query import SearchResult
RECOVER_EVERY_S = 30.0  # a serving process looks this often for what a killed process left uncommitted


class SearchService:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._languages: tuple[float, list[str]] | None = None  # (when read, the archive's languages)
        self._recovered = time.monotonic()  # when `search` last looked for what killed processes left uncommitted
        self._recovering = threading.Lock()

    @property
    def backend(self) -> PassageIndex:
        from indexer.search.base import index_dir, open_index  # deferred: a backend is heavy to import

        name = self.settings.search_backend
        backend = open_index(index_dir(self.settings.data_dir, name), name)
        if backend.made_anew:
            backend.made_anew = False
            if self.store.transcribed_ids():  # else a new archive: nothing to refill
                # an ingest that came first made the index no longer empty with its own video, and every later
                # command-line search answered from that video alone while the archive was listed ready: the mark
                # makes the next one refill it (refill_if_empty), as a server's start or `reconcile` does
                (backend.path / REFILLING).touch()
        return backend

    def search(self, query: str, *, mode: SearchMode | None = None, video: str | None = None,
               channel: str | None = None, language: str | None = None, after: str | None = None,
               before: str | None = None, limit: int = 10, offset: int = 0) -> SearchResult:
        """Raw hits (no links); `video` is a resolved video id. Reads only. Without a language filter the query is
        read in each of the archive's languages (their stemmers and number words), as its passages were. Every
        RECOVER_EVERY_S a thread of its own indexes what a killed process left uncommitted: a server running
        beside a bulk ingest that was killed never found those videos until it restarted."""
        if time.monotonic() - self._recovered > RECOVER_EVERY_S and self._recovering.acquire(blocking=False):
            self._recovered = time.monotonic()
            threading.Thread(target=self._recover_in_background, daemon=True, name="index-recovery").start()
        return self.backend.search(query, mode=mode, video=video, channel=channel, language=language, after=after,
                                   before=before, limit=limit, offset=offset,
                                   languages=None if language else self.archive_languages())

    def archive_languages(self) -> list[str]:
        """The store's transcript languages, most videos first; read again at most every LANGUAGES_TTL_S."""
        now = time.monotonic()
        if (self._languages is None or now - self._languages[0] > LANGUAGES_TTL_S
                or not _INDEXED.get(self.settings.data_dir, set()) <= set(self._languages[1])):
            self._languages = (now, self.store.languages())
        return self._languages[1]

    def index_video(self, video_id: str, *, batched: bool = False) -> int:
        """(Re)index one video's passages from the store; 0 when it has no transcript. `batched`: in the next
        batched commit, within a second or so (the ingest chain's index step), instead of a commit of its own."""
        entry = self._entry(video_id)
        if entry is None:
            return 0
        backend = self.backend
        backend.exists = self._exists
        _INDEXED.setdefault(self.settings.data_dir, set()).add(entry[1].language)
        return backend.enqueue(*entry) if batched else backend.add(*entry)

    def index_edit(self, video_id: str, edit: str) -> None:
        """Index a video again after an edit the store already holds (a correction, its revert, new details). Where
        the index cannot be written (a full disk, busy past the lock's patience) the error says the edit is kept, so
        no one tries it again ("nothing to correct") and a reindex brings search up to date."""
        try:
            self.index_video(video_id)
        except (IndexBusy, OSError) as exc:
            raise IndexBusy(f"{edit} is stored, but the search index could not be updated ({exc}): `clipindex "
                            "reindex` brings it up to date") from None

    def index_if_missing(self, video_id: str) -> None:
        """Index a stored video the index lacks, in the next batched commit (a commit that failed after its index step
        was recorded done: a full disk, an index busy past the lock's patience, a process killed before its commit)."""
        if self.backend.passage_count(video_id) == 0:
            self.index_video(video_id, batched=True)

    def _exists(self, video_id: str) -> bool:
        return self.store.find_video(video_id) is not None

    def flush(self) -> None:
        """Commit the passages that batched index steps of this process hold."""
        self.backend.flush()

    def _entry(self, video_id: str) -> tuple[Video, Transcript, list[Chapter]] | None:
        """What the index holds of one video, read from the store; None when it has no transcript."""
        tr = self.store.get_transcript(video_id)
        if tr is None:
            return None
        return self.store.get_video(video_id), tr, display_chapters(self.store, video_id)

    def forget(self, video_id: str) -> None:
        self.backend.delete(video_id)

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the whole index from the store beside the one in use, then switch to it (searches never see an
        empty or half-built index); returns the number of passages."""
        self.store.must_write()
        index = self.backend
        held = held_back(self.store)  # an ingest cut off before its index step indexes the video when resumed
        ready = [video_id for video_id in self.store.transcribed_ids() if video_id not in held]
        done = 0

        def items() -> Iterator[tuple[Video, Transcript, list[Chapter]]]:
            for video_id in ready:
                entry = self._entry(video_id)
                if entry is not None:
                    yield entry

        def step(_video_id: str, _n: int) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, len(ready))

        total = index.rebuild(items(), step, self._catch_up)
        self.reconcile()  # videos indexed into the old generation while this one was built
        return total

    def _catch_up(self, changed: set[str]) -> None:
        """Write again, from the store, the videos other writers changed while a rebuild built: a correction, new
        details or a forced ingest went into the generation the rebuild replaced."""
        for video_id in sorted(changed):
            if self.index_video(video_id, batched=True) == 0:  # no transcript now (deleted): no passages either
                self.backend.delete(video_id)
        self.backend.flush()

    def recover_uncommitted(self, timeout: float | None = None) -> int:
        """Index again, from the store, the videos that processes on this host queued for a commit they never made
        (killed in the second between an index step and its batch's commit: listed as ready, found by no search);
        returns how many. Cheap when there are none: one look into a folder. Run before a command-line search or
        ingest, at a server's start and now and then while it serves (`search`). `timeout`: how long to wait for
        another writer (IndexBusy after it; the files stay for the next look)."""
        index = self.backend
        if index.read_only:
            return 0
        found = abandoned(index.path)
        if not found:
            return 0
        ids = sorted(set().union(*(ids for _, ids in found)))
        for video_id in ids:
            if self.index_video(video_id, batched=True) == 0:  # deleted since (or never transcribed)
                index.delete(video_id)
        if timeout is None:
            index.flush()  # the writers' usual patience
        else:
            index.flush(timeout)
        for path, _ in found:
            path.unlink(missing_ok=True)
        return len(ids)

    def _recover_in_background(self) -> None:
        try:
            self.recover_uncommitted()
        except Exception:  # noqa: BLE001 - busy or failing: the files stay for the next look
            log.warning("could not index what a killed process left uncommitted; trying again later", exc_info=True)
        finally:
            self._recovering.release()

    def refill_if_empty(self, announce: Callable[[int], None] | None = None) -> int:
        """Refill an index that holds nothing while the store has transcripts: one recreated because an upgrade
        changed its format, or whose folder was deleted; and finish a refill that was stopped (REFILLING marks one
        under way: a refill killed part-way left an index that was no longer empty, so it was never finished, and
        the rest of the archive stayed unsearchable while listed as ready). `backend` marks so an index made anew
        while the store has transcripts, as an ingest that comes first leaves it no longer empty. The server
        reconciles at start-up; this is for the command line, whose searches would otherwise answer "no matches"
        until someone ran `reindex`. Processes that find it empty at once take turns, and those after the first
        find it full. Returns the number
        of videos added (`announce` hears it first); 0, after one cheap count, when the index has passages and no
        refill was left unfinished."""
        with suppress(IndexBusy):  # another writer holds the index: its files stay for the next look
            self.recover_uncommitted(timeout=5.0)  # a search waits no longer for it
        unfinished = self.backend.path / REFILLING
        if self.backend.read_only or not (unfinished.exists() or self.backend.is_empty()):
            return 0
        with exclusive(self.backend.path / "refill.lock"):
            if not (unfinished.exists() or self.backend.is_empty()):
                return 0
            missing = len(set(self.store.transcribed_ids()) - self.backend.video_ids() - held_back(self.store))
            if missing:
                if announce:
                    announce(missing)
                unfinished.touch()
                self.reconcile()
            unfinished.unlink(missing_ok=True)
        return missing

    def reconcile(self) -> tuple[int, int]:
        """Make the index hold exactly the store's transcribed videos, less those whose ingest has not reached its
        index step (`held_back`: not added, and left where they are); returns how many videos it added (with
        passages) and dropped. An index that cannot be written is left as it is: it is searched as the archive was
        when it was copied or mounted."""
        index = self.backend
        if index.read_only:
            return 0, 0
        self.recover_uncommitted()  # a video queued again by a killed process is in the index, in its old form
        indexed = index.video_ids()
        ready = set(self.store.transcribed_ids())
        for stale in indexed - ready:
            index.delete(stale)
        added = sum(self.index_video(missing, batched=True) > 0
                    for missing in sorted(ready - indexed - held_back(self.store)))
        index.flush()
        (index.path / REFILLING).unlink(missing_ok=True)  # the index holds the store's videos: nothing to refill
        return added, len(indexed - ready)
