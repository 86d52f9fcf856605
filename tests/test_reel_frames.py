"""One rule for a clip's frames, kept by both render modes and every export: the source frames from the first at or
after the in point to the last before the out point, each shown once, and on the reel for exactly their length.
Every fixture frame draws its number (mod 50) as its brightness (tests/test_render.py's `numbered`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.errors import IngestError, InvalidInput
from indexer.ingest.types import IngestOptions
from indexer.service import Clipindex
from media.ffmpeg import probe
from media.render import ClipSource, IncompatibleSources, RenderOptions, RenderResult, render_reel
from media.timeline import TimelineClip, export_reel
from tests.conftest import settings_for, stored_video
from tests.test_render import ffmpeg, frame_number, frames, numbered

pytestmark = pytest.mark.slow  # renders
FPS = 25
# in points in the first half of a frame (the export rounded them down, the render up) and out points mid-frame
SPANS = [(1.013, 3.487), (10.26, 12.734), (4.5, 5.51), (7.01, 8.02), (2.03, 3.04), (6.02, 7.03)]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("frames")
    ffmpeg("-f", "lavfi", "-i", numbered("320x240", FPS, 14), "-f", "lavfi", "-i", "sine=f=440:r=48000:d=14",
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", str(d / "n25.mp4"))
    return d / "n25.mp4"


@pytest.fixture(scope="module", params=[False, True], ids=["accurate", "fast"])
def rendered(request: pytest.FixtureRequest, source: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[list[ClipSource], RenderResult]:
    out = tmp_path_factory.mktemp("out")
    clips = [ClipSource(source, s, e, f"c{i}") for i, (s, e) in enumerate(SPANS)]
    return clips, render_reel(clips, out / "reel.mp4", RenderOptions(fast=request.param, captions="sidecar"),
                              allowed_dir=out)


def _wanted(start: float, end: float) -> list[int]:
    """The frames a clip shows: from the first at or after `start` to the last before `end`."""
    first = next(f for f in range(10_000) if f / FPS >= start - 1e-3)
    return list(range(first, next(f for f in range(first, 10_000) if f / FPS >= end - 1e-3)))


def test_each_source_frame_is_shown_once_in_both_modes(rendered: tuple[list[ClipSource], RenderResult]) -> None:
    """Accurate mode showed a clip's first frame twice (the fps filter rounded it, a fraction of a frame after the
    in point, into the second slot) and dropped its last frame, 10-40 ms behind its sound."""
    clips, result = rendered
    fps, images = frames(result.path)
    assert fps == FPS
    shown = [frame_number(image) for image in images]
    want = [f % 50 for c in clips for f in _wanted(c.start, c.end)]
    assert shown == want
    for clip, placed in zip(clips, result.clips):  # its sound starts with its first frame, as its captions do
        assert placed.source_in == pytest.approx(_wanted(clip.start, clip.end)[0] / FPS, abs=1e-3)
    assert result.duration == pytest.approx(len(want) / FPS, abs=0.5 / FPS)


def test_exports_name_the_frames_the_render_shows(rendered: tuple[list[ClipSource], RenderResult],
                                                  source: Path) -> None:
    """The EDL, OTIO and FCPXML rounded in points to the nearest frame: in about half the cuts the editor's timeline
    began a frame before the approved render. The reel's captions and manifest placed each clip by its exact
    length, and drifted from a fast render by a frame every few clips."""
    clips, result = rendered
    timeline = [TimelineClip(source, c.start, c.end, float(FPS), c.label, media_duration=14.0) for c in clips]
    events = [line.split() for line in export_reel(timeline, "edl", rate=FPS).splitlines() if line[:3].isdigit()]
    for (start, end), event in zip(SPANS, events):
        frames_wanted = _wanted(start, end)
        assert event[4:6] == [_tc(frames_wanted[0]), _tc(frames_wanted[-1] + 1)], (start, end, event)
    fcpxml = export_reel(timeline, "fcpxml")
    starts = [int(n) / int(d or 1) for n, d in re.findall(r'asset-clip [^>]*start="(\d+)/?(\d*)s"', fcpxml)]
    assert starts == pytest.approx([_wanted(s, e)[0] / FPS for s, e in SPANS])
    manifest = export_reel(timeline, "json")
    assert f'"duration": {round(result.duration, 3)}' in manifest.replace(".0,", ",")
    assert [p.reel_start for p in result.clips] == pytest.approx(
        [sum(len(_wanted(s, e)) for s, e in SPANS[:k]) / FPS for k in range(len(SPANS))], abs=1e-6)


def _tc(frame: int) -> str:
    return f"00:00:{frame // FPS:02d}:{frame % FPS:02d}"


def test_a_clip_shorter_than_a_frame_is_refused_when_added(tmp_path: Path) -> None:
    """It was stored (exit 0, a 201), and then every render of its reel failed on it."""
    svc = Clipindex(settings_for(tmp_path))
    video = stored_video(svc)
    reel = svc.reels.new("Desk")
    fps = probe(svc.settings.data_dir / svc.store.get_video(video).media_path).fps  # type: ignore[operator]
    for start, end in ((5.0, 5.01), (5.0, 5.0 + 0.5 / fps)):
        with pytest.raises(InvalidInput, match="too short to render"):
            svc.reels.add_range(reel.id, video, start, end, snap_to="none")
    added = svc.reels.add_range(reel.id, video, 5.0, 5.2, snap_to="none")
    assert len(added.clips) == 1


def test_fast_mode_names_what_differs_between_sources(source: Path, tmp_path: Path) -> None:
    """Sources alike but for their B-frames were described identically ("h264 320x240 at 25 fps" twice)."""
    reordered = tmp_path / "bframes.mp4"
    ffmpeg("-f", "lavfi", "-i", numbered("320x240", FPS, 4), "-c:v", "libx264", "-preset", "veryfast", "-bf", "2",
           str(reordered))
    clips = [ClipSource(source, 1.0, 2.0), ClipSource(reordered, 1.0, 2.0)]
    with pytest.raises(IncompatibleSources) as refused:
        render_reel(clips, tmp_path / "x.mp4", RenderOptions(fast=True), allowed_dir=tmp_path)
    assert "B-frame delay (frames): 0 in n25.mp4, " in str(refused.value)
    assert "codec" not in str(refused.value).split("but ", 1)[1]  # only what differs


def test_silent_b_roll_is_added_with_its_captions_and_cut_into_a_reel(tmp_path: Path) -> None:
    """A video without sound was refused ("no audio stream") even with its caption file beside it, though a reel
    gives a silent source silence: a producer could not use B-roll."""
    roll = tmp_path / "broll.mp4"
    ffmpeg("-f", "lavfi", "-i", numbered("320x240", FPS, 6), "-c:v", "libx264", "-preset", "ultrafast", str(roll))
    svc = Clipindex(settings_for(tmp_path))
    with pytest.raises(IngestError, match="no audio stream .*broll.srt"):
        list(svc.ingest(str(roll), IngestOptions()))
    roll.with_suffix(".srt").write_text("1\n00:00:00,500 --> 00:00:03,000\nCrews clear the flooded road.\n",
                                        encoding="utf-8")
    [done] = list(svc.ingest(str(roll), IngestOptions()))
    assert done.transcript == "captions:sidecar"
    reel = svc.reels.add_range(svc.reels.new("B-roll").id, done.video_id, 0.5, 3.0)
    (tmp_path / "out").mkdir()
    rendered = svc.reels.render(reel.id, tmp_path / "out" / "roll.mp4", allowed_dir=tmp_path / "out")
    info = probe(rendered.path)
    assert info.has_video and info.has_audio  # the silence a silent source gets
    assert rendered.duration == pytest.approx(2.5, abs=1 / FPS)


def test_an_upright_phone_video_makes_an_upright_reel(tmp_path: Path) -> None:
    """Stored 320x180 with a display rotation of 90 degrees, as phones write it: the reel was landscape with the
    upright picture small in its middle, and fast mode's copied stretches played on their side."""
    coded = tmp_path / "coded.mp4"
    ffmpeg("-f", "lavfi", "-i", f"color=black:s=320x180:r={FPS}:d=3,drawbox=x=0:y=0:w=320:h=90:color=white:t=fill",
           "-c:v", "libx264", "-preset", "ultrafast", str(coded))
    phone = tmp_path / "phone.mp4"
    ffmpeg("-i", str(coded), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(phone))
    result = render_reel([ClipSource(phone, 0.5, 2.5)], tmp_path / "reel.mp4", allowed_dir=tmp_path)
    assert (result.width, result.height) == (180, 320)
    _, images = frames(result.path)
    left, right = images[0][:, :90].mean(), images[0][:, 90:].mean()
    assert max(left, right) > 200 and min(left, right) < 30  # the coded top half stands on one side: full frame
    with pytest.raises(IncompatibleSources, match="turned by 90 degrees"):
        render_reel([ClipSource(phone, 0.5, 2.5)], tmp_path / "fast.mp4", RenderOptions(fast=True),
                    allowed_dir=tmp_path)


def test_a_render_removes_the_work_that_a_killed_render_left_beside_its_output(tmp_path: Path) -> None:
    """`reel render -o flood.mp4` killed with -9 left its working folder (up to a whole reel) beside the output for
    good: only a server's own renders folder was swept. A render now removes those unused for an hour there."""
    import os
    import time

    from media.render import WORK_PREFIX

    svc = Clipindex(settings_for(tmp_path))
    video = stored_video(svc)
    reel = svc.reels.new("Swept").id
    svc.reels.add_range(reel, video, 1.0, 2.5, snap_to="none")
    out = tmp_path / "out"
    killed, running = out / f"{WORK_PREFIX}killed", out / f"{WORK_PREFIX}running"
    for work in (killed, running):
        work.mkdir(parents=True)
        (work / "reel.mp4").write_bytes(b"part of a reel")
    hours_ago = time.time() - 2 * 3600
    for path in (killed / "reel.mp4", killed):
        os.utime(path, (hours_ago, hours_ago))
    assert svc.reels.render(reel, out / "swept.mp4", allowed_dir=out).path.is_file()
    assert not killed.exists() and (running / "reel.mp4").is_file(), "a render still writing there is left alone"
