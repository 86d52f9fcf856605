"""The opening's correction (indexer.chapters.opening): a programme's headlines are one chapter, and its first story
starts after them.

The mechanism is tested on made-up embeddings (no model needed); what it does to real gains, on bulletins of the
project's own stories with the packaged model (skipped where the `models` extra is not installed).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from indexer.chapters import opening, scorer
from indexer.chapters.reading import content, prefix, read
from indexer.chapters.segment import SegmentParams, boundary_gains
from tests.test_chapters_model import model, one_sentence_each
from tests.test_segment import stories


def headlines_then_stories(rng: np.random.Generator, stories_: int = 6, length: int = 5,
                           headlines: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings of a programme that opens with `headlines` sentences, each its story's lead said again, then
    `stories_` stories of `length` sentences (each story's sentences near its own topic); one sentence every 8 s."""
    topics = rng.normal(size=(stories_, 64))
    body = [topics[s] + 0.6 * rng.normal(size=64) for s in range(stories_) for _ in range(length)]
    leads = [body[s * length] + 0.1 * rng.normal(size=64) for s in range(headlines)]
    rows = np.array(leads + body)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows, 8.0 * np.arange(len(rows))


def test_the_story_after_the_headlines_reads_as_their_end() -> None:
    """At the gap after the last headline a sentence repeats one said before (the first story's lead after its
    headline), where no headline repeats another; and the sentences before it announce what comes after it more than
    a story's sentences do."""
    rows, starts = headlines_then_stories(np.random.default_rng(7), stories_=30)
    found = opening.features(rows, starts)
    back, ahead = found[:, opening.FEATURES.index("back") - 1], found[:, opening.FEATURES.index("ahead") - 1]
    end = 2  # the gap between the third headline and the first story's lead
    assert back[end] > max(back[:end]) + 2.0, back
    assert ahead[end] > ahead[end + 2] + 0.5, ahead  # inside the first story, its own sentences are on the left
    assert len(found) == np.searchsorted(starts[1:], opening.REACH, side="right")  # the first 300 s only


def test_likeness_is_the_z_score_of_every_pair_of_different_sentences() -> None:
    """The mean and spread come from the d x d Gram matrix; they must be those of the n x n cosines less the
    diagonal."""
    rows = np.random.default_rng(5).normal(size=(50, 16)) + 0.3
    x = scorer._centred(rows)
    cosines = x @ x.T
    pairs = cosines[~np.eye(50, dtype=bool)]
    assert np.allclose(opening.likeness(rows, 7), (cosines[:7] - pairs.mean()) / pairs.std())


def test_only_the_opening_is_corrected() -> None:
    rows, starts = headlines_then_stories(np.random.default_rng(3), stories_=40)
    gains = np.concatenate(([0.0], np.random.default_rng(4).normal(size=len(rows) - 1), [0.0]))
    out = opening.corrected(gains, rows, starts)
    reach = int(np.searchsorted(starts[1:], opening.REACH, side="right"))
    assert 0 < reach < len(rows) - 1
    assert not np.allclose(out[1:reach + 1], gains[1:reach + 1])
    assert np.array_equal(out[reach + 1:], gains[reach + 1:])  # later gaps, the first sentence and the end
    assert out[0] == 0.0
    # A short report: the opening is at most SHARE of it, so a 2-minute item is read for 36 s at most.
    short = opening.features(rows[:15], starts[:15])
    assert len(short) == np.searchsorted(starts[1:15], opening.SHARE * starts[14], side="right")


def test_degenerate_programmes_leave_the_gains_as_they_are_or_finite() -> None:
    gains = np.array([0.0, 1.5, 0.0])
    assert np.array_equal(opening.corrected(gains, np.ones((2, 8)), np.array([0.0, 5.0])), gains)
    alike = np.ones((40, 8))  # every sentence the same: no spread among the pairs
    out = opening.corrected(np.zeros(41), alike, 10.0 * np.arange(40))
    assert np.all(np.isfinite(out))
    overlapping = np.array([0.0, 12.0, 11.5, 20.0, 31.0, 40.0, 52.0, 61.0, 70.0, 80.0] + list(range(90, 400, 10)))
    rows, _ = headlines_then_stories(np.random.default_rng(1), stories_=8)
    assert np.all(np.isfinite(opening.features(rows[:len(overlapping)], overlapping)))


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_bulletins_headlines_gain_at_their_end_and_lose_between_them(language: str) -> None:
    """Four headlines (each story's lead, said first), then the stories: with the correction the gap after the
    headlines gains over every gap between two headlines and over the first story's own gaps."""
    e5 = model()
    texts_of = stories(language)
    order = list(texts_of)
    random.Random(2).shuffle(order)
    texts = [texts_of[s][0] for s in order[:4]] + [t for s in order for t in texts_of[s]]
    transcript = one_sentence_each(texts, language)
    sentences = transcript.sentences()
    assert [s.text for s in sentences] == texts
    reading = read(texts, language)
    bags = [[prefix(4)(t) for t in content(toks, set())] for toks in reading.sentences]
    rows = e5.encode(texts)
    before = boundary_gains(sentences, bags, SegmentParams(opening=False), rows)
    after = boundary_gains(sentences, bags, SegmentParams(), rows)
    change = after - before
    end = 4  # a chapter starting at the first story's lead
    others = [*range(1, end), *range(end + 1, end + 5)]
    assert all(change[end] > change[i] + 0.2 for i in others), change[:end + 5]
    assert np.array_equal(after[-1:], before[-1:])
