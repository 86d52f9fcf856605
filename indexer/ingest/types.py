"""The data that crosses the ingest chain's walls: what a caller asks for, what each step stores, what comes back.

Step options and results are stored as JSON in the store (`videos.ingest_options`, `step_runs.result`) and read back
as these frozen records, so a step needs nothing but the store to run, on any worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

from indexer.models import Record

if TYPE_CHECKING:
    from indexer.articles.load import Article

StepName = Literal["fetch", "audio", "transcript", "chapters", "index", "article"]
STEPS: tuple[StepName, ...] = get_args(StepName)
SourceKind = Literal["remote", "file", "captions"]  # a URL for yt-dlp, a local media file, a caption/transcript file
CaptionPolicy = Literal["auto", "only", "never"]
CAPTION_POLICIES: tuple[CaptionPolicy, ...] = get_args(CaptionPolicy)
IngestStatus = Literal["ingested", "skipped", "failed"]

ProgressFn = Callable[[str, StepName, float, str], None]  # video id, step, fraction 0..1, detail
Position = Callable[[int, int], None]  # a playlist's videos done so far, of how many


@dataclass(frozen=True)
class IngestOptions(Record):
    """What a caller asks of one ingest (CLI flags, an HTTP body); checked before anything is stored."""

    article: str | None = None
    language: str | None = None
    model: str | None = None
    engine: str | None = None
    captions: CaptionPolicy = "auto"
    keep_video: bool = False
    force: bool = False
    accept_partial: bool = False  # ingest what can be decoded of a truncated or damaged file, with a warning
    limit: int | None = None
    url: str | None = None  # public URL of a video imported from a caption file
    title: str | None = None


@dataclass(frozen=True)
class IngestResult(Record):
    source: str
    video_id: str | None
    status: IngestStatus
    title: str | None = None
    transcript: str | None = None  # engine:model or captions:kind
    language: str | None = None
    duration: float | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None
    note: str | None = None  # what happened besides the status: "skipped" as another process ingested it meanwhile


@dataclass(frozen=True)
class StepOptions(Record):
    """The options the chain's steps read from the store: everything a worker on another machine needs."""

    kind: SourceKind
    path: str | None = None  # the local file, for kind file or captions
    captions: CaptionPolicy = "auto"
    keep_video: bool = False
    language: str | None = None
    model: str | None = None
    engine: str | None = None
    article: Article | None = None
    accept_partial: bool = False  # loaded (and so checked) before the chain starts; linked by its last step
    size: int | None = None  # a local media file's bytes at ingest: one replaced in place since is told apart
    public_only: bool = False  # an untrusted (HTTP) caller's: what yt-dlp fetches is checked (YtdlOptions.public_only)
    forced_by: str | None = None  # the queued job whose --force reset the steps: its retries do not reset them again

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["article"] = self.article.to_dict() if self.article else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepOptions:
        article = data.get("article") or data.get("article_data")  # article_data: stores written by 0.1
        plain = super().from_dict({k: v for k, v in data.items() if k not in ("article", "article_data")})
        if not article:
            return plain
        # deferred: the article loader pulls the text layer (tens of ms); the CLI imports these types for every command
        from indexer.articles.load import Article

        return replace(plain, article=Article.from_dict(article))


@dataclass(frozen=True)
class FetchResult(Record):
    media: str | None = None  # the media file (downloaded, or the local file used in place)
    captions: str | None = None  # the caption/transcript file to import instead of running ASR
    caption_kind: str | None = None  # manual | auto | sidecar | file
    caption_language: str | None = None


@dataclass(frozen=True)
class AudioResult(Record):
    audio: str | None = None  # 16 kHz mono WAV
    skipped: str | None = None
    warnings: tuple[str, ...] = ()  # carried into the transcript's warnings


@dataclass(frozen=True)
class TranscriptResult(Record):
    source: str = ""
    words: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChaptersResult(Record):
    computed: int = 0
    creator: int = 0


@dataclass(frozen=True)
class IndexResult(Record):
    passages: int = 0


@dataclass(frozen=True)
class ArticleResult(Record):
    article: str | None = None
    covered: int = 0
    skipped: str | None = None
    rechecked: int = 0  # articles linked to the video before, linked again to its transcript as it is now


StepResult = FetchResult | AudioResult | TranscriptResult | ChaptersResult | IndexResult | ArticleResult


@dataclass(frozen=True)
class IngestJob(Record):
    """A queued ingest (HTTP): what a worker needs to run it."""

    source: str
    options: IngestOptions = IngestOptions()
    untrusted: bool = True  # from an HTTP caller: an article is fetched only from public addresses
    upload_name: str | None = None  # the source is an uploaded file, which the user knows by this name
    token: str | None = None  # this job, through every retry of it (a forced job resets the steps once)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IngestJob:
        upload, token = data.get("upload_name"), data.get("token")
        return IngestJob(str(data["source"]), IngestOptions.from_dict(data.get("options") or {}),
                         bool(data.get("untrusted", True)), str(upload) if upload else None,
                         str(token) if token else None)


@dataclass(frozen=True)
class IngestJobResult(Record):
    videos: tuple[IngestResult, ...]
