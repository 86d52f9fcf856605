"""Links that open a video at a moment, and the one clock format for people.

- YouTube: `https://www.youtube.com/watch?v=ID&t=83s` and `https://www.youtube.com/embed/ID?start=83&end=97`
  (whole seconds: the start rounded down so the moment is not missed, the end rounded up);
- local media: the media URL with a `#t=83.2,97.0` fragment, which browsers' players honour (tenths of a second,
  the start rounded down and the end up, as for YouTube).

YouTube ids are parsed in exactly one place, `media.sources.youtube_id`; `youtube_id` here also reads the
archive's own `yt:ID` video ids.
"""

from __future__ import annotations

import math
from pathlib import Path

from indexer.models import Video
from media.sources import youtube_id as _url_youtube_id


def clock(seconds: float) -> str:
    """1:23, or 1:02:03 past an hour (whole seconds, rounded down; negative times read as 0:00)."""
    s = max(int(seconds), 0)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def youtube_id(ref: str) -> str | None:
    """The YouTube id of a `yt:ID` video id or a YouTube URL, else None."""
    if ref.startswith("yt:"):
        return ref[3:] or None
    return _url_youtube_id(ref)


def watch_links(video: Video, start: float, end: float, media_url: str | None = None) -> dict[str, str]:
    """`watch` (when the video can be opened anywhere), `embed` for YouTube videos; media_url: its local media."""
    start, end = max(start, 0.0), max(end, start)
    yt = youtube_id(video.id)
    if yt:
        first, last = math.floor(start), max(math.ceil(end), math.floor(start) + 1)
        return {"watch": f"https://www.youtube.com/watch?v={yt}&t={first}s",
                "embed": f"https://www.youtube.com/embed/{yt}?start={first}&end={last}"}
    fragment = _fragment(start, end)
    if media_url:
        return {"watch": media_url + fragment}
    if video.url:
        return {"watch": video.url + fragment}
    return {}


def watch_url(ref: str, start: float, end: float | None = None, *, embed: bool = False) -> str:
    """Open a video (a `yt:ID`, a YouTube URL, or any media URL or path) at a moment. An open end gives `#t=83.2`."""
    start = max(start, 0.0)
    yt = youtube_id(ref)
    if yt:
        video = Video(f"yt:{yt}", ref, "")
        return watch_links(video, start, start + 1 if end is None else end)["embed" if embed else "watch"]
    base = ref.split("#")[0]
    return base + (f"#t={_down(start):.1f}" if end is None else _fragment(start, max(end, start)))


def media_url(data_dir: Path, video: Video, media_base: str | None = None) -> str | None:
    """Where a client can fetch the video's local media: `media_base/ID` over HTTP, else a file: URI."""
    if not video.media_path:
        return None
    if media_base is not None:
        return f"{media_base.rstrip('/')}/{video.id}"
    return (data_dir / video.media_path).resolve().as_uri()


def _fragment(start: float, end: float) -> str:
    """A media fragment to a tenth of a second, widened outwards (a start rounded up would cut the first word)."""
    return f"#t={_down(start):.1f},{math.ceil(round(end * 10, 6)) / 10:.1f}"


def _down(seconds: float) -> float:
    return math.floor(round(seconds * 10, 6)) / 10
