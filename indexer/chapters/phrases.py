"""Headline phrases: the runs of a sentence's own words that could title its chapter, scored by the chapter's
salient words and by where they cut the sentence (indexer.chapters.titles chooses among them).

A run keeps what its clause says: it starts where the clause starts (past its conjunctions) or pays for leaving a
subject behind, ends on a function word only where the clause does, stops before a noun's "of" only where it cannot
go on past that noun, never starts after or stops before a negation, and a question keeps its mark. An English
clause is read in a headline's style as well (headlinese), at a cost. Scripts written without spaces are cut into a
clause's characters instead (spaceless).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from indexer.chapters.bracket import (
    articles_kept,
    middle_phrases_left_out,
    object_starts,
    open_bracket,
    phrase_ends,
    strong_endings,
)
from indexer.chapters.casing import upper_first
from indexer.chapters.headlinese import headline_style, opens_with_pronoun
from indexer.chapters.reading import LETTER, read
from indexer.chapters.reported import attributed, reported_clauses
from indexer.chapters.spaceless import clause_runs
from indexer.chapters.variants import (
    BREAK,
    INNER_STOP,
    MARKS,
    NOUNS_CAPITALISED,
    OPENING_MARKS,
    V2_LANGUAGES,
    asides_left_out,
    auxiliary,
    governs,
    inner_stops,
    named_subjects,
    opens_predicate,
    reads_as_name,
    relative_end,
    relatives_left_out,
    times_left_out,
)
from indexer.text import stopwords
from indexer.text.normalize import Token, fold, no_spaces, pieces, primary_language
from indexer.text.ordinals import month
from indexer.text.polarity import negations

_QUOTES = str.maketrans("", "", "\"“”„«»‹›()[]{}")
CUT = 1.0  # a headline's cost for each end that cuts a run of content words
NAMED = 5  # salient words a headline gets credit for: past that, a longer run only reads longer


@dataclass(frozen=True)
class Phrase:
    score: float
    text: str


def headline_phrases(sentence: str, language: str | None, weights: dict[str, float], stop: set[str],
                     key: Callable[[Token], str], shortest: int = 3, longest: int = 8) -> list[Phrase]:
    """The word runs of one sentence that could title its chapter, best first.

    A run is `shortest`..`longest` words as written, inside one clause (it crosses no comma, colon or full stop,
    but a name set off by commas may join its predicate: named_subjects, asides_left_out);
    it scores the `weights` of the best `NAMED` distinct keys it holds (the chapter's salient words), less a little
    per word and more for each end that cuts its clause, so a whole clause that names the story's who and what in
    few words wins (_Words says what each end costs). A run never ends on a function word unless its clause does,
    never stops just before a negation nor starts just after one ("Não | podemos fazer nada" says the opposite), and
    a question keeps its question mark.
    Scripts written without spaces have no words to cut at: their runs are a clause's characters (spaceless).
    """
    if no_spaces(sentence):
        return [Phrase(score, text) for score, text in clause_runs(sentence, language, weights, key, CUT, NAMED)]
    raw = inner_stops(sentence.split(), language)
    owner: list[int] = []  # written piece -> whitespace word
    for i, w in enumerate(raw):
        owner += [i] * sum(1 for p in pieces(w) if LETTER.search(p))
    toks = read([sentence], language).sentences[0]
    if not toks or any(no_spaces(t.text) for t in toks) or len(owner) <= max(t.last for t in toks):
        return []
    keys: list[set[str]] = [set() for _ in raw]
    content_word = [False] * len(raw)
    for t in toks:
        if t.text not in stop:
            if not month(t.text, language):  # a date's month tells no story: "Den 21. Oktober" scores nothing
                keys[owner[t.first]].add(key(t))
            content_word[owner[t.first]] = True
    best: dict[str, float] = {}
    # the same words, read as well with a name joined to its predicate, or to it past an aside
    named = named_subjects(raw, language)
    readings = [list(enumerate(raw))] + ([list(enumerate(named))] if named != raw else [])
    readings += asides_left_out(named, language) + relatives_left_out(named, language)
    readings += [short for r in readings if (short := times_left_out(r, language)) != r]
    # and German main clauses without phrases of their middle field, for runs that reach the verb bracket's end
    shorter: list[tuple[list[tuple[int, str]], tuple[int, int] | None, float]]
    shorter = [(r, (gap, last), LEFT_OUT * n) for reading in readings
               for r, gap, last, n in middle_phrases_left_out(reading, content_word, language)]
    # and as the language's headlines write it, for a clause that would have to be cut (headlinese)
    shorter += [(styled, None, STYLED) for r in readings if (styled := headline_style(r, language)) != r]
    for reading, span, cost in [(r, None, 0.0) for r in readings] + shorter:
        at = [i for i, _ in reading]
        words = _Words([w for _, w in reading], [content_word[i] for i in at], language, styled=cost == STYLED)
        for phrase in _runs(words, [keys[i] for i in at], weights, shortest, longest, span):
            score = phrase.score - cost
            best[phrase.text] = max(score, best.get(phrase.text, score))
    return sorted((Phrase(score, text) for text, score in best.items()), key=lambda p: -p.score)


def _runs(words: _Words, keys: Sequence[set[str]], weights: dict[str, float], shortest: int,
          longest: int, span: tuple[int, int] | None = None) -> list[Phrase]:
    """Every run of `words` that headline_phrases allows, scored; with a `span` (gap, last), only those that start
    before word `gap` and end on word `last`."""
    raw, language = words.raw, words.language
    out = []
    for a in range(len(raw) if span is None else span[0]):
        start_cost = words.start_cost(a)
        if start_cost is None:
            continue
        governed = governs(raw, a, language)
        ends: list[tuple[int, float, Phrase]] = []
        said = words.said_from[a]  # what was said, from its start, keeps who said it: "Qatar: a four-day ..."
        name = words.reporters[said] if said is not None and not any(words.solid[said:a]) else range(0)
        seen: set[str] = set().union(*(keys[k] for k in name))
        for b in range(a, min(len(raw), a + longest - len(name))):
            seen |= keys[b]
            end_cost = words.end_cost(b) if span is None or b == span[1] else None
            if b + 1 - a >= min(shortest, len(raw)) and end_cost is not None:
                score = sum(sorted((weights.get(k, 0.0) for k in seen), reverse=True)[:NAMED]) - 0.05 * (
                    b + 1 - a + len(name))
                # the object and its participle, to the clause's end: what was done
                start = min(start_cost, SKIP) if words.object_start[a] and b == words.clause_end[b] else start_cost
                # the preposition comes along, as a part of the word it governs (a ninth word at most)
                # a German adjective keeps its article, whose case its ending follows ("das | neue Kabinett"), where
                # the run has room for it: without it, it still says what happened ("Aktuelle Vizepräsident ...")
                carried = words.article_kept[a] * (b + 2 - a <= longest)
                run = raw[a - max(governed, carried): b + 1]
                if words.article_kept[a] and not (governed or carried):  # no room: "Israelisches Militär hat ..."
                    run = strong_endings(run, raw[a - 1])
                text = _clean(run, language)
                if name:
                    text = attributed([raw[k] for k in name], text, run[0].lstrip(OPENING_MARKS), language)
                ends.append((b, end_cost, Phrase(score - start - end_cost, text + "?" * words.asks(b))))
            if BREAK.search(raw[b]):
                break
        out += _carried_on(ends, words)
    return out


def _carried_on(ends: list[tuple[int, float, Phrase]], words: _Words) -> list[Phrase]:
    """The runs from one start (their last word, end cost and phrase); one that stops before a preposition joining a
    noun to the one before ("Dos heridos tras la explosión | de un arsenal") costs a full cut where a run from the
    same start goes on past that noun to an easy end (the clause's, or before a function word of another kind)."""
    out = []
    for i, (b, cost, phrase) in enumerate(ends):
        if words.genitive[b + 1] and not BREAK.search(words.raw[b]) and any(
                c <= CUT * BEFORE_FUNCTION and not words.genitive[e + 1] for e, c, _ in ends[i + 1:]):
            phrase = replace(phrase, score=phrase.score - (CUT - cost))
        out.append(phrase)
    return out


PEOPLES_CAPITALISED = {"en", "nl"}  # "the Russian army", "de Russische president": an adjective that reads as a name


SKIP = 0.3  # a run's cost for leaving out the articles and news words opening its clause ("The | mayor opened ...")
LEFT_OUT = 0.3  # and for each phrase of a German middle field it leaves out (bracket.middle_phrases_left_out)
STYLED = 0.3  # and for leaving out the articles and auxiliaries that the language's headlines do (headlinese)
BEFORE_FUNCTION = 0.3  # a cut's cost, as a share of CUT, where the clause goes on with a function word (no article)
COMMA = 0.2  # a run's cost for each end at a comma (_Words._after_comma)
AFTER_FUNCTION = 1.0  # a start in mid-clause, as a share of CUT, after a function word ("into | southern Gaza")
FRAME = 1.0  # a run's cost inside a clause that sets the scene for another (_Words._frames): where, when, why
SUBJECT = 1.5  # and after a content word: what a clause says first is mostly its subject ("river | rose two metres")


class _Words:
    """The words of one sentence as a headline's ends see them: clauses, content words, numbers, negations."""

    def __init__(self, raw: Sequence[str], content_word: Sequence[bool], language: str | None,
                 styled: bool = False) -> None:
        self.raw, self.language = raw, language
        self.styled = styled  # read in a headline's style (headlinese): no run opens with a pronoun ("They call
        # four-kilometer road ...") nor stops before a conjunction ("after close | and bitter race")
        # a number carries a phrase on ("la 7e fois", "5 piani") though it is no title word
        self.solid = [c or any(ch.isdigit() for ch in w) for c, w in zip(content_word, raw)]
        self.negation = [negations([w], language) > 0 for w in raw] + [False]
        self.ordinal = [w[:-1].isdigit() and w[-1] == INNER_STOP for w in raw]  # variants.inner_stops
        article = stopwords.articles(language)  # "l'armée" opens with one too
        folded = [fold(w.strip(OPENING_MARKS)) for w in raw]
        self.article = [f.split("'")[0] in article for f in folded]
        opens = stopwords.determiners(language)  # "its", "at least": a noun phrase follows, as after an article
        self.determiner = [f in opens or f"{f} {g}" in opens for f, g in zip(folded, [*folded[1:], ""])] + [False]
        genitive = stopwords.genitives(language)
        self.genitive = [f.split("'")[0] in genitive for f in folded] + [False]
        # what a clause may open with and a headline leave out: articles, and the news words of the stop list
        # (a day, "yesterday"), not a preposition, an auxiliary or a pronoun ("In | Frankreich sind ...")
        news = stopwords.news_words(language)
        self.light = [a or f in news for a, f in zip(self.article, folded)]
        # a clause starts past the conjunctions that open it ("Mais | surtout les risques", "Und | nun ...")
        opener = stopwords.openers(language)
        joins = stopwords.coordinators(language)
        bare = [w.strip(MARKS).casefold() for w in raw]
        self.joins = [b in joins and not BREAK.search(w) for b, w in zip(bare, raw)]
        # a clause that stops on a conjunction ("after 14 seasons and, according to ...") or, where a main clause's
        # verb does not come last, on a finite auxiliary ("Russia's war in Ukraine is, as expected, ...") goes on
        # past the comma: no run ends there (a German or Dutch clause ends on its auxiliary: "..., die die Hamas als
        # Geisel gehalten hatte")
        verb_last = primary_language(language) in V2_LANGUAGES
        self.hangs = [b in joins or (not verb_last and auxiliary(b, language)) for b in bare]
        self.clause_start: list[int] = []
        for i in range(len(raw)):
            first = i if i == 0 or BREAK.search(raw[i - 1]) else self.clause_start[-1]
            if first == i - 1 and self._opens(raw[i - 1], opener) and not BREAK.search(raw[i - 1]):
                first = i
            self.clause_start.append(first)
        self.clause_end = [0] * len(raw)
        last = len(raw) - 1
        for i in reversed(range(len(raw))):
            if BREAK.search(raw[i]):
                last = i
            self.clause_end[i] = last
        self.said_from, self.before_said, self.reporters = reported_clauses(raw, self.clause_end, language)
        self.frame = self._frames(folded, opener, language)
        self.after_verb = self._after_verb(folded, language)
        self.named = self._named_after_role(folded, language)
        self.open_bracket = open_bracket(raw, self.solid, self.clause_start, language)
        self.phrase_end = phrase_ends(raw, language)
        self.object_start = object_starts(raw, folded, self.solid, self.clause_start, self.clause_end,
                                          self.phrase_end, language)
        self.article_kept = articles_kept(raw, folded, self.article, self.solid, self.clause_start, self.phrase_end,
                                          language)

    def _frames(self, folded: Sequence[str], opener: frozenset[str], language: str | None) -> list[bool]:
        """Per word, whether its clause sets the scene for another clause of the sentence rather than telling the
        story: it opens with a subordinator ("..., alors qu'une manifestation avait été interdite"), or with a
        preposition and holds no auxiliary ("Selon l'OMS, ...", but "En Italia ha comenzado el juicio ..., en el que
        ..."), or it is a relative clause after a clause of 3 words or more (variants.relative_end; in
        "Haftschicksale, die ... erzählt werden" it is the story). A sentence of one clause has no frame
        (stopwords.scene_openers)."""
        raw = self.raw
        frame = [False] * len(raw)
        if not any(BREAK.search(w) for w in raw[:-1]):
            return frame
        subordinator, preposition = stopwords.scene_openers(language)
        starts = [i for i in range(len(raw)) if i == 0 or BREAK.search(raw[i - 1])]
        for i in starts:
            end = self.clause_end[i]
            first = folded[i].split("'")[0]
            second = folded[i + 1].split("'")[0] if i < end else ""
            scene = (first in subordinator or (first in opener and second in subordinator)
                     or (first in preposition
                         and not any(auxiliary(w, language) for w in raw[i:end + 1]))
                     or (relative_end(raw, i, language) is not None and i - self.clause_start[i - 1] >= 3))
            scene = scene and not (i < end and self.said_from[i + 1] == i + 1)  # "..., dass": what was said
            frame[i:end + 1] = [scene] * (end + 1 - i)
        return frame

    def _after_verb(self, folded: Sequence[str], language: str | None) -> list[bool]:
        """Per word, whether it follows the finite auxiliary (and articles) of a German or Dutch clause that opens
        with a prepositional phrase: those languages put the verb second, so the subject comes right after it and
        opens what the clause tells ("In Ungarn hat die | Regierung eine Fragebogenaktion gestartet")."""
        raw = self.raw
        out = [False] * len(raw)
        if primary_language(language) not in V2_LANGUAGES:
            return out
        fronting = stopwords.prepositions(language)
        for i in range(1, len(raw)):
            j = i - 1
            while j > 0 and self.article[j] and not BREAK.search(raw[j - 1]):
                j -= 1
            first = self.clause_start[i]
            out[i] = auxiliary(raw[j], language) and j > first and folded[first] in fronting
        return out

    def _named_after_role(self, folded: Sequence[str], language: str | None) -> list[bool]:
        """Per word, whether it opens a name that follows its role at the start of its clause and is followed by
        its predicate: "Le Premier ministre britannique | Rishi Sunak a limogé ...", "L'ex presidente americano |
        Donald Trump potrebbe annunciare ...". A headline names the person and leaves the role out, which leaves
        room for what the person did. The role is the clause's words before the name: an article first, then
        articles and content words, the last in lower case. A function word of another kind says the clause holds
        more than a role: an auxiliary (it went on past its subject), or a preposition ("Les propos du secrétaire
        général de l'ONU | Antonio Guterres ont ...": the name is not the subject). Only in languages with
        articles that write nouns and a people's adjectives in lower case: in German every noun looks like a name,
        in English "The annual | Muslim pilgrimage" would read as one, and without articles a clause's start says
        nothing of where a role begins."""
        raw = self.raw
        out = [False] * len(raw)
        if not stopwords.articles(language) or primary_language(language) in NOUNS_CAPITALISED | PEOPLES_CAPITALISED:
            return out
        for a in range(1, len(raw) - 1):
            first = self.clause_start[a]
            if a == first or not raw[a][:1].isupper() or not self.article[first] or not self.solid[a - 1]:
                continue
            before = re.split(r"['’]", raw[a - 1].strip(OPENING_MARKS))[-1]  # "d'Antonio" is no role word
            if not (before[:1].islower() and len(before) > 3):
                continue
            if not all(self.solid[k] or self.article[k] for k in range(first, a)):
                continue
            out[a] = any(self._name_then_predicate(a, e, language) for e in range(a, min(len(raw) - 1, a + 5)))
        return out

    def _name_then_predicate(self, a: int, e: int, language: str | None) -> bool:
        """Whether raw[a..e] is a name within one clause and its predicate opens right after it (not a particle
        of a longer name: "Ursula | von der Leyen")."""
        raw = self.raw
        if any(BREAK.search(w) for w in raw[a:e + 1]) or not reads_as_name(raw[a:e + 1]):
            return False
        after = raw[e + 1]
        particle = len(after) <= 3 and e + 2 < len(raw) and raw[e + 2][:1].isupper()
        return opens_predicate(after, language) and not particle

    @staticmethod
    def _opens(word: str, opener: frozenset[str]) -> bool:
        return fold(word.strip(OPENING_MARKS)) in opener  # "¿qué" asks: it is no "que"

    def start_cost(self, a: int) -> float | None:
        """What starting at word `a` costs (_start_cost), and FRAME more inside a clause that sets the scene."""
        cost = self._start_cost(a)
        return None if cost is None else cost + FRAME * self.frame[a]

    def _start_cost(self, a: int) -> float | None:
        """What starting at word `a` costs: nothing at its clause's start (past its conjunctions), SKIP after the
        clause's opening function words or at the subject after a German or Dutch verb that follows a fronted phrase
        (_after_verb), a cut inside it elsewhere (a subject left behind: more after a content word); None
        where a run cannot start (a conjunction opening the clause, a function word in mid-clause, just after a
        negation, an ordinal number, or a conjunction that joins two names opening the clause: "Israel und |
        Hamas planen ...")."""
        first = max(self.clause_start[a], self.said_from[a] or 0)  # what was said opens a clause of its own
        if a < len(self.raw) - 1 and self.clause_start[a + 1] == a + 1 and not BREAK.search(self.raw[a]):
            return None  # a conjunction that opens the clause
        if self.styled and opens_with_pronoun(self.raw[a], self.language):
            return None
        if a == first:
            return self._after_comma(a - 1)
        if not self.solid[a] or self.negation[a - 1] or self.ordinal[a - 1] or not (
                LETTER.search(self.raw[a]) or self.object_start[a]):  # "... in der Nacht | 20 Drohnen abgefangen"
            return None
        j = a - 1
        while j > first and self.article[j]:
            j -= 1  # "La Francia e la | Germania hanno ..."
        if self.joins[j] and self._one_word_opens(first, j - 1):
            return None  # the second of two names that open the clause: "Russia and | Ukraine have ..."
        if not any(self.solid[first:a]):  # past light words a headline's style; past a preposition, its sense
            return SKIP if all(self.light[first:a]) else CUT * AFTER_FUNCTION
        if self.after_verb[a] or self.named[a]:
            return SKIP
        return CUT * (SUBJECT if self.solid[a - 1] else AFTER_FUNCTION)

    def _one_word_opens(self, first: int, i: int) -> bool:
        """Whether word `i` alone, past an article, opens its clause and is capitalised: the first of two joined
        names ("Israel und", "Die USA und"), not a role that goes on to one ("Der russische Journalist und
        Friedensnobelpreisträger Muratov")."""
        return i >= first and self.solid[i] and self.raw[i][:1].isupper() and all(
            self.article[k] for k in range(first, i))

    def end_cost(self, b: int) -> float | None:
        """What ending at word `b` costs: nothing at its clause's end, else a cut (less where a function word other
        than an article or a determiner opens what is left: "opened the bridge | in June", not "a reçu | le prix"
        nor "has launched | its largest drone attack"); None where a run cannot end there (on a function word, a
        determiner, an ordinal number or a word's first half written with a hyphen, or before a negation)."""
        said = CUT * self.before_said[b]  # a run that stops at "has announced | that ..." leaves out what was said
        if b == self.clause_end[b]:
            return None if self.hangs[b] else self._after_comma(b) + said
        if (not self.solid[b] or self.determiner[b] or self.negation[b + 1] or self.ordinal[b]
                or self.raw[b].endswith("-")):
            return None  # an ordinal ("am 8. | Spieltag"), "almeno | 300", the first half of "Metall- und ..."
        if self.styled and self.joins[b + 1]:
            return None
        opens_noun = self.solid[b + 1] or self.article[b + 1] or self.determiner[b + 1]
        return (CUT if opens_noun else CUT * BEFORE_FUNCTION) + CUT * self.open_bracket[b] + said

    def _after_comma(self, i: int) -> float:
        """COMMA where word `i` ends with a comma inside the sentence: a clause begun or ended at a comma may be a
        list's last items or an aside ("Louise Bruce et Alexei Ekimov", "máxima autoridad de la Iglesia")."""
        return COMMA if 0 <= i < len(self.raw) - 1 and self.raw[i].endswith((",", "，", "،")) else 0.0

    def asks(self, b: int) -> bool:
        """Whether a run ending at word `b` ends a question (its mark is kept: a question made a statement lies)."""
        return self.raw[b].rstrip("\"”»’)").endswith(("?", "？"))


def _clean(words: Sequence[str], language: str | None) -> str:
    text = " ".join(w.translate(_QUOTES) for w in words).replace(INNER_STOP, ".").strip(" ,;:.!?…—–-'’")
    return upper_first(" ".join(text.split()), language)  # Turkish "izmir ..." opens "İzmir", not "Izmir"
