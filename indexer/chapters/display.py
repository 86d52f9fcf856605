"""Which of a video's chapters people see: the creator's own list when there is one, else the computed chapters."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.models import Chapter
from indexer.store.db import Store


def display_chapters(store: Store, video_id: str) -> list[Chapter]:
    """The creator's chapters when the video has them (what viewers see on YouTube), else the computed ones."""
    return store.get_chapters(video_id, "creator") or store.get_chapters(video_id, "computed")


def shown(items: Sequence[Chapter]) -> list[Chapter]:
    """Of both kinds together, the ones to show (same rule as display_chapters)."""
    creator = [c for c in items if c.source == "creator"]
    return creator or [c for c in items if c.source == "computed"]
