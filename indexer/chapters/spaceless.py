"""Headline runs of a sentence written without spaces between its words (Chinese, Japanese): a clause's
characters, cut where a word may end (indexer.chapters.phrases cuts other scripts at their spaces)."""

from __future__ import annotations

import re
from collections.abc import Callable

from indexer.text.normalize import Token, tokenize


def _script(ch: str) -> str:
    """"kanji" or "katakana" for a character of a run that makes one Japanese word, else ""."""
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return "kanji"
    return "katakana" if "\u30a0" <= ch <= "\u30ff" else ""


def _hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def _inside_ending(clause: str, end: int) -> bool:
    """Whether a cut before clause[end] falls inside the hiragana that end a word written in kanji or katakana (a
    verb's or adjective's ending: 発表しまし|た), not before a particle."""
    if not (_hiragana(clause[end - 1]) and _hiragana(clause[end])) or clause[end] in _PARTICLES:
        return False
    start = end - 1
    while start > 0 and _hiragana(clause[start - 1]) and clause[start - 1] not in _PARTICLES:
        start -= 1
    return start > 0 and _script(clause[start - 1]) != ""


_PARTICLES = frozenset("をがはにでとへもの")
_CLAUSE = re.compile(r"[\s，、；：。！？,;:!?…「」『』“”\"（）()《》]+")


def clause_runs(sentence: str, language: str | None, weights: dict[str, float], key: Callable[[Token], str],
                cut_cost: float, named: int, shortest: int = 4, longest: int = 16) -> list[tuple[float, str]]:
    """Headline runs of a sentence in Chinese or Japanese: a clause whole where it is short enough, else its first
    `shortest`..`longest` characters (a news clause names its subject first: 北京市政府周二宣布), scored as word runs
    are, by the chapter's salient bigrams they hold, less a little per character and more for a cut clause. Titles
    of bigram keywords ("京市 府周 车站") read as nothing. (score, text) pairs, best first; `cut_cost` and `named` as
    indexer.chapters.phrases weighs word runs."""
    out: list[tuple[float, str]] = []
    for clause in _CLAUSE.split(sentence):
        ends = [len(clause)] if len(clause) <= longest else range(shortest, longest + 1)
        for end in ends if len(clause) >= shortest else ():
            seen = {key(t) for t in tokenize([clause[:end]], language, numbers=False)}
            score = sum(sorted((weights.get(k, 0.0) for k in seen), reverse=True)[:named]) - 0.02 * end
            # a cut costs less before a Japanese particle after a word (子育て支援制度|を), more inside a run of
            # kanji or katakana (支|援); none is made inside the hiragana ending of a word written in kanji
            # (発表しまし|た: no word as said)
            cut = end < len(clause)
            if cut and _inside_ending(clause, end):
                continue
            word_end = cut and clause[end] in _PARTICLES and _script(clause[end - 1]) != ""
            inside = cut and _script(clause[end - 1]) == _script(clause[end]) != ""
            score -= cut_cost * cut - cut_cost / 2 * word_end + cut_cost / 2 * inside
            out.append((score, clause[:end]))
    return sorted(out, key=lambda p: -p[0])
