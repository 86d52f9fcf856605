"""The one service: everything clipindex can do. The CLI and the HTTP API call only this class."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer import deeplinks, pipeline, transcripts
from indexer.articleops import ArticleOps
from indexer.config import CAPTION_POLICIES, ENGINES, Settings
from indexer.errors import ClipindexError, IngestError, InvalidInput, NotFound
from indexer.jobs import Job, JobQueue
from indexer.keys import KeyRing
from indexer.models import Chapter, Transcript, Video
from indexer.reels import ReelOps
from indexer.store import Store
from media import ffmpeg, netguard, sources
from media.errors import MediaError

if TYPE_CHECKING:
    from indexer.search import SearchResult

ProgressFn = Callable[[str, str, float, str], None]  # video id, step, fraction, detail


@dataclass(frozen=True)
class IngestOptions:
    article: str | None = None
    language: str | None = None
    model: str | None = None
    engine: str | None = None
    captions: str = "auto"
    keep_video: bool = False
    force: bool = False
    limit: int | None = None
    url: str | None = None  # public URL of a video imported from a caption file
    title: str | None = None


@dataclass(frozen=True)
class IngestResult:
    source: str
    video_id: str | None
    status: str  # ingested | skipped | failed
    title: str | None = None
    transcript: str | None = None  # engine:model or captions:kind
    language: str | None = None
    duration: float | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class VideoSummary:
    id: str
    title: str
    duration: float | None
    language: str | None
    transcript: str | None
    state: str  # ready | incomplete
    url: str | None
    channel: str | None
    published: str | None


@dataclass(frozen=True)
class _Plan:
    source: str
    kind: str  # remote | file | captions
    video_id: str
    path: str | None = None
    title: str | None = None
    url: str | None = None
    duration: float | None = None
    has_video: bool = False


class Clipindex(ArticleOps, ReelOps):
    def __init__(self, settings: Settings, *, ytdl: sources.YtdlOptions | None = None,
                 engine_factory: Callable[[Settings, dict[str, Any]], Any] | None = None,
                 resolver: netguard.Resolver = netguard.system_resolver,
                 url_probe: netguard.Probe = netguard.http_probe) -> None:
        self.settings = settings
        self.store = Store(settings.db_path)
        self.ytdl = ytdl or sources.YtdlOptions(allow_file_urls=settings.allow_file_urls)
        self.engine_factory = engine_factory
        self.jobs = JobQueue(self.store, settings.lease_s)
        self.keys = KeyRing(self.store)
        self.resolver = resolver
        self.url_probe = url_probe

    # ingest ---------------------------------------------------------------------------------------------------
    def ingest(self, source: str, options: IngestOptions, progress: ProgressFn | None = None, *,
               untrusted: bool = False) -> Iterator[IngestResult]:
        """Ingest one SOURCE (a playlist yields one result per video). Bad input raises before anything is stored."""
        self._check_options(options)
        plans = self._plan(source, options)
        # the article is loaded (and so checked) before any work, and linked as the chain's last step
        fetch = self.public_fetch if untrusted else None
        article = self.load_article(options.article, fetch).to_dict() if options.article else None
        single = len(plans) == 1 and plans[0].source == source
        for plan in plans:
            try:
                yield self._ingest_one(plan, options, progress, article)
            except (IngestError, InvalidInput) as exc:
                if single:  # one video: its error is the command's error
                    raise
                yield IngestResult(plan.source, plan.video_id, "failed", error=str(exc))

    def _check_options(self, o: IngestOptions) -> None:
        if o.captions not in CAPTION_POLICIES:
            raise InvalidInput(f"--captions must be one of {', '.join(CAPTION_POLICIES)}, not {o.captions!r}")
        if o.engine is not None and o.engine not in ENGINES:
            raise InvalidInput(f"unknown engine {o.engine!r}: choose one of {', '.join(ENGINES)}")
        if o.language is not None:
            check_language(o.language)
        if o.limit is not None and o.limit < 1:
            raise InvalidInput("--limit must be at least 1")
        if o.article and not sources.is_url(o.article) and not Path(o.article).expanduser().is_file():
            raise InvalidInput(f"--article {o.article}: neither a URL nor an existing file")
        if o.url:
            sources.check_url(o.url, sources.YtdlOptions())

    def _plan(self, source: str, options: IngestOptions) -> list[_Plan]:
        try:
            if sources.is_url(source):
                return [self._plan_url(u) for u in sources.expand(source, self.ytdl, options.limit)]
            return [self._plan_path(source, options)]
        except MediaError as exc:
            raise IngestError(str(exc)) from None

    def _plan_url(self, url: str) -> _Plan:
        yt = sources.youtube_id(url)
        if yt:
            return _Plan(url, "remote", f"yt:{yt}")
        info = sources.fetch_info(url, self.ytdl)
        return _Plan(url, "remote", info.id, title=info.title)

    def _plan_path(self, source: str, options: IngestOptions) -> _Plan:
        path = Path(source).expanduser()
        if not path.exists():
            raise IngestError(f"{source}: no such file")
        if not path.is_file():
            raise IngestError(f"{source}: not a file")
        path = path.resolve()
        if path.suffix.lower() in sources.CAPTION_EXTS:
            yt = sources.youtube_id(options.url or "")
            vid = f"yt:{yt}" if yt else f"file:{_file_hash(path)}"
            return _Plan(source, "captions", vid, str(path), options.title or path.stem, options.url)
        info = ffmpeg.probe(path)
        if not info.has_audio:
            raise IngestError(f"{path.name}: the media has no audio stream")
        return _Plan(source, "file", f"file:{_file_hash(path)}", str(path), options.title or path.stem,
                     options.url, info.duration, info.has_video)

    def _ingest_one(self, plan: _Plan, options: IngestOptions, progress: ProgressFn | None,
                    article_data: dict[str, Any] | None = None) -> IngestResult:
        existing = self.store.find_video(plan.video_id)
        steps = self.store.step_status(plan.video_id) if existing else {}
        if existing and all(steps.get(s, {}).get("status") == "done" for s in pipeline.STEPS) and not options.force:
            return self._result(plan, "skipped")
        if existing and options.force:
            self.store.reset_steps(plan.video_id, list(pipeline.STEPS))
        if not existing:
            self.store.put_video(Video(
                id=plan.video_id, source=plan.source, title=plan.title or plan.source, url=plan.url,
                duration=plan.duration, media_path=plan.path if plan.kind == "file" else None,
                has_video=plan.has_video, article=_article_ref(options.article)))
        elif options.article:
            self.store.put_video(replace(existing, article=_article_ref(options.article)))
        self.store.set_options(plan.video_id, {**_step_options(plan, options), "article_data": article_data})
        ctx = pipeline.StepContext(self.store, self.settings, ytdl=self.ytdl, engine_factory=self.engine_factory,
                                   on_progress=_bind(progress, plan.video_id))
        try:
            for step in pipeline.STEPS:
                pipeline.run_step(plan.video_id, step, ctx)
        except (IngestError, InvalidInput, MediaError) as exc:
            if not existing:  # bad input: leave no half-made video behind
                self._forget(plan.video_id)
            raise IngestError(str(exc)) if isinstance(exc, MediaError) else exc from None
        return self._result(plan, "ingested")

    def _result(self, plan: _Plan, status: str) -> IngestResult:
        video = self.store.get_video(plan.video_id)
        tr = self.store.get_transcript(plan.video_id)
        return IngestResult(plan.source, video.id, status, video.title, tr.source if tr else None,
                            video.language, video.duration, tr.warnings if tr else ())

    def _forget(self, video_id: str) -> None:
        pipeline.open_index(self.settings).delete(video_id)
        self.store.delete_video(video_id)
        pipeline.remove_files(self.settings, video_id)

    # background jobs ------------------------------------------------------------------------------------------
    def submit_ingest(self, source: str, options: IngestOptions) -> Job:
        """Queue an ingest for a worker; options are checked now so a bad request fails before it is queued."""
        self._check_options(options)
        return self.jobs.submit("ingest", {"source": source, "options": asdict(options), "untrusted": True})

    def submit_remote_url(self, url: str, options: IngestOptions) -> Job:
        """For untrusted callers (HTTP): only allowed hosts, public addresses, every redirect checked."""
        try:
            final = netguard.follow_redirects(url, self.settings.allowed_host_list, self.url_probe, self.resolver)
        except MediaError as exc:
            raise InvalidInput(str(exc)) from None
        return self.submit_ingest(final, options)

    def public_fetch(self, url: str) -> bytes:
        """Fetch an article for an untrusted caller: any host, but only public addresses, redirects included."""
        from indexer.articles import fetch_url

        try:
            final = netguard.follow_redirects(url, None, self.url_probe, self.resolver)
        except MediaError as exc:
            raise InvalidInput(str(exc)) from None
        return fetch_url(final)

    def upload_path(self, filename: str) -> Path:
        """A fresh path inside the data directory for an uploaded file; only its (known) extension is kept."""
        suffix = Path(filename or "").suffix.lower()
        if suffix not in sources.MEDIA_EXTS | {".vtt", ".srt"}:
            raise InvalidInput(f"unsupported file type {suffix or '(none)'!r}: upload a media or caption file")
        folder = self.settings.data_dir / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{uuid.uuid4().hex}{suffix}"

    def media_file(self, ref: str) -> Path:
        """The video's media file, only if it lies inside the data directory or a configured media root."""
        video = self.video(ref)
        if not video.media_path:
            raise NotFound(f"video {video.id} has no media file (its transcript came from captions)")
        path = (self.settings.data_dir / video.media_path).resolve()
        if not any(path.is_relative_to(root) for root in self.settings.media_root_list):
            raise NotFound(f"the media of {video.id} lies outside the directories this server may read")
        if not path.is_file():
            raise NotFound(f"the media file of {video.id} is missing")
        return path

    def job(self, job_id: str) -> Job:
        return self.jobs.get(job_id)

    def cancel_job(self, job_id: str) -> Job:
        return self.jobs.cancel(job_id)

    # reading ----------------------------------------------------------------------------------------------------
    def videos(self) -> list[VideoSummary]:
        sources_by_id = self.store.transcript_sources()
        return [_summary(v, sources_by_id.get(v.id)) for v in self.store.list_videos()]

    def video_summary(self, ref: str) -> VideoSummary:
        video = self.video(ref)
        return _summary(video, self.store.transcript_sources().get(video.id))

    def video(self, ref: str) -> Video:
        return self.store.get_video(self.resolve_id(ref))

    def resolve_id(self, ref: str) -> str:
        """An exact id, a YouTube id or URL, or a unique prefix of an id."""
        ref = ref.strip()
        if self.store.find_video(ref):
            return ref
        yt = sources.youtube_id(ref) if sources.is_url(ref) else ref
        if yt and self.store.find_video(f"yt:{yt}"):
            return f"yt:{yt}"
        matches = [v.id for v in self.store.list_videos() if v.id.startswith(ref) or v.id.split(":", 1)[-1]
                   .startswith(ref)] if len(ref) >= 4 else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InvalidInput(f"{ref!r} matches {len(matches)} videos: give more of the id")
        raise NotFound(f"no video {ref!r} (see `clipindex videos`)")

    def transcript(self, ref: str) -> Transcript:
        video_id = self.resolve_id(ref)
        tr = self.store.get_transcript(video_id)
        if tr is None:
            raise NotFound(f"video {video_id!r} has no transcript yet: run its ingest again to resume")
        return tr

    def render_transcript(self, ref: str, fmt: str) -> str:
        if fmt not in transcripts.FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: choose one of {', '.join(transcripts.FORMATS)}")
        tr = self.transcript(ref)
        video = self.store.get_video(tr.video_id)
        meta = {k: v for k, v in asdict(video).items() if k in ("id", "title", "url", "channel", "published",
                                                                 "duration", "language")}
        return transcripts.render(tr, fmt, meta)

    def delete_video(self, ref: str) -> str:
        video_id = self.resolve_id(ref)
        self._forget(video_id)
        return video_id


    # chapters ---------------------------------------------------------------------------------------------------
    def chapters(self, ref: str) -> list[Chapter]:
        """Both kinds, creator chapters first (they are what viewers see), then the computed ones."""
        video_id = self.resolve_id(ref)
        if self.store.get_transcript(video_id) is None and not self.store.get_chapters(video_id):
            raise NotFound(f"video {video_id!r} has no transcript yet: run its ingest again to resume")
        items = self.store.get_chapters(video_id)
        return sorted(items, key=lambda c: (c.source != "creator", c.start))

    def recompute_chapters(self, ref: str, *, min_length: float = 30.0, max_length: float = 600.0,
                           count: int | None = None) -> list[Chapter]:
        from indexer.segment import segment

        tr = self.transcript(ref)
        computed = segment(tr, min_length=min_length, max_length=max_length, count=count)
        self.store.put_chapters(tr.video_id, "computed", computed)
        self._index_video(tr.video_id)
        return computed

    def render_chapters(self, ref: str, fmt: str, source: str | None = None) -> str:
        from indexer.segment import vtt_chapters, youtube_description

        items = self.chapters(ref)
        chosen = [c for c in items if c.source == source] if source else self._display(items)
        if fmt == "youtube":
            return youtube_description(chosen)
        if fmt == "vtt":
            return vtt_chapters(chosen)
        if fmt == "json":
            return json.dumps([{"start": c.start, "end": c.end, "title": c.title, "keywords": list(c.keywords),
                                "source": c.source} for c in (chosen if source else items)], ensure_ascii=False,
                              indent=1)
        raise InvalidInput(f"unknown format {fmt!r}: choose youtube, vtt or json")

    @staticmethod
    def _display(items: list[Chapter]) -> list[Chapter]:
        creator = [c for c in items if c.source == "creator"]
        return creator or [c for c in items if c.source == "computed"]

    # search -----------------------------------------------------------------------------------------------------
    def search(self, query: str, *, mode: str | None = None, video: str | None = None, channel: str | None = None,
               language: str | None = None, after: str | None = None, before: str | None = None,
               limit: int = 10, offset: int = 0, media_base: str | None = None) -> SearchResult:
        """Quote or keyword search; hits carry watch/embed links (media_base: URL prefix for local media)."""
        self.reconcile()
        if language is not None:
            check_language(language)
        video_id = self.resolve_id(video) if video else None
        result = pipeline.open_index(self.settings).search(
            query, mode=mode, video=video_id, channel=channel, language=language, after=after, before=before,
            limit=limit, offset=offset)
        found = {vid: self.store.find_video(vid) for vid in {h.video_id for h in result.hits}}
        videos = {vid: v for vid, v in found.items() if v is not None}
        hits = [replace(h, links=self._hit_links(videos[h.video_id], h.start, h.end, media_base))
                for h in result.hits if h.video_id in videos]
        return replace(result, hits=hits)

    def _hit_links(self, video: Video, start: float, end: float, media_base: str | None) -> dict[str, str]:
        links = deeplinks.watch_links(video, start, end, self._media_url(video, media_base))
        article = self.article_link_for(video.id, start, end)
        return {**links, "article": article} if article else links

    def _media_url(self, video: Video, media_base: str | None) -> str | None:
        if not video.media_path:
            return None
        if media_base is not None:
            return f"{media_base.rstrip('/')}/{video.id}"
        return (self.settings.data_dir / video.media_path).resolve().as_uri()

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the whole index from the store; returns the number of passages."""
        index = pipeline.open_index(self.settings)
        transcribed = self.store.transcript_sources()
        ready = [v for v in self.store.list_videos() if v.id in transcribed]
        index.clear()
        done = [0]

        def items() -> Iterator[tuple[Video, Transcript, list[Chapter]]]:
            for video in ready:
                tr = self.store.get_transcript(video.id)
                if tr is not None:
                    yield video, tr, pipeline.display_chapters(self.store, video.id)

        def step(_video_id: str, _n: int) -> None:
            done[0] += 1
            if progress:
                progress(done[0], len(ready))

        total: int = index.add_many(items(), step)
        self._reconciled = True
        return total

    def reconcile(self) -> None:
        """Make the index hold exactly the store's transcribed videos (once per service object)."""
        if getattr(self, "_reconciled", False):
            return
        index = pipeline.open_index(self.settings)
        indexed = index.video_ids()
        ready = set(self.store.transcript_sources())
        for stale in indexed - ready:
            index.delete(stale)
        for missing in ready - indexed:
            self._index_video(missing)
        self._reconciled = True

    def _index_video(self, video_id: str) -> None:
        tr = self.store.get_transcript(video_id)
        if tr is not None:
            pipeline.open_index(self.settings).add(self.store.get_video(video_id), tr,
                                                   pipeline.display_chapters(self.store, video_id))


def _summary(v: Video, transcript: str | None) -> VideoSummary:
    return VideoSummary(v.id, v.title, v.duration, v.language, transcript,
                        "ready" if transcript else "incomplete", v.url, v.channel, v.published)


def check_language(code: str) -> str:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    if code not in _LANGUAGE_CODES:
        raise InvalidInput(f"unknown language code {code!r}: use a Whisper language code such as en, ru, uz")
    return code


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:20]


def _article_ref(article: str | None) -> str | None:
    if article is None or sources.is_url(article):
        return article
    return str(Path(article).expanduser().resolve())


def _step_options(plan: _Plan, o: IngestOptions) -> dict[str, Any]:
    return {"kind": plan.kind, "path": plan.path, "captions": o.captions, "keep_video": o.keep_video,
            "language": o.language, "model": o.model, "engine": o.engine}


def _bind(progress: ProgressFn | None, video_id: str) -> pipeline.ProgressFn | None:
    if progress is None:
        return None
    return lambda step, fraction, detail: progress(video_id, step, fraction, detail)


__all__ = ["Clipindex", "ClipindexError", "IngestOptions", "IngestResult", "VideoSummary", "check_language"]
