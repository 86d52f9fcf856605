"""Caption cues a viewer can read, made from timed words.

Why a module of its own: a recogniser's segment runs up to 30 s (a whole Whisper window), and a caption file written
from one cue per segment shows a paragraph for half a minute; a clip cut from a cue must show the words said in the
clip, not the whole cue. Both need words joined back into text the way their script writes it: Whisper's words carry
their own leading space, a caption file's words were split at spaces, and Chinese, Japanese or Thai put none between
words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from media.captions import CaptionWord, Cue
from media.lines import SENTENCE_END, width

CUE_WIDTH = 84  # two lines of 42 characters, as broadcast and web captions keep them
CUE_SECONDS = 7.0  # the longest a cue stays on screen
BREAK_SHARE = 0.4  # a cue ends at its last clause mark when that mark is at least this far into it
# scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, kana, CJK ideographs, full-width forms)
_NO_SPACE = re.compile(r"[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF"
                       r"\uF900-\uFAFF\uFF00-\uFFEF]")
_CJK_CHARS = "\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF"  # kana and ideographs: a word a character
_CJK = re.compile(f"[{_CJK_CHARS}]")
_OPENING = "“‘「『（《〈([{"  # marks that go on the character after them
_CJK_UNITS = re.compile(f"[^\\w\\s]*[{_CJK_CHARS}][^{_CJK_CHARS}{_OPENING}\\w\\s]*|[^{_CJK_CHARS}\\s]+")
# a piece that goes on the word before it: closing punctuation, or a mark followed by the rest of a word or number
_ATTACHED = re.compile(r"[,.;:!?%)\]}»”…]+(?!\w)|[.,\-‐]\w|['’]\w{1,3}(?!\w)")  # ... "'s", "'ll" clitics
# a word an apostrophe elides into the next: one or two letters (l', d', c', j', n'), or ending in qu (qu', lorsqu')
_ELIDED = re.compile(r"(?:^|[\s(«“\"])(?:[^\W\d_]{1,2}|[^\W\d_]*qu)$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?…;:,。！？、，；：؟।،؛]['\"»”’)\]]*$")  # Arabic's comma ، and semicolon ؛ too


def join_words(texts: Iterable[str]) -> str:
    """Words as one line: as they come where they carry their own leading space (Whisper's), else a space between
    two words, but none where both sides are of a script written without spaces, nor before a piece that goes on the
    word before it: the recogniser hears "4.2", "12,000", "well-known" and "it's" as two tokens each (".2", ",000",
    "-known", "'s"), stored without their spacing, and a space there wrote "4 .2"."""
    parts = [t for t in texts if t.strip()]
    if any(t[:1].isspace() for t in parts[1:]):
        return "".join(parts).strip()
    out = ""
    for word in (t.strip() for t in parts):
        if out and spaced(out, word):
            out += " "
        out += word
    return out


def spaced(before: str, word: str) -> bool:
    """Whether a space goes between text and the word written after it (join_words' rule)."""
    first = word[:1]
    if first.isalnum():  # nothing attached starts with a letter or digit
        if first < "\u0e00":  # the common case: a word of an alphabet (none below U+0E00 goes without spaces)
            return True
    elif _ATTACHED.match(word) or first in "'’" and word[1:2].isalpha() and _ELIDED.search(before):
        return False  # ",000", "'s"; and a recogniser's French "l" "'heure": l'heure
    return not (_NO_SPACE.match(_edge(reversed(before))) and _NO_SPACE.match(_edge(word)))


def _edge(chars: Iterable[str]) -> str:
    """The first letter or digit of `chars` (punctuation passed over: "说：" and "“我" meet as 说 and 我), or ""."""
    return next((c for c in chars if c.isalnum()), "")


def split_spaceless(token: str) -> list[str]:
    """A caption's text between spaces as words: Chinese and Japanese one character each (punctuation on it, an
    opening mark on the character after), anything else as it is. A caption file times cues, not words: a whole
    Chinese cue stored as one word made every hit, mark and quote check span the cue. join_words puts them back."""
    return _CJK_UNITS.findall(token) if _CJK.search(token) else [token]


def spells(words: Iterable[CaptionWord], text: str) -> bool:
    """Whether `words` joined are `text` (spaces aside): only then may a cue's text be rebuilt from a part of them
    (a file may time some of a cue's words only)."""
    return "".join(join_words(w.text for w in words).split()) == "".join(text.split())


def readable_cues(words: Sequence[CaptionWord]) -> list[Cue]:
    """Timed words as cues of at most CUE_WIDTH columns and CUE_SECONDS (a single longer word stays whole), each
    ending at a sentence's end, else a clause mark, where one falls late enough in it."""
    out: list[Cue] = []
    run: list[CaptionWord] = []
    for word in words:
        if not word.text.strip():
            continue
        while run and (width(join_words(w.text for w in (*run, word))) > CUE_WIDTH
                       or word.end - run[0].start > CUE_SECONDS):
            cut = _break(run)
            out.append(_cue(run[:cut]))
            run = run[cut:]
        run.append(word)
    if run:
        out.append(_cue(run))
    return out


def _break(run: Sequence[CaptionWord]) -> int:
    """How many of `run`'s words the cue takes: up to its last sentence end if that is late enough, else up to its
    last clause mark (a comma ...) if that is, else all."""
    for mark in (SENTENCE_END, _CLAUSE_END):
        for k in range(len(run) - 1, 0, -1):
            if k + 1 < BREAK_SHARE * len(run):
                break
            if mark.search(run[k].text.strip()):
                return k + 1
    return len(run)


def _cue(words: Sequence[CaptionWord]) -> Cue:
    return Cue(words[0].start, max(w.end for w in words), join_words(w.text for w in words), tuple(words))
