"""The index step's sustained rate on a large kept index: passages handed to the index step video by video
(batched commits, as the ingest chain does), on a copy of an index that `bench/search_scale.py --keep DIR` built,
for this tree and, side by side in the same run, for another revision (`--against REV`, checked out in a
temporary git worktree).

    .venv/bin/python bench/index_rate.py /tmp/r100k --passages 20000 --sentences SPEECHTOPSEG --against HEAD~3

Prints for each tree: passages a second over the whole run and over each thousand (the slowest thousand is what a
merge that holds up the commits costs), the segments at the end and the most seen after a thousand, how long the
background merger went on after the last commit, and the CPU time of the children (the merger, the postings decoder
and the committer). With `--rate` the passages come no faster than that: merging then keeps up, and its CPU time is
what the policy costs a host that also transcribes. Whoosh only (tantivy merges in its own threads). Each run is a
child process, one after the other.

With `--service` the programmes go in as caption files through the whole service instead (`Clipindex.ingest`, every
step: captions, chapters, index, onto a copy of the kept store and index), and it prints passages a second, times
real time, and the seconds each step took; `--no-model` leaves the chapters' sentence-embedding model out (as for a
language it does not cover), `--both` runs each tree with and without it:

    .venv/bin/python bench/index_rate.py /tmp/r100k --service --both --passages 3000 --sentences SPEECHTOPSEG
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
from collections.abc import Callable
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
    most = before
    for p in progs:
        if rate:  # an ingest slower than the index can go: what merging costs when it keeps up
            time.sleep(max(0.0, t0 + done / rate - time.perf_counter()))
        ix.enqueue(p.video, p.transcript, [])
        done += p.passages
        if done - mark >= 1000:
            now = time.perf_counter()
            rates.append((done - mark) / (now - last))
            mark, last = done, now
            most = max(most, len(ix._index()._segments()))
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
    try:
        from indexer.search import whoosh_commits
        whoosh_commits.stop()  # its CPU is counted with the other children's once it has ended
    except ImportError:  # a revision that committed in the process itself
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"  {done} passages in {secs:.1f} s = {done / secs:.0f} passages/s; slowest thousand "
          f"{min(rates, default=0):.0f}/s; segments {before} -> {after} (at most {most}); "
          f"the merger went on {waited:.0f} s after; "
          f"its CPU (children's) {children.ru_utime + children.ru_stime:.0f} s", flush=True)
    print("  each thousand, passages/s: " + " ".join(f"{r:.0f}" for r in rates), flush=True)


def service_child(root: Path, data: Path, passages: int, seed: int, sentences: str | None, model: bool) -> None:
    """One caption ingest through the whole service, in the tree at `root`, onto the copied data folder `data`."""
    import collections

    sys.path.insert(0, str(root))
    import indexer.chapters.embed as embed
    import indexer.ingest.steps as steps
    from bench.search_scale import ingest_through_service, programmes, real_programmes, take
    from indexer.config import Settings
    from indexer.service import Clipindex

    if not model:
        embed._loaded[:] = [None]  # what default_embedder() finds when the package is missing
    spent: collections.Counter[str] = collections.Counter()

    def timed(name: str, fn: Callable[..., object]) -> Callable[..., object]:
        def run(video_id: str, ctx: object) -> object:
            t = time.perf_counter()
            try:
                return fn(video_id, ctx)
            finally:
                spent[name] += time.perf_counter() - t
        return run

    for name, fn in list(steps.STEP_FUNCTIONS.items()):
        steps.STEP_FUNCTIONS[name] = timed(name, fn)  # type: ignore[assignment]
    gen = real_programmes(10**9, seed, sentences) if sentences else programmes(10**9, seed)
    progs = take(gen, passages)
    svc = Clipindex(Settings(data_dir=data, search_backend="whoosh").resolved())
    caps = data.parent / "captions"
    caps.mkdir()
    n, secs = ingest_through_service(svc, progs, caps)
    t1 = time.perf_counter()
    from indexer.search import whoosh_merge
    whoosh_merge.wait_children(3600)
    heard = sum(p.transcript.segments[-1].end for p in progs)
    how = "with the chapters' model" if model else "without the chapters' model"
    print(f"  {how}: {len(progs)} programmes, {n} passages in {secs:.1f} s = {n / secs:.1f} passages/s, "
          f"{heard / secs:.0f}x real time; the merger went on {time.perf_counter() - t1:.0f} s after; seconds per "
          "step: " + ", ".join(f"{k} {v:.1f}" for k, v in spent.most_common() if v >= 0.05), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kept", type=Path, help="a folder `bench/search_scale.py --keep` left (Whoosh)")
    ap.add_argument("--passages", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=11, help="the programmes added (another seed than the kept ones')")
    ap.add_argument("--sentences", metavar="SPEECHTOPSEG", help="real news sentences, as search_scale.py reads them")
    ap.add_argument("--against", metavar="REV", help="also run the tree at this git revision, first")
    ap.add_argument("--rate", type=float, default=0.0, metavar="PASSAGES_S",
                    help="hand the index step at most this many passages a second (default: as fast as it goes)")
    ap.add_argument("--service", action="store_true",
                    help="caption files through the whole service (every ingest step) instead of the index step")
    ap.add_argument("--no-model", action="store_true", help="--service: without the chapters' embedding model")
    ap.add_argument("--both", action="store_true", help="--service: with the model and without it")
    ap.add_argument("--child", nargs=2, metavar=("ROOT", "FOLDER"), help=argparse.SUPPRESS)
    ap.add_argument("--model", choices=("yes", "no"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child and args.model:
        service_child(Path(args.child[0]), Path(args.child[1]), args.passages, args.seed, args.sentences,
                      args.model == "yes")
        return
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
        if args.service:
            models = ["yes", "no"] if args.both else ["no" if args.no_model else "yes"]
            print(f"{args.passages} passages as caption files through the service onto a copy of {args.kept} (seed "
                  f"{args.seed}); load average at the start {os.getloadavg()[0]:.2f}", flush=True)
            for name, tree in trees:
                print(f"{name}:", flush=True)
                for model in models:
                    shutil.rmtree(work / "run", ignore_errors=True)
                    shutil.copytree(args.kept, work / "run" / "data")
                    cmd = [sys.executable, str(Path(__file__).resolve()), str(args.kept), "--passages",
                           str(args.passages), "--seed", str(args.seed), "--model", model, "--child", str(tree),
                           str(work / "run" / "data")]
                    subprocess.run(cmd + (["--sentences", args.sentences] if args.sentences else []), check=True,
                                   cwd=str(tree))
            print(f"load average at the end {os.getloadavg()[0]:.2f}")
            return
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
