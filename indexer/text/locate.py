"""Where a quote was said in a passage's words (search's use of the aligner, `text/align.py`), with what differs, as
a user reads it: the span taken as the aligner found it, then a negation said just beside it taken in (the opposite
was said), and quote words said in another place of the sentence taken as moved, not missing.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.models import Word, ends_sentence
from indexer.text.align import NEAR, Alignment, Op, align, differing, score_ops
from indexer.text.normalize import Token, fold, text_words, tokenize, tokenize_text
from indexer.text.polarity import BESIDE, closes_clause, flips_polarity, negation_beside, negations, said_beside
from indexer.text.stopwords import stop_words
from media.readable import join_words

_STRIP = string.punctuation + "\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u2026"  # around a word as written


@dataclass(frozen=True)
class Match:
    """A quote located in a word sequence: indices into the words, times, score and what differs."""

    first_word: int
    last_word: int
    start: float
    end: float
    score: float
    said: tuple[str, ...]  # the words as spoken
    matched_words: tuple[int, ...]  # indices of words that match a quote word (for highlighting)
    differences: tuple[str, ...]

    @property
    def text(self) -> str:
        """The words as spoken, as one line (joined when asked: a search locates a quote in many passages)."""
        return join_words(self.said)


def describe(op: Op, quote: Sequence[Token], quote_words: Sequence[str], spoken: Sequence[Token],
             spoken_words: Sequence[str]) -> str:
    """A user-facing line for one difference, in the words as typed and as spoken."""
    q = _words(quote, quote_words, op.quote)
    s = _words(spoken, spoken_words, op.spoken)
    if op.kind == "swapped" and op.quote is not None and op.spoken is not None:
        q2, s2 = _words(quote, quote_words, op.quote + 1), _words(spoken, spoken_words, op.spoken + 1)
        return f"'{q} {q2}' was said in the other order: '{s} {s2}'"
    if op.kind == "changed":
        q, s = differing(q, s)
        return f"'{q}' was said as '{s}'"
    if op.kind == "missing":
        return f"'{q}' was not said"
    return f"'{s}' was said but is not in the quote"


def _words(tokens: Sequence[Token], words: Sequence[str], index: int | None) -> str:
    """The words a token was read from, as written; a token read from a sign inside a word ("percent" from "30%",
    beside the token "30") is named as that sign, since naming the whole word, less its "%", said "30", and naming
    its reading named a word nobody typed or said ("'percent' was said as 'المئة'")."""
    if index is None:
        return ""
    tok = tokens[index]
    shared = any(0 <= k < len(tokens) and tokens[k].first <= tok.last and tokens[k].last >= tok.first
                 for k in (index - 1, index + 1))
    if shared and tok.first == tok.last and tok.text not in fold(words[tok.first]):
        sign = [c for c in words[tok.first] if c in "%\u066a&"]
        if sign:
            return sign[0]
    span = [w.strip().strip(_STRIP) or w.strip() for w in words[tok.first:tok.last + 1]]
    return span[0] if len(span) == 1 else join_words(span)


def _with_negations_beside(found: Alignment, quote: Sequence[Token], spoken: Sequence[Token], texts: Sequence[str],
                           language: str | None) -> Alignment:
    """The negation said next to a quote's span taken into it, the nearest one only: a search hit shows that the
    opposite was said and costs a word for it, where a quote check names every word of it. A quote with a negation
    of its own keeps its span ("не закроем" said as "никогда не закроем" says the same)."""
    said = [op.spoken for op in found.ops if op.spoken is not None]
    if not said or negations([t.text for t in quote], language):
        return found
    before = negation_beside(min(said), -1, spoken, texts, language, farthest=False)
    after = negation_beside(max(said), 1, spoken, texts, language, farthest=False)
    if after and after[-1] < len(spoken) - 1 and not closes_clause(texts[spoken[after[-1]].last]):
        after = []  # "we will | not withdraw": the "not" belongs to the words after the quote, not to the quote
    if not before and not after:
        return found
    ops = [Op("extra", None, j) for j in before[::-1]] + list(found.ops) + [Op("extra", None, j) for j in after]
    return Alignment(min(said + before), max(said + after), score_ops(ops, len(quote)), tuple(ops))


def _with_moves(found: Alignment, quote: Sequence[Token], spoken: Sequence[Token], texts: Sequence[str],
                language: str | None) -> tuple[Alignment, list[list[Op]]]:
    """Quote words the span leaves unsaid that were said, the same words in the same order, in another place of its
    sentence: among the span's extra words, or just outside it ("в этом году мы не будем повышать налоги" against
    "Мы не будем повышать налоги в этом году." read "'в' was not said; 'этом' was not said; 'году' was not said";
    "biz soliqlarni bu yil ..." against "Biz bu yil soliqlarni ...": "'soliqlarni' was not said; 'soliqlarni' was
    said but is not in the quote"). The hit then says so, and its span takes the words in; its score stays as the
    aligner gave it: crediting a move ranked passages of the same words in another order (the evaluation's shuffled
    distractors) above the one said. A run of one stop word is no move ("the" said elsewhere). The runs of moved
    ops, to describe."""
    ops, moves, common = list(found.ops), [], stop_words(language)
    for run in _missing_runs(ops):
        keys = [quote[q].key for q in run]
        if len(run) == 1 and quote[run[0]].text in common:
            continue
        said = _extras_saying(ops, keys, spoken) or said_beside(
            [op.spoken for op in ops if op.spoken is not None], keys, spoken, texts, BESIDE)
        if said is None:
            continue
        moved = [Op("moved", q, j, 1.0) for q, j in zip(run, said[1])]
        kept = [op for op in ops if not (op.kind == "missing" and op.quote in run)]
        if said[0] == "in":
            at = {j: m for j, m in zip(said[1], moved)}
            ops = [at.get(op.spoken, op) if op.kind == "extra" and op.spoken is not None else op for op in kept]
        else:
            gap = [Op("extra", None, j) for j in said[2]]
            ops = kept + gap + moved if said[0] == "after" else moved + gap + kept
        moves.append(moved)
    if not moves:
        return found, []
    at_all = [op.spoken for op in ops if op.spoken is not None]
    return Alignment(min(at_all), max(at_all), found.score, tuple(ops)), moves


def _missing_runs(ops: Sequence[Op]) -> list[list[int]]:
    """The quote tokens left unsaid, in runs of neighbours."""
    runs: list[list[int]] = []
    for op in ops:
        if op.kind != "missing" or op.quote is None:
            continue
        if runs and op.quote == runs[-1][-1] + 1:
            runs[-1].append(op.quote)
        else:
            runs.append([op.quote])
    return runs


def _extras_saying(ops: Sequence[Op], keys: list[str], spoken: Sequence[Token]
                   ) -> tuple[str, list[int], list[int]] | None:
    """Extra words of the span, one after another, that say `keys`."""
    for k in range(len(ops) - len(keys) + 1):
        window = ops[k:k + len(keys)]
        if all(o.kind == "extra" and o.spoken is not None and spoken[o.spoken].key == key
               for o, key in zip(window, keys)):
            return "in", [o.spoken for o in window if o.spoken is not None], []
    return None


def _describe_move(run: Sequence[Op], found: Alignment, quote: Sequence[Token], quote_words: Sequence[str],
                   spoken: Sequence[Token], spoken_words: Sequence[str]) -> str:
    """"'в этом году' was said in another place, after 'налоги'"."""
    words = " ".join(_words(quote, quote_words, op.quote) for op in run)
    first, last = run[0].spoken or 0, run[-1].spoken or 0
    if first > found.first:
        return f"'{words}' was said in another place, after '{_words(spoken, spoken_words, first - 1)}'"
    return f"'{words}' was said in another place, before '{_words(spoken, spoken_words, last + 1)}'"


def locate(quote: str, words: Sequence[Word], language: str | None = None) -> Match | None:
    """Where in `words` the quote was said (best span), with its times, score and differences."""
    return locate_in(quote, [w.text for w in words], [(w.start, w.end) for w in words], language)


def locate_in(quote: str, texts: Sequence[str], times: Sequence[Sequence[float]], language: str | None = None,
              spoken: Sequence[Token] | None = None) -> Match | None:
    """`locate` on plain word texts and (start, end) pairs; `spoken` may pass tokenize(texts, language)."""
    qtokens = tokenize_text(quote, language)
    spoken = tokenize(texts, language) if spoken is None else spoken
    found = align(qtokens, spoken, ends=lambda j: ends_sentence(texts[spoken[j].last]))
    if found is None:
        return None
    found = _with_negations_beside(found, qtokens, spoken, texts, language)
    found, moves = _with_moves(found, qtokens, spoken, texts, language)
    first, last = spoken[found.first].first, spoken[found.last].last
    matched = sorted({w for op in found.ops if op.spoken is not None and op.similarity >= NEAR
                      for w in range(spoken[op.spoken].first, spoken[op.spoken + (op.kind == "swapped")].last + 1)})
    changed = [op for op in found.ops if op.kind not in ("same", "skipped")]
    quote_words = text_words(quote) if changed else []
    # a word said as its opposite ("oshiramiz" / "oshirmaymiz": "we will raise" / "we will not") costs a whole word,
    # as a "not" said or left out does: spelled almost alike, it cost its small distance and the hit read 0.98
    opposite = [op for op in changed if op.kind == "changed" and op.quote is not None and op.spoken is not None
                and flips_polarity(qtokens[op.quote].text, spoken[op.spoken].text, language)]
    score = max(found.score - sum(op.similarity for op in opposite) / len(qtokens), 0.0)
    # two bigrams of one changed character: one line
    lines = [describe(op, qtokens, quote_words, spoken, texts) + " (the opposite)" * (op in opposite)
             for op in changed if op.kind != "moved"]
    lines += [_describe_move(run, found, qtokens, quote_words, spoken, texts) for run in moves]
    diffs = tuple(dict.fromkeys(lines))
    return Match(first, last, times[first][0], times[last][1], score, tuple(texts[first:last + 1]),
                 tuple(matched), diffs)
