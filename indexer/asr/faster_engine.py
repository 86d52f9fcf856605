"""The faster-whisper engine (CTranslate2), the default, with its guards against Whisper's silent failures.

The faster-whisper engine reads the 16 kHz WAV in windows of `window_s` seconds, cut at the quietest moment near each
window's end, so memory stays flat however long the input is (faster-whisper would otherwise hold the whole waveform
and its whole mel spectrogram). Each window's segments are checked before they are yielded:
- a stretch of speech (by the Silero VAD that faster-whisper ships; its pass over the window is the one the batched
  pipeline made, indexer.asr.vad) with no decoded words is re-decoded with sampling temperatures and without the
  previous text as prompt; if it stays empty a warning names the time range;
- a repetition loop (the same short phrase over and over) is re-decoded the same way; if it persists the repeats are
  dropped and a warning is recorded;
- a chunk of the batched pipeline whose decoding stopped at the token limit is re-decoded on the sequential path,
  which goes on past it (indexer.asr.limit).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from indexer.asr.audio import SAMPLE_RATE, open_audio
from indexer.asr.batching import choose_batch_size
from indexer.asr.engine import ProgressFn, Transcription, english_only, unsure_language
from indexer.asr.guard import find_gaps, find_loops, merge, replace_range
from indexer.asr.heap import release_memory
from indexer.asr.limit import Watch
from indexer.asr.modelpath import ResolvedModel
from indexer.asr.vad import install as remember_speech_probabilities
from indexer.asr.vad import speech_for_language
from indexer.errors import ModelError
from indexer.models import Segment, Word


class FasterWhisperEngine:
    """faster-whisper (CTranslate2): int8 on CPU, float16 on CUDA. Models load lazily, inside the worker process."""

    name = "faster-whisper"

    def __init__(
        self,
        model: ResolvedModel,
        *,
        device: str = "auto",
        beam_size: int = 5,
        window_s: float = 300.0,
        batch_size: int = 0,
        vad: bool = True,
    ) -> None:
        self.resolved = model
        self.model_name = model.name
        self.device = device
        self.beam_size = beam_size
        self.window_s = window_s
        self.batch_size = batch_size  # the setting: 0 leaves it to the machine (indexer.asr.batching)
        self._batch: int | None = None
        self.vad = vad
        self._model: Any = None

    def _device(self) -> str:
        if self.device == "auto":
            return "cuda" if _cuda_available() else "cpu"
        return self.device

    @property
    def batch(self) -> int:
        """The batch in use: the setting, or the machine's choice for this model (1: the sequential path)."""
        if self._batch is None:
            self._batch = choose_batch_size(self.batch_size, cuda=self._device() == "cuda",
                                            model_path=self.resolved.path)
        return self._batch

    def _load(self) -> Any:
        if self._model is None:
            from faster_whisper import WhisperModel  # deferred: faster-whisper pulls CTranslate2 (0.5 s to import)

            device = self._device()
            compute = "float16" if device == "cuda" else "int8"
            try:
                self._model = WhisperModel(
                    self.resolved.path, device=device, compute_type=compute, cpu_threads=os.cpu_count() or 0
                )
            except Exception as exc:  # noqa: BLE001 - CTranslate2 raises plain RuntimeError/ValueError
                raise ModelError(f"cannot load Whisper model {self.model_name!r}: {exc}") from None
            if self.vad:
                remember_speech_probabilities()  # the pipeline's VAD pass over a window serves the guard too
        return self._model

    def transcribe(
        self, audio: Path, *, language: str | None = None, task: str = "transcribe", progress: ProgressFn | None = None
    ) -> Transcription:
        model = self._load()
        notes = english_only(self.model_name, language, model.model.is_multilingual)
        duration, language, first, windows = open_audio(audio, language, model.model.is_multilingual,
                                                        self.model_name, self.window_s)
        prob = 1.0
        if language is None:
            language, prob, _ = model.detect_language(speech_for_language(first[1]))
        result = Transcription(language=language, language_probability=float(prob), duration=duration,
                               segments=iter(()), warnings=[*notes, *unsure_language(language, float(prob))])
        result.segments = self._segments(first, windows, result, task, progress)
        return result

    def _segments(
        self,
        first: tuple[float, np.ndarray],
        rest: Iterator[tuple[float, np.ndarray]],
        result: Transcription,
        task: str,
        progress: ProgressFn | None,
    ) -> Iterator[Segment]:
        for offset, samples in _chain(first, rest):
            if progress:  # the position before a window's first batch: a batch can take many seconds to report
                progress(offset)
            segs, full = self._decode(samples, offset, result.language, task, progress)
            segs = _guard(self, samples, offset, segs, result, task, full)
            release_memory()
            yield from segs
            if progress:
                progress(offset + samples.size / SAMPLE_RATE)

    def _decode(
        self,
        samples: np.ndarray,
        offset: float,
        language: str,
        task: str,
        progress: ProgressFn | None = None,
        *,
        temperature: float | tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
        condition: bool = True,
        batched: bool = True,
    ) -> tuple[list[Segment], list[tuple[float, float]]]:
        """The window's segments, and the (start, end) of each batched chunk that stopped at the token limit."""
        model = self._load()
        kwargs: dict[str, Any] = dict(
            language=language, task=task, beam_size=self.beam_size, word_timestamps=True,
            vad_filter=self.vad, temperature=temperature, condition_on_previous_text=condition,
        )
        watch = None
        if batched and self.batch > 1:
            from faster_whisper import BatchedInferencePipeline  # deferred, as WhisperModel above

            kwargs.pop("condition_on_previous_text")
            watch = Watch(model)
            segments, _ = BatchedInferencePipeline(watch).transcribe(samples, batch_size=self.batch, **kwargs)
        else:
            segments, _ = model.transcribe(samples, **kwargs)
        out = []
        for s in segments:
            out.append(_segment(s, offset))
            release_memory()  # a batch's buffers, before the next batch decodes (indexer.asr.heap)
            if progress:
                progress(offset + s.end)
        return out, watch.ranges(offset, offset + samples.size / SAMPLE_RATE) if watch else []


def _chain(first: tuple[float, np.ndarray], rest: Iterator[tuple[float, np.ndarray]]):
    yield first
    yield from rest


def _segment(s: Any, offset: float) -> Segment:
    words = tuple(
        Word(_r(w.start + offset), _r(max(w.end, w.start) + offset), w.word.strip(), _r(w.probability, 4))
        for w in (s.words or [])
        if w.word.strip()
    )
    return Segment(_r(s.start + offset), _r(s.end + offset), s.text.strip(), words)


def _r(x: float, digits: int = 3) -> float:
    return round(float(x), digits)


def _cuda_available() -> bool:
    try:
        import ctranslate2  # deferred, as faster-whisper is; inside the try: a broken CUDA install fails here

        return ctranslate2.get_cuda_device_count() > 0
    except Exception:  # noqa: BLE001 - a broken CUDA install means CPU
        return False


def _guard(
    engine: FasterWhisperEngine,
    samples: np.ndarray,
    offset: float,
    segs: list[Segment],
    result: Transcription,
    task: str,
    full: list[tuple[float, float]] | tuple[()] = (),
) -> list[Segment]:
    loops, gaps, full = find_loops(segs), find_gaps(samples, offset, segs), list(full)
    # a loop that ran to the token limit is both a loop and a full chunk: each stretch is re-decoded once
    for start, end in merge(sorted(loops + gaps + full), 1.0):
        lo, hi = max(start - 0.5 - offset, 0.0), min(end + 0.5 - offset, samples.size / SAMPLE_RATE)
        piece = samples[int(lo * SAMPLE_RATE) : int(hi * SAMPLE_RATE)]
        # a loop, or speech Whisper skipped, is decoded again by sampling; a chunk that only ran out of tokens (its
        # lost end may show as a gap) as at first, with beam search. Sequentially: only that path falls back
        # through the temperatures (the batched one samples at the first).
        sample = _meets(loops, start, end) or (_meets(gaps, start, end) and not _meets(full, start, end))
        redo, _ = engine._decode(piece, offset + lo, result.language, task,
                                 temperature=(0.2, 0.4, 0.6) if sample else (0.0, 0.2, 0.4, 0.6),
                                 condition=False, batched=False)
        segs, note = replace_range(segs, redo, offset + lo, offset + hi)
        if note:
            result.warnings.append(note)
    return segs


def _meets(ranges: list[tuple[float, float]], start: float, end: float) -> bool:
    """Whether any of `ranges` overlaps (start, end)."""
    return any(a < end and start < b for a, b in ranges)
