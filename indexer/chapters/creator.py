"""A video's own chapters (the creator's list from its metadata), with keywords from the words said in each.

Titles are the creator's; only the keywords are computed, as segment computes them for its own chapters.
"""

from __future__ import annotations

from bisect import bisect_right

from indexer.chapters.segment import _read
from indexer.chapters.titles import describe
from indexer.models import Chapter, Transcript, Video
from indexer.text.normalize import Token

__all__ = ["creator_chapters"]


def creator_chapters(video: Video, transcript: Transcript | None = None) -> list[Chapter]:
    """The video's own chapter list (from YouTube metadata), in time order, marked `source="creator"`.

    Titles are kept as the creator wrote them; with a transcript, each chapter gets keywords from the words
    spoken inside it. A missing or backwards end becomes the next chapter's start, or for the last chapter the
    video's duration (else the end of speech).
    """
    items = sorted(video.creator_chapters)
    if not items:
        return []
    words = transcript.words if transcript else []
    finish = video.duration or (words[-1].end if words else items[-1][0])
    nexts = [start for start, _, _ in items[1:]] + [max(finish, items[-1][0])]
    spans = [(start, end if end > start else after, title.strip()) for (start, end, title), after in zip(items, nexts)]
    keywords = _span_keywords(transcript, [(s, e) for s, e, _ in spans]) if transcript else [()] * len(spans)
    return [Chapter(video.id, s, e, t, kw, "creator") for (s, e, t), kw in zip(spans, keywords)]


def _span_keywords(transcript: Transcript, spans: list[tuple[float, float]]) -> list[tuple[str, ...]]:
    """Keywords per span from the sentences whose middle falls in it (the last span takes any overhang)."""
    sentences = transcript.sentences()
    reading, _stop, kept = _read(sentences, transcript.language)
    groups: list[list[Token]] = [[] for _ in spans]
    starts = [a for a, _ in spans]
    for s, words in zip(sentences, kept):
        mid = (s.start + s.end) / 2
        i = bisect_right(starts, mid) - 1
        if i >= 0 and (mid < spans[i][1] or i == len(spans) - 1):
            groups[i].extend(words)
    return [kw for _, kw in describe(groups, reading)]
