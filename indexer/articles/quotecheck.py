"""Check an article's direct quotes against what was actually said.

Why word by word: a newsroom shortens, tidies and sometimes misremembers what a speaker said, and a reader who
clicks through to the video should learn exactly where the printed words and the spoken ones part. So the quote is
aligned with the text layer's word aligner (indexer.text.align, scored with `QUOTE_CHECK`: the whole quote against
any stretch of speech) where:

- both sides are read by the one tokeniser with written variants folded ("it's"/"it is", "colour"/"color",
  "per cent"/"percent", "four hundred"/"400"), so house style is not reported as a change;
- a word spelled almost the same costs little (a recogniser's spelling) but is a difference, which the verdict
  reads as a likely mishearing where it sounds alike ("bridges"/"bridge" is another word: a misquote the audio
  decides); two words written as one ("any more"/"anymore") are the same words;
- an ellipsis or a [bracketed insertion] in the quote allows skipped speech there, unless that speech holds a
  negation (then it is words the quote leaves out); an insertion that says "not" is read as words said;
- a word and its opposite are never the same word, however alike they are spelled (indexer.text.polarity).

The alignment runs on the paragraph's own span first, plus the places anywhere in the transcript where the quote's
rarer words cluster (a quote may be said before or after the paragraph's moment). No difference: `verbatim`; enough
of the quote said with changes: `differs`, with each change (article words, spoken words, time, and how sure the
recogniser was); otherwise `not found`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from indexer.articles.quotes import Quote
from indexer.models import Word, ends_sentence
from indexer.text.align import QUOTE_CHECK, Alignment, Op, align, differing, score_ops
from indexer.text.normalize import Token, fold, split_words, text_words, tokenize
from indexer.text.polarity import BESIDE, flips_polarity, in_sentence, negation_beside, negations, said_beside
from media.readable import join_words

QuoteStatus = Literal["verbatim", "differs", "probably verbatim", "not found"]
Basis = Literal["audio", "captions"]  # what a check's verdict rests on: the audio re-scored, or the stored text only
_PARTS = re.compile(r"\.\.\.|…|\[[^\]]*\]")  # where a quote leaves speech out: an ellipsis, [an insertion]
_BRACKET = re.compile(r"\[([^\]]*)\]")
_EDGE = re.compile(r"^\W+|\W+$")
REGIONS = 4  # alignments tried per quote: the paragraph's span and the places the quote's words cluster most
REACH = 2  # an edge word of the quote paired with a dissimilar word may pair with one this many words further out,
REACH_ALIKE = 0.75  # at least this alike (key similarity: "never" and "we" are 0.57),
REACH_MARGIN = 0.2  # and this much more alike than the word it was paired with


@dataclass(frozen=True)
class WordDiff:
    article: str  # the article's words here ("" when the speaker said words the quote leaves out)
    spoken: str  # the words actually said ("" when the quote adds words)
    start: float
    end: float
    confidence: float = 1.0  # the recogniser's lowest word probability here: low means perhaps misheard
    audio: float | None = None  # log-probability margin of the article's wording over the transcript's in the
    #                             re-scored audio (> 0: the audio fits the article better); None: not re-scored
    alike: float = 0.0  # how alike the two wordings sound, 0..1
    critical: bool = False  # changes the meaning however it sounds: a word added or dropped, a number, a negation


@dataclass(frozen=True)
class QuoteCheck:
    paragraph: int
    quote: int  # index into the paragraph's quotes
    text: str
    speaker: str | None
    status: QuoteStatus
    score: float  # 0..1: 1 - word edit cost / quote length
    start: float | None = None
    end: float | None = None
    spoken: str = ""  # the words said, where the quote was found
    differences: tuple[WordDiff, ...] = ()  # "differs": the changes the audio (or the text) confirms
    via_translation: bool = False
    basis: Basis = "captions"
    misheard: tuple[WordDiff, ...] = ()  # changes that are likely the recogniser's: what it heard, and the article


def quoted(text: str) -> str:
    """A wording in single quotes as it is written (`repr` showed Persian's zero-width non-joiner, and other
    invisible letters, as escapes: 'نمی\\u200cدهیم')."""
    return f"'{text}'"


def quote_detail(check: QuoteCheck, *, basis: bool = True) -> str:
    """One line for people: the changes a "differs" verdict rests on, or what the recogniser (or, without audio,
    the captions) has where the article differs. `basis`: say what the check rests on (a caller that shows
    `check.basis` beside it leaves it out)."""
    against = "" if check.basis == "audio" or not basis else " (checked against captions, not the audio)"
    heard = "the recogniser heard" if check.basis == "audio" else "the captions say"
    if check.differences:
        return "; ".join(f"article: {quoted(d.article)}, said: {quoted(d.spoken)} at {d.start:.1f} s"
                         for d in check.differences) + against
    if check.misheard:
        return "; ".join(f"{heard} {quoted(d.spoken)} where the article has {quoted(d.article)} at {d.start:.1f} s"
                         for d in check.misheard) + against
    return ""


def spoken_tokens(words: Sequence[Word], language: str) -> list[Token]:
    """Tokens of spoken words as quote checks read them; their word indices point into `words`."""
    return tokenize(["".join(w.text.split()) for w in words], language, variants=True)


def check_quote(quote: Quote, spoken: Sequence[Token], words: Sequence[Word], language: str, *, near: float,
                found_min: float, paragraph: int = 0, number: int = 0, region: tuple[int, int] | None = None,
                via_translation: bool = False, around: tuple[str, str] = ("", "")) -> QuoteCheck:
    """A quote against spoken words: its best alignment in `region` (word indices) or wherever its words cluster.

    `near`: word similarity from which two spellings cost only their difference (only equal keys are the same
    word: one word written two ways, "colour" / "color"; "bridges" / "bridge" is a difference); `found_min`: the
    score below which the quote counts as not found; `around`: the article's own text before and after the quote
    in its paragraph.
    """
    qtoks, free, surfaces = quote_tokens(quote.text, language)
    base = QuoteCheck(paragraph, number, quote.text, quote.speaker, "not found", 0.0, via_translation=via_translation)
    if not qtoks or not spoken:
        return base
    scoring = replace(QUOTE_CHECK, near=near)
    best: Alignment | None = None
    for lo, hi in _regions(qtoks, spoken, region, near):
        found = align(qtoks, spoken[lo:hi], scoring, free)
        if found and (best is None or found.score > best.score):
            best = replace(found, ops=tuple(replace(op, spoken=None if op.spoken is None else op.spoken + lo)
                                            for op in found.ops))
    if best is None:
        return base
    if best.score < found_min:
        return replace(base, score=round(best.score, 3))
    texts = [w.text for w in words]
    best = _across_sentences(best, qtoks, spoken, texts, near)
    best = _negation_beside(_reach_edges(best, qtoks, spoken, words, texts, near, surfaces), len(qtoks), spoken,
                            texts, language, around, near)
    best = _negation_left_out(best, len(qtoks), spoken, words, language, near)
    said = [w for op in best.ops if op.spoken is not None for w in (spoken[op.spoken].first, spoken[op.spoken].last)]
    first, last = min(said), max(said)
    diffs = _diffs(list(best.ops), qtoks, surfaces, spoken, words, language)
    return QuoteCheck(paragraph, number, quote.text, quote.speaker, "differs" if diffs else "verbatim",
                      round(best.score, 3), float(words[first].start), float(words[last].end),
                      join_words(w.text for w in words[first:last + 1]), diffs, via_translation)


def _across_sentences(found: Alignment, qtoks: Sequence[Token], spoken: Sequence[Token], texts: Sequence[str],
                      near: float) -> Alignment:
    """Quote words at an edge paired with unlike words of another sentence are words the speaker did not say there:
    "В этом году мы не будем повышать налоги" against "Добрый вечер. Мы не будем повышать налоги в этом году." read
    "article says 'В этом году', speaker said 'Добрый вечер'", the greeting of the cue before. They are unsaid, and
    where the speaker said them just beside the span, in its sentence, those words join the span as words the quote
    leaves out: the check then says the article adds them at one place and leaves them out at the other."""
    ops = list(found.ops)
    paired = [k for k, op in enumerate(ops) if op.spoken is not None and op.quote is not None
              and op.similarity >= near]
    if not paired:
        return found

    def apart(j: int, anchor: int) -> bool:  # a sentence ends between spoken tokens j and anchor
        lo, hi = sorted((j, anchor))
        return any(ends_sentence(texts[w]) for w in range(spoken[lo].last, spoken[hi].first))

    for k, op in enumerate(ops):
        if op.kind == "changed" and op.similarity < near and op.spoken is not None and (
                (k < paired[0] and apart(op.spoken, ops[paired[0]].spoken or 0))
                or (k > paired[-1] and apart(op.spoken, ops[paired[-1]].spoken or 0))):
            ops[k] = Op("missing", op.quote, None)
    if ops == list(found.ops):
        return found
    unsaid = [qtoks[op.quote].key for op in ops if op.kind == "missing" and op.quote is not None]
    beside = said_beside([op.spoken for op in ops if op.spoken is not None], unsaid, spoken, texts, 0)
    if beside:
        side, run, _ = beside
        extra = [Op("extra", None, j) for j in run]
        ops = ops + extra if side == "after" else extra + ops
    said = [op.spoken for op in ops if op.spoken is not None]
    return Alignment(min(said), max(said), score_ops(ops, len(qtoks), near), tuple(ops))


def _reach_edges(found: Alignment, qtoks: Sequence[Token], spoken: Sequence[Token], words: Sequence[Word],
                 texts: Sequence[str], near: float, surfaces: Sequence[str]) -> Alignment:
    """The quote's first or last word, paired with a dissimilar word at the span's edge, paired instead with a word
    like it said up to REACH words further out in the same sentence, the words between added. The alignment counts
    both as one change each way, so it ended the span early: "кеңейтуді тоқтатамыз" ("we will stop") against
    "кеңейтуді ешқашан тоқтатпаймыз" ("we will never stop") read "'тоқтатамыз' was said as 'ешқашан'", and the
    verb said, the reversed meaning, was left out of the span. A number is alike as read and as written: "forty"
    (read 40) heard as "for the moats" pairs with "for", where "the" alone made the span, and a correction from
    the article left "for" before "forty boats"."""
    ops = list(found.ops)
    pairs = [k for k, op in enumerate(ops) if op.quote is not None and op.spoken is not None]
    if not pairs:
        return found
    for k, step in ((pairs[-1], 1), (pairs[0], -1)):
        op = ops[k]
        edge_word = len(qtoks) - 1 if step == 1 else 0
        at = op.spoken
        if op.kind != "changed" or op.similarity >= near or op.quote != edge_word or at is None:
            continue
        reach = in_sentence(at, step, REACH, spoken, texts)
        written = fold(" ".join(surfaces[qtoks[edge_word].first:qtoks[edge_word].last + 1]))
        alike = {j: max(fuzz.ratio(qtoks[edge_word].key, spoken[j].key), fuzz.ratio(written, fold(" ".join(
            w.text.strip() for w in words[spoken[j].first:spoken[j].last + 1])))) / 100.0 for j in reach}
        best_j = max(alike, key=lambda j: (alike[j], -abs(j - at)), default=None)
        if best_j is None or alike[best_j] < REACH_ALIKE or alike[best_j] < op.similarity + REACH_MARGIN:
            continue
        between = [Op("extra", None, j) for j in range(at, best_j, step)]
        moved = Op("same" if alike[best_j] >= 1.0 else "changed", op.quote, best_j, alike[best_j])
        ops[k:k + 1] = between + [moved] if step == 1 else [moved] + between[::-1]
    if ops == list(found.ops):
        return found
    said = [op.spoken for op in ops if op.spoken is not None and op.quote is not None]
    return Alignment(min(said), max(said), score_ops(ops, len(qtoks), near), tuple(ops))


def _negation_beside(found: Alignment, quoted: int, spoken: Sequence[Token], texts: Sequence[str], language: str,
                     around: tuple[str, str], near: float) -> Alignment:
    """A negation said just outside the quoted words, in the same sentence, taken into the span as words the quote
    leaves out: "No new taxes will be introduced" quoted as “New taxes will be introduced”, or German's
    sentence-final "nicht" ("Das akzeptieren wir nicht" quoted as „Das akzeptieren wir“), reverses what was said,
    and an alignment that lets a quote begin anywhere in the speech had called it verbatim. Unless the article's
    own words beside the quote carry the negation (there would be no “new taxes this year”)."""
    said = [op.spoken for op in found.ops if op.spoken is not None]
    if not said:
        return found
    ops = list(found.ops)
    for step, edge, beside in ((-1, min(said), around[0]), (1, max(said), around[1])):
        said_no = negation_beside(edge, step, spoken, texts, language)
        near_words = split_words(beside, language)
        if not said_no or negations(near_words[-BESIDE:] if step == -1 else near_words[:BESIDE], language):
            continue
        taken = [Op("extra", None, j) for j in said_no]
        ops = taken[::-1] + ops if step == -1 else ops + taken
    if len(ops) == len(found.ops):
        return found
    said = [op.spoken for op in ops if op.spoken is not None]
    return Alignment(min(said), max(said), score_ops(ops, quoted, near), tuple(ops))


def _negation_left_out(found: Alignment, quoted: int, spoken: Sequence[Token], words: Sequence[Word], language: str,
                       near: float) -> Alignment:
    """Speech an ellipsis or a [bracket] leaves out is free, unless it holds a negation: "We will … close the
    hospital" for "We will not, under any circumstances, close the hospital" printed the opposite of what was said,
    and was verbatim. Such a stretch is taken as words the quote leaves out, so the check shows it."""
    ops = list(found.ops)
    k = 0
    while k < len(ops):
        end = k
        while end < len(ops) and ops[end].kind == "skipped":
            end += 1
        run = [op.spoken for op in ops[k:end] if op.spoken is not None]
        if run and negations([words[w].text for j in run for w in range(spoken[j].first, spoken[j].last + 1)],
                             language):
            ops[k:end] = [Op("extra", None, j) for j in run]
        k = max(end, k + 1)
    if ops == list(found.ops):
        return found
    return replace(found, score=score_ops(ops, quoted, near), ops=tuple(ops))


def quote_tokens(text: str, language: str) -> tuple[list[Token], set[int], list[str]]:
    """Tokens of a quote, the tokens after which speech may be skipped, and its words as printed (no punctuation).

    Each part between two skips is read on its own, so a number never runs across an ellipsis.
    """
    toks: list[Token] = []
    surfaces: list[str] = []
    free: set[int] = set()
    # an insertion that says "not" is read as words said: "We will [not] raise taxes" needs the "not" in the speech
    text = _BRACKET.sub(lambda m: m[1] if negations(split_words(m[1], language), language) else m[0], text)
    for part in _PARTS.split(text):
        raws = text_words(part)  # Chinese or Japanese a character each, as their speech is read
        offset = len(surfaces)
        toks += [t._replace(first=t.first + offset, last=t.last + offset)
                 for t in tokenize(raws, language, variants=True)]
        surfaces += [_EDGE.sub("", r) for r in raws]
        if toks:
            free.add(len(toks) - 1)
    free.discard(len(toks) - 1)
    return toks, free, surfaces


def _regions(quote: Sequence[Token], spoken: Sequence[Token], region: tuple[int, int] | None,
             near: float) -> list[tuple[int, int]]:
    """Token ranges worth aligning: the paragraph's span, and the places where the quote's words cluster most."""
    q, s = [t.key for t in quote], [t.key for t in spoken]
    m, out = len(q), []
    if region:
        firsts = np.array([t.first for t in spoken])
        out.append((int(np.searchsorted(firsts, region[0])), int(np.searchsorted(firsts, region[1], side="right"))))
    uniq = sorted(set(s))
    sim = process.cdist(uniq, sorted(set(q)), scorer=fuzz.ratio, workers=1).max(axis=1) / 100.0
    freq = Counter(s)
    weight = {u: (v if v >= near else 0.0) * math.log(1 + len(s) / freq[u]) for u, v in zip(uniq, sim)}
    mass = np.convolve(np.array([weight[t] for t in s]), np.ones(m), mode="full")[m - 1:]  # window from each start
    for start in np.argsort(-mass):
        if len(out) >= REGIONS or mass[start] <= 0:
            break
        if all(abs(int(start) - lo) >= m for lo, _ in out[1 if region else 0:]):
            out.append((max(int(start) - m - 3, 0), min(int(start) + 2 * m + 3, len(s))))  # room for an ellipsis
    return out


def _mark(op: Op, opposite: bool = False) -> str:
    """'=' same (or the same keys, spelling variants folded, unless `opposite`: a word and its negation), '~'
    changed (another form of the word too: "bridges" / "bridge" was the same word when `near` alike, and an editor
    was told a wrong word was said verbatim), '-' not said, '+' said but not quoted, '.' skipped."""
    if op.kind == "same" or (op.kind == "changed" and op.similarity >= 1.0 and not opposite):
        return "="
    return {"changed": "~", "missing": "-", "extra": "+", "skipped": "."}.get(op.kind, "~")


def _opposite(op: Op, qtoks: Sequence[Token], spoken: Sequence[Token], language: str) -> bool:
    """A pair spelled almost the same that says the opposite: "constitutional" / "unconstitutional",
    "to'xtatamiz" / "to'xtatmaymiz" (indexer.text.polarity)."""
    return (op.kind == "changed" and op.quote is not None and op.spoken is not None
            and flips_polarity(qtoks[op.quote].text, spoken[op.spoken].text, language))


def _diffs(ops: list[Op], qtoks: Sequence[Token], surfaces: list[str], spoken: Sequence[Token],
           words: Sequence[Word], language: str) -> tuple[WordDiff, ...]:
    marks = [_mark(op, _opposite(op, qtoks, spoken, language)) for op in ops]
    groups: list[list[Op]] = []
    for k, op in enumerate(ops):
        if marks[k] in "=.":
            continue
        if groups and marks[k - 1] not in "=.":
            groups[-1].append(op)
        else:
            groups.append([op])
    out = []
    for group in groups:
        qsrc = sorted({w for op in group if op.quote is not None
                       for w in range(qtoks[op.quote].first, qtoks[op.quote].last + 1)})
        ssrc = sorted({w for op in group if op.spoken is not None
                       for w in range(spoken[op.spoken].first, spoken[op.spoken].last + 1)})
        if ssrc:
            start, end = float(words[ssrc[0]].start), float(words[ssrc[-1]].end)
        else:  # words the quote adds: the moment between the spoken words around them
            start = end = _gap_time(ops, ops.index(group[0]), spoken, words)
        spoken_text = join_words(_EDGE.sub("", words[w].text.strip()) for w in ssrc)
        confidence = float(min((words[w].probability for w in ssrc), default=1.0))
        article_text, spoken_text = differing(join_words(surfaces[w] for w in qsrc), spoken_text)
        out.append(WordDiff(article_text, spoken_text, start, end, round(confidence, 3)))
    return tuple(out)


def _gap_time(ops: list[Op], k: int, spoken: Sequence[Token], words: Sequence[Word]) -> float:
    before = [spoken[op.spoken].last for op in ops[:k] if op.spoken is not None]
    after = [spoken[op.spoken].first for op in ops[k:] if op.spoken is not None]
    return float(words[before[-1]].end if before else words[after[0]].start if after else 0.0)
