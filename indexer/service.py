"""The one service: everything clipindex can do. The CLI, the HTTP API and the workers call only this object.

`Clipindex` does ingest, videos and transcripts itself (each video of an ingest goes through the chain, or is
forgotten, in indexer.ingest.video), and composes four services built with what they need passed in: `index` (the
search index as a projection of the store), `chapters` (indexer.chapters.service), `articles` and `reels` (these two
on first use, so that commands which need neither do not import them); plus the store's `jobs` queue and API `keys`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import deeplinks, formats, refs
from indexer.chapters.service import ChapterService
from indexer.config import Settings
from indexer.distributed.transport import job_notifier
from indexer.errors import ClipindexError, IngestError, InvalidInput, NotFound, Unavailable
from indexer.ingest import uploads
from indexer.ingest.plan import (
    REPLACED,
    check_options,
    check_untrusted,
    ingested_in_place,
    plan,
    replaced_in_place,
    stored_options,
    video_changes,
)
from indexer.ingest.types import IngestJob, IngestJobResult, IngestOptions, IngestResult, Position, ProgressFn
from indexer.ingest.video import VideoIngest
from indexer.languages import check_language
from indexer.models import DeletedVideo, ReelClips, SearchMode, Transcript, Video, WordSource
from indexer.search.service import SearchService
from indexer.store.corrections import Correction, Corrections
from indexer.store.db import Store
from indexer.store.files import archive_part
from indexer.store.jobs import Job, JobQueue
from indexer.store.keys import KeyRing
from indexer.store.status import VideoSummary, video_summaries
from media import netguard, sources
from media.errors import MediaError

if TYPE_CHECKING:
    from indexer.articles.service import ArticleService
    from indexer.asr.engine import EngineFactory
    from indexer.reels.service import ReelService
    from indexer.search.query import SearchResult


class Clipindex:
    def __init__(self, settings: Settings, *, ytdl: sources.YtdlOptions | None = None,
                 engine_factory: EngineFactory | None = None,
                 resolver: netguard.Resolver = netguard.system_resolver,
                 url_probe: netguard.Probe = netguard.http_probe) -> None:
        self.settings = settings = settings.resolved()  # Settings() as a script makes it: "~" is the home folder
        self.store = Store(settings.store_url)
        self.ytdl = replace(ytdl or sources.YtdlOptions(allow_file_urls=settings.allow_file_urls),  # the check of
                            public_check=netguard.public_check(resolver, settings.allow_file_urls))  # HTTP callers
        self.engine_factory = engine_factory
        self.resolver = resolver
        self.url_probe = url_probe
        self.jobs = JobQueue(self.store, settings.lease_s, notify=job_notifier(settings),
                             retention_s=settings.job_retention_days * 86_400)
        self.keys = KeyRing(self.store)
        self.index = SearchService(self.store, settings)
        self.chapters = ChapterService(self.store, self.index, self.transcript)
        self._video_ingest = VideoIngest(self.store, settings, self.index, self.ytdl, engine_factory)

    # The article and reel services are built on first use: listing videos or printing a transcript needs neither.
    @cached_property
    def articles(self) -> ArticleService:
        from indexer.articles.service import ArticleService  # deferred: numpy, rapidfuzz and the text layer

        return ArticleService(self.store, self.settings, self.index, self.engine_factory)

    @cached_property
    def reels(self) -> ReelService:
        from indexer.reels.service import ReelService  # deferred: the render and timeline modules

        return ReelService(self.store, self.settings, self.jobs, self.ytdl)

    # ingest ---------------------------------------------------------------------------------------------------
    def ingest(self, source: str, options: IngestOptions, progress: ProgressFn | None = None, *,
               untrusted: bool = False, position: Position | None = None,
               job: str | None = None) -> Iterator[IngestResult]:
        """Ingest one SOURCE (a playlist yields one result per video). Bad input raises before anything is stored.
        `position(k, n)` hears, before each video, how many of the n expected are done (a job's progress). `job`:
        the queued job's token; a retry of a forced job resumes after the steps its first run finished."""
        options = check_options(options)
        plans = plan(source, options, self.ytdl)
        if not self.store.read_only:  # (a read-only archive refuses the ingest itself, below)
            self.index.recover_uncommitted()  # what an ingest killed before its index commit left out of search
        # the article is loaded (and so checked) before any work, and linked as the chain's last step
        fetch = self.public_fetch if untrusted else None
        article = self.articles.load(options.article, fetch) if options.article else None
        single = len(plans) == 1 and plans[0].source == source
        counted = 0  # a playlist's entries past --limit stand in for unavailable ones (private, removed)
        expected = min(len(plans), options.limit) if options.limit else len(plans)
        for p in plans:
            if options.limit and counted >= options.limit:
                break
            if position:
                position(min(counted, expected - 1), expected)
            try:
                yield self._video_ingest.ingest_one(p, options, progress, article, untrusted, job)
                counted += 1
            except (IngestError, InvalidInput) as exc:
                if single:  # one video: its error is the command's error
                    raise
                counted += not isinstance(exc, Unavailable)
                yield IngestResult(p.source, p.video_id, "failed", error=str(exc))

    # background jobs ------------------------------------------------------------------------------------------
    def submit_ingest(self, source: str, options: IngestOptions) -> Job:
        """Queue an ingest for a worker; options are checked now so a bad request fails before it is queued."""
        check_untrusted(options)
        return self.jobs.submit("ingest", IngestJob(source, options, untrusted=True, token=uuid.uuid4().hex))

    def submit_upload(self, path: Path, filename: str, options: IngestOptions) -> Job:
        """Queue the ingest of an uploaded file (written to `upload_path`); the user knows it as `filename`."""
        check_untrusted(options)
        return self.jobs.submit("ingest", IngestJob(str(path), options, untrusted=True, upload_name=filename,
                                                    token=uuid.uuid4().hex))

    def run_ingest_job(self, job: IngestJob, progress: ProgressFn | None = None,
                       position: Position | None = None) -> IngestJobResult:
        """A queued ingest, as a worker runs it. An uploaded file that fails or duplicates a video already in the
        archive is removed, and errors name it as the user did, not by its internal name."""
        try:
            results = tuple(self.ingest(job.source, job.options, progress, untrusted=job.untrusted,
                                        position=position, job=job.token))
        except (ClipindexError, MediaError) as exc:
            if job.upload_name is None:
                raise
            uploads.drop(self.settings.data_dir, self.store, Path(job.source))
            raise type(exc)(str(exc).replace(Path(job.source).name, job.upload_name)) from None
        # a duplicate, a forced re-ingest (the video keeps playing its first copy), or the same file uploaded twice
        # at once (both runs "ingested", one copy played): a copy no video plays from or was made from goes
        if job.upload_name is not None:
            uploads.drop(self.settings.data_dir, self.store, Path(job.source))
        if job.upload_name is not None:
            results = tuple(replace(r, source=job.upload_name) for r in results)
        return IngestJobResult(results)

    def sweep_failed_uploads(self) -> int:
        """Clean up after upload jobs that failed without their worker cleaning up (it died on every attempt): the
        half-made video and the uploaded file go. Idempotent and cheap when there is nothing to do."""
        left = uploads.stranded(self.jobs)
        for video_id in uploads.half_made(self.store, left) if left else ():
            self._video_ingest.forget(video_id)
        for work in left:
            uploads.drop(self.settings.data_dir, self.store, Path(work.source))
        return len(left)

    def submit_remote_url(self, url: str, options: IngestOptions) -> Job:
        """For untrusted callers (HTTP): only allowed hosts, public addresses, every redirect checked."""
        check_untrusted(options)  # before any address is looked up
        try:
            final = netguard.follow_redirects(url, self.settings.allowed_host_list, self.url_probe, self.resolver)
        except MediaError as exc:
            raise InvalidInput(str(exc)) from None
        return self.submit_ingest(final, options)

    def public_fetch(self, url: str) -> bytes:
        """Fetch an article for an untrusted caller: any host, but only public addresses, redirects included."""
        from indexer.articles.load import fetch_url  # deferred: the article loader pulls the text layer

        try:  # the pre-flight gives the clear error; the opener checks every hop and address of the real request
            return fetch_url(netguard.follow_redirects(url, None, self.url_probe, self.resolver),
                             netguard.public_opener(self.resolver))
        except MediaError as exc:
            raise InvalidInput(str(exc)) from None

    def upload_path(self, filename: str) -> Path:
        """A fresh path inside the data directory for an uploaded file (indexer.ingest.uploads)."""
        return uploads.new_path(self.settings.data_dir, filename)

    def output_file(self, path: Path) -> Path:
        """`path` as a file a command may write its output to (`-o`): never one of the archive's own (its store,
        index and media: files.archive_part) nor a file a video plays from or was made from. A
        mistyped `-o` turned the store into a caption file, or a source video into an EDL, and said nothing."""
        store = self.store.path  # a SQLite store kept outside the data directory (CLIPINDEX_DATABASE_URL) too
        target = path.expanduser().resolve()
        if archive_part(self.settings.data_dir, path.expanduser()) or (
                store is not None and target.parent == store.resolve().parent and target.name.startswith(store.name)):
            raise InvalidInput(f"{path}: that is one of the archive's own files (its store, index or media, in "
                               f"{self.settings.data_dir}); write the output elsewhere")
        if self.store.uses_file(uploads.known_as(self.settings.data_dir, path.expanduser())):
            raise InvalidInput(f"{path}: a video of the archive plays from or was made from that file; write the "
                               "output elsewhere")
        return path

    def media_file(self, ref: str) -> Path:
        """The video's media file: inside the data directory or a configured media root, or exactly the file the
        store records as ingested in place from this machine (`clipindex ingest PATH`). A request names a video,
        never a path, so nothing else outside the roots can be read."""
        video = self.video(ref)
        if not video.media_path:
            raise NotFound(f"“{video.title}” has no media to play: its transcript came from captions")
        path = (self.settings.data_dir / video.media_path).resolve()
        options = stored_options(self.store, video.id)  # read once: a player asks again for every range it plays
        if not any(path.is_relative_to(root) for root in self.settings.media_root_list) \
                and not ingested_in_place(options, path):
            raise NotFound(f"the media of “{video.title}” lies outside the folders this server may read")
        if not path.is_file():
            raise NotFound(f"the media file of “{video.title}” has been moved or deleted")
        if replaced_in_place(options, path):
            raise NotFound(REPLACED.format(title=video.title))
        return path

    def frame(self, ref: str, at: float) -> Path:
        """A small JPEG of the video at `at` seconds (cached): what a search result shows beside its words."""
        from indexer.frames import frame_at  # deferred: only the web page's result list asks for frames

        video = self.video(ref)
        if not video.has_video:
            raise NotFound(f"“{video.title}” has no picture")
        return frame_at(self.settings.data_dir, video.id, self.media_file(video.id), at, video.duration)

    def update_video(self, ref: str, *, title: str | None = None, channel: str | None = None,
                     published: str | None = None) -> Video:
        """Correct what the archive says about a video (None leaves a field as it is; "" clears channel/date)."""
        video = self.video(ref)
        # only the fields given are written: an edit of the title racing one of the channel (or a delete) must not
        # write back the rest of the row as it was read
        changes = video_changes(title, channel, published)
        changed = self.store.update_video(video.id, **changes) if changes else video
        if self.store.transcript_head(video.id) is not None:
            self.index.index_edit(video.id, "the change")  # titles, channels and dates are searched and filtered on
        return changed

    # reading ----------------------------------------------------------------------------------------------------
    def videos(self, limit: int | None = None, offset: int = 0) -> list[VideoSummary]:
        """The archive's videos oldest first, or a page of them (`video_count` says how many in all)."""
        return video_summaries(self.store, self.store.list_videos(limit, offset))

    def video_count(self) -> int:
        return self.store.count_videos()

    def video_summary(self, ref: str) -> VideoSummary:
        [summary] = video_summaries(self.store, [self.video(ref)])
        return summary

    def video(self, ref: str) -> Video:
        return self.store.get_video(refs.resolve_video(self.store, ref))

    def transcript(self, ref: str) -> Transcript:
        video_id = refs.resolve_video(self.store, ref)
        tr = self.store.get_transcript(video_id)
        if tr is None:
            raise NotFound(f"video {video_id!r} has no transcript yet: its ingest stopped early; add it again to "
                           "resume")
        return tr

    def render_transcript(self, ref: str, fmt: str) -> str:
        return self.export_transcript(ref, fmt, warn=False)[0]

    def export_transcript(self, ref: str, fmt: str, warn: bool = True) -> tuple[str, str | None]:
        """The transcript written in `fmt`, and for a caption format (with `warn`) formats.reading_warning's line
        about cues too fast to read, None where there is none: the transcript is read once for both."""
        if fmt not in formats.FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: choose one of {', '.join(formats.FORMATS)}")
        tr = self.transcript(ref)
        text = formats.render(tr, fmt, self.store.get_video(tr.video_id))
        return text, (formats.reading_warning(tr) if warn and fmt in formats.CAPTION_FORMATS else None)

    def delete_video(self, ref: str, force: bool = False) -> DeletedVideo:
        """Remove a video and everything made of it: its rows, passages and files, the renders that hold its clips,
        and the records of the jobs that name it. Where reels hold clips of it, Conflict unless `force`: then the
        clips leave the reels. The answer names those reels, the renders removed and the articles left with no
        video (an erasure request may take them too)."""
        video_id = refs.resolve_video(self.store, ref)
        from indexer.articles.store import ArticleStore, article_id  # deferred: the article layer, for this only

        held = self.reels.held(video_id, force)
        articles = ArticleStore(self.store)
        linked = {article_id(article) for article, _links in articles.for_video(video_id)}  # not every article
        self._video_ingest.forget(video_id)
        renders = self.reels.forget_renders(video_id)
        self.jobs.forget([job.id for job in self.jobs.naming(video_id, "ingest")])
        alone = tuple(sorted(aid for aid in linked if not articles.get(aid)[1]))
        return DeletedVideo(video_id, tuple(ReelClips(*h) for h in held), renders, alone)

    # corrections of the stored transcript -------------------------------------------------------------------------
    def correct_words(self, ref: str, start: float, end: float, text: str, source: WordSource = "editor",
                      was: str | None = None) -> Correction:
        """Replace the transcript's words in [start, end] with `text` (provenance `source`); search finds them.
        `was`: the words the editor saw there (Conflict where another correction has changed them since)."""
        video_id = refs.resolve_video(self.store, ref)
        duration = self.store.get_video(video_id).duration
        correction = Corrections(self.store).apply(video_id, start, end, text, source, duration, was)
        self.chapters.retitle(video_id)  # a misheard name put right in the words is put right in the titles
        self.index.index_edit(video_id, f"correction {correction.id}")
        self.articles.recheck_video(video_id)  # its articles' quote checks cite the words as they read now
        return correction

    def revert_correction(self, ref: str, correction_id: str) -> Correction:
        """Put back the words a correction replaced, and re-index the video."""
        video_id = refs.resolve_video(self.store, ref)
        correction = Corrections(self.store).revert(video_id, correction_id)
        self.chapters.retitle(video_id)
        self.index.index_edit(video_id, f"the revert of {correction_id}")
        self.articles.recheck_video(video_id)
        return correction

    def corrections(self, ref: str) -> list[Correction]:
        """The video's corrections, oldest first, reverted ones included."""
        return Corrections(self.store).list(refs.resolve_video(self.store, ref))

    # search -----------------------------------------------------------------------------------------------------
    def search(self, query: str, *, mode: SearchMode | None = None, video: str | None = None,
               channel: str | None = None, language: str | None = None, after: str | None = None,
               before: str | None = None, limit: int = 10, offset: int = 0,
               media_base: str | None = None) -> SearchResult:
        """Quote or keyword search; hits carry watch/embed links and the article paragraph that reports the moment
        (media_base: URL prefix for local media, else file: URIs)."""
        if language is not None:
            language = check_language(language)
        video_id = refs.resolve_video(self.store, video) if video else None
        ask = limit
        while True:
            result = self.index.search(query, mode=mode, video=video_id, channel=channel, language=language,
                                       after=after, before=before, limit=ask, offset=offset)
            found = {vid: self.store.find_video(vid) for vid in {h.video_id for h in result.hits}}
            videos = {vid: v for vid, v in found.items() if v is not None}
            live = [h for h in result.hits if h.video_id in videos]
            # hits of a video deleted while the index still held it (until the next reconcile) are dropped, and the
            # page is filled from further down, once: a page of them came back empty
            if len(live) >= limit or len(result.hits) < ask or ask > limit:
                break
            ask = limit + len(result.hits) - len(live)
        hits = [replace(h, links=self._hit_links(videos[h.video_id], h.start, h.end, media_base))
                for h in live[:limit]]
        return replace(result, hits=hits)

    def _hit_links(self, video: Video, start: float, end: float, media_base: str | None) -> dict[str, str]:
        links = deeplinks.watch_links(video, start, end, deeplinks.media_url(self.settings.data_dir, video,
                                                                              media_base))
        article = self.articles.link_for(video.id, start, end)
        return {**links, "article": article} if article else links


__all__ = ["Clipindex", "ClipindexError", "IngestOptions", "IngestResult", "VideoSummary"]

