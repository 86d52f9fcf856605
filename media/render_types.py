"""What a render takes and gives: clips, options, the result, and the render errors.

    MediaError
    └── RenderError              a reel that cannot be rendered as asked
        ├── EmptyReel            no clips
        ├── InvalidClip          a negative or empty range, or one past the media's end
        ├── MissingMedia         the clip's media file does not exist
        ├── NoVideoStream        audio-only media
        ├── UnsupportedCodec     a codec ffmpeg cannot decode, or (fast mode) video libx264 cannot match
        ├── IncompatibleSources  fast mode over sources whose video streams cannot join
        └── OutputNotAllowed     an output outside the allowed directory, over a source, or not .mp4/.m4v/.mov
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from media.captions import Cue
from media.errors import MediaError

CaptionMode = Literal["burn", "sidecar", "none"]
RenderProgress = Callable[[float], None]  # fraction of the reel done, 0..1
OUTPUT_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov"}  # container by file suffix
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")


RenderMode = Literal["accurate", "fast"]  # all re-encoded, or smart cut (copied between keyframes)


class RenderError(MediaError):
    """A reel that cannot be rendered as asked."""


class EmptyReel(RenderError):
    """No clips."""


class InvalidClip(RenderError):
    """A negative or empty range, or one past the media's end."""


class MissingMedia(RenderError):
    """The clip's media file does not exist."""


class NoVideoStream(RenderError):
    """Audio-only media."""


class UnsupportedCodec(RenderError):
    """A codec ffmpeg cannot decode, or (fast mode) video whose cuts libx264 cannot encode to match."""


class IncompatibleSources(RenderError):
    """Fast mode over sources whose video streams differ."""


class OutputNotAllowed(RenderError):
    """An output outside the allowed directory, over a source, or of an unsupported container."""


@dataclass(frozen=True)
class ClipSource:
    media: Path
    start: float  # seconds from the start of the media
    end: float
    label: str = ""
    title: str | None = None  # text of a title card shown before the clip (accurate mode)
    cues: tuple[Cue, ...] = ()  # captions of this media in source time; cut to the clip and re-based on render


@dataclass(frozen=True)
class RenderOptions:
    width: int | None = None  # output size; default: the largest source, fitted within 1280x720
    height: int | None = None
    fps: float | None = None  # default: the sources' own when they share one of at most 30 fps, else 25 or 30
    sample_rate: int = 48000  # AAC stereo
    fast: bool = False  # smart cut: same cuts, video copied between keyframes; no normalising, titles, burned captions
    captions: CaptionMode = "none"
    fade_s: float = 0.03  # audio fade in and out at each cut, so no click is heard
    title_s: float = 2.0
    preset: str = "veryfast"  # libx264 preset
    crf: int = 23
    audio_bitrate: str = "160k"

    def __post_init__(self) -> None:
        w, h = self.width, self.height
        for bad, problem in (
            ((w is None) != (h is None), "give both width and height, or neither"),
            (w is not None and h is not None and not (16 <= w <= 3840 and 16 <= h <= 2160 and w % 2 == h % 2 == 0),
             f"output size {w}x{h}: need even numbers within 3840x2160"),
            (self.fps is not None and not 1 <= self.fps <= 120, f"frame rate {self.fps}: need 1 to 120"),
            (self.captions not in ("burn", "sidecar", "none"), f"captions {self.captions!r}: burn, sidecar or none"),
            (self.preset not in PRESETS, f"unknown x264 preset {self.preset!r}"),
            (not 8000 <= self.sample_rate <= 96000, f"sample rate {self.sample_rate}: need 8000 to 96000"),
            (not (0 <= self.fade_s <= 1 and 0.5 <= self.title_s <= 10), "fade (0-1 s) or title length (0.5-10 s)"),
        ):
            if bad:
                raise RenderError(problem)


@dataclass(frozen=True)
class RenderedClip:
    label: str
    requested_in: float
    requested_out: float
    source_in: float  # where the cut really is (fast mode: the clip's first frame; out: the frame after its last)
    source_out: float
    reel_start: float  # where the clip's first frame sits in the output (after its title card)
    reel_end: float

    @property
    def snapped(self) -> bool:
        return abs(self.source_in - self.requested_in) > 1e-3 or abs(self.source_out - self.requested_out) > 1e-3


@dataclass(frozen=True)
class RenderResult:
    path: Path
    mode: RenderMode
    duration: float  # probed from the output
    width: int
    height: int
    fps: float
    clips: tuple[RenderedClip, ...]
    cues: tuple[Cue, ...]  # the captions on the reel's timeline
    sidecars: tuple[Path, ...]  # .srt and .vtt beside the output when captions="sidecar"
    warnings: tuple[str, ...]
    elapsed_s: float


@dataclass(frozen=True)
class OutputFormat:
    width: int
    height: int
    fps: float


