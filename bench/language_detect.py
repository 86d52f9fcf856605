"""Spoken-language detection when a report opens on something other than speech: a jingle, a tone, street noise.

Whisper names the language from one 30 s window. The engines used to hand it the first 30 s of the audio; they now
hand it the first 30 s of speech that Silero VAD finds in the first window (indexer.asr.vad.speech_for_language).
This bench reads the same clips both ways and prints the accuracy per language and per opening, side by side, and
how many of the wrong and of the right detections carry the engines' warning (a probability under UNSURE).

Clips: news sentences read by espeak-ng (about 40 s each), behind one of four openings: none, 12 s of a tone and 20 s
of pink noise, 30 s of a chord, 5 s of silence. English, Russian and Uzbek come from the project's own stories
(tests/fixtures/texts). With the path of a SpeechTopSeg copy (see bench/eval_chapters_real.py; its data has no
licence and stays out of the repository) German, French, Spanish, Italian and Portuguese come from its val lists.

  .venv/bin/python bench/language_detect.py [SPEECHTOPSEG] [--clips 4] [--model base]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import wave
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from indexer.asr.engine import UNSURE  # noqa: E402
from indexer.asr.modelpath import resolve_model  # noqa: E402
from indexer.asr.vad import speech_for_language  # noqa: E402
from media.ffmpeg import run as ffmpeg  # noqa: E402

RATE = 16000
OPENINGS = {  # name -> ffmpeg lavfi sources (joined in order), or () for none
    "none": (),
    "tone + noise": ("sine=frequency=440:duration=12,volume=0.3", "anoisesrc=d=20:c=pink:a=0.2:seed=7"),
    "chord": ("aevalsrc=0.15*sin(2*PI*262*t)+0.15*sin(2*PI*330*t)+0.15*sin(2*PI*392*t):d=30:s=16000",),
    "silence": ("anullsrc=r=16000:cl=mono:d=5",),
}
VOICES = {"en": "en-us", "ru": "ru", "uz": "uz", "de": "de", "fr": "fr", "es": "es", "it": "it", "pt": "pt"}
SPEECHTOPSEG_SETS = {"de": "euronews_de", "fr": "euronews_fr", "es": "euronews_es", "it": "euronews_it",
                     "pt": "euronews_pt"}
CLIP_WORDS = 100  # about 40 s at espeak-ng's 150 words a minute


def own_texts() -> dict[str, list[str]]:
    texts: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "tests" / "fixtures" / "texts").glob("story_*.json")):
        story = json.loads(path.read_text())
        texts[story["language"]].append(" ".join(story["paragraphs"]))
    return texts


def speechtopseg_texts(path: str, clips: int, seed: int) -> dict[str, list[str]]:
    from eval_chapters_real import data_root  # deferred: only with a SpeechTopSeg copy

    root = data_root(path)
    rng = random.Random(seed)
    out: dict[str, list[str]] = {}
    for language, name in SPEECHTOPSEG_SETS.items():
        ids = (root / name / "val.lst").read_text().split()
        rng.shuffle(ids)
        pieces = []
        for i in ids[:clips]:
            raw = json.loads((root / name / "json" / f"{i}.json").read_text(encoding="utf-8"))
            sentences = [" ".join(str(s.get("sentence") or "").split()) for ch in raw.get("sentences") or []
                         for s in ch]
            pieces.append(" ".join(s for s in sentences if s))
        out[language] = pieces
    return out


def clip_text(text: str, k: int) -> str:
    words = text.split()
    start = (k * 37) % max(1, len(words) - CLIP_WORDS)
    return " ".join(words[start:start + CLIP_WORDS])


def make_clip(work: Path, language: str, text: str, opening: str, k: int) -> Path:
    speech = work / f"{language}{k}.speech.wav"
    if not speech.exists():
        subprocess.run(["espeak-ng", "-v", VOICES[language], "-s", "150", "-w", str(speech), text], check=True)
    out = work / f"{language}{k}.{opening.replace(' ', '')}.wav"
    sources = OPENINGS[opening]
    args: list[str] = []
    for src in sources:
        args += ["-f", "lavfi", "-i", src]
    args += ["-i", str(speech)]
    n = len(sources) + 1
    joined = "".join(f"[{i}:a]aresample={RATE},aformat=channel_layouts=mono[a{i}];" for i in range(n))
    joined += "".join(f"[a{i}]" for i in range(n)) + f"concat=n={n}:v=0:a=1"
    ffmpeg([*args, "-filter_complex", joined, "-ar", str(RATE), "-ac", "1", str(out)])
    return out


def samples(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("speechtopseg", nargs="?", default=os.environ.get("SPEECHTOPSEG"))
    ap.add_argument("--clips", type=int, default=4, help="clips per language (default 4)")
    ap.add_argument("--model", default="base", help="a multilingual model (default base)")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    from faster_whisper import WhisperModel  # deferred: CTranslate2 takes a moment to import

    texts = own_texts()
    if args.speechtopseg:
        texts.update(speechtopseg_texts(args.speechtopseg, args.clips, args.seed))
    model = WhisperModel(resolve_model(args.model, Path(tempfile.gettempdir()) / "clipindex-bench" / "cache").path,
                         device="cpu", compute_type="int8")
    if not model.model.is_multilingual:
        sys.exit(f"{args.model} is English-only: language detection needs a multilingual model")

    right: dict[tuple[str, str, str], int] = defaultdict(int)
    wrong: dict[tuple[str, str], list[str]] = defaultdict(list)
    warned: dict[tuple[str, bool], int] = defaultdict(int)  # (how, right) -> detections under UNSURE (a warning)
    started = time.perf_counter()
    print(f"# bench/language_detect.py  {time.strftime('%Y-%m-%d')}  {platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}, model {args.model}, {args.clips} clips a language")
    with tempfile.TemporaryDirectory(prefix="clipindex-langs-") as tmp:
        work = Path(tmp)
        for language, pieces in texts.items():
            for k in range(args.clips):
                text = clip_text(pieces[k % len(pieces)], k)
                for opening in OPENINGS:
                    audio = samples(make_clip(work, language, text, opening, k))
                    for how, chosen in (("first 30 s of audio", audio[: 30 * RATE]),
                                        ("first 30 s of speech", speech_for_language(audio))):
                        said, probability, _ = model.detect_language(chosen)
                        right[(language, opening, how)] += said == language
                        warned[(how, said == language)] += probability < UNSURE
                        if said != language:
                            wrong[(language, how)].append(f"{opening}: {said}")
    hows = ("first 30 s of audio", "first 30 s of speech")
    print(f"\ncorrect of {args.clips} per cell: before (first 30 s of audio) -> now (first 30 s of speech)\n")
    print("| language | " + " | ".join(OPENINGS) + " | all |")
    print("|---|" + "---|" * (len(OPENINGS) + 1))
    totals = {how: 0 for how in hows}
    for language in texts:
        cells = []
        for opening in OPENINGS:
            a, b = (right[(language, opening, how)] for how in hows)
            cells.append(f"{a} -> {b}")
        sums = [sum(right[(language, o, how)] for o in OPENINGS) for how in hows]
        for how, n in zip(hows, sums):
            totals[how] += n
        print(f"| {language} | " + " | ".join(cells) + f" | {sums[0]} -> {sums[1]} of {args.clips * len(OPENINGS)} |")
    n = args.clips * len(OPENINGS) * len(texts)
    print(f"\nall: {totals[hows[0]]} -> {totals[hows[1]]} of {n} correct")
    for how in hows:
        wrong_n = n - totals[how]
        print(f"  {how}: a warning (probability < {UNSURE}) on {warned[(how, False)]} of {wrong_n} wrong and "
              f"{warned[(how, True)]} of {totals[how]} right")
    for (language, how), said in sorted(wrong.items()):
        print(f"  wrong, {language}, {how}: {', '.join(said)}")
    print(f"\n{time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.2f}")
    print("reproduce: .venv/bin/python bench/language_detect.py [SPEECHTOPSEG] --clips", args.clips)


if __name__ == "__main__":
    main()
