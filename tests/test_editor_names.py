"""Names in an editor's timeline: a clip's label and a source's file name as an EDL, FCPXML or OTIO file carries
them, and the reel names an EDL's events are conformed by."""

from __future__ import annotations

import json
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import opentimelineio as otio
import pytest

from indexer.reels.clips import make_clip
from media.ffmpeg import ffmpeg_binary, probe
from media.timeline import TimelineClip, export_reel

HOSTILE = "Mayor: \"we stay\"\u0007 end\u0000 \u001b[31mred\u001b[0m\ufffe"


def _controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"]


def test_control_characters_in_labels_and_file_names_leave_every_export_readable(tmp_path: Path) -> None:
    odd = tmp_path / "ctl\u001b[1mname\u0007.mp4"
    clips = [TimelineClip(odd, 1.0, 3.0, 25.0, HOSTILE, media_duration=20.0),
             TimelineClip(tmp_path / "plain.mp4", 2.0, 4.0, 25.0, "Plain", media_duration=20.0)]
    fcpxml = export_reel(clips, "fcpxml", title="Desk\u0000reel")
    root = ET.fromstring(fcpxml.split("\n\n", 1)[1])  # it failed: "not well-formed (invalid token)"
    names = [e.get("name") or "" for e in root.iter("asset-clip")]
    assert names == ['Mayor: "we stay" end [31mred [0m', "Plain"]
    assert not any(_controls(e.get("name") or "") for e in root.iter())
    edl = export_reel(clips, "edl", rate=25.0)
    assert not _controls(edl)
    assert '* FROM CLIP NAME:  Mayor: "we stay" end [31mred [0m' in edl.splitlines()
    back = list(otio.adapters.read_from_string(export_reel(clips, "otio"), "otio_json").find_clips())
    assert [c.name for c in back] == ['Mayor: "we stay" end [31mred [0m', "Plain"]


def test_a_clip_is_stored_with_a_label_of_one_printable_line() -> None:
    clip = make_clip(None, 30.0, 1.0, 2.0, how="none", label=HOSTILE + "\nsecond line", video_id="file:x")
    assert clip.label == 'Mayor: "we stay" end [31mred [0m second line'


def test_each_source_file_gets_a_reel_name_of_its_own(tmp_path: Path) -> None:
    """Conformed by reel name and timecode, two files whose names share their first 8 letters were one tape."""
    a, b, c = (tmp_path / f"report_2024_{x}.mp4" for x in "abc")
    clips = [TimelineClip(a, 2.0, 4.0, 25.0, "first"), TimelineClip(b, 6.0, 8.0, 25.0, "second"),
             TimelineClip(a, 9.0, 10.0, 25.0, "first again"), TimelineClip(c, 1.0, 2.0, 25.0, "third")]
    events = [line.split()[1] for line in export_reel(clips, "edl", rate=25.0).splitlines()
              if line[:3].isdigit()]
    assert events[0] == events[2] == "report20"  # one file, one reel
    assert len({events[0], events[1], events[3]}) == 3 and all(len(e) <= 8 and e.isalnum() for e in events)
    back = otio.adapters.read_from_string(export_reel(clips, "edl", rate=25.0), "cmx_3600", rate=25.0)
    assert [c.media_reference.target_url for c in back.find_clips()] == [p.as_uri() for p in (a, b, a, c)]


@pytest.mark.parametrize("name", ["x.mp4", "___.mp4"])
def test_a_file_name_without_letters_still_names_a_reel(tmp_path: Path, name: str) -> None:
    clips = [TimelineClip(tmp_path / name, 0.0, 1.0, 25.0), TimelineClip(tmp_path / f"2{name}", 0.0, 1.0, 25.0)]
    events = [line.split()[1] for line in export_reel(clips, "edl", rate=25.0).splitlines() if line[:3].isdigit()]
    assert len(set(events)) == 2 and all(e.isalnum() for e in events)


def test_exports_count_in_points_on_the_media_s_own_timecode(tmp_path: Path) -> None:
    """A camera file that starts at 10:00:00:00: the EDL said 00:00:01:00 and the FCPXML started the file at 0s, so
    a conform by timecode found no media there (or other frames)."""
    plain = tmp_path / "plain.mp4"
    subprocess.run([ffmpeg_binary(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=4", "-c:v",
                    "libx264", "-preset", "ultrafast", str(plain)], check=True)
    camera = tmp_path / "camera.mp4"
    subprocess.run([ffmpeg_binary(), "-v", "error", "-i", str(plain), "-c", "copy", "-timecode", "10:00:00:00",
                    str(camera)], check=True)
    assert probe(camera).timecode == "10:00:00:00" and probe(plain).timecode is None
    clips = [TimelineClip(camera, 1.0, 3.0, 25.0, "cam", media_duration=4.0, start_timecode=probe(camera).timecode),
             TimelineClip(plain, 1.0, 2.0, 25.0, "plain", media_duration=4.0)]
    events = [line.split() for line in export_reel(clips, "edl", rate=25.0).splitlines() if line[:3].isdigit()]
    assert [e[4:8] for e in events] == [["10:00:01:00", "10:00:03:00", "00:00:00:00", "00:00:02:00"],
                                        ["00:00:01:00", "00:00:02:00", "00:00:02:00", "00:00:03:00"]]
    root = ET.fromstring(export_reel(clips, "fcpxml").split("\n\n", 1)[1])
    assert [a.get("start") for a in root.iter("asset")] == ["36000s", "0s"]
    assert [c.get("start") for c in root.iter("asset-clip")] == ["36001s", "1s"]
    back = list(otio.adapters.read_from_string(export_reel(clips, "otio"), "otio_json").find_clips())
    assert back[0].source_range.start_time.to_timecode() == "10:00:01:00"
    manifest = json.loads(export_reel(clips, "json"))
    assert [c["in_timecode"] for c in manifest["clips"]] == ["10:00:01:00", "00:00:01:00"]


def test_events_take_the_sound_of_sources_that_have_it(tmp_path: Path) -> None:
    """Every EDL event was picture only (V) and the OTIO timeline had one video track: a conform had no sound."""
    clips = [TimelineClip(tmp_path / "talk.mp4", 1.0, 3.0, 25.0, "talk", has_audio=True),
             TimelineClip(tmp_path / "broll.mp4", 0.0, 2.0, 25.0, "b-roll")]
    edl = export_reel(clips, "edl", rate=25.0)
    assert [line.split()[2] for line in edl.splitlines() if line[:3].isdigit()] == ["AA/V", "V"]
    read = otio.adapters.read_from_string(edl, "cmx_3600", rate=25.0)
    assert [[c.name for c in t.find_clips()] for t in read.tracks] == [["talk", "b-roll"], ["talk"], ["talk"]]
    timeline = otio.adapters.read_from_string(export_reel(clips, "otio"), "otio_json")
    assert [(t.kind, [type(c).__name__ for c in t]) for t in timeline.tracks] == [
        ("Video", ["Clip", "Clip"]), ("Audio", ["Clip", "Gap"])]
    assert timeline.tracks[1].duration() == timeline.tracks[0].duration()  # the gap keeps the sound in step
