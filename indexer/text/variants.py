"""Written variants of one word, folded where two texts must agree word for word (quote checks, article links).

Why an option and not part of every tokenisation: a newsroom prints "it's", "colour", "per cent" where a recogniser
writes "it is", "color", "percent", and a quote check must not report those as changed words. Search does not need
it (a query's words are looked up as typed) and its index would have to be rebuilt, so only callers that compare two
texts ask for it (`tokenize(..., variants=True)`).

The rules are per language, keyed by primary language code; English is the only one so far (contractions,
British -> American spelling, "per cent"). A language without rules is left as it is. Text of unknown language gets
the English rules, as number words do: recognisers and newsrooms write English most often, and the rules only touch
words with English endings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rules:
    """One language's variants: whole-word replacements, suffix expansions, spelling rewrites, two-word phrases."""

    words: dict[str, str] = field(default_factory=dict)
    suffixes: tuple[tuple[str, str], ...] = ()
    spelling: tuple[tuple[re.Pattern[str], str], ...] = ()
    phrases: dict[tuple[str, str], str] = field(default_factory=dict)

    def expand(self, word: str) -> list[str]:
        """A folded word as the words it stands for, each in the common spelling ("won't" -> "will", "not")."""
        word = self.words.get(word, word)
        for suffix, full in self.suffixes:
            word = word[: -len(suffix)] + full if word.endswith(suffix) and len(word) > 3 else word
        return [self._spell(part) for part in word.split()]

    def _spell(self, word: str) -> str:
        for pattern, repl in self.spelling:
            word = pattern.sub(repl, word)
        return word


ENGLISH = Rules(
    words={"won't": "will not", "can't": "can not", "cannot": "can not", "it's": "it is", "that's": "that is",
           "there's": "there is", "he's": "he is", "she's": "she is", "what's": "what is", "i'm": "i am"},
    suffixes=(("n't", " not"), ("'ll", " will"), ("'re", " are"), ("'ve", " have"), ("'d", " would")),
    # centre/center, colour/color, realise/realize: Whisper writes American spelling, newsrooms often do not
    spelling=((re.compile(r"(?<=\w\w)([tb])re(s?)$"), r"\1er\2"), (re.compile(r"(?<=\w\w)our(s?)$"), r"or\1"),
              (re.compile(r"(?<=\w\w)([iy])s(e|es|ed|ing|ation)$"), r"\1z\2")),
    phrases={("per", "cent"): "percent"},
)
_RULES = {"en": ENGLISH}
_UNKNOWN = (None, "und")


def rules(language: str | None) -> Rules | None:
    """The variant rules of a primary language code, or None when it has none."""
    return ENGLISH if language in _UNKNOWN else _RULES.get(language or "")


Piece = tuple[str, int, int]  # folded text, first and last source word


def apply(pieces: Sequence[Piece], language: str | None) -> list[Piece]:
    """Pieces with each word expanded and two-word phrases joined, by the language's rules (unchanged if none)."""
    found = rules(language)
    if found is None:
        return list(pieces)
    expanded = [(part, a, b) for text, a, b in pieces for part in found.expand(text)]
    return _join(expanded, found.phrases.get)


def _join(pieces: list[Piece], phrase: Callable[[tuple[str, str]], str | None]) -> list[Piece]:
    out: list[Piece] = []
    i = 0
    while i < len(pieces):
        joined = phrase((pieces[i][0], pieces[i + 1][0])) if i + 1 < len(pieces) else None
        if joined:
            out.append((joined, pieces[i][1], pieces[i + 1][2]))
            i += 2
        else:
            out.append(pieces[i])
            i += 1
    return out
