"""Words of a transcript for topic work: tokens per sentence, the keys inflected forms meet under, stop words.

Whisper transcribes about a hundred languages, so nothing here may assume English. Sentences are read by the text
layer's one tokeniser (indexer.text.normalize: Unicode words with their inner apostrophes, case- and accent-folded,
character bigrams for scripts written without spaces). Numbers in digits are left out, since Whisper writes them
inconsistently and they rarely carry the topic, and so are one-letter words; number words stay words ("thousand",
"ming"), as a story says them.

Inflection is handled by prefix truncation (keep the first few letters): crude, but it needs no dictionary and works
for the suffixing languages (Russian, Uzbek, Turkish, English) that most of our archive is in.

Stop words come from two places: the text layer's lists for the languages it knows (indexer.text.stopwords) and,
for every language, the words the transcript itself uses everywhere (present in most stretches of the text). The
second needs no list at all, and is what makes the cohesion measure work for a language we never saw.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from indexer.text import stopwords
from indexer.text.normalize import Token, no_spaces, pieces, tokenize
from indexer.text.scripts import main_script

LETTER = re.compile(r"[^\W\d_]")  # a letter of any script


@dataclass(frozen=True)
class Reading:
    """A transcript's sentences as the text layer reads them, for topic work.

    `sentences[i]` holds sentence i's word tokens; each token's `first` indexes `written`, the words as the
    transcript wrote them (so a title shows the speaker's own spelling), and `initial` holds the written index of
    each sentence's first token, whose capital says nothing.
    """

    sentences: tuple[tuple[Token, ...], ...]
    written: tuple[str, ...]
    initial: frozenset[int]

    def surface(self, token: Token) -> str:
        return self.written[token.first]

    def is_initial(self, token: Token) -> bool:
        return token.first in self.initial


def read(texts: Sequence[str], language: str | None = None) -> Reading:
    """Word tokens of each sentence; runs of a script written without spaces become character bigrams."""
    written: list[str] = []
    sentences: list[tuple[Token, ...]] = []
    initial: set[int] = set()
    for text in texts:
        words = [w for w in pieces(text) if LETTER.search(w)]
        offset = len(written)
        toks = tuple(t._replace(first=t.first + offset, last=t.last + offset)
                     for t in tokenize(words, language, numbers=False, runs=False) if _is_word(t))
        written += words
        if toks:
            initial.add(toks[0].first)
        sentences.append(toks)
    return Reading(tuple(sentences), tuple(written), frozenset(initial))


def _is_word(token: Token) -> bool:
    return not token.is_number and (len(token.text) > 1 or no_spaces(token.text))


def prefix(stem: int) -> Callable[[Token], str]:
    """The key under which inflected forms meet: the token's first `stem` letters (0: the whole token).

    A letter with a breve counts as the plain letter (й as и, ў as у): inflection alternates them ("чай", "чаи";
    "хоккей", "хоккеист"), and a stem should not split there.
    """
    return (lambda t: _plain(t.text)[:stem]) if stem > 0 else (lambda t: _plain(t.text))


@lru_cache(maxsize=100_000)
def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def stop_words(language: str, sentences: Sequence[Sequence[Token]], parts: int = 10, share: float = 0.7) -> set[str]:
    """The text layer's list for `language` (and the function words of lists in other scripts than the transcript's,
    for quotes in them) plus the words used almost everywhere in this transcript.

    The transcript is cut into `parts` stretches (fewer for a short one, at least two sentences each); a word present
    in at least `share` of them is spread too evenly to say anything about topics. Below three stretches, only the
    built-in list is used.
    """
    written = main_script(" ".join(t.text for sentence in sentences[:200] for t in sentence))
    stop = set(stopwords.stop_words(language)) | stopwords.function_words_outside(written)
    parts = min(parts, len(sentences) // 2)
    if parts < 3:
        return stop
    seen: Counter[str] = Counter()
    size = len(sentences) / parts
    for p in range(parts):
        chunk = sentences[round(p * size) : round((p + 1) * size)]
        seen.update({t.text for s in chunk for t in s})
    return stop | {w for w, n in seen.items() if n >= share * parts}


def content(tokens: Iterable[Token], stop: set[str]) -> list[Token]:
    return [t for t in tokens if t.text not in stop]
