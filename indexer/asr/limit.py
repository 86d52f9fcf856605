"""Chunks of the batched pipeline that run to the token limit: found, and aligned cheaply since they are decoded again.

CTranslate2 ends every Whisper decoding at half the text context (224 of 448 tokens, the sample length of Whisper's
reference decoder). The sequential path then goes on from the last timestamp; faster-whisper's batched pipeline
decodes each chunk of up to 30 s in one go without timestamps, so the rest of a chunk that fills the limit was lost
without a sign (unless it was 8 s or more: the guard's gap). Russian read at a news pace filled it in 21-28 s (about
2.3 tokens a word, base), scripts that the tokenizer writes byte by byte sooner, and a repetition loop always.
indexer.asr.faster_engine decodes such a chunk again on the sequential path.

Memory. The pipeline then aligns a batch's words to the audio in one call, every chunk padded to the longest, so a
single chunk at the limit made the whole batch's alignment hold about twice its usual tokens: over a 60-minute input
one loop ("Adédédédé..." to the limit) raised the peak from 674 to 913 MB, 160 MB of it in the alignment (tiny.en,
batch 4), which put the long-file ratio at 1.50. Such a chunk is decoded again anyway, so `Watch` aligns only its
first `ALIGNED` tokens: its first words keep their times (the guard keeps them if the second decoding finds nothing).
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

ALIGNED = 96  # tokens of a chunk at the limit that are aligned: about as many as a 30 s chunk of English holds


def token_limit(model: Any) -> int:
    """Where CTranslate2 stops a decoding of this faster-whisper model (half its text context)."""
    return int(model.max_length) // 2


class Watch:
    """The faster-whisper model as one batched decoding sees it: the same in everything but the word alignment, which
    notes each chunk's start (seconds into the decoded audio) and which chunks reached the token limit."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._limit = token_limit(model)
        self.starts: list[float] = []  # every chunk's, in order
        self.full: list[int] = []  # indexes into `starts` of the chunks that reached the limit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def add_word_timestamps(self, chunks: list[list[dict]], *args: Any, **kwargs: Any) -> Any:
        try:
            self._note(chunks)
        except (KeyError, TypeError, IndexError):  # another faster-whisper's chunks: aligned as they come
            log.warning("faster-whisper's chunks are not as expected: chunks at the token limit go unnoticed")
            self.full.clear()
            self._limit = 1 << 30  # nothing noted for the rest of this decoding
        return self._model.add_word_timestamps(chunks, *args, **kwargs)

    def _note(self, chunks: list[list[dict]]) -> None:
        for chunk in chunks:
            if not chunk:
                continue
            self.starts.append(chunk[0]["seek"] / self._model.frames_per_second)
            if sum(len(piece["tokens"]) for piece in chunk) >= self._limit:
                self.full.append(len(self.starts) - 1)
                _keep_first(chunk, ALIGNED)

    def ranges(self, offset: float, end: float) -> list[tuple[float, float]]:
        """Absolute (start, end) of each chunk that reached the limit: to the next chunk's start, or to `end`."""
        bounds = [offset + s for s in self.starts] + [end]
        return [(bounds[i], bounds[i + 1]) for i in self.full]


def _keep_first(chunk: list[dict], n: int) -> None:
    """Cut the chunk's pieces to their first `n` tokens in all (the text stays whole; only the words are aligned)."""
    left = n
    for piece in chunk:
        piece["tokens"] = piece["tokens"][:left]
        left -= len(piece["tokens"])
