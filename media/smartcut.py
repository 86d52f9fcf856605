"""Smart cut for fast renders: re-encode only from each cut to the next keyframe, copy the groups of pictures between.

Copying a stream can only start on a keyframe, so a plain stream copy from the keyframe before each in point made a
reel of 64 s come out 150 s long from a source with a keyframe every 25 s. Here each clip becomes up to three pieces:

    in ........ K1 ==================== K2 ........ out
    head: encoded  middle: copied          tail: encoded

- the head, from the in point's frame to the first keyframe after it, is decoded (from the keyframe before the in
  point) and encoded again;
- the middle, from that keyframe to the last keyframe before the out point, is copied packet for packet;
- the tail, from that keyframe to the out point's frame, is encoded again (it starts on a keyframe, but a copy cannot
  stop before a frame that later frames depend on).

The encoded pieces are made to join the copied ones: the same codec, profile, level, pixel format, size and colour
description, and the same reordering delay (B-frames), so every piece's decoding timestamps follow the last's. Each
piece is written as MPEG-TS, where the parameter sets travel in the stream before every keyframe. The encoder's
SPS/PPS carry id 1 (the source's are 0, as every encoder writes them), so neither replaces the other: the slices of
each piece name their own. The concat demuxer joins the pieces (at durations measured from the source's own
timestamps) into the MP4.

Only H.264 in 8-bit 4:2:0 or 4:2:2/4:4:4 with a reordering delay of at most two frames is matched (libx264);
anything else raises `UnsupportedCodec`, which the reel service answers with an accurate render. Frame times come
from demuxing (no decoding): a clip's cut is on its first frame at or after the in point and before the first frame
at or after the out point, as in accurate mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from media.ffargs import seek_input
from media.ffmpeg import run
from media.render_types import InvalidClip, RenderError, UnsupportedCodec

TOL = 1e-3  # seconds: container timestamps are rounded; a frame this close to a cut belongs to it
CRF = 18  # the encoded pieces sit between copied source pictures: keep them close to the source's quality
# fast mode is about speed: ultrafast encodes 720p about 2.5x quicker than veryfast here (CABAC and deblocking off,
# which every H.264 profile allows); at CRF 18 the few seconds around each cut still look like the source
PRESET = "ultrafast"
X264_PROFILES = {"baseline": "baseline", "constrained baseline": "baseline", "main": "main", "high": "high",
                 "high 4:2:2": "high422", "high 4:4:4 predictive": "high444"}
X264_PIX_FMTS = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p"}
B_FRAMES = {0: ["-bf", "0"], 1: ["-bf", "1"], 2: ["-bf", "3", "-b-pyramid", "normal"]}  # x264 delay: 0, 1, 2 (pyramid)


@dataclass(frozen=True)
class StreamMatch:
    """What an encoded piece must share with the source's copied pictures."""

    profile: str
    level: int | None  # 31 for level 3.1
    pix_fmt: str
    width: int
    height: int
    delay: int  # frames between decoding and display order (B-frames)
    timescale: int  # the source track's time base denominator
    colour: tuple[str, ...]  # -color_range/-colorspace/-color_primaries/-color_trc as the source says

    def encoder(self) -> list[str]:
        level = ["-level:v", f"{self.level // 10}.{self.level % 10}"] if self.level and self.level > 0 else []
        return ["-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF), "-profile:v", self.profile, *level,
                "-pix_fmt", self.pix_fmt, *B_FRAMES[self.delay], "-g", "100000", "-sc_threshold", "0",
                *self.colour, "-fps_mode", "passthrough", "-x264-params", "sps-id=1"]


@dataclass(frozen=True)
class Piece:
    copy: bool  # copied packet for packet, or decoded and encoded again
    start: float  # its first frame's time, seconds from the media's start
    count: int  # frames (encoded) or packets in decoding order (copied)
    duration: float  # up to the next piece's first frame


@dataclass(frozen=True)
class CutPlan:
    first: float  # the clip's first frame
    after: float  # the frame after its last (where the next picture would start)
    pieces: tuple[Piece, ...]

    @property
    def duration(self) -> float:
        return self.after - self.first

    @property
    def encoded_s(self) -> float:
        return sum(p.duration for p in self.pieces if not p.copy)


def stream_match(media: Path) -> StreamMatch:
    """The source's video as an encoder must reproduce it; UnsupportedCodec when libx264 cannot."""
    import av  # deferred: PyAV takes 0.1 s to import, and only rendering needs it here

    with av.open(str(media)) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        profile = X264_PROFILES.get((ctx.profile or "").lower())
        problem = (f"its video is {ctx.name}, not H.264" if ctx.name != "h264" else
                   f"its H.264 profile {ctx.profile!r} has no libx264 match" if profile is None else
                   f"its pixel format {ctx.pix_fmt} has no libx264 match" if ctx.pix_fmt not in X264_PIX_FMTS else "")
        delay = _reorder_delay(container, stream) if not problem else 0
        if not problem and delay not in B_FRAMES:
            problem = f"its B-frames reorder {delay} frames (libx264 matches up to 2)"
        if problem:
            raise UnsupportedCodec(f"{media.name}: fast mode re-encodes the frames around each cut to match the "
                                   f"source, but {problem}: use accurate mode")
        colour = _colour_args(ctx)
        return StreamMatch(profile or "high", ctx.level, ctx.pix_fmt or "yuv420p", ctx.width, ctx.height, delay,
                           int(stream.time_base.denominator) if stream.time_base else 90000, colour)


def _reorder_delay(container: object, stream: object) -> int:
    """Frames of delay between decoding and display: (pts - dts) of a keyframe that follows a closed GOP."""
    delays = []
    rate = float(getattr(stream, "average_rate", 0) or 25)
    tb = getattr(stream, "time_base", None)
    for n, packet in enumerate(container.demux(stream)):  # type: ignore[attr-defined]
        if packet.is_keyframe and packet.pts is not None and packet.dts is not None and tb is not None:
            delays.append(round(float((packet.pts - packet.dts) * tb) * rate))
        if n > 600 or len(delays) >= 3:
            break
    return max(delays, default=0)


def _colour_args(ctx: object) -> tuple[str, ...]:
    args: list[str] = []
    for option, attr in (("-color_range", "color_range"), ("-colorspace", "colorspace"),
                         ("-color_primaries", "color_primaries"), ("-color_trc", "color_trc")):
        value = getattr(ctx, attr, None)
        code = int(getattr(value, "value", value) or 0)
        if code not in (0, 2):  # 0: range unspecified; 2: colour "unspecified": leave the encoder's default
            args += [option, str(code)]
    return tuple(args)


def plan_cut(media: Path, start: float, end: float) -> CutPlan:
    """The clip's frames and keyframes, found by demuxing from the keyframe before `start`, as pieces."""
    packets = _scan(media, start, end, seek=start > 0)
    if not packets or not packets[0][1] or packets[0][0] > start + TOL:  # a sparse index overshot the seek
        packets = _scan(media, start, end, seek=False)
    frames = sorted(t for t, _ in packets)
    chosen = [t for t in frames if start - TOL <= t < end - TOL]
    if not chosen:
        raise InvalidClip(f"{media.name} {start:.3f}-{end:.3f} s: no frame starts in this range")
    first = chosen[0]
    later = [t for t in frames if t > chosen[-1] + TOL]
    after = later[0] if later else chosen[-1] + (chosen[-1] - chosen[-2] if len(chosen) > 1 else 1 / 25)
    order = {t: i for i, (t, key) in enumerate(packets) if key}
    keys = sorted(t for t in order if first - TOL <= t <= after + TOL)
    return CutPlan(first, after, tuple(_pieces(chosen, first, after, keys, order)))


def _pieces(chosen: list[float], first: float, after: float, keys: list[float],
            order: dict[float, int]) -> list[Piece]:
    if not keys:
        return [Piece(False, first, len(chosen), after - first)]
    ka, kb = keys[0], keys[-1]
    pieces = []
    if ka > first + TOL:
        pieces.append(Piece(False, first, sum(1 for t in chosen if t < ka - TOL), ka - first))
    if kb > ka + TOL:
        pieces.append(Piece(True, ka, order[kb] - order[ka], kb - ka))
    if kb < after - TOL:
        pieces.append(Piece(False, kb, sum(1 for t in chosen if t >= kb - TOL), after - kb))
    return pieces


def _scan(media: Path, start: float, end: float, seek: bool) -> list[tuple[float, bool]]:
    """(time, keyframe) of each video packet in decoding order, from the keyframe before `start` to the first
    keyframe at or after `end` (closed groups of pictures: every frame shown before it is decoded before it)."""
    import av  # deferred: PyAV takes 0.1 s to import, and only rendering needs it here

    out: list[tuple[float, bool]] = []
    with av.open(str(media)) as container:
        stream = container.streams.video[0]
        base, tb = (container.start_time or 0) / 1_000_000, stream.time_base
        if tb is None:
            raise RenderError(f"{media.name}: its video stream has no time base")
        if seek:
            container.seek(int((start + base) / tb), stream=stream, backward=True)
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None:
                continue
            t = float(packet.pts * tb) - base
            if packet.is_keyframe and out and t >= end - TOL:
                out.append((t, True))
                break
            out.append((t, bool(packet.is_keyframe)))
    return out


TS_PACKET = 188
NULL_PACKET = b"\x47\x1f\xff\x10" + b"\xff" * (TS_PACKET - 4)  # PID 0x1FFF: every demuxer skips it
MIN_PACKETS = 64


def _padded(piece: Path) -> None:
    """A piece of one or two small frames is a few MPEG-TS packets, which ffmpeg's probe took for an MPEG program
    stream (score 25): the concat read no frame of it and none after it, and the reel lost its picture from there,
    silently. Null packets after it make enough of a transport stream to be known as one."""
    size = piece.stat().st_size
    if size < MIN_PACKETS * TS_PACKET:
        with piece.open("ab") as f:
            f.write(NULL_PACKET * (MIN_PACKETS - size // TS_PACKET))


def cut_video(clips: Sequence[tuple[Path, CutPlan, StreamMatch]], work: Path) -> Path:
    """Every clip's pieces (encoded to match its source, or copied) in one ffmpeg run, and the concat listing that
    joins them."""
    inputs: list[str] = []
    outputs: list[str] = []
    listing = ["ffconcat version 1.0"]
    n = 0
    for media, plan, match in clips:
        for piece in plan.pieces:
            name = f"p{n:04d}.ts"
            inputs += seek_input(media, piece.start, piece.duration, "-an", "-sn", "-dn")
            how = ["-c:v", "copy"] if piece.copy else match.encoder()
            outputs += ["-map", f"{n}:v:0", *how, "-frames:v", str(piece.count), "-f", "mpegts", str(work / name)]
            listing += [f"file {name}", f"duration {piece.duration:.6f}"]
            n += 1
    run([*inputs, *outputs])
    for k in range(n):
        _padded(work / f"p{k:04d}.ts")
    path = work / "video.ffconcat"
    path.write_text("\n".join(listing) + "\n")
    return path
