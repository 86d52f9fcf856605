"""The one word aligner: where a quote (a remembered or printed word sequence) was said, and what differs.

Why not phrase search: a quote as a user remembers it or a newsroom printed it, against words as speech recognition
heard them, rarely agrees word for word (a 10-word quote survives a 10% word error rate intact only about a third of
the time). So the quote is aligned, word by word, against spoken words:

- the quote must be used whole (every quote word is matched, changed or reported missing), while the spoken words
  are free at both ends: a "fitting" alignment, Smith-Waterman's local cousin, computed by dynamic programming;
- two words are compared by the similarity of their keys (indexer.text.translit.key: case, accents, apostrophes,
  Cyrillic or Latin spelling all folded; numbers already digits), with rapidfuzz's normalised Indel ratio; different
  numbers never count as similar;
- what each step is worth is a `Scoring`. Search (`SEARCH`, the default) lets a changed word cost less than a missing
  plus an extra one, so a misheard word stays in the span, and counts two neighbouring words said in the other order
  as one cheap step (a swap). Quote checks (`QUOTE_CHECK`) count every change as one word, a near spelling (a
  recogniser's) as almost none, and two words written as one ("any more", "anymore") as the same word; the quote
  words after which speech may be skipped (an ellipsis, a [bracketed insertion]) are passed as `free`.

Each DP row is computed with numpy in one pass (the left-gap recurrence is a running maximum), so a 15-word quote
against a 200-word passage takes a fraction of a millisecond.

The score in 0..1 is one minus the word-level edit cost over the quote length: a changed word costs 1 - similarity
(1 if dissimilar), a missing or extra word costs 1 (0 where skipping is allowed), a swapped pair 0.5 more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from indexer.text.normalize import Token, key, no_spaces

NEAR = 0.6  # key similarity from which two different words count as "almost the same" (a misspelling, a mishearing)
GAP_QUOTE = 0.7  # a quote word that was not said
GAP_SPOKEN = 0.7  # a spoken word that is not in the quote
MISMATCH = -0.5  # a quote word paired with a dissimilar spoken word
SWAP = 1.0  # two neighbouring quote words said in the other order: their pair scores less this
SWAP_COST = 0.5  # a swap's share of the edit cost (two changed words would cost 2)
TRIM_BELOW = 0.5  # dissimilar pairs at either end of the span are dropped (more likely an added than a misheard word)
_TIE = 1e-6  # values this close are equal: ties go to pairing words, then to the earlier span

OpKind = Literal["same", "changed", "missing", "extra", "swapped", "skipped", "moved"]


@dataclass(frozen=True)
class Scoring:
    """What each alignment step is worth (higher is better); the defaults are search's."""

    near: float = NEAR  # similarity from which two different words count as almost the same
    same: float = 1.0  # a pair of equal words
    near_offset: float = -0.2  # a pair of similar words is worth their similarity plus this
    mismatch: float = MISMATCH  # a pair of dissimilar words
    gap_quote: float = GAP_QUOTE  # a quote word not said
    gap_spoken: float = GAP_SPOKEN  # a spoken word not in the quote
    swap: float | None = SWAP  # penalty of a swapped neighbour pair; None: no swaps
    joins: bool = False  # two words written together on one side ("anymore") match both on the other
    trim: bool = True  # dissimilar pairs at the span's ends become missing words


SEARCH = Scoring()
# a quote check's equal words are worth a token 0.01: enough that, of two spans with the same edit cost, the one
# that pairs more words equal wins ("The is falling" against "The water is falling": "water" dropped, not "The"
# said as "water"), never enough to buy an extra word
QUOTE_CHECK = Scoring(near=0.9, same=0.01, near_offset=-1.0, mismatch=-1.0, gap_quote=1.0, gap_spoken=1.0, swap=None,
                      joins=True, trim=False)


@dataclass(frozen=True)
class Op:
    """One alignment step: 'same', 'changed' (a pair), 'missing' (quote word not said), 'extra' (spoken word),
    'swapped' (quote words q, q+1 said as spoken words s+1, s), 'skipped' (spoken word passed over where the quote
    allows it). Two words joined on one side are one 'same' op per word of the other side."""

    kind: OpKind
    quote: int | None  # quote token index
    spoken: int | None  # spoken token index
    similarity: float = 0.0


@dataclass(frozen=True)
class Alignment:
    first: int  # first spoken token of the span
    last: int  # last spoken token of the span (inclusive)
    score: float  # 0..1
    ops: tuple[Op, ...]


def similarity(quote: Sequence[Token], spoken: Sequence[Token]) -> np.ndarray:
    """Matrix (len(quote), len(spoken)) of key similarities in 0..1; unequal numbers are 0."""
    sim = process.cdist([t.key for t in quote], [t.key for t in spoken], scorer=fuzz.ratio, dtype=np.float32,
                        workers=1) / np.float32(100.0)
    qnum = np.array([t.is_number for t in quote])
    snum = np.array([t.is_number for t in spoken])
    sim[(qnum[:, None] | snum[None, :]) & (sim < 1.0)] = 0.0
    return sim


@dataclass(frozen=True)
class _Steps:
    """The value of every step the DP may take, as matrices over (quote token, spoken token)."""

    pair: np.ndarray  # pair[r, c]: quote r with spoken c
    swap: np.ndarray | None  # swap[r, c]: quote r-1, r said as spoken c, c-1
    join_quote: np.ndarray | None  # [r, c]: quote r-1 and r written together are spoken c
    join_spoken: np.ndarray | None  # [r, c]: quote r is spoken c-1 and c written together
    gap_spoken: np.ndarray  # per quote row: the cost of an extra spoken word after quote token r
    gap_quote: float
    join: float  # two words joined on one side: the value of the two words it stands for


def align(quote: Sequence[Token], spoken: Sequence[Token], scoring: Scoring = SEARCH,
          free: Iterable[int] = (), ends: Callable[[int], bool] | None = None) -> Alignment | None:
    """Best fitting alignment of the whole quote inside spoken; None when no word is even similar.

    `free`: quote token indices after which spoken words may be skipped at no cost. `ends(j)`: whether a sentence
    ends with spoken token j (a dissimilar pair at the span's edge is kept inside the sentence; _trim).
    """
    if not quote or not spoken:
        return None
    sim = similarity(quote, spoken)
    joins = _joins(quote, spoken) if scoring.joins else None
    if float(sim.max()) < scoring.near and not (joins and (joins[0].any() or joins[1].any())):
        return None
    steps = _steps(sim, scoring, joins, set(free))
    ops = _traceback(_fill(steps), steps, sim)
    ops = _trim(ops, ends) if scoring.trim else ops
    pairs = [op for op in ops if op.spoken is not None and op.quote is not None]
    if not pairs:
        return None
    first, last = pairs[0].spoken, pairs[-1].spoken
    assert first is not None and last is not None
    return Alignment(first, last + (pairs[-1].kind == "swapped"), score_ops(ops, len(quote), scoring.near), tuple(ops))


def _steps(sim: np.ndarray, scoring: Scoring, joins: tuple[np.ndarray, np.ndarray] | None, free: set[int]) -> _Steps:
    pair = np.where(sim >= 1.0, scoring.same,
                    np.where(sim >= scoring.near, sim + scoring.near_offset, scoring.mismatch)).astype(np.float64)
    swap = _swaps(pair, sim, scoring.near, scoring.swap) if scoring.swap is not None else None
    gaps = np.array([0.0 if r in free else scoring.gap_spoken for r in range(sim.shape[0])])
    return _Steps(pair, swap, joins[0] if joins else None, joins[1] if joins else None, gaps, scoring.gap_quote,
                  2 * scoring.same)


def _swaps(pair: np.ndarray, sim: np.ndarray, near: float, penalty: float) -> np.ndarray:
    """swap[r, c]: quote words r-1, r said as spoken words c, c-1; -inf where either pair is not similar."""
    out = np.full(pair.shape, -np.inf)
    if min(pair.shape) > 1:
        ok = (sim[1:, :-1] >= near) & (sim[:-1, 1:] >= near)
        out[1:, 1:] = np.where(ok, pair[1:, :-1] + pair[:-1, 1:] - penalty, -np.inf)
    return out


def _joins(quote: Sequence[Token], spoken: Sequence[Token]) -> tuple[np.ndarray, np.ndarray]:
    """Where two neighbouring words on one side, written together, are one word on the other side."""
    def table(ones: Sequence[Token], twos: Sequence[Token], rows: bool) -> np.ndarray:
        at: dict[str, list[int]] = {}
        for c, t in enumerate(ones):
            at.setdefault(t.key, []).append(c)
        out = np.zeros((len(quote), len(spoken)), dtype=bool)
        for k in range(1, len(twos)):
            for c in at.get(key(twos[k - 1].text + twos[k].text), ()):
                out[(k, c) if rows else (c, k)] = True
        return out

    return table(spoken, quote, True), table(quote, spoken, False)


def _fill(steps: _Steps) -> np.ndarray:
    """DP table: free start and end in the spoken words, every quote word consumed."""
    n, m = steps.pair.shape
    h = np.zeros((n + 1, m + 1))
    h[:, 0] = -steps.gap_quote * np.arange(n + 1)
    row = np.empty(m + 1)
    for i in range(1, n + 1):
        row[0] = h[i, 0]
        np.maximum(h[i - 1, :-1] + steps.pair[i - 1], h[i - 1, 1:] - steps.gap_quote, out=row[1:])
        if i > 1 and steps.swap is not None:
            np.maximum(row[2:], h[i - 2, :-2] + steps.swap[i - 1, 1:], out=row[2:])
        if i > 1 and steps.join_quote is not None:
            np.maximum(row[1:], np.where(steps.join_quote[i - 1], h[i - 2, :-1] + steps.join, -np.inf), out=row[1:])
        if steps.join_spoken is not None:
            np.maximum(row[2:], np.where(steps.join_spoken[i - 1, 1:], h[i - 1, :-2] + steps.join, -np.inf),
                       out=row[2:])
        ramp = steps.gap_spoken[i - 1] * np.arange(m + 1)
        h[i] = np.maximum.accumulate(row + ramp) - ramp  # extra spoken words: a running max along the row
    return h


def _traceback(table: np.ndarray, steps: _Steps, sims: np.ndarray) -> list[Op]:
    # plain floats: numpy scalars are slow one at a time
    h, pair, sim = table.tolist(), steps.pair.tolist(), sims.tolist()
    swap = steps.swap.tolist() if steps.swap is not None else None
    jq = steps.join_quote.tolist() if steps.join_quote is not None else None
    js = steps.join_spoken.tolist() if steps.join_spoken is not None else None
    gaps = steps.gap_spoken.tolist()
    i = len(h) - 1
    j = _end(h, pair, jq, js, steps.join)
    ops: list[Op] = []
    while i > 0:
        if j > 0 and abs(h[i][j] - h[i - 1][j - 1] - pair[i - 1][j - 1]) < _TIE:
            s = float(sim[i - 1][j - 1])
            ops.append(Op("same" if s >= 1.0 else "changed", i - 1, j - 1, s))
            i, j = i - 1, j - 1
        elif jq and i > 1 and j > 0 and jq[i - 1][j - 1] and abs(h[i][j] - h[i - 2][j - 1] - steps.join) < _TIE:
            ops += [Op("same", i - 1, j - 1, 1.0), Op("same", i - 2, j - 1, 1.0)]
            i, j = i - 2, j - 1
        elif js and j > 1 and js[i - 1][j - 1] and abs(h[i][j] - h[i - 1][j - 2] - steps.join) < _TIE:
            ops += [Op("same", i - 1, j - 1, 1.0), Op("same", i - 1, j - 2, 1.0)]
            i, j = i - 1, j - 2
        elif swap and i > 1 and j > 1 and abs(h[i][j] - h[i - 2][j - 2] - swap[i - 1][j - 1]) < _TIE:
            ops.append(Op("swapped", i - 2, j - 2, min(sim[i - 1][j - 2], sim[i - 2][j - 1])))
            i, j = i - 2, j - 2
        elif j == 0 or abs(h[i][j] - h[i - 1][j] + steps.gap_quote) < _TIE:
            ops.append(Op("missing", i - 1, None))
            i -= 1
        else:
            ops.append(Op("extra" if gaps[i - 1] else "skipped", None, j - 1))
            j -= 1
    return ops[::-1]


def _end(h: list[list[float]], pair: list[list[float]], jq: list[list[bool]] | None, js: list[list[bool]] | None,
         join: float) -> int:
    """The span's end column: the best value of the last row; on a tie, a cell reached by pairing words, then the
    earliest (a quote that ends in a pair ends where its last word was said)."""
    i = len(h) - 1
    best = max(h[i][1:])
    ends = [j for j in range(1, len(h[i])) if h[i][j] >= best - _TIE]

    def paired(j: int) -> bool:
        return (abs(h[i][j] - h[i - 1][j - 1] - pair[i - 1][j - 1]) < _TIE
                or bool(jq and i > 1 and jq[i - 1][j - 1] and abs(h[i][j] - h[i - 2][j - 1] - join) < _TIE)
                or bool(js and j > 1 and js[i - 1][j - 1] and abs(h[i][j] - h[i - 1][j - 2] - join) < _TIE))

    return next((j for j in ends if paired(j)), ends[0])


def _trim(ops: list[Op], ends: Callable[[int], bool] | None = None) -> list[Op]:
    """Dissimilar pairs at the span's ends become missing quote words, so the span starts at a real match; but where
    `ends` tells sentences apart, such a pair right beside the span's matches and in their sentence stays a changed
    word: "до конца месяца" against "до конца года." was "'месяца' was not said", the span cut before "года", where
    a word said in another sentence (the one before or after) is more likely not the quote's."""
    def weak(op: Op) -> bool:
        return op.spoken is not None and op.similarity < TRIM_BELOW

    def in_sentence(a: int | None, b: int | None) -> bool:  # spoken tokens a < b, in one sentence
        return ends is not None and a is not None and b is not None and not any(map(ends, range(a, b)))

    def untrimmed(seq: list[Op], forward: bool) -> list[Op]:
        k = 0
        while k < len(seq) and (weak(seq[k]) or seq[k].kind in ("missing", "extra")):
            k += 1
        if k == len(seq):
            return seq
        keep = k  # weak pairs next to the first match, each in the sentence of the one after it, stay
        while keep > 0 and seq[keep - 1].kind == "changed" and (
                in_sentence(seq[keep - 1].spoken, seq[keep].spoken) if forward
                else in_sentence(seq[keep].spoken, seq[keep - 1].spoken)):
            keep -= 1
        return [Op("missing", op.quote, None) for op in seq[:keep] if op.quote is not None] + seq[keep:]

    return untrimmed(untrimmed(ops, True)[::-1], False)[::-1]


def score_ops(ops: Sequence[Op], quote_len: int, near: float = NEAR) -> float:
    """1 less the ops' edit cost a quote word (a near spelling costs its distance, a swap half a word more)."""
    cost = sum(1.0 - op.similarity if op.kind == "changed" and op.similarity >= near
               else SWAP_COST + 1.0 - op.similarity if op.kind == "swapped"
               else 0.0 if op.kind in ("same", "skipped") else 1.0 for op in ops)
    return max(0.0, 1.0 - cost / quote_len)


def differing(a: str, b: str) -> tuple[str, str]:
    """Two character bigrams of a spaceless script less what they share ("们决", "们绝" -> "决", "绝"): a changed
    character is two changed bigrams, and each named the character beside it too. Other words stay whole."""
    if " " in a + b or not (no_spaces(a) and no_spaces(b)):
        return a, b
    while len(a) > 1 and len(b) > 1 and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while len(a) > 1 and len(b) > 1 and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    return a, b
