"""Build the ASR engine that the settings (and an ingest's own options) ask for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.config import Settings
from indexer.modelpath import resolve_model
from indexer.transcribe import Engine, FasterWhisperEngine


def make_engine(settings: Settings, opts: dict[str, Any]) -> Engine:
    engine = opts.get("engine") or settings.engine
    model = resolve_model(opts.get("model") or settings.model, settings.data_dir / "cache", settings.allow_download)
    if engine == "openai-whisper":
        from indexer.openai_engine import OpenAIWhisperEngine

        return OpenAIWhisperEngine(
            model=Path(model.path), model_name=model.name,
            device="cuda" if settings.device == "cuda" else "cpu", beam_size=settings.beam_size,
            cache_dir=settings.data_dir / "cache")
    return FasterWhisperEngine(model, device=settings.device, beam_size=settings.beam_size,
                               window_s=settings.window_s, batch_size=settings.batch_size)
