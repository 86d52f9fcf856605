"""Boosted trees that score each gap again, with its neighbours in view: the last stage of the boundary scorer.

Why. The linear scorer (indexer.chapters.scorer) weighs each gap's own columns, and where a story starts it often
scores the gap before or after nearly as high; the dynamic programme then places the boundary one sentence off, or
puts two. Adding the neighbours' log-odds to the linear scorer gained nothing (docs/benchmarks.md, tenth pass):
what matters is not a sum but conditions ("this gap scores well, and better than both neighbours, and the sentence
after it reads like a lead"), which trees express. So a small ensemble of regression trees (gradient boosting,
fitted by bench/fit_boost.py with scikit-learn, which only the fit needs) reads the scorer's 19 columns, the linear
log-odds of the gap and of the two gaps either side, and the gap's lead over each of those four, and gives the
log-odds a chapter starts there.

It was fitted on SpeechTopSeg train programmes that no other fit had used (their columns read with the shipped
directions, as a new programme's are), so the trees see the linear scorer as sure as it is on new material. On
those programmes, each set scored by trees fitted on the other six sets, mean Pk fell 0.232 -> 0.220 and F1@10s
rose 0.714 -> 0.733 (docs/benchmarks.md). Without the file (`TREES_FILE`) the linear log-odds are used as before.

The trees are evaluated here with numpy, all at once: each tree's nodes are a row of arrays, leaves point at
themselves, and every gap walks every tree `depth` steps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

TREES_FILE = Path(__file__).with_name("boost.npz")
NEIGHBOURS = (-2, -1, 1, 2)  # the gaps whose linear log-odds a gap's trees read, relative to it
EDGE = -9.0  # the log-odds of a gap past either end of the transcript: no boundary there


def context(features: np.ndarray, linear: np.ndarray) -> np.ndarray:
    """What the trees read per gap: the scorer's columns, the linear log-odds, the neighbours' log-odds (EDGE past
    either end) and how far the gap's log-odds lie above each neighbour's."""
    n = len(linear)
    reach = max(abs(k) for k in NEIGHBOURS)
    padded = np.concatenate([np.full(reach, EDGE), linear, np.full(reach, EDGE)])
    near = np.stack([padded[reach + k : reach + k + n] for k in NEIGHBOURS], axis=1)
    return np.hstack([features, linear[:, None], near, linear[:, None] - near])


@dataclass(frozen=True)
class Trees:
    """An ensemble of binary regression trees: node j of tree t sends x to `left[t, j]` if x[feature[t, j]] <=
    threshold[t, j], else to `right[t, j]`; a leaf points at itself and holds `value[t, j]`. The log-odds are
    `baseline` plus the sum of the leaves reached."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    baseline: float
    depth: int
    columns: int  # how many columns `context` gives (a file for another scorer is refused)

    def logodds(self, x: np.ndarray) -> np.ndarray:
        if x.shape[1] != self.columns:
            raise ValueError(f"the trees read {self.columns} columns, got {x.shape[1]}")
        trees = np.arange(len(self.feature))[None, :]
        rows = np.arange(len(x))[:, None]
        node = np.zeros((len(x), len(self.feature)), dtype=np.int64)
        for _ in range(self.depth):
            left = x[rows, self.feature[trees, node]] <= self.threshold[trees, node]
            node = np.where(left, self.left[trees, node], self.right[trees, node])
        return self.baseline + self.value[trees, node].sum(axis=1)

    def save(self, path: Path) -> None:
        np.savez_compressed(path, feature=self.feature.astype(np.int16), threshold=self.threshold,
                            left=self.left.astype(np.int16), right=self.right.astype(np.int16), value=self.value,
                            meta=np.array([self.baseline, self.depth, self.columns]))


def load(path: Path = TREES_FILE) -> Trees | None:
    """The fitted trees, or None (with a warning when the file is there but unreadable)."""
    if not path.is_file():
        return None
    try:
        with np.load(path) as f:
            baseline, depth, columns = f["meta"]
            return Trees(f["feature"].astype(np.int64), f["threshold"], f["left"].astype(np.int64),
                         f["right"].astype(np.int64), f["value"], float(baseline), int(depth), int(columns))
    except (OSError, KeyError, ValueError) as e:
        log.warning("the chapter scorer's trees (%s) could not be read, the linear scorer is used: %s", path, e)
        return None
