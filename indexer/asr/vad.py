"""Silero's speech probabilities for a window computed once, though two steps ask for them.

faster-whisper's batched pipeline runs the Silero VAD over each window to cut it into speech chunks, and the gap
guard (indexer.asr.guard.find_gaps) runs it over the same window again with its own options. The options change
only how the frame probabilities are read into speech regions, not the probabilities, and the model's pass over the
audio is the cost (about 1 s of a 4.5-minute window on 2 cores). `install` makes faster-whisper's shared VAD model
keep the probabilities of the last audio it was given, and answer the same audio again from them: one pass per
window, the same regions for both. It holds one window's samples and probabilities (about 20 MB for 300 s).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from indexer.asr.audio import SAMPLE_RATE

_installed = threading.Lock()


class Remembering:
    """A VAD model that answers the audio of its last call again without running (other calls pass through)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.runs = 0  # passes of the model itself (tests, benches)
        self._last: tuple[np.ndarray, Any] | None = None

    def __call__(self, audio: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        last = self._last  # one read: another thread may replace it meanwhile
        plain = not args and not kwargs
        if plain and last is not None and last[0].shape == audio.shape and np.array_equal(last[0], audio):
            return last[1]
        out = self.model(audio, *args, **kwargs)
        self.runs += 1
        if plain:
            self._last = (np.array(audio, copy=True), out)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


def install() -> Remembering:
    """Make faster-whisper's VAD model (faster_whisper.vad.get_vad_model) a `Remembering` one; returns it. Once per
    process; every caller of faster-whisper's get_speech_timestamps gets it."""
    from faster_whisper import vad  # deferred: faster-whisper pulls CTranslate2 and onnxruntime

    with _installed:
        current = vad.get_vad_model()
        if isinstance(current, Remembering):
            return current
        remembering = Remembering(current)
        vad.get_vad_model = lambda: remembering
        return remembering


def speech_for_language(samples: np.ndarray, seconds: float = 30.0) -> np.ndarray:
    """The first `seconds` of speech in `samples` (Silero VAD's regions, joined), for language detection; the first
    `seconds` of the audio when the VAD hears no speech there.

    Whisper names the language from one 30 s window. A report that opens on a jingle, a tone or street noise gave it
    no speech to go by: the project's Russian stories behind 32 s of a tone and noise were detected as Norwegian
    Nynorsk (base), and every word after was decoded as such; from the speech alone, Russian.
    """
    from faster_whisper.vad import get_speech_timestamps  # deferred: faster-whisper pulls CTranslate2 and onnxruntime

    want = int(seconds * SAMPLE_RATE)
    regions = get_speech_timestamps(samples)  # plain options: a `Remembering` model answers the pipeline from it
    speech = np.concatenate([samples[r["start"]:r["end"]] for r in regions]) if regions else samples[:0]
    return speech[:want] if speech.size else samples[:want]
