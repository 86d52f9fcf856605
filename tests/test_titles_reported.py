"""What was said is the story, and who said it stays: a title reads the clause that a speech or report verb's "that"
opens, after the name of who said it and a colon, and a run that stops at the verb says nothing
(indexer.chapters.reported). Before, "The Russian Defense Ministry has reported that at least 32 Ukrainian drones
were shot down" was titled "The Russian Defense Ministry has reported" (docs/benchmarks.md, stop 76). The sentences
are the project's own.
"""

from __future__ import annotations

import pytest

from indexer.chapters.phrases import headline_phrases
from indexer.chapters.reading import prefix, read
from indexer.chapters.reported import attributed, reported_clauses
from indexer.chapters.variants import BREAK
from indexer.text.stopwords import stop_words


def _best(sentence: str, language: str) -> list[str]:
    """headline_phrases of one sentence, best first, every content word weighed alike."""
    stop, key = set(stop_words(language)), prefix(6)
    weights = {key(t): 0.5 for t in read([sentence], language).sentences[0] if t.text not in stop}
    return [p.text for p in headline_phrases(sentence, language, weights, stop, key)]


def _said(sentence: str, language: str) -> tuple[str, str]:
    """Who said it and the words of what was said, as reported_clauses finds them ("" and "" where none)."""
    raw = sentence.split()
    last, ends = len(raw) - 1, []
    for i in reversed(range(len(raw))):
        last = i if BREAK.search(raw[i]) else last
        ends.append(last)
    opens, _, names = reported_clauses(raw, ends[::-1], language)
    who = " ".join(raw[k] for span in names.values() for k in span)
    return who, " ".join(w for w, at in zip(raw, opens) if at is not None)


@pytest.mark.parametrize(("sentence", "language", "who", "said"), [
    ("The Dover Harbour Board has announced that the old island ferry will sail again in May.", "en",
     "Dover Harbour Board", "the old island ferry will sail again in May."),
    ("Oxford City Council told residents on Monday that the market square stays closed until autumn.", "en",
     "Oxford City Council", "the market square stays closed until autumn."),
    ("Die Hafenbehörde teilte mit, dass die alte Fähre zur Insel im Mai wieder fährt.", "de",
     "Hafenbehörde", "die alte Fähre zur Insel im Mai wieder fährt."),
    ("Le port de Calais a annoncé que le vieux ferry vers l'île reprendra la mer en mai.", "fr",
     "Calais", "le vieux ferry vers l'île reprendra la mer en mai."),
    ("La compagnia Tirrenia ha annunciato che il vecchio traghetto tornerà in mare a maggio.", "it",
     "Tirrenia", "il vecchio traghetto tornerà in mare a maggio."),
    ("Портовое управление Росморпорт заявило, что старый паром снова выйдет в море в мае.", "ru",
     "Росморпорт", "старый паром снова выйдет в море в мае."),
    # a capitalised head with its genitive: the name alone ("England", "Interior", "Regierung") said nothing
    ("The Bank of England has warned that interest rates will rise again next year.", "en",
     "Bank of England", "interest rates will rise again next year."),
    ("The Ministry of the Interior said that forty people were arrested overnight.", "en",
     "Ministry of the Interior", "forty people were arrested overnight."),
    ("Der Sprecher der Regierung sagte, dass die Gespräche am Montag weitergehen.", "de",
     "Sprecher der Regierung", "die Gespräche am Montag weitergehen."),
])
def test_what_a_report_verbs_that_opens_is_what_was_said_and_who_said_it(sentence: str, language: str, who: str,
                                                                       said: str) -> None:
    assert _said(sentence, language) == (who, said)


@pytest.mark.parametrize(("sentence", "language", "title"), [
    ("The Dover Harbour Board has announced that the ferry will sail again.", "en",
     "Dover Harbour Board: the ferry will sail again"),
    ("Die Hafenbehörde teilte mit, dass die alte Inselfähre wieder fährt.", "de",
     "Hafenbehörde: die alte Inselfähre wieder fährt"),
    ("Le port de Calais a annoncé que le vieux ferry reprendra la mer.", "fr",
     "Calais : le vieux ferry reprendra la mer"),
    ("The Bank of England has warned that interest rates will rise.", "en",
     "Bank of England: interest rates will rise"),
])
def test_a_title_tells_what_was_said_and_who_said_it(sentence: str, language: str, title: str) -> None:
    found = _best(sentence, language)
    assert found[0] == title, found
    # a run that stops at the verb, or at its "that", leaves out the story
    assert not [t for t in found[:3] if t.split()[-1].strip(",").casefold() in {"announced", "mit", "annoncé"}], found


def test_who_said_it_stands_before_a_colon_and_what_was_said_keeps_its_case() -> None:
    assert attributed(["Qatar"], "A four-day ceasefire", "a", "en") == "Qatar: a four-day ceasefire"
    assert attributed(["«Washington"], "Le Hamas utilise", "le", "fr") == "Washington : le Hamas utilise"
    assert attributed(["Dover", "Harbour", "Board"], "Die Fähre", "die", "de") == "Dover Harbour Board: die Fähre"


@pytest.mark.parametrize(("sentence", "language"), [
    # a noun's "that" is a relative pronoun
    ("The minister said the plane that collided with the tower was old.", "en"),
    # a relative clause's verb, not what was said ("states" is a noun as often)
    ("Many member states that would like to speed up the talks met on Monday.", "en"),
    # what opens with a pronoun names no one, and "I believe" is an interview's opinion
    ("The mayor tells reporters that he feels the town is ready.", "en"),
    ("I believe that the town is ready for the festival.", "en"),
    ("It is no exaggeration to say that the town is ready for the festival.", "en"),
    # a second predicate after a conjunction, and a clause without a subject in a language that drops pronouns
    ("O prefeito visitou o porto e disse que o ferry volta em maio.", "pt"),
    ("O suspeito admitiu que sente ódio pelos estrangeiros.", "pt"),
    # a "that" of another clause's verb: "diz" says the first one, not the second
    ("O partido votou contra e diz que é hipócrita que os bascos tenham escrito esta lei.", "pt"),
    # who said it is no name, or the last of a list: a title would state the claim as a fact
    ("Le président du Conseil européen estime que la Russie a trahi la population arménienne.", "fr"),
    ("Syrian authorities reported that Israel has fired missiles on the airport.", "en"),
    ("Terrorismus und Kriege zeigen deutlich, dass die globale Ordnung versagt.", "de"),
    # what was said cut short by an aside after a comma
    ("Gazprom a annoncé que le gazoduc Nord Stream, qui devait reprendre, ne livrera plus de gaz.", "fr"),
])
def test_no_reading_of_what_was_said_where_the_words_do_not_tell_it(sentence: str, language: str) -> None:
    assert _said(sentence, language) == ("", "")
