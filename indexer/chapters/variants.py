"""Other readings of a sentence's words that a headline may take (indexer.chapters.phrases scores the runs of
each): a name set off by commas joined to its predicate, an aside after a name left out, a relative clause set off
by commas left out, a day said in mid-clause left out. Each keeps the words' indices in the sentence, so a run's
words are still looked up as said. And the prepositions that a title starting right after them keeps (governs).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.models import goes_on
from indexer.text import stopwords
from indexer.text.normalize import fold, primary_language

BREAK = re.compile(r"[,;:.!?…—–]$|^[—–-]+$")  # a clause ends after a word written with one of these
OPENING_MARKS = "\"“”„«»("  # quotes and brackets a word may open with, stripped before it is looked up
MARKS = "\"“”„«»(),;:.!?"  # the quotes, brackets and punctuation around a written word
INNER_STOP = "\u2024"  # a full stop inside a clause, while its words are read (inner_stops)


def auxiliary(word: str, language: str | None) -> bool:
    """Whether a written word is one of the language's finite auxiliaries or copulas (stopwords.auxiliaries), the
    marks around it aside."""
    return word.strip(MARKS).casefold() in stopwords.auxiliaries(language)


def inner_stops(raw: list[str], language: str | None) -> list[str]:
    """The words of a sentence with the full stops that end no clause written as INNER_STOP (so that no clause ends
    there): those a sentence goes on past, as models.split_sentences reads them (models.goes_on: "U.S. officials",
    "am 8. Spieltag"). phrases._clean writes them as full stops again."""
    out = list(raw)
    for i, word in enumerate(raw[:-1]):
        if word.endswith(".") and goes_on(word, raw[i - 1] if i else "", raw[i + 1], language):
            out[i] = word[:-1] + INNER_STOP
    return out


def named_subjects(raw: list[str], language: str | None) -> list[str]:
    """The words of a sentence with the comma after a name set off in mid-sentence taken away where the clause after
    it is that name's predicate: in "El presidente colombiano, Gustavo Petro, ha suspendido la erradicación ...", a
    run may read "Gustavo Petro ha suspendido la erradicación", the headline that news writes, where the role before
    the name would leave no room for what he did. A name here is 1-5 words set off by commas, the first and the last
    capitalised (short particles between: "Ursula von der Leyen"); its predicate opens in lower case and with no
    conjunction, subordinator or preposition ("Al-Shifa, où sont réfugiés ..." is no predicate)."""
    out = list(raw)
    for a in range(1, len(raw)):
        end = _name_at(raw, a) if raw[a - 1].endswith(",") else None
        if end is not None and opens_predicate(raw[end + 1], language):
            out[end] = raw[end][:-1]
    return out


def asides_left_out(raw: list[str], language: str | None) -> list[list[tuple[int, str]]]:
    """For each name that opens a clause and is followed by an aside between commas and then by its predicate
    ("Jacques Delors, former president of the European Commission, has died aged 98"), the words without the aside
    with their indices, the name's comma taken away ("Jacques Delors has died aged 98"). An aside is 1-12 words and
    opens in lower case, not with a conjunction ("Macron, and his wife, ..."); the predicate as named_subjects
    wants it."""
    out = []
    opener = stopwords.openers(language)
    for a in [0] + [i for i in range(1, len(raw)) if raw[i - 1].endswith(",")]:
        end = _name_at(raw, a)
        if end is None or (a == 0 and not _opening_name(raw[:end + 1], language)):
            continue
        aside = end + 1
        close = next((j for j in range(aside, min(len(raw) - 1, aside + 12)) if BREAK.search(raw[j])), None)
        if (close is None or not raw[close].endswith(",") or not raw[aside][:1].islower()
                or fold(raw[aside]) in opener):
            continue
        if opens_predicate(raw[close + 1], language):
            out.append([(i, raw[i][:-1] if i == end else raw[i]) for i in range(len(raw)) if not aside <= i <= close])
    return out


V2_LANGUAGES = {"de", "nl"}  # the finite verb comes second in a main clause, straight after a fronted phrase


def relative_end(raw: Sequence[str], i: int, language: str | None) -> int | None:
    """The last word of the relative clause that opens at word `i` right after a comma, or None where none does: a
    relative pronoun first (past a preposition: "..., an dem Piloten ... ausgebildet werden"), as
    stopwords.relatives lists them. German and Dutch write theirs as their articles, so there the clause must end
    on its finite auxiliary too, with none right after the pronoun: "..., die heute Richtung Süden geflohen sind"
    is one, "..., die soll zwischen 400.000 und 600.000 betragen" a main clause."""
    relative, verb_last = stopwords.relatives(language), primary_language(language) in V2_LANGUAGES
    if i == 0 or i >= len(raw) - 1 or not relative or not raw[i - 1].endswith(","):
        return None
    end = next((j for j in range(i, len(raw)) if BREAK.search(raw[j])), len(raw) - 1)
    # Spanish "desde que", Italian "per cui" join clauses: only German, Dutch and English put a preposition first
    past = verb_last or primary_language(language) == "en"
    k = i + (past and fold(raw[i].strip(OPENING_MARKS)) in stopwords.prepositions(language))
    if k >= end or fold(raw[k].strip(OPENING_MARKS)) not in relative:
        return None
    if verb_last:
        last = raw[end].strip(MARKS)
        if end - k < 2 or auxiliary(raw[k + 1], language) or not last[:1].islower() or not auxiliary(last, language):
            return None
    return end


def relatives_left_out(raw: list[str], language: str | None) -> list[list[tuple[int, str]]]:
    """For each relative clause set off by commas after the subject that opens its sentence (relative_end) and
    followed by that subject's predicate, the words without it, with their indices: "Soldaten, die wegen ihrer
    Homosexualität benachteiligt wurden, sollen entschädigt werden" reads "Soldaten sollen entschädigt werden". A
    subject here is the sentence's first 1-6 words, up to the comma, with no preposition or conjunction first and no
    auxiliary or subordinator among them ("Shakira a remporté deux prix, dont ..." has gone past its subject; in
    "O início do julgamento ..., Brittany Greiner, que ..., está marcado" the name is no subject)."""
    out = []
    relative = frozenset() if primary_language(language) in V2_LANGUAGES else stopwords.relatives(language)
    never = stopwords.scene_openers(language)[0] | relative  # German and Dutch relative pronouns are their articles
    for i in range(1, min(len(raw) - 1, 7)):
        end = relative_end(raw, i, language)
        if end is None or end == len(raw) - 1 or not raw[end].endswith(",") or any(
                BREAK.search(w) for w in raw[:i - 1]):
            continue
        subject = [fold(w.strip(MARKS)) for w in raw[:i]]
        if (subject[0] in stopwords.prepositions(language) | stopwords.openers(language)
                or any(w in never or auxiliary(w, language) for w in subject)):
            continue
        if opens_predicate(raw[end + 1], language):
            out.append([(k, raw[k][:-1] if k == i - 1 else raw[k]) for k in range(len(raw)) if not i <= k <= end])
    return out


def times_left_out(reading: list[tuple[int, str]], language: str | None) -> list[tuple[int, str]]:
    """A sentence's words (with their indices) without the times it names in mid-clause, as a headline leaves them
    out: "Viele Arztpraxen in Deutschland sind heute geschlossen geblieben" reads "... sind geschlossen geblieben",
    "Le président a signé ce jeudi un projet de loi" reads "Le président a signé un projet de loi"
    (stopwords.times: a day or "today", the words that lead it, "ce", "am", and those that follow, "matin").
    A time stays where it opens or ends its clause, and where a function word other than an auxiliary stands
    before it ("dans la nuit de samedi", "seit Montag")."""
    core, lead, trail = stopwords.times(language)
    if not core:
        return reading
    words = [w for _, w in reading]
    folded = [fold(w.strip(OPENING_MARKS).rstrip(",;:.!?…")) for w in words]
    # a preposition before it too, though the stop list lacks it ("seinen ab Sonntag geplanten Besuch")
    function, goes_on = stopwords.function_words(language) | stopwords.prepositions(language), core | trail
    drop: set[int] = set()
    for k in range(1, len(words) - 1):
        if folded[k] not in core or k in drop:
            continue
        first = k
        while first > 1 and folded[first - 1] in lead and not BREAK.search(words[first - 1]):
            first -= 1
        last = k
        while last + 1 < len(words) and folded[last + 1] in goes_on and not BREAK.search(words[last]):
            last += 1
        before = words[first - 1]
        if (BREAK.search(before) or BREAK.search(words[last]) or last == len(words) - 1
                or (folded[first - 1] in function and not auxiliary(before, language))):
            continue
        drop.update(range(first, last + 1))
    return [iw for j, iw in enumerate(reading) if j not in drop]


def _opening_name(words: Sequence[str], language: str | None) -> bool:
    """Whether the words that open a sentence read as a name though its first capital says nothing: two words or
    more, each capitalised, the first no function word ("En Europa", "Sarà Riyadh" are none), in a language that
    does not capitalise its nouns ("Menschen in Teilen Europas")."""
    return (len(words) >= 2 and primary_language(language) not in NOUNS_CAPITALISED
            and all(w[:1].isupper() for w in words) and fold(words[0]) not in stopwords.stop_words(language))


NOUNS_CAPITALISED = {"de", "lb"}  # German and Luxembourgish write every noun with a capital


def opens_predicate(word: str, language: str | None) -> bool:
    """Whether a clause that opens with this word may be the predicate of a name before it: it opens in lower case,
    with an auxiliary (French "a", which folds as "à" does) or with no conjunction, subordinator, preposition or
    article."""
    bare = word.strip(OPENING_MARKS)
    if not bare[:1].islower():
        return False
    subordinator, preposition = stopwords.scene_openers(language)
    no_predicate = subordinator | preposition | stopwords.openers(language) | stopwords.articles(language)
    return auxiliary(bare, language) or fold(bare) not in no_predicate


def _name_at(raw: Sequence[str], a: int) -> int | None:
    """The last word of a name of 1-5 words that starts at raw[a] and ends with a comma, where the sentence goes on
    after it (reads_as_name); None where there is none."""
    end = next((j for j in range(a, min(len(raw) - 1, a + 5)) if BREAK.search(raw[j])), None)
    return end if end is not None and raw[end].endswith(",") and reads_as_name(raw[a:end + 1]) else None


def reads_as_name(words: Sequence[str]) -> bool:
    """Whether these words read as a name: the first and the last capitalised, any between capitalised or a short
    particle ("von der", "de", "bin")."""
    bare = [w.strip("\"“”„«»(),") for w in words]
    return (all(bare) and bare[0][:1].isupper() and bare[-1][:1].isupper()
            and all(w[:1].isupper() or len(w) <= 3 for w in bare) and not any(ch.isdigit() for w in bare for ch in w))


# Prepositions that decide the case of the word after them, in languages that write no article between: a title
# cut after one reads wrong ("эфире новости" from "в эфире новости", "реке Каменке" from "в реке Каменке"), so a
# title that starts right after one keeps it, as a part of that word (it may make a ninth word: a title that left it
# out for room lost its subject instead). Elsewhere (English "in Tokyo", or German, where an article stands between)
# a run's first content word reads well alone.
GOVERNING = {
    "ru": "в во на о об обо с со к ко у из от до по за для без при про под подо над перед через между среди после",
    "uk": "в у на о об з із зі зо к до від по за для без при про під над перед через між серед після",
    "be": "у ў на аб з са к да ад па за для без пры пра пад над перад праз паміж",
    "pl": "w we na o z ze do od po za dla bez przy pod nad przed przez między u ku",
    "cs": "v ve na o z ze do od po za pro bez při pod nad před přes mezi u k ke",
    "sk": "v vo na o z zo do od po za pre bez pri pod nad pred cez medzi u k ku",
}
_GOVERNING = {lang: frozenset(words.split()) for lang, words in GOVERNING.items()}


def governs(raw: Sequence[str], a: int, language: str | None) -> int:
    """1 when the word before raw[a] is a preposition that governs it (GOVERNING) in the same clause, else 0."""
    if a == 0 or BREAK.search(raw[a - 1]):
        return 0
    return int(raw[a - 1].strip(OPENING_MARKS).casefold() in _GOVERNING.get(language or "", frozenset()))
