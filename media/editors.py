"""CMX3600 EDL and FCPXML written from whole frames, with our own timecode (`media.timecode`).

Why not OpenTimelineIO's writers: its EDL writer counts through OTIO's timecode, which refuses 10, 12.5 and 15 fps
(and anything variable), and cannot say that a list was conformed; its FCPXML writer leaves `frameDuration` empty
for any rate outside eight floats (10 fps, 12.5 fps, and NTSC rates given exactly) and turns 23.976 into 4000/999 s.
Both formats are still read back through OpenTimelineIO's readers in the tests, and the XML is built with
ElementTree, so names are escaped by the library, never by hand.

EDL: one rate for the whole list (`EditList.rate`), `FCM: DROP FRAME` at 29.97 and 59.94; each event names its
clip and file in `* FROM CLIP NAME:` / `* FROM CLIP:` comments (what Avid and OTIO read) and, when its source was
conformed to the list's rate, a `* CONFORM:` comment that says from what.
FCPXML 1.8: a format per rate (frameDuration exact: `1001/30000s`), an asset per source file, and the clips on a
sequence at the list's rate; each clip's in point and length are whole frames of its own rate.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from media.timecode import FrameRate, TimecodeError, reel_frames, to_timecode, xml_time


@dataclass(frozen=True)
class EditClip:
    """One clip for an editor: its source file and, in frames of its source rate, where it is cut."""

    name: str  # one line
    url: str  # file:// URL of the source media
    file_name: str
    rate: FrameRate
    first: int  # in point, frames at `rate`
    last: int  # out point (exclusive)
    whole: int  # frames in the whole media
    width: int | None = None
    height: int | None = None
    origin: Fraction = Fraction(0)  # seconds: the media's own timecode at its first frame
    has_audio: bool = False  # the event takes the source's sound too (channels A1, A2 and V)


@dataclass(frozen=True)
class EditList:
    title: str
    rate: FrameRate  # the EDL's rate and the FCPXML sequence's
    clips: tuple[EditClip, ...]


def one_line(text: str) -> str:
    """A name for an EDL comment or an XML attribute: one line, without control characters (a NUL or an ESC in a
    clip label or a file name made the FCPXML unreadable XML and put raw bytes in the EDL) or the code points XML
    cannot hold."""
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff" else c for c in text)
    return " ".join(kept.split())


def write_edl(edits: EditList) -> str:
    rate = edits.rate
    lines = [f"TITLE: {edits.title}", f"FCM: {'DROP FRAME' if rate.drop_frame else 'NON-DROP FRAME'}", ""]
    record = 0
    reels = reel_names(edits.clips)
    for number, clip in enumerate(edits.clips, 1):
        first = rate.frame(clip.rate.seconds(clip.first) + clip.origin)
        last = first + reel_frames(clip.rate, clip.last - clip.first, rate)  # as long as the render shows it
        times = [to_timecode(f, rate) for f in (first, last, record, record + last - first)]
        if any(int(t.split(":", 1)[0]) >= 24 for t in times):  # CMX3600 counts on a 24-hour clock
            raise TimecodeError(f"clip {number}: an EDL counts time on a 24-hour clock, and this clip is at "
                                f"{times[0]} of its source ({times[2]} of the reel): export it as OTIO or FCPXML, "
                                "which count on")
        channels = "AA/V" if clip.has_audio else "V"  # a conform of picture-only events had no sound
        lines.append(f"{number:03d}  {reels[clip.url]:<8} {channels:<5} C        {' '.join(times)}")
        lines += [f"* FROM CLIP NAME:  {clip.name}", f"* FROM CLIP: {clip.url}"]
        if note := conform_note(clip.rate, rate):
            lines.append(f"* CONFORM: {note}")
        record += last - first
    return "\n".join(lines) + "\n"


def conform_note(source: FrameRate, target: FrameRate) -> str:
    """What a list at `target` does to a source at `source`, or "" when they agree."""
    if source.exact == target.exact:
        return ""
    ratio = target.exact / source.exact
    how = f"{ratio} frames per source frame" if ratio.denominator == 1 else "in and out points at its nearest frames"
    kind = "" if source.standard else ", a rate CMX3600 cannot express"
    return f"source at {source.label()}{kind}; timecode here at {target.label()}, {how}"


def reel_names(clips: Iterable[EditClip]) -> dict[str, str]:
    """An 8-character reel name for each source file, from its name (CMX3600 reels are short and alphanumeric), and
    distinct: an editor's system conforms by reel name and timecode, so "report_2024_a.mp4" and "report_2024_b.mp4",
    both "report20", linked both events to one file. A name another file took ends in a number instead."""
    names: dict[str, str] = {}  # source URL -> reel name
    for clip in clips:
        if clip.url in names:
            continue
        stem = re.sub(r"[^A-Za-z0-9]", "", clip.file_name)[:8] or "AX"
        name, n = stem, 1
        while name in names.values():
            n += 1
            name = f"{stem[:8 - len(str(n))]}{n}"
        names[clip.url] = name
    return names


def write_fcpxml(edits: EditList) -> str:
    root = ET.Element("fcpxml", version="1.8")
    resources = ET.SubElement(root, "resources")
    formats: dict[tuple[Fraction, int | None, int | None], str] = {}
    assets: dict[str, str] = {}

    def format_id(rate: FrameRate, width: int | None = None, height: int | None = None) -> str:
        key = (rate.exact, width, height)
        if key not in formats:
            formats[key] = f"r{len(formats) + len(assets) + 1}"
            attrib = {"id": formats[key], "frameDuration": xml_time(1 / rate.exact)}
            if width and height:
                attrib |= {"width": str(width), "height": str(height)}
            ET.SubElement(resources, "format", attrib)
        return formats[key]

    sequence_format = format_id(edits.rate)
    spine_items: list[dict[str, str]] = []
    offset = 0  # in sequence frames
    for clip in edits.clips:
        clip_format = format_id(clip.rate, clip.width, clip.height)
        if clip.url not in assets:
            assets[clip.url] = f"r{len(formats) + len(assets) + 1}"
            ET.SubElement(resources, "asset", id=assets[clip.url], name=clip.file_name, src=clip.url,
                          start=xml_time(clip.origin),
                          duration=xml_time(clip.rate.seconds(max(clip.whole, clip.last))), format=clip_format,
                          hasVideo="1", hasAudio="1")
        length = reel_frames(clip.rate, clip.last - clip.first, edits.rate)
        spine_items.append(dict(name=clip.name, ref=assets[clip.url], offset=xml_time(edits.rate.seconds(offset)),
                                start=xml_time(clip.rate.seconds(clip.first) + clip.origin),
                                duration=xml_time(edits.rate.seconds(length)), format=clip_format,
                                tcFormat=_tc_format(clip.rate)))
        offset += length
    event = ET.SubElement(ET.SubElement(root, "library"), "event", name=edits.title)
    sequence = ET.SubElement(ET.SubElement(event, "project", name=edits.title), "sequence", format=sequence_format,
                             duration=xml_time(edits.rate.seconds(offset)), tcStart="0s",
                             tcFormat=_tc_format(edits.rate))
    spine = ET.SubElement(sequence, "spine")
    for item in spine_items:
        ET.SubElement(spine, "asset-clip", item)
    ET.indent(root, space="    ")
    header = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n'
    return header + ET.tostring(root, encoding="unicode") + "\n"


def _tc_format(rate: FrameRate) -> str:
    return "DF" if rate.drop_frame else "NDF"
