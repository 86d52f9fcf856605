"""German titles that reach the end of the verb bracket: prepositional phrases of the middle field left out.

A German clause puts what completes its verb last, so a title cut at eight words from a long clause had the verb
without its participle or particle ("Eine Gruppe Rechtsextremer hat in Lyon"). indexer.chapters.bracket offers
readings without one or two of the middle field's prepositional phrases, for runs that then reach the clause's end.
The sentences here are the project's own.
"""

from __future__ import annotations

import pytest

from indexer.chapters.bracket import middle_phrases_left_out, strong_endings
from indexer.chapters.phrases import headline_phrases
from indexer.chapters.reading import prefix, read
from indexer.text.normalize import fold
from indexer.text.stopwords import stop_words


def _readings(sentence: str, language: str = "de") -> list[str]:
    """The shorter readings of a sentence, as text (its content words those outside the stop list)."""
    raw, stop = sentence.split(), stop_words(language)
    solid = [fold(w.strip(".,")) not in stop for w in raw]
    return [" ".join(w for _, w in kept) for kept, _, _, _ in middle_phrases_left_out(list(enumerate(raw)), solid,
                                                                                       language)]


def _best(sentence: str, salient: dict[str, float]) -> list[str]:
    """headline_phrases of one German sentence, best first, its words weighed as `salient` says (others 0.2)."""
    stop, key = set(stop_words("de")), prefix(6)
    weights = {key(t): salient.get(key(t), 0.2) for t in read([sentence], "de").sentences[0] if t.text not in stop}
    return [p.text for p in headline_phrases(sentence, "de", weights, stop, key)]


def test_a_phrase_of_place_or_circumstance_may_be_left_out() -> None:
    found = _readings("Die Stadtverwaltung hat in der Altstadt von Regensburg einen neuen Radweg eröffnet.")
    assert "Die Stadtverwaltung hat einen neuen Radweg eröffnet." in found, found
    # a phrase with what attaches to it ("im Vorstand" after "nach langer Debatte") goes as one
    found = _readings("Der Verein stimmt nach langer Debatte im Vorstand dem neuen Stadion zu.")
    assert "Der Verein stimmt dem neuen Stadion zu." in found, found
    assert not any("im Vorstand dem" in r for r in found), found
    # prepositions of written German that govern a genitive ("innerhalb", "angesichts") open one too
    found = _readings("In den Alpen haben Jäger innerhalb einer Woche vier Wölfe gesichtet.")
    assert "In den Alpen haben Jäger vier Wölfe gesichtet." in found, found


def test_the_whole_clause_wins_where_it_names_the_story() -> None:
    """Before: the clause's first eight words, without the verb ("Die Polizei hat am Morgen in einem Dorf bei")."""
    sentence = "Die Polizei hat am Morgen in einem Dorf bei Kiel zwei Einbrecher festgenommen."
    best = _best(sentence, {"polize": 1.0, "einbre": 1.0, "festge": 0.8})
    # "am Morgen | in einem Dorf bei Kiel" is a chain whose phrases after the first may be left out alone (below)
    assert best[0] in ("Die Polizei hat zwei Einbrecher festgenommen",
                       "Die Polizei hat am Morgen zwei Einbrecher festgenommen"), best[:5]


@pytest.mark.parametrize("sentence, missing", [
    # right before the participle, a phrase is mostly what the verb means
    ("Die Feuerwehr hat die Bewohner des Hauses am Marktplatz in Sicherheit gebracht.", "Bewohner des Hauses gebracht"),
    ("Die Armee hat die feindlichen Truppen nach tagelangen Kämpfen in die Flucht geschlagen.", "Truppen geschlagen"),
    # "by a woman" is what the news is ("zum ... von einer Frau" is one phrase, right before the participle)
    ("Die Gewerkschaft wird zum ersten Mal in ihrer Geschichte von einer Frau geführt.", "Gewerkschaft wird geführt"),
    # what follows would hang without it: a genitive without an article
    ("Das Gericht hat sich heute mit den Rechten leiblicher Väter befasst.", "heute leiblicher Väter"),
    # a noun of two capitalised words right before the participle may end with the verb's object
    ("Der Minister hat seinem Kollegen im Nahen Osten Gespräche angeboten.", "Kollegen angeboten"),
])
def test_what_the_verb_needs_stays(sentence: str, missing: str) -> None:
    found = _readings(sentence)
    assert not any(missing in r for r in found), found


def test_the_phrases_after_a_chains_noun_may_be_left_out_with_the_first_kept() -> None:
    """Prepositional phrases in a row read as one chain: before, leaving out the chain was all or nothing, and a
    chain right before the participle stayed whole, so no run reached the verb ("Die Feuerwehr hat einen Einsatz
    gegen Waldbrände"). The phrases after the first may go where the last of them says where."""
    found = _readings("Die Feuerwehr hat einen Einsatz gegen Waldbrände in der Region beendet.")
    assert "Die Feuerwehr hat einen Einsatz gegen Waldbrände beendet." in found, found
    found = _readings("Der Verein hat nach der Niederlage gegen Bremen im Pokal den Trainer entlassen.")
    assert "Der Verein hat nach der Niederlage gegen Bremen den Trainer entlassen." in found, found
    assert "Der Verein hat den Trainer entlassen." in found, found  # the whole chain, as before
    best = _best("Die Feuerwehr hat einen Einsatz gegen Waldbrände in der Region beendet.",
                 {"feuerw": 1.0, "einsat": 0.8, "waldbr": 1.0, "beende": 0.6})
    assert best[0] == "Die Feuerwehr hat einen Einsatz gegen Waldbrände beendet", best[:5]


@pytest.mark.parametrize("sentence, missing", [
    # the first phrase alone: a later one mostly tells of its noun, and would stand for the verb's
    ("Die Regierung kündigt nach dem Angriff auf die Schule eine Untersuchung an.", "Regierung kündigt auf die"),
    ("Polen hat in der Grenzregion zu Belarus den Notstand verhängt.", "Polen hat zu Belarus"),
    # the last phrase before the participle, where it is what the verb means or says who did it
    ("Tausende sind in vielen Städten gegen Antisemitismus auf die Straße gegangen.", "Antisemitismus gegangen"),
    ("Die Gewerkschaft wird zum ersten Mal in ihrer Geschichte von einer Frau geführt.", "Mal geführt"),
    # a chain whose first phrase tells of the verb, right before it
    ("Der Minister hat sich offen für eine Öffnung der Schulen in der Stadt gezeigt.", "offen gezeigt"),
])
def test_a_chains_phrases_that_the_clause_needs_stay(sentence: str, missing: str) -> None:
    found = _readings(sentence)
    assert not any(missing in r for r in found), found


def test_only_german_text_with_its_capitals() -> None:
    assert _readings("Die Polizei hat am Morgen in einem Dorf bei Kiel zwei Einbrecher festgenommen.")
    assert not _readings("die polizei hat am morgen in einem dorf bei kiel zwei einbrecher festgenommen.")
    assert not _readings("Die Polizei hat am Morgen in einem Dorf bei Kiel zwei Einbrecher festgenommen.", "nl")
    assert not _readings("La policía ha detenido esta mañana en un pueblo cerca de Kiel a dos ladrones.", "es")


def test_a_subordinate_clause_and_a_coordinated_one_are_left_as_they_are() -> None:
    # the verbs come last in a subordinate clause; a main clause's first conjunct ends on a noun
    assert not _readings("Weil die Polizei am Morgen in einem Dorf bei Kiel zwei Einbrecher festgenommen hat.")
    assert not _readings("Der Verein baut in der Altstadt ein Stadion und zieht im Frühjahr in die neue Halle um.")


@pytest.mark.parametrize("sentence, salient, wanted, unwanted", [
    # after a phrase of the middle field, a number opens the object ("in der Nacht | 40 Menschen")
    ("Die Küstenwache hat nach eigenen Angaben in der Nacht 40 Menschen aus Seenot gerettet.",
     {"mensch": 1.0, "seenot": 1.0, "gerett": 0.6, "nacht": 0.6},
     "40 Menschen aus Seenot gerettet", "Nacht 40 Menschen aus Seenot gerettet"),
    # and so does an article there ("in zweiter Lesung die | umstrittene ...")
    ("Der Landtag hat in zweiter Lesung die umstrittene Reform der Grundsteuer beschlossen.",
     {"reform": 1.0, "grunds": 1.0, "umstri": 0.6, "beschl": 0.6, "lesung": 0.6},
     "Umstrittene Reform der Grundsteuer beschlossen",
     "Zweiter Lesung die umstrittene Reform der Grundsteuer beschlossen"),
])
def test_a_verbs_object_may_open_a_title_after_a_phrase_of_the_middle_field(
        sentence: str, salient: dict[str, float], wanted: str, unwanted: str) -> None:
    """What stands between a middle field's prepositional phrase and the participle is mostly the verb's object:
    from there to the clause's end is what was done, at what leaving a clause's opening articles costs. Before, a
    run from there cost as much as one from inside the phrase ("Nacht 40 Menschen ..."), and none could start on a
    number."""
    found = _best(sentence, salient)
    assert wanted in found and found.index(wanted) < found.index(unwanted), found


def test_an_adjective_keeps_the_article_whose_case_its_ending_follows() -> None:
    """Without "das", "neue Museum" is no German ("neues Museum"): a run that starts on an adjective after "der",
    "das", "dem", "des" (and "die" before an ending in -en, a plural) keeps the article where it has room. After
    "ein", "den" or a singular "die" the adjective's ending is the one it takes alone, and the article may go."""
    salient = {"museum": 1.0, "kunst": 1.0, "modern": 0.6, "hambur": 0.6}
    found = _best("In Hamburg hat das neue Museum für moderne Kunst seine Türen geöffnet.", salient)
    assert "Das neue Museum für moderne Kunst" in found, found
    # but for a run of 8 words, which has no room for it: the ending the adjective takes alone ("Neue Museum" was
    # written, as no German would)
    assert [p for p in found if p.startswith(("Neue ", "Neues "))] == [
        "Neues Museum für moderne Kunst seine Türen geöffnet"]
    found = _best("In Hamburg haben die neuen Museen für moderne Kunst geöffnet.", salient | {"museen": 1.0})
    assert "Die neuen Museen für moderne Kunst geöffnet" in found, found
    assert not any(p.startswith("Neuen ") for p in found), found
    # "ein neues Museum": the ending is right without the article
    found = _best("In Hamburg hat ein neues Museum für moderne Kunst seine Türen geöffnet.", salient)
    assert "Neues Museum für moderne Kunst" in found, found
    # inside a prepositional phrase, no article comes along ("nach dem | schweren ..." is no title's start)
    found = _best("Am Tag nach dem schweren Unwetter in Hamburg dauern die Aufräumarbeiten an.",
                  {"unwett": 1.0, "hambur": 1.0, "aufrau": 0.6})
    assert not any(p.startswith("Dem ") for p in found), found
    # where the article leaves no room, the run goes without it and still says what happened, as a headline does
    found = _best("In Kenia hat der amtierende Vizepräsident William Ruto die Präsidentschaftswahl knapp gewonnen.",
                  {"vizepr": 1.0, "willia": 1.0, "ruto": 1.0, "prasid": 1.0, "gewonn": 0.6})
    assert "Amtierender Vizepräsident William Ruto die Präsidentschaftswahl knapp gewonnen" in found, found


@pytest.mark.parametrize("sentence, wanted, unwanted", [
    ("Das israelische Militär hat mehr als eine Million Zivilisten im Gazastreifen zur Flucht aufgefordert.",
     "Israelisches Militär hat mehr als eine Million Zivilisten", "Israelische Militär"),
    ("Der finnische Ministerpräsident Orpo hat Russland einen hybriden Angriff auf sein Land vorgeworfen.",
     "Finnischer Ministerpräsident Orpo hat Russland einen hybriden Angriff", "Finnische Ministerpräsident"),
    ("Die israelischen Streitkräfte sind in einen Teil des Krankenhauses im Süden eingedrungen.",
     "Israelische Streitkräfte sind in einen Teil des Krankenhauses", "Israelischen Streitkräfte"),
    ("In Moskau ist der getötete russische Blogger mit dem Pseudonym Tatarski beigesetzt worden.",
     "Getöteter russischer Blogger mit dem Pseudonym Tatarski beigesetzt", "Getötete russische"),
    # a quantifier, and the adjectives after it, keep their endings
    ("Die beiden größten Gewerkschaften Italiens haben ihre Drohung am Freitag wahrgemacht.",
     "Beide größten Gewerkschaften Italiens haben ihre Drohung wahrgemacht", "Beiden größten"),
])
def test_a_run_without_room_for_the_clauses_article_gives_its_adjectives_their_own_endings(
        sentence: str, wanted: str, unwanted: str) -> None:
    """A title that left out the article that opens its clause kept the ending the adjective has after it:
    "Israelische Militär hat ...", "Finnische Ministerpräsident ...", where a headline writes "Israelisches
    Militär", "Finnischer Ministerpräsident"."""
    salient = {fold(w)[:6]: 1.0 for w in sentence.split() if w[:1].isupper() and len(w) > 4}
    found = _best(sentence, salient)
    assert wanted in found, found
    assert not any(p.startswith(unwanted) for p in found), found


def test_the_endings_an_adjective_takes_alone() -> None:
    assert strong_endings(["vergangenen", "Nacht"], "der") == ["vergangener", "Nacht"]
    assert strong_endings(["schweren", "Unglück,"], "dem") == ["schwerem", "Unglück,"]
    assert strong_endings(["Europäische", "Parlament"], "Das") == ["Europäisches", "Parlament"]
    assert strong_endings(["ehemaligen", "Präsidenten"], "des") == ["ehemaligen", "Präsidenten"]
    assert strong_endings(["ersten", "beiden", "Fälle"], "die") == ["erste", "beiden", "Fälle"]
