"""Reel timelines for editors and players: OTIO, CMX3600 EDL, FCPXML, SRT/WebVTT re-based onto the reel, a manifest.

A producer's reel is only a starting point: editors finish it in their own tool, so the exports reference the
original media (file URLs) and the source in/out points rather than the rendered MP4. OTIO goes through
OpenTimelineIO (imported inside the functions that need it, which keeps `import media.timeline` cheap); the EDL and
FCPXML are written from whole frames by `media.editors`, with our own timecode (`media.timecode`).

Frame rates: every rate is exact (`media.timecode.frame_rate`: a probed 29.97 is 30000/1001). OTIO and FCPXML keep
each clip at its own source rate. CMX3600 has a single rate per list, from a short list: the EDL is at the sources'
rate when they agree and the list has it, else conformed (`edl_rate`: 10 fps -> 30, 12.5 -> 25, a variable-rate
average -> the nearest listed rate), and each conformed event says so in a `* CONFORM:` comment;
`export_warnings` gives the same news for the command line and the API.

The reel timeline here holds only the clips, back to back. Title cards exist only in the rendered MP4; the renderer
writes its own sidecar captions that account for them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from media.captions import CaptionWord, Cue, write_srt, write_ttml, write_vtt
from media.editors import EditClip, EditList, conform_note, one_line, write_edl, write_fcpxml
from media.errors import MediaError
from media.readable import join_words, spells
from media.timecode import (
    FrameRate,
    TimecodeError,
    edl_rate,
    frame_rate,
    from_timecode,
    reel_frames,
    timecode_rate,
    to_timecode,
)

if TYPE_CHECKING:
    import opentimelineio as otio

ExportFormat = Literal["otio", "edl", "fcpxml", "srt", "vtt", "ttml", "json"]
# suffix and media type of each export, for the CLI's file names and the API's downloads
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "otio": (".otio", "application/json"),
    "edl": (".edl", "text/plain"),
    "fcpxml": (".fcpxml", "application/xml"),
    "srt": (".srt", "application/x-subrip"),
    "vtt": (".vtt", "text/vtt"),
    "ttml": (".ttml", "application/ttml+xml"),
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
    width: int | None = None  # the picture's size, when known (FCPXML formats carry it)
    height: int | None = None
    start_timecode: str | None = None  # the media's own timecode at its first frame (a camera's 10:00:00:00)
    has_audio: bool = False  # its sound comes with it: EDL events A1/A2 and V, an OTIO audio track
    language: str | None = None  # its speech's language (ISO 639-1), for the captions a reel's export carries

    @property
    def origin(self) -> Fraction:
        """The media's first frame on its own timecode clock, in seconds: editors conform a source by its timecode,
        so every in point an export names is counted from there (0 for a file that carries none)."""
        if not self.start_timecode:
            return Fraction(0)
        rate = timecode_rate(frame_rate(self.fps))
        try:
            return rate.seconds(from_timecode(self.start_timecode, rate))
        except TimecodeError:  # a tag that does not count at the file's rate: counted from zero
            return Fraction(0)

    @property
    def media_url(self) -> str:
        """The URL an editor's timeline links the media by: the file's own where its path is absolute (this machine,
        or storage every machine mounts), else the name alone, relative to where the timeline is saved."""
        return self.media.resolve().as_uri() if self.media.is_absolute() else quote(self.media.as_posix())


@dataclass(frozen=True)
class Placement:
    """Where a source range sits on the reel."""

    reel_start: float
    source_in: float
    source_out: float

    @property
    def reel_end(self) -> float:
        return self.reel_start + self.source_out - self.source_in


def check_clips(clips: Sequence[TimelineClip]) -> None:
    if not clips:
        raise TimelineError("the reel has no clips")
    for i, clip in enumerate(clips, 1):
        if not (math.isfinite(clip.start) and math.isfinite(clip.end)) or clip.start < 0 or clip.end <= clip.start:
            raise TimelineError(f"clip {i}: empty or negative range {clip.start:.3f}-{clip.end:.3f} s")
        if not (math.isfinite(clip.fps) and clip.fps > 0):
            raise TimelineError(f"clip {i}: frame rate must be positive, got {clip.fps}")


FRAME_TOL_S = 1e-3  # container timestamps are rounded: a frame this close after a cut belongs to the clip


def source_frames(start: float, end: float, rate: FrameRate, whole: int | None = None) -> tuple[int, int]:
    """The clip's frames as both render modes show them and every export names them: from the first frame at or
    after `start` to the first at or after `end` (exclusive), on the source's frame grid; one frame at least, and
    none past the media's last (`whole` frames) when it is known. Exports rounded to the nearest frame, and an in
    point in the first half of a frame named the frame before the one the render began on."""
    first = math.ceil((Fraction(start) - Fraction(FRAME_TOL_S)) * rate.exact)
    last = math.ceil((Fraction(end) - Fraction(FRAME_TOL_S)) * rate.exact)
    if whole:
        first, last = min(first, whole - 1), min(last, whole)
    first = max(first, 0)
    return first, max(last, first + 1)


MAX_RENDER_FPS = 60  # a reel's picture rate at most (a source's own beyond it: 120 fps slow motion renders at 30)


def render_rate(rates: Iterable[float]) -> float:
    """The rendered reel's picture rate: the sources' own when they share one broadcast rate of at most 60 fps (a
    29.97, 23.976 or 50 fps reel stays so, every source frame shown once: 50 fps rendered at 30 dropped frames
    unevenly, and its clips' lengths parted from the exports' source frames), else 25 (every source at 25 fps or
    slower) or 30."""
    distinct = {frame_rate(r).exact for r in rates if r and r > 0}
    if len(distinct) == 1 and (rate := distinct.pop()) <= MAX_RENDER_FPS and FrameRate(rate).standard:
        return float(rate)
    return 25.0 if distinct and max(distinct) <= Fraction(51, 2) else 30.0


def reel_span(start: float, end: float, fps: float, reel_fps: float, whole: int | None = None) -> tuple[float, float]:
    """Where a clip of a source at `fps` starts (its first frame's time) and how long it lasts on a reel of
    `reel_fps`: its frames' length (`source_frames`), in whole frames of the reel, rounded as an editor's timeline
    rounds a conformed clip (`reel_frames`). Whole frames, so that picture and sound end together and the next clip
    starts where the picture says: lengths in exact seconds drifted a frame every few clips. On a reel of mixed rates
    the asked length was taken, up to a source frame shorter than what every export places, so the EDL, FCPXML and
    OTIO of a 31-clip reel ended half a second after its render."""
    rate = frame_rate(fps)
    first, last = source_frames(start, end, rate, whole)
    reel = frame_rate(reel_fps)
    return float(rate.seconds(first)), float(reel.seconds(reel_frames(rate, last - first, reel)))


def placements(clips: Sequence[TimelineClip]) -> list[Placement]:
    """The clips back to back on the reel, in order, each from its first frame for its frames' length (as rendered
    at the reel's default rate, `render_rate`)."""
    fps = render_rate(c.fps for c in clips)
    out: list[Placement] = []
    at = 0.0
    for clip in clips:
        first, span = reel_span(clip.start, clip.end, clip.fps, fps, _whole(clip, frame_rate(clip.fps)))
        out.append(Placement(at, first, first + span))
        at += span
    return out


def _shown(clip: TimelineClip) -> tuple[float, float]:
    """The time of the clip's first frame and its frames' length, in seconds."""
    rate = frame_rate(clip.fps)
    first, last = _frames(clip, rate)
    return float(rate.seconds(first)), float(rate.seconds(last - first))


def _whole(clip: TimelineClip, rate: FrameRate) -> int | None:
    """The media's frames, when its length is known."""
    return rate.frame(clip.media_duration) if clip.media_duration else None


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
    text = cue.text
    if cue.words and spells(cue.words, cue.text):
        # the words said in the clip: a clip that cuts a cue shows what it plays, not the cue's other words
        inside = [w for w in cue.words if start <= (w.start + w.end) / 2 <= end]
        if not inside:
            return None
        if len(inside) < len(cue.words):
            text = join_words(w.text for w in inside)
    else:  # words that do not spell the cue (a file timed some of them): its text as it is, the words it overlaps
        inside = [w for w in cue.words if w.end > start and w.start < end]
    words = tuple(CaptionWord(max(w.start, start) + shift, min(w.end, end) + shift, w.text, w.turn) for w in inside)
    turns = cue.turns if text == cue.text else ()  # a cue without timed words keeps its speakers' turns
    return Cue(start + shift, end + shift, text, words, until=span.reel_end, turns=turns)


def reel_cues(clips: Sequence[TimelineClip]) -> list[Cue]:
    """The clips' cues on the reel, each in its clip's language (a TTML export names it, and its direction, per
    paragraph: a reel may mix an Arabic clip with a Spanish one)."""
    return [replace(cue, language=clip.language) for span, clip in zip(placements(clips), clips)
            for cue in rebase_cues([span], [clip.cues])]


def reel_language(clips: Sequence[TimelineClip]) -> str | None:
    """The language of a reel's captions: its clips' when all that have captions agree; else None (the TTML's
    xml:lang is left empty rather than name one language for speech in several)."""
    spoken = {c.language for c in clips if c.cues}
    return spoken.pop() if len(spoken) == 1 else None


def timeline_rate(rates: Iterable[float]) -> float:
    """The EDL's rate for a reel (as a float, for OpenTimelineIO's reader): see `reel_rate`."""
    return float(reel_rate(rates).exact)


def reel_rate(rates: Iterable[float]) -> FrameRate:
    """One CMX3600 rate for a reel: the sources' own (conformed) when they agree, else 25 (all PAL-ish or slower)
    or 30."""
    distinct = {frame_rate(r).exact for r in rates if r and r > 0}
    if len(distinct) == 1:
        return edl_rate(FrameRate(distinct.pop()))
    return frame_rate(25 if distinct and max(distinct) <= 25.5 else 30)


def export_reel(
    clips: Sequence[TimelineClip], fmt: ExportFormat, title: str = "reel", rate: float | None = None
) -> str:
    """The reel in one export format, as text. `rate` is the EDL's timeline rate (default: `reel_rate`)."""
    check_clips(clips)
    if fmt == "srt":
        return write_srt(reel_cues(clips))
    if fmt == "vtt":
        return write_vtt(reel_cues(clips))
    if fmt == "ttml":
        return write_ttml(reel_cues(clips), reel_language(clips))
    if fmt == "json":
        return json.dumps(manifest(clips, title), indent=2, ensure_ascii=False) + "\n"
    if fmt == "otio":
        import opentimelineio as otio  # deferred: OpenTimelineIO takes 0.15 s to import and loads adapter plugins

        return str(otio.adapters.write_to_string(to_otio(clips, title), "otio_json"))
    if fmt == "edl":
        try:
            return write_edl(edit_list(clips, title, rate))
        except TimecodeError as exc:
            raise TimelineError(str(exc)) from None
    if fmt == "fcpxml":
        return write_fcpxml(edit_list(clips, title, rate))
    raise TimelineError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")


def export_warnings(clips: Sequence[TimelineClip], fmt: str, rate: float | None = None) -> tuple[str, ...]:
    """What an export changed that its reader should know: EDL events conformed to the list's one rate."""
    if fmt != "edl" or not clips:
        return ()
    target = frame_rate(rate) if rate else reel_rate(c.fps for c in clips)
    by_rate: dict[FrameRate, list[int]] = {}
    for i, clip in enumerate(clips, 1):
        by_rate.setdefault(frame_rate(clip.fps), []).append(i)
    return tuple(f"EDL clip{'s' if len(nums) > 1 else ''} {', '.join(map(str, nums))}: {note}"
                 for source, nums in by_rate.items() if (note := conform_note(source, target)))


def edit_list(clips: Sequence[TimelineClip], title: str = "reel", rate: float | None = None) -> EditList:
    """The reel in whole frames of each source's exact rate, for the EDL and FCPXML writers."""
    check_clips(clips)
    target = frame_rate(rate) if rate else reel_rate(c.fps for c in clips)
    return EditList(one_line(title) or "reel", target, tuple(_edit_clip(i, c) for i, c in enumerate(clips, 1)))


def _edit_clip(index: int, clip: TimelineClip) -> EditClip:
    rate = frame_rate(clip.fps)
    first, last = _frames(clip, rate)
    whole = rate.frame(max(clip.media_duration or 0.0, clip.end))
    return EditClip(one_line(clip.label) or f"clip {index}", clip.media_url, one_line(clip.media.name), rate,
                    first, last, whole, clip.width, clip.height, clip.origin, clip.has_audio)


def to_otio(clips: Sequence[TimelineClip], title: str = "reel") -> otio.schema.Timeline:
    """An OTIO timeline with a video track of the clips, each from its own exact rate's frames (a reel of mixed rates
    counts their lengths in the reel's frames, as the render places them), and an audio track of their
    sound where any has sound (a gap under a silent one): a conform without it had no sound."""
    import opentimelineio as otio  # deferred, as everywhere here

    check_clips(clips)
    # sources of several rates share the reel's (the render's and the EDL's); one source rate keeps its own frames
    mixed = len({frame_rate(c.fps) for c in clips}) > 1
    reel = frame_rate(render_rate(c.fps for c in clips)) if mixed else None
    timeline = otio.schema.Timeline(name=one_line(title) or "reel")
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for i, clip in enumerate(clips, 1):
        track.append(_otio_clip(i, clip, reel))
    if any(c.has_audio for c in clips):
        sound = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
        timeline.tracks.append(sound)
        for i, (clip, picture) in enumerate(zip(clips, track), 1):
            sound.append(_otio_clip(i, clip, reel) if clip.has_audio else otio.schema.Gap(
                source_range=picture.source_range))
    return timeline


def _frames(clip: TimelineClip, rate: FrameRate) -> tuple[int, int]:
    return source_frames(clip.start, clip.end, rate, _whole(clip, rate))


def _otio_clip(index: int, clip: TimelineClip, reel: FrameRate | None) -> otio.schema.Clip:
    """The clip from its first frame at its own rate, for its frames' length, or for as long as it lasts on a reel
    of mixed rates at `reel` (the render's rate): there the timeline places each clip where the render does."""
    import opentimelineio as otio  # deferred, as everywhere here

    exact = frame_rate(clip.fps)
    rate = float(exact.exact)
    first, last = _frames(clip, exact)
    rt = otio.opentime.RationalTime
    whole = exact.frame(max(clip.media_duration or 0.0, clip.end))
    origin = exact.frame(clip.origin)  # the media's own timecode, as the EDL and FCPXML count
    available = otio.opentime.TimeRange(rt(origin, rate), rt(whole, rate))
    ref = otio.schema.ExternalReference(target_url=clip.media_url, available_range=available)
    length = rt(last - first, rate) if reel is None else rt(reel_frames(exact, last - first, reel), float(reel.exact))
    used = otio.opentime.TimeRange(rt(origin + first, rate), length)
    metadata = {"clipindex": {"source": clip.source, "link": clip.link, "in": clip.start, "out": clip.end}}
    name = one_line(clip.label) or f"clip {index}"
    return otio.schema.Clip(name=name, media_reference=ref, source_range=used, metadata=metadata)


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
    shown = _shown(clip)
    return {
        "index": index,
        "label": clip.label,
        "source": clip.source or str(clip.media),
        "media": str(clip.media),
        "in": round(clip.start, 3),
        "out": round(clip.end, 3),
        "in_timecode": timecode(shown[0] + float(clip.origin), clip.fps),  # the frames the EDL names, alike
        "out_timecode": timecode(shown[0] + shown[1] + float(clip.origin), clip.fps),
        "fps": clip.fps,
        "rate": _fraction(frame_rate(clip.fps).exact),
        "timecode_rate": _fraction(timecode_rate(frame_rate(clip.fps)).exact),
        "drop_frame": timecode_rate(frame_rate(clip.fps)).drop_frame,
        "reel_start": round(span.reel_start, 3),
        "reel_end": round(span.reel_end, 3),
        "link": clip.link,
    }


def timecode(seconds: float, fps: float) -> str:
    """HH:MM:SS:FF at the nearest frame; drop-frame at 29.97 and 59.94; rates timecode cannot count (12.5 fps,
    variable) are counted at their EDL rate (`timecode_rate`)."""
    rate = timecode_rate(frame_rate(fps))
    return to_timecode(rate.frame(seconds), rate)


def _fraction(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


