"""Titles and keywords for chapters whose bounds someone else chose (the creator's list, an editor's): each sentence
belongs to the span its middle falls in, and each span is described as segment describes its own chapters."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from indexer.chapters.casing import capitals
from indexer.chapters.segment import _read
from indexer.chapters.titles import describe, headlines
from indexer.models import Transcript
from indexer.text.normalize import Token


def described(transcript: Transcript, spans: Sequence[tuple[float, float]], spelling: Sequence[str] = (),
              titles: bool = True) -> list[tuple[str, tuple[str, ...]]]:
    """(headline, keywords) per span (start, end), in span order: the headline as a computed chapter gets it ("" for
    a span with no sentence, or with `titles` False), the keywords from the words said in the span. A sentence
    belongs to the span its middle falls in; the last span takes any overhang. `spelling`: texts that write the
    story's names, as for segment."""
    sentences = transcript.sentences()
    if not spans:
        return []
    if not sentences:
        return [("", ())] * len(spans)
    reading, stop, kept = _read(sentences, transcript.language)
    groups: list[list[Token]] = [[] for _ in spans]
    texts: list[list[str]] = [[] for _ in spans]
    starts = [a for a, _ in spans]
    for s, words in zip(sentences, kept):
        mid = (s.start + s.end) / 2
        i = bisect_right(starts, mid) - 1
        if i >= 0 and (mid < spans[i][1] or i == len(spans) - 1):
            groups[i].extend(words)
            texts[i].append(s.text)
    desc = describe(groups, reading)
    keywords = [kw for _, kw in desc]
    if not titles:
        return [("", kw) for kw in keywords]
    names = capitals([s.text for s in sentences], spelling, transcript.language)
    heads = headlines(texts, transcript.language, groups, reading, stop, [t for t, _ in desc],
                      names=names)
    return [(head if said else "", tuple(names.get(k, k) for k in kw))
            for head, kw, said in zip(heads, keywords, texts)]
