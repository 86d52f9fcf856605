"""Fast renders cut smartly: on a source with a keyframe every 10 s, a reel of clips cut mid-GOP comes out as long as
its clips (within a frame), showing exactly the source frames the accurate render shows.

Each source frame carries its number: luma 20 + 4 * (n mod 50) and blue-difference 40 + 8 * ((n // 50) mod 20), so
a decoded frame says which of the first 1,000 source frames it is.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from media.ffmpeg import ffmpeg_binary
from media.render import ClipSource, IncompatibleSources, RenderOptions, render_reel
from media.smartcut import _padded, plan_cut, stream_match

FPS = 25
NUMBERED = (f"color=c=black:s=64x36:r={FPS}:d=24,geq=lum='20+4*mod(N,50)':cb='40+8*mod(trunc(N/50),20)':cr=128,"
            "scale=320:240")


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_source(path: Path, *extra: str, rate: int = 48000) -> Path:
    ffmpeg("-f", "lavfi", "-i", NUMBERED, "-f", "lavfi", "-i", f"sine=f=440:r={rate}:d=24", "-c:v", "libx264",
           "-preset", "veryfast", "-g", "250", "-keyint_min", "250", "-sc_threshold", "0", *extra, "-c:a", "aac",
           "-shortest", str(path))
    return path


@pytest.fixture(scope="module")
def long_gop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """24 s at 25 fps with B-frames and a keyframe every 10 s (at 0, 10 and 20 s)."""
    return make_source(tmp_path_factory.mktemp("smartcut") / "long_gop.mp4")


def frame_ids(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        ids = []
        for frame in container.decode(container.streams.video[0]):
            planes = frame.to_ndarray(format="yuv420p")
            h = frame.height  # yuv420p as one array: the luma rows, then a quarter as many of each chroma plane
            luma, cb = float(np.median(planes[:h])), float(np.median(planes[h:h + h // 4]))
            ids.append(round((luma - 20) / 4) % 50 + 50 * (round((cb - 40) / 8) % 20))
        return ids


def probed_duration(path: Path) -> float:
    out = subprocess.run([shutil.which("ffprobe") or "ffprobe", "-v", "error", "-show_entries",
                          "format=duration", "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout)["format"]["duration"])


@pytest.mark.slow  # the 24 s source takes seconds to make
def test_a_clip_becomes_encoded_head_copied_middle_encoded_tail(long_gop: Path) -> None:
    plan = plan_cut(long_gop, 3.2, 23.0)
    assert [(p.copy, p.start, p.duration) for p in plan.pieces] == [
        (False, 3.2, pytest.approx(6.8)), (True, 10.0, pytest.approx(10.0)), (False, 20.0, pytest.approx(3.0))]
    assert [p.count for p in plan.pieces] == [170, 250, 75]  # frames encoded, packets copied, frames encoded
    assert [p.copy for p in plan_cut(long_gop, 0.0, 20.0).pieces] == [True]  # keyframe to keyframe: all copied
    assert [p.copy for p in plan_cut(long_gop, 11.0, 14.0).pieces] == [False]  # no keyframe inside: all encoded
    assert stream_match(long_gop).delay == 2  # veryfast's B-frames: the encoded pieces must reorder alike


@pytest.mark.slow
def test_fast_reel_cut_mid_gop_is_as_long_as_its_clips_and_shows_the_right_frames(long_gop: Path,
                                                                                  tmp_path: Path) -> None:
    clips = [ClipSource(long_gop, 3.2, 12.48, "one"), ClipSource(long_gop, 15.0, 23.6, "two"),
             ClipSource(long_gop, 1.04, 6.0, "three")]
    fast = render_reel(clips, tmp_path / "fast.mp4", RenderOptions(fast=True), allowed_dir=tmp_path)
    asked = sum(c.end - c.start for c in clips)
    assert abs(probed_duration(fast.path) - asked) <= 1 / FPS  # the old fast mode copied whole GOPs: 44 s for 22.8 s
    assert [(c.source_in, c.source_out) for c in fast.clips] == [
        (pytest.approx(c.start), pytest.approx(c.end)) for c in clips]
    assert not any(c.snapped for c in fast.clips) and not fast.warnings
    want = [n for c in clips for n in range(round(c.start * FPS), round(c.end * FPS))]
    got = frame_ids(fast.path)
    assert got == want, "every frame of the fast reel is the source frame the clip asks for"
    accurate = render_reel(clips, tmp_path / "accurate.mp4", allowed_dir=tmp_path)
    cuts = [round(c.reel_start * FPS) for c in fast.clips] + [len(got) - 1]
    assert [frame_ids(accurate.path)[i] for i in cuts] == [got[i] for i in cuts]
    with av.open(str(fast.path)) as container:  # sound and picture still in step
        lengths = [float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base]
    assert len(lengths) == 2 and abs(lengths[0] - lengths[1]) < 0.05


@pytest.mark.slow
def test_sources_that_differ_only_in_level_and_sample_rate_render_fast(long_gop: Path, tmp_path: Path) -> None:
    other = make_source(tmp_path / "level4.mp4", "-level:v", "4.0", rate=44100)
    clips = [ClipSource(long_gop, 8.0, 11.0), ClipSource(other, 18.0, 21.0)]
    fast = render_reel(clips, tmp_path / "fast.mp4", RenderOptions(fast=True), allowed_dir=tmp_path)
    assert frame_ids(fast.path) == [*range(200, 275), *range(450, 525)]
    different = tmp_path / "wide.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=3", "-c:v", "libx264", "-preset", "ultrafast",
           str(different))
    with pytest.raises(IncompatibleSources, match="accurate mode"):
        render_reel([*clips, ClipSource(different, 0.0, 1.0)], tmp_path / "x.mp4", RenderOptions(fast=True),
                    allowed_dir=tmp_path)


def test_a_piece_of_two_small_frames_is_read_as_a_transport_stream(tmp_path: Path) -> None:
    """Two flat frames make a piece of 9 MPEG-TS packets, which ffmpeg's probe did not know: the concat read no frame
    of it and none after it, and a fast reel lost its picture from there on."""
    piece = tmp_path / "p0000.ts"
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=gray:s=320x180:r=25:d=0.08", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts",
                    str(piece)], check=True)
    _padded(piece)
    with av.open(str(piece)) as container:
        assert container.format.name == "mpegts"
        assert sum(1 for _ in container.decode(video=0)) == 2
