"""A fitted boundary scorer: how likely a story starts at each gap between sentences, from sentence embeddings.

Why a fitted scorer. With an embedding model the signals are many (how alike the sentences either side of a gap are,
over windows of 1, 2, 3 and 5 sentences; how deep that similarity dips below the peaks around it; shared words;
sentence lengths), and hand-set weights for them over-segmented real news (1.3-1.7 boundaries found per true one).
A logistic regression weighs them instead, fitted on real news programmes in six languages (SpeechTopSeg's train
lists: Euronews en, fr, de, it, es, pt and Tagesschau) by bench/fit_chapters.py, which prints the constants below;
refit with `.venv/bin/python bench/fit_chapters.py PATH` and paste its output here.

Every similarity feature is relative to the programme itself (a z-score within the transcript, or a difference
between neighbouring gaps), so none depends on a language's typical cosine: an embedding model puts all sentences of
one language closer together than those of another (French sentences look more alike to e5 than English ones). The
similarities are taken between embeddings centred on the programme's mean: what all its sentences share (the
language, the genre, the programme's main topic) says nothing about where a story starts, and left in it squeezes
every cosine together (leave-one-set-out AUC for "boundary or not" 0.827 -> 0.850 on the train lists).

Three features read the sentences themselves rather than their likeness: the sentence after the gap, the one after
that and the one before the gap, each less the programme's mean sentence and projected on a direction of the model's
embedding space fitted with the rest (indexer.chapters.probe): how much a sentence reads like a story's opening (a
lead naming who and where), like the sentence that follows a lead, or like a story's close (a reporter's sign-off),
compared with the programme's usual sentence. e5 is multilingual, so one direction serves every language: fitted on
six sets, each held-out set's AUC rose (first 20 train programmes a set: 0.850 -> 0.882 on average, French 0.822 ->
0.874). The second sentence after the gap (fifth pass) carries what the first alone misses, perhaps a lead's second
line (val, first 15 programmes a set, each variant with its own cross-fitted knobs: mean Pk 0.263 -> 0.249, every set
lower); subtracting the programme's mean sentence removes what a language or a programme adds to every projection
(0.249 -> 0.242, French 0.304 -> 0.276). A model of another width leaves the three at 0.

One more similarity reads a news lead (seventh pass, "lead z"): the sentence after the gap against the mean of the
five after it, minus the sentence before the gap against the same mean. A lead says what its story is about, so it
resembles the story's next sentences more than the previous story's last sentence does. With it, and the scorer
fitted on 60 train programmes a set instead of 40, the cross-fitted train objective (F1@10s - Pk, mean over sets,
halves of the same 420 programmes) rose 0.422 -> 0.440 and val (first 15 a set) went from mean Pk 0.238, F1@10s
0.679 to 0.232, 0.701. Its z-scores, like the others', are clipped (Z_CLIP): unclipped, one degenerate programme's
outlier left "next cos z" and some windows of the lead feature with no weight in the fit.

The weights that score a gap come from a second regression (ninth pass). The directions are 1,152 weights fitted on
the same programmes as the rest, so on those programmes their columns look surer than they will on a new one, and a
regression that weighs everything at once trusts them too much. The second stage is fitted over the 19 columns and
their 190 products two by two (`pair_products`: one signal weighed by another), where each train programme's probe
columns are read with directions fitted without it (five folds; bench/fit_chapters.py). On the halves of train
programmes 1-40, each scored with both stages fitted on the other half, the objective (F1@10s - Pk, mean over sets)
rose 0.440 -> 0.467 with the second stage over the columns alone and to 0.479 with the products.

Last, boosted trees read those log-odds with the neighbouring gaps' (indexer.chapters.boost, eleventh pass): they
give the log-odds that the dynamic programme uses, where their file is shipped. The trees are fitted on the linear
scorer's output: refitting the constants below (bench/fit_chapters.py, which scores with the linear stage alone)
calls for refitting the trees too (bench/fit_boost.py).

The log-odds, less `PENALTY` per boundary, is what a chapter start gains in the dynamic programme of
indexer.chapters.segment; `PENALTY` was fitted the same way, on the train lists, so that the count comes out right.
"""

from __future__ import annotations

import numpy as np

from indexer.chapters import boost, probe
from indexer.chapters.embed import window_cosine

WINDOWS = (1, 2, 3, 5)
FEATURES = (
    *(f"cos{w} z" for w in WINDOWS),  # cosine of the mean embeddings of w sentences each side, z-scored
    *(f"depth{w}" for w in WINDOWS),  # TextTiling depth of that curve, in units of its spread
    *(f"dip{w}" for w in WINDOWS),  # how far the gap lies below the lower of its two neighbouring gaps
    "words z",  # lexical: shared content words of 3 sentences each side, z-scored
    "words depth",
    "next cos z",  # the next sentence against the 3 before the gap, minus against the 3 after it
    "lead z",  # the sentence after the gap against the LEAD after it, minus the sentence before the gap against them
    # The sentence `shift` places after the gap's first sentence (1: the one after the gap, 0: the one before it),
    # less the programme's mean sentence, on that probe direction; weighed by the second stage like the others.
    *probe.NAMES,
)
SHIFTS = (1, 2, 0)  # per probe.NAMES: "opens", "follows", "closes"
DIRECTIONS = probe.directions()
# Sentence lengths were tried and left out: weak on real news (AUC 0.5-0.6 for "boundary or not") and a property of
# the transcriber's punctuation rather than of the stories (caption cues and ASR sentences differ).

# Fitted by bench/fit_chapters.py on the train lists (see the module docstring): the second stage's weights, of the
# columns (in FEATURES' order) and of their products (in PAIRS' order). Fitted 2026-12-03 on the first 60 programmes
# of each train list (420 programmes, 42,123 gaps, 3,026 boundaries; first stage L2 3000, second stage L2 300, on
# standardised columns; 100 a set in the eighth pass, whose embedding cache was gone).
COEF = np.array([
    -0.0342343, -0.127639, -0.120143, -0.251234, -0.00187258, 0.0884747, 0.142508, 0.135831,
    0.157198, 0.140308, 0.408118, 0.484021, -0.0646034, 0.0385376, -0.166199, 0.330752,
    0.816327, 0.610522, 0.53192,
])
INTERCEPT = -3.9289
PAIR_COEF = np.array([
    0.0300329, 0.017887, -0.0159762, -0.0272075, -0.00918537, -0.0336023, -0.018853, -0.0369542,
    0.0631654, -0.0482541, 0.10361, 0.242969, -0.0128009, -0.0175784, 0.0547043, 0.0222679,
    -0.00447916, 0.0936675, -0.00665308, 0.00758207, -0.0339382, -0.0255507, 0.00446796, 0.00100083,
    0.00502245, -0.0214729, 0.0349136, 0.0110918, 0.209776, 0.112641, -0.00633836, -0.000623168,
    0.066739, -0.0817656, -0.0341326, -0.0975089, -0.0245252, -0.0450682, -0.0221403, 0.00151244,
    0.0122252, 0.0214417, 0.0119039, 0.0332127, 0.0299642, 0.0853644, 0.257441, 0.00230004,
    -0.00352027, 0.0370794, -0.054516, 0.0959214, 0.0407297, 0.0461176, -0.0513239, -0.0275101,
    -0.0129799, -0.00169337, 0.0166268, -0.0374429, -0.0628313, -0.178961, -0.0864548, 0.040243,
    -0.02002, -0.00314559, 0.0419722, 0.0994333, -0.00967575, 0.0316266, -0.00375537, -0.00115222,
    -0.00216709, 0.00241718, -0.00854314, 0.00503596, 0.00918353, 0.0135904, -0.0298659, -0.0131796,
    0.00253699, -0.0113568, 0.0111834, 0.0529429, 0.0637417, -0.00759267, -0.00387893, -0.00920787,
    -0.0030523, 0.0121093, -0.0181988, 0.0176825, 0.00347578, -0.010489, -0.00139962, -0.00438953,
    0.025911, 0.0126416, 0.0438809, -0.00365155, -0.0102202, -0.00111351, 0.0332411, 0.00197035,
    0.0518605, 0.000359931, -2.80396e-06, -0.0114413, 0.020232, 0.038745, 0.00941922, 0.0175694,
    0.00239492, 0.00736301, 0.00498514, -0.00954137, 0.114993, -0.0107379, -0.00607369, 0.00358092,
    0.00106201, 0.0321494, -0.0152586, 0.082028, -0.0306364, -0.0559842, -0.0576964, -0.0424261,
    -0.0805855, -0.00833289, -0.0387555, -0.0609897, 0.0692878, 0.178527, -0.0625177, -0.0585728,
    -0.0898406, -0.0477856, 0.0897685, 0.0150982, 0.0509592, -0.0446796, -0.0267577, 0.00732356,
    -0.0499326, -0.0193506, -0.0911106, -7.97857e-05, 0.0171946, -0.0220584, -0.0138895, -0.182057,
    -0.099858, 0.117083, -0.504086, 0.0788636, -0.0148413, 0.0224714, 0.0489312, -0.050045,
    0.0753997, 0.0914169, 0.000707808, -0.0279375, 0.0551985, -0.0666076, 0.053419, -0.0585009,
    0.00879965, -0.00806468, 0.0183422, -0.00446872, 0.0438478, 0.0402679, -0.010502, -0.0311283,
    0.0486884, -0.12171, -0.171342, 0.0351409, -0.000885754, 0.119719, 0.0200193, 0.236522,
    -0.000271317, -0.199764, 0.240696, 0.144317, 0.11441, -0.329879,
])
TREES = boost.load()  # the last stage (None: the linear log-odds are the scorer's)
# The dynamic programme's knobs, chosen on a grid by the same script (train lists, cross-fitted, with the
# short-bulletin check); with the trees, by bench/fit_boost.py (each set segmented with trees fitted on the others).
# PENALTY is subtracted from each boundary's log-odds (after the story-length prior below); the trees' grid chose
# the linear scorer's value again.
LINEAR_PENALTY = -0.25
TREES_PENALTY = -0.25
PENALTY = LINEAR_PENALTY if TREES is None else TREES_PENALTY
# The intercept holds the train programmes' prior: about one story start per TYPICAL sentences (their mean, measured
# by bench/fit_chapters.py). A programme whose own embeddings say its stories are shorter or longer gets the prior
# odds of its story length instead (prior_shift): the same model then sizes the count to 3-sentence bulletin items
# and to 12-sentence reports, which one fixed penalty could not.
TYPICAL = 12.5
# The scorer was fitted on the recognisers' sentences. Where units cut a long sentence into pieces (captions
# without punctuation), a story's start mostly falls inside a piece, the gap next to it reads weaker than a sentence
# end does, and the count came out low (0.71-0.91 found per true start). Such a gap gets CUT_SHIFT more log-odds,
# fitted by bench/eval_chapters_real.py --cut-grid on unpunctuated train programmes past the scorer's own.
CUT_SHIFT = 1.0
COHESION = 0.25  # the weight of segment's pair cohesion (words and embeddings) beside the log-odds
SCALE = 1.0  # the log-odds' weight
# A prior on chapter length (sixth pass): news stories last about STORY_SECONDS (the median of the train lists'
# chapters), their log-lengths spread by STORY_SPREAD. Each chapter but the last (the programme's end may cut it)
# costs LENGTH_WEIGHT / 2 x its squared distance from that in spreads, so that a short item can stand alone when the
# scorer is sure of it, instead of a hard minimum that forbids every chapter under 30 s; FLOOR is the hard minimum
# that is left when the caller sets none. Fitted by bench/fit_chapters.py with PENALTY.
STORY_SECONDS = 73.1
STORY_SPREAD = 0.62
LENGTH_WEIGHT = 0.25
FLOOR = 20.0


def gap_features(rows: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """features[g]: FEATURES at the gap between sentences g and g + 1 (n - 1 rows for n sentences).

    `rows`: L2-normalised sentence embeddings; `lexical`: the word-overlap similarity of the windows either side of
    each gap (indexer.chapters.segment.window_similarity).
    """
    n = len(rows)
    if n < 2:
        return np.zeros((0, len(FEATURES)))
    columns = []
    centred = _centred(rows)
    curves = [window_cosine(centred, w) for w in WINDOWS]
    columns += [_z(c) for c in curves]
    columns += [depth(c) / _spread(c) for c in curves]
    columns += [_dip(c) / _spread(c) for c in curves]
    columns += [_z(lexical), depth(lexical) / _spread(lexical)]
    columns.append(_z(_next_sentence(centred)))
    columns.append(_z(_lead(centred)))
    columns += list(read_directions(rows).T)
    return np.stack(columns, axis=1)


def sentences_at(rows: np.ndarray) -> list[np.ndarray]:
    """Per SHIFTS: for each gap g, sentence g + shift less the programme's mean sentence (the last sentence where
    g + shift runs past the end). What the probe directions read, and what bench/fit_chapters.py fits them on."""
    n = len(rows)
    centred = rows - rows.mean(axis=0)
    return [centred[np.minimum(np.arange(n - 1) + k, n - 1)] for k in SHIFTS]


def read_directions(rows: np.ndarray) -> np.ndarray:
    """The probe columns (n - 1 gaps x len(SHIFTS)); zeros for rows of another width than the directions'."""
    n = len(rows)
    if not all(d.shape == (rows.shape[1],) for d in DIRECTIONS):
        return np.zeros((max(0, n - 1), len(SHIFTS)))
    # Each sentence projected once, then shifted: the same numbers as sentences_at's rows on the directions.
    directions = np.stack(DIRECTIONS, axis=1)
    projected = rows @ directions - rows.mean(axis=0) @ directions
    gaps = np.arange(n - 1)
    return np.stack([projected[np.minimum(gaps + k, n - 1), i] for i, k in enumerate(SHIFTS)], axis=1)


PAIRS = np.triu_indices(len(FEATURES))  # the products of two columns (each with itself too) that PAIR_COEF weighs


def pair_products(features: np.ndarray) -> np.ndarray:
    """Every product of two feature columns (n gaps x 190): what lets the scorer weigh one signal by another."""
    return features[:, PAIRS[0]] * features[:, PAIRS[1]]


def linear_logodds(features: np.ndarray) -> np.ndarray:
    """The second stage's log-odds that a story starts at each gap: a weight per column and per product of two."""
    return features @ COEF + pair_products(features) @ PAIR_COEF + INTERCEPT


def boundary_logodds(features: np.ndarray) -> np.ndarray:
    """The fitted log-odds that a story starts at each gap: the trees' reading of the linear log-odds and their
    neighbours' (indexer.chapters.boost), or the linear log-odds where no trees are shipped."""
    linear = linear_logodds(features)
    return linear if TREES is None else TREES.logodds(boost.context(features, linear))


def length_cost(seconds: np.ndarray) -> np.ndarray:
    """The length prior's cost of chapters this long, before LENGTH_WEIGHT: half the squared distance of their
    log-length from STORY_SECONDS, in units of STORY_SPREAD."""
    z = (np.log(np.maximum(seconds, 1.0)) - np.log(STORY_SECONDS)) / STORY_SPREAD
    return 0.5 * z * z


def _centred(rows: np.ndarray) -> np.ndarray:
    """The embeddings less the programme's mean embedding, L2-normalised again."""
    centred = rows - rows.mean(axis=0)
    return centred / (np.linalg.norm(centred, axis=1, keepdims=True) + 1e-12)


def _spread(x: np.ndarray) -> float:
    """The spread of a programme's values, from the middle half (as the standard deviation would be for a normal
    distribution): the gaps inside stories, whether stories are 3 sentences long or 15."""
    if x.size < 2:
        return 1.0
    q1, q3 = np.percentile(x, [25, 75])
    for s in (float(q3 - q1) / 1.349, float(x.std())):  # the standard deviation where most values are equal
        if s > 1e-9:
            return s
    return 1.0


Z_CLIP = 8.0  # z-scores are clipped to +-Z_CLIP (seventh pass; see _z)


def _z(x: np.ndarray) -> np.ndarray:
    """Values against the programme's median gap, in units of its spread, clipped to +-Z_CLIP: a programme whose
    sentences are mostly alike has almost no spread, and one z-score in the hundreds (564 in one French train
    programme) swamps a standardised column in the fit, which then gives the feature no weight."""
    return np.clip((x - np.median(x)) / _spread(x), -Z_CLIP, Z_CLIP) if x.size else x


def depth(sims: np.ndarray) -> np.ndarray:
    """TextTiling depth: how far each gap's similarity lies below the peaks reached climbing left and right from it.
    (Also the lexical method's boundary bonus in indexer.chapters.segment, with or without the model.)

    A climb from gap g goes on while the next value is no lower, so it ends where the climb from g's uphill
    neighbour ends: one pass each way instead of a climb per gap (plateaus would make that quadratic).
    """
    return _peaks(sims) + _peaks(sims[::-1])[::-1] - 2 * sims


def _peaks(sims: np.ndarray) -> np.ndarray:
    """For each gap, the top reached climbing leftwards."""
    top = sims.copy()
    for g in range(1, len(sims)):
        if sims[g - 1] >= sims[g]:
            top[g] = top[g - 1]
    return top


def _dip(sims: np.ndarray) -> np.ndarray:
    """How far each value lies below the lower of its neighbours (0 where it is not a local minimum)."""
    padded = np.concatenate(([np.inf], sims, [np.inf]))
    lower = np.minimum(padded[:-2], padded[2:])
    lower = np.where(np.isfinite(lower), lower, sims)
    return np.maximum(0.0, lower - sims)


def _next_sentence(rows: np.ndarray, window: int = 3) -> np.ndarray:
    """Per gap: the first sentence after it against the `window` before the gap, minus against the `window` after
    it (its own story's sentences); low where the sentence opens a new story."""
    n = len(rows)
    csum = np.vstack([np.zeros((1, rows.shape[1])), np.cumsum(rows, axis=0)])
    gaps = np.arange(1, n)
    before = csum[gaps] - csum[np.maximum(0, gaps - window)]
    after = csum[np.minimum(n, gaps + 1 + window)] - csum[gaps + 1]
    first = rows[gaps]

    def cos(a: np.ndarray) -> np.ndarray:
        norm = np.linalg.norm(a, axis=1)
        return np.einsum("ij,ij->i", a, first) / np.where(norm > 0, norm, 1.0)

    return cos(before) - cos(after)


LEAD = 5  # sentences after a story's opening that its lead sums up (seventh pass: 3 and 8 were no better on train)


def _lead(rows: np.ndarray, window: int = LEAD) -> np.ndarray:
    """Per gap: the first sentence after it against the mean of the `window` sentences after that one, minus the
    sentence before the gap against the same mean. A news lead says what the story is about, so it resembles the
    story's next sentences more than the previous story's last sentence does (0 where nothing follows)."""
    n = len(rows)
    csum = np.vstack([np.zeros((1, rows.shape[1])), np.cumsum(rows, axis=0)])
    gaps = np.arange(n - 1)
    ahead = csum[np.minimum(n, gaps + 2 + window)] - csum[np.minimum(n, gaps + 2)]
    norm = np.linalg.norm(ahead, axis=1)
    ahead = ahead / np.where(norm > 0, norm, 1.0)[:, None]
    return np.einsum("ij,ij->i", rows[gaps + 1], ahead) - np.einsum("ij,ij->i", rows[gaps], ahead)


def story_length(rows: np.ndarray, reach: int = 200) -> float:
    """A programme's typical story length in sentences, read from its own embeddings: the sentence distance at which
    two sentences stop being more alike than two of the programme's sentences at random (the mean cosine of pairs d
    apart, about the programme's mean embedding, first drops below zero). Sentences of one story stay alike, so the
    curve falls to zero about where pairs stop sharing a story. At least 2; the whole programme if it never drops."""
    n = len(rows)
    centred = _centred(rows)
    for d in range(1, min(n, reach + 1)):
        if float(np.einsum("ij,ij->i", centred[:-d], centred[d:]).mean()) < 0:
            return max(2.0, float(d))
    return float(max(2, min(n, reach)))


def prior_shift(rows: np.ndarray, typical: float = TYPICAL) -> float:
    """Log-odds to add at every gap: the prior odds of a story start for this programme's story length, against the
    train programmes' (`typical` sentences; TYPICAL for the embeddings, which the fitted intercept holds)."""
    return _logit(1.0 / story_length(rows)) - _logit(1.0 / typical)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 0.5)
    return float(np.log(p / (1.0 - p)))
