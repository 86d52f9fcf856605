"""Which of a video's chapters people see: an editor's list when there is one (the newsroom's own word), else the
creator's (what viewers see on YouTube), else the computed chapters."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.models import Chapter, ChapterSource
from indexer.store.db import Store

ORDER: tuple[ChapterSource, ...] = ("editor", "creator", "computed")  # the first list a video has is shown


def display_chapters(store: Store, video_id: str) -> list[Chapter]:
    """The chapters shown for the video (ORDER: the editor's, the creator's, the computed ones)."""
    return shown(store.get_chapters(video_id))


def shown(items: Sequence[Chapter]) -> list[Chapter]:
    """Of all kinds together, the ones to show (ORDER), in time order."""
    for source in ORDER:
        chosen = [c for c in items if c.source == source]
        if chosen:
            return sorted(chosen, key=lambda c: c.start)
    return []
