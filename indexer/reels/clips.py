"""Clips: a range of one video, padded and snapped so that no word (or sentence) is cut in half.

Edges are snapped before padding and again after: `word` moves an edge that falls inside a word to that word's edge,
`sentence` to the sentence's edge, `none` leaves it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, get_args

from indexer.errors import InvalidInput
from indexer.models import Clip, ClipOrigin, Transcript, Word, split_sentences
from media.editors import one_line

Snap = Literal["word", "sentence", "none"]
SNAPS: tuple[Snap, ...] = get_args(Snap)


def snap(words: Sequence[Word], start: float, end: float, how: Snap,
         language: str | None = None) -> tuple[float, float]:
    """Move edges that fall inside a word (or sentence, read as `language` writes them) out to its edge."""
    if how == "none" or not words:
        return start, end
    spans = [(w.start, w.end) for w in words]
    if how == "sentence":
        spans = [(s.start, s.end) for s in split_sentences(words, language)]
    for a, b in spans:
        if a < start < b:
            start = a
        if a < end < b:
            end = b
    return start, end


MIN_CLIP_S = 0.1  # the shortest clip a reel takes: at least a frame at 10 fps and up


def make_clip(tr: Transcript | None, duration: float, start: float, end: float, *, pad: float = 0.0,
              how: str = "word", label: str = "", origin: ClipOrigin = "range", video_id: str = "",
              frame_s: float = 0.0) -> Clip:
    """`frame_s`: one frame of the video, where its media tells (a clip shorter than MIN_CLIP_S or a frame was
    stored, and then every render of its reel failed on it)."""
    if how not in SNAPS:
        raise InvalidInput(f"--snap must be one of {', '.join(SNAPS)}")
    if not (start >= 0 and end > start and math.isfinite(end)):  # an infinite end ("1e400" in JSON) was cut back
        raise InvalidInput(f"a clip needs 0 <= start < end, both finite, not {start:g}..{end:g}")
    if start >= duration:
        raise InvalidInput(f"the clip starts at {start:g} s, past the video's end ({duration:.1f} s)")
    if not 0 <= pad <= 30:
        raise InvalidInput("--pad must be between 0 and 30 seconds")
    words = tr.words if tr else []
    mode: Snap = how  # checked against SNAPS above
    language = tr.language if tr else None
    start, end = snap(words, start, min(end, duration), mode, language)
    start, end = snap(words, max(start - pad, 0.0), min(end + pad, duration), mode, language)
    shortest = max(MIN_CLIP_S, frame_s)
    if min(end, duration) - start < shortest - 1e-6:  # the video's end may have cut it short
        raise InvalidInput(f"the clip {start:.3f}-{min(end, duration):.3f} s is too short to render: a clip lasts "
                           f"at least {shortest:.3g} s (the video ends at {duration:.3f} s)")
    owner = video_id or (tr.video_id if tr else "")
    # a label in any export and on a terminal is one line of text: a hit's words or a title may hold a NUL or an ESC
    return Clip(owner, round(start, 3), round(min(end, duration), 3), one_line(label)[:200], origin)
