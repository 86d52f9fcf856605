"""Topic segmentation: a transcript becomes titled chapters.

Why this method. It has to work for every language Whisper writes, offline, on CPU, in seconds for hours of speech,
so it uses signals that need no model:

- lexical cohesion: sentences about one story share words (after case folding, stop-word removal and prefix
  stemming: indexer/chapters/titles.py). Every pair of nearby sentences (at most `band` apart) gets a tf-idf cosine
  similarity; a chapter scores the similarity of the pairs it holds minus `gamma` times the transcript's mean pair
  similarity (the dotplotting relative of TextTiling, which compares every sentence with its neighbours: news
  stories are three to six sentences long).
- TextTiling's depth score (how far the similarity of the windows either side of a gap dips below the peaks around
  it) adds a small bonus at each gap; it helps most where there are no pauses to go by.
- pauses: newsreaders leave a longer silence between stories than between sentences, and Whisper's word
  timestamps show it. The part of a pause beyond the transcript's median sentence gap is a bonus for a boundary there.
- with a sentence-embedding model (indexer.chapters.embed), a boundary scorer fitted on real news
  (indexer.chapters.scorer: a logistic regression over embedding and word similarities around each gap and over
  how much the sentences around it read like a story's opening or close) adds its log-odds at each gap, and the
  pair cohesion counts a fitted fraction. Its prior odds follow the programme's own story length, so that bulletins
  of 3-sentence items and programmes of 12-sentence reports both get about their count; in the programme's first
  minutes a fitted correction reads its headlines as one chapter (indexer.chapters.opening). Without the model
  none of it runs.

Dynamic programming picks the chapter starts (sentence starts) that maximise the total, with every chapter between
`min_length` and `max_length` seconds long, or with exactly `count` chapters. No threshold is needed: `gamma` sets how
similar sentences must be to belong together. With the model and no minimum given, a prior on chapter length
(scorer.length_cost) stands in for most of the hard minimum, so that a short item the scorer is sure of stands alone,
and neighbouring chapters whose mean embeddings say they tell one story are joined afterwards (paths.joined).

The knobs were tuned on development bulletins and measured on held-out ones: bench/eval_chapters.py, docs/chapters.md.
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from indexer.chapters import opening, scorer
from indexer.chapters.casing import capitals
from indexer.chapters.embed import Embedder, band_cosine, covers, default_embedder, standardised, window_cosine
from indexer.chapters.formats import clock, past_an_hour
from indexer.chapters.paths import JOIN, _best, _exactly, joined
from indexer.chapters.reading import Reading, content, prefix, read, stop_words
from indexer.chapters.titles import describe, headlines
from indexer.chapters.units import cut_gaps, units
from indexer.errors import InvalidInput
from indexer.models import Chapter, Sentence, Transcript
from indexer.text.normalize import Token

__all__ = ["SegmentParams", "method", "retitled", "segment"]

DEFAULT = "default"  # segment(embedder=DEFAULT): the packaged model when it is installed
LEXICAL_MIN = 30.0  # seconds: segment()'s shortest chapter without the model when the caller sets none
# ... and what each boundary costs then, less the prior shift of the programme's own story length as its words
# tell it (`lexical_penalty`): on real news words and pauses alone found about twice the true count, a story's
# paragraphs read as stories, where bulletins of short items need every boundary (benchmarks.md)
LEXICAL_PENALTY = 1.0
LEXICAL_TYPICAL = 5.0  # sentences: the train lists' mean story length as `lexical_rows` tell it (12.5 true)
HASHED = 512  # width of the hashed tf-idf rows the story length is read from

Bag = list[str]  # a sentence's content words, each as its prefix key: what cohesion compares


@dataclass(frozen=True)
class SegmentParams:
    """The method's knobs; the defaults are the tuned ones (bench/eval_chapters.py --tune)."""

    stem: int = 4  # letters kept by prefix truncation (0: whole words)
    band: int = 10  # sentences: pairs further apart say nothing about one boundary
    gamma: float = 1.5  # x mean pair similarity: the cohesion a pair needs to favour one chapter
    pause_weight: float = 0.5  # bonus per second of pause beyond the median sentence gap
    pause_cap: float = 2.0  # seconds: a long silence (music, a jingle) is no surer a boundary than a 2 s one
    depth_weight: float = 0.25  # TextTiling depth score as a boundary bonus
    window: int = 3  # sentences on each side for the depth score
    # With a sentence-embedding model (indexer.chapters.embed):
    embed_weight: float = 0.25  # x each pair's embedding similarity, as a z-score within the transcript
    embed_offset: float = 0.5  # the z-score a pair needs to favour one chapter
    embed_depth: float = 0.0  # depth score of the embedding windows' similarity as a boundary bonus
    # The fitted boundary scorer (indexer.chapters.scorer), with the model only: its log-odds less `scorer_penalty`
    # is each boundary's gain, and the pair cohesion above counts `model_cohesion` times.
    scorer_weight: float = scorer.SCALE
    scorer_penalty: float = scorer.PENALTY
    story_prior: float = 1.0  # x scorer.prior_shift: the programme's own story length sets the prior (0: train's)
    cut_shift: float = scorer.CUT_SHIFT  # log-odds added at a gap that units cut inside a long sentence
    model_cohesion: float = scorer.COHESION
    length_weight: float = scorer.LENGTH_WEIGHT  # x scorer.length_cost per chapter, with the model (0: no prior)
    # Without the model, when the caller sets no minimum (news, as ingest runs it): a cost per boundary, so that
    # words and pauses alone do not cut a news story into its paragraphs (`lexical_penalty`)
    lexical_penalty: float = LEXICAL_PENALTY
    opening: bool = True  # with the scorer: the correction of the opening's gains (indexer.chapters.opening)
    join: float = JOIN  # with the model: neighbours whose mean embeddings are this alike are one (paths.joined; 0: off)


def segment(
    transcript: Transcript,
    *,
    min_length: float | None = None,
    max_length: float = 600.0,
    count: int | None = None,
    params: SegmentParams | None = None,
    embedder: Embedder | None | str = DEFAULT,
    spelling: Sequence[str] = (),
) -> list[Chapter]:
    """Chapters covering the whole transcript, from 0 s to the last word's end, each starting at a sentence start.

    Without `count`, the number of chapters follows the topic changes found, within `min_length`..`max_length`
    seconds per chapter (a transcript shorter than `min_length` is one chapter). `min_length` left unset is 30 s
    without the embedding model; with it, 20 s and a prior on news-story lengths (scorer.length_cost) that keeps
    chapters near a story's usual length unless the scorer is sure of a short one. A `min_length` given is a plain
    minimum, with no prior. With `count`, exactly that many chapters (fewer only when there are fewer sentences),
    `min_length` or longer where possible, and none longer than `max_length` or twice the average length, whichever
    is more. Titles and keywords come from each chapter's own words.

    `embedder`: a sentence-embedding model, the packaged one by default, or None for lexical cohesion and pauses
    alone, which is also what runs when the model is not installed or does not cover the transcript's language
    (`method` says which). `spelling`: texts that write the story's names (the paragraphs of the article that goes
    with the video), for titles cut from a transcript that writes them in lower case (indexer.chapters.casing).
    """
    sentences = units(transcript)  # long sentences cut into pieces
    model = _model(embedder, transcript.language) if sentences else None  # no model loaded for nothing to read
    lo = min(max_length, LEXICAL_MIN if model is None else scorer.FLOOR) if min_length is None else min_length
    _check(lo, max_length, count)
    if not sentences:
        return []
    p = params or SegmentParams()
    reading, stop, kept = _read(sentences, transcript.language)
    key = prefix(p.stem)
    bags = [[key(t) for t in toks] for toks in kept]
    times = _boundary_times(sentences)
    if len(sentences) == 1 or times[-1] < lo or count == 1:
        starts = [0]
        how = "one chapter (one sentence, shorter than the minimum length, or one asked for)"
    else:
        how = method(transcript, embedder)
        rows = model.encode([s.text for s in sentences]) if model else None
        cohesion = Cohesion(bags, p.band, p.gamma, rows, p)
        gains = boundary_gains(sentences, bags, p, rows, cut_gaps(transcript, sentences) if model else None)
        prior = p.length_weight if model and min_length is None else 0.0  # the news default only
        if not model and min_length is None and p.lexical_penalty:
            gains[1:-1] -= lexical_penalty(bags, p.lexical_penalty)
        if count is not None:
            starts = _exactly(cohesion, gains, times, count, lo, max_length)
        else:
            starts = _best(cohesion, gains, times, lo, max_length, prior)
            starts = joined(starts, rows, times, max_length, p.join) if rows is not None else starts
    texts = [s.text for s in sentences]
    found = _chapters(transcript.video_id, times, kept, reading, starts, texts, transcript.language, stop, spelling)
    return [replace(c, method=how) for c in found]


def retitled(transcript: Transcript, chapters: Sequence[Chapter], spelling: Sequence[str] = ()) -> list[Chapter]:
    """The computed `chapters` (in time order) with their titles and keywords made again from the transcript's words
    as they read now, each chapter's bounds and method kept: after a correction, the name it puts right in the words
    is put right in the titles too. Chapters whose starts no longer fall on distinct sentences are left as they
    are."""
    sentences = units(transcript)
    if not sentences or not chapters:
        return list(chapters)
    times = _boundary_times(sentences)
    starts = [0] + [bisect_left(times, c.start - 1e-6, 1, len(times) - 1) for c in chapters[1:]]
    if any(a >= b for a, b in zip(starts, starts[1:])):
        return list(chapters)
    reading, stop, kept = _read(sentences, transcript.language)
    found = _chapters(transcript.video_id, times, kept, reading, starts, [s.text for s in sentences],
                      transcript.language, stop, spelling)
    return [replace(old, title=new.title, keywords=new.keywords) for old, new in zip(chapters, found)]


def _read(sentences: Sequence[Sentence], language: str) -> tuple[Reading, set[str], list[list[Token]]]:
    """The sentences' tokens, the programme's stop words, and each sentence's content words."""
    reading = read([s.text for s in sentences], language)
    stop = stop_words(language, reading.sentences)
    return reading, stop, [content(t, stop) for t in reading.sentences]


def method(transcript: Transcript, embedder: Embedder | None | str = DEFAULT) -> str:
    """Which method segment() uses for this transcript: "<model> + lexical + pauses", or "lexical + pauses" with
    the reason the model is left out."""
    model = _model(embedder, transcript.language)
    if model:
        return f"{model.name} + lexical + pauses"
    if embedder is None:
        return "lexical + pauses"
    if embedder == DEFAULT and covers(transcript.language) and default_embedder() is None:
        return "lexical + pauses (no embedding model installed)"
    return f"lexical + pauses (no embedding model for language {transcript.language!r})"


def _model(embedder: Embedder | None | str, language: str) -> Embedder | None:
    """The model to use for this language, if any; the packaged one is loaded only for a language it covers."""
    if embedder == DEFAULT:
        model = default_embedder() if covers(language) else None
    else:
        model = embedder if isinstance(embedder, Embedder) else None
    return model if model is not None and model.covers(language) else None


def _check(min_length: float, max_length: float, count: int | None) -> None:
    if min_length < 0 or max_length <= 0 or min_length > max_length:
        raise InvalidInput(f"chapter lengths need 0 <= min ({min_length}) <= max ({max_length})")
    if count is not None and count < 1:
        raise InvalidInput(f"chapter count must be at least 1, not {count}")


def _boundary_times(sentences: Sequence[Sentence]) -> list[float]:
    """Where a chapter starting at sentence i would start (0 for the first), plus the end of speech."""
    times = [0.0] + [s.start for s in sentences[1:]] + [sentences[-1].end]
    return [float(t) for t in np.maximum.accumulate(times)]


# --- lexical cohesion -------------------------------------------------------------------------------------------


class Cohesion:
    """Scores `within(a, b)`: the summed (similarity - gamma x mean) of sentence pairs inside sentences a..b-1.

    Pairs more than `band` sentences apart count nothing, so the state is n x band numbers, and hours of transcript
    stay cheap. `run[i, d]` holds the sum over sentence i's next d neighbours; `full` its prefix sums.
    """

    def __init__(self, bags: Sequence[Bag], band: int, gamma: float, rows: np.ndarray | None = None,
                 p: SegmentParams | None = None) -> None:
        sims = band_similarity(bags, band)
        n = len(bags)
        pairs = np.minimum(band, n - 1 - np.arange(n))  # neighbours each sentence has within the band
        mean = sims.sum() / max(1, pairs.sum())
        reach = np.arange(band + 1)[None, :] <= pairs[:, None]
        reach[:, 0] = False
        adjusted = np.where(reach, sims - gamma * mean, 0.0)
        if rows is not None and p is not None and p.embed_weight:
            z = standardised(band_cosine(rows, band), reach, rows)
            adjusted += np.where(reach, p.embed_weight * (z - p.embed_offset), 0.0)
        if rows is not None and p is not None:
            adjusted *= p.model_cohesion
        self.band = band
        self.run = np.cumsum(adjusted, axis=1)
        self.full = np.concatenate(([0.0], np.cumsum(self.run[:, band])))

    def within(self, first: int, b: int) -> np.ndarray:
        """within(a, b) for every a in first..b-1, as one vector."""
        near = max(first, b - self.band)
        rows = np.arange(near, b)
        tail = self.run[rows, b - 1 - rows]  # sentence i's pairs that end before b
        from_near = np.cumsum(tail[::-1])[::-1]  # a >= near: only band-limited tails
        far = self.full[near] - self.full[first:near] + (from_near[0] if len(from_near) else 0.0)
        return np.concatenate((far, from_near))


def band_similarity(bags: Sequence[Bag], band: int) -> np.ndarray:
    """sims[i, d]: tf-idf cosine of sentences i and i + d, for 1 <= d <= band (column 0 unused)."""
    n = len(bags)
    weights, df = _tfidf(bags)
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, w in enumerate(weights):
        norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
        for k, v in w.items():
            if df[k] > 1:
                postings[k].append((i, v / norm))
    sims = np.zeros((n, band + 1))
    for posts in postings.values():
        rows, vals = np.array([p[0] for p in posts]), np.array([p[1] for p in posts])
        for step in range(1, min(band, len(rows) - 1) + 1):  # a key occurs once per sentence: pairs in band are close
            dist = rows[step:] - rows[:-step]
            near = dist <= band
            np.add.at(sims, (rows[:-step][near], dist[near]), vals[:-step][near] * vals[step:][near])
    return sims


def _tfidf(bags: Sequence[Bag]) -> tuple[list[dict[str, float]], Counter[str]]:
    """Each sentence's keys weighed tf x log((n + 1) / df) over the transcript's sentences, and the keys' df."""
    counts = [Counter(b) for b in bags]
    df = Counter(k for c in counts for k in c)
    return [{k: tf * math.log((len(bags) + 1) / df[k]) for k, tf in c.items()} for c in counts], df


def lexical_rows(bags: Sequence[Bag], width: int = HASHED) -> np.ndarray:
    """Each sentence's tf-idf vector (`_tfidf`, as band_similarity weighs it), its keys hashed into `width` columns
    with a sign each, L2-normalised: cosines close to the full vectors', in a fixed width whatever the vocabulary."""
    rows = np.zeros((len(bags), width), dtype=np.float32)
    for i, weights in enumerate(_tfidf(bags)[0]):
        for k, v in weights.items():
            h = zlib.crc32(k.encode())
            rows[i, h % width] += v if h & (1 << 31) else -v
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def lexical_penalty(bags: Sequence[Bag], base: float) -> float:
    """What a boundary costs without the model: `base`, less the prior shift of the programme's story length read
    from its words (scorer.story_length on `lexical_rows`), never below 0: a bulletin of short items keeps every
    boundary it had, a news programme of long reports loses the ones inside its stories."""
    if len(bags) < 3:
        return 0.0
    return max(0.0, base - scorer.prior_shift(lexical_rows(bags), LEXICAL_TYPICAL))


# --- boundary bonuses -------------------------------------------------------------------------------------------


def boundary_gains(sentences: Sequence[Sentence], bags: Sequence[Bag], p: SegmentParams,
                   rows: np.ndarray | None = None, cut: Sequence[bool] | None = None) -> np.ndarray:
    """gains[i]: the bonus for a chapter starting at sentence i (0 for the first sentence and the end). `cut`: for
    each gap, whether it lies inside a sentence that units cut (it gets `cut_shift` more log-odds)."""
    gaps = p.pause_weight * pause_excess(sentences, p.pause_cap)
    if p.depth_weight:
        gaps = gaps + p.depth_weight * scorer.depth(window_similarity(bags, p.window))
    if rows is not None and p.embed_depth:
        gaps = gaps + p.embed_depth * scorer.depth(window_cosine(rows, p.window))
    if rows is not None and p.scorer_weight and len(sentences) > 1:
        features = scorer.gap_features(rows, window_similarity(bags, 3))
        prior = p.story_prior * scorer.prior_shift(rows) if p.story_prior else 0.0
        logodds = scorer.boundary_logodds(features) + prior - p.scorer_penalty
        if cut is not None and p.cut_shift:
            logodds = logodds + p.cut_shift * np.asarray(cut, dtype=float)
        gaps = gaps + p.scorer_weight * logodds
    gains = np.concatenate(([0.0], gaps, [0.0]))
    if rows is not None and p.scorer_weight and p.opening:
        gains = opening.corrected(gains, rows, np.array([s.start for s in sentences]))
    return gains


def pause_excess(sentences: Sequence[Sentence], cap: float) -> np.ndarray:
    """Seconds of silence at each gap between sentences beyond the transcript's median gap, capped."""
    gaps = np.array([max(0.0, b.start - a.end) for a, b in zip(sentences, sentences[1:])])
    # Rounded to timestamp resolution: float noise in equal gaps must not pass for a pause and break ties.
    return np.clip(np.round(gaps - np.median(gaps), 2), 0.0, cap)


def window_similarity(bags: Sequence[Bag], window: int) -> np.ndarray:
    """TextTiling's block comparison: cosine of the `window` sentences before and after each gap."""
    sims = np.zeros(len(bags) - 1)
    for g in range(len(bags) - 1):
        left = Counter(k for b in bags[max(0, g + 1 - window) : g + 1] for k in b)
        right = Counter(k for b in bags[g + 1 : g + 1 + window] for k in b)
        dot = sum(n * right[k] for k, n in left.items())
        norm = math.sqrt(sum(n * n for n in left.values()) * sum(n * n for n in right.values()))
        sims[g] = dot / norm if norm else 0.0
    return sims


# --- chapters ---------------------------------------------------------------------------------------------------


def _chapters(video_id: str, times: list[float], kept: Sequence[Sequence[Token]], reading: Reading,
              starts: list[int], texts: Sequence[str], language: str, stop: set[str],
              spelling: Sequence[str]) -> list[Chapter]:
    ends = [*starts[1:], len(times) - 1]
    # a word counts twice a sentence at most: a recogniser's loop ("die Kupinsk" 60 times in one sentence) made it
    # the chapter's most salient word and its title, where every phrase of the lead scored nothing beside it
    groups = [[t for toks in kept[s:e] for t in _twice_at_most(toks)] for s, e in zip(starts, ends)]
    described = describe(groups, reading)
    names = capitals(texts, spelling, language)  # names text without capitals writes in lower case (chapters.casing)
    titles = headlines([texts[s:e] for s, e in zip(starts, ends)], language, groups, reading, stop,
                       [title for title, _ in described], names=names)
    hours = past_an_hour(times[-1])
    return [  # a chapter of no words is named by its start: "Chapter 2" was English in every transcript
        Chapter(video_id, times[s], times[e], title or clock(times[s], hours), tuple(names.get(k, k) for k in keywords),
                "computed")
        for s, e, title, (_, keywords) in zip(starts, ends, titles, described)
    ]


def _twice_at_most(tokens: Sequence[Token]) -> list[Token]:
    """The tokens, each word's third and later occurrences left out (a sentence says a word twice at most; a
    recogniser's loop says it dozens of times)."""
    seen: Counter[str] = Counter()
    out = []
    for t in tokens:
        seen[t.text] += 1
        if seen[t.text] <= 2:
            out.append(t)
    return out
