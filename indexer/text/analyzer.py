"""Our tokens inside Whoosh: an analyzer for fields that want the text layer's normalisation.

Why apart from indexer.text.normalize: Whoosh takes a tenth of a second to import, and chapters and article links
never need it. The search index itself stores pre-analysed token strings (see indexer/search/index.py), so that its
on-disk schema holds only Whoosh's own classes; this analyzer serves callers who index their own fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer

from indexer.text.normalize import primary_language, stem, tokenize
from indexer.text.stems import has_stems

_tokens_of = tokenize  # ClipTokenizer.__call__ has a parameter named `tokenize`


class ClipTokenizer(Tokenizer):
    """A Whoosh tokenizer applying `tokenize` (and `stem`, when asked)."""

    def __init__(self, language: str | None = None, stemming: bool = False) -> None:
        self.language = primary_language(language)
        self.stemming = stemming

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClipTokenizer) and vars(self) == vars(other)

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[WhooshToken]:
        spans = [m.span() for m in re.finditer(r"\S+", value)]
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, tok in enumerate(_tokens_of([value[a:b] for a, b in spans], self.language)):
            t.text = stem(tok.text, self.language) if self.stemming else tok.text
            t.boost, t.stopped = 1.0, False
            if keeporiginal:
                t.original = value[spans[tok.first][0]:spans[tok.last][1]]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + spans[tok.first][0], start_char + spans[tok.last][1]
            yield t


def clip_analyzer(language: str | None = None) -> ClipTokenizer:
    """Whoosh analyzer: our tokens, stemmed when the language is known and has a stemmer (or prefix stems)."""
    lang = primary_language(language)
    return ClipTokenizer(lang, stemming=has_stems(lang))
