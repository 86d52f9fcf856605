"""Links that open a video at a moment: YouTube watch and embed URLs, and media fragments for local files.

- YouTube: `https://www.youtube.com/watch?v=ID&t=83s` and `https://www.youtube.com/embed/ID?start=83&end=97`
  (whole seconds: the start rounded down so the moment is not missed, the end rounded up);
- local media: the media URL with a `#t=83.2,97.0` fragment, which browsers' players honour.
"""

from __future__ import annotations

import math

from indexer.models import Video


def clock(seconds: float) -> str:
    """1:23, or 1:02:03 past an hour (whole seconds, rounded down; negative times read as 0:00)."""
    s = max(int(seconds), 0)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def youtube_video_id(video: Video) -> str | None:
    return video.id[3:] if video.id.startswith("yt:") else None


def watch_links(video: Video, start: float, end: float, media_url: str | None = None) -> dict[str, str]:
    """`watch` (when the video can be opened anywhere), `embed` for YouTube videos; media_url: its local media."""
    start, end = max(start, 0.0), max(end, start)
    yt = youtube_video_id(video)
    if yt:
        first, last = math.floor(start), max(math.ceil(end), math.floor(start) + 1)
        return {"watch": f"https://www.youtube.com/watch?v={yt}&t={first}s",
                "embed": f"https://www.youtube.com/embed/{yt}?start={first}&end={last}"}
    fragment = f"#t={start:.1f},{end:.1f}"
    if media_url:
        return {"watch": media_url + fragment}
    if video.url:
        return {"watch": video.url + fragment}
    return {}
