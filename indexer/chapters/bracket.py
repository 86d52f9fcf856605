"""The German verb bracket, as a headline cut from a sentence meets it.

A German main clause puts its finite verb second and what completes it last: a participle, an infinitive or a
separable particle ("Israel stimmt täglichen Feuerpausen im nördlichen Gazastreifen zu"). Between the two (the
middle field) stand the objects and the phrases of place, time and manner. A title that stops on a word in lower
case inside the bracket leaves out what its clause says, so that end costs a cut more (open_bracket); and where the
whole clause is longer than a title may be, prepositional phrases of the middle field may be left out, as a headline
leaves them, so that a run reaches the bracket's end: "Israel stimmt täglichen vierstündigen Feuerpausen zu"
(middle_phrases_left_out). Not in text that lost its capitals, where a noun cannot be told from a verb.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from indexer.chapters.variants import BREAK, MARKS, NOUNS_CAPITALISED, auxiliary
from indexer.text import stopwords
from indexer.text.normalize import fold, primary_language

VERB_BRACKET = {"de"}  # a finite verb opens a bracket that a participle or infinitive closes at the clause's end
VERB_ENDINGS = ("en", "rn", "ln", "t")  # German participles and infinitives: "entlassen", "verliehen", "getötet"
# finite verbs that a participle or infinitive follows, besides stopwords.auxiliaries' ("wollte ... bleiben")
MODALS = {"de": frozenset("will wollen wollte wollten darf dürfen durfte durften sollte sollten konnte konnten musste "
                          "mussten möchte möchten mag werde würde würden habe".split())}
# words that open a clause whose verbs come last ("Warum Russland weiter Gas nach Deutschland verkaufen will")
SUBORDINATE = {"de": frozenset("warum wann weshalb wieso wohin woher womit wodurch bis da sodass".split())}
# words that join a phrase to the noun before it inside a prepositional phrase: a genitive's article or
# possessive, "von" ("mit der entscheidenden Runde ihrer Koalitionsverhandlungen")
ATTACHED = {"de": frozenset("des der eines einer ihres ihrer seines seiner unseres unserer dieses dieser von vom"
                            .split())}
# the articles of the dative after "in": where something is, not where it goes ("in der Ukraine", not "in die Flucht")
WHERE = {"de": frozenset("dem der einem einer ihrem ihrer seinem seiner diesem dieser".split())}
COORDINATORS = {"de": frozenset("und oder sowie aber".split())}
# what opens a noun phrase besides the articles: possessives, demonstratives, numbers and quantifiers ("in ihrer
# Heimat", "im Rahmen eines Gefangenenaustausches fünf US-Staatsbürger freigelassen")
DETERMINERS = {"de": frozenset(
    "ihr ihre ihrer ihrem ihren ihres sein seine seiner seinem seinen seines unser unsere unserer unserem unseren "
    "dieser diese diesem diesen dieses kein keine zwei drei vier funf sechs sieben acht neun zehn elf zwolf zwanzig "
    "dreissig hundert hunderte tausend tausende mehrere viele einige zahlreiche alle beide".split())}
MOST_LEFT_OUT = 2  # at most this many phrases of one middle field are left out in one reading
# The articles that may open a verb's direct object, in languages that end a clause with its participle and write
# nouns with a capital, so that a lower-case last word is the participle or infinitive (German; not "dem", "der",
# "des": whom something was given to, or whose)
OBJECT_ARTICLES = {"de": frozenset("die das den ein eine einen".split())}
# the articles after which a German adjective's ending is not the one it takes alone ("das neue | Kabinett": "neues
# Kabinett"), and "die" before one in -en, a plural ("die israelischen Streitkräfte"); without "ein", "eine", "den" and
# a singular "die" the ending stays right ("geplantes Treffen", "ukrainische Hauptstadt")
WEAK_AFTER = frozenset("der das dem des".split())
WEAK_PLURAL = frozenset(["die"])
NAMED_ADJECTIVE = "e"  # a capitalised adjective's ending in a name ("das Europäische Parlament"; not "des
# Ex-Präsidenten Jair Bolsonaro", a noun)
# an adjective's ending after the article (WEAK_AFTER, WEAK_PLURAL), and the one it takes alone, as a headline writes
# it without the article: "der finnische" -> "Finnischer", "der israelischen Armee" -> "israelischer Armee", "das
# israelische" -> "Israelisches", "dem schweren" -> "schwerem", "die israelischen" -> "Israelische"; after "des"
# the two are one ("des ehemaligen" -> "ehemaligen")
STRONG = {"der": (("en", "er"), ("e", "er")), "das": (("e", "es"),), "dem": (("en", "em"),), "des": (),
          "die": (("en", "e"),)}


class _Clauses:
    """A German sentence's words as the bracket sees them: which are finite verbs, which clauses are subordinate."""

    def __init__(self, raw: Sequence[str], language: str | None) -> None:
        lang = primary_language(language) or ""
        self.raw, self.language = raw, language
        self.active = lang in VERB_BRACKET and any(w[:1].isupper() for w in raw[1:])
        self.folded = [fold(w.strip(MARKS)) for w in raw]
        modals = MODALS.get(lang, frozenset())
        self.finite = [auxiliary(w, language) or w.strip(MARKS).casefold() in modals for w in raw]
        self.subordinators = stopwords.scene_openers(language)[0] | SUBORDINATE.get(lang, frozenset())
        self.coordinators = COORDINATORS.get(lang, frozenset())
        self.attached = ATTACHED.get(lang, frozenset())
        self.prepositions = stopwords.prepositions(language)
        self.articles = stopwords.articles(language) | DETERMINERS.get(lang, frozenset())
        self.where = WHERE.get(lang, frozenset())

    def subordinate(self, first: int) -> bool:
        folded = self.folded
        return folded[first] in self.subordinators or (first > 0 and folded[first - 1] in self.subordinators
                                                        and not BREAK.search(self.raw[first - 1]))

    def lower(self, i: int) -> bool:
        return self.raw[i].strip(MARKS)[:1].islower()

    def upper(self, i: int) -> bool:
        return self.raw[i].strip(MARKS)[:1].isupper()

    def bracket(self, first: int, last: int, solid: Sequence[bool]) -> tuple[int, int] | None:
        """(the finite verb, the first word of what closes its bracket) of the main clause raw[first..last], where
        its first conjunct ends on that closing verb or particle ("hat ... Braverman entlassen | und ..."); None
        where it has no finite verb before its end (a subordinate clause ends on it), or its first conjunct ends on
        a noun. The finite verb is the clause's first auxiliary or modal, else its first word in lower case after a
        capitalised one."""
        if not self.active:
            return None
        verb = next((i for i in range(first + 1, last + 1) if self.finite[i]), None)
        if verb is None:
            verb = next((i for i in range(first + 1, last + 1) if solid[i] and self.lower(i) and self.upper(i - 1)),
                        None)
        if verb is None:
            return None
        close = None
        for k in range(verb + 1, last + 1):
            if k == last or self.folded[k + 1] in self.coordinators:
                close = k
                break
        if close is None or not self.lower(close):
            return None
        start = close
        while start - 1 > verb and self.lower(start - 1):  # the verbs that close it: "arbeiten dürfen"
            start -= 1
        return verb, start


def open_bracket(raw: Sequence[str], solid: Sequence[bool], clause_start: Sequence[int], language: str | None
                 ) -> list[bool]:
    """Per word of a German sentence, whether a run that ends on it in mid-clause leaves out what its clause says.
    A word in lower case (a verb, an adjective, an adverb: German writes its nouns with a capital) that does not
    close the verb bracket, being no participle or infinitive after the clause's finite auxiliary or modal, nor the
    verb at the end of a subordinate clause: "Der größte Eisberg der Welt ist erstmals | seit drei Jahrzehnten ..."
    and "Die Kampfpause im Krieg in Gaza gilt | für ..." stop there; "Premierminister Rishi Sunak hat
    Innenministerin Suella Braverman entlassen | und ..." and "Sie wollte nur kurz in Gaza bleiben | und ..." do
    not. Not in text that lost its capitals, where every word is in lower case."""
    opened = [False] * len(raw)
    clauses = _Clauses(raw, language)
    if not clauses.active:
        return opened
    for b in range(1, len(raw)):
        if not (solid[b] and clauses.lower(b)):
            continue
        first = clause_start[b]
        verbal = raw[b].strip(MARKS).endswith(VERB_ENDINGS)
        opened[b] = not (verbal and (clauses.subordinate(first) or any(clauses.finite[first:b])))
    return opened


def middle_phrases_left_out(reading: list[tuple[int, str]], solid: Sequence[bool], language: str | None
                            ) -> list[tuple[list[tuple[int, str]], int, int, int]]:
    """Readings of a German sentence without one or two prepositional phrases of a main clause's middle field
    (_phrases), each with the position in it of the first word after the first phrase left out, that of the
    clause's last word, and how many phrases it leaves out: a run taken from such a reading must span the gap and
    end with the clause, or it says nothing that the whole reading does not. "Aserbaidschan hat seine
    Militäroffensive in der Kaukasusregion Bergkarabach für beendet erklärt" reads "Aserbaidschan hat seine
    Militäroffensive für beendet erklärt"."""
    words = [w for _, w in reading]
    clauses = _Clauses(words, language)
    if not clauses.active:
        return []
    flags = [solid[i] for i, _ in reading]
    out = []
    first = 0
    while first < len(words):
        last = next((j for j in range(first, len(words)) if BREAK.search(words[j])), len(words) - 1)
        found = clauses.bracket(first, last, flags)
        if found:
            verb, close = found
            phrases = _phrases(clauses, verb + 1, close)
            for n in range(1, min(MOST_LEFT_OUT, len(phrases)) + 1):
                for chosen in combinations(phrases, n):
                    gone = {k for a, b in chosen for k in range(a, b + 1)}
                    if len(gone) < sum(b + 1 - a for a, b in chosen):  # a chain and a part of it
                        continue
                    kept = [iw for k, iw in enumerate(reading) if k not in gone]
                    # the first word after the first phrase, in the shorter reading
                    out.append((kept, chosen[0][0], last - len(gone), n))
        first = last + 1
    return out


def _phrases(clauses: _Clauses, start: int, end: int) -> list[tuple[int, int]]:
    """The prepositional phrases between words start and end (exclusive) that a headline may leave out. One is a
    preposition, words in lower case (its articles and adjectives), then its noun's capitalised words, with what
    attaches to the noun: a genitive, "von", or another prepositional phrase right after it ("an die Opfer des
    Angriffs der Hamas auf Israel", "in Lyon in Frankreich"); such a chain may also lose only the phrases after one
    of its prepositions, never its first phrase alone. It is left alone where the words after it would hang
    without it (a word in lower case other than an article: "mit den Rechten | leiblicher Väter"), and right
    before the bracket's end unless it says where, with "im" or "in" and a dative ("im Westjordanland
    durchgeführt", "in der Ukraine"): there it is mostly what the verb means ("auf die Straße gegangen", "in die
    Flucht geschlagen", "in greifbare Nähe gerückt", "ins All gebracht"). _may_leave says which."""
    out = []
    k = start
    while k < end:
        if clauses.folded[k] not in clauses.prepositions:
            k += 1
            continue
        # the prepositions inside the chain, each opening a phrase of its own, and with those the "von"s, which may
        # tell who did it ("von einer Frau geführt")
        last, links, heads = _chain(clauses, k, end)
        if last is None:
            k += 1
            continue
        # the chain whole, or without the phrases after one of its prepositions ("einen Bodenangriff auf Jenin | im
        # Westjordanland"); not without its first phrase alone, as a later one mostly tells of the first one's noun
        # ("nach tödlichem Angriff | auf UN-Schule", "in der Grenzregion | zu Belarus")
        for a in [k, *links]:
            if _may_leave(clauses, a == k, a, max(h for h in heads if h >= a), last, end):
                out.append((a, last))
        k = last + 1
    return out


def phrase_ends(raw: Sequence[str], language: str | None) -> list[int | None]:
    """Per word of a German sentence that stands inside a prepositional phrase, past its preposition ("nach |
    eigenen Angaben in der Nacht"), the last word of that phrase with what attaches to its noun (a genitive, "von",
    another prepositional phrase: `_chain`); None elsewhere. What follows such a phrase in a middle field may be the
    verb's object ("hat nach eigenen Angaben in der Nacht | 20 ukrainische Drohnen ... abgefangen"). Not in text
    that lost its capitals."""
    ends: list[int | None] = [None] * len(raw)
    clauses = _Clauses(raw, language)
    if not clauses.active:
        return ends
    first = 0
    while first < len(raw):
        stop = next((j for j in range(first, len(raw)) if BREAK.search(raw[j])), len(raw) - 1) + 1
        k = first
        while k < stop:
            last = _chain(clauses, k, stop, closing=False)[0] if clauses.folded[k] in clauses.prepositions else None
            if last is None:
                k += 1
                continue
            ends[k + 1:last + 1] = [last] * (last - k)
            k = last + 1
        first = stop
    return ends


def phrase_opening(raw: Sequence[str], ends: Sequence[int | None], i: int) -> int | None:
    """The preposition of the prepositional phrase (phrase_ends: `ends`) whose last word is word `i`, if one is."""
    if ends[i] != i or BREAK.search(raw[i]):
        return None
    k = i
    while k > 0 and ends[k - 1] == i:
        k -= 1
    return k - 1


def object_starts(raw: Sequence[str], folded: Sequence[str], solid: Sequence[bool], clause_start: Sequence[int],
                  clause_end: Sequence[int], ends: Sequence[int | None], language: str | None) -> list[bool]:
    """Per word, whether it opens a verb's object (past its article) after the finite auxiliary of a German clause
    that ends on its participle or infinitive: from there to the clause's end is a headline of what was done ("Die EU
    hat die | Entwicklungshilfe für die palästinensischen Gebiete freigegeben", "Russlands Armee hat ... wieder die
    | ukrainische Hauptstadt mit Iskander-Raketen angegriffen"). The article follows the auxiliary, an adverb (in
    lower case) or a prepositional phrase of the middle field (phrase_ends: `ends`), not a noun or a preposition (a
    genitive, a place); after such a phrase the object may also open with its noun or a number ("hat nach eigenen
    Angaben in der Nacht | 20 ukrainische Drohnen ... abgefangen")."""
    out = [False] * len(raw)
    articles = OBJECT_ARTICLES.get(primary_language(language) or "", frozenset())
    if not articles:
        return out
    for a in range(2, len(raw)):
        first, last = clause_start[a], raw[clause_end[a]].strip(MARKS)
        if not (solid[a] and last[:1].islower()) or auxiliary(last, language) or a == first:
            continue
        if folded[a - 1] in articles:
            before = raw[a - 2]
            if auxiliary(before, language) or (solid[a - 2] and before[:1].islower()):
                out[a] = any(auxiliary(w, language) for w in raw[first + 1:a - 1])
            elif (k := phrase_opening(raw, ends, a - 2)) is not None:
                out[a] = any(auxiliary(w, language) for w in raw[first + 1:k])
        elif raw[a][:1].isupper() or raw[a][:1].isdigit():
            k = phrase_opening(raw, ends, a - 1)
            out[a] = k is not None and any(auxiliary(w, language) for w in raw[first + 1:k])
    return out


def articles_kept(raw: Sequence[str], folded: Sequence[str], article: Sequence[bool], solid: Sequence[bool],
                  clause_start: Sequence[int], ends: Sequence[int | None], language: str | None) -> list[int]:
    """Per word of a German sentence, 1 where a title that starts on it keeps the article before it: the word is an
    adjective whose ending, after that article (WEAK_AFTER), is not the one it takes alone ("das | neue Kabinett",
    "das | Europäische Gesetz"), in lower case or, in a name, capitalised with an adjective's ending before a
    capitalised word; not at a clause's start (where a title may begin with the article itself) nor inside a
    prepositional phrase (phrase_ends: `ends`; "nach dem | schweren Unglück" opens no title); else 0."""
    out = [0] * len(raw)
    if primary_language(language) not in NOUNS_CAPITALISED:
        return out
    for a in range(1, len(raw) - 1):
        if a <= clause_start[a] or not article[a - 1] or not solid[a] or raw[a][:1].isdigit():
            continue
        if ends[a - 1] is not None or BREAK.search(raw[a]):
            continue
        word, before = raw[a].strip(MARKS), folded[a - 1]
        named = word[:1].isupper() and word.endswith(NAMED_ADJECTIVE) and raw[a + 1][:1].isupper()
        weak = before in WEAK_AFTER or (before in WEAK_PLURAL and word.endswith("en"))
        out[a] = int((word[:1].islower() or named) and weak)
    return out


def strong_endings(words: Sequence[str], article: str) -> list[str]:
    """The words of a run that opens on the adjectives after `article` (articles_kept), without it: each adjective
    before the noun with the ending it takes alone (STRONG); a quantifier and what follows it keep theirs ("die
    beiden größten" -> "Beide größten", "die ersten beiden" -> "Erste beiden")."""
    out = list(words)
    endings = STRONG.get(fold(article.strip(MARKS)), ())
    for k, word in enumerate(words[:-1]):
        bare = word.rstrip(MARKS)
        old, new = next(((o, n) for o, n in endings if bare.endswith(o)), ("", ""))
        if not old or BREAK.search(word) or not (bare[:1].islower() or k == 0):
            break
        out[k] = bare[:len(bare) - len(old)] + new + word[len(bare):]
        if _quantifier(out[k]) or _quantifier(words[k + 1]):
            break  # "Beide größten ...", "Erste beiden ..."
    return out


def _quantifier(word: str) -> bool:
    """Whether a German word is a quantifier with any ending ("beide", "beiden", "vielen")."""
    folded = fold(word.strip(MARKS))
    return folded in DETERMINERS["de"] or folded.removesuffix("n") in DETERMINERS["de"]


def _chain(clauses: _Clauses, k: int, end: int, closing: bool = True) -> tuple[int | None, list[int], list[int]]:
    """The prepositional phrase that word k opens, before word `end` (`closing`: what closes a verb bracket, _noun),
    with what attaches to its noun: its last word (None where it has no noun), the prepositions inside it that open
    a phrase of their own, and the prepositions and "von"s that head one of its phrases."""
    last = _noun(clauses, k + 1, end, closing)
    links: list[int] = []
    heads = [k]
    while last is not None and last + 1 < end and (clauses.folded[last + 1] in clauses.attached
                                                   or clauses.folded[last + 1] in clauses.prepositions):
        if clauses.folded[last + 1] in clauses.prepositions:
            heads.append(last + 1)
            links += [last + 1] * (clauses.folded[last + 1] not in clauses.attached)
        last = _noun(clauses, last + 2, end, closing)
    return last, links, heads


def _where(clauses: _Clauses, k: int) -> bool:
    """Whether the prepositional phrase at word k says where, with "im" or "in" and a dative ("in der Ukraine")."""
    return clauses.folded[k] == "im" or (clauses.folded[k] == "in" and clauses.folded[k + 1] in clauses.where)


def _may_leave(clauses: _Clauses, whole: bool, first: int, last_head: int, last: int, end: int) -> bool:
    """Whether the prepositional phrases words first..last, the last of them opened at word `last_head`, may be
    left out of a middle field that ends before word `end` (_phrases): not where a word in lower case after them
    would hang; right before the end, only where the phrase that tells of the verb says where, as what stands
    right before the verb is mostly what it means: of a chain `whole`, its first ("offen | für eine Wiederaufnahme
    ... gezeigt"), of a chain's later phrases, the last ("gegen Antisemitismus | auf die Straße gegangen", "zum
    ersten Mal in ihrer Geschichte | von einer Frau geführt")."""
    after = last + 1
    if after < end:
        return not (clauses.lower(after) and clauses.folded[after] not in clauses.articles
                    and clauses.folded[after] not in clauses.prepositions)
    return _where(clauses, first if whole else last_head)


def _noun(clauses: _Clauses, j: int, end: int, closing: bool = True) -> int | None:
    """The last word of the capitalised noun that words in lower case from j lead to, before `end`; None where
    there is none, or (where `end` is what closes a verb bracket) where it is two capitalised words or more right
    before `end`."""
    while j < end and not clauses.upper(j):
        j += 1
    if j >= end:
        return None
    last = j
    while last + 1 < end and clauses.upper(last + 1):
        last += 1
    if closing and last > j and last + 1 == end:
        return None
    return last
