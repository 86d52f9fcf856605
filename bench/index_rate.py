"""The index step's sustained rate on a large kept index: passages handed to the index step video by video
(batched commits, as the ingest chain does), on a copy of an index that `bench/search_scale.py --keep DIR` built,
for this tree and, side by side in the same run, for another revision (`--against REV`, checked out in a
temporary git worktree).

    .venv/bin/python bench/index_rate.py /tmp/r100k --passages 20000 --sentences SPEECHTOPSEG --against HEAD~3

Prints for each tree: passages a second over the whole run and over each thousand (the slowest thousand is what a
merge that holds up the commits costs), the segments at the end, how long the background merger went on after the
last commit, and the CPU time of the children (the merger and the postings decoder). With `--rate` the passages come
no faster than that: merging then keeps up, and its CPU time is what the policy costs a host that also transcribes.
Whoosh only (tantivy merges in its own threads). Each run is a child process, one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(root: Path, folder: Path, passages: int, seed: int, sentences: str | None, rate: float) -> None:
    """One run, in the tree at `root` (its code imported from there)."""
    sys.path.insert(0, str(root))
    from bench.search_scale import programmes, real_programmes, take
    from indexer.search.index import SearchIndex

    gen = real_programmes(10**9, seed, sentences) if sentences else programmes(10**9, seed)
    progs = take(gen, passages)
    ix = SearchIndex(folder)
    before = len(ix._index()._segments())
    t0 = last = time.perf_counter()
    done = mark = 0
    rates = []
    for p in progs:
        if rate:  # an ingest slower than the index can go: what merging costs when it keeps up
            time.sleep(max(0.0, t0 + done / rate - time.perf_counter()))
        ix.enqueue(p.video, p.transcript, [])
        done += p.passages
        if done - mark >= 1000:
            now = time.perf_counter()
            rates.append((done - mark) / (now - last))
            mark, last = done, now
    ix.flush()
    secs = time.perf_counter() - t0
    after = len(ix._index()._segments())
    t1 = time.perf_counter()
    try:
        from indexer.search import whoosh_merge
        whoosh_merge.wait_children(3600)
    except ImportError:  # a revision before the background merger
        pass
    waited = time.perf_counter() - t1
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"  {done} passages in {secs:.1f} s = {done / secs:.0f} passages/s; slowest thousand "
          f"{min(rates, default=0):.0f}/s; segments {before} -> {after}; the merger went on {waited:.0f} s after; "
          f"its CPU (children's) {children.ru_utime + children.ru_stime:.0f} s", flush=True)
    print("  each thousand, passages/s: " + " ".join(f"{r:.0f}" for r in rates), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kept", type=Path, help="a folder `bench/search_scale.py --keep` left (Whoosh)")
    ap.add_argument("--passages", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=11, help="the programmes added (another seed than the kept ones')")
    ap.add_argument("--sentences", metavar="SPEECHTOPSEG", help="real news sentences, as search_scale.py reads them")
    ap.add_argument("--against", metavar="REV", help="also run the tree at this git revision, first")
    ap.add_argument("--rate", type=float, default=0.0, metavar="PASSAGES_S",
                    help="hand the index step at most this many passages a second (default: as fast as it goes)")
    ap.add_argument("--child", nargs=2, metavar=("ROOT", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.passages, args.seed, args.sentences, args.rate)
        return
    source = args.kept / "index"
    if not (args.kept / "scale.json").exists() or not source.is_dir():
        raise SystemExit(f"{args.kept} is not a folder that bench/search_scale.py --keep left (with index/)")
    if json.loads((args.kept / "scale.json").read_text(encoding="utf-8")).get("backend") != "whoosh":
        raise SystemExit(f"{args.kept} holds no Whoosh index")
    work = Path(tempfile.mkdtemp(prefix="clipindex-rate-"))
    try:
        trees = [("this tree", ROOT)]
        if args.against:
            tree = work / "against"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.against],
                           check=True, capture_output=True)
            trees.insert(0, (f"at {args.against}", tree))
        pace = f"at most {args.rate:g} a second" if args.rate else "as fast as they go"
        print(f"{args.passages} passages batched into a copy of {source} (seed {args.seed}), {pace}; load average "
              f"at the start {os.getloadavg()[0]:.2f}", flush=True)
        for name, tree in trees:
            folder = work / "index"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(source, folder)
            print(f"{name}:", flush=True)
            cmd = [sys.executable, str(Path(__file__).resolve()), str(args.kept), "--passages", str(args.passages),
                   "--seed", str(args.seed), "--rate", str(args.rate), "--child", str(tree), str(folder)]
            if args.sentences:
                cmd += ["--sentences", args.sentences]
            subprocess.run(cmd, check=True, cwd=str(tree))
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        if args.against:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "against")],
                           capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
