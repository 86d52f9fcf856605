"""A programme's opening: where its headlines end and its first story starts.

News programmes open with their headlines, three or four sentences that each announce a story told later, often in
nearly the words of that story's lead; some open with a presenter's overview of the day instead. For a viewer the
whole preview is one chapter, and the first story starts after it. The fitted scorer (indexer.chapters.scorer) reads
each gap from the sentences around it, so a run of headlines looks to it like a run of short stories, and the end of
the run like one more topic change among them. On SpeechTopSeg's val lists the end of the first chapter was found
(+-10 s) in 38-82% of the programmes of a set, and with that one boundary right, mean Pk would fall from 0.208 to
0.179 (bench/fit_opening.py --oracle).

`corrected` adds to the gains of the gaps in the first `REACH` seconds (at most `SHARE` of the programme) what
tells a preview from a story, weighed by a logistic regression fitted on train programmes that no other fit used
(bench/fit_opening.py prints the constants below):

- `ahead`: how much the sentences before the gap announce what comes after it, each one's likeness to its likest
  sentence `AHEAD` seconds or more later and after the gap (headlines announce; a story's sentences mostly do not);
- `before`, `after`: the same likeness for the sentence before the gap and the one after it alone;
- `back`: how much the sentence after the gap repeats one said before the sentence before it (a story's lead after
  its headline);
- `adjacent`: the likeness of the two sentences either side of the gap;
- the gap's time (log seconds), and the gain itself (the correction changes its weight a little);
- two products: `back` x `ahead` (a repeat counts where the sentences before it announce what follows: a lead after
  its headline, not a story's sentence that repeats its own lead) and `ahead` x the time (an announcement counts
  less the later it is said).

Every likeness is a cosine between embeddings centred on the programme's mean (as the scorer's), as a z-score
within the programme, so that no language's usual cosine matters. The correction is the regression's log-odds less
that of the gain alone (GAIN_ALONE): what the features add, not a new calibration of the gain.
"""

from __future__ import annotations

import numpy as np

from indexer.chapters import scorer

REACH = 300.0  # seconds from the start: the gaps the correction reads (a headline block or overview lies inside)
SHARE = 0.3  # ... and at most this share of the programme: a short report has no headlines to read
AHEAD = 25.0  # seconds: how much later a sentence's likest one must be to count as what it announces
NONE = -3.0  # the likeness where there is nothing to compare with (the first sentences, the programme's end)
FEATURES = ("gain", "time", "back", "ahead", "before", "after", "adjacent", "back x ahead", "ahead x time")

# Fitted by bench/fit_opening.py on SpeechTopSeg's train programmes 101-200 of each list (2026-12-06): the logistic
# regression of "a story starts at this gap" on FEATURES over every gap of the opening, and on the gain alone.
COEF = np.array([0.820, 0.925, -0.060, 0.892, 0.080, 0.067, -0.063, 0.067, -0.307])
INTERCEPT = -4.201
GAIN_ALONE = (0.873, -0.603)  # weight and intercept of the gain alone


def likeness(rows: np.ndarray, opening: int) -> np.ndarray:
    """z[i, j]: how alike sentence i (one of the first `opening`) and sentence j are, the cosine of their centred
    embeddings as a z-score among all pairs of different sentences of the programme. The mean and spread come from
    the embeddings' d x d Gram matrix, so a long programme costs `opening` x n cosines, not n x n."""
    x = scorer._centred(rows.astype(np.float64))
    n = len(x)
    pairs = n * (n - 1)
    norms = np.einsum("ij,ij->i", x, x)
    total = float(x.sum(axis=0) @ x.sum(axis=0)) - float(norms.sum())
    gram = x.T @ x
    squares = float(np.sum(gram * gram)) - float(np.sum(norms * norms))
    mean = total / pairs
    spread = np.sqrt(max(squares / pairs - mean * mean, 0.0))
    return (x[:opening] @ x.T - mean) / max(spread, 1e-6)


def features(rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """FEATURES but the gain (all but the first), one row per gap g (a chapter starting at sentence g + 1) whose
    sentence after it starts within REACH seconds; `starts`: each sentence's start in seconds."""
    n = len(starts)
    starts = np.maximum.accumulate(np.asarray(starts, dtype=float))  # overlapping caption sentences, in order
    reach = min(REACH, SHARE * starts[-1]) if n else 0.0
    gaps = int(np.searchsorted(starts[1:], reach, side="right")) if n > 1 else 0
    if gaps == 0 or n < 3:
        return np.zeros((0, len(FEATURES) - 1))
    z = likeness(rows, gaps + 1)
    suffix = np.maximum.accumulate(z[:, ::-1], axis=1)[:, ::-1]  # suffix[i, j]: sentence i's likest from j on
    suffix = np.hstack([suffix, np.full((gaps + 1, 1), NONE)])  # ... and NONE past the end
    first_later = np.searchsorted(starts, starts[:gaps + 1] + AHEAD, side="left")  # sentences AHEAD s later or more
    echo = suffix[np.arange(gaps + 1), first_later]
    out = np.zeros((gaps, len(FEATURES) - 1))
    for g in range(gaps):
        ahead = suffix[np.arange(g + 1), np.maximum(first_later[:g + 1], g + 1)].mean()
        back, time = (z[g + 1, :g].max() if g >= 1 else NONE), np.log1p(starts[g + 1])
        out[g] = (time, back, ahead, echo[g], echo[g + 1], z[g, g + 1], back * ahead, ahead * time)
    return out


def corrected(gains: np.ndarray, rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The gains (one per sentence: 0 for the first, one per gap, 0 for the end) with the opening's correction added
    to the gaps that `features` reads (REACH seconds from the start, at most SHARE of the programme)."""
    found = features(rows, starts)
    if not len(found):
        return gains
    k = len(found)
    gain = gains[1:k + 1]
    fitted = COEF[0] * gain + found @ COEF[1:] + INTERCEPT
    alone = GAIN_ALONE[0] * gain + GAIN_ALONE[1]
    out = gains.copy()
    out[1:k + 1] = gain + fitted - alone
    return out
