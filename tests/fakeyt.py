"""A stand-in for YouTube: yt-dlp extractors that answer YouTube URLs from local files (tests never reach the network).

They plug into the real yt-dlp code path (format selection, downloader, subtitle writer) through file:// URLs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.utils import ExtractorError


class FakeYoutubeIE(InfoExtractor):
    _VALID_URL = r"https://www\.youtube\.com/watch\?v=(?P<id>[A-Za-z0-9_-]{11})"
    videos: dict[str, dict[str, Any]] = {}

    @classmethod
    def ie_key(cls) -> str:
        return "Youtube"

    def _real_extract(self, url: str) -> dict[str, Any]:
        video_id = self._match_id(url)
        if video_id not in self.videos:
            raise ExtractorError("Video unavailable. This video has been removed by the uploader", expected=True)
        spec = self.videos[video_id]
        if spec.get("private"):
            raise ExtractorError("Private video. Sign in if you've been granted access to this video", expected=True)
        if spec.get("premiere"):
            raise ExtractorError(f"{video_id}: Premieres in 10 hours", expected=True)
        media: Path = spec["media"]
        info: dict[str, Any] = {
            "id": video_id, "title": spec.get("title", "A report"), "channel": "City News",
            "upload_date": spec.get("upload_date", "20261101"), "duration": spec.get("duration"),
            "description": "Our report.", "language": spec.get("language", "en"),
            "webpage_url": url,
            "chapters": [{"start_time": 0.0, "end_time": 5.0, "title": "Flood"},
                         {"start_time": 5.0, "end_time": 12.0, "title": "Bridge"}],
            "formats": [
                {"format_id": "18", "url": media.as_uri(), "ext": "mp4", "vcodec": "h264", "acodec": "aac",
                 "height": 180, "width": 320},
                {"format_id": "140", "url": spec.get("audio", media).as_uri(), "ext": "m4a", "vcodec": "none",
                 "acodec": "aac"},
            ],
            "subtitles": {}, "automatic_captions": {},
            "is_live": bool(spec.get("live")), "live_status": "is_live" if spec.get("live") else "not_live",
        }
        for kind in ("subtitles", "automatic_captions"):
            for lang, path in spec.get(kind, {}).items():
                info[kind][lang] = [{"ext": "vtt", "url": path if isinstance(path, str) else Path(path).as_uri()}]
        return info


class FakeYoutubePlaylistIE(InfoExtractor):
    _VALID_URL = r"https://www\.youtube\.com/playlist\?list=(?P<id>[A-Za-z0-9_-]+)"
    playlists: dict[str, list[tuple[str, str]]] = {}  # id -> [(video id, upload date)]

    @classmethod
    def ie_key(cls) -> str:
        return "YoutubeTab"

    def _real_extract(self, url: str) -> dict[str, Any]:
        list_id = self._match_id(url)
        entries = [
            self.url_result(f"https://www.youtube.com/watch?v={vid}", "Youtube", vid, upload_date=date)
            for vid, date in self.playlists[list_id]
        ]
        return self.playlist_result(entries, list_id, "A playlist")


class FakeYoutubeChannelIE(InfoExtractor):
    """A channel's root as yt-dlp gives one with more than a Videos tab: a playlist of its tabs, each naming itself
    by `webpage_url` (no `url`) and holding its entries already listed."""

    _VALID_URL = r"https://www\.youtube\.com/@(?P<id>[A-Za-z0-9_-]+)$"
    # handle -> tab -> [(video id, upload date)], or a playlist id: a tab listed by its address only
    channels: dict[str, dict[str, list[tuple[str, str]] | str]] = {}

    @classmethod
    def ie_key(cls) -> str:
        return "YoutubeChannel"  # beside the playlists' fake, which takes the key "YoutubeTab"

    def _real_extract(self, url: str) -> dict[str, Any]:
        handle = self._match_id(url)
        tabs = []
        for tab, videos in self.channels[handle].items():
            if isinstance(videos, str):
                tabs.append(self.url_result(f"https://www.youtube.com/playlist?list={videos}", "YoutubeTab"))
                continue
            entries = [self.url_result(f"https://www.youtube.com/watch?v={vid}", "Youtube", vid, upload_date=date)
                       for vid, date in videos]
            tabs.append({**self.playlist_result(entries, f"{handle}-{tab}", f"{handle} - {tab}"),
                         "webpage_url": f"https://www.youtube.com/@{handle}/{tab}",
                         "extractor": "youtube:tab", "extractor_key": "YoutubeTab"})
        return self.playlist_result(tabs, handle, handle)
