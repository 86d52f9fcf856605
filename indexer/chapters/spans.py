"""Titles and keywords for chapters whose bounds someone else chose (the creator's list, an editor's): each sentence
belongs to the span its middle falls in, and each span is described as segment describes its own chapters."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from indexer.chapters.casing import capitals
from indexer.chapters.segment import _read
from indexer.chapters.titles import describe, headlines
from indexer.models import Sentence, Transcript
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
    for s, words, i in zip(sentences, kept, _owners(sentences, spans)):
        if i is not None:
            groups[i].extend(words)
            texts[i].append(s.text)
    desc = describe(groups, reading)
    keywords = [kw for _, kw in desc]
    if not titles:
        return [("", kw) for kw in keywords]
    names = capitals([s.text for s in sentences], spelling, transcript.language)
    heads = headlines(texts, transcript.language, groups, reading, stop, [t for t, _ in desc],
                      names=names)
    return [(head if spoken else "", tuple(names.get(k, k) for k in kw))
            for head, kw, spoken in zip(heads, keywords, texts)]


def said(transcript: Transcript, spans: Sequence[tuple[float, float]]) -> list[str]:
    """The words said in each span (start, end), as one text, each sentence in the span `described` gives it to."""
    sentences = transcript.sentences()
    texts: list[list[str]] = [[] for _ in spans]
    for s, i in zip(sentences, _owners(sentences, spans) if spans else []):
        if i is not None:
            texts[i].append(s.text)
    return [" ".join(t) for t in texts]


def _owners(sentences: Sequence[Sentence], spans: Sequence[tuple[float, float]]) -> list[int | None]:
    """Per sentence, the span its middle falls in (the last span takes any overhang); None before the first."""
    starts = [a for a, _ in spans]
    out: list[int | None] = []
    for s in sentences:
        mid = (s.start + s.end) / 2
        i = bisect_right(starts, mid) - 1
        out.append(i if i >= 0 and (mid < spans[i][1] or i == len(spans) - 1) else None)
    return out
