"""Reels at every frame rate a newsroom meets: our own timecode, exports read back by OpenTimelineIO, and real
ffmpeg-made sources at 10 fps and 29.97 fps exported from the command line and over HTTP."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import httpx
import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from api.cli import app
from indexer.config import Settings
from indexer.errors import NotFound
from indexer.service import Clipindex, IngestOptions
from media.timecode import TimecodeError, edl_rate, frame_rate, from_timecode, to_timecode
from media.timeline import (
    TimelineClip,
    TimelineError,
    export_reel,
    export_warnings,
    render_rate,
    source_frames,
    timeline_rate,
)
from tests.apiserver import running
from tests.conftest import ffmpeg

RATES = {"10": 10.0, "12.5": 12.5, "15": 15.0, "23.976": 23.976, "24": 24.0, "25": 25.0, "29.97": 29.97,
         "30": 30.0, "50": 50.0, "59.94": 59.94, "60": 60.0, "variable (27.43 average)": 27.43}
ADAPTERS = {"otio": "otio_json", "edl": "cmx_3600", "fcpxml": "fcpx_xml"}


@pytest.mark.parametrize("frame, text", [(0, "00:00:00;00"), (1799, "00:00:59;29"), (1800, "00:01:00;02"),
                                         (17981, "00:09:59;29"), (17982, "00:10:00;00"), (17983, "00:10:00;01"),
                                         (107892, "01:00:00;00"), (3597, "00:01:59;29"), (3598, "00:02:00;02")])
def test_drop_frame_timecode_at_29_97(frame: int, text: str) -> None:
    rate = frame_rate(29.97)
    assert to_timecode(frame, rate) == text
    assert from_timecode(text, rate) == frame


def test_drop_frame_at_59_94_and_non_drop_elsewhere() -> None:
    ntsc60 = frame_rate(59.94)
    assert [to_timecode(n, ntsc60) for n in (3599, 3600, 35964)] == ["00:00:59;59", "00:01:00;04", "00:10:00;00"]
    assert to_timecode(86313, frame_rate(23.976)) == "00:59:56:09"  # 23.976 has no drop-frame: the clock runs slow
    assert to_timecode(90000, frame_rate(25)) == "01:00:00:00"
    assert to_timecode(6005, frame_rate(10)) == "00:10:00:05"
    for rate in (frame_rate(r) for r in RATES.values() if frame_rate(r).standard):
        assert all(from_timecode(to_timecode(n, rate), rate) == n for n in range(0, 200_000, 997))
    with pytest.raises(TimecodeError, match="does not exist"):
        from_timecode("00:01:00;00", frame_rate(29.97))  # the labels drop-frame skips
    with pytest.raises(TimecodeError):
        from_timecode("00:00:00:30", frame_rate(30))


def test_rates_are_exact_and_conform_to_what_an_edl_can_say() -> None:
    assert frame_rate(29.97).exact == Fraction(30000, 1001) == frame_rate(29.97002997).exact
    assert frame_rate(23.976).exact == Fraction(24000, 1001) and frame_rate(12.5).exact == Fraction(25, 2)
    conformed = {name: edl_rate(frame_rate(r)).exact for name, r in RATES.items()}
    assert conformed == {"10": 30, "12.5": 25, "15": 30, "23.976": Fraction(24000, 1001), "24": 24, "25": 25,
                         "29.97": Fraction(30000, 1001), "30": 30, "50": 50, "59.94": Fraction(60000, 1001),
                         "60": 60, "variable (27.43 average)": Fraction(30000, 1001)}
    with pytest.raises(TimecodeError):
        frame_rate(0)


def on_frames(rate: float, first: int, last: int) -> tuple[float, float]:
    exact = frame_rate(rate).exact
    return float(first / exact), float(last / exact)


def clips_at(rate: float, media: Path) -> list[TimelineClip]:
    # points on whole frames of the rate, one of them past ten minutes (where drop-frame has skipped labels)
    return [TimelineClip(media, *on_frames(rate, 13, 47), rate, "first", media_duration=900.0),
            TimelineClip(media, *on_frames(rate, round(601.3 * rate), round(604.9 * rate)), rate, "second <&>")]


@pytest.mark.parametrize("fmt", ["otio", "edl", "fcpxml"])
@pytest.mark.parametrize("name", list(RATES))
def test_every_rate_exports_and_reads_back(name: str, fmt: str, tmp_path: Path) -> None:
    rate = RATES[name]
    clips = clips_at(rate, tmp_path / "source.mp4")
    text = export_reel(clips, fmt, title="Rates")  # type: ignore[arg-type]
    read_rate = timeline_rate([rate])
    back = list(otio.adapters.read_from_string(text, ADAPTERS[fmt], **({"rate": read_rate} if fmt == "edl" else {}))
                .find_clips())
    assert [c.name for c in back] == ["first", "second <&>"]
    for clip, read in zip(clips, back):
        assert read.media_reference.target_url == clip.media.resolve().as_uri()
        rng = read.source_range
        # OTIO's FCPXML reader counts at int(rate) and truncates start and length: up to two of its frames off
        slack = (2.0 if fmt == "fcpxml" else 0.5) / rng.start_time.rate + 1e-6
        assert rng.start_time.to_seconds() == pytest.approx(clip.start, abs=slack)
        assert rng.end_time_exclusive().to_seconds() == pytest.approx(clip.end, abs=slack)
    if fmt == "fcpxml":
        assert_exact_fcpxml(text, clips)
    if fmt == "edl":
        assert_edl_says_its_rate(text, clips, name)


def assert_exact_fcpxml(text: str, clips: list[TimelineClip]) -> None:
    root = ET.fromstring(text.split("\n", 3)[3])
    rate = frame_rate(clips[0].fps).exact
    durations = {f.get("frameDuration") for f in root.iter("format")}
    assert f"{(1 / rate).numerator}/{(1 / rate).denominator}s" in durations or f"{1 / rate}s" in durations
    for clip, item in zip(clips, root.iter("asset-clip")):
        start = item.get("start", "0s").removesuffix("s").split("/")
        assert Fraction(int(start[0]), int(start[1]) if len(start) > 1 else 1) == frame_rate(clip.fps).frame(
            clip.start) / rate


def assert_edl_says_its_rate(text: str, clips: list[TimelineClip], name: str) -> None:
    source = frame_rate(clips[0].fps)
    target = edl_rate(source)
    assert ("FCM: DROP FRAME" in text) == target.drop_frame
    events = [line.split() for line in text.splitlines() if re.match(r"^\d{3} ", line)]
    first = target.frame(clips[1].start)
    assert events[1][4] == to_timecode(first, target), "the source timecode is ours, at the list's rate"
    conformed = [line for line in text.splitlines() if line.startswith("* CONFORM:")]
    assert len(conformed) == (0 if source == target else 2)
    warnings = export_warnings(clips, "edl")
    assert bool(warnings) == (source != target)
    if name in ("10", "12.5", "15") or name.startswith("variable"):
        assert warnings and target.label() in warnings[0] and source.label() in warnings[0]


def assert_timelines_end_where_rendered(clips: list[TimelineClip], ends: list[float]) -> None:
    """The FCPXML sequence lasts as long as the render, and each OTIO clip ends where the render's does."""
    root = ET.fromstring(export_reel(clips, "fcpxml").split("\n", 3)[3])
    [sequence] = root.iter("sequence")
    assert float(Fraction(sequence.get("duration", "").removesuffix("s"))) == pytest.approx(ends[-1], abs=1e-3)
    timeline = otio.adapters.read_from_string(export_reel(clips, "otio"), "otio_json")
    assert [timeline.tracks[0].range_of_child_at_index(k).end_time_exclusive().to_seconds()
            for k in range(len(clips))] == pytest.approx(ends, abs=1e-3)


def test_a_reel_of_mixed_rates_is_as_long_in_every_export_as_in_its_render(tmp_path: Path) -> None:
    """31 clips at 29.97 fps and one at 25 (a 30 fps reel), each out point inside a source frame: the render (and
    the manifest and captions placed as it is) took each clip's asked length, the EDL, FCPXML and OTIO its source
    frames' length, so the exports ended half a second after the render. Every one now places each clip where the
    render does, and the reel is as long in each."""
    media = tmp_path / "source.mp4"
    clips = [TimelineClip(media, round(k * 0.37 % 10.5, 2), round(k * 0.37 % 10.5 + 0.6 + k % 3 * 0.2, 2), 29.97,
                          f"clip {k}", media_duration=12.0) for k in range(31)]
    clips.append(TimelineClip(media, 0.0, 2.01, 25.0, "other", media_duration=12.0))
    rendered = json.loads(export_reel(clips, "json"))
    ends = [c["reel_end"] for c in rendered["clips"]]
    assert rendered["duration"] == pytest.approx(round(rendered["duration"] * 30) / 30, abs=1e-3), "whole frames"
    edl = [line.split() for line in export_reel(clips, "edl").splitlines() if re.match(r"^\d{3} ", line)]
    assert [from_timecode(e[-1], frame_rate(30)) / 30 for e in edl] == pytest.approx(ends, abs=1e-3)
    assert all(from_timecode(e[-3], frame_rate(30)) - from_timecode(e[-4], frame_rate(30))
               == from_timecode(e[-1], frame_rate(30)) - from_timecode(e[-2], frame_rate(30)) for e in edl), \
        "each event's source and record lengths agree"
    assert_timelines_end_where_rendered(clips, ends)


@pytest.mark.parametrize("rate", [50.0, 59.94, 60.0])
def test_a_reel_of_one_rate_above_30_fps_keeps_it_in_its_render_and_every_export(rate: float, tmp_path: Path) -> None:
    """A reel of 50 or 59.94 fps sources rendered at 30 fps: frames dropped unevenly (judder), and each clip's
    length rounded to a 30 fps frame while the EDL, FCPXML and OTIO kept the source's frames, so the two drifted
    apart clip by clip. The render keeps a broadcast rate up to 60 fps now, and every export places each clip where
    it does: all of its source frames."""
    media = tmp_path / "source.mp4"
    clips = [TimelineClip(media, round(k * 0.37 % 10.5, 2), round(k * 0.37 % 10.5 + 0.6 + k % 3 * 0.2, 2), rate,
                          f"clip {k}", media_duration=12.0) for k in range(20)]
    exact = frame_rate(rate)
    assert render_rate(c.fps for c in clips) == pytest.approx(float(exact.exact))
    rendered = json.loads(export_reel(clips, "json"))
    ends = [c["reel_end"] for c in rendered["clips"]]
    frames = [source_frames(c.start, c.end, exact) for c in clips]
    whole = [sum(last - first for first, last in frames[:k + 1]) for k in range(len(frames))]
    assert ends == pytest.approx([float(n / exact.exact) for n in whole], abs=1e-3), "every source frame, once"
    edl = [line.split() for line in export_reel(clips, "edl").splitlines() if re.match(r"^\d{3} ", line)]
    assert [from_timecode(e[-1], exact) for e in edl] == whole
    assert_timelines_end_where_rendered(clips, ends)


runner = CliRunner()


@pytest.mark.slow
def test_real_10_fps_and_29_97_sources_export_from_the_cli_and_http(settings: Settings, media_dir: Path) -> None:
    library = settings.data_dir / "library"
    library.mkdir(parents=True)
    for name, rate in (("cctv.mp4", "10"), ("ntsc.mp4", "30000/1001")):
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=320x240:r={rate}", "-i", str(media_dir / "speech_raw.wav"),
               "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(library / name))
    svc = Clipindex(settings)
    ids = {n: next(iter(svc.ingest(str(library / n), IngestOptions(title=n)))).video_id
           for n in ("cctv.mp4", "ntsc.mp4")}
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir)}
    reels = {}
    for name, expect_rate, expect_fcm in (("cctv.mp4", 30.0, "NON-DROP FRAME"),
                                          ("ntsc.mp4", 30000 / 1001, "DROP FRAME")):
        reel = reels[name] = svc.reels.new(name).id
        svc.reels.add_range(reel, ids[name], 0.5, 2.0, snap_to="none")
        edl = settings.data_dir / f"{name}.edl"
        result = runner.invoke(app, ["reel", "export", reel, "--format", "edl", "-o", str(edl)], env=env)
        assert result.exit_code == 0, result.stderr  # the old exporter: "SMPTE timecode does not support this rate"
        text = edl.read_text()
        assert f"FCM: {expect_fcm}" in text
        read = otio.adapters.read_from_file(str(edl), rate=expect_rate).find_clips()[0]
        assert read.source_range.start_time.to_seconds() == pytest.approx(0.5, abs=1 / expect_rate)
        assert read.source_range.end_time_exclusive().to_seconds() == pytest.approx(2.0, abs=1 / expect_rate)
        if name == "cctv.mp4":
            assert "* CONFORM: source at 10 fps" in text
            assert "warning: EDL clip 1: source at 10 fps" in result.stderr and "at 30 fps" in result.stderr
        else:
            assert "CONFORM" not in text and "warning" not in result.stderr
            fcpxml = runner.invoke(app, ["reel", "export", reel, "--format", "fcpxml"], env=env).stdout
            assert 'frameDuration="1001/30000s"' in fcpxml and 'tcFormat="DF"' in fcpxml
        for fmt in ("otio", "fcpxml", "json", "srt", "vtt"):
            assert runner.invoke(app, ["reel", "export", reel, "--format", fmt], env=env).exit_code == 0
    cctv = reels["cctv.mp4"]
    _key, secret = svc.keys.create("rates")
    with running(svc) as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"}) as c:
        answer = c.get(f"/v1/reels/{cctv}/export", params={"format": "edl"})
        assert answer.status_code == 200 and "* CONFORM:" in answer.text
        assert "source at 10 fps" in answer.headers["x-clipindex-warnings"]
        assert "x-clipindex-warnings" not in c.get(f"/v1/reels/{cctv}/export", params={"format": "otio"}).headers
        # a source moved away: its rate cannot be read, and the export says what it assumed (it said nothing, and
        # gave an editor 29.97 drop-frame footage as 25 fps non-drop)
        (library / "ntsc.mp4").rename(library / "ntsc-moved.mp4")
        ntsc = reels["ntsc.mp4"]
        answer = c.get(f"/v1/reels/{ntsc}/export", params={"format": "fcpxml"})
        note = answer.headers["x-clipindex-warnings"]
        assert f"clip 1 ({ids['ntsc.mp4']}): no media file" in note and "25 fps" in note and "ingest" in note
        assert "x-clipindex-warnings" not in c.get(f"/v1/reels/{ntsc}/export", params={"format": "srt"}).headers
    result = runner.invoke(app, ["reel", "export", reels["ntsc.mp4"], "--format", "edl"], env=env)
    assert result.exit_code == 0 and "no media file to read the frame rate from" in result.stderr
    # ... with its sound, as ingested (its event was picture only, and a conform had no sound), and a render of it
    # names the clip, as the renderer's own errors do
    assert [line.split()[2] for line in result.stdout.splitlines() if re.match(r"^\d{3} ", line)] == ["AA/V"]
    with pytest.raises(NotFound, match=r"^clip 1 \(.*\): video .* has no media file"):
        svc.reels.render(reels["ntsc.mp4"], settings.data_dir / "out.mp4", allowed_dir=settings.data_dir)
    next(iter(svc.ingest(str(library / "ntsc-moved.mp4"), IngestOptions())))  # found again where it is now
    result = runner.invoke(app, ["reel", "export", reels["ntsc.mp4"], "--format", "EDL"], env=env)  # any case
    assert "FCM: DROP FRAME" in result.stdout and "warning" not in result.stderr


def test_a_clip_past_24_hours_keeps_its_hours_and_an_edl_refuses_it(tmp_path: Path) -> None:
    """A reel from hour 25 of a 30-hour sitting: the EDL and the JSON manifest wrapped the clock at 24 hours and
    wrote the clip at 01:00:00:00, the same as one an hour into the source, without a word."""
    media = tmp_path / "sitting.mp4"
    late = TimelineClip(media, 25 * 3600.0, 25 * 3600.0 + 12, 25.0, "the vote", media_duration=30 * 3600.0)
    early = TimelineClip(media, 3600.0, 3612.0, 25.0, "the opening", media_duration=30 * 3600.0)
    assert to_timecode(25 * 3600 * 25, frame_rate(25)) == "25:00:00:00"
    manifest = export_reel([early, late], "json")
    assert '"in_timecode": "25:00:00:00"' in manifest and '"in_timecode": "01:00:00:00"' in manifest
    with pytest.raises(TimelineError, match="clip 2: an EDL counts time on a 24-hour clock.*25:00:00:00.*OTIO"):
        export_reel([early, late], "edl")
    assert "01:00:00:00" in export_reel([early], "edl")
    assert export_reel([early, late], "fcpxml") and export_reel([early, late], "otio")
