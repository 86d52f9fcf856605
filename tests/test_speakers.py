"""Who said a quote, in the languages articles come in (indexer/articles/speakers.py, quotes.attribute).

Before, the speaker was a run of capitalised words next to an English, German, French, Spanish, Russian or Uzbek
speech verb: Arabic, Persian, Chinese and Japanese quotes never had one, and a compound tense ("ha detto il sindaco
Roberto Galli", "a déclaré le ministre ...") or an article before the role in another language found none either.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from indexer.articles.load import load_article
from indexer.articles.quotes import attribute, find_quotes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from eval_speakers import DATA, same, speakers  # noqa: E402

CASES = json.loads(DATA.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['language']}-{k}" for k, c in enumerate(CASES)])
def test_each_quote_gets_its_speaker(case: dict) -> None:
    got = speakers(case["text"], case["language"])
    assert len(got) == len(case["speakers"]) and all(map(same, got, case["speakers"])), got


@pytest.mark.parametrize("language, text, speaker", [
    ("it", "«Non ci fermeremo», ha detto il sindaco Roberto Galli ai giornalisti.", "Roberto Galli"),
    ("fr", "« Le pont rouvrira en juin », a assuré la maire.", "la maire"),
    ("ar", "«لن نرفع أسعار التذاكر»، قال وزير النقل أحمد الخطيب.", "وزير النقل أحمد الخطيب"),
    ("zh", "交通部发言人王海在记者会上表示：“我们绝不会提高票价。”", "交通部发言人王海"),
    ("ja", "田中一郎市長は記者団に対し「来年の春から運賃を上げない」と述べた。", "田中一郎市長"),
], ids=["it-compound-tense", "fr-role", "ar-verb-first", "zh-no-spaces", "ja-topic"])
def test_an_article_file_carries_the_speaker(tmp_path: Path, language: str, text: str, speaker: str) -> None:
    """Through the article loader, as ingest reads an article: its language is read from its words."""
    path = tmp_path / "a.txt"
    path.write_text(text + "\n", encoding="utf-8")
    article = load_article(str(path))
    assert article.language == language
    assert [q.speaker for p in article.paragraphs for q in p.quotes] == [speaker]


def test_a_pronoun_without_capitals_refers_back_to_the_previous_speaker() -> None:
    text = "市长张伟说：“大桥将在六月重新开放。”他又说：“我们会加快工程。”"
    first, second = find_quotes(text)
    assert attribute(text, first, language="zh") == "市长张伟"
    assert attribute(text, second, previous="市长张伟", language="zh") == "市长张伟"
    assert attribute(text, second, language="zh") is None  # no one before it to refer to


@pytest.mark.parametrize("language, text", [
    ("ar", "افتتح الجسر يوم الاثنين. «كان الوقت مناسباً»."),
    ("zh", "大桥周一重新开放。“是时候了。”"),
    ("ja", "橋は月曜日に再開した。「時が来た」。"),
    ("fa", "پل روز دوشنبه باز شد. «وقتش بود»."),
])
def test_no_speaker_where_the_paragraph_names_none(language: str, text: str) -> None:
    quote = find_quotes(text)[0]
    assert attribute(text, quote, language=language) is None


@pytest.mark.parametrize("language, text, expected", [
    ("en", '"The water is falling," said Helen Carter. "We will rebuild the bank."', ["Helen Carter", "Helen Carter"]),
    ("en", '"The road is closed," said the mayor of Kingsford.', ["the mayor of Kingsford"]),
    ("es", "«El puente abrirá en junio», ha dicho el alcalde de Soria, Javier Ruiz.", ["Javier Ruiz"]),
    ("it", "Giulia Bianchi ha commentato i risultati. «È una vittoria», ha dichiarato davanti ai sostenitori.",
     ["Giulia Bianchi"]),
    ("fr", "Devant les élus, le préfet a été clair : « Aucune commune ne sera oubliée. »", ["le préfet"]),
    ("ja", "商店街で、山本健太さんは「在庫が全部だめになった」と肩を落とした。", ["山本健太さん"]),
    # Uzbek in Cyrillic had no speech verb, and Latin names written with ‘ ("o‘", "g‘") were cut at it
    ("uz", "«Биз чипталар нархини оширамиз», — деди шаҳар ҳокими Жаҳонгир Ортиқхўжаев.", ["Жаҳонгир Ортиқхўжаев"]),
    ("uz", "«Biz narxni oshiramiz», — dedi shahar hokimi Jahongir Ortiqxo‘jayev.", ["Jahongir Ortiqxo‘jayev"]),
    ("uz", "G‘ayrat To‘xtayev: «Biz chiptalar narxini oshirmaymiz», dedi.", ["G‘ayrat To‘xtayev"]),
    ("uz", "Вазир Каримов: «Нарх ошмайди», деди.", ["Вазир Каримов"]),
    # a title without an article after the verb stayed in the speaker, where before the verb it goes
    ("de", "„Wir bleiben standhaft“, sagte Bundeskanzler Olaf Scholz am Abend.", ["Olaf Scholz"]),
    ("de", "„Europa hält zusammen“, sagte EU-Kommissionspräsidentin Ursula von der Leyen.", ["Ursula von der Leyen"]),
    ("en", '"We stay," said Prime Minister Keir Starmer.', ["Keir Starmer"]),
    ("es", "«Vamos a ganar», dijo Andrés Manuel López Obrador.", ["López Obrador"]),
    ("pt", "«Vamos vencer juntos», disse Lula da Silva.", ["Lula da Silva"]),
], ids=["same-speaker-goes-on", "role-of-a-place", "role-of-a-place-then-name", "verb-without-subject",
        "colon-after-the-subject", "japanese-honorific", "uzbek-cyrillic", "uzbek-latin-turned-comma",
        "uzbek-latin-name-first", "uzbek-cyrillic-name-first", "german-title-after-the-verb",
        "particles-inside-a-name", "english-title-after-the-verb", "three-names", "a-particle"])
def test_a_paragraphs_quotes_as_an_article_reads_them(language: str, text: str, expected: list[str]) -> None:
    assert speakers(text, language) == expected


def test_a_speech_verb_just_before_the_quote_needs_no_colon() -> None:
    """'Mayor Helen Carter said "..."' found its speaker before, with no colon; the colon rule must not lose it."""
    text = 'Mayor Helen Carter said "the water is falling" after the meeting.'
    assert speakers(text, "en") == ["Helen Carter"]


# A name with an initial after the speech verb was cut at the initial's full stop, read as the sentence's end ("said
# George W. Bush" -> "George W"), and before the verb it lost its speaker ('George W. Bush said: "..."' -> None).
@pytest.mark.parametrize("language, text, expected", [
    ("en", '"We will rebuild," said George W. Bush.', ["George W. Bush"]),
    ("en", '"We will rebuild," said George W. Bush. "It will take years."', ["George W. Bush", "George W. Bush"]),
    ("en", 'George W. Bush said: "We will rebuild."', ["George W. Bush"]),
    ("en", '"We will rebuild," George W. Bush said.', ["George W. Bush"]),
    ("ru", "«Мы всё восстановим», — сказал Владимир В. Путин.", ["Владимир В. Путин"]),
    ("ru", "«Мы всё восстановим», — сказал В. Путин.", ["В. Путин"]),
    ("ru", "В. Путин сказал: «Мы всё восстановим».", ["В. Путин"]),
    ("en", '"Magic is real," said J. K. Rowling.', ["J. K. Rowling"]),
    ("en", '"We heal," said Dr. Jane Smith.', ["Jane Smith"]),
    ("en", '"We play on," said Harry Connick Jr.', ["Harry Connick Jr."]),
    ("en", 'Harry Connick Jr. said: "We play on."', ["Harry Connick Jr."]),
    ("en", 'Martin Luther King Jr. said: "We shall overcome."', ["Martin Luther King Jr."]),
    ("en", '"We shall overcome," said Pastor Martin Luther King Jr.', ["Martin Luther King Jr."]),
    ("en", '"We rise," said W. E. B. Du Bois.', ["W. E. B. Du Bois"]),
    ("en", 'W. E. B. Du Bois said: "We rise."', ["W. E. B. Du Bois"]),
    ("en", '"We stay," said U.S. President Joe Biden.', ["Joe Biden"]),
    ("en", '"We stay," said the U.S. envoy Tom Baker.', ["Tom Baker"]),
    ("es", "«Nos quedamos», dijo la Sra. Gómez.", ["Gómez"]),
], ids=["after-the-verb", "after-the-verb-then-more", "before-the-verb-colon", "before-the-verb-after-the-quote",
        "russian-after-the-verb", "russian-initial-first", "russian-before-the-verb", "two-initials", "title",
        "suffix", "suffix-before-the-verb", "three-names-and-a-suffix", "a-title-then-three-names-and-a-suffix",
        "initials-then-a-double-surname", "initials-then-a-double-surname-before-the-verb", "capitals-then-title",
        "capitals-then-lower-case", "spanish-title"])
def test_a_full_stop_inside_a_name_ends_no_sentence(language: str, text: str, expected: list[str]) -> None:
    assert speakers(text, language) == expected


@pytest.mark.parametrize("language, text, expected", [
    ("en", '"The road is closed," said the coach of Team B. Anna Marsh agreed.', ["the coach of Team B"]),
    ("en", 'The team chose Plan B. Anna Marsh said: "We stay."', ["Anna Marsh"]),
    ("en", 'The team chose Plan B. The coach said: "We stay."', ["the coach"]),
    ("en", '"We stay," said Anna Marsh of Team B. He left.', ["Anna Marsh"]),
], ids=["one-letter-word-then-a-full-name", "before-the-verb", "then-a-function-word", "then-a-pronoun"])
def test_a_sentence_that_ends_on_a_one_letter_word_still_ends(language: str, text: str, expected: list[str]) -> None:
    assert speakers(text, language) == expected


@pytest.mark.parametrize("text, ends", [
    ("said George W| Bush.", False),
    ("said J| K. Rowling.", False),
    ("сказал Владимир В| Путин.", False),
    ("said Dr| Jane Smith.", False),
    ("said U.S| President Joe Biden.", False),
    ("the U.S| envoy", False),
    ("Martin Luther King Jr|, the pastor", False),
    ("said the U.S| The next day", True),
    ("talks in the U.S| Officials said", True),
    ("chose Plan B| He left.", True),
    ("chose Plan B| Anna Marsh said", True),
    ("said Martin Luther King Jr| The next day", True),
    ("at 5 p.m| Tom Baker left", True),
    ("said Anna Marsh| Tom Baker left", True),
])
def test_which_full_stops_end_a_sentence(text: str, ends: bool) -> None:
    from indexer.articles.speakers import ends_sentence

    assert ends_sentence(text.replace("|", "."), text.index("|")) is ends


def test_a_role_that_opens_the_quotes_sentence_is_its_speaker_not_the_last_one_named(tmp_path: Path) -> None:
    """A quote whose own sentence names a role, not a person ('Bank raisi "..." deb ta'kidladi'), was given the
    person named in the paragraph before: a central banker's words were shown as the mayor's."""
    path = tmp_path / "a.txt"
    path.write_text(
        "Toshkentda kuchli yomg‘ir yog‘di va ko‘plab ko‘chalar suv ostida qoldi. Shahar hokimi Jahongir "
        "Ortiqxo‘jayev shunday dedi: «Biz barcha xizmatlarni safarbar qildik va suvni tez orada chiqaramiz».\n\n"
        "Markaziy bank asosiy stavkani 14 foizda saqlab qoldi. Bank raisi «inflyatsiya pasaymoqda, ammo xavflar "
        "hali ham bor» deb ta’kidladi.\n", encoding="utf-8")
    article = load_article(str(path))
    assert article.language == "uz"
    assert [q.speaker for p in article.paragraphs for q in p.quotes] == ["Jahongir Ortiqxo‘jayev", "Bank raisi"]
