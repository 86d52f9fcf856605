"""The reel service: reels and their clips (from a search hit, a chapter or a range), render and export.

`Clipindex` holds one of these as `reels`, built with the store, the settings, the job queue and yt-dlp's options.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeGuard, get_args

from indexer import deeplinks, refs
from indexer.chapters.display import display_chapters
from indexer.config import Settings
from indexer.errors import Conflict, InvalidInput, NotFound
from indexer.formats import caption_cues
from indexer.ingest.plan import REPLACED, check_line, replaced_in_place, stored_options
from indexer.models import Clip, ClipOrigin, Record, Reel, Video
from indexer.reels.clips import make_clip
from indexer.reels.store import ReelStore
from indexer.store.db import Store
from indexer.store.files import sweep_render_work, work_dir
from indexer.store.jobs import Job, JobQueue
from media import sources
from media.captions import Cue
from media.errors import MediaError
from media.ffmpeg import probe
from media.render import (
    WORK_PREFIX,
    ClipSource,
    IncompatibleSources,
    RenderMode,
    RenderOptions,
    RenderResult,
    UnsupportedCodec,
    render_reel,
)
from media.timeline import EXPORT_FORMATS, ExportFormat, TimelineClip, export_reel, export_warnings

EXPORTS: tuple[ExportFormat, ...] = get_args(ExportFormat)
FRAMED = ("otio", "edl", "fcpxml", "json")  # exports that count frames (captions are timed in seconds)
ASSUMED_FPS = 25.0  # a clip's frame rate when no media file tells it (the export then says so)
MEDIA_TYPES = {fmt: media_type for fmt, (_, media_type) in EXPORT_FORMATS.items()}  # of each export, for downloads
CaptionMode = Literal["burn", "sidecar", "none"]
CAPTION_MODES: tuple[CaptionMode, ...] = get_args(CaptionMode)


@dataclass(frozen=True)
class RenderJob(Record):
    """A queued render (HTTP): its MP4 goes to the data directory's renders/ folder."""

    reel: str
    fast: bool = False
    captions: CaptionMode = "none"
    clips: tuple[Clip, ...] = ()  # the reel's clips when the render was asked for (none: as they are when it runs)
    titles: bool = False  # a title card with each clip's label before it


@dataclass(frozen=True)
class RenderJobResult(Record):
    file: str  # the URL path to download it from
    files: tuple[str, ...]
    duration: float
    mode: RenderMode
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReelExport:
    text: str
    warnings: tuple[str, ...] = ()  # what the export changed, e.g. sources conformed to the EDL's one rate


@dataclass(frozen=True)
class HitRef:
    """What a producer picks from search results: a span of one video (as `clipindex search --json` prints it)."""

    video_id: str
    start: float
    end: float
    text: str = ""

    @classmethod
    def parse(cls, hit: Mapping[str, Any]) -> HitRef:
        """From a search hit as JSON; a clear error when it is not one."""
        video_id, start, end = (hit.get(k) for k in ("video_id", "start", "end")) if isinstance(hit, Mapping) \
            else (None, None, None)
        if not (isinstance(video_id, str) and video_id.strip() and _seconds(start) and _seconds(end)):
            raise InvalidInput("a hit needs video_id, start and end (a video id, and seconds), as `clipindex search "
                               "--json` prints")
        return cls(video_id, float(start), float(end), str(hit.get("text", "")))


def _seconds(value: Any) -> TypeGuard[float]:
    """A time as JSON gives one: a number, and not true or false (which Python counts as 1 and 0)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class ReelService:
    def __init__(self, store: Store, settings: Settings, jobs: JobQueue,
                 ytdl: sources.YtdlOptions | None = None) -> None:
        self.store = store
        self.settings = settings
        self.jobs = jobs
        self.ytdl = ytdl or sources.YtdlOptions(allow_file_urls=settings.allow_file_urls)
        self.saved = ReelStore(store)

    # reels ------------------------------------------------------------------------------------------------------
    def new(self, title: str) -> Reel:
        return self.saved.create(_title(title))

    def rename(self, ref: str, title: str, seen: float | None = None) -> Reel:
        """`seen` (here and for the clip edits below): the reel's `updated_at` as the caller read it; Conflict when
        another edit has changed it since (ReelStore.edit)."""
        return self.saved.rename(self.saved.resolve(ref), _title(title), seen)

    def list(self) -> list[Reel]:
        reels = []
        for rid in self.saved.ids():
            try:
                reels.append(self.saved.get(rid))
            except NotFound:  # deleted while we listed: it is simply gone
                continue
        return reels

    def get(self, ref: str) -> Reel:
        return self.saved.get(self.saved.resolve(ref))

    def delete(self, ref: str, seen: float | None = None) -> str:
        rid = self.saved.resolve(ref)
        self.saved.delete(rid, seen)
        return rid

    # clips ------------------------------------------------------------------------------------------------------
    def add_range(self, ref: str, video: str, start: float, end: float, *, pad: float = 0.0, snap_to: str = "word",
                  label: str = "", origin: ClipOrigin = "range") -> Reel:
        reel = self.get(ref)
        video_id = refs.resolve_video(self.store, video)
        v = self.store.get_video(video_id)
        if not v.media_path and not self._fetchable(v):  # refused now, not by a failed render later
            raise InvalidInput(f"“{v.title}” was added from its captions only, so there is no picture or sound to "
                               "cut a clip from: add the video again with its media first")
        if v.media_path and not v.has_video and not self._fetchable(v):
            raise InvalidInput(f"“{v.title}” is sound only (its file has no picture), and a reel's clips are cut "
                               "from video: add the video file of the report instead")
        tr = self.store.get_transcript(video_id)
        duration = v.duration or (tr.words[-1].end if tr and tr.words else 0.0)
        clip = make_clip(tr, duration, start, end, pad=pad, how=snap_to, label=label or v.title, origin=origin,
                         video_id=video_id, frame_s=self._frame_s(v))
        return self.saved.edit(reel.id, lambda clips: [*clips, clip])

    def add_hit(self, ref: str, hit: HitRef, *, pad: float = 0.5, snap_to: str = "word") -> Reel:
        return self.add_range(ref, hit.video_id, hit.start, hit.end, pad=pad, snap_to=snap_to,
                              label=hit.text[:200], origin="hit")

    def add_chapter(self, ref: str, video: str, number: int, *, pad: float = 0.0) -> Reel:
        shown = display_chapters(self.store, refs.resolve_video(self.store, video))
        if not 1 <= number <= len(shown):
            raise InvalidInput(f"chapter {number} does not exist: the video has {len(shown)} (numbered from 1)")
        c = shown[number - 1]
        return self.add_range(ref, video, c.start, c.end, pad=pad, snap_to="sentence", label=c.title,
                              origin="chapter")

    def trim_clip(self, ref: str, position: int, start: float, end: float, seen: float | None = None) -> Reel:
        """Move a clip's edges (snapped out to whole words); its label and origin stay. Where another edit has changed
        the clip at `position` since the reel was read (trimmed it, or put another there), nothing changes
        (Conflict)."""
        reel = self.get(ref)
        old = _at(list(reel.clips), position)
        v = self.store.get_video(old.video_id)
        tr = self.store.get_transcript(old.video_id)
        duration = v.duration or (tr.words[-1].end if tr and tr.words else 0.0)
        clip = make_clip(tr, duration, start, end, how="word", label=old.label, origin=old.origin,
                         video_id=old.video_id, frame_s=self._frame_s(v))

        def trim(clips: list[Clip]) -> list[Clip]:
            if _at(clips, position) != old:  # the whole clip: another clip of the video may carry the same label
                raise Conflict(f"clip {position} changed while it was trimmed (another edit trimmed, moved or "
                                   "removed clips): read the reel again")
            return [clip if i == position else c for i, c in enumerate(clips, 1)]

        return self.saved.edit(reel.id, trim, seen)

    def move_clip(self, ref: str, position: int, to: int, seen: float | None = None) -> Reel:
        def move(clips: list[Clip]) -> list[Clip]:
            _at(clips, position)  # the clip moved must exist (NotFound); where it goes is the request's to check
            if not 1 <= to <= len(clips):
                raise InvalidInput(f"positions run from 1 to {len(clips)}")
            clips.insert(to - 1, clips.pop(position - 1))
            return clips

        return self.saved.edit(self.saved.resolve(ref), move, seen)

    def remove_clip(self, ref: str, position: int, seen: float | None = None) -> Reel:
        def remove(clips: list[Clip]) -> list[Clip]:
            _at(clips, position)
            return [c for i, c in enumerate(clips, 1) if i != position]

        return self.saved.edit(self.saved.resolve(ref), remove, seen)

    # render and export ------------------------------------------------------------------------------------------
    def render(self, ref: str, out: Path, *, allowed_dir: Path, fast: bool = False, captions: str = "none",
               titles: bool = False, progress: Callable[[float], None] | None = None,
               as_asked: tuple[Clip, ...] = ()) -> RenderResult:
        """Render the reel's clips (`as_asked`: these clips instead, the reel as it was when a job was queued)."""
        chosen = as_asked or self._nonempty(ref).clips
        folder = Path(out).resolve().parent
        if folder.is_relative_to(Path(allowed_dir).resolve()):  # a render killed there before left its work:
            sweep_render_work(folder, WORK_PREFIX)  # gone after an hour unused
        read: dict[str, tuple[Cue, ...]] = {}
        clips = [ClipSource(self._clip_file(n, c), c.start, c.end, c.label,
                            title=(c.label or None) if titles else None, cues=self._cues(c, read))
                 for n, c in enumerate(chosen, 1)]
        try:
            return render_reel(clips, out, RenderOptions(fast=fast, captions=captions),  # type: ignore[arg-type]
                               progress, allowed_dir=allowed_dir)
        except (IncompatibleSources, UnsupportedCodec) as exc:
            if not fast:
                raise
            # the producer asked for speed, not for a failure: the accurate render always works, only slower
            result = render_reel(clips, out, RenderOptions(fast=False, captions=captions),  # type: ignore[arg-type]
                                 progress, allowed_dir=allowed_dir)
            note = f"rendered accurately instead of fast: {exc}".replace(": use accurate mode", "")
            return replace(result, warnings=(note, *result.warnings))

    def held(self, video_id: str, force: bool) -> tuple[tuple[str, str, int], ...]:
        """The reels that hold clips of a video to be deleted (id, title, clips); Conflict unless `force`: a
        producer's reel lost its clips to a colleague's delete unasked."""
        held = tuple(self.saved.holding(video_id))
        if held and not force:
            named = ", ".join(f"“{title}” ({n})" for _rid, title, n in held[:3]) + (" ..." if len(held) > 3 else "")
            raise Conflict(f"reels hold {sum(n for *_, n in held)} clip(s) of {video_id}: {named}; delete it with "
                           "force to take its clips out of them too, or remove them first")
        return held

    def forget_renders(self, video_id: str) -> tuple[str, ...]:
        """Remove the rendered files that hold clips of a video being deleted, and the jobs that made them (their
        records kept its clips' labels: its words); returns the files' names. They stayed, still served."""
        made = self.jobs.naming(video_id, "render")
        names = tuple(Path(f).name for job in made if job.state == "done" and job.result
                      for f in RenderJobResult.from_dict(job.result).files)
        for name in names:
            (self.render_dir() / name).unlink(missing_ok=True)
        self.jobs.forget([job.id for job in made])
        return names

    def render_dir(self) -> Path:
        folder = self.settings.data_dir / "renders"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def submit_render(self, ref: str, *, fast: bool = False, captions: str = "none", titles: bool = False) -> Job:
        """Queue a render (HTTP): the MP4 goes to the data directory's renders/ folder. It renders the reel as it is
        now: an editor who goes on changing the reel while the render waits for a worker gets what was asked for."""
        reel = self._nonempty(ref)
        if captions not in CAPTION_MODES:
            raise InvalidInput("captions must be burn, sidecar or none")
        return self.jobs.submit("render", RenderJob(reel.id, fast, captions, reel.clips, titles))

    def run_render_job(self, job: RenderJob, progress: Callable[[float], None]) -> RenderJobResult:
        name = f"{job.reel.replace(':', '-')}-{uuid.uuid4().hex[:8]}.mp4"
        asked = tuple(Clip(**c) if isinstance(c, Mapping) else c for c in job.clips)  # a payload holds plain dicts
        result = self.render(job.reel, self.render_dir() / name, allowed_dir=self.render_dir(), fast=job.fast,
                             captions=job.captions, titles=job.titles, progress=progress, as_asked=asked)
        files = (result.path.name, *(p.name for p in result.sidecars))
        return RenderJobResult(f"/v1/renders/{result.path.name}", files, result.duration, result.mode,
                               tuple(result.warnings))

    def export(self, ref: str, fmt: str) -> str:
        return self.export_file(ref, fmt).text

    def export_file(self, ref: str, fmt: str, media_base: str | None = None) -> ReelExport:
        """The export's text and what it had to change to say it (frame rates an EDL cannot express). `media_base`
        (an HTTP caller's): local media is named by its file's name alone and linked under it, since a server's
        folders are no reader's business (an editor relinks media by name)."""
        fmt = fmt.strip().lower()  # "EDL", as the API takes it
        if fmt not in EXPORTS:
            raise InvalidInput(f"unknown format {fmt!r}: choose one of {', '.join(EXPORTS)}")
        reel = self._nonempty(ref)
        clips, guessed = [], []
        read: dict[str, tuple[Cue, ...]] = {}
        for n, c in enumerate(reel.clips, 1):
            clip, known = self._timeline_clip(n, c, media_base, read, linked=fmt in FRAMED)
            clips.append(clip)
            if not known and fmt in FRAMED:
                guessed.append(f"clip {n} ({c.video_id})")
        notes = () if not guessed else (
            f"{', '.join(guessed)}: no media file to read the frame rate from (moved, deleted, or never downloaded): "
            f"timed at {ASSUMED_FPS:g} fps, with its sound; ingest a moved file again from where it is now, then "
            "export again",)
        return ReelExport(export_reel(clips, fmt, reel.title), (*notes, *export_warnings(clips, fmt)))

    def _timeline_clip(self, n: int, c: Clip, media_base: str | None, read: dict[str, tuple[Cue, ...]], *,
                       linked: bool) -> tuple[TimelineClip, bool]:
        """The clip as a timeline sees it, and whether its frame rate was read from its media (else ASSUMED_FPS,
        with sound: a report whose file cannot be read was heard once; an EDL event without it conformed picture
        only). A file replaced in place by other media is never read, and a timeline that links it (`linked`) is
        refused, as a render is: an editor conforming it would cut the new footage at the old times."""
        video = self.store.get_video(c.video_id)
        media = self._local_media(video.media_path)
        replaced = bool(media and replaced_in_place(stored_options(self.store, c.video_id), media))
        if replaced and linked:
            raise NotFound(f"clip {n}: " + REPLACED.format(title=video.title))
        info = probe(media) if media and media.is_file() and not replaced else None
        media_link = deeplinks.media_url(self.settings.data_dir, video, media_base)
        media = Path(media.name) if media and media_base is not None else media
        link = deeplinks.watch_links(video, c.start, c.end, media_link).get("watch", "")
        known = bool(info and info.fps)
        clip = TimelineClip(media or Path(video.id.replace(":", "_")), c.start, c.end,
                            info.fps if info and info.fps else ASSUMED_FPS, c.label, video.id, link, video.duration,
                            self._cues(c, read), info.width if info else None, info.height if info else None,
                            info.timecode if info else None, info.has_audio if info else True, video.language)
        return clip, known

    def _nonempty(self, ref: str) -> Reel:
        reel = self.get(ref)
        if not reel.clips:
            raise InvalidInput(f"reel “{reel.title}” has no clips yet: add some first")
        return reel

    def _cues(self, clip: Clip, read: dict[str, tuple[Cue, ...]]) -> tuple[Cue, ...]:
        """The caption cues that overlap a clip. `read` holds each video's cues once per render or export: a reel
        of many clips from one long programme read and kept its whole transcript again for every clip (2 GB for
        twenty clips of a 30-hour recording)."""
        if clip.video_id not in read:
            tr = self.store.get_transcript(clip.video_id)
            read[clip.video_id] = tuple(caption_cues(tr)) if tr else ()
        return tuple(cue for cue in read[clip.video_id] if cue.end > clip.start and cue.start < clip.end)

    def _frame_s(self, video: Video) -> float:
        """One frame of the video's picture, read from its media where it is here (0 where it is not)."""
        media = self._local_media(video.media_path)
        try:
            fps = probe(media).fps if media and media.is_file() and video.has_video else None
        except MediaError:  # damaged or replaced: the render says so, with the reason
            return 0.0
        return 1 / fps if fps else 0.0

    @staticmethod
    def _fetchable(video: Video) -> bool:
        """A YouTube video added from its captions: its picture is fetched when a render first needs it."""
        return bool(video.url and video.id.startswith("yt:"))

    def _local_media(self, media_path: str | None) -> Path | None:
        return (self.settings.data_dir / media_path).resolve() if media_path else None

    def _clip_file(self, n: int, clip: Clip) -> Path:
        """The media to cut clip `n` from; an error names the clip, as the renderer's own do."""
        try:
            return self._video_file(clip.video_id)
        except NotFound as exc:
            raise NotFound(f"clip {n} ({clip.label or clip.video_id}): {exc}") from None

    def _video_file(self, video_id: str) -> Path:
        """The video's media with its video stream; YouTube sources are fetched on demand and cached."""
        video = self.store.get_video(video_id)
        media = self._local_media(video.media_path)
        if media and replaced_in_place(stored_options(self.store, video_id), media):
            raise NotFound(REPLACED.format(title=video.title))
        if video.has_video and media and media.is_file():
            return media
        if self._fetchable(video):
            cache = work_dir(self.settings.data_dir, video_id) / "video"
            cached = [p for p in cache.glob("media.*") if len(p.suffixes) == 1] if cache.is_dir() else []
            if cached:
                return cached[0]
            try:
                return sources.download_media(str(video.url), cache, self.ytdl, True, None)
            except MediaError as exc:  # yt-dlp's own report runs to many lines: its first says what went wrong
                reason = str(exc).strip().splitlines()[0].removeprefix("ERROR: ")[:200] if str(exc).strip() else ""
                raise NotFound(f"the video of “{video.title}” (added from its captions) could not be fetched from "
                               f"YouTube to cut its clip{': ' + reason if reason else ''}") from None
        if media and media.is_file():
            return media  # rendering reports that it has no video stream
        raise NotFound(f"video {video_id} has no media file to cut clips from")


def _at(clips: list[Clip], position: int) -> Clip:
    """The clip at a position counted from 1; NotFound when the reel has none there (over HTTP a position is part
    of the clip's address: a 404, as for a reel or video that does not exist)."""
    if not 1 <= position <= len(clips):
        raise NotFound(f"no clip {position}: the reel has {len(clips)}")
    return clips[position - 1]


def _title(title: str) -> str:
    """A reel's title as stored: one line (exports and the page show it as one), composed, 1 to 200 characters."""
    check_line(title, "a reel's title", 200)
    if not title.strip():
        raise InvalidInput("a reel needs a title of 1 to 200 characters")
    return unicodedata.normalize("NFC", title.strip())
