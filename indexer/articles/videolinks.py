"""Linking an article to one stored video: its transcript, and across languages Whisper's English translation."""

from __future__ import annotations

from indexer.articles.link import ArticleLinks, link_article
from indexer.articles.load import Article
from indexer.asr.engine import EngineChoice, EngineFactory, make_engine
from indexer.config import Settings
from indexer.errors import NotFound
from indexer.models import Segment
from indexer.store.db import Store
from indexer.store.files import audio_path


def link_to_video(store: Store, settings: Settings, engine_factory: EngineFactory | None, article: Article,
                  video_id: str) -> ArticleLinks:
    """Link an article to one video; across languages, through an English rendering of the speech."""
    tr = store.get_transcript(video_id)
    if tr is None:
        raise NotFound(f"video {video_id!r} has no transcript yet")
    translated = None
    if article.language not in ("und", tr.language) and tr.language != "und":
        translated = _translation(store, settings, engine_factory, video_id, tr.language, article.language)
    return link_article(article, tr, translated=translated)


def _translation(store: Store, settings: Settings, engine_factory: EngineFactory | None, video_id: str,
                 spoken: str, target: str) -> list[Segment] | None:
    """Whisper's translate task (into English only), when the video's audio is at hand."""
    audio = audio_path(settings.data_dir, video_id)
    if target != "en" or not audio.is_file():
        return None
    engine = (engine_factory or make_engine)(settings, EngineChoice())
    run = engine.transcribe(audio, language=spoken, task="translate")
    return list(run.segments)
