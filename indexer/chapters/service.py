"""A video's chapters as the product offers them: every list (computed, the creator's, an editor's), computing them
again (one video, or the whole archive after an upgrade), an editor's own list set, renamed or taken back, and the
list formats. `Clipindex.chapters` is this object; the CLI and the HTTP API call it
there. Segmentation itself is indexer.chapters.segment."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace

from indexer import refs
from indexer.articles.store import ArticleStore
from indexer.chapters.display import ORDER, shown
from indexer.chapters.edits import MADE, ChapterEdit, clean_title, editor_chapters
from indexer.chapters.formats import vtt_chapters, youtube_description
from indexer.errors import Conflict, InvalidInput, NotFound
from indexer.models import Chapter, ChapterSource, Transcript
from indexer.search.service import SearchService
from indexer.store.db import Store
from indexer.text.language import UNDETERMINED, detect_language


class ChapterService:
    """Given the store, the search index (which holds the chapter titles its hits show) and `transcript(ref)`, the
    stored transcript or NotFound (Clipindex.transcript)."""

    def __init__(self, store: Store, index: SearchService, transcript: Callable[[str], Transcript]) -> None:
        self.store, self.index, self.transcript = store, index, transcript

    def get(self, ref: str) -> list[Chapter]:
        """Every kind, the shown list first (an editor's, then the creator's: display.ORDER), then the others."""
        video_id = refs.resolve_video(self.store, ref)
        items = self.store.get_chapters(video_id)
        if not items:
            self.transcript(video_id)  # NotFound if its ingest stopped before the transcript
        return sorted(items, key=lambda c: (ORDER.index(c.source), c.start))

    def edit(self, ref: str, edits: list[ChapterEdit], was: list[ChapterEdit] | None = None) -> list[Chapter]:
        """Set the editor's chapter list (edits.editor_chapters says what it must hold), shown from now on; the
        search index's hits carry its titles. `was`: the list shown that the caller saw (starts and titles);
        Conflict where it reads otherwise now (another editor changed it meanwhile). Returns every kind, as `get`."""
        tr = self.transcript(ref)
        video = self.store.get_video(tr.video_id)
        finish = max(video.duration or 0.0, tr.segments[-1].end if tr.segments else 0.0)
        # a computed chapter's title, or one of the editor's made from the words, that the list keeps as it was at
        # that start stays a made one (a correction makes it again)
        made = {(round(c.start, 3), _spaced(c.title)) for c in self.store.get_chapters(tr.video_id) if _made(c)}
        edits = [replace(e, made=True) if (round(e.start, 3), _spaced(e.title)) in made else e for e in edits]
        new = editor_chapters(tr.video_id, edits, tr, finish, spelling(self.store, tr.video_id))

        def replaced(items: list[Chapter]) -> list[Chapter]:
            seen = [(round(e.start, 3), _spaced(e.title)) for e in was or []]
            if was is not None and seen != [(round(c.start, 3), _spaced(c.title)) for c in shown(items)]:
                raise Conflict("the chapters shown changed after you read them (another editor): read them again")
            return new

        self.store.edit_chapters(tr.video_id, replaced)
        self.index.index_edit(tr.video_id, "the editor's chapter list")
        return self.get(tr.video_id)

    def rename(self, ref: str, number: int, title: str, was: str | None = None) -> list[Chapter]:
        """Give chapter `number` (from 1, of the list shown) a new title. Where no editor's list exists yet, the
        shown list becomes one, with that title changed. `was`: the title the caller saw; Conflict where it reads
        otherwise now (another editor renamed it meanwhile)."""
        video_id = refs.resolve_video(self.store, ref)
        title = clean_title(title)
        if not title:
            raise InvalidInput("a chapter title cannot be empty")

        def renamed(items: list[Chapter]) -> list[Chapter]:
            current = shown(items)
            if not 1 <= number <= len(current):
                raise InvalidInput(f"chapter {number} does not exist: the video has {len(current)} (numbered from 1)")
            if was is not None and _spaced(current[number - 1].title) != _spaced(was):
                raise Conflict(f"chapter {number} is now titled {current[number - 1].title!r}, not {was.strip()!r}: "
                               "someone renamed it meanwhile")
            return [replace(c, source="editor", method="", title=title) if n == number else
                    replace(c, source="editor", method=MADE if _made(c) else "") for n, c in enumerate(current, 1)]

        if not self.store.get_chapters(video_id):
            self.transcript(video_id)  # NotFound, as `get`, for a video without a transcript
        self.store.edit_chapters(video_id, renamed)
        self.index.index_edit(video_id, f"the new title of chapter {number}")
        return self.get(video_id)

    def revert(self, ref: str) -> tuple[list[Chapter], bool]:
        """Take the editor's list away: the creator's or the computed chapters are shown again. Returns every kind
        left, and whether there was an editor's list to take away."""
        video_id = refs.resolve_video(self.store, ref)
        had = bool(self.store.get_chapters(video_id, "editor"))
        if had:
            self.store.edit_chapters(video_id, lambda _old: [])
            self.index.index_edit(video_id, "taking the editor's chapters back")
        return self.get(video_id), had

    def recompute(self, ref: str, *, min_length: float | None = None, max_length: float = 600.0,
                  count: int | None = None) -> list[Chapter]:
        from indexer.chapters.segment import segment  # deferred: numpy and the text layer, for this command only

        tr = self._named(self.transcript(ref))
        computed = segment(tr, min_length=min_length, max_length=max_length, count=count,
                           spelling=spelling(self.store, tr.video_id))
        self.store.put_chapters(tr.video_id, "computed", computed)
        self.index.index_video(tr.video_id)
        return computed

    def retitle(self, video_id: str) -> bool:
        """After a correction or its revert: the titles made from the words made again from them as they now read,
        and every chapter's keywords (the module's `retitle`). The caller indexes the video again, as it does for
        the words."""
        return retitle(self.store, video_id)

    def resegment_all(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Segment every transcribed video again as ingest does (after an upgrade of clipindex); the creator's
        chapters stay. A transcript stored as "und" is read for its language first (`_named`), as ingest now does.
        The index still holds the old titles until it is rebuilt (`clipindex reindex --chapters`)."""
        from indexer.chapters.segment import segment  # deferred: as in recompute

        ids = self.store.transcribed_ids()
        for done, video_id in enumerate(ids, 1):
            tr = self.store.get_transcript(video_id)
            if tr is not None:  # deleted meanwhile
                self.store.put_chapters(video_id, "computed", segment(self._named(tr),
                                                                      spelling=spelling(self.store, video_id)))
            if progress:
                progress(done, len(ids))
        return len(ids)

    def _named(self, tr: Transcript) -> Transcript:
        """A transcript an older version stored as "und" (a caption file that named no language), with the language
        its words show, stored as well, as ingest now reads it; any other transcript as it is."""
        if tr.language != UNDETERMINED:
            return tr
        language = detect_language(tr.text)
        if language == UNDETERMINED:
            return tr
        self.store.set_language(tr.video_id, language)
        return replace(tr, language=language)

    def render(self, ref: str, fmt: str, source: ChapterSource | None = None) -> str:
        items = self.get(ref)
        chosen = [c for c in items if c.source == source] if source else shown(items)
        if fmt == "youtube":
            return youtube_description(chosen)
        if fmt == "vtt":
            return vtt_chapters(chosen)
        if fmt == "json":
            return json.dumps([{"start": c.start, "end": c.end, "title": c.title, "keywords": list(c.keywords),
                                "source": c.source, "method": c.method} for c in (chosen if source else items)],
                              ensure_ascii=False, indent=1)
        raise InvalidInput(f"unknown format {fmt!r}: choose youtube, vtt or json")


def spelling(store: Store, video_id: str) -> list[str]:
    """The texts of the articles linked to the video, whose spelling of names its titles follow, as at ingest."""
    return [text for article, _ in ArticleStore(store).for_video(video_id) for text in article.spelling]


def retitle(store: Store, video_id: str) -> bool:
    """After a correction or its revert, each list's words described again from the transcript as it now reads, its
    bounds kept: the computed chapters' titles and keywords, the creator's keywords (its titles are the creator's),
    and the editor's keywords and those of its titles made from the words (edits.MADE; those typed stay) that hold
    a word no longer said in their chapter. True where a title or keywords changed. An editor's list that changed
    meanwhile (another edit, which described its own) is left as it is."""
    from indexer.chapters.segment import retitled  # deferred: numpy and the text layer, as in recompute
    from indexer.chapters.spans import described, said

    items = store.get_chapters(video_id)
    transcript = store.get_transcript(video_id) if items else None
    if transcript is None:
        return False
    names = spelling(store, video_id)
    lists = {source: [c for c in items if c.source == source] for source in ORDER}
    changed = False
    computed = lists["computed"]
    if computed and (new := retitled(transcript, computed, names)) != computed:
        store.put_chapters(video_id, "computed", new)
        changed = True
    for source in ("creator", "editor"):
        old = lists[source]
        if not old:
            continue
        spans = [(c.start, c.end) for c in old]
        # a title made from the words is made again where it holds a word its chapter no longer says (the misheard
        # name put right); one that still reads true stays as the editor saw it
        stale = [_made(c) and not _words(c.title) <= _words(text) for c, text in zip(old, said(transcript, spans))] \
            if source == "editor" else [False] * len(old)  # the creator's titles are the creator's words
        remade = described(transcript, spans, names, titles=any(stale))
        new = [replace(c, title=head if head and again else c.title, keywords=keywords)
               for c, again, (head, keywords) in zip(old, stale, remade)]
        if new == old:
            continue
        if source == "creator":
            store.put_chapters(video_id, "creator", new)
        elif not _described_again(store, video_id, old, new):
            return changed
        changed = True
    return changed


def _described_again(store: Store, video_id: str, old: list[Chapter], new: list[Chapter]) -> bool:
    """The editor's list `old` replaced by `new` where it still reads as `old` (bounds and titles); False where the
    video was deleted meanwhile."""
    def change(now: list[Chapter]) -> list[Chapter]:
        return new if _bounds(now) == _bounds(old) else [c for c in now if c.source == "editor"]

    try:
        store.edit_chapters(video_id, change)
    except NotFound:
        return False
    return True


def _made(chapter: Chapter) -> bool:
    """Whether the chapter's title was made from its words (a computed chapter's, an editor's marked so)."""
    return chapter.source == "computed" or (chapter.source == "editor" and chapter.method == MADE)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _bounds(items: list[Chapter]) -> list[tuple[float, float, str]]:
    return [(c.start, c.end, c.title) for c in items if c.source == "editor"]


def _spaced(title: str) -> str:
    """A title as an editor's `was` is compared with it: runs of spaces read as one ("A  B" was seen as "A B")."""
    return " ".join(title.split())
