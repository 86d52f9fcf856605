"""Speaker turns inside caption cues: where a new speaker's words begin, and a cue's text written with them.

Why a module of its own: broadcast captions mark a change of speaker inside a cue, a dash that opens a line ("- Are
you leaving?" / "- Not yet.") or US broadcast's ">>", and WebVTT names the speaker (`<v Anna>`: a span of another name
than the one before is a turn, within a cue or from the cue before). media.cuetext takes the mark out (it is never a
word) and says where it stood; a cue read from a file keeps that as `Cue.turns`, a timed word as `CaptionWord.turn`,
and a stored transcript as `Word.turn` (indexer.models). Every caption file clipindex writes (a transcript's SRT,
WebVTT and TTML, a reel's, a render's sidecars and burnt-in captions) takes a cue's text from `shown`: a cue that
holds more than one speaker's words is written as broadcasters write it, each speaker's words on a line (or lines) of
their own, opened by "- "; a cue of one speaker is laid out as before, without a dash, whether or not its first word
opens a turn. Read back, those dashes give the same turns (a first line's dash marks a turn at the cue's first word: a
file that dashes the second speaker only reads back with both).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from media.lines import LINE_WIDTH, laid_out

if TYPE_CHECKING:  # media.captions imports this module: its types are names for the type checker only
    from media.captions import CaptionWord, Cue

DASH = "- "  # opens each speaker's line in a cue of several (SRT, WebVTT and TTML alike)
_TOKEN = re.compile(r"\S+")


def turn_offsets(cue: Cue) -> list[int]:
    """Where in the cue's text a new speaker's words begin after words of another (character offsets, in order):
    from its words' `turn` where it has timed words (none where those do not spell its text: no place to cut is
    known), else from `Cue.turns`. A turn at the cue's first word is none here: the cue holds one speaker's words."""
    if cue.words:
        return _word_offsets(cue.text, cue.words)
    starts = [m.start() for m in _TOKEN.finditer(cue.text)]
    return sorted({starts[i] for i in cue.turns if 0 < i < len(starts)})


def _word_offsets(text: str, words: Sequence[CaptionWord]) -> list[int]:
    """Where each word that opens a turn begins in `text`, found by walking the text's letters (spaces aside, as
    media.readable.spells compares them); [] where the words do not spell it."""
    out, pos = [], 0
    for word in words:
        at = None
        for ch in word.text:
            if ch.isspace():
                continue
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos == len(text) or text[pos] != ch:
                return []
            at = pos if at is None else at
            pos += 1
        if word.turn and at:  # not the first word's (at 0)
            out.append(at)
    return out


def shown(cue: Cue, line_width: int = LINE_WIDTH) -> str:
    """The cue's text as a caption file writes it: laid out by media.lines, and where it holds more than one
    speaker's words, each speaker's laid out on its own, its first line opened by "- " (lines as wide as the rest,
    dash included)."""
    cuts = turn_offsets(cue)
    if not cuts:
        return laid_out(cue.text, line_width)
    bounds = [0, *cuts, len(cue.text)]
    parts = [cue.text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return "\n".join(DASH + laid_out(part, line_width - len(DASH)) for part in parts if part)
