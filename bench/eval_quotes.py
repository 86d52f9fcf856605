"""Quote checks on real recogniser output: misquotes caught, recogniser errors not cried as misquotes, speakers.

Run:  .venv/bin/python bench/eval_quotes.py           (also: bench/eval_articles.py --quotes)
      options: --engine openai-whisper (re-score with openai-whisper instead of faster-whisper), --cache DIR
      (speech and transcripts are kept there between runs), --verbose

Test set, from the project's own texts: the English stories of bench/data/articles/stories.json and the reports of
bench/data/articles/quotes.json (written for this evaluation, with the true speaker of every quote). Each story is
read aloud by espeak-ng (en-us, sentence by sentence, quote marks dropped) and transcribed by the default model
(faster-whisper, the settings' model, beam 5), so the transcript carries the recogniser's real mistakes. Two articles
per story are checked against it with `link_article`, the audio re-scored through `indexer.asr.rescore`:
- "correct": every quote printed as spoken; it must not come out "differs" (verbatim or probably verbatim);
- "misquoted": every quote changed one way, in turn: a word replaced by one that does not sound alike, a word
  dropped, a word added, a number changed, a negation removed (where the quote has one); it must come out "differs".
Speakers: the check's speaker against the true one (a title before the name is allowed: "Mayor Alice Grant").
Before = the transcript alone decides (any difference is "differs", as before this evaluation); after = the audio
decides. The margins are tuned on alternate stories and every number is measured on the others (held out).
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import re
import statistics
import subprocess
import sys
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.articles.link import link_article  # noqa: E402
from indexer.articles.load import load_article  # noqa: E402
from indexer.articles.quotecheck import QuoteCheck  # noqa: E402
from indexer.articles.verdict import VerdictSettings, misheard, sound_alike  # noqa: E402
from indexer.asr.engine import make_engine  # noqa: E402
from indexer.asr.rescore import make_rescorer  # noqa: E402
from indexer.config import Settings  # noqa: E402
from indexer.models import Segment, Transcript, Word  # noqa: E402

DATA = ROOT / "bench" / "data" / "articles"
QUOTE = re.compile(r"“([^”]+)”")
NUMBERS = {"two": "three", "three": "four", "four": "five", "five": "six", "six": "seven", "eight": "nine",
           "ten": "twelve", "twelve": "fifteen", "fifteen": "twenty", "sixteen": "eighteen", "thirty": "forty",
           "forty": "fifty", "sixty": "eighty", "ninety": "seventy", "hundred": "thousand", "thousand": "hundred",
           "nine": "ten", "minus": "plus", "first": "second", "twice": "three times", "one": "two"}
NEGATIONS = [("cannot", "can"), ("not ", ""), ("never ", "always "), ("Nobody", "Everybody"), ("nobody", "everybody"),
             ("No child", "Every child"), ("no ", "some ")]
UNRELATED = ["umbrella", "piano", "elephant", "Tuesday", "orange", "violin", "carpet", "rocket", "pencil", "garden",
             "sugar", "tiger", "lemon", "window", "basket"]
ADDED = ["really", "certainly", "all", "simply", "truly"]
KINDS = ("replaced", "dropped", "added", "number", "negation")


@dataclass
class Case:
    story: str
    kind: str  # "correct" or one of KINDS
    check: QuoteCheck
    speaker: str | None  # the truth


def load_stories() -> list[dict]:
    stories = json.loads((DATA / "stories.json").read_text(encoding="utf-8"))["stories"]
    extra = json.loads((DATA / "quotes.json").read_text(encoding="utf-8"))
    for s in stories:
        s["speakers"] = extra["speakers"][s["id"]]
    for s in extra["stories"]:
        s["speakers"] = [p["speaker"] for p in s["paragraphs"] if "speaker" in p]
    return [s for s in stories + extra["stories"] if s.get("language", "en") == "en"]


# --- misquotes -------------------------------------------------------------------------------------------------------

def misquote(quote: str, turn: int) -> tuple[str, str]:
    """The quote changed one way (the turn's kind, else the next that applies)."""
    for k in range(len(KINDS)):
        kind = KINDS[(turn + k) % len(KINDS)]
        changed = CHANGE[kind](quote, turn)
        if changed and changed != quote:
            return kind, changed
    raise ValueError(quote)


def _content(words: list[str]) -> list[int]:
    return [i for i, w in enumerate(words) if len(re.sub(r"\W", "", w)) >= 5 and i > 0]


def _replaced(quote: str, turn: int) -> str | None:
    words = quote.split()
    i = _content(words)[turn % len(_content(words))] if _content(words) else None
    if i is None:
        return None
    core = re.sub(r"\W", "", words[i])
    new = next(u for k, u in enumerate(UNRELATED * 2) if k >= turn % len(UNRELATED) and sound_alike(u, core) < 0.5)
    words[i] = words[i].replace(core, new)
    return " ".join(words)


def _dropped(quote: str, turn: int) -> str | None:
    words = quote.split()
    spots = [i for i in _content(words) if words[i][-1].isalnum() and i < len(words) - 1]
    if not spots:
        return None
    del words[spots[turn % len(spots)]]
    return " ".join(words)


def _added(quote: str, turn: int) -> str | None:
    words = quote.split()
    spots = _content(words)
    if not spots:
        return None
    words.insert(spots[turn % len(spots)], ADDED[turn % len(ADDED)])
    return " ".join(words)


def _number(quote: str, _turn: int) -> str | None:
    for word, other in NUMBERS.items():
        if re.search(rf"\b{word}\b", quote, re.I):
            return re.sub(rf"\b{word}\b", other, quote, count=1, flags=re.I)
    return None


def _negation(quote: str, _turn: int) -> str | None:
    for old, new in NEGATIONS:
        if old in quote:
            return quote.replace(old, new, 1)
    return None


CHANGE = {"replaced": _replaced, "dropped": _dropped, "added": _added, "number": _number, "negation": _negation}


# --- speech and transcripts ----------------------------------------------------------------------------------------

def spoken(story: dict) -> list[str]:
    sentences = []
    for p in story["paragraphs"]:
        text = re.sub(r"[“”]", "", p["text"])
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return sentences


def synthesise(story: dict, folder: Path) -> Path:
    out = folder / f"{story['id']}.wav"
    if out.is_file():
        return out
    frames, rate = bytearray(), 22050
    for k, s in enumerate(spoken(story)):
        part = folder / "sentence.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(part), s], check=True)
        with wave.open(str(part)) as w:
            rate = w.getframerate()
            frames += w.readframes(w.getnframes()) + bytes(int(rate * (0.5 if k else 0.8)) * 2)
    raw = folder / f"{story['id']}.raw.wav"
    with wave.open(str(raw), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(raw), "-ar", "16000", "-ac", "1", str(out)],
                   check=True)
    raw.unlink()
    return out


def transcribe(story: dict, audio: Path, settings: Settings, engine: list) -> Transcript:
    cached = audio.with_suffix(".json")
    if cached.is_file():
        saved = json.loads(cached.read_text(encoding="utf-8"))
        return Transcript(f"file:{story['id']}", "en", saved["engine"], saved["model"],
                          tuple(Segment(s[0], s[1], s[2], tuple(Word(*w) for w in s[3])) for s in saved["segments"]))
    if not engine:
        engine.append(make_engine(settings))
    run = engine[0].transcribe(audio, language="en")
    segs = list(run.segments)
    cached.write_text(json.dumps({"engine": engine[0].name, "model": engine[0].model_name, "segments": [
        [s.start, s.end, s.text, [[w.start, w.end, w.text, w.probability] for w in s.words]] for s in segs]}),
        encoding="utf-8")
    return Transcript(f"file:{story['id']}", "en", engine[0].name, engine[0].model_name, tuple(segs))


# --- checking ------------------------------------------------------------------------------------------------------

class TimedScorer:
    """The re-scorer bound to one story's audio, timing each call (one call per quote that differs)."""

    def __init__(self, rescorer, audio: Path) -> None:
        self.rescorer, self.audio, self.times = rescorer, audio, []

    def __call__(self, start: float, end: float, wordings: Sequence[str], prompt: str) -> list[float]:
        t = time.perf_counter()
        out = [s.logprob for s in self.rescorer.score(self.audio, start, end, wordings, "en", prompt)]
        self.times.append(time.perf_counter() - t)
        return out


def check_story(story: dict, transcript: Transcript, scorer: TimedScorer | None, folder: Path) -> list[Case]:
    cases = []
    for variant in ("correct", "misquoted"):
        kinds: list[str] = []
        printed = functools.partial(_printed, variant=variant, kinds=kinds, seed=len(story["id"]))
        paragraphs = [QUOTE.sub(printed, p["text"]) for p in story["paragraphs"]]
        path = folder / f"{story['id']}-{variant}.txt"
        path.write_text(story["title"] + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        links = link_article(load_article(str(path)), transcript, scorer=scorer)
        checks = sorted(links.quotes, key=lambda c: (c.paragraph, c.quote))
        if len(checks) != len(kinds):
            raise SystemExit(f"{story['id']}: {len(checks)} quotes checked, {len(kinds)} written")
        cases += [Case(story["id"], kind, c, who) for c, kind, who in zip(checks, kinds, story["speakers"])]
    return cases


def _printed(m: re.Match[str], variant: str, kinds: list[str], seed: int) -> str:
    """A quote as the article prints it: as spoken, or changed (its kind recorded in `kinds`)."""
    if variant == "correct":
        kinds.append("correct")
        return m.group(0)
    kind, text = misquote(m.group(1), len(kinds) + seed)
    kinds.append(kind)
    return f"“{text}”"


def status(check: QuoteCheck, cfg: VerdictSettings | None | str) -> str:
    """The verdict under other margins (from the stored audio margins), as the transcript alone says (None), or as
    the check already says ("as is")."""
    if check.status not in ("differs", "probably verbatim") or cfg == "as is":
        return check.status
    diffs = check.differences + check.misheard
    if cfg is None:
        return "differs"
    assert isinstance(cfg, VerdictSettings)
    return "differs" if any(not misheard(d, cfg, audio=check.basis == "audio") for d in diffs) \
        else "probably verbatim"


def _settled(check: QuoteCheck, cfg: VerdictSettings) -> QuoteCheck:
    """The check as the fold's own margins decide it, put back into the status field."""
    return replace(check, status=status(check, cfg))


def speaker_right(got: str | None, truth: str | None) -> bool:
    return got == truth or (got is not None and truth is not None and got.endswith(" " + truth)
                            and len(got.split()) - len(truth.split()) <= 2)


def rates(cases: list[Case], cfg: VerdictSettings | None | str) -> dict[str, float]:
    correct = [c for c in cases if c.kind == "correct"]
    wrong = [c for c in cases if c.kind != "correct"]
    return {"correct_differs": sum(status(c.check, cfg) == "differs" for c in correct) / max(len(correct), 1),
            "misquote_differs": sum(status(c.check, cfg) == "differs" for c in wrong) / max(len(wrong), 1),
            "not_found": sum(c.check.status == "not found" for c in cases) / max(len(cases), 1),
            "speaker": sum(speaker_right(c.check.speaker, c.speaker) for c in cases) / max(len(cases), 1)}


def tune(cases: list[Case]) -> VerdictSettings:
    """The margins with the fewest correct quotes flagged among those that flag at least 95% of misquotes (else the
    best worse-of-the-two), then the most misquotes flagged; among equals, the one nearest the middle of the tied
    region (the per-margin median of the tied settings), so a margin sits away from the cases that bound it."""
    grid = [VerdictSettings(margin_alike=a, margin_unlike=u, margin_critical=c, doubt=w)
            for a in (3.0, 4.0, 5.0, 6.0, 7.0, 8.0) for u in (3.0, 4.0, 5.0, 6.0, 7.0)
            for c in (3.0, 4.0, 5.0) for w in (0.0, 1.0, 2.0) if u <= a and c <= u]
    scored = [(rates(cases, cfg), cfg) for cfg in grid]
    ok = [((1 - r["correct_differs"], r["misquote_differs"]), cfg) for r, cfg in scored
          if r["misquote_differs"] >= 0.95]
    if not ok:
        ok = [((min(1 - r["correct_differs"], r["misquote_differs"]), 0.0), cfg) for r, cfg in scored]
    top = max(v for v, _ in ok)
    best = [cfg for v, cfg in ok if v >= (top[0] - 1e-9, top[1] - 1e-9)]
    names = ("margin_alike", "margin_unlike", "margin_critical", "doubt")
    middle = {n: statistics.median(getattr(cfg, n) for cfg in best) for n in names}
    return min(best, key=lambda cfg: sum(abs(getattr(cfg, n) - middle[n]) for n in names))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", default=None, help="re-scoring engine (default: the settings' engine)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/clipindex-eval-quotes"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    t0 = time.time()
    args.cache.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=args.cache / "data")
    rescorer = make_rescorer(settings, args.engine)
    stories, engine, cases, times = load_stories(), [], [], []
    for story in stories:
        audio = synthesise(story, args.cache)
        transcript = transcribe(story, audio, settings, engine)
        if not cases:  # load the model before anything is timed
            rescorer.score(audio, 0.0, 2.0, ["warm up"], "en")
        scorer = TimedScorer(rescorer, audio)
        cases += check_story(story, transcript, scorer, args.cache)
        times += scorer.times
    ids = [s["id"] for s in stories]
    folds = []
    for dev in (set(ids[0::2]), set(ids[1::2])):  # two folds: each half tuned on the other, so every check is held out
        tuned = tune([c for c in cases if c.story in dev])
        folds.append((tuned, [c for c in cases if c.story not in dev]))
    report(cases, folds, times, args, t0, rescorer.name)


def report(cases: list[Case], folds: list[tuple[VerdictSettings, list[Case]]], times: list[float], args,
           t0: float, engine: str) -> None:
    default = VerdictSettings()
    for k, (tuned, _test) in enumerate(folds):
        print(f"fold {k + 1}: tuned on the other half: margin_alike={tuned.margin_alike} "
              f"margin_unlike={tuned.margin_unlike} margin_critical={tuned.margin_critical} doubt={tuned.doubt}")
    print(f"module defaults: margin_alike={default.margin_alike} margin_unlike={default.margin_unlike} "
          f"margin_critical={default.margin_critical} doubt={default.doubt} (chosen from both folds: not held out)")
    test = [c for _cfg, fold in folds for c in fold]
    n_ok = sum(c.kind == "correct" for c in test)
    kinds = {k: sum(c.kind == k for c in test) for k in KINDS}
    print(f"held out: {len(test)} quote checks ({n_ok} correct, {len(test) - n_ok} misquotes: "
          + ", ".join(f"{k} {v}" for k, v in kinds.items()) + ")")
    print("| verdict from | correct quotes reported differs | misquotes reported differs | not found | speaker right |")
    print("|---|---|---|---|---|")
    captions = [replace(c, check=replace(c.check, basis="captions")) for c in test]
    pooled = [replace(c, check=_settled(c.check, cfg)) for cfg, fold in folds for c in fold]
    rows = [("transcript only (before)", test, None), ("sound alone (captions basis)", captions, default),
            (f"audio, {engine}, module defaults (after)", test, default),
            (f"audio, {engine}, each fold tuned on the other (after, held out)", pooled, "as is")]
    for name, subset, cfg in rows:
        r = rates(subset, cfg)
        print(f"| {name} | {r['correct_differs']:.3f} | {r['misquote_differs']:.3f} | {r['not_found']:.3f} | "
              f"{r['speaker']:.3f} |")
    for kind in ("correct", *KINDS):
        sub = [c for c in pooled if c.kind == kind]
        r = rates(sub, "as is")
        key = "correct_differs" if kind == "correct" else "misquote_differs"
        print(f"  {kind}: {len(sub)} checks, reported differs {r[key]:.3f} (held out)")
    if args.verbose:
        for c in test:
            got = status(c.check, default)
            if (c.kind == "correct") == (got == "differs") or not speaker_right(c.check.speaker, c.speaker):
                print(f"  {c.story} {c.kind}: {got} speaker {c.check.speaker!r}/{c.speaker!r} "
                      f"{[(d.article, d.spoken, d.audio, d.alike) for d in c.check.differences + c.check.misheard]}")
    if args.verbose:
        for c in cases:
            for d in c.check.differences + c.check.misheard:
                print(f"  diff {c.story} {c.kind}: audio {d.audio} alike {d.alike} confidence {d.confidence} "
                      f"{d.article!r}/{d.spoken!r}")
    times = sorted(times)
    if times:
        print(f"re-scoring per quote that differs in the transcript: n={len(times)}, "
              f"median {times[len(times) // 2]:.2f} s, p90 {times[int(len(times) * 0.9)]:.2f} s, "
              f"max {times[-1]:.2f} s")
    print(f"\n{date.today()} · {platform.machine()} · {len(cases)} checks · total {time.time() - t0:.0f} s")
    print("reproduce: .venv/bin/python bench/eval_quotes.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
