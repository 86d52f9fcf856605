"""Chapter titles cut from a transcript that writes names in lower case (YouTube's automatic captions, unpunctuated
runs) spell them as the transcript does elsewhere or as the video's article does (indexer.chapters.casing)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from indexer.chapters.casing import capitals, recased
from indexer.chapters.segment import segment
from indexer.config import Settings
from indexer.formats import spread_words
from indexer.models import Segment, Transcript
from indexer.service import Clipindex
from media.captions import Cue, write_vtt
from tests.test_chapters_model import one_sentence_each

# As YouTube's automatic captions write a report: no capitals, no punctuation.
AUTO = [
    "the president of the philippines ferdinand marcos met the prime minister of japan in tokyo on tuesday",
    "marcos and kishida signed an agreement on troops and talked about the south china sea",
    "the agreement lets the forces of japan train in the philippines and the forces of the philippines in japan",
    "in manila the opposition said the president had not asked the senate before he went to tokyo",
]
ARTICLE = [
    "Marcos and Kishida sign troops pact in Tokyo",
    "Philippine President Ferdinand Marcos met Japanese Prime Minister Fumio Kishida in Tokyo on Tuesday.",
    "They signed a troops pact and talked about the South China Sea.",
    "The agreement lets Japan's forces train in the Philippines. The president said it serves the region, and "
    "critics in Manila said the Senate was not asked.",
]


def test_an_articles_capitals_name_what_automatic_captions_write_in_lower_case() -> None:
    names = capitals(AUTO, ARTICLE)
    assert {k: names.get(k) for k in ("ferdinand", "marcos", "kishida", "tokyo", "manila", "senate")} == {
        "ferdinand": "Ferdinand", "marcos": "Marcos", "kishida": "Kishida", "tokyo": "Tokyo", "manila": "Manila",
        "senate": "Senate"}
    assert "president" not in names  # the article writes it in lower case too ("The president said")
    assert "the" not in names and "agreement" not in names  # capitalised only where a sentence starts
    assert names["japan"] == "Japan"  # the article writes "Japan's": the part before the apostrophe names it
    elided = capitals(["le président a parlé de europe et de union et de bruxelles devant les députés à "
                       "strasbourg hier soir pendant une heure et demie"],
                      ["Le président parle de l'Europe à Strasbourg.", "L'Union et Bruxelles l'ont entendu."])
    assert {k: elided.get(k) for k in ("europe", "strasbourg", "bruxelles", "union")} == {
        "europe": "Europe", "strasbourg": "Strasbourg", "bruxelles": "Bruxelles",
        "union": "Union"}  # "L'Union" opens its sentence with the "L", not with "Union"
    assert "président" not in elided and "ont" not in elided  # "l'ont": a lower-case part
    assert capitals(AUTO) == {}  # nothing to go by without the article
    assert recased("marcos and kishida signed an agreement", names) == "Marcos and Kishida signed an agreement"


def test_a_transcript_with_its_capitals_is_not_recased_by_the_article() -> None:
    """Where the transcript has its capitals, its lower case is the speaker's own: the article changes nothing."""
    cased = ["The council met in the town hall on Monday.", "The town council voted for the new bridge."]
    assert capitals(cased, ["The Council met in the Town Hall.", "Critics of the Council spoke."]) == {}


def test_titles_of_automatic_captions_spell_names_as_the_article_does() -> None:
    transcript = one_sentence_each(AUTO, "en")
    (plain,) = segment(transcript, embedder=None)
    (spelled,) = segment(transcript, embedder=None, spelling=ARTICLE)
    assert plain.title.casefold() == spelled.title.casefold() and plain.title != spelled.title, spelled.title
    names = ("Marcos", "Kishida", "Tokyo", "Ferdinand", "Manila", "South China Sea")
    found = [w for w in names if w.casefold() in spelled.title.casefold()]
    assert found and all(w in spelled.title for w in found), spelled.title
    # the chapter's keywords, the same words as the transcript's, spelled as the article does
    assert [k.casefold() for k in spelled.keywords] == [k.casefold() for k in plain.keywords]
    assert {"Marcos", "Tokyo"} & set(spelled.keywords) and not {"marcos", "tokyo"} & set(spelled.keywords), \
        spelled.keywords


def test_an_ingest_with_its_article_titles_the_chapters_with_the_articles_spelling(settings: Settings,
                                                                                    tmp_path: Path) -> None:
    vtt = tmp_path / "auto.vtt"
    cues, t = [], 0.0
    for sentence in AUTO * 2:
        cues.append(Cue(t, t + len(sentence) / 14, sentence))
        t = cues[-1].end + 0.4
    vtt.write_text(write_vtt(cues), encoding="utf-8")
    article = tmp_path / "article.md"
    article.write_text("# " + ARTICLE[0] + "\n\n" + "\n\n".join(ARTICLE[1:]) + "\n", encoding="utf-8")
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir)}
    result = CliRunner().invoke(app, ["ingest", str(vtt), "--article", str(article), "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    [done] = json.loads(result.stdout)
    svc = Clipindex(settings)
    titles = [c.title for c in svc.chapters.get(done["video_id"]) if c.source == "computed"]
    shown = " ".join(titles)
    names = ("Marcos", "Kishida", "Tokyo", "Manila", "South China Sea")
    assert any(w.casefold() in shown.casefold() for w in names), titles
    assert all(w in shown for w in names if w.casefold() in shown.casefold()), titles
    again = svc.chapters.recompute(done["video_id"])  # the article linked to the video still spells them
    assert [c.title for c in again] == titles



def test_elided_words_keep_a_caseless_stretch_and_take_their_parts_capitals() -> None:
    """An unpunctuated run in Italian or French is full of elisions ("dell'unione"): they neither end the caseless
    stretch nor keep their parts from the transcript's capitals."""
    text = ["La presidente della Commissione ha parlato a Bruxelles dell'Unione europea.",
            "oggi a bruxelles la presidente ha detto che i paesi dell'unione devono spendere di più per la difesa "
            "e che la commissione presenterà un piano entro marzo per tutti"]
    names = capitals(text)
    assert names.get("bruxelles") == "Bruxelles" and names.get("unione") == "Unione", names
    assert recased("paesi dell'unione a bruxelles", names) == "Paesi dell'Unione a Bruxelles"


def test_turkish_names_take_the_articles_dotted_and_dotless_capitals() -> None:
    """Python's lower() makes "i" of "I" and "i" with a combining dot of "İ": the article's "İzmir" and "Iğdır"
    never met the captions' "izmir" and "ığdır", and a title opening on "i" was capitalised "I" ("Itfaiye")."""
    auto = ["yangın çıktı itfaiye ekipleri izmir ve ığdır bölgesine sevk edildi vali ali yılmaz söyledi ki "
            "ekipler sabaha kadar çalışacak ve izmir halkı evlerine dönebilecek"]
    article = ["İzmir'de büyük bir yangın çıktı.", "İtfaiye ekipleri İzmir ve Iğdır'dan geldi, dedi Vali Ali Yılmaz."]
    names = capitals(auto, article, "tr")
    assert {k: names.get(k) for k in ("izmir", "ığdır", "ali", "yılmaz")} == {
        "izmir": "İzmir", "ığdır": "Iğdır", "ali": "Ali", "yılmaz": "Yılmaz"}
    assert recased("itfaiye ekipleri izmir ve ığdır", names, "tr") == "İtfaiye ekipleri İzmir ve Iğdır"
    assert recased("ışıklar söndü", {}, "tr") == "Işıklar söndü"
    assert recased("international talks", {}, "en") == "International talks"
    # and through segment: a title cut from the captions opens with the capital Turkish writes ("İzmir", not "Izmir")
    said = ("itfaiye ekipleri izmir ve ığdır bölgesine sevk edildi vali ali yılmaz söyledi ki ekipler sabaha kadar "
            "çalışacak ve izmir halkı evlerine dönebilecek dedi")
    transcript = Transcript("file:tr", "tr", "captions", "auto", tuple(
        Segment(10.0 * n, 10.0 * n + 9, said, spread_words(said, 10.0 * n, 10.0 * n + 9)) for n in range(3)))
    (chapter,) = segment(transcript, embedder=None, spelling=article)
    assert chapter.title[:1] in ("İ", "I") and not chapter.title.startswith(("Izmir", "Itfaiye")), chapter.title
