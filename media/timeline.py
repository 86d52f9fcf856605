"""Reel timelines for editors and players: OTIO, CMX3600 EDL, FCPXML, SRT/WebVTT re-based onto the reel, a manifest.

A producer's reel is only a starting point: editors finish it in their own tool, so the exports reference the
original media (file URLs) and the source in/out points rather than the rendered MP4. The editor formats go through
OpenTimelineIO and its adapters (`otio-cmx3600-adapter`, `otio-fcpx-xml-adapter`) so we never hand-write EDL or XML;
opentimelineio is imported inside the functions that need it, which keeps `import media.timeline` cheap.

Frame rates: OTIO and FCPXML keep each clip at its own source rate. CMX3600 has a single rate per list, so the EDL
expresses every source timecode at the timeline rate (rounded to the nearest frame at that rate).

The reel timeline here holds only the clips, back to back. Title cards exist only in the rendered MP4; the renderer
writes its own sidecar captions that account for them.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from media.captions import CaptionWord, Cue, write_srt, write_vtt
from media.errors import MediaError

if TYPE_CHECKING:
    import opentimelineio as otio

ExportFormat = Literal["otio", "edl", "fcpxml", "srt", "vtt", "json"]
# suffix and media type of each export, for the CLI's file names and the API's downloads
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "otio": (".otio", "application/json"),
    "edl": (".edl", "text/plain"),
    "fcpxml": (".fcpxml", "application/xml"),
    "srt": (".srt", "application/x-subrip"),
    "vtt": (".vtt", "text/vtt"),
    "json": (".json", "application/json"),
}
MIN_CUE_S = 0.05  # a cue sliver left at a clip's edge would only flash on screen


class TimelineError(MediaError):
    """A reel that cannot be exported (no clips, a bad range or frame rate, an unknown format)."""


@dataclass(frozen=True)
class TimelineClip:
    media: Path  # the source media file the editor should link to
    start: float  # source in point, seconds from the start of the media
    end: float  # source out point
    fps: float  # the source's frame rate
    label: str = ""
    source: str = ""  # the source video as the user knows it (a video id or URL), for the manifest
    link: str = ""  # a watch link that opens the source at this clip
    media_duration: float | None = None  # the whole media's length, when known
    cues: tuple[Cue, ...] = ()  # captions of the source, in source time (any cues outside the range are dropped)


@dataclass(frozen=True)
class Placement:
    """Where a source range sits on the reel."""

    reel_start: float
    source_in: float
    source_out: float

    @property
    def reel_end(self) -> float:
        return self.reel_start + self.source_out - self.source_in


@dataclass(frozen=True)
class _Frames:
    rate: float
    first: int  # in point, in frames
    last: int  # out point (exclusive), in frames


def check_clips(clips: Sequence[TimelineClip]) -> None:
    if not clips:
        raise TimelineError("the reel has no clips")
    for i, clip in enumerate(clips, 1):
        if not (math.isfinite(clip.start) and math.isfinite(clip.end)) or clip.start < 0 or clip.end <= clip.start:
            raise TimelineError(f"clip {i}: empty or negative range {clip.start:.3f}-{clip.end:.3f} s")
        if not (math.isfinite(clip.fps) and clip.fps > 0):
            raise TimelineError(f"clip {i}: frame rate must be positive, got {clip.fps}")


def placements(clips: Sequence[TimelineClip]) -> list[Placement]:
    """The clips back to back on the reel, in order."""
    out: list[Placement] = []
    at = 0.0
    for clip in clips:
        out.append(Placement(at, clip.start, clip.end))
        at += clip.end - clip.start
    return out


def rebase_cues(spans: Sequence[Placement], cues_per_clip: Sequence[Iterable[Cue]]) -> list[Cue]:
    """Cues in source time, one list per clip, shifted onto the reel and cut to each clip's range."""
    out: list[Cue] = []
    for span, cues in zip(spans, cues_per_clip):
        for cue in sorted(cues, key=lambda c: c.start):
            moved = _rebase_cue(span, cue)
            if moved is not None:
                out.append(moved)
    return out


def _rebase_cue(span: Placement, cue: Cue) -> Cue | None:
    start, end = max(cue.start, span.source_in), min(cue.end, span.source_out)
    if end - start < MIN_CUE_S:
        return None
    shift = span.reel_start - span.source_in
    words = tuple(
        CaptionWord(max(w.start, start) + shift, min(w.end, end) + shift, w.text)
        for w in cue.words
        if w.end > start and w.start < end
    )
    return Cue(start + shift, end + shift, cue.text, words)


def reel_cues(clips: Sequence[TimelineClip]) -> list[Cue]:
    return rebase_cues(placements(clips), [c.cues for c in clips])


def timeline_rate(rates: Iterable[float]) -> float:
    """One frame rate for a reel: the sources' own when they agree, else 25 (all PAL-ish or slower) or 30."""
    distinct = {round(r, 3) for r in rates if r and r > 0}
    if len(distinct) == 1:
        return distinct.pop()
    return 25.0 if distinct and max(distinct) <= 25.5 else 30.0


def export_reel(
    clips: Sequence[TimelineClip], fmt: ExportFormat, title: str = "reel", rate: float | None = None
) -> str:
    """The reel in one export format, as text. `rate` is the EDL's timeline rate (default: `timeline_rate`)."""
    check_clips(clips)
    if fmt == "srt":
        return write_srt(reel_cues(clips))
    if fmt == "vtt":
        return write_vtt(reel_cues(clips))
    if fmt == "json":
        return json.dumps(manifest(clips, title), indent=2, ensure_ascii=False) + "\n"
    if fmt not in ("otio", "edl", "fcpxml"):
        raise TimelineError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    return _editor_export(clips, fmt, title, rate)


def _editor_export(clips: Sequence[TimelineClip], fmt: str, title: str, rate: float | None) -> str:
    import opentimelineio as otio  # deferred: OpenTimelineIO takes 0.15 s to import and loads its adapters' plugins

    if fmt == "otio":
        return str(otio.adapters.write_to_string(to_otio(clips, title), "otio_json"))
    if fmt == "edl":
        edl_rate = rate or timeline_rate(c.fps for c in clips)
        timeline = to_otio(clips, title, rate=edl_rate)
        return str(otio.adapters.write_to_string(timeline, "cmx_3600", rate=edl_rate))
    xml = str(otio.adapters.write_to_string(to_otio(clips, title), "fcpx_xml"))
    return _mark_audio(xml)


def to_otio(clips: Sequence[TimelineClip], title: str = "reel", rate: float | None = None) -> otio.schema.Timeline:
    """An OTIO timeline with one video track of the clips; each clip at its own rate unless `rate` forces one."""
    import opentimelineio as otio  # deferred, as everywhere here

    check_clips(clips)
    timeline = otio.schema.Timeline(name=_one_line(title) or "reel")
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for i, clip in enumerate(clips, 1):
        track.append(_otio_clip(i, clip, _frames(clip, rate or clip.fps)))
    return timeline


def _frames(clip: TimelineClip, rate: float) -> _Frames:
    first, last = round(clip.start * rate), round(clip.end * rate)
    return _Frames(rate, first, max(last, first + 1))


def _otio_clip(index: int, clip: TimelineClip, frames: _Frames) -> otio.schema.Clip:
    import opentimelineio as otio  # deferred, as everywhere here

    rt = otio.opentime.RationalTime
    whole = max(clip.media_duration or 0.0, clip.end)
    available = otio.opentime.TimeRange(rt(0, frames.rate), rt(round(whole * frames.rate), frames.rate))
    ref = otio.schema.ExternalReference(target_url=clip.media.resolve().as_uri(), available_range=available)
    used = otio.opentime.TimeRange(rt(frames.first, frames.rate), rt(frames.last - frames.first, frames.rate))
    metadata = {"clipindex": {"source": clip.source, "link": clip.link, "in": clip.start, "out": clip.end}}
    name = _one_line(clip.label) or f"clip {index}"
    return otio.schema.Clip(name=name, media_reference=ref, source_range=used, metadata=metadata)


def _mark_audio(xml: str) -> str:
    """The FCPX adapter marks a video-track asset as silent; our sources carry their sound, so say so."""
    header, sep, body = xml.partition("<fcpxml")
    root = ET.fromstring(sep + body)
    for asset in root.iter("asset"):
        asset.set("hasAudio", "1")
    return header + ET.tostring(root, encoding="unicode") + "\n"


def manifest(clips: Sequence[TimelineClip], title: str = "reel") -> dict[str, Any]:
    """Each clip's source video, in and out points (seconds and timecode) and watch link, plus its place on the reel."""
    check_clips(clips)
    spans = placements(clips)
    return {
        "title": title,
        "duration": round(spans[-1].reel_end, 3),
        "clips": [_manifest_entry(i, c, s) for i, (c, s) in enumerate(zip(clips, spans), 1)],
    }


def _manifest_entry(index: int, clip: TimelineClip, span: Placement) -> dict[str, Any]:
    return {
        "index": index,
        "label": clip.label,
        "source": clip.source or str(clip.media),
        "media": str(clip.media),
        "in": round(clip.start, 3),
        "out": round(clip.end, 3),
        "in_timecode": timecode(clip.start, clip.fps),
        "out_timecode": timecode(clip.end, clip.fps),
        "fps": clip.fps,
        "reel_start": round(span.reel_start, 3),
        "reel_end": round(span.reel_end, 3),
        "link": clip.link,
    }


def timecode(seconds: float, rate: float) -> str:
    """Non-drop-frame HH:MM:SS:FF at the nearest frame, counting frames at the rounded nominal rate (OTIO's)."""
    import opentimelineio as otio  # deferred, as everywhere here: OpenTimelineIO loads its adapters' plugins

    return str(otio.opentime.to_timecode(otio.opentime.RationalTime(round(seconds * rate), rate), rate, False))


def _one_line(text: str) -> str:
    # EDL comments and XML names are one line; a newline in a label would start a bogus EDL event
    return " ".join(text.split())
