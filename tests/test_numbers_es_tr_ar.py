"""Spanish, Turkish and Arabic number words read as numbers: an article's "un 3%", "yüzde 15'e" and "5%" against
speech saying "un tres por ciento", "yüzde on beşe" and "خمسة في المئة" were misquotes, and the keyword
"enflasyon 15" did not find "on beşe"."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.articles.link import link_article
from indexer.articles.load import load_article
from indexer.models import Segment, Transcript, Video, Word
from indexer.search.base import index_class
from indexer.text.locate import locate
from indexer.text.normalize import tokenize_text
from tests.test_quote_verdicts import _timed  # a transcript of caption words, timed as it does


def texts(text: str, language: str) -> list[str]:
    return [t.text for t in tokenize_text(text, language)]


@pytest.mark.parametrize("spoken, written, language", [
    ("veintitrés", "23", "es"), ("treinta y cinco", "35", "es"), ("doscientos cincuenta mil", "250.000", "es"),
    ("dos mil veinticinco", "2025", "es"), ("cuarenta y un mil", "41 000", "es"), ("un millón", "1.000.000", "es"),
    ("mil millones de euros", "1.000.000.000 de euros", "es"), ("quinientas personas", "500 personas", "es"),
    ("ciento un", "101", "es"), ("tres por ciento", "3%", "es"), ("dos coma cinco por ciento", "2,5%", "es"),
    ("on beş", "15", "tr"), ("iki bin yirmi beş", "2025", "tr"), ("yüzde on beşe", "%15'e", "tr"),
    ("yüzde on beşe", "yüzde 15'e", "tr"), ("iki bin yirmi beşte", "2025'te", "tr"), ("dördüncü", "4'üncü", "tr"),
    ("yirmi bir", "21", "tr"), ("bir milyon", "1.000.000", "tr"), ("bir buçuk milyon", "1,5 milyon", "tr"),
    ("bin dokuz yüz doksan sekiz", "1998", "tr"), ("iki virgül beş", "2,5", "tr"),
    ("خمسة في المئة", "5%", "ar"), ("خمسة بالمئة", "5%", "ar"), ("خمسة في المائة", "5%", "ar"),
    ("خمسة وعشرون", "25", "ar"), ("مئة وخمسة وعشرون", "125", "ar"), ("ألفين وخمسة وعشرين", "2025", "ar"),
    ("ثلاثة آلاف", "3000", "ar"), ("خمسة عشر", "15", "ar"), ("أحد عشر", "11", "ar"), ("اثنا عشر", "12", "ar"),
    ("مليون وخمسمئة ألف", "1500000", "ar"), ("ثلاث مئة", "300", "ar"), ("عشرة آلاف", "١٠٠٠٠", "ar"),
    ("ألفين وخمسة وعشرين", "٢٠٢٥", "ar"),
])
def test_number_words_and_digits_read_alike(spoken: str, written: str, language: str) -> None:
    assert texts(spoken, language) == texts(written, language)
    assert any(t[:1].isdigit() for t in texts(spoken, language)), "read as a number, not left as words"


def test_words_that_are_not_numbers_stay_words() -> None:
    # articles: "una", "bir" and "أحد" are numbers only inside a number or before a scale word
    assert texts("una casa y dos coches", "es") == ["una", "casa", "y", "2", "coches"]
    assert texts("bir gün", "tr") == ["bir", "gun"] and texts("لا أحد", "ar") == ["لا", "احد"]
    # "yüzde" is percent, not "at a hundred"; "bu yüzden" is "so"; "onu", "ona" are the pronoun, not ten
    assert texts("yüzde on", "tr") == ["yuzde", "10"]
    assert texts("bu yüzden onu ona verdim", "tr") == ["bu", "yuzden", "onu", "ona", "verdim"]
    assert texts("iki yüzden", "tr") == ["200", "den"]
    # the words are read only in their language
    assert texts("on beşe", "en") == ["on", "bese"] and texts("tres por ciento", "en")[0] == "tres"


def test_a_number_keeps_its_turkish_case_ending_as_the_digits_do() -> None:
    assert texts("on beşe", "tr") == ["15", "e"] == texts("15'e", "tr")
    assert texts("beşinci", "tr") == ["5", "inci"] == texts("5'inci", "tr")


@pytest.mark.parametrize("article, said, language", [
    ("# Pensiones\n\nEl ministro Carlos Ruiz dijo: \"Las pensiones subirán un 3% el próximo año\".\n",
     "El ministro habló. Las pensiones subirán un tres por ciento el próximo año.", "es"),
    ("# الذهب\n\nقالت المذيعة: «ارتفعت أسعار الذهب بنسبة 5% خلال الأسبوع الماضي».\n",
     "قالت المذيعة. ارتفعت أسعار الذهب بنسبة خمسة في المئة خلال الأسبوع الماضي.", "ar"),
    ("# Faiz\n\nMerkez Bankası Başkanı Ali Kaya, \"Enflasyonu yüzde 15'e düşüreceğiz\" dedi.\n",
     "Başkan konuştu. Enflasyonu yüzde on beşe düşüreceğiz.", "tr"),
])
def test_a_number_printed_in_digits_quotes_it_said_in_words(tmp_path: Path, article: str, said: str,
                                                            language: str) -> None:
    page = tmp_path / "a.md"
    page.write_text(article, encoding="utf-8")
    [check] = link_article(load_article(str(page)), _timed(said, language)).quotes
    assert check.status == "verbatim", check


def test_a_difference_names_the_sign_written_not_its_reading() -> None:
    """"'percent' was said as 'المئة'": a search hit named a word neither the user nor the speaker had used."""
    said = [Word(i * 0.4, i * 0.4 + 0.3, w) for i, w in enumerate("ارتفعت أسعار الذهب بنسبة 5% خلال الأسبوع".split())]
    m = locate("ارتفعت أسعار الذهب بنسبة 5 خلال الأسبوع", said, "ar")
    assert m is not None and m.differences == ("'%' was said but is not in the quote",)
    said = [Word(i * 0.4, i * 0.4 + 0.3, w) for i, w in enumerate("Ceny wzrosły o 30% w ciągu roku.".split())]
    m = locate("ceny wzrosły o 30 w ciągu roku", said, "pl")
    assert m is not None and m.differences == ("'%' was said but is not in the quote",)
    said = [Word(i * 0.4, i * 0.4 + 0.3, w) for i, w in enumerate("ارتفعت أسعار الذهب بنسبة 5% خلال الأسبوع".split())]
    m = locate("ارتفعت أسعار الذهب بنسبة ستة في المئة خلال الأسبوع", said, "ar")
    assert m is not None and m.differences == ("'ستة' was said as '5'",), "the words as typed and said"


def test_a_keyword_in_digits_finds_the_number_said_in_words(tmp_path: Path) -> None:
    ix = index_class("whoosh")(tmp_path / "index")
    for vid, lang, text in (("file:tr", "tr", "Enflasyonu yüzde on beşe düşüreceğiz."),
                            ("file:es", "es", "Las pensiones subirán un tres por ciento el próximo año."),
                            ("file:ar", "ar", "ارتفعت أسعار الذهب بنسبة خمسة في المئة خلال الأسبوع الماضي.")):
        words = [Word(i * 0.4, i * 0.4 + 0.3, w) for i, w in enumerate(text.split())]
        tr = Transcript(vid, lang, "captions", "file", (Segment(words[0].start, words[-1].end, text, tuple(words)),))
        ix.add(Video(id=vid, source=f"/{vid}", title=vid, channel="News", published="2025-03-01", language=lang), tr,
               [])
    for query, vid in (("enflasyon 15", "file:tr"), ("yüzde 15", "file:tr"), ("pensiones 3%", "file:es"),
                       ("الذهب 5%", "file:ar")):
        hits = ix.search(query, mode="keyword", languages=["tr", "es", "ar"], limit=5).hits
        assert [h.video_id for h in hits][:1] == [vid], (query, [h.video_id for h in hits])


def test_the_arabic_percent_sign_reads_as_the_percent_sign() -> None:
    """"٥٪" (Arabic-Indic digits, the Arabic sign) read as just 5: the tokeniser dropped "٪"."""
    from indexer.text.normalize import tokenize_text

    said = [t.text for t in tokenize_text("ارتفعت الأسعار بنسبة ٥٪ خلال الأسبوع", "ar")]
    written = [t.text for t in tokenize_text("ارتفعت الأسعار بنسبة 5% خلال الأسبوع", "ar")]
    assert said == written and len(said) > 6
