"""Titles that leave no clause hanging, and relative clauses that a title leaves out or does without.

A clause set off by commas may stop on a word that joins it to what follows the comma ("The goalkeeper is leaving
the club after nine seasons and, according to ..., has signed ..."): a title ending there hangs. A relative clause
("Soldaten, die ... benachteiligt wurden, sollen entschädigt werden") tells of a word in another clause: it is no
title, and the clause around it reads whole without it (docs/benchmarks.md, stop 68). The sentences are the
project's own.
"""

from __future__ import annotations

import pytest

from indexer.chapters.phrases import headline_phrases
from indexer.chapters.reading import prefix, read
from indexer.chapters.variants import relative_end, relatives_left_out
from indexer.text.stopwords import determiners, stop_words


def _best(sentence: str, language: str) -> list[str]:
    """headline_phrases of one sentence, best first, every content word weighed alike."""
    stop, key = set(stop_words(language)), prefix(6)
    weights = {key(t): 0.5 for t in read([sentence], language).sentences[0] if t.text not in stop}
    return [p.text for p in headline_phrases(sentence, language, weights, stop, key)]


@pytest.mark.parametrize(("sentence", "language", "hanging"), [
    ("The goalkeeper is leaving the club after nine seasons and, according to the local paper, has signed "
     "for a team abroad.", "en", "and"),
    ("Les pompiers ont lutté trois jours contre le feu et, selon la préfecture, la forêt est sauvée.", "fr", "et"),
    ("Der Bürgermeister hat die Brücke gesperrt und, wie die Stadt mitteilte, eine Umleitung eingerichtet.", "de",
     "und"),
    ("The flood in the valley is, as the forecasters feared, reaching the old town.", "en", "is"),
    ("La crue de la rivière est, comme prévu, arrivée dans la vieille ville.", "fr", "est"),
])
def test_no_title_ends_on_a_word_that_joins_its_clause_to_what_follows_the_comma(sentence: str, language: str,
                                                                                hanging: str) -> None:
    found = _best(sentence, language)
    assert found and not [t for t in found if t.split()[-1].casefold() == hanging], found


def test_a_german_clause_still_ends_on_its_auxiliary() -> None:
    """German puts the finite verb of a subordinate clause last: there it ends the clause, and a title may too."""
    found = _best("Die Feuerwehr meldet, dass der Damm in der Nacht gebrochen ist.", "de")
    assert any(t.endswith("gebrochen ist") for t in found), found


@pytest.mark.parametrize(("sentence", "start", "end"), [
    ("Der Stadtrat hat den neuen Hafen eröffnet, der zwölf Jahre lang geplant worden war.", 7, 13),
    ("Im Norden ist ein Zentrum eröffnet worden, in dem Ärzte aus dem Ausland ausgebildet werden.", 7, 14),
    ("Het museum toont een schilderij, dat jarenlang in een kelder verborgen was.", 5, 11),
])
def test_a_german_or_dutch_relative_clause_is_told_from_its_articles(sentence: str, start: int, end: int) -> None:
    assert relative_end(sentence.split(), start, sentence.startswith("Het") and "nl" or "de") == end


@pytest.mark.parametrize("sentence", [
    # a main clause after the comma: the auxiliary right after the pronoun, or not last
    "Die Zahl der Menschen, die geflohen sind, die soll bei zehntausend liegen.",
    "Ein Gutachten der Polizei liegt vor, das muss noch geprüft werden.",
    "Der Regen hat nachgelassen, die Feuerwehr hat die Pumpen abgestellt.",
])
def test_a_main_clause_that_opens_with_an_article_after_a_comma_is_no_relative_clause(sentence: str) -> None:
    raw = sentence.split()
    opens = [i for i in range(1, len(raw)) if raw[i - 1].endswith(",") and relative_end(raw, i, "de") is not None]
    assert opens == ([4] if sentence.startswith("Die Zahl") else []), opens


def test_a_title_comes_from_the_main_clause_not_from_the_relative_clause_after_it() -> None:
    found = _best("Der Stadtrat von Bremen hat den neuen Hafen eröffnet, der von der Regierung zwölf Jahre lang "
                  "geplant worden war.", "de")
    assert found[0] == "Stadtrat von Bremen hat den neuen Hafen eröffnet", found
    # the relative clause reads as a clause of its own no more: its runs cost a frame
    assert not [t for t in found[:4] if t.endswith("worden war")], found


@pytest.mark.parametrize(("sentence", "language", "title"), [
    ("Soldaten, die wegen eines alten Gesetzes benachteiligt wurden, sollen jetzt entschädigt werden.", "de",
     "Soldaten sollen jetzt entschädigt werden"),
    ("Forty firms, which carry a third of the world's grain, have pledged to cut emissions.", "en",
     "Forty firms have pledged to cut emissions"),
    ("Portugal, que comparte una larga frontera con España, ha cerrado sus pasos fronterizos.", "es",
     "Portugal ha cerrado sus pasos fronterizos"),
])
def test_a_relative_clause_after_the_subject_is_left_out_where_the_subject_and_its_predicate_make_the_title(
        sentence: str, language: str, title: str) -> None:
    readings = [" ".join(w for _, w in r) for r in relatives_left_out(sentence.split(), language)]
    assert len(readings) == 1 and readings[0].startswith(title.split()[0] + " "), readings
    assert title in _best(sentence, language)[:3], _best(sentence, language)


@pytest.mark.parametrize(("sentence", "language"), [
    # past the subject already (an auxiliary before the comma): the relative clause tells of the object
    ("Die Sängerin hat zwei Preise gewonnen, die ihr viel bedeuten, darunter den für das beste Album.", "de"),
    ("Shakira a remporté deux prix, dont celui de l'album, grâce à son dernier disque.", "fr"),
    # a name set off in mid-sentence, after the real subject
    ("L'avocat de la joueuse, Anna Holm, qui joue en Russie, a fait appel du jugement.", "fr"),
    # after a preposition, Spanish "que" joins a clause: "desde que" is no relative pronoun
    ("En noticias de la guerra, desde que el presidente anunció la ofensiva, se han registrado combates.", "es"),
])
def test_no_relative_clause_is_left_out_where_the_words_before_it_are_no_subject(sentence: str,
                                                                                language: str) -> None:
    assert relatives_left_out(sentence.split(), language) == []


@pytest.mark.parametrize(("sentence", "framed"), [
    ("Der Stadtrat hat den neuen Hafen eröffnet, der zwölf Jahre lang geplant worden war.", True),
    # a clause of one or two words before it: the relative clause is what the sentence tells
    ("Briefe, die von heute an im neuen Stadtmuseum vorgelesen werden.", False),
])
def test_a_relative_clause_costs_a_frame_only_after_a_clause_that_could_title_the_story(sentence: str,
                                                                                       framed: bool) -> None:
    from indexer.chapters.phrases import _Words

    raw = sentence.split()
    words = _Words(raw, [True] * len(raw), "de")
    start = next(i for i in range(1, len(raw)) if raw[i - 1].endswith(","))
    assert words.frame[start:] == [framed] * (len(raw) - start) and not any(words.frame[:start])


@pytest.mark.parametrize(("sentence", "language"), [
    ("The striking dockers of the northern port began their walkout with a march in the capital.", "en"),
    ("South Korea's coast guard has seized more than 300 kilos of cocaine off the island.", "en"),
    ("La guardia costiera italiana ha sequestrato almeno 300 chili di cocaina al largo dell'isola.", "it"),
])
def test_the_best_title_does_not_stop_before_a_determiner_that_opens_the_verbs_object(sentence: str,
                                                                                     language: str) -> None:
    """A possessive or a quantifier opens a noun phrase as an article does: a title cut before one ("... began |
    their walkout", "... has seized | more than 300 kilos") leaves a verb without its object, and it costs a full
    cut; a title never ends on one ("ha sequestrato almeno | 300")."""
    opens = determiners(language)
    words = [w.strip(".,").casefold() for w in sentence.split()]
    best = _best(sentence, language)[0]
    last = words.index(best.split()[-1].casefold())  # a headline's style may leave words out before it
    after = [*words[last + 1:], "", ""]
    assert words[last] not in opens and after[0] not in opens and f"{after[0]} {after[1]}" not in opens, best


def test_a_title_may_still_stop_before_a_preposition_that_adds_where_or_when() -> None:
    """Only a determiner costs the full cut: "opened the new bridge | over the river" keeps its cheap end."""
    assert _best("The mayor opened the new bridge over the river in June after years of delays.", "en")[0] in {
        "Mayor opened new bridge over river", "Mayor opened the new bridge over the river",
        "The mayor opened the new bridge"}
