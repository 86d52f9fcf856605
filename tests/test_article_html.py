"""An HTML article's paragraphs less its pull quotes (indexer.articles.html.story_only): a block that repeats a
quote of the story with nothing of its own is left out, and nothing else is. A misquote of a quote the story gives
in full ("Vamos a cerrar ..." after "No vamos a cerrar ...") was taken for a pull quote and vanished unseen."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.articles.html import story_only
from indexer.articles.link import link_article
from indexer.articles.load import load_article
from tests.test_articles import timed

SAID = '"No vamos a cerrar el puente hasta el lunes", dijo la alcaldesa María López a los periodistas.'
MISQUOTE = '"Vamos a cerrar el puente hasta el lunes", dijo después López.'
STORY = ["Buenas noticias para los vecinos del barrio, que temían quedarse aislados durante el fin de semana.",
         SAID, MISQUOTE, "Las pensiones subirán un tres por ciento el próximo año, según el ministerio."]


def test_a_misquote_of_a_longer_quote_is_read_and_checked(tmp_path: Path) -> None:
    """The audit's page: the second paragraph's quote stands inside the first's, and was dropped as a pull quote
    (not shown, not checked); as Markdown it was kept."""
    page = tmp_path / "puente.html"
    page.write_text('<!doctype html><html lang="es"><head><meta charset="utf-8"><title>El puente sigue abierto'
                    "</title></head><body><article><h1>El puente sigue abierto</h1>"
                    + "".join(f"<p>{p}</p>" for p in STORY) + "</article></body></html>", encoding="utf-8")
    article = load_article(str(page))
    assert [p.text for p in article.paragraphs] == STORY
    transcript, _ = timed(["Buenas noches, estas son las noticias.", "No vamos a cerrar el puente hasta el lunes."],
                          language="es")
    checks = {q.paragraph: q for q in link_article(article, transcript).quotes}
    assert checks[1].status == "verbatim"
    assert checks[2].status == "differs", checks[2]  # the misquote is checked, and found out


@pytest.mark.parametrize("repeat", [
    '"Vamos a cerrar el puente hasta el lunes"',  # a misquote, alone: its first word left out changes the meaning
    '"Vamos a cerrar el puente hasta el lunes" María López',
    MISQUOTE,  # and with an attribution of its own
    '"No vamos a cerrar el puente hasta el lunes", dijo López.',  # the same words, said again by its own account
    '"No vamos a cerrar el puente hasta el lunes", insistió después.',
    '"No vamos a cerrar el puente hasta el lunes" Juan Pérez',  # a credit the story never names
    '"No vamos a cerrar el puente" María López',  # part of a sentence: "... hasta el lunes" left out
    '"a cerrar el puente hasta el lunes"',
])
def test_a_paragraph_with_words_of_its_own_or_a_quote_cut_mid_sentence_stays(repeat: str) -> None:
    texts = [STORY[0], SAID, repeat]
    assert story_only(texts) == texts


@pytest.mark.parametrize("repeat", [
    '"No vamos a cerrar el puente hasta el lunes"',
    "«No vamos a cerrar el puente hasta el lunes» — María López, alcaldesa",  # a credit of the story's words
    "No vamos a cerrar el puente hasta el lunes",  # a block quote's words without quote marks
])
def test_a_pull_quote_that_repeats_a_quote_with_at_most_a_credit_is_left_out(repeat: str) -> None:
    assert story_only([STORY[0], SAID, repeat, STORY[3]]) == [STORY[0], SAID, STORY[3]]


def test_a_pull_quote_of_whole_sentences_of_a_longer_quote_is_left_out() -> None:
    said = ('"The water came in the night. We lost everything we ever had," said Helen Carter, the mayor of '
            "Carlisle, on Tuesday.")
    assert story_only([said, '"We lost everything we ever had" Helen Carter, mayor']) == [said]
    assert story_only([said, "“The water came in the night.”"]) == [said]
    # the words of a sentence from its middle on are not the sentence: "we lost everything" after "and"
    joined = said.replace("night. We", "night and we")
    assert len(story_only([joined, '"we lost everything we ever had" Helen Carter'])) == 2


def test_a_pull_quote_in_a_script_without_capitals_keeps_its_rules() -> None:
    said = "قال الوزير أحمد: «لن نرفع أسعار الوقود هذا العام على الإطلاق» أمام الصحفيين."
    assert story_only([said, "«لن نرفع أسعار الوقود هذا العام على الإطلاق» أحمد"]) == [said]
    kept = [said, "«لن نرفع أسعار الوقود هذا العام على الإطلاق» قال أحمد"]  # its own attribution
    assert story_only(kept) == kept
    kept = [said, "«نرفع أسعار الوقود هذا العام على الإطلاق»"]  # "لن" (not) left out: a misquote
    assert story_only(kept) == kept
