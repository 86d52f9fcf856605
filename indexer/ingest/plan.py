"""Planning an ingest: from what the user gave (a URL, a playlist, a file) to the videos to run the chain on.

Video ids come before any download: a YouTube URL's id is parsed from the URL, a file's from its content hash, so a
repeated ingest is recognised without touching the network. Bad input raises here, before anything is stored.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.asr.modelpath import KNOWN_NAMES
from indexer.config import ENGINES
from indexer.errors import IngestError, InvalidInput, as_ingest_error
from indexer.ingest.types import CAPTION_POLICIES, IngestOptions, SourceKind, StepOptions
from indexer.languages import check_language
from media import ffmpeg, sources
from media.editors import one_line

if TYPE_CHECKING:
    from indexer.articles.load import Article
    from indexer.store.db import Store


@dataclass(frozen=True)
class Plan:
    source: str
    kind: SourceKind
    video_id: str
    path: str | None = None
    title: str | None = None
    url: str | None = None
    duration: float | None = None
    has_video: bool = False

    def step_options(self, o: IngestOptions, article: Article | None) -> StepOptions:
        size = Path(self.path).stat().st_size if self.kind == "file" and self.path else None
        return StepOptions(self.kind, self.path, o.captions, o.keep_video, o.language, o.model, o.engine, article,
                           o.accept_partial, size)


REPLACED = ("the media file of “{title}” has been replaced by another since it was ingested: ingest the new file as a "
            "video of its own (and delete this one if it is no longer wanted)")


def stored_options(store: Store, video_id: str) -> StepOptions | None:
    """The options a video was ingested with, or None for a video stored before options were."""
    try:
        return store.get_options(video_id, StepOptions)
    except TypeError:  # no options stored (made before they were)
        return None


def ingested_in_place(options: StepOptions | None, path: Path) -> bool:
    """Whether `path` is exactly the local media file the video was ingested from (`clipindex ingest PATH`)."""
    return (options is not None and options.kind == "file" and options.path is not None
            and Path(options.path).resolve() == path and path.suffix.lower() in sources.MEDIA_EXTS)


def replaced_in_place(options: StepOptions | None, path: Path) -> bool:
    """Whether the file a video was ingested from in place now holds other media (another size): an editor exported
    a new cut under the old name, and the old video's player, frames and clips showed the new one at the old
    transcript's times. Ids are content hashes, so the new file, ingested, is another video."""
    return (options is not None and options.size is not None and options.path is not None
            and Path(options.path).resolve() == path and path.is_file() and path.stat().st_size != options.size)


SPARE = 4  # times --limit: a playlist's entries kept past the limit, to stand in for unavailable ones
TITLE_MAX = 300  # characters in a video's title (a channel's name: 200)


def check_line(text: str, what: str, limit: int) -> None:
    """A title or a name shown on one line: no control characters (a NUL, a line break) and at most `limit`
    characters."""
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise InvalidInput(f"{what} cannot hold control characters (line breaks, tabs, NUL)")
    if len(text.strip()) > limit:
        raise InvalidInput(f"{what} can be at most {limit} characters (this one has {len(text.strip())})")


def video_changes(title: str | None, channel: str | None, published: str | None) -> dict[str, str | None]:
    """What a caller's edit of a video's details writes, each field checked (None leaves a field as it is; ""
    clears the channel or the date); the channel composed, as the search's channel filter compares it."""
    changes: dict[str, str | None] = {}
    if title is not None:
        check_line(title, "a title", TITLE_MAX)
        if not title.strip():
            raise InvalidInput("a title cannot be empty")
        changes["title"] = title.strip()
    if channel is not None:
        check_line(channel, "a channel", 200)
        changes["channel"] = unicodedata.normalize("NFC", channel.strip()) or None
    if published is not None:
        if published and not _iso_date(published):
            raise InvalidInput(f"{published!r} is not a date (YYYY-MM-DD)")
        changes["published"] = published or None
    return changes


def _iso_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def check_options(o: IngestOptions) -> IngestOptions:
    """The options checked, as the ingest uses them (a language named "EN" or "en-US" is "en")."""
    if o.title is not None:
        check_line(o.title, "a title", TITLE_MAX)
    if o.captions not in CAPTION_POLICIES:
        raise InvalidInput(f"--captions must be one of {', '.join(CAPTION_POLICIES)}, not {o.captions!r}")
    if o.engine is not None and o.engine not in ENGINES:
        raise InvalidInput(f"unknown engine {o.engine!r}: choose one of {', '.join(ENGINES)}")
    if o.language is not None:
        o = replace(o, language=check_language(o.language))
    if o.limit is not None and o.limit < 1:
        raise InvalidInput("--limit must be at least 1")
    if o.article and not sources.is_url(o.article) and not Path(o.article).expanduser().is_file():
        raise InvalidInput(f"--article {o.article}: neither a URL nor an existing file")
    if o.url:
        sources.check_url(o.url, sources.YtdlOptions())
    return o


def plan(source: str, options: IngestOptions, ytdl: sources.YtdlOptions) -> list[Plan]:
    with as_ingest_error():
        if sources.is_url(source):
            # past the limit too, where that costs nothing (YouTube's ids are read from the URL): the ingest takes
            # the next entries in place of unavailable ones, and stops at the limit
            urls = sources.expand(source, ytdl, options.limit, spare=SPARE)
            if options.limit and not all(sources.youtube_id(u) for u in urls):
                urls = urls[:options.limit]
            return [_plan_url(u, ytdl) for u in urls]
        return [_plan_path(source, options)]


def _plan_url(url: str, ytdl: sources.YtdlOptions) -> Plan:
    yt = sources.youtube_id(url)
    if yt:
        return Plan(url, "remote", f"yt:{yt}")
    info = sources.fetch_info(url, ytdl)
    return Plan(url, "remote", info.id, title=info.title)


def _plan_path(source: str, options: IngestOptions) -> Plan:
    path = Path(source).expanduser()
    if not path.exists():
        raise IngestError(f"{source}: no such file")
    if not path.is_file():
        raise IngestError(f"{source}: not a file")
    path = path.resolve()
    if path.suffix.lower() in sources.CAPTION_EXTS:
        yt = sources.youtube_id(options.url or "")
        vid = f"yt:{yt}" if yt else f"file:{file_hash(path)}"
        return Plan(source, "captions", vid, str(path), options.title or one_line(path.stem), options.url)
    info = ffmpeg.probe(path)
    if not info.has_audio and (options.captions == "never" or sidecar(path) is None):  # nothing to transcribe
        raise IngestError(f"{path.name}: the media has no audio stream (a silent video is added with its captions: "
                          f"a caption file beside it, such as {path.stem}.srt)")
    return Plan(source, "file", f"file:{file_hash(path)}", str(path), options.title or one_line(path.stem), options.url,
                info.duration, info.has_video)


def sidecar(path: Path) -> Path | None:
    """The caption file beside a media file (CLIP.MP4 comes with CLIP.STL), or None."""
    for ext in sources.SUBTITLE_EXTS:
        for found in (path.with_suffix(ext), path.with_suffix(ext.upper())):
            if found.is_file():
                return found
    return None


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:20]


def article_ref(article: str | None) -> str | None:
    """What the video row records of the article given at ingest: its URL, or its file's absolute path."""
    if article is None or sources.is_url(article):
        return article
    return str(Path(article).expanduser().resolve())


def check_untrusted(options: IngestOptions) -> None:
    """An HTTP caller's options, before its job is queued: as any caller's, and its article a URL (the worker's
    ingest checks that again, for jobs queued by an older version)."""
    check_options(options)
    if options.model is not None and options.model not in KNOWN_NAMES:  # a name, never a folder on the server
        raise InvalidInput(f"over HTTP, a model is one of the Whisper names ({', '.join(sorted(KNOWN_NAMES))})")
    if options.article:
        from indexer.articles.load import require_url  # deferred: the article loader pulls the text layer

        require_url(options.article)
