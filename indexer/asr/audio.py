"""Reading the 16 kHz mono WAV that the audio step writes, in windows cut at quiet moments.

Both engines read audio through here, so memory stays flat however long the input is.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from indexer.errors import ModelError, TranscriptionError

SAMPLE_RATE = 16000


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

