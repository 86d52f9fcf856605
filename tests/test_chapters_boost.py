"""The chapter scorer's last stage (indexer/chapters/boost.py): trees that read each gap's linear log-odds beside its
neighbours'. Their evaluation against hand-made trees, the neighbour columns, the shipped file, and a damaged one."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from indexer.chapters import boost, scorer


def _two_trees() -> boost.Trees:
    """Tree 0: column 0 <= 1 -> (column 1 <= 0 -> 0.5, else 2.0), else -1.0. Tree 1: a single leaf, 0.25.
    Node numbers as the fit writes them: a leaf points at itself."""
    feature = np.array([[0, 1, 0, 0, 0], [0, 0, 0, 0, 0]])
    threshold = np.array([[1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    left = np.array([[1, 3, 2, 3, 4], [0, 1, 2, 3, 4]])
    right = np.array([[2, 4, 2, 3, 4], [0, 1, 2, 3, 4]])
    value = np.array([[0.0, 0.0, -1.0, 0.5, 2.0], [0.25, 0.0, 0.0, 0.0, 0.0]])
    return boost.Trees(feature, threshold, left, right, value, baseline=-3.0, depth=2, columns=2)


def test_trees_send_each_row_down_every_tree_and_add_the_leaves() -> None:
    trees = _two_trees()
    x = np.array([[0.0, -1.0], [1.0, 0.0], [0.5, 3.0], [1.5, -9.0], [7.0, 7.0]])
    # column 0 <= 1 goes left, then column 1 <= 0 goes left again; a threshold equal to the value goes left
    assert trees.logodds(x) == pytest.approx([-3 + 0.5 + 0.25, -3 + 0.5 + 0.25, -3 + 2.0 + 0.25, -3 - 1.0 + 0.25,
                                              -3 - 1.0 + 0.25])
    with pytest.raises(ValueError, match="2 columns"):
        trees.logodds(np.zeros((3, 5)))


def test_the_trees_read_each_gaps_neighbours_and_how_far_it_stands_above_them() -> None:
    features = np.arange(10.0).reshape(5, 2)
    linear = np.array([1.0, 4.0, 2.0, 0.0, 3.0])
    x = boost.context(features, linear)
    assert x.shape == (5, 2 + 1 + 2 * len(boost.NEIGHBOURS))
    assert np.array_equal(x[:, :2], features) and np.array_equal(x[:, 2], linear)
    near = x[:, 3 : 3 + len(boost.NEIGHBOURS)]
    assert boost.NEIGHBOURS == (-2, -1, 1, 2)
    assert near[2].tolist() == [1.0, 4.0, 0.0, 3.0], "gap 2's neighbours, two each side"
    assert near[0].tolist() == [boost.EDGE, boost.EDGE, 4.0, 2.0], "nothing before the first gap"
    assert near[4].tolist() == [2.0, 0.0, boost.EDGE, boost.EDGE]
    assert np.array_equal(x[:, 3 + len(boost.NEIGHBOURS) :], linear[:, None] - near)


def test_the_shipped_trees_score_the_gaps_and_the_linear_scorer_is_what_they_read() -> None:
    trees = boost.load()
    assert trees is not None and scorer.TREES is not None, "indexer/chapters/boost.npz ships with the package"
    assert trees.columns == len(scorer.FEATURES) + 1 + 2 * len(boost.NEIGHBOURS)
    assert len(trees.feature) >= 50 and trees.depth >= 2
    assert scorer.PENALTY == scorer.TREES_PENALTY
    rng = np.random.default_rng(4)
    features = rng.normal(size=(40, len(scorer.FEATURES)))
    linear = scorer.linear_logodds(features)
    boosted = scorer.boundary_logodds(features)
    assert np.isfinite(boosted).all() and not np.allclose(boosted, linear)
    assert np.allclose(boosted, trees.logodds(boost.context(features, linear)))
    # the trees follow the linear scorer: the gaps it rates highest stay far likelier starts than its lowest
    order = np.argsort(linear)
    assert boosted[order[-5:]].mean() > boosted[order[:5]].mean() + 2


def test_a_damaged_trees_file_falls_back_to_the_linear_scorer_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert boost.load(tmp_path / "missing.npz") is None
    bad = tmp_path / "boost.npz"
    bad.write_bytes(b"not a zip file at all")
    with caplog.at_level(logging.WARNING, logger="indexer.chapters.boost"):
        assert boost.load(bad) is None
    assert "linear scorer is used" in caplog.text
    saved = tmp_path / "saved.npz"
    _two_trees().save(saved)
    back = boost.load(saved)
    assert back is not None and back.depth == 2 and back.columns == 2
    x = np.array([[0.0, -1.0], [7.0, 7.0]])
    assert np.array_equal(back.logodds(x), _two_trees().logodds(x))
