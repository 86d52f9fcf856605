"""A video's own chapters (the creator's list from its metadata), with keywords from the words said in each.

Titles are the creator's; only the keywords are computed, as segment computes them for its own chapters.
"""

from __future__ import annotations

from indexer.chapters.spans import described
from indexer.models import Chapter, Transcript, Video

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
    keywords = [kw for _, kw in described(transcript, [(s, e) for s, e, _ in spans], titles=False)] if transcript \
        else [()] * len(spans)
    return [Chapter(video.id, s, e, t, kw, "creator") for (s, e, t), kw in zip(spans, keywords)]
