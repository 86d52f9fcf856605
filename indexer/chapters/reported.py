"""What was said, as a title reads it, with who said it: the clause that a speech or report verb's "that" opens is
the story, and the one who said it stays in the title as a wire headline keeps a source, before a colon. "Washington
affirme que le Hamas utilise l'hôpital Al-Shifa à Gaza" gives "Washington : le Hamas utilise l'hôpital Al-Shifa à
Gaza", and "The Russian Defense Ministry has reported that at least 32 Ukrainian drones were shot down" gives
"Russian Defense Ministry: at least 32 Ukrainian drones shot down", where a run that stopped at the verb said
nothing ("The Russian Defense Ministry has reported") and one that dropped the source stated a claim as a fact. Only
where who said it is a name (one to three capitalised words right before the verb): "Le président du Conseil
européen estime que ..." is read as before. German and Russian write a comma before "that" ("Die Hafenbehörde teilte
mit, dass | ..."), where that clause used to read as one that sets the scene (phrases.FRAME).
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.chapters.variants import BREAK, MARKS, auxiliary
from indexer.text import stopwords
from indexer.text.normalize import fold, primary_language
from indexer.text.reporting import complementizers, first_person, reporting_verbs, subject_pronouns

# languages that drop a subject pronoun and write a subject's noun with its article: what was said that opens
# otherwise opens with its verb and names no one ("admitiu que | sente um ódio ...")
ARTICLE_SUBJECTS = {"fr", "es", "it", "pt"}
# what makes a verb an infinitive: "to say that ..." is said by no one the story names
INFINITIVE = {lang: frozenset(words.split()) for lang, words in {
    "en": "to", "de": "zu", "fr": "de d à", "es": "a de", "it": "di a da", "pt": "a de", "nl": "te"}.items()}
REACH = 4  # the verb stands this many words before its "that" at most ("told residents on Monday that")
# German articles of the genitive, which join a name to the noun it belongs to as "of" does ("Sprecher der Regierung")
GENITIVE_ARTICLES = {"de": frozenset("der des".split())}
NAME_WORDS = 3  # who said it, as a title names them: "Colorado's Supreme Court", "Russian Defense Ministry"


def reported_clauses(raw: Sequence[str], clause_end: Sequence[int], language: str | None
                     ) -> tuple[list[int | None], list[bool], dict[int, range]]:
    """Per word, where the clause of what was said that holds it opens (None outside one); per word, whether it is
    the last before such a clause's "that" (a run that ends there leaves out what was said); and for each such
    clause's first word, where the name of who said it stands (`_reporter`), which a title from it opens with.

    The "that" (text.reporting.complementizers) follows a reporting verb written in lower case within REACH words,
    with no article, determiner, auxiliary or other "that" between them (a noun's "that" is a relative pronoun:
    "said the plane that collided"), and the verb says what the story's subject said: not a second predicate after
    a conjunction ("faz alerta ... e diz que"), an infinitive ("to say that") or an interview's opinion ("I believe
    that"). What was said is not cut short by an aside after a comma, and does not open with a subject pronoun,
    which names no one ("tells Euronews that | he feels"), nor with an auxiliary (a relative clause's verb); in
    French, Spanish, Italian and Portuguese it opens with an article, a determiner, a name or a number
    (ARTICLE_SUBJECTS)."""
    opens: list[int | None] = [None] * len(raw)
    before = [False] * len(raw)
    names: dict[int, range] = {}
    that, verbs = complementizers(language), reporting_verbs(language)
    if not that:
        return opens, before, names
    folded = [fold(w.strip(MARKS)) for w in raw]
    nouns = stopwords.articles(language) | stopwords.determiners(language)
    pronouns = subject_pronouns(language)
    subject_first = primary_language(language) in ARTICLE_SUBJECTS
    aside = (stopwords.coordinators(language) | INFINITIVE.get(primary_language(language) or "", frozenset())
             | first_person(language))
    for j in range(1, len(raw) - 1):
        if folded[j] not in that or BREAK.search(raw[j]) or folded[j + 1] in pronouns or not folded[j + 1]:
            continue
        opening = raw[j + 1].strip(MARKS)
        if raw[clause_end[j + 1]].endswith(",") or auxiliary(opening, language) or (subject_first and not (
                folded[j + 1].split("'")[0] in nouns or opening[:1].isupper() or opening[:1].isdigit())):
            continue  # an aside cuts it short ("que le gazoduc Nord Stream, qui ..."), a relative clause's verb
            # ("states that | would like"), or no subject ("admitiu que | sente")
        for k in range(j - 1, max(-1, j - 1 - REACH), -1):
            if folded[k] in nouns or folded[k] in that or auxiliary(raw[k], language) or (
                    k < j - 1 and BREAK.search(raw[k])):
                break  # an article, or another clause's "that" or verb, stands between ("diz que é hipócrita que")
            if folded[k] in verbs and raw[k].strip(MARKS)[:1].islower() and not (
                    k > 0 and folded[k - 1] in aside):
                name = _reporter(raw, folded, k, nouns, language)
                if name:
                    opens[j + 1:clause_end[j + 1] + 1] = [j + 1] * (clause_end[j + 1] - j)
                    before[j - 1] = True
                    names[j + 1] = name
                break
    return opens, before, names


def _reporter(raw: Sequence[str], folded: Sequence[str], verb: int, nouns: frozenset[str], language: str | None
              ) -> range:
    """Who said it: the capitalised words (1 to NAME_WORDS, past the articles that open them) right before the
    reporting verb and its auxiliaries, within its clause ("Serbia has announced", "le géant Gazprom a annoncé",
    "The Russian Defense Ministry has reported"), with a capitalised head and the genitive that joins them ("The
    Bank of England said", "Ministry of the Interior", "Der Sprecher der Regierung sagte", where the name alone,
    "England", said nothing), as their places; an empty range where they are no name ("Le président du Conseil
    européen estime", "Syrian authorities reported") or the last of a list ("Terrorismus und Kriege zeigen")."""
    k = verb - 1
    while k >= 0 and auxiliary(raw[k], language) and not BREAK.search(raw[k]):
        k -= 1
    last, named = k, False  # named: a capitalised word read, which a genitive may follow
    joins = stopwords.genitives(language) | GENITIVE_ARTICLES.get(primary_language(language) or "", frozenset())
    while k >= 0 and not BREAK.search(raw[k]):
        if raw[k].strip(MARKS)[:1].isupper():
            named = True
            k -= 1
            continue
        j = k
        while j > 0 and folded[j] in nouns and folded[j] not in joins:
            j -= 1  # "of | the | Interior"
        if not (named and j > 0 and folded[j] in joins and raw[j - 1].strip(MARKS)[:1].isupper()
                and not BREAK.search(raw[j - 1])):
            break
        k = j - 1  # the head before the genitive: "Bank | of England"
    first = k + 1
    while first <= last and folded[first] in nouns:
        first += 1
    capitals = sum(raw[i].strip(MARKS)[:1].isupper() for i in range(first, last + 1))
    listed = k >= 0 and folded[k] in stopwords.coordinators(language)  # "Terrorismus und | Kriege zeigen, dass"
    return range(first, last + 1) if 1 <= capitals <= NAME_WORDS and not listed else range(0)


def attributed(name: Sequence[str], run: str, first: str, language: str | None) -> str:
    """A title of what was said, after the words of who said it and a colon (French sets a space before it): "Qatar:
    a four-day ceasefire ...", "Washington : le Hamas utilise ...". The run's first word keeps its case as written."""
    body = first[:1] + run[1:] if run[:1].casefold() == first[:1].casefold() else run
    name = " ".join(w.strip(MARKS) for w in name)
    return f"{name}{' : ' if primary_language(language) == 'fr' else ': '}{body}"
