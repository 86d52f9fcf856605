"""Passages: the sentence-aligned windows of a transcript that the index holds, and their stored documents."""

from __future__ import annotations

import json
import unicodedata
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from indexer.errors import ReadOnlyArchive
from indexer.models import Chapter, Transcript, Video, Word
from indexer.text.normalize import (
    Token,
    no_spaces,
    number_scales,
    primary_language,
    stem,
    tokenize,
)
from indexer.text.stems import STEMS_VERSION, shorter_stems
from indexer.text.translit import one_apostrophe

PAIR_SAMPLE = 2  # one word pair in PAIR_SAMPLE is indexed (see _pairs)
WINDOW_TARGET_S, WINDOW_MAX_S, UNIT_MAX_S, MAX_WORDS = 40.0, 60.0, 20.0, 180


class Passage(NamedTuple):
    first_word: int
    last_word: int
    start: float
    end: float


def write_marker(path: Path, index_format: str) -> None:
    """Say in an index folder's marker file how its passages were made: the backend's format, and the stems."""
    path.write_text(json.dumps({"format": index_format, "stems": STEMS_VERSION}))


def same_marker(path: Path, index_format: str) -> bool:
    """Whether the index beside this marker was made as this code makes one. An index of another format, or made
    with other stems (an upgrade that stems a language anew), is recreated empty and refilled from the store: a
    query's stems would miss the words of passages stemmed otherwise."""
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and found.get("format") == index_format and found.get("stems") == STEMS_VERSION


def readable_as_it_is(folder: Path, index_format: str, exists: Callable[[], bool]) -> None:
    """ReadOnlyArchive unless the index in `folder`, which cannot be written, can be searched as it is: one of this
    format and stems (it cannot be made again there, nor refilled)."""
    if not (same_marker(folder / "clipindex.json", index_format) and exists()):
        raise ReadOnlyArchive(f"the search index at {folder} is read-only and was made by another version of "
                              "clipindex (or not at all): open the archive once where it can be written, or run "
                              "`clipindex reindex` there")


def build_passages(transcript: Transcript) -> list[Passage]:
    """Sentence-aligned windows of about WINDOW_TARGET_S, each starting half-way through the previous one."""
    words = transcript.words
    units = _units(words, transcript)
    out: list[Passage] = []
    a = 0
    while a < len(units):
        b = a
        while b + 1 < len(units) and words[units[b][1]].end - words[units[a][0]].start < WINDOW_TARGET_S \
                and words[units[b + 1][1]].end - words[units[a][0]].start <= WINDOW_MAX_S \
                and units[b + 1][1] - units[a][0] < MAX_WORDS:
            b += 1
        out.append(Passage(units[a][0], units[b][1], words[units[a][0]].start, words[units[b][1]].end))
        if b == len(units) - 1:
            break
        middle = (out[-1].start + out[-1].end) / 2
        a = next((k for k in range(a + 1, b + 1) if words[units[k][0]].start >= middle), b if b > a else a + 1)
    return out


def _units(words: Sequence[Word], transcript: Transcript) -> list[tuple[int, int]]:
    """Sentences as (first, last) word indices, long ones cut into pieces of at most UNIT_MAX_S / MAX_WORDS / 2."""
    units: list[tuple[int, int]] = []
    for s in transcript.sentences():
        first = s.first_word
        for k in range(s.first_word, s.last_word + 1):
            if k > first and (words[k].end - words[first].start > UNIT_MAX_S or k - first >= MAX_WORDS // 2):
                units.append((first, k - 1))
                first = k
        units.append((first, s.last_word))
    return units



def documents(video: Video, transcript: Transcript, chapters: Sequence[Chapter]) -> list[dict[str, Any]]:
    words = transcript.words
    lang = primary_language(transcript.language or video.language)
    texts = [w.text for w in words]
    tokens = tokenize(texts, lang)  # once, and each word's times and stem: passages overlap
    firsts = [t.first for t in tokens]
    stems_of = [stem(t.text, lang) for t in tokens]
    scales = {k: number_scales(t, texts, lang) for k, t in enumerate(tokens) if t.text[:1].isdigit()}
    starts, ends = [round(w.start, 3) for w in words], [round(w.end, 3) for w in words]
    docs = []
    for n, p in enumerate(build_passages(transcript)):
        a, b = p.first_word, p.last_word + 1
        lo, hi = bisect_left(firsts, a), bisect_right(firsts, p.last_word)
        while hi > lo and tokens[hi - 1].last > p.last_word:  # a token ending past the passage stays out
            hi -= 1
        toks = tokens[lo:hi]
        chaps = [[c.start, c.end, c.title] for c in chapters if c.start < p.end and c.end > p.start]
        stems, keys = " ".join(stems_of[lo:hi]), " ".join(t.key for t in toks)
        # keys and stems are stored too: a search reads them instead of deriving them again for every hit
        doc = dict(title=video.title, start=p.start, end=p.end, first_word=p.first_word, chapters=chaps,
                   starts=starts[a:b], ends=ends[a:b], words=texts[a:b],
                   tokens=" ".join(t.text for t in toks), keys=keys, stems=stems,
                   tok_first=[t.first - a for t in toks], tok_last=[t.last - a for t in toks])
        # "3 million" is searchable as "million" too, a character of Chinese or Japanese as itself, and Uzbek
        # "foizga" as "foiz" (indexed only: the stored stems stay one per token)
        said = " ".join([*(s for k in range(lo, hi) for s in scales.get(k, ())), *characters(toks),
                         *(s for k in range(lo, hi) for s in shorter_stems(stems_of[k], lang))])
        fields: dict[str, Any] = dict(
            pid=f"{video.id}#{n}", video_id=video.id, language=lang or "", doc=doc,
            stem=f"{stems} {said}" if said else stems, keys=keys,
            pairs=" ".join(word_pairs(toks)))
        if video.channel:
            fields["channel"] = channel_key(video.channel)
        if video.published:
            fields["published"] = video.published[:10]
        docs.append(fields)
    return docs



def characters(toks: Sequence[Token]) -> list[str]:
    """Each character of the passage's runs of a spaceless script (Chinese, Japanese), once per time it is said.
    Such runs are indexed as character pairs, so a word of one character ("雨", rain) met only a character standing
    alone between marks: "今天下雨" is "今天 天下 下雨", and none of them is "雨"."""
    out: list[str] = []
    for t, after in zip(toks, [*toks[1:], None]):
        if len(t.key) == 2 and no_spaces(t.key):
            out.append(t.key[0])
            # the pair's second character is the next pair's first, unless the run ends here
            if after is None or after.key[:1] != t.key[1] or len(after.key) != 2 or after.first > t.last:
                out.append(t.key[1])
    return out


def word_pairs(toks: Sequence[Token]) -> list[str]:
    """Adjacent key pairs, so passages with the quote's words in the quote's order rank first. Only pairs whose
    hash is divisible by PAIR_SAMPLE are kept, on both sides: nearly every pair is a distinct term, which is what
    Whoosh spends most of its indexing time on."""
    pairs = (f"{a.key}_{b.key}" for a, b in zip(toks, toks[1:]))
    return [p for p in pairs if zlib.crc32(p.encode()) % PAIR_SAMPLE == 0]


def channel_key(channel: str) -> str:
    """A channel name as the index holds it and a filter compares it: composed (a name typed on macOS comes
    decomposed, "Te\u0301le\u0301" for "Télé"), case-folded, its apostrophes one character ("Oʻzbekiston 24", as
    Uzbek writes it, and "O'zbekiston 24", as a keyboard types it) and its spaces single."""
    name = one_apostrophe(unicodedata.normalize("NFC", channel))
    return " ".join(name.split()).casefold()
