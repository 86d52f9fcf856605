"""The reference engine: openai-whisper (PyTorch), for comparing against faster-whisper and for machines without
CTranslate2 wheels. Installed with the `openai` extra; nothing here imports torch until a transcription starts.

The model is an openai-whisper `.pt` checkpoint, or a CTranslate2 Whisper directory (the shipped models), converted
once into the cache directory by `indexer.asr.ct2_to_openai`. Audio is read in windows of `window_s` seconds cut at
quiet moments (as the faster-whisper engine does), so memory stays flat and segments come out window by window.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from indexer.asr.audio import SAMPLE_RATE, open_audio
from indexer.asr.ct2_to_openai import encode_alignment_heads, ensure_checkpoint
from indexer.asr.engine import ProgressFn, Transcription, english_only, unsure_language
from indexer.asr.vad import speech_for_language
from indexer.errors import EngineUnavailable, ModelError
from indexer.models import Segment, Word

# Must be in the environment before torch (and its OpenMP runtime) loads: with the default ACTIVE policy, idle
# OpenMP threads spin and starve each other on small CPU machines (about 5x slower on 2 vCPUs).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

INSTALL_HINT = "openai-whisper is not installed: pip install 'clipindex[openai]'"


class OpenAIWhisperEngine:
    """openai-whisper with beam search and word timestamps; fp16 on CUDA, fp32 on CPU."""

    name = "openai-whisper"

    def __init__(
        self,
        model: Path,
        *,
        model_name: str,
        device: str = "cpu",
        beam_size: int = 5,
        cache_dir: Path,
        window_s: float = 600.0,
    ) -> None:
        self.model_path = Path(model)
        self.model_name = model_name
        self.device = device
        self.beam_size = beam_size
        self.cache_dir = Path(cache_dir)
        self.window_s = window_s
        self._model: Any = None

    def transcribe(
        self, audio: Path, *, language: str | None = None, task: str = "transcribe", progress: ProgressFn | None = None
    ) -> Transcription:
        model = self._load()
        notes = english_only(self.model_name, language, model.is_multilingual)
        duration, language, first, windows = open_audio(audio, language, model.is_multilingual, self.model_name,
                                                        self.window_s)
        prob = 1.0
        if language is None:
            language, prob = self._detect_language(speech_for_language(first[1]))
        result = Transcription(language=language, language_probability=prob, duration=duration, segments=iter(()),
                               warnings=[*notes, *unsure_language(language, prob)])
        result.segments = self._segments(first, windows, language, task, progress)
        return result

    def _load(self) -> Any:
        if self._model is None:
            self._source()  # a path that is no model fails before PyTorch takes seconds to import
            whisper = _import_whisper()
            checkpoint = self._checkpoint()
            try:
                model = whisper.load_model(str(checkpoint), device=self.device)
            except Exception as exc:  # noqa: BLE001 - torch raises RuntimeError, pickle errors, KeyError ...
                raise ModelError(f"cannot load Whisper model {self.model_name!r}: {exc}") from None
            heads = _stored_alignment_heads(checkpoint)
            if heads:
                dims = model.dims
                model.set_alignment_heads(encode_alignment_heads(heads, dims.n_text_layer, dims.n_text_head))
            self._model = model
        return self._model

    def _source(self) -> Path:
        """The checkpoint file, or the CTranslate2 directory to convert; ModelError when the path is neither."""
        path = self.model_path
        if path.is_file() or (path / "model.bin").is_file():
            return path
        checkpoints = sorted(path.glob("*.pt")) if path.is_dir() else []
        if len(checkpoints) == 1:
            return checkpoints[0]
        raise ModelError(f"{path}: not an openai-whisper .pt checkpoint or a CTranslate2 Whisper model directory")

    def _checkpoint(self) -> Path:
        source = self._source()
        return ensure_checkpoint(source, self.cache_dir) if source.is_dir() else source

    def _detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        import whisper  # deferred: openai-whisper is an optional extra, and it pulls PyTorch

        mel = whisper.log_mel_spectrogram(samples[: whisper.audio.N_SAMPLES], self._model.dims.n_mels,
                                          padding=whisper.audio.N_SAMPLES)
        mel = whisper.pad_or_trim(mel, whisper.audio.N_FRAMES).to(self._model.device)
        _, probs = self._model.detect_language(mel)
        language = max(probs, key=probs.get)
        return language, float(probs[language])

    def _segments(
        self,
        first: tuple[float, np.ndarray],
        rest: Iterator[tuple[float, np.ndarray]],
        language: str,
        task: str,
        progress: ProgressFn | None,
    ) -> Iterator[Segment]:
        for offset, samples in _chain(first, rest):
            for seg in self._decode(samples, language, task):
                segment = _segment(seg, offset)
                yield segment
                if progress:
                    progress(segment.end)
            if progress:
                progress(offset + samples.size / SAMPLE_RATE)

    def _decode(self, samples: np.ndarray, language: str, task: str) -> list[dict[str, Any]]:
        import whisper  # deferred: openai-whisper is an optional extra, and it pulls PyTorch

        result = whisper.transcribe(
            self._model, samples, language=language, task=task, beam_size=self.beam_size, best_of=self.beam_size,
            word_timestamps=True, fp16=self.device.startswith("cuda"), verbose=None,
        )
        return list(result["segments"])


def _import_whisper() -> Any:
    try:
        import whisper  # deferred: an optional extra (PyTorch); absent, the engine says how to install it
    except ImportError:
        raise EngineUnavailable(INSTALL_HINT) from None
    return whisper


def _stored_alignment_heads(checkpoint: Path) -> list[list[int]] | None:
    """The alignment heads a converted checkpoint carries (official checkpoints carry none)."""
    import torch  # deferred: PyTorch comes with the optional openai-whisper extra

    try:  # memory-mapped: reads the small entries, not the weights
        data = torch.load(checkpoint, map_location="cpu", weights_only=True, mmap=True)
    except Exception:  # noqa: BLE001 - an old (non-zip) checkpoint cannot be mapped; it has no heads either
        return None
    heads = data.get("alignment_heads") if isinstance(data, dict) else None
    return [[int(layer), int(head)] for layer, head in heads] if heads else None


def _chain(first: tuple[float, np.ndarray], rest: Iterator[tuple[float, np.ndarray]]) -> Iterator[
        tuple[float, np.ndarray]]:
    yield first
    yield from rest


def _segment(seg: dict[str, Any], offset: float) -> Segment:
    words = tuple(
        Word(_r(w["start"] + offset), _r(max(w["end"], w["start"]) + offset), w["word"].strip(),
             _r(w.get("probability", 1.0), 4))
        for w in seg.get("words") or []
        if w["word"].strip()
    )
    return Segment(_r(seg["start"] + offset), _r(seg["end"] + offset), seg["text"].strip(), words)


def _r(x: float, digits: int = 3) -> float:
    return round(float(x), digits)
