"""What was said, as a title reads it: the clause that a speech or report verb's "that" opens is the story, not that
it was said. "Serbia has announced that drivers with Kosovo license plates can enter Serbian territory" is titled
"Drivers with Kosovo license plates can enter Serbian territory", where a run that stopped at the verb ("The Russian
Defense Ministry has reported") said nothing, and one from the subject on ran out of words inside what was said
("Serbia announced that drivers with Kosovo license plates"). German and Russian write a comma before it ("Die
Regierung teilte mit, dass | ..."), where that clause used to read as one that sets the scene (phrases.FRAME).
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


def reported_clauses(raw: Sequence[str], clause_end: Sequence[int], language: str | None
                     ) -> tuple[list[int | None], list[bool]]:
    """Per word, where the clause of what was said that holds it opens (None outside one), and per word, whether
    it is the last before such a clause's "that" (a run that ends there leaves out what was said). The "that"
    (text.reporting.complementizers) follows a reporting verb written in lower case within REACH words, with no
    article or determiner between them (a noun's "that" is a relative pronoun: "said the plane that collided"),
    and none of it says what the story's subject said: a verb after a conjunction is a second predicate ("faz
    alerta ... e diz que"), one after "to" an infinitive ("to say that"), one after "I" or "we" an interview's
    opinion ("I believe that ..."); what was said is not cut short by an aside after a comma;
    what was said does not open with a subject pronoun, which names no one ("tells Euronews that | he feels"), nor
    with an auxiliary (a relative clause's verb), and in French, Spanish, Italian and Portuguese it opens with an
    article, a determiner, a name or a number (ARTICLE_SUBJECTS)."""
    opens: list[int | None] = [None] * len(raw)
    before = [False] * len(raw)
    that, verbs = complementizers(language), reporting_verbs(language)
    if not that:
        return opens, before
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
                opens[j + 1:clause_end[j + 1] + 1] = [j + 1] * (clause_end[j + 1] - j)
                before[j - 1] = True
                break
    return opens, before
