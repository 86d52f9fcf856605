"""Linking an article to one stored video: its transcript, and across languages Whisper's English translation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from indexer.articles.link import ArticleLinks, link_article
from indexer.articles.load import Article
from indexer.articles.verdict import SpanScorer
from indexer.asr.engine import EngineChoice, EngineFactory, make_engine
from indexer.asr.rescore import Rescorer, make_rescorer
from indexer.config import Settings
from indexer.errors import EngineUnavailable, ModelError, NotFound
from indexer.models import Segment
from indexer.store.db import Store
from indexer.store.files import audio_path


def link_to_video(store: Store, settings: Settings, engine_factory: EngineFactory | None, article: Article,
                  video_id: str, rescorer: Rescorer | None = None) -> ArticleLinks:
    """Link an article to one video; across languages, through an English rendering of the speech. Quotes the
    transcript says differ are re-scored on the video's audio by `rescorer` when both are at hand."""
    tr = store.get_transcript(video_id)
    if tr is None:
        raise NotFound(f"video {video_id!r} has no transcript yet")
    translated = None
    if article.language not in ("und", tr.language) and tr.language != "und":
        translated = _translation(store, settings, engine_factory, video_id, tr.language, article.language)
    audio = audio_path(settings.data_dir, video_id)
    scorer = None
    if audio.is_file():  # the model loads only if a quote needs re-scoring
        scorer = _scorer(rescorer or make_rescorer(settings, tr.engine), audio, tr.language)
    return link_article(article, tr, translated=translated, scorer=scorer)


def _scorer(rescorer: Rescorer, audio: Path, language: str) -> SpanScorer:
    def score(start: float, end: float, wordings: Sequence[str], prompt: str) -> list[float]:
        try:
            return [s.logprob for s in rescorer.score(audio, start, end, wordings, language, prompt)]
        except (ModelError, EngineUnavailable):  # judged on the text instead, and the check says so
            return []
    return score


def _translation(store: Store, settings: Settings, engine_factory: EngineFactory | None, video_id: str,
                 spoken: str, target: str) -> list[Segment] | None:
    """Whisper's translate task (into English only), when the video's audio is at hand."""
    audio = audio_path(settings.data_dir, video_id)
    if target != "en" or not audio.is_file():
        return None
    engine = (engine_factory or make_engine)(settings, EngineChoice())
    run = engine.transcribe(audio, language=spoken, task="translate")
    return list(run.segments)
