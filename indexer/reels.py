"""Highlights: clips (from a search hit, a chapter or a range) ordered into reels, rendered and exported.

Clip edges are snapped before padding and again after, so no word is cut in half: `word` moves an edge that falls
inside a word to that word's edge, `sentence` to the sentence's edge. Kept apart from service.py only for size:
`Clipindex` inherits these methods.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from indexer import deeplinks, pipeline
from indexer.errors import InvalidInput, NotFound
from indexer.models import Chapter, Clip, Reel, Transcript, Word
from indexer.schema import reel_clips, reels

if TYPE_CHECKING:
    from indexer.config import Settings
    from indexer.jobs import JobQueue
    from indexer.models import Video
    from indexer.store import Store
    from media.render import RenderResult

SNAPS = ("word", "sentence", "none")
EXPORTS = ("otio", "edl", "fcpxml", "srt", "vtt", "json")


def snap(words: list[Word], start: float, end: float, how: str) -> tuple[float, float]:
    """Move edges that fall inside a word (or sentence) out to its edge."""
    if how == "none" or not words:
        return start, end
    spans = [(w.start, w.end) for w in words]
    if how == "sentence":
        from indexer.models import split_sentences

        spans = [(s.start, s.end) for s in split_sentences(words)]
    for a, b in spans:
        if a < start < b:
            start = a
        if a < end < b:
            end = b
    return start, end


def make_clip(tr: Transcript | None, duration: float, start: float, end: float, *, pad: float = 0.0,
              how: str = "word", label: str = "", origin: str = "range") -> Clip:
    if how not in SNAPS:
        raise InvalidInput(f"--snap must be one of {', '.join(SNAPS)}")
    if not (start >= 0 and end > start):
        raise InvalidInput(f"a clip needs 0 <= start < end, not {start:g}..{end:g}")
    if start >= duration:
        raise InvalidInput(f"the clip starts at {start:g} s, past the video's end ({duration:.1f} s)")
    if not 0 <= pad <= 30:
        raise InvalidInput("--pad must be between 0 and 30 seconds")
    words = tr.words if tr else []
    start, end = snap(words, start, min(end, duration), how)
    start, end = snap(words, max(start - pad, 0.0), min(end + pad, duration), how)
    return Clip(tr.video_id if tr else "", round(start, 3), round(min(end, duration), 3), label[:200], origin)


class ReelOps:
    store: Store
    settings: Settings
    resolve_id: Callable[[str], str]
    chapters: Callable[[str], list[Chapter]]
    _media_url: Callable[[Video, str | None], str | None]
    jobs: JobQueue

    # reels ------------------------------------------------------------------------------------------------------
    def new_reel(self, title: str) -> Reel:
        title = title.strip()
        if not title or len(title) > 200:
            raise InvalidInput("a reel needs a title of 1 to 200 characters")
        rid = "reel:" + uuid.uuid4().hex[:10]
        now = time.time()
        with self.store.tx() as conn:
            conn.execute(reels.insert().values(id=rid, title=title, created_at=now, updated_at=now))
        return Reel(rid, title)

    def reels(self) -> list[Reel]:
        with self.store.tx() as conn:
            ids = conn.execute(sa.select(reels.c.id).order_by(reels.c.created_at)).scalars().all()
        return [self.reel(i) for i in ids]

    def reel(self, ref: str) -> Reel:
        with self.store.tx() as conn:
            rows = conn.execute(sa.select(reels.c.id, reels.c.title)).all()
            match = [r for r in rows if r.id == ref] or [r for r in rows if r.id.startswith(ref) or
                                                          r.id[5:].startswith(ref) or r.title == ref]
            if len(match) != 1:
                raise NotFound(f"no reel {ref!r} (see `clipindex reel list`)") if not match else InvalidInput(
                    f"{ref!r} matches {len(match)} reels: give more of the id")
            clips = conn.execute(sa.select(reel_clips).where(reel_clips.c.reel_id == match[0].id)
                                 .order_by(reel_clips.c.position)).mappings().all()
        return Reel(match[0].id, match[0].title, tuple(
            Clip(c["video_id"], c["start"], c["end"], c["label"], c["origin"]) for c in clips))

    def delete_reel(self, ref: str) -> str:
        rid = self.reel(ref).id
        with self.store.tx() as conn:
            conn.execute(reel_clips.delete().where(reel_clips.c.reel_id == rid))
            conn.execute(reels.delete().where(reels.c.id == rid))
        return rid

    def _save(self, reel: Reel, clips: list[Clip]) -> Reel:
        with self.store.tx() as conn:
            conn.execute(reel_clips.delete().where(reel_clips.c.reel_id == reel.id))
            if clips:
                conn.execute(reel_clips.insert(), [
                    {"reel_id": reel.id, "position": i, "video_id": c.video_id, "start": c.start, "end": c.end,
                     "label": c.label, "origin": c.origin} for i, c in enumerate(clips, 1)])
            conn.execute(reels.update().where(reels.c.id == reel.id).values(updated_at=time.time()))
        return self.reel(reel.id)

    # clips ------------------------------------------------------------------------------------------------------
    def add_range(self, ref: str, video: str, start: float, end: float, *, pad: float = 0.0, snap_to: str = "word",
                  label: str = "", origin: str = "range") -> Reel:
        reel = self.reel(ref)
        video_id = self.resolve_id(video)
        v = self.store.get_video(video_id)
        tr = self.store.get_transcript(video_id)
        duration = v.duration or (tr.words[-1].end if tr and tr.words else 0.0)
        clip = make_clip(tr, duration, start, end, pad=pad, how=snap_to, label=label or v.title, origin=origin)
        clip = Clip(video_id, clip.start, clip.end, clip.label, clip.origin)
        return self._save(reel, [*reel.clips, clip])

    def add_hit(self, ref: str, hit: dict[str, Any], *, pad: float = 0.5, snap_to: str = "word") -> Reel:
        try:
            video, start, end = str(hit["video_id"]), float(hit["start"]), float(hit["end"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("a hit needs video_id, start and end (as `clipindex search --json` prints)") from None
        return self.add_range(ref, video, start, end, pad=pad, snap_to=snap_to, label=str(hit.get("text", ""))[:200],
                              origin="hit")

    def add_chapter(self, ref: str, video: str, number: int, *, pad: float = 0.0) -> Reel:
        shown = pipeline.display_chapters(self.store, self.resolve_id(video))
        if not 1 <= number <= len(shown):
            raise InvalidInput(f"chapter {number} does not exist: the video has {len(shown)} (numbered from 1)")
        c = shown[number - 1]
        return self.add_range(ref, video, c.start, c.end, pad=pad, snap_to="sentence", label=c.title,
                              origin="chapter")

    def move_clip(self, ref: str, position: int, to: int) -> Reel:
        reel = self.reel(ref)
        clips = list(reel.clips)
        if not (1 <= position <= len(clips) and 1 <= to <= len(clips)):
            raise InvalidInput(f"positions run from 1 to {len(clips)}")
        clips.insert(to - 1, clips.pop(position - 1))
        return self._save(reel, clips)

    def remove_clip(self, ref: str, position: int) -> Reel:
        reel = self.reel(ref)
        if not 1 <= position <= len(reel.clips):
            raise InvalidInput(f"no clip {position}: the reel has {len(reel.clips)}")
        return self._save(reel, [c for i, c in enumerate(reel.clips, 1) if i != position])

    # render and export ------------------------------------------------------------------------------------------
    def render_reel(self, ref: str, out: Path, *, allowed_dir: Path, fast: bool = False, captions: str = "none",
                    titles: bool = False, progress: Callable[[float], None] | None = None) -> RenderResult:
        from media.render import ClipSource, RenderOptions
        from media.render import render_reel as render

        reel = self._nonempty(ref)
        sources = [ClipSource(self._video_file(c.video_id), c.start, c.end, c.label,
                              title=(c.label or None) if titles else None, cues=self._cues(c.video_id))
                   for c in reel.clips]
        return render(sources, out, RenderOptions(fast=fast, captions=captions),  # type: ignore[arg-type]
                      progress, allowed_dir=allowed_dir)

    def render_dir(self) -> Path:
        folder = self.settings.data_dir / "renders"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def submit_render(self, ref: str, *, fast: bool = False, captions: str = "none") -> Any:
        """Queue a render (HTTP): the MP4 goes to the data directory's renders/ folder."""
        reel = self._nonempty(ref)
        if captions not in ("burn", "sidecar", "none"):
            raise InvalidInput("captions must be burn, sidecar or none")
        return self.jobs.submit("render", {"reel": reel.id, "fast": fast, "captions": captions})

    def run_render_job(self, payload: dict[str, Any], progress: Callable[[float], None]) -> dict[str, Any]:
        name = f"{payload['reel'].replace(':', '-')}-{uuid.uuid4().hex[:8]}.mp4"
        result = self.render_reel(payload["reel"], self.render_dir() / name, allowed_dir=self.render_dir(),
                                  fast=bool(payload.get("fast")), captions=str(payload.get("captions", "none")),
                                  progress=progress)
        files = [result.path.name, *(p.name for p in result.sidecars)]
        return {"file": f"/v1/renders/{result.path.name}", "files": files, "duration": result.duration,
                "mode": result.mode, "warnings": list(result.warnings)}

    def export_reel(self, ref: str, fmt: str) -> str:
        from media.ffmpeg import probe
        from media.timeline import TimelineClip, export_reel

        if fmt not in EXPORTS:
            raise InvalidInput(f"unknown format {fmt!r}: choose one of {', '.join(EXPORTS)}")
        reel = self._nonempty(ref)
        clips = []
        for c in reel.clips:
            video = self.store.get_video(c.video_id)
            media = self._local_media(video)
            info = probe(media) if media and media.is_file() else None
            link = deeplinks.watch_links(video, c.start, c.end, self._media_url(video, None)).get("watch", "")
            clips.append(TimelineClip(media or Path(video.id.replace(":", "_")), c.start, c.end,
                                      (info.fps if info and info.fps else 25.0), c.label, video.id, link,
                                      video.duration, self._cues(c.video_id)))
        return export_reel(clips, fmt, reel.title)  # type: ignore[arg-type]

    def _nonempty(self, ref: str) -> Reel:
        reel = self.reel(ref)
        if not reel.clips:
            raise InvalidInput(f"reel {reel.id} has no clips: add some with `clipindex reel add`")
        return reel

    def _cues(self, video_id: str) -> tuple[Any, ...]:
        from media.captions import Cue

        tr = self.store.get_transcript(video_id)
        return tuple(Cue(s.start, s.end, s.text) for s in tr.segments if s.text.strip()) if tr else ()

    def _local_media(self, video: Video) -> Path | None:
        return (self.settings.data_dir / video.media_path).resolve() if video.media_path else None

    def _video_file(self, video_id: str) -> Path:
        """The video's media with its video stream; YouTube sources are fetched on demand and cached."""
        video = self.store.get_video(video_id)
        media = self._local_media(video)
        if video.has_video and media and media.is_file():
            return media
        if video.url and video.id.startswith("yt:"):
            from media import sources

            cache = pipeline.work_dir(self.settings, video_id) / "video"
            cached = [p for p in cache.glob("media.*") if len(p.suffixes) == 1] if cache.is_dir() else []
            if cached:
                return cached[0]
            ytdl = getattr(self, "ytdl", None) or sources.YtdlOptions()
            return sources.download_media(video.url, cache, ytdl, True, None)
        if media and media.is_file():
            return media  # rendering reports that it has no video stream
        raise NotFound(f"video {video_id} has no media file to cut clips from")
