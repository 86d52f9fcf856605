"""Right-to-left material: exports say its direction, a Persian page keeps the non-joiners inside its words, and
the article fragment's moment links speak the article's language. An Arabic article's HTML fragment for the CMS
had `lang="ar"` but no direction (an Arabic paragraph around a Latin name then reads backwards in a left-to-right
page) and an English "▶ play from" under every paragraph; an Arabic transcript's TTML had no `tts:direction`, whose
default is left to right."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from indexer.articles.export import export_html
from indexer.articles.link import link_article
from indexer.articles.load import load_article
from indexer.chapters.segment import segment
from indexer.formats import spread_words
from indexer.models import Segment, Transcript, Video
from media.captions import Cue, write_ttml
from media.timeline import TimelineClip, export_reel
from tests.test_articles import timed

TTML = "{http://www.w3.org/ns/ttml}"
STYLING = "{http://www.w3.org/ns/ttml#styling}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_an_arabic_articles_fragment_runs_right_to_left_with_its_links_in_arabic(tmp_path: Path) -> None:
    said = "أعلنت الحكومة اليوم عن ميزانية جديدة لعام 2025 في مؤتمر COP29 الذي عقد في باكو."
    page = tmp_path / "budget.md"
    page.write_text(f"# الميزانية\n\n{said}\n", encoding="utf-8")
    article = load_article(str(page))
    assert article.language == "ar"
    transcript, _ = timed([said], start=83.0, language="ar")
    out = export_html(article, link_article(article, transcript), Video("yt:dQw4w9WgXcQ", "x", "الميزانية"))
    assert out.startswith('<div class="clipindex-article" data-video="yt:dQw4w9WgXcQ" lang="ar" dir="rtl">')
    assert "▶ تشغيل من 1:23</a>" in out and "play from" not in out


def test_an_english_fragment_keeps_its_direction_and_words(tmp_path: Path) -> None:
    said = "The river rose two metres overnight and flooded the lower streets of the old town on Friday."
    page = tmp_path / "flood.md"
    page.write_text(f"# Flood\n\n{said}\n", encoding="utf-8")
    article = load_article(str(page))
    transcript, _ = timed([said], start=61.5)
    out = export_html(article, link_article(article, transcript), Video("yt:dQw4w9WgXcQ", "x", "Flood"))
    assert 'dir="rtl"' not in out and "▶ play from 1:01</a>" in out


def test_ttml_of_a_right_to_left_language_says_so_on_each_paragraph() -> None:
    cues = [Cue(0.0, 2.0, "انطلق مؤتمر COP29 للمناخ"), Cue(2.0, 4.0, "في باكو اليوم")]
    for language, direction in (("ar", "rtl"), ("fa", "rtl"), ("he", "rtl"), ("en", None), ("ru", None)):
        root = ET.fromstring(write_ttml(cues, language))
        paragraphs = root.findall(f"./{TTML}body/{TTML}div/{TTML}p")
        assert len(paragraphs) == 2
        assert {p.get(f"{STYLING}direction") for p in paragraphs} == {direction}, language


def test_a_reel_mixing_arabic_with_another_language_says_each_paragraph_s_language_and_direction(
        tmp_path: Path) -> None:
    """An Arabic clip's paragraph lost tts:direction="rtl" once a Spanish clip joined the reel: the direction came
    from the one document language, which a reel of two languages has not (xml:lang=""). Each paragraph now says
    its clip's language and, right to left, its direction; the tt element keeps xml:lang="" (TTML requires the
    attribute there, and its empty value says no one language is the document's)."""
    def clip(start: float, text: str, language: str | None) -> TimelineClip:
        return TimelineClip(tmp_path / "a.mp4", start, start + 6, 25.0, cues=(Cue(start + 0.5, start + 5, text),),
                            language=language)

    arabic = clip(0, "لن نرفع أسعار الوقود هذا العام.", "ar")
    spanish = clip(10, "No vamos a cerrar el puente hasta el lunes.", "es")
    persian = clip(20, "قیمت سوخت امسال افزایش نمی‌یابد.", "fa")

    def paragraphs(clips: list[TimelineClip]) -> tuple[str | None, list[tuple[str | None, str | None]]]:
        root = ET.fromstring(export_reel(clips, "ttml"))
        return root.get(XML_LANG), [(p.get(XML_LANG), p.get(f"{STYLING}direction"))
                                    for p in root.findall(f"./{TTML}body/{TTML}div/{TTML}p")]

    assert paragraphs([arabic]) == ("ar", [(None, "rtl")])  # one language: the document's, as before
    assert paragraphs([arabic, spanish, persian]) == ("", [("ar", "rtl"), ("es", None), ("fa", "rtl")])
    assert paragraphs([spanish, arabic]) == ("", [("es", None), ("ar", "rtl")])
    # a clip of no known language inherits the document's: no language of its own, no direction
    assert paragraphs([arabic, clip(10, "Sin idioma conocido.", None)]) == ("", [("ar", "rtl"), (None, None)])
    # SRT and WebVTT carry no language: as they were without one
    for fmt in ("srt", "vtt"):
        plain = [TimelineClip(c.media, c.start, c.end, c.fps, cues=c.cues) for c in (arabic, spanish)]
        assert export_reel([arabic, spanish], fmt) == export_reel(plain, fmt)


def test_a_transcript_s_ttml_cues_of_another_language_say_theirs() -> None:
    """write_ttml on its own: a cue of the document's language, or of none, says nothing more."""
    cues = [Cue(0.0, 2.0, "في باكو اليوم", language="ar"), Cue(2.0, 4.0, "Hoy en Bakú", language="es"),
            Cue(4.0, 6.0, "Sin idioma"), Cue(6.0, 8.0, "Und", language="und")]
    root = ET.fromstring(write_ttml(cues, "es"))
    assert root.get(XML_LANG) == "es"
    assert [(p.get(XML_LANG), p.get(f"{STYLING}direction")) for p in root.iter(f"{TTML}p")] == [
        ("ar", "rtl"), (None, None), (None, None), (None, None)]


def test_a_persian_html_article_keeps_its_zero_width_non_joiners(tmp_path: Path) -> None:
    """trafilatura drops every character that does not print: the page's "خیابان‌ها" and "می‌کنند" were stored,
    shown and exported as "خیابانها" and "میکنند" (the letters join: misspelt), and the quote no longer read as
    the page writes it."""
    story = ("در شیراز سیل خیابان‌ها را فرا گرفت و مردم شهر از ساعت‌های اولیه صبح برای کمک به همسایگان خود به خیابان "
             "آمدند. استاندار فارس گفت که «نیروهای امداد تمام شب کار می‌کنند».")
    page = tmp_path / "shiraz.html"
    page.write_text(f"<html lang='fa'><head><title>سیل در شیراز</title></head><body><article><h1>سیل در شیراز</h1>"
                    f"<p>{story}</p><p>{story.replace('شیراز', 'مرودشت')}</p></article></body></html>",
                    encoding="utf-8")
    article = load_article(str(page))
    assert article.paragraphs[0].text == story
    assert [q.text for q in article.paragraphs[0].quotes] == ["نیروهای امداد تمام شب کار می‌کنند"]


def test_persian_and_vocalised_arabic_chapter_keywords_are_whole_words() -> None:
    """Keywords were read from the text as written, where a non-joiner or a vowel mark ended a word: a Persian
    chapter's keywords were "ها" and "می" (halves of "خیابان‌ها", "می‌کنند") beside "را" and "که", and a vocalised
    Arabic one's "ال", "وم", "يز" (pieces of "الْيَوْمَ", "مِيزَانِيَّةٍ")."""
    cues = {
        "fa": ["دولت امروز بودجه سال آینده را به مجلس ارائه کرد.", "وزیر اقتصاد گفت که مالیات خانواده‌ها را افزایش "
               "نمی‌دهیم.", "در شیراز سیل خیابان‌ها را پس از باران شدید فرا گرفت.",
               "استاندار فارس گفت که نیروهای امداد تمام شب کار می‌کنند."],
        "ar": ["أَعْلَنَتِ الْحُكُومَةُ الْيَوْمَ عَنْ مِيزَانِيَّةٍ جَدِيدَةٍ لِلْعَامِ الْمُقْبِلِ.",
               "وَقَالَ وَزِيرُ الْمَالِيَّةِ إِنَّ الضَّرَائِبَ لَنْ تَرْتَفِعَ هَذَا الْعَامَ.",
               "وَفِي الْإِسْكَنْدَرِيَّةِ غَمَرَتِ الْأَمْطَارُ الْغَزِيرَةُ شَوَارِعَ الْمَدِينَةِ."],
    }
    for language, said in cues.items():
        segments = tuple(Segment(4.0 * n, 4.0 * n + 4, text, spread_words(text, 4.0 * n, 4.0 * n + 4))
                         for n, text in enumerate(said))
        chapters = segment(Transcript("file:x", language, "captions", "file", segments), embedder=None)
        text = " ".join(said)
        words = set(text.replace(".", " ").replace(":", " ").split())
        keywords = [k for c in chapters for k in c.keywords]
        assert keywords and set(keywords) <= words, (language, keywords)
        assert not {"را", "که", "ها", "می", "ال", "وم"} & set(keywords), (language, keywords)
