"""Capitals for titles cut from text that lost them: a name in a chapter title is spelled as the transcript, or the
article that goes with the video, writes it.

Why. Titles are runs of the transcript's own words (indexer.chapters.titles), and some transcripts write names in
lower case: YouTube's automatic captions nearly throughout ("president biden met zelensky in kyiv"), captioners'
and recognisers' unpunctuated runs now and then (Euronews: "... el dictador ferdinand marcos conmoción ..." beside
"Ferdinand Marcos" elsewhere). A title cut there read "Padre el dictador ferdinand marcos".

How. A word takes a capitalised form where it stands in a caseless stretch (CASELESS_RUN words in a row without a
capital or a punctuation mark, or anywhere in a transcript that writes almost no capitals) and the transcript writes
that form in mid-sentence, or else the article does and never writes the word in lower case. A word the transcript
also writes in lower case in ordinary prose keeps it ("morgen" beside "Morgen", "china" beside "China"). A
sentence's first word is not counted: its capital says nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

TURKIC = frozenset({"tr", "az"})  # languages with a dotted and a dotless i, each with its own capital
CASELESS_RUN = 20  # words in a row without a capital or a punctuation mark: a stretch that lost its capitals
FEW_CAPITALS = 0.01  # a transcript with capitals on fewer of its words than this lost them all (automatic captions)
_EDGE = " ,;:.!?…—–-'’\"«»“”()"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_APOSTROPHE = re.compile(r"['’]")
_PIECES = re.compile(r"(['’])")  # split keeping the apostrophes


def lower(text: str, language: str | None = None) -> str:
    """Lower case as the language writes it: Turkish and Azerbaijani "I" is "ı" and "İ" is "i" (Python's lower()
    makes "i" of the one and "i" with a combining dot of the other, so "İzmir" and "Iğdır" never met "izmir" and
    "ığdır")."""
    if language in TURKIC:
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()


def upper_first(text: str, language: str | None = None) -> str:
    """The text with its first letter a capital, as the language writes it (Turkish "i" is "İ": "İtfaiye")."""
    first = text[:1]
    if language in TURKIC and first in ("i", "ı"):
        return ("İ" if first == "i" else "I") + text[1:]
    return first.upper() + text[1:]


def capitals(texts: Sequence[str], spelling: Sequence[str] = (), language: str | None = None) -> dict[str, str]:
    """The capitalised form of each word that `texts` (a transcript's sentences) write in lower case only inside a
    caseless stretch, by its lower-case form: from `texts` themselves, else from `spelling` (an article's
    paragraphs)."""
    own, caseless, ordinary = _tally(texts, language)
    named = sum(forms.total() for word, forms in own.items() if len(word) > 1)  # "I" is no sign of names kept
    if named < FEW_CAPITALS * sum(len(t.split()) for t in texts):
        caseless |= ordinary  # automatic captions: no word's lower case says anything
        ordinary = set()
    article, lowered = _tally_article(spelling, language)
    out = {}
    for word in caseless - ordinary:
        if word in own:
            out[word] = own[word].most_common(1)[0][0]
        elif word in article and word not in lowered:
            out[word] = article[word].most_common(1)[0][0]
    return out


def recased(title: str, names: dict[str, str], language: str | None = None) -> str:
    """`title` with each word written all in lower case that `names` (capitals()) knows in its capitalised form."""
    words = []
    for word in title.split(" "):
        core = word.strip(_EDGE)
        if core and core == lower(core, language):
            if core in names:
                word = word.replace(core, names[core], 1)
            elif _APOSTROPHE.search(core):  # "dell'unione" -> "dell'Unione", "japan's" -> "Japan's"
                spelled = "".join(names.get(p, p) if len(p) > 1 else p for p in _PIECES.split(core))
                word = word.replace(core, spelled, 1)
        words.append(word)
    return upper_first(" ".join(words), language)


def _tally(texts: Iterable[str], language: str | None) -> tuple[dict[str, Counter[str]], set[str], set[str]]:
    """Capitalised mid-sentence forms by lower case; lower-case words seen in caseless stretches; and in prose."""
    capital: dict[str, Counter[str]] = {}
    caseless: set[str] = set()
    ordinary: set[str] = set()
    for text in texts:
        words = text.split()
        run = 0  # lower-case words in a row before this one
        for i, word in enumerate([*words, "."]):
            # "dell'unione" too: no mark in it
            if _APOSTROPHE.sub("", word).isalpha() and word == lower(word, language):
                run += 1
                continue
            for part in _parts(words[i - run:i]):
                (caseless if run >= CASELESS_RUN else ordinary).add(part)
            run = 0
            if i < len(words):
                _count([word], i == 0, capital, ordinary, language)  # a lower-case word beside a mark: prose
    return capital, caseless, ordinary


def _tally_article(paragraphs: Iterable[str], language: str | None) -> tuple[dict[str, Counter[str]], set[str]]:
    """An article's capitalised mid-sentence forms by lower case, and every word it writes in lower case."""
    capital: dict[str, Counter[str]] = {}
    lowered: set[str] = set()
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            words = sentence.split()
            if words:
                _count(words[:1], True, capital, lowered, language)
                _count(words[1:], False, capital, lowered, language)
    return capital, lowered


def _count(words: Iterable[str], initial: bool, capital: dict[str, Counter[str]], lowered: set[str],
           language: str | None) -> None:
    """Each word's capitalised forms into `capital` (unless it opens a sentence: `initial`) and its lower-case ones
    into `lowered`; the parts either side of an apostrophe count too ("Japan's" names "Japan", "l'Europe" "Europe"),
    and the part after one never opens a sentence ("L'Union": the "L" does)."""
    for word in words:
        core = word.strip(_EDGE)
        pieces = _APOSTROPHE.split(core)
        parts = [(core, initial)]
        if len(pieces) > 1:
            parts += [(p, initial and j == 0) for j, p in enumerate(pieces) if len(p) > 1]
        for part, first in parts:
            if part == lower(part, language):
                if part:
                    lowered.add(part)
            elif not first and part[:1].isupper():
                capital.setdefault(lower(part, language), Counter())[part] += 1


def _parts(words: Iterable[str]) -> Iterator[str]:
    """Lower-case words as they stand, and the parts of an elided one ("dell'unione": "dell", "unione")."""
    for word in words:
        yield word
        pieces = _APOSTROPHE.split(word)
        if len(pieces) > 1:
            yield from (p for p in pieces if len(p) > 1)
