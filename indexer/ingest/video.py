"""One planned video through the ingest chain, as `Clipindex.ingest` runs each video of a source, and a video
forgotten: its rows, passages and files removed when its first ingest fails, when the jobs of its upload died, or
when it is deleted.

A video whose steps are all done is skipped, with what the new ingest says of it kept (a moved file is found again
where it is now). A forced run resets the steps first, unless a live process is running one of them, and puts them
back when the new run is refused at its first step. A new video whose ingest fails leaves nothing behind.
"""

from __future__ import annotations

import time
from contextlib import suppress
from dataclasses import replace
from typing import TYPE_CHECKING

from indexer.config import Settings
from indexer.errors import IndexBusy, IngestError, InvalidInput, broker_away
from indexer.ingest import uploads
from indexer.ingest.context import StepContext, StepProgress
from indexer.ingest.plan import Plan, article_ref, stored_options
from indexer.ingest.types import STEPS, IngestOptions, IngestResult, IngestStatus, ProgressFn
from indexer.models import Video
from indexer.store import claims, owners
from indexer.store.db import StepsKept, Store
from indexer.store.files import in_archive, remove_files
from media import sources

CLAIM_POLL_S = 0.5  # how often an ingest waiting for another one's claim looks again
ELSEWHERE = "already ingested by another process at the same time: this one waited for it and added nothing"

if TYPE_CHECKING:
    from indexer.articles.load import Article
    from indexer.asr.engine import EngineFactory
    from indexer.search.service import SearchService


class VideoIngest:
    """What `Clipindex` hands over for one video: the store, the settings, the search index, and how to fetch and
    transcribe."""

    def __init__(self, store: Store, settings: Settings, index: SearchService, ytdl: sources.YtdlOptions,
                 engine_factory: EngineFactory | None) -> None:
        self.store = store
        self.settings = settings
        self.index = index
        self.ytdl = ytdl
        self.engine_factory = engine_factory

    def ingest_one(self, p: Plan, options: IngestOptions, progress: ProgressFn | None,
                   article: Article | None, untrusted: bool, job: str | None = None) -> IngestResult:
        """Run the chain for one planned video under its claim (store/claims.py); its row and ingest options are
        written first. While another process holds the claim, wait for it; a forced run is refused at once, but for
        a job's, which may be the retry of one whose coordinator died on another host (its claim runs out)."""
        owner = owners.new_owner("ingest")
        waited = False
        while (holder := claims.take(self.store, p.video_id, owner, self.settings.lease_s)) is not None:
            if options.force and job is None:  # starting over under a live run would pull its steps from under it
                raise InvalidInput(f"{p.video_id} is being ingested by {_process(holder)} right now; run --force "
                                   "again when it has finished")
            if progress:
                progress(p.video_id, "fetch", 0.0, f"{_process(holder)} is ingesting this video: waiting for it")
            waited = True
            time.sleep(CLAIM_POLL_S)
        held = claims.Held(self.store, p.video_id, owner, self.settings.lease_s)
        try:
            result = self._ingest_claimed(p, options, progress, article, untrusted, job, owner)
        finally:
            held.close()
        if waited and result.status == "skipped" and not result.note:
            return replace(result, note=ELSEWHERE)
        return result

    def _ingest_claimed(self, p: Plan, options: IngestOptions, progress: ProgressFn | None, article: Article | None,
                        untrusted: bool, job: str | None, owner: str) -> IngestResult:
        existing = self.store.find_video(p.video_id)
        runs = self.store.step_status(p.video_id) if existing else {}
        kept = None  # a forced run's step runs as they were, put back if it fails at its first step
        if existing and all(s in runs and runs[s].status == "done" for s in STEPS) and not options.force:
            self._refresh(existing, p, IngestOptions(), untrusted)  # a moved file: found again where it is now
            self.index.index_if_missing(p.video_id)  # its index commit failed (a full disk, a busy index): now
            return self._result(p, "skipped")
        # a forced job's retry (its coordinator died) finds the steps its first run reset: they are not reset again
        stored = stored_options(self.store, p.video_id) if existing and job else None
        again = stored is not None and stored.forced_by == job
        if existing and options.force and not again:
            busy = [s for s, run in runs.items() if run.status == "running" and (run.lease_expires or 0) > time.time()
                    and not owners.gone(run.lease_owner)]
            if busy:  # starting over under a live run would pull its steps from under it
                raise InvalidInput(f"{p.video_id} is being ingested by another process right now ({busy[0]}); "
                                   "run --force again when it has finished")
            kept = self.store.reset_steps(p.video_id, list(STEPS))
        done = {s for s, run in runs.items() if run.status == "done" and kept is None}  # before this run
        if not existing:
            self.store.put_video(Video(
                id=p.video_id, source=p.source, title=p.title or p.source, url=p.url, duration=p.duration,
                media_path=in_archive(self.settings.data_dir, p.path) if p.kind == "file" and p.path else None,
                has_video=p.has_video, article=article_ref(options.article)))
        else:
            self._refresh(existing, p, options, untrusted)
        self.store.set_options(p.video_id, replace(p.step_options(options, article), public_only=untrusted,
                                                   forced_by=job if options.force else None))
        # deferred: the chain's steps pull every subsystem (ASR, chapters, search, articles); only ingest runs them
        from indexer.ingest.steps import run_chain

        ctx = StepContext(self.store, self.settings, owner=owner, ytdl=self.ytdl, engine_factory=self.engine_factory,
                          on_progress=_bind(progress, p.video_id))
        try:
            ran = run_chain(p.video_id, ctx)  # a step's media errors come out as IngestError (as_ingest_error)
        except (IngestError, InvalidInput):
            if not existing:  # bad input: leave no half-made video behind
                self.forget(p.video_id)
            elif kept is not None and self.store.step_status(p.video_id).keys() <= {"fetch"}:
                self.store.restore_steps(p.video_id, kept)  # refused at its first step: the video stays as it was
            else:  # its new title or URL is stored: search shows them too, not the failed run's old ones
                with suppress(IndexBusy, OSError):  # the ingest's own error is the one to tell
                    self.index.index_video(p.video_id)
            raise
        except Exception as exc:
            if broker_away(exc):  # the broker refused the chain's first message: the caller hears it as it is
                self._refused(p.video_id, existing is None, kept)
            raise
        if ran == [] and set(STEPS) - done:  # the steps left were run by another process at once, as this one waited
            return replace(self._result(p, "skipped"), note=ELSEWHERE)
        return self._result(p, "ingested")

    def _refused(self, video_id: str, new: bool, kept: StepsKept | None) -> None:
        """An ingest the broker refused (Redis down) before any step ran leaves the archive as it was: a new video's
        row stayed, empty and "incomplete", and a forced one lost its finished steps. Only the row goes: an upload's
        file stays for its job's next attempt. Once a step has run (the broker went away later), the video is kept
        as it is, and the same command resumes it."""
        if self.store.step_status(video_id):
            return
        if new:
            self.store.delete_video(video_id)
        elif kept is not None:
            self.store.restore_steps(video_id, kept)

    def _refresh(self, video: Video, p: Plan, options: IngestOptions, untrusted: bool) -> None:
        """What a new ingest of a known video says of it: the title, URL and article it names, and where a local file
        is now when the one recorded is gone (moved or renamed). An upload's copy is removed after a duplicate's
        ingest, so an untrusted caller's path is never recorded over the first."""
        new = replace(video, title=options.title or video.title, url=options.url or video.url,
                      article=article_ref(options.article) if options.article else video.article)
        recorded = self.settings.data_dir / video.media_path if video.media_path else None  # an absolute one as is
        if p.kind == "file" and p.path and not untrusted and recorded and not recorded.is_file():
            new = replace(new, media_path=in_archive(self.settings.data_dir, p.path), source=p.source)
        if new != video:
            self.store.put_video(new)

    def _result(self, p: Plan, status: IngestStatus) -> IngestResult:
        video = self.store.get_video(p.video_id)
        tr = self.store.transcript_head(p.video_id)
        return IngestResult(p.source, video.id, status, video.title, tr.source if tr else None,
                            video.language, video.duration, tr.warnings if tr else ())

    def forget(self, video_id: str) -> None:
        """Remove the video's rows, its passages, its files and the archive's copy of an upload."""
        # the store first: an index step committing this video's passages after the index's delete below finds it
        # gone there and takes them out again (PassageIndex.flush)
        video = self.store.find_video(video_id)
        self.store.delete_video(video_id)
        self.index.forget(video_id)
        remove_files(self.settings.data_dir, video_id)
        if video and video.media_path:  # an upload's copy is the archive's own: the source's original went on living
            uploads.drop(self.settings.data_dir, self.store, self.settings.data_dir / video.media_path)


def _process(owner: str) -> str:
    holder = owners.holder(owner)
    return f"another process on {holder.host}" if holder else "another process"


def _bind(progress: ProgressFn | None, video_id: str) -> StepProgress | None:
    if progress is None:
        return None
    return lambda step, fraction, detail: progress(video_id, step, fraction, detail)
