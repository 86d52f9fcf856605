"""Speech recognition: the engine interface, model resolution, and the faster-whisper engine with its guards.

The faster-whisper engine reads the 16 kHz WAV in windows of `window_s` seconds, cut at the quietest moment near each
window's end, so memory stays flat however long the input is (faster-whisper would otherwise hold the whole waveform
and its whole mel spectrogram). Each window's segments are checked before they are yielded:
- a stretch of speech (by the Silero VAD that faster-whisper ships) with no decoded words is re-decoded with sampling
  temperatures and without the previous text as prompt; if it stays empty a warning names the time range;
- a repetition loop (the same short phrase over and over) is re-decoded the same way; if it persists the repeats are
  dropped and a warning is recorded.
"""

from __future__ import annotations

import os
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from indexer.errors import ModelError, TranscriptionError
from indexer.modelpath import ResolvedModel
from indexer.models import Segment, Word

ProgressFn = Callable[[float], None]  # seconds of audio done
SAMPLE_RATE = 16000


@dataclass
class Transcription:
    language: str
    language_probability: float
    duration: float
    segments: Iterator[Segment]
    warnings: list[str] = field(default_factory=list)


class Engine(Protocol):
    name: str
    model_name: str

    def transcribe(
        self, audio: Path, *, language: str | None = None, task: str = "transcribe", progress: ProgressFn | None = None
    ) -> Transcription: ...


def wav_duration(audio: Path) -> float:
    with wave.open(str(audio), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def read_windows(audio: Path, window_s: float, search_s: float = 20.0) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (offset seconds, float32 samples) windows of at most window_s, each cut at a quiet moment."""
    with wave.open(str(audio), "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise TranscriptionError(f"{audio.name}: expected 16 kHz mono 16-bit WAV")
        total = w.getnframes()
        window = int(window_s * SAMPLE_RATE)
        pos = 0
        carry = np.zeros(0, dtype=np.float32)
        while pos < total or carry.size:
            need = max(window - carry.size, 0)
            raw = w.readframes(min(need, total - pos))
            pos += len(raw) // 2
            chunk = np.concatenate([carry, np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0])
            offset = (pos - chunk.size) / SAMPLE_RATE
            if pos >= total:
                yield offset, chunk
                return
            # look for the cut in the window's last quarter at most, so windows stay close to window_s
            cut = quiet_cut(chunk, int(min(search_s, window_s / 4) * SAMPLE_RATE))
            yield offset, chunk[:cut]
            carry = chunk[cut:].copy()


def quiet_cut(samples: np.ndarray, search: int, frame: int = 1600) -> int:
    """Middle of the latest near-silent 100 ms frame within the last `search` samples (a cut there splits no word).

    Near-silent: within twice the quietest frame's energy; taking the latest keeps windows long."""
    start = max(samples.size - search, 0)
    tail = samples[start : start + ((samples.size - start) // frame) * frame]
    if tail.size < frame:
        return samples.size
    energy = (tail.reshape(-1, frame) ** 2).mean(axis=1)
    quiet = np.flatnonzero(energy <= 2 * energy.min() + 1e-10)
    return start + int(quiet[-1]) * frame + frame // 2


Window = tuple[float, np.ndarray]  # (offset in seconds, float32 samples)


def open_audio(audio: Path, language: str | None, multilingual: bool, model_name: str,
               window_s: float) -> tuple[float, str | None, Window, Iterator[Window]]:
    """What every engine does first: check the language against the model and open the audio's first window."""
    if not multilingual:
        if language not in (None, "en"):
            raise ModelError(f"model {model_name!r} is English-only; pass a multilingual --model")
        language = "en"
    windows = read_windows(audio, window_s)
    first = next(windows, None)
    if first is None or first[1].size == 0:
        raise TranscriptionError(f"{audio.name}: no audio samples")
    return wav_duration(audio), language, first, windows


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
        self.batch_size = batch_size
        self.vad = vad
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            from faster_whisper import WhisperModel

            device = self.device
            if device == "auto":
                device = "cuda" if _cuda_available() else "cpu"
            compute = "float16" if device == "cuda" else "int8"
            try:
                self._model = WhisperModel(
                    self.resolved.path, device=device, compute_type=compute, cpu_threads=os.cpu_count() or 0
                )
            except Exception as exc:  # noqa: BLE001 - CTranslate2 raises plain RuntimeError/ValueError
                raise ModelError(f"cannot load Whisper model {self.model_name!r}: {exc}") from None
        return self._model

    def transcribe(
        self, audio: Path, *, language: str | None = None, task: str = "transcribe", progress: ProgressFn | None = None
    ) -> Transcription:
        model = self._load()
        duration, language, first, windows = open_audio(audio, language, model.model.is_multilingual,
                                                        self.model_name, self.window_s)
        prob = 1.0
        if language is None:
            language, prob, _ = model.detect_language(first[1][: 30 * SAMPLE_RATE])
        result = Transcription(language=language, language_probability=float(prob), duration=duration,
                               segments=iter(()))
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
            segs = self._decode(samples, offset, result.language, task, progress)
            segs = _guard(self, samples, offset, segs, result, task)
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
    ) -> list[Segment]:
        model = self._load()
        kwargs: dict[str, Any] = dict(
            language=language, task=task, beam_size=self.beam_size, word_timestamps=True,
            vad_filter=self.vad, temperature=temperature, condition_on_previous_text=condition,
        )
        if self.batch_size > 1:
            from faster_whisper import BatchedInferencePipeline

            kwargs.pop("condition_on_previous_text")
            segments, _ = BatchedInferencePipeline(model).transcribe(samples, batch_size=self.batch_size, **kwargs)
        else:
            segments, _ = model.transcribe(samples, **kwargs)
        out = []
        for s in segments:
            out.append(_segment(s, offset))
            if progress:
                progress(offset + s.end)
        return out


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


def release_memory() -> None:
    """Hand freed heap pages back to the system after each window (glibc keeps them otherwise, and a long input's
    peak RSS creeps up window after window). A no-op where glibc's malloc_trim is not available."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _cuda_available() -> bool:
    try:
        import ctranslate2

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
) -> list[Segment]:
    from indexer.asrguard import find_gaps, find_loops, replace_range

    for start, end in find_loops(segs) + find_gaps(samples, offset, segs):
        lo, hi = max(start - 0.5 - offset, 0.0), min(end + 0.5 - offset, samples.size / SAMPLE_RATE)
        piece = samples[int(lo * SAMPLE_RATE) : int(hi * SAMPLE_RATE)]
        redo = engine._decode(piece, offset + lo, result.language, task, temperature=(0.2, 0.4, 0.6),
                              condition=False)
        segs, note = replace_range(segs, redo, offset + lo, offset + hi)
        if note:
            result.warnings.append(note)
    return segs
