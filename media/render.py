"""Rendering a reel of clips to one MP4: by re-encoding everything, or fast by a smart cut of the sources' video.

Why two modes: producers want a correct reel (every cut on the requested frame, sources of any shape normalised to
one format, no click at a cut), which a full re-encode gives for any sources; when the sources share one H.264
format, the fast mode cuts on the same frames many times quicker by copying the video between keyframes and
encoding only the frames around each cut (`smartcut.py`). Audio is always decoded and re-cut to the video's exact
span, so sound and picture stay in step across every cut in both modes.

Safety: user text (title cards, captions) never enters a filter string. It goes into files written in a private
work directory, and only those paths go into the graph, escaped for both levels of ffmpeg's filter syntax. Every
file is written inside that directory (beside the output, so the final rename is atomic) and the directory is removed
whatever happens: a failed render leaves nothing behind. The types and the error tree are in `render_types.py`,
the argument and filter builders in `ffargs.py`.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Literal

from media.captions import Cue, write_srt, write_vtt
from media.ffargs import (
    audio_encoder,
    audio_filter,
    burn_captions,
    container,
    drawtext_works,
    file_url,
    filter_value,
    indexed_copy,
    seek_input,
    title_card,
    undrawable,
    video_encoder,
    video_filter,
)
from media.ffmpeg import MediaInfo, probe, run, turned
from media.render_types import (
    OUTPUT_FORMATS,
    CaptionMode,
    ClipSource,
    EmptyReel,
    IncompatibleSources,
    InvalidClip,
    MissingMedia,
    NoVideoStream,
    OutputFormat,
    OutputNotAllowed,
    RenderedClip,
    RenderError,
    RenderMode,
    RenderOptions,
    RenderProgress,
    RenderResult,
    UnsupportedCodec,
)
from media.smartcut import cut_video, plan_cut, stream_match
from media.timecode import frame_rate
from media.timeline import FRAME_TOL_S, Placement, rebase_cues, reel_span, render_rate

# the names callers import from here: render_reel and what it takes and gives
__all__ = ["CaptionMode", "ClipSource", "EmptyReel", "IncompatibleSources", "InvalidClip", "MissingMedia",
           "NoVideoStream", "OutputNotAllowed", "RenderError", "RenderMode", "RenderOptions", "RenderResult",
           "RenderedClip", "UnsupportedCodec", "WORK_PREFIX", "decodable", "filter_value", "render_reel"]

WORK_PREFIX = ".clipindex-render-"  # a render's working folder beside its output (a killed server's is swept)
SIDECARS = (".srt", ".vtt")  # the caption files a render writes beside its MP4 (captions="sidecar"), named after it
END_SLACK_S = 0.05  # containers round durations; a clip may end this far past the probed end


def render_reel(
    clips: Sequence[ClipSource],
    out: Path,
    opts: RenderOptions | None = None,
    progress: RenderProgress | None = None,
    *,
    allowed_dir: Path,
) -> RenderResult:
    """Render the clips in order to `out` (which must lie inside `allowed_dir`), atomically."""
    started = time.monotonic()
    opts = opts or RenderOptions()
    target = confine_output(out, allowed_dir)
    infos = check_clips(clips)
    if any(target == c.media.resolve() for c in clips):
        raise OutputNotAllowed(f"{target.name}: the output would overwrite one of the reel's sources")
    _check_fast(clips, infos, opts)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=WORK_PREFIX) as tmp:
        work = Path(tmp).resolve()
        part = work / f"reel{target.suffix}"
        copies: dict[Path, Path] = {}
        clips = [replace(c, media=indexed_copy(c.media, i.container, work, copies, opts.fast))
                 for c, i in zip(clips, infos)]
        render = _render_fast if opts.fast else _render_accurate
        placed, fmt, warnings = render(clips, infos, opts, work, part, progress or (lambda _: None))
        cues = _reel_cues(clips, placed)
        if opts.captions != "none" and not cues:
            warnings += ("no captions fall inside the clips",)
        duration = probe(part).duration
        sidecars = _write_sidecars(cues, work, target) if opts.captions == "sidecar" else []
        os.replace(part, target)
        for written, final in sidecars:
            os.replace(written, final)
        warnings += _stale_sidecars(target) if opts.captions != "sidecar" else ()
    mode: Literal["accurate", "fast"] = "fast" if opts.fast else "accurate"
    return RenderResult(target, mode, duration, fmt.width, fmt.height, fmt.fps, tuple(placed), tuple(cues),
                        tuple(final for _, final in sidecars), warnings, time.monotonic() - started)


def _reel_cues(clips: Sequence[ClipSource], placed: Sequence[RenderedClip]) -> list[Cue]:
    spans = [Placement(p.reel_start, p.source_in, p.source_out) for p in placed]
    return rebase_cues(spans, [c.cues for c in clips])


def confine_output(out: Path, allowed_dir: Path) -> Path:
    """The resolved output path, which must lie inside allowed_dir and name a supported container."""
    root = allowed_dir.resolve()
    target = out.resolve()
    if target == root or not target.is_relative_to(root):
        raise OutputNotAllowed(f"{out}: the output must be inside {root}")
    if target.suffix.lower() not in OUTPUT_FORMATS:
        raise OutputNotAllowed(f"{target.name}: the output must end in {', '.join(OUTPUT_FORMATS)}")
    if target.is_dir() or not target.parent.is_dir():
        raise OutputNotAllowed(f"{target}: is a directory, or its directory does not exist")
    return target


def check_clips(clips: Sequence[ClipSource]) -> list[MediaInfo]:
    """Probe each clip's media and check its range; returns the infos in clip order."""
    if not clips:
        raise EmptyReel("the reel has no clips")
    infos: dict[Path, MediaInfo] = {}
    for i, clip in enumerate(clips, 1):
        path = clip.media.resolve()
        if path not in infos:
            infos[path] = _probe_video(path, i)
        _check_range(clip, infos[path], i)
    return [infos[c.media.resolve()] for c in clips]


def _probe_video(path: Path, index: int) -> MediaInfo:
    if not path.is_file():
        raise MissingMedia(f"clip {index}: media {path.name} does not exist")
    info = probe(path)
    if not info.has_video:
        raise NoVideoStream(f"clip {index}: {path.name} has no video stream")
    info = turned(path, info)  # an upright phone video makes an upright reel (it was pillarboxed in landscape)
    for kind, codec in (("video", info.video_codec), ("audio", info.audio_codec)):
        if codec is not None and not decodable(codec):
            raise UnsupportedCodec(f"clip {index}: {path.name}: ffmpeg cannot decode its {kind} codec {codec!r}")
    return info


def decodable(codec: str) -> bool:
    import av  # deferred: PyAV takes 0.1 s to import, and only rendering needs it here

    try:
        av.codec.Codec(codec, "r")
    except av.codec.codec.UnknownCodecError:
        return False
    return True


def _check_range(clip: ClipSource, info: MediaInfo, index: int) -> None:
    where = f"clip {index} ({clip.media.name} {clip.start:.3f}-{clip.end:.3f} s)"
    if not (math.isfinite(clip.start) and math.isfinite(clip.end)) or clip.start < 0 or clip.end < 0:
        raise InvalidClip(f"{where}: times must be finite and not negative")
    if clip.end - clip.start < 1 / (info.fps or 30) - 1e-6:  # 0.5 - 0.4 is 0.0999...: one frame at 10 fps
        raise InvalidClip(f"{where}: the range is empty (a clip lasts at least one frame)")
    if clip.end > info.duration + END_SLACK_S:
        raise InvalidClip(f"{where}: ends past the end of the media ({info.duration:.3f} s)")


def _check_fast(clips: Sequence[ClipSource], infos: Sequence[MediaInfo], opts: RenderOptions) -> None:
    if not opts.fast:
        return
    if opts.captions == "burn":
        raise RenderError("burned-in captions need a re-encode: use accurate mode (not --fast)")
    if any(c.title for c in clips):
        raise RenderError("title cards need a re-encode: use accurate mode (not --fast)")
    for clip, info in zip(clips, infos):
        if info.rotation:  # its copied pictures would play turned: the encoded ones are turned upright
            raise IncompatibleSources(f"fast mode copies the source's own pictures, but {clip.media.name} is "
                                      f"stored turned by {info.rotation} degrees (a phone's video) and would change "
                                      "orientation at each copied stretch: use accurate mode")
    signatures: dict[tuple[object, ...], str] = {}
    for clip in clips:
        signatures.setdefault(_video_signature(clip.media), clip.media.name)  # UnsupportedCodec if unmatched
    if len(signatures) > 1:
        (first, a), (second, b) = list(signatures.items())[:2]
        differ = "; ".join(f"{what}: {x} in {a}, {y} in {b}" for what, x, y in zip(SIGNATURE, first, second) if x != y)
        raise IncompatibleSources(f"fast mode joins pieces of the sources' own video, so every source must have "
                                  f"the same codec, size, pixel format, frame rate and B-frames, but {differ}: use "
                                  "accurate mode")


def output_format(infos: Sequence[MediaInfo], opts: RenderOptions) -> OutputFormat:
    """The reel's size and rate: as asked, else the largest source fitted within 1280x720 (720x1280 upright)."""
    fps = opts.fps or render_rate(i.fps or 0.0 for i in infos)
    if opts.width and opts.height:
        return OutputFormat(opts.width, opts.height, fps)
    w, h = max(((i.width or 0, i.height or 0) for i in infos), key=lambda s: s[0] * s[1])
    box = (1280, 720) if w >= h else (720, 1280)
    scale = min(1.0, box[0] / max(w, 1), box[1] / max(h, 1))
    return OutputFormat(max(16, int(w * scale) // 2 * 2), max(16, int(h * scale) // 2 * 2), fps)


# --- accurate mode: one ffmpeg run; each clip trimmed and normalised in one filter graph, then concatenated ---


def _render_accurate(
    clips: Sequence[ClipSource], infos: Sequence[MediaInfo], opts: RenderOptions, work: Path, part: Path,
    progress: RenderProgress,
) -> tuple[list[RenderedClip], OutputFormat, tuple[str, ...]]:
    fmt = output_format(infos, opts)
    text_ok = drawtext_works() if any(c.title for c in clips) else True
    warnings: tuple[str, ...] = () if text_ok else (
        "title cards have no text: ffmpeg's drawtext filter or its fonts are missing",)
    warnings += tuple(f"the title card of clip {n} shows {missing!r} as boxes: the font fontconfig gives for Sans "
                      "lacks them (install one that has them, such as fonts-noto-cjk for Chinese and Japanese)"
                      for n, c in enumerate(clips, 1) if c.title and text_ok and (missing := undrawable(c.title)))
    args: list[str] = []
    graph: list[str] = []
    pads: list[str] = []
    placed: list[RenderedClip] = []
    at = 0.0
    for i, (clip, info) in enumerate(zip(clips, infos)):
        if clip.title:
            graph += title_card(i, clip.title, opts, fmt, work, text_ok)
            pads.append(f"[tv{i}][ta{i}]")
            at += opts.title_s
        # from the clip's first frame, for whole frames of the reel: picture and sound start and end together, as
        # in fast mode (from the in point, the first frame came a fraction of a frame late and was shown twice)
        first, span = _frames_shown(clip, info, fmt)
        args += seek_input(clip.media, max(first - FRAME_TOL_S, 0.0), span)
        graph += [video_filter(i, span, fmt), audio_filter(
            f"[{i}:a:0]" if info.has_audio else None, span, opts, f"[a{i}]")]
        pads.append(f"[v{i}][a{i}]")
        placed.append(RenderedClip(clip.label, clip.start, clip.end, first, first + span, at, at + span))
        at += span
    graph.append(f"{''.join(pads)}concat=n={len(pads)}:v=1:a=1[vcat][acat]")
    video = burn_captions(graph, _reel_cues(clips, placed), work) if opts.captions == "burn" else "[vcat]"
    args += ["-filter_complex", ";".join(graph), "-map", video, "-map", "[acat]", *video_encoder(opts, fmt),
             *audio_encoder(opts), *container(part)]
    run(args, progress=lambda s: progress(min(s / at, 1.0)))
    return placed, fmt, warnings


def _frames_shown(clip: ClipSource, info: MediaInfo, fmt: OutputFormat) -> tuple[float, float]:
    """The time of the clip's first frame, and its length on the reel (timeline.reel_span)."""
    fps = info.fps or fmt.fps
    return reel_span(clip.start, min(clip.end, info.duration), fps, fmt.fps, frame_rate(fps).frame(info.duration))


# --- fast mode: smart cut (media/smartcut.py): encode around each cut, copy between keyframes; audio re-cut exactly ---


def _render_fast(
    clips: Sequence[ClipSource], infos: Sequence[MediaInfo], opts: RenderOptions, work: Path, part: Path,
    progress: RenderProgress,
) -> tuple[list[RenderedClip], OutputFormat, tuple[str, ...]]:
    matches = {c.media.resolve(): stream_match(c.media) for c in clips}
    plans = [plan_cut(c.media, c.start, min(c.end, i.duration)) for c, i in zip(clips, infos)]
    placed: list[RenderedClip] = []
    for clip, plan in zip(clips, plans):
        at = placed[-1].reel_end if placed else 0.0
        placed.append(RenderedClip(clip.label, clip.start, clip.end, plan.first, plan.after, at, at + plan.duration))
    sound = work / "sound.m4a"
    # the pictures are cut in a second ffmpeg process while this thread encodes the sound (AAC: single-threaded, and
    # the slowest part); progress is reported from the caller's thread only (a job's store connection lives there)
    with ThreadPoolExecutor(max_workers=1) as pool:
        cutting = pool.submit(cut_video, [(c.media, p, matches[c.media.resolve()]) for c, p in zip(clips, plans)],
                              work)
        _encode_sound(clips, infos, placed, opts, sound, progress)
        listing = cutting.result()
    run(["-f", "concat", "-safe", "1", "-protocol_whitelist", "file", "-i", file_url(listing),
         "-protocol_whitelist", "file", "-i", file_url(sound), "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
         "-video_track_timescale", str(matches[clips[0].media.resolve()].timescale), *container(part)])
    fmt = OutputFormat(infos[0].width or 0, infos[0].height or 0, infos[0].fps or 0.0)
    return placed, fmt, ()


def _encode_sound(clips: Sequence[ClipSource], infos: Sequence[MediaInfo], placed: Sequence[RenderedClip],
                  opts: RenderOptions, out: Path, progress: RenderProgress) -> None:
    """Each clip's sound from its first frame for exactly its pictures' length, faded at the cuts, as one AAC track."""
    args: list[str] = []
    graph = []
    for i, (clip, info, cut) in enumerate(zip(clips, infos, placed)):
        span = cut.reel_end - cut.reel_start
        args += seek_input(clip.media, cut.source_in, span, "-vn")
        graph.append(audio_filter(f"[{i}:a:0]" if info.has_audio else None, span, opts, f"[a{i}]"))
    graph.append("".join(f"[a{i}]" for i in range(len(clips))) + f"concat=n={len(clips)}:v=0:a=1[acat]")
    total = placed[-1].reel_end
    run([*args, "-filter_complex", ";".join(graph), "-map", "[acat]", *audio_encoder(opts), "-f", "mp4", str(out)],
        progress=lambda s: progress(min(s / total, 0.99)))


SIGNATURE = ("codec", "width", "height", "pixel format", "frame rate", "B-frame delay (frames)")


def _video_signature(media: Path) -> tuple[object, ...]:
    """What must match for pieces of several sources to play as one stream: codec, size, pixel format, rate and
    B-frame delay. Profile, level and parameter sets may differ: each piece carries its own in the stream."""
    import av  # deferred: PyAV takes 0.1 s to import, and only rendering needs it here

    match = stream_match(media)
    with av.open(str(media)) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        return ctx.name, ctx.width, ctx.height, ctx.pix_fmt, round(float(stream.average_rate or 0), 2), match.delay


def _stale_sidecars(target: Path) -> tuple[str, ...]:
    """Remove the caption files an earlier render to the same name left beside it (NAME.srt, NAME.vtt), saying so:
    a render without them replaced the MP4 and left the old cut's captions beside the new one."""
    said = []
    for stale in map(target.with_suffix, SIDECARS):
        if stale.is_file():
            stale.unlink()
            said.append(f"removed {stale.name}, the captions of an earlier render to {target.name}")
    return tuple(said)


def _write_sidecars(cues: Sequence[Cue], work: Path, target: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for suffix, text in zip(SIDECARS, (write_srt(cues), write_vtt(cues)), strict=True):
        tmp = work / f"captions{suffix}"
        tmp.write_text(text, encoding="utf-8")
        pairs.append((tmp, target.with_suffix(suffix)))
    return pairs

