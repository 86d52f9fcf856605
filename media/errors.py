"""Errors raised by the media package; each message is one line meant for users.

    MediaError
    ├── SourceError            a source that cannot be used
    │   ├── UnsupportedSource  not a URL we accept nor an existing file we can read
    │   └── VideoUnavailable   private, removed, region-blocked or otherwise refused by the host
    ├── NotMedia               the file is not a media container ffmpeg can read (or is truncated/empty)
    ├── NoAudioStream          a media file without any audio stream
    ├── FfmpegError            ffmpeg ran and failed
    ├── CaptionError           a caption file that does not parse
    └── RenderError            a reel that cannot be rendered (its subclasses: media/render_types.py)
"""

from __future__ import annotations


class MediaError(Exception):
    """Base of every error the media package raises on purpose."""


class SourceError(MediaError):
    pass


class UnsupportedSource(SourceError):
    pass


class VideoUnavailable(SourceError):
    pass


class NotMedia(MediaError):
    pass


class NoAudioStream(MediaError):
    pass


class FfmpegError(MediaError):
    pass


class CaptionError(MediaError):
    pass
