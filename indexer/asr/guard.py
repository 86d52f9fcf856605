"""Detect Whisper's two silent failures in a decoded window and splice a re-decoded range back in.

- A gap: a stretch of speech (Silero VAD says so) where no word was decoded. Seen here: tiny.en with greedy decoding
  skipped 88 s of speech without a sign.
- A loop: the same short phrase repeated many times in a row, Whisper's classic hallucination. Also inside one
  word: a syllable repeated until the chunk's token limit ("Adédédédédé..."), which the batched pipeline left in
  place of 25 s of speech in a 60-minute input (bench/ingest.py's memory run, tiny.en): one "word" whose times
  cover the speech, so the gap check saw nothing missing.
"""

from __future__ import annotations

import re

import numpy as np

from indexer.deeplinks import clock
from indexer.models import Segment, Word

SAMPLE_RATE = 16000
MIN_GAP_S = 8.0  # speech this long with no word in it is a gap
PAUSE_S = 3.0  # speech regions closer than this count as one stretch of speech
LOOP_REPEATS = 4  # an n-gram (n <= 6) repeated this many times in a row is a loop
# inside a word: a unit of 1-4 letters 8 times in a row (laughter written out, "hahaha", stays below that; digits
# never count: "1000000000" is a number)
STUTTER_RE = re.compile(r"([^\W\d_]{1,4}?)\1{7,}")


def find_gaps(samples: np.ndarray, offset: float, segs: list[Segment]) -> list[tuple[float, float]]:
    """Absolute (start, end) of speech stretches of MIN_GAP_S or more that hold no decoded word."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps  # deferred: loads the VAD model's runtime

    speech = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500, speech_pad_ms=100))
    regions = merge([(offset + r["start"] / SAMPLE_RATE, offset + r["end"] / SAMPLE_RATE) for r in speech],
                     PAUSE_S)
    covered = sorted((w.start - 1.0, w.end + 1.0) for s in segs for w in s.words)
    gaps: list[tuple[float, float]] = []
    for a, b in regions:
        gaps.extend(g for g in _uncovered(a, b, covered) if g[1] - g[0] >= MIN_GAP_S)
    return gaps


def merge(regions: list[tuple[float, float]], pause: float) -> list[tuple[float, float]]:
    """Join time ranges (sorted by start) that overlap or lie less than `pause` apart."""
    out: list[tuple[float, float]] = []
    for a, b in regions:
        if out and a - out[-1][1] < pause:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _uncovered(a: float, b: float, covered: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out, cursor = [], a
    for lo, hi in covered:
        if hi <= cursor:
            continue
        if lo >= b:
            break
        if lo > cursor:
            out.append((cursor, lo))
        cursor = max(cursor, hi)
    if cursor < b:
        out.append((cursor, b))
    return out


def find_loops(segs: list[Segment]) -> list[tuple[float, float]]:
    return [(s.start, s.end) for s in segs if has_loop(s.words)]


def has_loop(words: tuple[Word, ...] | list[Word]) -> bool:
    """Repeated words (`loop_length`) or a word that loops inside itself (`stutters`)."""
    return loop_length(_tokens(words)) > 0 or any(map(stutters, words))


def stutters(word: Word) -> bool:
    """A word that is a loop inside itself: a short unit repeated many times in a row."""
    return STUTTER_RE.search(word.text.lower()) is not None


def loop_length(tokens: list[str]) -> int:
    """The n of the first n-gram repeated LOOP_REPEATS times in a row, or 0 when there is none."""
    for n in range(1, 7):
        for i in range(0, len(tokens) - n * LOOP_REPEATS + 1):
            gram = tokens[i : i + n]
            if all(tokens[i + k * n : i + (k + 1) * n] == gram for k in range(1, LOOP_REPEATS)):
                return n
    return 0


def collapse_loops(words: list[Word]) -> list[Word]:
    """Keep one copy of each run of repeated n-grams."""
    tokens = _tokens(words)
    n = loop_length(tokens)
    if not n:
        return words
    for i in range(len(tokens) - n):
        j = i + n
        while tokens[j : j + n] == tokens[i : i + n]:
            j += n
        if j - i >= n * LOOP_REPEATS:
            return collapse_loops(words[: i + n] + words[j:])
    return words


def _tokens(words: tuple[Word, ...] | list[Word]) -> list[str]:
    return ["".join(ch for ch in w.text.lower() if ch.isalnum()) for w in words]


def replace_range(
    segs: list[Segment], redo: list[Segment], start: float, end: float
) -> tuple[list[Segment], str | None]:
    """Swap the words whose midpoint lies in [start, end] for the re-decoded ones; return a warning if it failed.

    When the re-decoding finds no word there, the first decoding's words stay, less their repeats: a loop that
    sampling could not break still holds the words said before it, and a chunk that ran out of tokens its start.
    """
    inside = [w for s in redo for w in s.words if start <= (w.start + w.end) / 2 <= end]
    note = None
    where = f"{clock(start)}-{clock(end)}"
    first = [w for s in segs for w in s.words if start <= (w.start + w.end) / 2 <= end]
    if not inside and first:
        inside = collapse_loops([w for w in first if not stutters(w)])
        note = f"speech at {where} could not be decoded again; the first decoding was kept, repeats dropped"
    elif not inside:
        note = f"no words could be decoded for speech at {where}"
    elif has_loop(inside):
        inside = collapse_loops([w for w in inside if not stutters(w)])
        note = f"a repetition loop at {where} persisted after re-decoding; repeats were dropped"
    new = [seg for seg in (_without(s, start, end) for s in segs) if seg is not None]
    added = _rebuild(inside)
    if added is not None:
        new.append(added)
    return sorted(new, key=lambda s: s.start), note


def _without(seg: Segment, start: float, end: float) -> Segment | None:
    """The segment less its words in [start, end]; unchanged (original text kept) when none fall there."""
    left = [w for w in seg.words if not start <= (w.start + w.end) / 2 <= end]
    return seg if len(left) == len(seg.words) else _rebuild(left)


def _rebuild(words: list[Word]) -> Segment | None:
    if not words:
        return None
    return Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), tuple(words))

