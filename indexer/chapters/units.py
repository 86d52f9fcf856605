"""The units a transcript is segmented in: its sentences, with the long ones cut into pieces.

Why. A story can only start where a unit starts. A transcript without sentence punctuation (most automatic
captions; speech recognisers on some languages) is one "sentence" between pauses of two seconds, and a captions-only
ingest has no pauses at all: the whole programme was one unit, and one chapter.

How. A sentence over LONG_S seconds, which no speaker says in one breath and a punctuating recogniser hardly writes
(0.1-0.4% of Euronews' sentences are over 30 s), is cut into pieces of at most UNIT_S seconds and at least MIN_WORDS
words. Time decides, not words: a recogniser's loop ("Afrika, Afrika, ..." 173 times in 23 s, seen on Euronews)
packs many words into little time, and cut into pieces by words it made 20 identical units, each read as a story of
its own (one German programme's Pk 0.10 -> 0.47). Where it is cut is chosen over the whole sentence (a dynamic
programme): each cut costs CUT_COST and gains 1 after a word ending in a clause mark (, ; : and the like) and the
pause before the next word (up to 1 s), and pieces far from the sentence's even length cost a little. So cuts fall
at the clauses and pauses where a speaker breaks, and, where there are none, evenly. Where a few words spread over
more than UNIT_S (a caption cue of four words held for half a minute over music) leave no way to cut within the
limits, a piece may run over UNIT_S there, at a cost for each second over (OVER_COST), so that the rest of the
sentence is still cut as above: before, one such place anywhere made the whole sentence (a whole programme of
unpunctuated captions) fall back to pieces of 100 words, 50 s each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from indexer.models import Sentence, Transcript, Word
from media.readable import join_words

LONG_S = 60.0  # seconds: a sentence over this is cut (the scorer was fitted on the recognisers' sentences)
UNIT_S = 12.0  # seconds: about twice a news sentence's median length (6-8 s on Euronews, 4.5 s on Tagesschau)
UNIT_WORDS = 100  # words: a piece's bound where words carry no times worth the name (all at one instant)
MIN_WORDS = 4  # no piece shorter than this
CUT_COST = 0.5  # what a cut costs: one at a clause mark or a pause of half a second or more pays for itself
OVER_COST = 2.0  # a piece's cost for each second over UNIT_S, where the limits leave no other way (far above a gain)
CLAUSE_END = re.compile(r"[,;:\u2014\u2013\u060c\u061b\u3001\uff0c\uff1b]['\"\u201d\u00bb)\]]*$")


def units(transcript: Transcript) -> list[Sentence]:
    """The transcript's sentences, each over LONG_S seconds cut into pieces (see the module)."""
    words = transcript.words
    out: list[Sentence] = []
    for s in transcript.sentences():
        n = s.last_word - s.first_word + 1
        if s.end - s.start <= LONG_S or n < 2 * MIN_WORDS:
            out.append(s)
            continue
        firsts = _cuts(words, s.first_word, s.last_word)
        out.extend(_piece(words, a, b - 1) for a, b in zip(firsts, [*firsts[1:], s.last_word + 1]))
    return out


def cut_gaps(transcript: Transcript, pieces: Sequence[Sentence]) -> list[bool]:
    """For each gap between consecutive units (`units(transcript)`): True where it lies inside one of the
    transcript's sentences, a cut that units made rather than a sentence's end."""
    starts = {s.first_word for s in transcript.sentences()}
    return [u.first_word not in starts for u in pieces[1:]]


def _cuts(words: Sequence[Word], first: int, last: int) -> list[int]:
    """The first word of each piece of words[first..last] (see the module)."""
    n = last - first + 1
    even = n / max(math.ceil(n / UNIT_WORDS), math.ceil((words[last].end - words[first].start) / UNIT_S), 1)
    gain = [0.0] * (n + 1)  # of a cut before word first + j
    for j in range(1, n):
        pause = max(0.0, words[first + j].start - words[first + j - 1].end)
        gain[j] = (1.0 if CLAUSE_END.search(words[first + j - 1].text.strip()) else 0.0) + min(pause, 1.0) - CUT_COST
    # Where the limits leave no way (a few words held over more than UNIT_S), pieces may run over UNIT_S where
    # they must, at OVER_COST a second; n >= MIN_WORDS words always split into pieces of MIN_WORDS..UNIT_WORDS.
    back = _best_cuts(words, first, n, gain, even, over=None) or _best_cuts(words, first, n, gain, even, OVER_COST)
    assert back is not None
    cuts, j = [], n
    while j > 0:
        j = back[j]
        cuts.append(first + j)
    return cuts[::-1]


def _best_cuts(words: Sequence[Word], first: int, n: int, gain: list[float], even: float,
               over: float | None) -> list[int] | None:
    """back[j]: where the best cutting of the first j words starts its last piece; None if there is none. A piece
    over UNIT_S is out (over=None) or costs `over` a second beyond it."""
    best = [0.0] + [-math.inf] * n  # best[j]: words first..first+j-1 cut into pieces (-inf: no way within limits)
    back = [0] * (n + 1)
    for j in range(MIN_WORDS, n + 1):
        end = words[first + j - 1].end
        for i in range(max(0, j - UNIT_WORDS), j - MIN_WORDS + 1):
            excess = end - words[first + i].start - UNIT_S
            if best[i] == -math.inf or (excess > 0 and over is None):
                continue
            value = best[i] + gain[j] - 0.1 * ((j - i - even) / even) ** 2 - (over or 0.0) * max(0.0, excess)
            if value > best[j]:
                best[j], back[j] = value, i
    return None if best[n] == -math.inf else back


def _piece(words: Sequence[Word], first: int, last: int) -> Sentence:
    return Sentence(words[first].start, words[last].end, join_words(w.text for w in words[first:last + 1]),
                    first, last)
