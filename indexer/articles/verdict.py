"""The verdict on a quote the transcript says differs: a misquote, or a recogniser's mistake?

Why the audio decides: the transcript is the recogniser's best guess, and it mishears ("residence" as "residents",
"capital" as "Capitol", a name it does not know). A newsroom needs "differs" only when the speaker really said
something else, so each difference is put back to the audio: the quote's span is re-scored by the Whisper model
under the transcript's wording and under the wording with the article's words in place of that difference (forced
decoding, indexer/asr/rescore.py). The margin between the two log-probabilities says which the audio supports.

- margin well below zero: the audio supports the transcript and not the article: the difference is confirmed;
- otherwise the article's words fit the audio about as well (or better): a likely recogniser error, kept under
  `misheard` with what the recogniser heard.

The bar depends on what kind of difference it is. A difference that changes what the quote means whatever it sounds
like (a word added or dropped, a number changed, a negation on one side only: indexer.text.polarity) has the
strictest bar: the audio must favour the article's wording nearly as much as the transcript's. A word the
recogniser heard in place of another has a looser one, looser still where the two sound alike: there the speaker
said *something* at that moment, and the recogniser's pick among similar sounds is what is in doubt.

The decoder is given the transcript's words before the span as its previous text, as Whisper is when it
transcribes: a wording is then scored in its sentence, not as a fragment out of nowhere.
Without audio (captions are the only source) only the sound is left: a substitution that sounds alike is a likely
mishearing, anything else differs, and the check says it was made against captions.

The quote is "differs" when at least one difference is confirmed, "probably verbatim" when all were misheard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from indexer.articles.quotecheck import Basis, QuoteCheck, WordDiff
from indexer.models import Word
from indexer.text.normalize import tokenize
from indexer.text.polarity import flips_polarity

# (start, end, wordings, previous text) -> the log-probability of each wording for the audio of [start, end]
SpanScorer = Callable[[float, float, Sequence[str], str], Sequence[float]]
PROMPT_WORDS = 24  # transcript words before the span given to the decoder as previous text
PROMPT_S = 30.0  # ... said at most this long before it
_VOWELS = re.compile(r"(?<=.)[aeiouyəø]+")
_SOUNDS = (("ph", "f"), ("ck", "k"), ("c", "k"), ("z", "s"), ("q", "k"), ("x", "ks"), ("d", "t"), ("b", "p"),
           ("g", "k"), ("v", "f"))


@dataclass(frozen=True)
class VerdictSettings:
    """Calibrated by bench/eval_quotes.py (docs/benchmarks.md): the values both halves of its stories chose when
    each was tuned on its own, the lower where they differed."""

    margin_alike: float = 7.0  # nats the article's wording may lose by and still be a mishearing, sounding alike
    margin_unlike: float = 6.0  # the same for wordings that do not sound alike
    margin_critical: float = 4.0  # the same for a word added or dropped, a number changed, a negation flipped
    alike_min: float = 0.75  # sound similarity from which two wordings "sound alike"
    doubt: float = 1.0  # nats added to the margin per unit of the recogniser's doubt (1 - its word probability)


def sound_alike(a: str, b: str, language: str | None = None) -> float:
    """How alike two wordings sound, 0..1, from their letters: spelling, script, voicing and number words folded.

    Numbers count as alike only when equal (a changed figure is never a mishearing by the sound of it)."""
    fa, fb = _phon(a, language), _phon(b, language)
    if not fa or not fb:
        return 0.0
    if any(c.isdigit() for c in fa + fb):
        return 1.0 if fa == fb else 0.0
    skel = fuzz.ratio(_VOWELS.sub("", fa), _VOWELS.sub("", fb)) / 100.0
    return round(max(fuzz.ratio(fa, fb) / 100.0, skel), 3)


def _phon(text: str, language: str | None) -> str:
    out = "".join(t.key for t in tokenize(text.split(), language, variants=True))
    for src, dst in _SOUNDS:
        out = out.replace(src, dst)
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^\w]", "", out))


def judge(check: QuoteCheck, words: Sequence[Word], scorer: SpanScorer | None,
          cfg: VerdictSettings | None = None, language: str | None = None) -> QuoteCheck:
    """The final check: `differs` split into confirmed differences and likely mishearings."""
    cfg = cfg or VerdictSettings()
    basis: Basis = "captions" if scorer is None else "audio"
    if check.status != "differs" or check.start is None or check.end is None:
        return replace(check, basis=basis)
    diffs = [replace(d, alike=sound_alike(d.article, d.spoken, language), critical=critical(d, language))
             for d in check.differences]
    rescored = _rescored(diffs, _span(words, check.start, check.end), words, scorer) if scorer else None
    if rescored is None:  # no audio, or the model could not score it: the text and the sound are all there is
        basis = "captions"
    diffs = rescored or diffs
    confirmed = tuple(d for d in diffs if not misheard(d, cfg, audio=basis == "audio"))
    heard = tuple(d for d in diffs if misheard(d, cfg, audio=basis == "audio"))
    return replace(check, status="differs" if confirmed else "probably verbatim", differences=confirmed,
                   misheard=heard, basis=basis)


def misheard(d: WordDiff, cfg: VerdictSettings, *, audio: bool) -> bool:
    """A difference that is likely the recogniser's: by the audio's margin when it was re-scored, else by sound. A
    critical one (a number, a negation on one side) is never excused by sound alone: "ever" / "never" and "eine" /
    "keine" look alike and say the opposite, and without the audio nothing tells which was said."""
    if not audio:
        return bool(d.article and d.spoken and d.alike >= cfg.alike_min and not d.critical)
    if d.audio is None:
        return False
    margin = (cfg.margin_critical if d.critical else cfg.margin_alike if d.alike >= cfg.alike_min
              else cfg.margin_unlike)
    return d.audio >= -(margin + cfg.doubt * (1.0 - d.confidence))


def critical(d: WordDiff, language: str | None = None) -> bool:
    """A difference that changes the quote's meaning however it sounds: a word added or dropped, a number changed,
    a negation on one side only."""
    if not d.article.strip() or not d.spoken.strip():
        return True
    article, spoken = (sorted(t.text for t in tokenize(side.split(), language) if t.is_number)
                       for side in (d.article, d.spoken))
    return article != spoken or flips_polarity(d.article, d.spoken, language)


def _span(words: Sequence[Word], start: float, end: float) -> list[Word]:
    return [w for w in words if w.start >= start - 1e-6 and w.end <= end + 1e-6]


def _rescored(diffs: list[WordDiff], span: list[Word], words: Sequence[Word],
              scorer: SpanScorer) -> list[WordDiff] | None:
    """Each difference with its audio margin: the span scored as transcribed, and with that one difference undone."""
    if not span:
        return None
    said = [w.text.strip() for w in span]
    wordings = [" ".join(said)] + [" ".join(_swap(span, said, d)) for d in diffs]
    # the clip reaches to the words around the span: where the recogniser dropped words, its times end too early
    before = [w for w in words if w.end <= span[0].start + 1e-6]
    start = max((w.end for w in before), default=span[0].start - 1.0)
    end = min((w.start for w in words if w.start >= span[-1].end - 1e-6), default=span[-1].end + 1.0)
    prompt = " ".join(w.text.strip() for w in before[-PROMPT_WORDS:] if w.start >= span[0].start - PROMPT_S)
    scores = list(scorer(max(start, span[0].start - 1.5), min(end, span[-1].end + 1.5), wordings, prompt))
    if len(scores) != len(wordings):
        return None
    return [replace(d, audio=round(float(s - scores[0]), 3)) for d, s in zip(diffs, scores[1:])]


def _swap(span: list[Word], said: list[str], d: WordDiff) -> list[str]:
    """The transcript's words with the article's in place of one difference (punctuation after it kept)."""
    eps = 1e-6
    hit = [i for i, w in enumerate(span) if d.spoken and w.start >= d.start - eps and w.end <= d.end + eps]
    new = d.article.split()
    if hit:
        lo, hi = hit[0], hit[-1]
        punct = said[hi][len(said[hi].rstrip(".,;:!?…")):]
        if new and punct:
            new = [*new[:-1], new[-1] + punct]
        return said[:lo] + new + said[hi + 1:]
    at = next((i for i, w in enumerate(span) if w.start >= d.start - eps), len(span))
    return said[:at] + new + said[at:]
