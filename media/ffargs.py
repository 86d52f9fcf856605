"""ffmpeg argument lists and filter-graph pieces for rendering: inputs, per-clip filters, title cards, encoders.

User text never enters a filter string: title cards and captions are written to files in the render's private work
directory, and only their paths go into the graph, escaped by `filter_value`.
"""

from __future__ import annotations

import math
import subprocess
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from media.captions import Cue, write_srt
from media.errors import FfmpegError
from media.ffmpeg import run, source_input
from media.render_types import OUTPUT_FORMATS, OutputFormat, RenderOptions
from media.timecode import frame_rate

CARD_COLOUR = "0x1c2541"


def video_filter(i: int, span: float, fmt: OutputFormat) -> str:
    """The clip's picture on the input's clock, where 0 is the in point (ffmpeg's input seek makes it so, for both
    streams alike): a picture that starts after the sound (a camera's late first frame, a clip from 0 of such a
    file) is padded with its first frame, never moved onto the sound's start (it played 0.5 s early)."""
    w, h = fmt.width, fmt.height
    # the second trim: a first frame a fraction of a frame after 0 (AAC's priming in Matroska) made one frame more
    # round=down: the first frame, up to a frame after 0, fills the first slot (rounded to the nearest, one half a
    # frame late moved to the second slot, and the first slot showed it twice)
    return (f"[{i}:v:0]trim=start=0:end={span:.6f},fps={rate_text(fmt.fps)}:start_time=0:round=down,"
            f"trim=end={span:.6f},"
            f"scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,"
            f"setsar=1,format=yuv420p[v{i}]")


def rate_text(fps: float) -> str:
    """A frame rate as ffmpeg should read it: NTSC's exactly (29.97 written as a decimal was read as 2997/100)."""
    exact = frame_rate(fps).exact
    return f"{exact.numerator}/{exact.denominator}"


def audio_filter(source: str | None, span: float, opts: RenderOptions, label: str) -> str:
    """Exactly `span` seconds of 48 kHz stereo (silence for a silent source), faded in and out, on the input's
    clock as video_filter's picture is: sound that starts after the in point (a capture whose sound comes late) is
    padded with silence, never moved onto the clip's first frame (it played 0.48 s early)."""
    rate = opts.sample_rate
    head = source or f"anullsrc=r={rate}:cl=stereo,"
    start = f"atrim=start=0:end={span:.6f},aresample={rate}:first_pts=0" if source else \
        f"atrim=duration={span:.6f},aresample={rate}"
    chain = (f"{head}{start},"
             f"aformat=sample_fmts=fltp:sample_rates={rate}:channel_layouts=stereo,"
             f"apad=whole_dur={span:.6f},atrim=duration={span:.6f}")
    fade = min(opts.fade_s, span / 4)
    if fade > 0:
        chain += f",afade=t=in:d={fade:.4f},afade=t=out:st={span - fade:.6f}:d={fade:.4f}"
    return chain + label


def burn_captions(graph: list[str], cues: Sequence[Cue], work: Path) -> str:
    if not cues:
        return "[vcat]"
    subs = work / "burn.srt"
    subs.write_text(write_srt(cues), encoding="utf-8")
    style = filter_value("Fontsize=18,BorderStyle=3,Outline=1,Shadow=0,MarginV=12")  # a dark box behind the text
    graph.append(f"[vcat]subtitles=filename={filter_value(str(subs))}:charenc=UTF-8:force_style={style}[vout]")
    return "[vout]"


def title_card(i: int, text: str, opts: RenderOptions, fmt: OutputFormat, work: Path, text_ok: bool) -> list[str]:
    size = f"{fmt.width}x{fmt.height}"
    card = f"color=c={CARD_COLOUR}:s={size}:r={rate_text(fmt.fps)}:d={opts.title_s:.3f},setsar=1,format=yuv420p"
    if text_ok:
        card += "".join("," + f for f in card_text(i, text, fmt, work))
    silence = f"anullsrc=r={opts.sample_rate}:cl=stereo,atrim=duration={opts.title_s:.3f},aformat=sample_fmts=fltp"
    return [card + f"[tv{i}]", silence + f"[ta{i}]"]


def card_text(i: int, text: str, fmt: OutputFormat, work: Path) -> list[str]:
    """One centred drawtext per line; each line is read from a file, so no user text meets the filter syntax."""
    size = max(12, fmt.height // 14)
    lines = textwrap.wrap(" ".join(text.split()), width=max(12, int(fmt.width / (size * 0.62))))[:5] or [" "]
    step = int(size * 1.5)
    top = (fmt.height - step * len(lines)) // 2
    filters = []
    for n, line in enumerate(lines):
        path = work / f"title_{i}_{n}.txt"
        path.write_text(line, encoding="utf-8")
        # expansion=none: drawtext would otherwise run %{...} sequences in the text as functions
        filters.append(f"drawtext=textfile={filter_value(str(path))}:expansion=none:font=Sans:fontsize={size}:"
                       f"fontcolor=white:x=(w-text_w)/2:y={top + n * step}")
    return filters


def undrawable(text: str) -> str:
    """The characters of `text` that the title cards' font lacks, in order, once each: drawtext draws them as boxes
    ("中文标题" as "□□□□") and said nothing. Empty where fontconfig's fc-match is not there to ask."""
    covered = _font_charset()
    if covered is None:
        return ""
    missing = [c for c in text if not c.isspace() and not any(lo <= ord(c) <= hi for lo, hi in covered)]
    return "".join(dict.fromkeys(missing))


@lru_cache(maxsize=1)
def _font_charset() -> tuple[tuple[int, int], ...] | None:
    """The code point ranges of the font fontconfig gives drawtext for "Sans" (fc-match's charset: "20-7e a0-2e9
    ..."); None without fc-match."""
    try:
        done = subprocess.run(["fc-match", "Sans", "--format=%{charset}"], capture_output=True, text=True,
                              timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    ranges = []
    for part in done.stdout.split():
        lo, _, hi = part.partition("-")
        ranges.append((int(lo, 16), int(hi or lo, 16)))
    return tuple(ranges)


@lru_cache(maxsize=1)
def drawtext_works() -> bool:
    """drawtext needs ffmpeg built with libfreetype and a font that fontconfig can find; try it once."""
    try:
        run(["-f", "lavfi", "-i", "color=c=black:s=64x64:d=0.1,drawtext=text=A:font=Sans", "-frames:v", "1",
             "-f", "null", "-"])
    except FfmpegError:
        return False
    return True


def video_encoder(opts: RenderOptions, fmt: OutputFormat) -> list[str]:
    return ["-c:v", "libx264", "-preset", opts.preset, "-crf", str(opts.crf), "-pix_fmt", "yuv420p",
            "-r", rate_text(fmt.fps)]


def container(part: Path) -> list[str]:
    # faststart moves the index to the front, so a browser can play the download before it has all of it
    return ["-map_metadata", "-1", "-movflags", "+faststart", "-f", OUTPUT_FORMATS[part.suffix.lower()], str(part)]


def audio_encoder(opts: RenderOptions) -> list[str]:
    # the native AAC encoder's default coder runs at about 10-16x real time here, which alone would cap the fast
    # mode; its "fast" coder is 2-3x quicker, and leaving out its search for mid/side stereo halves what is left
    # (180 s of speech: 8.4 -> 4.4 CPU s): each channel then gets half of the bit rate, 80k at 160k, plenty for speech
    coder = ["-aac_coder", "fast", "-aac_ms", "0"] if opts.fast else []
    return ["-c:a", "aac", *coder, "-b:a", opts.audio_bitrate, "-ar", str(opts.sample_rate), "-ac", "2"]


def filter_value(text: str) -> str:
    """Escape a value for a filter option inside a filter graph: two levels of ffmpeg escaping.

    Level one quotes the option value (a quote inside is closed, escaped and reopened); level two escapes what the
    graph parser treats specially, so `'`, `:`, `,`, `;`, `[`, `]` and `\\` in a path all reach the filter intact.
    """
    quoted = "'" + text.replace("'", "'\\''") + "'"
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in quoted)


def file_url(path: Path) -> str:
    return "file:" + str(path.resolve())


def seek_input(media: Path, at: float, span: float | None, *flags: str) -> list[str]:
    """Input options for one clip; `-an`/`-vn` stop the demuxer reading a stream at all (many inputs stay fast)."""
    # rounded down to the microsecond: in fast mode the seek must land on the keyframe itself, never after it
    seek = ["-ss", f"{math.floor(at * 1e6) / 1e6:.6f}"] if at > 0 else []
    limit = ["-t", f"{span + 0.5:.6f}"] if span is not None else []
    return [*seek, *limit, *flags, *source_input(media)]


# Containers without a seek index (broadcast captures: MPEG transport and program streams). ffmpeg's seek in them
# lands by byte position after the keyframe before the in point, and the frames up to the next keyframe cannot be
# decoded: a clip started up to a keyframe interval late, out of step with its sound. Fast mode copies whole GOPs
# from the keyframe a seek lands on, and lands exactly only in MP4/MOV: in Matroska (whose index lists some
# keyframes only) and the containers above it copied from an earlier keyframe and repeated frames.
UNINDEXED = frozenset({"mpegts", "mpeg"})
MP4_FAMILY = "mov"  # the demuxer name PyAV gives MP4, MOV and M4A: "mov,mp4,m4a,3gp,3g2,mj2"


def indexed_copy(media: Path, container_name: str, work: Path, copies: dict[Path, Path], fast: bool) -> Path:
    """The file to cut from: the media itself, or its streams copied (not encoded) into another container in the
    render's work directory, once per render, where its own seeks inexactly (UNINDEXED; in fast mode, anything but
    MP4/MOV). The copy starts at 0 on the clock the transcript's times count from, as the source does once ffmpeg
    opens it. Fast mode copies into MP4. Accurate mode copies into Matroska: in MP4 the seek lands on the keyframe
    whose decode time comes before the in point, and an open-GOP MPEG-2 stream's leading B-frames were lost (cuts
    2-3 frames late); Matroska's lands a keyframe earlier, and decoding from there drops nothing. Where the copy
    fails all the same, accurate mode cuts from the source itself, as it did before copies."""
    kind = container_name.split(",")[0]
    if not (kind in UNINDEXED or fast and kind != MP4_FAMILY):
        return media
    source = media.resolve()
    if source not in copies:
        copy = work / f"source-{len(copies)}{'.mp4' if fast else '.mkv'}"
        try:
            # genpts: a program stream's packets may carry no timestamp, which Matroska cannot write
            run(["-fflags", "+genpts", *source_input(source), "-map", "0:v:0?",
                 "-map", "0:a:0?", "-c", "copy", "-f", "mp4" if fast else "matroska", str(copy)])
            copies[source] = copy
        except FfmpegError:
            if fast:
                raise
            copies[source] = source
    return copies[source]
