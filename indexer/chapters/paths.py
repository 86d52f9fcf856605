"""Choosing chapter starts for indexer.chapters.segment: the dynamic programmes over sentence gaps.

Given the gains of a chapter starting at each sentence (segment.boundary_gains, and the fitted scorer's log-odds with
the model) and each candidate chapter's cohesion (segment.Cohesion), `_best` finds the best chapter starts with every
chapter within the length bounds, less a prior on chapter length where one is given, and `_exactly` the best with a
fixed count of chapters.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

import numpy as np

from indexer.chapters import scorer

if TYPE_CHECKING:  # segment imports this module: the class is only named in annotations here
    from indexer.chapters.segment import Cohesion


def _best(cohesion: Cohesion, gains: np.ndarray, times: list[float], lo: float, hi: float,
          prior: float = 0.0) -> list[int]:
    """The best-scoring chapter starts with every chapter lo..hi seconds long (hi is dropped if impossible), each
    chapter but the last less `prior` x scorer.length_cost of its length. A silence longer than hi counts as hi
    (_silences_capped)."""
    times = _silences_capped(times, hi)
    return (_best_path(cohesion, gains, times, lo, hi, prior) or _best_path(cohesion, gains, times, lo, math.inf, prior)
            or [0])


def _silences_capped(times: list[float], hi: float) -> list[float]:
    """The units' times with each unit (to the next one's start) counted as at most `hi` long. A suspension, a
    division or a music bed longer than `hi` made every chapter that held it too long, so no list kept the limit
    and it was dropped for the whole video: a two-hour sitting with a 15-minute break became one chapter. Now only
    the chapter that holds such a silence runs past `hi`, by the silence."""
    if math.isinf(hi) or len(times) < 2 or max(b - a for a, b in zip(times, times[1:])) <= hi:
        return times
    longest = 0.99 * hi  # under hi, whatever the sums round to: a chapter of the silence alone keeps the limit
    out = [times[0]]
    for a, b in zip(times, times[1:]):
        out.append(out[-1] + min(b - a, longest))
    return out


def _best_path(cohesion: Cohesion, gains: np.ndarray, times: list[float], lo: float, hi: float,
               prior: float = 0.0) -> list[int] | None:
    n = len(times) - 1
    best = np.full(n + 1, -np.inf)
    back = np.zeros(n + 1, dtype=int)
    best[0] = 0.0
    for b in range(1, n + 1):
        first, last = _starts_for(times, b, lo, hi)
        if first < last:
            values = best[first:last] + gains[first:last] + cohesion.within(first, b)[: last - first]
            if prior and b < n:
                values = values - prior * scorer.length_cost(times[b] - np.asarray(times[first:last]))
            a = int(np.argmax(values))
            best[b], back[b] = values[a], first + a
    return _walk_back(back, n) if best[n] > -np.inf else None


def _starts_for(times: list[float], b: int, lo: float, hi: float) -> tuple[int, int]:
    """The range of sentence indexes where a chapter ending at b (lo..hi seconds long) can start."""
    return bisect_left(times, times[b] - hi), min(bisect_right(times, times[b] - lo), b)


BALANCE = 0.5  # with a fixed count, the cost of a chapter twice (or zero times) the average length: a tie-breaker


def _exactly(
    cohesion: Cohesion, gains: np.ndarray, times: list[float], count: int, lo: float, hi: float
) -> list[int]:
    """Exactly `count` chapters (at most one per sentence), `lo` seconds or longer where possible, and none longer
    than twice the average or `hi`, whichever is more, so that no chapter swallows most of the video."""
    k = min(count, len(times) - 1)
    times = _silences_capped(times, hi)
    cap = max(hi, 2 * (times[-1] - times[0]) / k)
    for lo_, hi_ in ((lo, cap), (lo, math.inf), (0.0, math.inf)):
        starts = _best_k(cohesion, gains, times, k, lo_, hi_)
        if starts:
            return starts
    return [0]


def _best_k(
    cohesion: Cohesion, gains: np.ndarray, times: list[float], k: int, lo: float, hi: float
) -> list[int] | None:
    """The best partition into exactly k chapters: k rounds of the same recurrence as _best_path."""
    n = len(times) - 1
    spans = [_starts_for(times, b, lo, hi) for b in range(n + 1)]
    average = (times[-1] - times[0]) / k
    within = [
        cohesion.within(a, b)[: c - a] - BALANCE * ((times[b] - np.array(times[a:c])) / average - 1.0) ** 2
        for b, (a, c) in enumerate(spans)
    ]
    f = np.full(n + 1, -np.inf)
    f[0] = 0.0
    backs = []
    for _ in range(k):
        g, back = np.full(n + 1, -np.inf), np.zeros(n + 1, dtype=int)
        for b in range(1, n + 1):
            a, c = spans[b]
            if a < c:
                values = f[a:c] + gains[a:c] + within[b]
                j = int(np.argmax(values))
                back[b], g[b] = a + j, values[j]
        f = g
        backs.append(back)
    if f[n] == -np.inf:
        return None
    starts, b = [], n
    for back in reversed(backs):
        b = int(back[b])
        starts.append(b)
    return starts[::-1]


def _walk_back(back: np.ndarray, n: int) -> list[int]:
    starts, b = [], n
    while b > 0:
        b = int(back[b])
        starts.append(b)
    return starts[::-1]


JOIN = 0.35  # the likeness of two neighbouring chapters' mean embeddings above which they are one story (stop 61)


def joined(starts: list[int], rows: np.ndarray, times: list[float], hi: float, threshold: float = JOIN) -> list[int]:
    """The chapter starts with each pair of neighbouring chapters that tell one story made one chapter: while the
    likest neighbours' mean embeddings (about the programme's mean, so what all its sentences share does not count)
    have a cosine above `threshold`, those two are joined, the likest first, unless the two together would be longer
    than `hi` seconds. The dynamic programme weighs sentences at most a band apart, so a story told as a report and
    then an interview, or a match and then the other results, can come out as two chapters whose words differ at the
    gap; their mean embeddings still say it is one story."""
    if len(starts) < 2 or threshold <= 0:
        return list(starts)
    centred = rows - rows.mean(axis=0)
    sums = np.vstack([np.zeros((1, rows.shape[1])), np.cumsum(centred, axis=0)])
    starts = list(starts)
    while len(starts) > 1:
        ends = starts[1:] + [len(rows)]
        means = sums[ends] - sums[starts]  # each chapter's sum: its mean's direction, which is all a cosine reads
        means /= np.linalg.norm(means, axis=1, keepdims=True) + 1e-12
        alike = np.einsum("ij,ij->i", means[:-1], means[1:])
        alike[[times[ends[i + 1]] - times[starts[i]] > hi for i in range(len(alike))]] = -np.inf
        best = int(np.argmax(alike))
        if alike[best] <= threshold:
            break
        del starts[best + 1]
    return starts
