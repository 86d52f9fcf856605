"""A sentence read the way a headline writes it, in languages whose headlines leave out the small words of a
clause: English "Russia and Ukraine have carried out the largest prisoner exchange" (9 words) reads "Russia and
Ukraine carried out largest prisoner exchange", "The EU is calling for a global alliance against migrant
trafficking" reads "EU calling for global alliance against migrant trafficking". indexer.chapters.phrases scores
the runs of this reading beside the sentence's own, at a cost, so it titles a chapter only where the words as said
would have to be cut (a title is at most 8 words). Each word keeps its index in the sentence, as variants' readings
do.

English has a table. German headlines leave out only articles, and only those of what a verb governs ("Israel wirft
der Hamas einen Bruch der Vereinbarung vor", 9 words, reads "Israel wirft Hamas einen Bruch der Vereinbarung vor"):
a German or Dutch clause without its auxiliary loses the verb bracket that tells its parts apart. French, Spanish,
Italian and Portuguese headlines keep their articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from indexer.chapters.variants import BREAK, MARKS, auxiliary
from indexer.text import stopwords
from indexer.text.normalize import fold, primary_language


@dataclass(frozen=True)
class Style:
    articles: frozenset[str]  # left out: in mid-clause where written in lower case, and where one opens a clause
    # before a word in lower case ("The | oldest bakery", not "The Hague")
    keeps_article: frozenset[str]  # words after which an article is part of a measure: "twice a week", "such a"
    article_before: frozenset[str]  # ... and before which: "a quarter of a billion", "in the end", "on the rise"
    subordinators: frozenset[str]  # after one, the rest of the clause is left as said: "a plane that had been
    # grounded" is no "plane that grounded", "warned that the situation has become" no "situation become"
    modals: frozenset[str]  # an auxiliary after one stays: "was reported to have refused", "may have been", and
    # after a pronoun: "There are troubled times ahead", "It is expected"
    pronouns: frozenset[str]  # and no headline of this style opens with one: "They call four-kilometer road ..."
    perfect: frozenset[str]  # auxiliaries left out before a participle: "has | died"
    progressive: frozenset[str]  # ... and before a participle or a form in -ing: "is | calling", "were | killed"
    passive: frozenset[str]  # a second auxiliary left out with the first: "has been | arrested", "are being | held"
    participles: frozenset[str]  # past participles that do not end in -ed
    participle_endings: tuple[str, ...]
    progressive_ending: str
    nouns_capitalised: bool = False  # only articles before a noun or a name that a verb governs go (_governed)


STYLES = {
    "en": Style(
        articles=frozenset("the a an".split()),
        keeps_article=frozenset("once twice times such what half quite many per".split()),
        article_before=frozenset("""quarter third half dozen hundred thousand million billion trillion few lot couple
            bit end rise move way run moment past future same""".split()),
        subordinators=frozenset("that which who whom whose where when while if because although though unless "
                                "whether".split()),  # not "after", "since": as often a preposition
        modals=frozenset("""to will would could should may might must can cannot there here it this that these those
            what i you he she we they""".split()),
        pronouns=frozenset("""there here it this that these those i you he she we they it's that's there's they're
            they've we're we've""".split()),
        perfect=frozenset("has have had".split()),
        progressive=frozenset("is are was were".split()),
        passive=frozenset("been being".split()),
        # not those written as the verb itself ("has become", "has put"): without "has" they read as the present
        participles=frozenset("""done made taken given seen known shown found said told held won lost left sent built
            brought bought caught fought thought kept met paid begun gone grown thrown flown drawn driven written
            spoken broken chosen frozen stolen risen fallen beaten eaten forgotten hidden ridden shaken sworn torn worn
            born struck stuck hung led fled spent lent heard sold laid slain sunk withdrawn overtaken undertaken
            forbidden forgiven overseen overthrown shot understood upheld withheld""".split()),
        participle_endings=("ed",),
        progressive_ending="ing",
    ),
    "de": Style(
        articles=frozenset("der die das den dem des ein eine einen einem einer eines".split()),
        keeps_article=frozenset(), article_before=frozenset(), subordinators=frozenset(), modals=frozenset(),
        pronouns=frozenset("ich du er sie es wir ihr man".split()),
        perfect=frozenset(), progressive=frozenset(), passive=frozenset(), participles=frozenset(),
        participle_endings=(), progressive_ending="", nouns_capitalised=True,
    ),
}


def headline_style(reading: list[tuple[int, str]], language: str | None) -> list[tuple[int, str]]:
    """`reading` (a sentence's words with their indices) without the articles and auxiliaries that the language's
    headlines leave out (STYLES); `reading` itself where the language has no style or nothing is left out. A word
    that ends its clause stays, and so does anything before a negation ("has not been", "wasn't")."""
    style = STYLES.get(primary_language(language) or "")
    if style is None:
        return reading
    words = [w for _, w in reading]
    bare = [w.strip(MARKS) for w in words]
    low = [b.casefold() for b in bare]
    if style.nouns_capitalised:
        governed = _governed(words, bare, low, style, language) if words else set()
        return [iw for j, iw in enumerate(reading) if j not in governed] if governed else reading
    drop: set[int] = set()
    subordinate = False
    for k in range(len(words) - 1):
        if k and BREAK.search(words[k - 1]):
            subordinate = False
        subordinate = subordinate or low[k] in style.subordinators
        if subordinate or BREAK.search(words[k]) or bare[k] != words[k]:
            continue  # in a subordinate clause, at a clause's end, or a quote or bracket opens or closes on it
        after = low[k + 1]
        if low[k] in style.articles and (k == 0 or BREAK.search(words[k - 1])):
            if bare[k + 1][:1].islower() and after not in style.article_before:
                drop.add(k)  # "The | oldest bakery ...", not "The Hague"
        elif low[k] in style.articles and bare[k].islower():
            if (low[k - 1] not in style.keeps_article and after not in style.article_before
                    and not any(ch.isdigit() for ch in bare[k - 1])):
                drop.add(k)
        elif low[k] in style.perfect | style.progressive and not (k and low[k - 1] in style.modals):
            nxt = k + 1
            if after in style.passive and k + 2 < len(words) and not BREAK.search(words[k + 1]):
                nxt = k + 2  # "has been | arrested", "are being | held"
            verb = low[nxt]
            participle = verb in style.participles or verb.endswith(style.participle_endings)
            ing = low[k] in style.progressive and verb.endswith(style.progressive_ending)
            if (participle or ing) and len(verb) > 3:
                drop.update(range(k, nxt))
    return [iw for j, iw in enumerate(reading) if j not in drop] if drop else reading


# German prepositions that a phrase rarely opens with, besides those that do (stopwords.prepositions)
_PREPOSITIONS_AFTER = frozenset(
    "gegenuber nahe bis statt anstatt samt seitens zufolge jenseits oberhalb unterhalb".split())


@lru_cache(maxsize=16)
def _kept_after(language: str | None) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """_governed's word lists for a language, made once: the words that open a fronted phrase or a subordinate
    clause, the words after which an article stays, and the function and news words a sentence may open with."""
    fronting = stopwords.prepositions(language) | stopwords.scene_openers(language)[0]
    keep = (fronting | stopwords.coordinators(language) | stopwords.relatives(language)
            | stopwords.genitives(language) | stopwords.articles(language) | _PREPOSITIONS_AFTER)
    said = stopwords.stop_words(language) | stopwords.openers(language) | stopwords.news_words(language)
    return fronting, keep, said


def _governed(words: list[str], bare: list[str], low: list[str], style: Style, language: str | None) -> set[int]:
    """The articles a German headline leaves out: before a capitalised noun or name, where the sentence opens on it
    ("Die | Zulassung von Glyphosat") or a verb governs it ("Polen verhängt den | Ausnahmezustand", "wirft der |
    Hamas", right after the subject). One after a preposition, a noun, a conjunction or an auxiliary stays ("in der
    Europäischen Union", "Bruch der Vereinbarung", "hat den Notstand erklärt", "bei kaum einem Turnier"), and so
    does one before an adjective, whose ending says the case ("Der größte Eisberg"), and every one in a clause after
    a comma (a relative pronoun is written as an article) or a subordinate one."""
    fronting, keep, said = _kept_after(language)
    # a clause that opens with a phrase or an adverb puts its subject after the verb ("Im Skandal um Wirecard sieht
    # die | Opposition", "Nun drohen die | Silos"): a headline keeps that subject's article
    first = fold(bare[0])
    inverted = first in fronting or (first in said and first not in style.articles)
    drop: set[int] = set()
    clause_start = 0
    for k in range(len(words) - 1):
        if k and BREAK.search(words[k - 1]):
            clause_start = k
        if (low[k] not in style.articles or bare[k] != words[k] or BREAK.search(words[k])
                or not bare[k + 1][:1].isupper() or bare[k + 1] != words[k + 1].rstrip(",.;:!?")):
            continue
        if k == 0:
            drop.add(k)
        elif (clause_start == 0 and not inverted and bare[k - 1] == words[k - 1] and bare[k - 1][:1].islower()
              and fold(bare[k - 1]) not in keep and not auxiliary(words[k - 1], language)
              and (k == 1 or bare[k - 2][:1].isupper())):
            drop.add(k)  # the verb right after its subject: "Polen verhängt den | Ausnahmezustand"
    return drop


def opens_with_pronoun(text: str, language: str | None) -> bool:
    """Whether a title opens with a pronoun that the language's headline style does not start with (STYLES)."""
    style = STYLES.get(primary_language(language) or "")
    first = text.split(maxsplit=1)[0].strip(MARKS).replace("’", "'").casefold() if text.strip() else ""
    return style is not None and first in style.pronouns


def written_from(title: str, text: str, language: str | None) -> tuple[int, int] | None:
    """Where in `text` (the first and the last word's places among its words) a title's words stand as a run, or
    as a run with only words that the language's headline style leaves out taken from it ("Three children
    hospitalised after knife attack" from "Three children have been hospitalised after a knife attack"); None
    where they do not. Case, quotes and punctuation around words do not count."""
    style = STYLES.get(primary_language(language) or "")
    small = (style.articles | style.perfect | style.progressive | style.passive) if style else frozenset()
    want = [_bare(w) for w in title.split() if _bare(w)]
    said = [_bare(w) for w in text.split()]
    for at in range(len(said)):
        k, j = 0, at
        while k < len(want) and j < len(said):
            if said[j] == want[k]:
                k += 1
            elif k == 0 or said[j] not in small:
                break
            j += 1
        if want and k == len(want):
            return at, j - 1
    return None


EDGE = " ,;:.!?…—–-'’\"“”„«»()[]{}¿¡"  # the marks around a written word that a title's match passes over


def _bare(word: str) -> str:
    return word.strip(EDGE).replace("’", "'").casefold()
