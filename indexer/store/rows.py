"""How the store's rows hold videos, transcripts and words, written and read back: the store (store/db.py) and the
corrections (store/corrections.py) both read and write segments through these.

A word is a compact JSON array, [start, end, text, probability], with its source only where a correction wrote it,
and with its source and a 1 where it opens a speaker's turn ([start, end, text, probability, source, 1]: rows
written before turns were kept read as none, and an older version reads these as it did); a segment's words are one
such array of arrays in its row, so a segment is rewritten whole. A video's creator chapters are a JSON list in its
row.
"""

from __future__ import annotations

import json
from typing import Any

from indexer.models import Segment, Transcript, Video, Word, WordSource


def stored_head(video_id: str, head: Any) -> Transcript:
    """The transcript of a row of `transcripts`, without its segments."""
    warnings = tuple(json.loads(head["warnings"]))
    return Transcript(video_id, head["language"], head["engine"], head["model"], (), warnings)


def stored_word(row: list[Any], origin: WordSource) -> Word:
    """A word as stored: [start, end, text, probability], plus its source where a correction wrote it (a word's
    source is otherwise where its transcript came from: the engine or the captions), plus a 1 where it opens a
    speaker's turn."""
    return Word(row[0], row[1], row[2], row[3], row[4] if len(row) > 4 else origin, len(row) > 5 and bool(row[5]))


def word_row(w: Word) -> list[Any]:
    row: list[Any] = [w.start, w.end, w.text, w.probability]
    if w.turn:
        return [*row, w.source, 1]
    return [*row, w.source] if w.source in ("article", "editor") else row


def segment_row(video_id: str, idx: int, s: Segment) -> dict[str, Any]:
    words = [word_row(w) for w in s.words]
    return {"video_id": video_id, "idx": idx, "start": s.start, "end": s.end, "text": s.text,
            "words": json.dumps(words, ensure_ascii=False)}


def stored_video(row: Any) -> Video:
    """The video of a row of `videos`."""
    data = {k: row[k] for k in Video.__dataclass_fields__ if k != "creator_chapters"}
    data["has_video"] = bool(data["has_video"])
    chapters = tuple(tuple(c) for c in json.loads(row["creator_chapters"] or "[]"))
    return Video(**data, creator_chapters=chapters)
