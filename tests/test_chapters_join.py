"""Neighbouring chapters that tell one story are joined (indexer.chapters.paths.joined): a report and then its
interview, split by the dynamic programme, become one chapter; neighbouring stories stay apart.

The mechanism is tested on made-up embeddings; the threshold, on the packaged model's embeddings of the project's
own stories (skipped where the `models` extra is not installed).
"""

from __future__ import annotations

import numpy as np
import pytest

from indexer.chapters.paths import joined
from indexer.chapters.segment import SegmentParams, segment
from tests.test_chapters_model import model
from tests.test_segment import captions, stories


def programme(topics: list[int], length: int = 6, seed: int = 0) -> tuple[np.ndarray, list[float], list[int]]:
    """Embeddings of chapters of `length` sentences, each near its topic (chapters with the same topic tell one
    story), a sentence every 10 s; with the times (n + 1 of them) and each chapter's first sentence."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(topics) + 1, 48))
    rows = np.array([centres[t] + 0.8 * rng.normal(size=48) for t in topics for _ in range(length)])
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows, [10.0 * i for i in range(len(rows) + 1)], [length * i for i in range(len(topics))]


def test_a_story_split_in_two_is_joined_and_the_others_stay() -> None:
    rows, times, starts = programme([0, 1, 1, 2, 3])
    assert joined(starts, rows, times, hi=600.0) == [0, 6, 18, 24]


def test_nothing_is_joined_when_every_chapter_is_its_own_story() -> None:
    rows, times, starts = programme([0, 1, 2, 3, 4, 5])
    assert joined(starts, rows, times, hi=600.0) == starts


def test_a_story_in_three_parts_becomes_one() -> None:
    rows, times, starts = programme([0, 1, 1, 1, 2])
    assert joined(starts, rows, times, hi=600.0) == [0, 6, 24]


def test_no_join_makes_a_chapter_longer_than_the_limit() -> None:
    rows, times, starts = programme([0, 1, 1, 2])  # chapters of 60 s: the two halves together are 120 s
    assert joined(starts, rows, times, hi=119.0) == starts
    assert joined(starts, rows, times, hi=120.0) == [0, 6, 18]


def test_threshold_zero_and_one_chapter_change_nothing() -> None:
    rows, times, starts = programme([0, 1, 1, 2])
    assert joined(starts, rows, times, hi=600.0, threshold=0.0) == starts
    assert joined([0], rows, times, hi=600.0) == [0]


# --- on the packaged model ------------------------------------------------------------------------------------

REPORT = [
    "Floods have cut off three villages in the north of the region after two days of heavy rain.",
    "The river burst its banks on Tuesday night and rescue teams used boats to reach stranded families.",
    "Officials say more than four hundred homes are under water and the main bridge has been closed.",
    "The army has sent helicopters to drop food and drinking water to people on the rooftops.",
    "Forecasters expect more rain before the weekend, and the river is still rising.",
]
FOLLOW_UP = [  # the same story, from the people it happened to: other sentences, few of the report's words
    "In the flooded villages, people who stayed behind tell of a night of rising water.",
    "Maria Lopez lost her bakery by the river: the flood water reached her knees within minutes, she told us.",
    "Her family waited in the attic until rescue boats came for them at dawn.",
    "Neighbours are angry that the flood warning came hours after the river had reached the street.",
    "Many say they will not rebuild so close to the river after a second flood in three years.",
]


def told_with_a_follow_up() -> list[list[str]]:
    """Twelve of the project's English stories with the flood report and its follow-up in the middle: the
    programme's mean embedding, which likenesses are taken about, is not the flood story's."""
    told = list(stories("en").values())
    return told[:6] + [REPORT, FOLLOW_UP] + told[6:12]


def test_on_the_model_a_report_and_its_follow_up_are_one_story_and_neighbours_are_not() -> None:
    """Every story's start and the follow-up's given as chapter starts: only the follow-up's start goes."""
    parts = told_with_a_follow_up()
    texts = [s for part in parts for s in part]
    rows = model().encode(texts)
    firsts = [int(f) for f in np.cumsum([0] + [len(p) for p in parts[:-1]])]
    times = [8.0 * i for i in range(len(texts) + 1)]
    assert joined(firsts, rows, times, hi=600.0) == firsts[:7] + firsts[8:]


def test_the_segmenter_joins_what_its_dynamic_programme_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wired into segment: where the dynamic programme cuts at the follow-up (made to here, beside every story
    start), the chapters join it to its report; `SegmentParams(join=0)` keeps the cut, as does a fixed count."""
    from indexer.chapters import segment as module

    transcript, truth = captions(told_with_a_follow_up(), "en", story_gap=2.0)
    follow_up = truth[6]

    def cut_everywhere(cohesion: object, gains: object, times: list[float], *args: object) -> list[int]:
        return [0] + [i for i, t in enumerate(times[:-1]) if any(abs(t - s) < 0.5 for s in truth)]

    monkeypatch.setattr(module, "_best", cut_everywhere)
    e5 = model()

    def starts(params: SegmentParams) -> list[float]:
        return [c.start for c in segment(transcript, embedder=e5, params=params)[1:]]

    kept = starts(SegmentParams(join=0.0))
    assert any(abs(s - follow_up) < 0.5 for s in kept) and len(kept) == len(truth)
    joined_ = starts(SegmentParams())
    assert len(joined_) == len(truth) - 1 and not any(abs(s - follow_up) < 0.5 for s in joined_)
    exact = [c.start for c in segment(transcript, embedder=e5, count=len(truth) + 1)[1:]]
    assert len(exact) == len(truth)
