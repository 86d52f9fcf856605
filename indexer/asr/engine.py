"""The engine interface every speech recogniser implements, and the one place that picks an engine.

Concrete engines are imported only when one is built: faster-whisper and PyTorch are heavy, and most commands
never transcribe.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from indexer.asr.modelpath import resolve_model
from indexer.config import Settings
from indexer.errors import EngineUnavailable
from indexer.models import Segment

ProgressFn = Callable[[float], None]  # seconds of audio done
Task = Literal["transcribe", "translate"]
UNSURE = 0.5  # a detected language the model gives less probability than this is named in a warning


def unsure_language(language: str, probability: float) -> list[str]:
    """The warning for a detected language the model was unsure of (none when it was sure): every word after is
    decoded in that language, so a wrong guess spoils the whole transcript, and the user can say which it is."""
    if probability >= UNSURE:
        return []
    return [f"the spoken language was detected as {language!r} with probability {probability:.2f} only; if that is "
            "wrong, ingest again with the language given (--language and --force; over HTTP `language` and `force`)"]


def english_only(model_name: str, asked: str | None, multilingual: bool) -> list[str]:
    """The warning for speech taken as English unheard: an English-only model (`tiny.en`) detects no language, and
    a report in Russian or Uzbek comes out as English-sounding words stored as English (none when a language was
    given, or the model detects one)."""
    if multilingual or asked:
        return []
    return [f"model {model_name!r} is English-only: the spoken language was not detected but taken as English; if "
            "the report is in another language, ingest again with a multilingual model (--model base --force), "
            "or give --language en to say it is English"]


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



@dataclass(frozen=True)
class EngineChoice:
    """What one ingest asks for; None falls back to the settings."""

    engine: str | None = None
    model: str | None = None


EngineFactory = Callable[[Settings, EngineChoice], Engine]


def check_engine(settings: Settings) -> str:
    """What a worker that transcribes will use, checked before it takes any job (ModelError, EngineUnavailable):
    one started with a model its machine lacks failed every job it took, at once, so it was always the free worker
    and took nearly all of them. Returns "ENGINE MODEL" for its log."""
    model = resolve_model(settings.model, settings.data_dir / "cache", settings.allow_download)
    if settings.engine == "openai-whisper" and importlib.util.find_spec("whisper") is None:
        raise EngineUnavailable("openai-whisper is not installed: pip install 'clipindex[openai]'")
    return f"{settings.engine} {model.name}"


def make_engine(settings: Settings, choice: EngineChoice | None = None) -> Engine:
    choice = choice or EngineChoice()
    engine = choice.engine or settings.engine
    model = resolve_model(choice.model or settings.model, settings.data_dir / "cache", settings.allow_download)
    if engine == "openai-whisper":
        from indexer.asr.openai_engine import OpenAIWhisperEngine  # deferred: pulls PyTorch

        return OpenAIWhisperEngine(
            model=Path(model.path), model_name=model.name,
            device="cuda" if settings.device == "cuda" else "cpu", beam_size=settings.beam_size,
            cache_dir=settings.data_dir / "cache")
    from indexer.asr.faster_engine import FasterWhisperEngine  # deferred: pulls CTranslate2

    return FasterWhisperEngine(model, device=settings.device, beam_size=settings.beam_size,
                               window_s=settings.window_s, batch_size=settings.batch_size)
