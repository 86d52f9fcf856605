"""Deep links: the clock format, YouTube ids, and the links that open a video at a moment."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.deeplinks import clock, media_url, watch_links, watch_url, youtube_id
from indexer.models import Video

YT = "dQw4w9WgXcQ"


@pytest.mark.parametrize("seconds, shown", [
    (0, "0:00"), (7.9, "0:07"), (59.999, "0:59"), (60, "1:00"), (83.6, "1:23"), (3599.9, "59:59"),
    (3600, "1:00:00"), (3723.4, "1:02:03"), (36_000, "10:00:00"), (-4.2, "0:00"),
])
def test_clock_rounds_down_to_whole_seconds(seconds: float, shown: str) -> None:
    assert clock(seconds) == shown


@pytest.mark.parametrize("ref", [
    f"yt:{YT}", f"https://www.youtube.com/watch?v={YT}", f"https://www.youtube.com/watch?v={YT}&t=83s",
    f"https://youtu.be/{YT}", f"https://m.youtube.com/shorts/{YT}", f"https://www.youtube.com/embed/{YT}?start=3",
    f"https://www.youtube-nocookie.com/embed/{YT}", f"https://m.youtube.com/watch?v={YT}",
])
def test_youtube_id_reads_archive_ids_and_every_url_form(ref: str) -> None:
    assert youtube_id(ref) == YT


@pytest.mark.parametrize("ref", [
    "yt:", "file:3f2a9c", "https://www.youtube.com/watch?v=short", f"https://example.org/watch?v={YT}",
    f"https://www.youtube.com.evil.example/watch?v={YT}", f"https://notyoutube.com/watch?v={YT}",
    "/srv/media/report.mp4", "",
])
def test_youtube_id_is_none_for_anything_else(ref: str) -> None:
    assert youtube_id(ref) is None


def test_youtube_links_round_the_start_down_and_the_end_up() -> None:
    video = Video(f"yt:{YT}", f"https://youtu.be/{YT}", "Report")
    assert watch_links(video, 83.7, 96.2) == {
        "watch": f"https://www.youtube.com/watch?v={YT}&t=83s",
        "embed": f"https://www.youtube.com/embed/{YT}?start=83&end=97",
    }
    # an embed always lasts at least a second, and a negative start is the beginning
    assert watch_links(video, 12.0, 12.0)["embed"].endswith("?start=12&end=13")
    assert watch_links(video, -3.0, 2.0)["watch"].endswith("&t=0s")


def test_local_media_gets_a_time_fragment_and_wins_over_the_public_url() -> None:
    video = Video("file:abc", "/in/report.mp4", "Report", url="https://news.example/report.mp4")
    assert watch_links(video, 83.24, 97.0, media_url="/media/file:abc") == {"watch": "/media/file:abc#t=83.2,97.0"}
    assert watch_links(video, 5.0, 2.0, media_url="/media/file:abc") == {"watch": "/media/file:abc#t=5.0,5.0"}


def test_a_public_url_is_used_when_there_is_no_local_media() -> None:
    video = Video("vimeo:123", "https://vimeo.com/123", "Talk", url="https://vimeo.com/123")
    assert watch_links(video, 10.0, 20.5) == {"watch": "https://vimeo.com/123#t=10.0,20.5"}


def test_no_link_for_a_video_that_cannot_be_opened() -> None:
    assert watch_links(Video("file:abc", "/in/notes.srt", "Captions only"), 1.0, 2.0) == {}


def test_watch_url_for_youtube_refs() -> None:
    assert watch_url(f"yt:{YT}", 83.9, 90.0) == f"https://www.youtube.com/watch?v={YT}&t=83s"
    assert watch_url(f"https://youtu.be/{YT}", 83.9, 90.1, embed=True) == (
        f"https://www.youtube.com/embed/{YT}?start=83&end=91")
    assert watch_url(f"https://www.youtube.com/watch?v={YT}&list=PL1", 5, None) == (
        f"https://www.youtube.com/watch?v={YT}&t=5s")  # the playlist is left behind
    # an open end still makes an embed of at least one second
    assert watch_url(f"yt:{YT}", 83.0, embed=True) == f"https://www.youtube.com/embed/{YT}?start=83&end=84"


def test_watch_url_for_media_with_an_open_or_a_closed_end() -> None:
    assert watch_url("https://cdn.example/a.mp4", 83.24) == "https://cdn.example/a.mp4#t=83.2"
    assert watch_url("https://cdn.example/a.mp4", 83.24, 97.06) == "https://cdn.example/a.mp4#t=83.2,97.1"
    # widened outwards: the player starts before the first word and stops after the last
    assert watch_url("https://cdn.example/a.mp4", 22.87, 23.65) == "https://cdn.example/a.mp4#t=22.8,23.7"
    assert watch_url("https://cdn.example/a.mp4", 32.2, 37.0) == "https://cdn.example/a.mp4#t=32.2,37.0"
    assert watch_url("https://cdn.example/a.mp4", 83.29) == "https://cdn.example/a.mp4#t=83.2"
    # an old fragment is replaced, not appended to; a backwards end is clamped to the start
    assert watch_url("/media/file:abc#t=1,2", 30.0, 20.0) == "/media/file:abc#t=30.0,30.0"
    assert watch_url("/media/file:abc", -5.0) == "/media/file:abc#t=0.0"


def test_media_url_over_http_or_as_a_file_uri(tmp_path: Path) -> None:
    video = Video("file:abc", "/in/report.mp4", "Report", media_path="media/abc/media.mp4")
    assert media_url(tmp_path, video, "/media/") == "/media/file:abc"
    assert media_url(tmp_path, video, "https://archive.example/media") == "https://archive.example/media/file:abc"
    uri = media_url(tmp_path, video)
    assert uri == (tmp_path / "media" / "abc" / "media.mp4").resolve().as_uri() and uri.startswith("file:///")
    assert media_url(tmp_path, Video("yt:x", "https://youtu.be/x", "Remote"), "/media") is None
