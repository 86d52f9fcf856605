"""Reels rendered with the real ffmpeg from two fixture videos of different shape, and their timeline exports.

Each fixture frame's brightness encodes its frame number (20 + 4 * (n mod 50) in luma), so a test can read which
source frame landed where in a render: that is how frame-accurate cuts and keyframe snapping are checked.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

import media.render as render_mod
from media.captions import CaptionWord, Cue, parse_captions, read_captions, write_srt
from media.errors import FfmpegError, MediaError
from media.ffargs import undrawable
from media.ffmpeg import ffmpeg_binary, probe
from media.lines import timed
from media.render import (
    ClipSource,
    EmptyReel,
    IncompatibleSources,
    InvalidClip,
    MissingMedia,
    NoVideoStream,
    OutputNotAllowed,
    RenderError,
    RenderOptions,
    RenderResult,
    UnsupportedCodec,
    decodable,
    filter_value,
    render_reel,
)
from media.timeline import EXPORT_FORMATS, TimelineClip, TimelineError, export_reel, rebase_cues, timeline_rate

GOP_S = 2.0  # fixture A has a keyframe exactly every 2 s
SPEECH = "The river rose two metres overnight. Volunteers filled sandbags until dawn. The bridge stays closed."
CUES_A = (
    Cue(0.5, 3.0, "The river rose", (CaptionWord(0.5, 1.2, "The"), CaptionWord(1.2, 2.0, "river"))),
    Cue(3.2, 6.0, "Volunteers filled sandbags"),
    Cue(6.5, 9.0, "The bridge stays closed"),
)
CUES_B = (Cue(2.0, 4.0, "A tone from the second report"),)


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def numbered(size: str, fps: int, seconds: int) -> str:
    # drawn small and scaled up: geq evaluates an expression per pixel
    w, h = size.split("x")
    return f"color=c=black:s=64x36:r={fps}:d={seconds},geq=lum='20+4*mod(N,50)':cb=128:cr=128,scale={w}:{h}"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("reel_media")
    speech = d / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(speech), SPEECH], check=True)
    ffmpeg("-f", "lavfi", "-i", numbered("640x360", 25, 12), "-i", str(speech), "-af", "apad", "-t", "12",
           "-ar", "22050", "-ac", "1", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-keyint_min", "50",
           "-sc_threshold", "0", "-c:a", "aac", str(d / "a.mp4"))
    ffmpeg("-f", "lavfi", "-i", numbered("320x240", 30, 10), "-f", "lavfi", "-i", "sine=f=440:r=48000:d=10",
           "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(d / "b.mp4"))
    ffmpeg("-i", str(d / "a.mp4"), "-an", "-c", "copy", str(d / "silent.mp4"))
    ffmpeg("-i", str(d / "a.mp4"), "-vn", "-c", "copy", str(d / "audio_only.m4a"))
    ffmpeg("-f", "lavfi", "-i", numbered("320x240", 25, 3), "-c:v", "mpeg2video", str(d / "mpeg2.mkv"))
    return d


def three_clips(media: Path) -> list[ClipSource]:
    return [
        ClipSource(media / "a.mp4", 1.0, 4.0, "flood", cues=CUES_A),
        ClipSource(media / "b.mp4", 2.5, 5.0, "tone", cues=CUES_B),
        ClipSource(media / "a.mp4", 6.0, 8.5, "bridge", cues=CUES_A),
    ]


@pytest.fixture(scope="module")
def accurate(media: Path, tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    out_dir = tmp_path_factory.mktemp("out")
    seen: list[float] = []
    result = render_reel(three_clips(media), out_dir / "reel.mp4", RenderOptions(captions="sidecar"), seen.append,
                         allowed_dir=out_dir)
    assert seen and seen[-1] == pytest.approx(1.0, abs=0.05) and seen == sorted(seen)
    return result


def frames(path: Path) -> tuple[float, list[np.ndarray]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return float(stream.average_rate or 0), [f.to_ndarray(format="gray") for f in container.decode(stream)]


def frame_number(image: np.ndarray) -> int:
    """Which fixture frame (mod 50) this is: undo the limited-range expansion of the gray conversion."""
    luma = float(np.median(image)) * 219 / 255 + 16
    return round((luma - 20) / 4) % 50


def stream_kinds(path: Path) -> list[str]:
    with av.open(str(path)) as container:
        return sorted(s.type for s in container.streams)


def assert_in_step(path: Path) -> None:
    """Sound and picture last the same: nothing drifts apart over the reel."""
    with av.open(str(path)) as container:
        lengths = [float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base]
    assert len(lengths) == 2 and abs(lengths[0] - lengths[1]) < 0.05, lengths


@pytest.mark.slow
def test_accurate_reel_has_the_summed_length_one_format_and_streams(accurate: RenderResult, media: Path) -> None:
    lengths = [c.end - c.start for c in three_clips(media)]
    info = probe(accurate.path)
    assert info.duration == pytest.approx(sum(lengths), abs=0.1 * len(lengths))
    assert stream_kinds(accurate.path) == ["audio", "video"]
    assert_in_step(accurate.path)
    assert (info.width, info.height, info.fps, info.sample_rate) == (640, 360, 30.0, 48000)
    assert (accurate.width, accurate.height, accurate.mode) == (640, 360, "accurate")
    assert [c.reel_start for c in accurate.clips] == pytest.approx([0.0, lengths[0], lengths[0] + lengths[1]])
    # the last clip's out point, 8.5 s, falls inside a 25 fps frame (8.48-8.52 s): on this 30 fps reel that frame is
    # shown whole, as every export places it (76 reel frames, not the 75 of the asked 2.5 s)
    assert [c.snapped for c in accurate.clips] == [False, False, True]
    assert accurate.clips[-1].reel_end - accurate.clips[-1].reel_start == pytest.approx(76 / 30, abs=1e-6)


@pytest.mark.slow
def test_accurate_cuts_land_on_the_requested_frames(accurate: RenderResult, media: Path) -> None:
    fps, images = frames(accurate.path)
    for clip, placed in zip(three_clips(media), accurate.clips):
        src_fps = probe(clip.media).fps or 0
        first = images[round(placed.reel_start * fps)]
        assert frame_number(first) == round(clip.start * src_fps) % 50
        index = round(placed.reel_end * fps) - 1  # the clip's last output frame shows the source frame due then
        due = (clip.start + index / fps - placed.reel_start) * src_fps
        assert frame_number(images[index]) in {math.floor(due) % 50, math.ceil(due) % 50}


@pytest.mark.slow
def test_a_picture_that_starts_after_its_sound_keeps_its_place(media: Path, tmp_path: Path) -> None:
    """A file whose first frame comes 0.48 s after its first sample (cameras and recorders write such files): a clip
    from 0 moved the picture onto the sound's start, so every frame played 0.48 s early against its words."""
    late = tmp_path / "late.mp4"
    ffmpeg("-itsoffset", "0.48", "-i", str(media / "a.mp4"), "-i", str(media / "a.mp4"), "-map", "0:v", "-map",
           "1:a", "-c", "copy", str(late))
    clips = [ClipSource(late, 0.0, 3.0, "from the start"), ClipSource(late, 1.0, 3.0, "later")]
    result = render_reel(clips, tmp_path / "reel.mp4", RenderOptions(), allowed_dir=tmp_path)
    fps, images = frames(result.path)
    for clip, placed in zip(clips, result.clips):
        for into in (0.2, 1.0, 1.8):  # seconds into the clip: the source frame due then, on the sound's clock
            due = max(0.0, clip.start + into - 0.48) * 25
            shown = frame_number(images[round((placed.reel_start + into) * fps)])
            assert shown in {math.floor(due) % 50, math.ceil(due) % 50}, (clip.label, into, shown, due)
    assert_in_step(result.path)


@pytest.mark.slow
def test_audio_fades_to_silence_at_each_cut(accurate: RenderResult) -> None:
    with av.open(str(accurate.path)) as container:
        stream = container.streams.audio[0]
        samples = np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(stream)])
    rate = stream.rate
    inside = samples[int(4.0 * rate): int(4.5 * rate)]  # the middle of the sine clip
    assert np.abs(inside).max() > 0.05
    for cut in (accurate.clips[1].reel_start, accurate.clips[2].reel_start):
        at = round(cut * rate)
        assert np.abs(samples[at - 24: at + 24]).max() < 0.02, f"audible step at the cut at {cut} s"


def expected_reel_cues(clips: list[ClipSource], starts: list[float], ins: list[float], outs: list[float]) -> list:
    rows = []
    for clip, at, lo, hi in zip(clips, starts, ins, outs):
        for cue in clip.cues:
            s, e = max(cue.start, lo), min(cue.end, hi)
            if e - s >= 0.05:
                rows.append((round(at + s - lo, 3), round(at + e - lo, 3), cue.text))
    return rows


@pytest.mark.slow
def test_sidecar_captions_line_up_with_the_reel(accurate: RenderResult, media: Path) -> None:
    clips = three_clips(media)
    lengths = [c.end - c.start for c in clips]
    starts = [0.0, lengths[0], lengths[0] + lengths[1]]
    outs = [c.end for c in clips[:2]] + [clips[2].start + 76 / 30]  # the last 25 fps frame shown whole, as above
    want = expected_reel_cues(clips, starts, [c.start for c in clips], outs)
    assert [p.suffix for p in accurate.sidecars] == [".srt", ".vtt"]
    for sidecar in accurate.sidecars:
        got = [(round(c.start, 3), round(c.end, 3), c.text) for c in read_captions(sidecar)]
        assert got == want
    assert accurate.cues[0].words[0].start == pytest.approx(0.0)  # the word before the in point is cut to it


@pytest.mark.slow
def test_burned_captions_and_title_card_in_a_directory_with_filter_syntax(media: Path, tmp_path: Path) -> None:
    odd = tmp_path / "it's: a [reel], really; no\\really"
    odd.mkdir()
    clips = [ClipSource(media / "a.mp4", 1.0, 4.0, "flood", title="Floods: 100% {pts} 'quoted' [x]; y", cues=CUES_A)]
    result = render_reel(clips, odd / "burned.mp4", RenderOptions(captions="burn"), allowed_dir=odd)
    assert result.warnings == ()
    assert probe(result.path).duration == pytest.approx(2.0 + 3.0, abs=0.2)
    fps, images = frames(result.path)
    card = images[round(1.0 * fps)]
    assert card[140:220].std() > 10 and card[:60].std() < 1  # text in the middle of a plain card
    captioned = images[round((2.0 + 1.0) * fps)]  # reel 3 s = source 2 s, inside "The river rose"
    assert captioned[300:].std() > 10 and captioned[:200].std() < 3  # text at the bottom of a flat frame
    assert sorted(p.name for p in odd.iterdir()) == ["burned.mp4"]


@pytest.mark.slow
def test_title_cards_without_drawtext_fall_back_to_a_plain_card(
    media: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_mod, "drawtext_works", lambda: False)
    clips = [ClipSource(media / "a.mp4", 1.0, 2.0, title="Unseen")]
    result = render_reel(clips, tmp_path / "plain.mp4", allowed_dir=tmp_path)
    assert any("no text" in w for w in result.warnings)
    fps, images = frames(result.path)
    assert images[round(0.5 * fps)].std() < 1  # a plain card
    assert probe(result.path).duration == pytest.approx(RenderOptions().title_s + 1.0, abs=0.1)


def test_a_title_in_letters_the_font_lacks_is_warned_of(media: Path, tmp_path: Path) -> None:
    """A label in Chinese rendered as boxes on a machine without a CJK font, and the render said nothing."""
    rare = "\U00013000\U00013001"  # Egyptian hieroglyphs: in no font fontconfig gives for Sans on a newsroom machine
    if undrawable(rare) != rare:
        pytest.skip("fontconfig's fc-match is missing, or this machine's Sans font draws hieroglyphs")
    clips = [ClipSource(media / "a.mp4", 1.0, 2.0, title=f"Budget {rare}"),
             ClipSource(media / "a.mp4", 2.0, 3.0, title="Бюджет: Hukumat yangi byudjetni taqdim etdi")]
    result = render_reel(clips, tmp_path / "titled.mp4", allowed_dir=tmp_path)
    assert [w for w in result.warnings if "as boxes" in w] == [
        f"the title card of clip 1 shows {rare!r} as boxes: the font fontconfig gives for Sans lacks them (install "
        "one that has them, such as fonts-noto-cjk for Chinese and Japanese)"], result.warnings


def test_filter_value_escapes_both_levels() -> None:
    assert filter_value("/tmp/plain.srt") == "\\'/tmp/plain.srt\\'"
    assert filter_value("a'b") == "\\'a\\'\\\\\\'\\'b\\'"
    assert all(f"\\{ch}" in filter_value(f"x{ch}y") for ch in "[],;")


@pytest.mark.slow
def test_a_clip_of_one_frame_at_10_fps_renders(tmp_path: Path) -> None:
    """0.4-0.5 s of a 10 fps source is one frame, which `reel add` takes; 0.5 - 0.4 is 0.0999... in floating point,
    and every render of the reel failed with "the range is empty"."""
    source = tmp_path / "cctv.mp4"
    ffmpeg("-f", "lavfi", "-i", numbered("320x240", 10, 2), "-c:v", "libx264", "-preset", "ultrafast", str(source))
    result = render_reel([ClipSource(source, 0.4, 0.5)], tmp_path / "one.mp4", allowed_dir=tmp_path)
    _, images = frames(result.path)
    assert images and {frame_number(i) for i in images} == {4}, "the source's fifth frame, and only it"


@pytest.mark.slow
def test_a_50_fps_source_renders_at_50_in_both_modes_every_frame_once(tmp_path: Path) -> None:
    """A 720p50 broadcast's clips were rendered at 30 fps: 50 frames a second shown in 30 slots (some dropped, the
    motion uneven), each clip's length rounded to a 30 fps frame while its EDL counted 50 fps frames. The reel keeps
    50 fps now, each clip from its first frame to its last, in both modes."""
    source = tmp_path / "pal.mp4"
    ffmpeg("-f", "lavfi", "-i", numbered("320x180", 50, 8), "-f", "lavfi", "-i", "sine=f=440:r=48000:d=8",
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", str(source))
    clips = [ClipSource(source, 1.0, 2.51), ClipSource(source, 4.02, 5.0), ClipSource(source, 6.3, 7.47)]
    for fast in (False, True):
        result = render_reel(clips, tmp_path / f"reel-{fast}.mp4", RenderOptions(fast=fast), allowed_dir=tmp_path)
        fps, images = frames(result.path)
        assert fps == 50 and result.fps == 50, (fast, fps)
        # frames 50-125, 201-249 and 315-373 of the source (up to the last frame that starts before the out point)
        want = [n % 50 for first, last in ((50, 126), (201, 250), (315, 374)) for n in range(first, last)]
        assert [frame_number(i) for i in images] == want, fast
        assert_in_step(result.path)


@pytest.mark.slow
def test_video_without_audio_gets_silence(media: Path, tmp_path: Path) -> None:
    result = render_reel([ClipSource(media / "silent.mp4", 2.0, 4.0)], tmp_path / "s.mp4", allowed_dir=tmp_path)
    assert stream_kinds(result.path) == ["audio", "video"]
    assert probe(result.path).duration == pytest.approx(2.0, abs=0.1)


@pytest.mark.slow
def test_fast_mode_cuts_on_the_requested_frames(media: Path, tmp_path: Path) -> None:
    # a keyframe every 2 s, cuts between them: the frames around each cut are encoded again, the rest copied
    clips = [ClipSource(media / "a.mp4", s, e, f"c{i}", cues=CUES_A) for i, (s, e) in
             enumerate([(1.0, 3.0), (4.0, 6.0), (7.32, 9.12)])]
    fast = render_reel(clips, tmp_path / "fast.mp4", RenderOptions(fast=True, captions="sidecar"),
                       allowed_dir=tmp_path)
    assert [c.source_in for c in fast.clips] == pytest.approx([c.start for c in clips], abs=0.001)
    assert [c.source_out for c in fast.clips] == pytest.approx([c.end for c in clips], abs=0.001)
    assert not any(c.snapped for c in fast.clips) and not fast.warnings
    assert probe(fast.path).duration == pytest.approx(sum(c.end - c.start for c in clips), abs=1 / 25)
    assert stream_kinds(fast.path) == ["audio", "video"]
    assert_in_step(fast.path)
    fps, images = frames(fast.path)
    for placed in fast.clips:
        assert frame_number(images[round(placed.reel_start * fps)]) == round(placed.source_in * 25) % 50
        assert frame_number(images[round(placed.reel_end * fps) - 1]) == (round(placed.source_out * 25) - 1) % 50
    starts = [c.reel_start for c in fast.clips]
    want = expected_reel_cues(clips, starts, [c.start for c in clips], [c.end for c in clips])
    assert [(round(c.start, 3), round(c.end, 3), c.text) for c in fast.cues] == want
    assert fast.sidecars[0].read_text(encoding="utf-8") == write_srt(fast.cues)
    # rendered again to the same name without captions: the old cut's caption files went on lying beside it
    again = render_reel(clips[:1], tmp_path / "fast.mp4", RenderOptions(fast=True), allowed_dir=tmp_path)
    assert not (tmp_path / "fast.srt").exists() and not (tmp_path / "fast.vtt").exists()
    assert again.warnings == ("removed fast.srt, the captions of an earlier render to fast.mp4",
                              "removed fast.vtt, the captions of an earlier render to fast.mp4")


@pytest.mark.slow
@pytest.mark.parametrize("suffix, codec", [(".ts", "libx264"), (".mkv", "libx264"), (".ts", "mpeg2video"),
                                           (".mpg", "mpeg2video")])
def test_broadcast_and_matroska_sources_cut_on_the_requested_frames(suffix: str, codec: str, tmp_path: Path) -> None:
    """MPEG-TS and -PS have no seek index: a clip started at the next keyframe (up to a GOP late, out of step with
    its sound), in both modes. Matroska indexes some keyframes only: fast mode copied from an earlier one and showed
    a stretch twice. An open-GOP MPEG-2 stream copied into MP4 lost the B-frames before a cut's keyframe (2-3 frames
    late, a one-frame clip gone), and a program stream's copy failed for packets without timestamps. A clip of two
    small frames was a piece the concat took for a program stream: the reel's picture ended there. Keyframes every
    37 frames, so a GOP's slip shows in the frame numbers (mod 50)."""
    made = tmp_path / "odd.mp4"
    ffmpeg("-f", "lavfi", "-i", numbered("320x240", 25, 12), "-f", "lavfi", "-i", "sine=f=440:r=48000:d=12",
           "-c:v", codec, *(["-preset", "ultrafast"] if codec == "libx264" else ["-bf", "2", "-q:v", "3"]),
           "-g", "37", "-keyint_min", "37", "-sc_threshold", "0",
           "-c:a", "aac" if codec == "libx264" else "mp2", "-f", "mp4" if codec == "libx264" else "mpegts", str(made))
    source = tmp_path / f"odd{suffix}"
    muxer = {".ts": ["-f", "mpegts"], ".mpg": ["-f", "vob"], ".mkv": []}[suffix]
    ffmpeg("-i", str(made), "-c", "copy", *muxer, str(source))
    spans = [(0.0, 2.0), (3.1, 5.0), (7.04, 7.12), (8.0, 11.0)]
    clips = [ClipSource(source, s, e) for s, e in spans]
    for fast in (False, True) if codec == "libx264" else (False,):  # fast mode encodes H.264 only
        result = render_reel(clips, tmp_path / f"reel-{fast}.mp4", RenderOptions(fast=fast), allowed_dir=tmp_path)
        fps, images = frames(result.path)
        for clip, placed in zip(clips, result.clips):
            for into in (t for t in (0.0, 0.6, 1.5) if t < clip.end - clip.start):
                due = round((clip.start + into) * 25)
                shown = frame_number(images[round((placed.reel_start + into) * fps)])
                # within two frames: a copied stream's clock may start a fraction of a frame after its sound's
                # (AAC's priming); a slip to the next keyframe or a repeated GOP is 10-37 frames
                assert min(abs(shown - due % 50), 50 - abs(shown - due % 50)) <= 2, (fast, clip.start, into, shown, due)
        length = sum(e - s for s, e in spans)
        assert probe(result.path).duration == pytest.approx(length, abs=0.1)
        assert len(images) / fps == pytest.approx(length, abs=0.15), "the picture runs the reel's length"


@pytest.mark.slow
def test_sound_that_starts_after_its_picture_keeps_its_place_in_fast_mode(media: Path, tmp_path: Path) -> None:
    """A capture whose sound starts 0.48 s after its picture: fast mode moved the sound onto the clip's first frame,
    so every word played 0.48 s early (accurate mode kept it)."""
    late = tmp_path / "late-sound.mp4"
    ffmpeg("-i", str(media / "a.mp4"), "-itsoffset", "0.48", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=10",
           "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-t", "10", str(late))
    for fast in (False, True):
        result = render_reel([ClipSource(late, 0.0, 3.0)], tmp_path / f"r-{fast}.mp4", RenderOptions(fast=fast),
                             allowed_dir=tmp_path)
        with av.open(str(result.path)) as container:
            sound = np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])
        quiet = np.abs(sound[int(0.05 * 48000):int(0.4 * 48000)]).max()
        loud = np.abs(sound[int(0.6 * 48000):int(2.5 * 48000)]).max()
        assert quiet < 0.01 < loud, (fast, quiet, loud)


@pytest.mark.slow
def test_fast_and_accurate_modes_make_reels_of_the_same_length(media: Path, tmp_path: Path) -> None:
    # that fast mode is faster is measured by bench/render.py
    busy = tmp_path / "busy.mp4"  # made here, not with the module's media: only this test needs it
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=16", "-f", "lavfi", "-i", "sine=r=48000:d=16",
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", str(busy))
    clips = [ClipSource(busy, 0.5, 7.5), ClipSource(busy, 8.5, 15.5)]
    fast = render_reel(clips, tmp_path / "fast.mp4", RenderOptions(fast=True), allowed_dir=tmp_path)
    slow = render_reel(clips, tmp_path / "slow.mp4", allowed_dir=tmp_path)
    # 0.5 s falls between two frames at 25 fps: both modes start on the frame after it (0.52 s)
    assert [c.source_in for c in fast.clips] == pytest.approx([0.52, 8.52], abs=0.001)
    assert fast.duration == pytest.approx(14.0, abs=1 / 25) and slow.duration == pytest.approx(14.0, abs=0.1)
    assert frames(fast.path)[1][0].mean() == pytest.approx(frames(slow.path)[1][0].mean(), abs=2)


@pytest.mark.slow
def test_fast_mode_refuses_sources_encoded_differently(media: Path, tmp_path: Path) -> None:
    with pytest.raises(IncompatibleSources, match="accurate mode"):
        render_reel(three_clips(media), tmp_path / "x.mp4", RenderOptions(fast=True), allowed_dir=tmp_path)
    with pytest.raises(UnsupportedCodec, match="mpeg2video"):
        render_reel([ClipSource(media / "mpeg2.mkv", 0, 1)], tmp_path / "x.mp4", RenderOptions(fast=True),
                    allowed_dir=tmp_path)
    with pytest.raises(RenderError, match="accurate mode"):
        render_reel([ClipSource(media / "a.mp4", 0, 1, title="T")], tmp_path / "x.mp4", RenderOptions(fast=True),
                    allowed_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_codec_check_knows_what_ffmpeg_decodes() -> None:
    assert decodable("h264") and decodable("aac")
    assert not decodable("no-such-codec")


BAD_CLIPS = {
    "past the end": (lambda m: [ClipSource(m / "a.mp4", 10.0, 13.0)], InvalidClip, "past the end"),
    "negative": (lambda m: [ClipSource(m / "a.mp4", -1.0, 2.0)], InvalidClip, "negative"),
    "not a number": (lambda m: [ClipSource(m / "a.mp4", math.nan, 2.0)], InvalidClip, "finite"),
    "empty": (lambda m: [ClipSource(m / "a.mp4", 3.0, 3.0)], InvalidClip, "empty"),
    "backwards": (lambda m: [ClipSource(m / "a.mp4", 5.0, 3.0)], InvalidClip, "empty"),
    "missing media": (lambda m: [ClipSource(m / "gone.mp4", 0.0, 1.0)], MissingMedia, "does not exist"),
    "no video": (lambda m: [ClipSource(m / "audio_only.m4a", 0.0, 1.0)], NoVideoStream, "no video stream"),
    "no clips": (lambda m: [], EmptyReel, "no clips"),
}


@pytest.mark.parametrize("case", list(BAD_CLIPS))
def test_bad_clips_are_refused_and_nothing_is_written(case: str, media: Path, tmp_path: Path) -> None:
    make, error, message = BAD_CLIPS[case]
    with pytest.raises(error, match=message):
        render_reel(make(media), tmp_path / "reel.mp4", allowed_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out", ["../escape.mp4", "/etc/reel.mp4", "inside/../../escape.mp4", "reel.avi", "."])
def test_outputs_outside_the_allowed_directory_are_refused(out: str, media: Path, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    with pytest.raises(OutputNotAllowed):
        render_reel([ClipSource(media / "a.mp4", 0, 1)], allowed / out, allowed_dir=allowed)
    assert list(allowed.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["allowed"]


def test_symlink_out_of_the_allowed_directory_is_refused(media: Path, tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(media)
    with pytest.raises(OutputNotAllowed):
        render_reel([ClipSource(media / "a.mp4", 0, 1)], tmp_path / "link" / "x.mp4", allowed_dir=tmp_path)
    with pytest.raises(OutputNotAllowed, match="overwrite"):
        render_reel([ClipSource(media / "a.mp4", 0, 1)], media / "a.mp4", allowed_dir=media)


def test_bad_options_are_refused() -> None:
    for bad in ({"width": 640}, {"width": 641, "height": 360}, {"fps": 0}, {"preset": "ludicrous"},
                {"captions": "karaoke"}):
        with pytest.raises(RenderError):
            RenderOptions(**bad)


@pytest.mark.slow
def test_a_failed_render_leaves_nothing_behind(media: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_run = render_mod.run

    def fail_after_writing(args: list[str], progress: object = None) -> None:
        real_run(args)  # ffmpeg really writes the output, then the "disk fills up"
        raise FfmpegError("ffmpeg failed: No space left on device")

    monkeypatch.setattr(render_mod, "run", fail_after_writing)
    (tmp_path / "keep.txt").write_text("unrelated")
    with pytest.raises(MediaError, match="No space"):
        render_reel(three_clips(media), tmp_path / "reel.mp4", RenderOptions(captions="sidecar"), allowed_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


# --- timeline exports ---


def timeline_clips(media: Path) -> list[TimelineClip]:
    return [
        TimelineClip(media / "a.mp4", 1.0, 4.0, 25.0, "Flood <&> report", "yt:aaaaaaaaaaa",
                     "https://www.youtube.com/watch?v=aaaaaaaaaaa&t=1s", 12.0, CUES_A),
        TimelineClip(media / "b.mp4", 2.5, 5.0, 30.0, "Tone\nsecond line", "file:b", "file:///b.mp4#t=2.5,5", 10.0,
                     CUES_B),
        TimelineClip(media / "a.mp4", 6.0, 8.5, 25.0, "Bridge", "yt:aaaaaaaaaaa", "", 12.0, CUES_A),
    ]


@pytest.mark.parametrize("fmt", ["otio", "edl", "fcpxml"])
def test_editor_exports_read_back_with_the_same_clips(fmt: str, media: Path) -> None:
    clips = timeline_clips(media)
    text = export_reel(clips, fmt, title="Floods")  # type: ignore[arg-type]
    adapter = {"otio": "otio_json", "edl": "cmx_3600", "fcpxml": "fcpx_xml"}[fmt]
    rate = timeline_rate(c.fps for c in clips)
    kwargs = {"rate": rate} if fmt == "edl" else {}
    back = list(otio.adapters.read_from_string(text, adapter, **kwargs).find_clips())
    assert [c.name for c in back] == ["Flood <&> report", "Tone second line", "Bridge"]
    for clip, read in zip(clips, back):
        assert read.media_reference.target_url == clip.media.resolve().as_uri()
        rng = read.source_range
        one_frame = 1 / rng.start_time.rate
        assert rng.start_time.to_seconds() == pytest.approx(clip.start, abs=one_frame)
        assert rng.end_time_exclusive().to_seconds() == pytest.approx(clip.end, abs=one_frame)


@pytest.mark.slow
def test_the_srt_export_is_the_renders_sidecar(media: Path, accurate: RenderResult) -> None:
    # they agree when there are no title cards
    assert export_reel(timeline_clips(media), "srt") == accurate.sidecars[0].read_text(encoding="utf-8")


def test_srt_vtt_and_manifest_exports(media: Path) -> None:
    clips = timeline_clips(media)
    srt = export_reel(clips, "srt")
    assert [line for line in srt.splitlines() if " --> " in line] == [  # each clip's cues, rebased onto the reel
        "00:00:00,000 --> 00:00:02,000", "00:00:02,200 --> 00:00:03,000", "00:00:03,000 --> 00:00:04,500",
        "00:00:06,000 --> 00:00:08,033"]  # to the end of the last clip's last frame, as every export places it
    assert "A tone from the second report" in srt and "Volunteers filled sandbags" in srt
    assert export_reel(clips, "vtt").startswith("WEBVTT")
    ttml = parse_captions(export_reel(clips, "ttml"))  # the same cues, as broadcast delivery takes them
    assert [(c.start, c.end) for c in ttml] == [(0.0, 2.0), (2.2, 3.0), (3.0, 4.5), (6.0, 8.033)]
    assert [c.text for c in ttml] == [c.text for c in parse_captions(srt)]
    doc = json.loads(export_reel(clips, "json", title="Floods"))
    assert doc["duration"] == pytest.approx(8.033)
    first = doc["clips"][0]
    assert (first["source"], first["in"], first["out"], first["in_timecode"]) == ("yt:aaaaaaaaaaa", 1.0, 4.0,
                                                                                   "00:00:01:00")
    assert first["link"] == "https://www.youtube.com/watch?v=aaaaaaaaaaa&t=1s"
    assert [c["reel_start"] for c in doc["clips"]] == [0.0, 3.0, 5.5]
    assert set(EXPORT_FORMATS) == {"otio", "edl", "fcpxml", "srt", "vtt", "ttml", "json"}


def test_exports_refuse_bad_reels(media: Path) -> None:
    with pytest.raises(TimelineError, match="no clips"):
        export_reel([], "edl")
    with pytest.raises(TimelineError, match="empty"):
        export_reel([TimelineClip(media / "a.mp4", 2.0, 2.0, 25.0)], "otio")
    with pytest.raises(TimelineError, match="unknown export format"):
        export_reel(timeline_clips(media), "aaf")  # type: ignore[arg-type]


def test_rebase_keeps_only_what_each_clip_shows() -> None:
    from media.timeline import Placement

    cues = [Cue(0.0, 1.0, "before"), Cue(1.9, 2.6, "edge", (CaptionWord(1.9, 2.1, "ed"), CaptionWord(2.1, 2.6, "ge"))),
            Cue(2.98, 3.5, "sliver")]
    got = rebase_cues([Placement(10.0, 2.0, 3.0)], [cues])
    assert [(c.start, c.text) for c in got] == [(10.0, "edge")]
    assert got[0].end == pytest.approx(10.6)
    assert [(w.start, w.text) for w in got[0].words] == [(10.0, "ed"), (pytest.approx(10.1), "ge")]


def test_a_cue_held_for_reading_never_crosses_its_clips_cut(media: Path) -> None:
    """A fast cue is held after its words for reading, up to the next cue: it ran 0.1 s into the next shot (whose
    first cue starts later), over a title card, and past the reel's end. It now ends at its clip's cut."""
    fast = "Residents were told to leave their homes before the water reached the bridge"
    clips = [TimelineClip(media / "a.mp4", 5.0, 6.4, 25.0, cues=(Cue(5.0, 6.4, fast),)),
             TimelineClip(media / "a.mp4", 2.0, 3.0, 25.0, cues=(Cue(2.5, 3.0, "Officials said"),)),
             TimelineClip(media / "a.mp4", 8.0, 8.6, 25.0, cues=(Cue(8.0, 8.6, fast),))]
    ends = [c["reel_end"] for c in json.loads(export_reel(clips, "json"))["clips"]]
    for fmt in ("srt", "vtt", "ttml"):
        cues = parse_captions(export_reel(clips, fmt))  # type: ignore[arg-type]
        assert [(c.start, c.end) for c in cues] == [(0.0, ends[0]), (1.9, ends[1]), (ends[1], ends[2])], fmt
    assert [(c.start, c.end) for c in timed([Cue(0.0, 1.4, fast)])] == [(0.0, 2.9)], "held where no cut is near"
