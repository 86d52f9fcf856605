"""Caption cues laid out as a viewer reads them: text in lines of at most LINE_WIDTH columns, broken where the
sentence allows, and times that neither overlap nor flash.

Why a module of its own: every caption file clipindex writes (a transcript's SRT, VTT and TTML, a reel's, the
sidecars and burnt-in captions of a render) goes through media.captions' writers, and a cue of 84 columns written as
one line runs off a phone's screen or is wrapped by the player wherever the width runs out ("the President of | the
United States"). Nothing here knows a language: a line breaks best after a sentence's or clause's mark, never right
after a word of one or two letters (in most languages an article, a preposition or a conjunction that belongs to the
word after it), and between two characters of Chinese or Japanese.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # media.captions imports this module: its Cue is a name for the type checker only
    from media.captions import Cue

LINE_WIDTH = 42  # columns a line, as broadcast and web captions keep them
MIN_SHOWN_S = 0.7  # a cue shorter than this is held longer where the next one leaves room
# Reading speed: columns a second a viewer reads (an East Asian character counts two, so 10 characters of Chinese or
# Japanese): about the 17-20 characters a second that broadcasters' caption guidelines allow for adults. A cue timed
# to fast speech is held on screen after its words, into the pause before the next cue, at most HOLD_S past its end.
READING_SPEED = 20.0
HOLD_S = 1.5
_WIDE = re.compile(r"[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]")
# where a line may break between two characters: kana, CJK ideographs and full-width forms, a word a character (Thai,
# Lao, Khmer and Myanmar write words of several letters without spaces: their lines break at spaces only)
_CHARACTER_WORDS = re.compile(r"[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]")
# a text that ends a sentence: . ! ? … (Chinese and Japanese 。！？, Arabic ؟, Devanagari ।), closing marks after it;
# the one check for captions' cues and lines and for a transcript's sentences (indexer.models.ends_sentence)
SENTENCE_END = re.compile(r"[.!?…。！？؟।]['\"»”’)\]」』]*$")
_CLAUSE_END = re.compile(r"[;:,、，；：،؛\-–—]['\"»”’)\]」』]*$")
_CLOSING = "、。，．！？；：）」』】》〉…・ー,.!?;:)]}»”’%"  # marks that stay on the character before them
_OPENING = "「『【《〈（([{«“‘"  # marks that stay on the character after them
_SHORT_WORD = re.compile(r"(?:^|\s)[^\W\d_]{1,2}$")  # a last word of one or two letters: "a", "de", "la", "и"

OVERFLOW = 1000.0  # a column past LINE_WIDTH costs this: a line longer than that only where a word is
AFTER_SENTENCE = -12.0  # a break after a sentence's end (the cost's units: columns of imbalance, squared / width)
AFTER_CLAUSE = -6.0  # after a comma, colon, semicolon or dash
AFTER_SHORT_WORD = 8.0  # after a word of one or two letters, which goes with the word after it
MOST_LINES = 3  # a cue of more lines than this is filled line after line


def width(text: str) -> int:
    """Columns `text` takes on screen: East Asian wide characters count two."""
    return len(text) + len(_WIDE.findall(text))


def laid_out(text: str, line_width: int = LINE_WIDTH) -> str:
    """`text` in as few lines of at most `line_width` columns as it fits, lines about equally long, each break
    where it costs least (see the module's docstring). Lines the text already has are kept (blank ones dropped:
    a blank line ends a cue in SRT and WebVTT); a word wider than a line stays whole."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) != 1:
        return "\n".join(lines)
    text = " ".join(lines[0].split())
    total = width(text)
    if total <= line_width:
        return text
    cuts = _cuts(text)
    count = -(-total // line_width)  # as few lines as the width allows
    while count > 1:
        best = _best(text, cuts, count, line_width)
        if best is not None:
            return "\n".join(best)
        count -= 1  # fewer places to break than lines wanted (one long word): as many as there are
    return text


def _cuts(text: str) -> list[tuple[int, int]]:
    """Where a line may end: (end of the line, start of the next) in `text`, at a space, or between two characters
    of a script without spaces, where neither a closing mark follows nor an opening one precedes."""
    out = []
    for i in range(1, len(text)):
        if text[i] == " ":
            out.append((i, i + 1))
        elif (_CHARACTER_WORDS.match(text[i]) and (_CHARACTER_WORDS.match(text[i - 1]) or text[i - 1] in _CLOSING)
              and text[i] not in _CLOSING and text[i - 1] not in _OPENING):
            out.append((i, i))
    return out


def _best(text: str, cuts: Sequence[tuple[int, int]], count: int, line_width: int) -> list[str] | None:
    """The cheapest `count` lines, or None where there are fewer places to break. Past MOST_LINES (a caption file's
    paragraph of a cue), lines are filled one after another instead: no screen shows such a cue whole anyway."""
    if len(cuts) < count - 1:
        return None
    bounds = [(0, 0), *cuts, (len(text), len(text))]
    columns = [0]  # columns[i]: the width of text[:i]
    for ch in text:
        columns.append(columns[-1] + 1 + bool(_WIDE.match(ch)))
    if count > MOST_LINES:
        return _filled(text, bounds, columns, line_width)
    costs = [_break_cost(text[max(0, end - 8):end]) for end, _ in bounds[:-1]] + [0.0]
    target = columns[-1] / count

    def line_cost(a: int, b: int) -> float:
        w = columns[bounds[b][0]] - columns[bounds[a][1]]
        return (w - target) ** 2 / max(1.0, target) + OVERFLOW * max(0, w - line_width) + costs[b]

    # best[k][j]: the cost of k + 1 lines that end at bound j, and where the line before ends
    best: list[dict[int, tuple[float, int]]] = [{j: (line_cost(0, j), 0) for j in range(1, len(bounds))}]
    for k in range(1, count):
        row = {}
        for j in range(k + 1, len(bounds)):
            row[j] = min((best[k - 1][i][0] + line_cost(i, j), i) for i in range(k, j))
        best.append(row)
    ends, j = [], len(bounds) - 1
    for k in range(count - 1, -1, -1):
        ends.append(j)
        j = best[k][j][1]
    ends.reverse()
    starts = [0, *ends[:-1]]
    return [text[bounds[a][1]:bounds[b][0]].strip() for a, b in zip(starts, ends)]


def _filled(text: str, bounds: Sequence[tuple[int, int]], columns: Sequence[int], line_width: int) -> list[str]:
    """Lines filled one after another up to `line_width` (a word wider than a line on a line of its own)."""
    lines, start = [], 0
    for j in range(1, len(bounds)):
        last = j == len(bounds) - 1
        if not last and columns[bounds[j + 1][0]] - columns[bounds[start][1]] <= line_width:
            continue  # the next word fits on this line too
        lines.append(text[bounds[start][1]:bounds[j][0]].strip())
        start = j
    return lines


def _break_cost(before: str) -> float:
    """What ending a line after `before` costs (negative: a good place)."""
    if SENTENCE_END.search(before):
        return AFTER_SENTENCE
    if _CLAUSE_END.search(before):
        return AFTER_CLAUSE
    return AFTER_SHORT_WORD if _SHORT_WORD.search(before) else 0.0


def timed(cues: Iterable[Cue]) -> list[Cue]:
    """Cues in time order, none shown over the next: a cue that runs past the next one's start ends there (the
    next cue's words are being said), unless that would leave it less than MIN_SHOWN_S; a cue shorter than
    MIN_SHOWN_S (a recogniser's word of 0 s) is held to MIN_SHOWN_S, or up to the next cue's start; a cue too long
    to read in its time at READING_SPEED is held on after its words, up to HOLD_S, as far as the next cue leaves
    room (a cue of 84 columns said in 2.5 s was gone before a viewer had read half of it). No cue is held past its
    `until` (on a reel, its clip's end: a cue held on into the next shot, a title card or past the reel's end
    crossed a cut). No cue's text is dropped."""
    out = sorted(cues, key=lambda c: (c.start, c.end))
    for i, cue in enumerate(out):
        following = out[i + 1].start if i + 1 < len(out) else None
        end = cue.end
        if following is not None and end > following and following - cue.start >= MIN_SHOWN_S:
            end = following
        # held to the longer of MIN_SHOWN_S and its reading time (at most HOLD_S past its words), room allowing
        held = max(cue.start + MIN_SHOWN_S, min(cue.start + width(cue.text) / READING_SPEED, cue.end + HOLD_S))
        room = min((t for t in (following, cue.until) if t is not None), default=None)
        if end < held:
            end = held if room is None else max(end, min(held, room))
        if end != cue.end:
            out[i] = replace(cue, end=end)
    return out


def too_fast(cues: Iterable[Cue]) -> list[Cue]:
    """The cues that still go faster than READING_SPEED once `timed` has held them as long as it can: where the
    speech outpaces what captions can show, for an editor to split or condense."""
    return [c for c in timed(cues) if width(c.text) > READING_SPEED * (c.end - c.start) + 1e-9]
