"""A hit's snippet: the words around a span as HTML, the words that matched the query marked."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from media.readable import spaced

SNIPPET_CONTEXT, SNIPPET_WORDS = 10, 60


def highlight(words: Sequence[str], marked: Iterable[int], first: int, last: int) -> str:
    """HTML snippet: the escaped words around first..last, runs of `marked` word indices inside <mark>...</mark>."""
    marks = set(marked)
    lo = max(0, first - SNIPPET_CONTEXT)
    hi = min(len(words), lo + SNIPPET_WORDS, max(last + 1 + SNIPPET_CONTEXT, lo + 2 * SNIPPET_CONTEXT))
    out: list[str] = []
    before = ""
    for i in range(lo, hi):
        said = words[i].strip()
        w = html.escape(said)
        if i in marks and (i == lo or i - 1 not in marks):
            w = "<mark>" + w
        if i in marks and (i == hi - 1 or i + 1 not in marks):
            w += "</mark>"
        if out and spaced(before, said):  # none between Chinese characters, nor before ",000"
            out.append(" ")
        out.append(w)
        before = said
    return ("\u2026 " if lo else "") + "".join(out) + (" \u2026" if hi < len(words) else "")
