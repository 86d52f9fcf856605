"""yt-dlp through its real code path, fed by a fake YouTube extractor and file:// URLs."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from api.worker import Worker
from indexer.config import Settings
from indexer.errors import IngestError
from indexer.ingest.types import IngestJob
from indexer.service import Clipindex, IngestOptions
from indexer.store.schema import jobs as jobs_table
from media import sources
from media.errors import UnsupportedSource, VideoUnavailable
from tests.fakeyt import FakeYoutubeChannelIE, FakeYoutubeIE, FakeYoutubePlaylistIE

MANUAL_VTT = ("WEBVTT\n\n00:00:00.500 --> 00:00:03.000\nThe river rose two metres.\n\n"
              "00:00:03.500 --> 00:00:06.000\nVolunteers filled sandbags.\n")


@pytest.fixture
def fake_youtube(media_dir: Path, tmp_path: Path) -> Path:
    subs = tmp_path / "manual.en.vtt"
    subs.write_text(MANUAL_VTT)
    FakeYoutubeIE.videos = {
        "VidWithSubs": {"media": media_dir / "report.mp4", "subtitles": {"en": subs}, "title": "Flood report",
                        "upload_date": "20261020"},
        "VidNoSubs01": {"media": media_dir / "report.mp4", "audio": media_dir / "report.m4a", "title": "Bridge report",
                        "upload_date": "20261101"},
        "PrivateVid0": {"media": media_dir / "report.mp4", "private": True},
    }
    FakeYoutubePlaylistIE.playlists = {"PLnews": [("VidWithSubs", "20261020"), ("VidNoSubs01", "20261101")]}
    return subs


def service(settings: Settings) -> Clipindex:
    opts = sources.YtdlOptions(allow_file_urls=True, extractors=(FakeYoutubeIE(), FakeYoutubePlaylistIE()))
    return Clipindex(settings, ytdl=opts)


@pytest.mark.slow
def test_manual_subtitles_are_preferred_and_no_media_is_downloaded(settings: Settings, fake_youtube: Path) -> None:
    svc = service(settings)
    [result] = list(svc.ingest("https://www.youtube.com/watch?v=VidWithSubs", IngestOptions()))
    assert result.video_id == "yt:VidWithSubs" and result.transcript == "captions:manual"
    video = svc.video("VidWithSubs")
    assert video.title == "Flood report" and video.channel == "City News" and video.published == "2026-10-20"
    assert video.creator_chapters == ((0.0, 5.0, "Flood"), (5.0, 12.0, "Bridge"))
    assert video.media_path is None
    assert [w.text for w in svc.transcript(result.video_id).words][:3] == ["The", "river", "rose"]


@pytest.mark.slow
def test_whisper_runs_when_there_are_no_subtitles(settings: Settings, fake_youtube: Path) -> None:
    svc = service(settings)
    [result] = list(svc.ingest("https://www.youtube.com/watch?v=VidNoSubs01", IngestOptions()))
    assert result.transcript == "faster-whisper:tiny.en"
    video = svc.video(result.video_id)
    media = settings.data_dir / str(video.media_path)
    assert media.is_file() and media.suffix == ".m4a" and not video.has_video, "audio only by default"
    assert "volunteers" in svc.render_transcript(result.video_id, "txt").lower()


@pytest.mark.slow
def test_keep_video_downloads_the_video_stream(settings: Settings, fake_youtube: Path) -> None:
    svc = service(settings)
    opts = IngestOptions(keep_video=True, captions="never")
    [result] = list(svc.ingest("https://www.youtube.com/watch?v=VidWithSubs", opts))
    video = svc.video(result.video_id)
    assert video.has_video and (settings.data_dir / str(video.media_path)).is_file()
    assert result.transcript == "faster-whisper:tiny.en"


@pytest.mark.slow
def test_playlist_newest_first_with_limit(settings: Settings, fake_youtube: Path) -> None:
    svc = service(settings)
    results = list(svc.ingest("https://www.youtube.com/playlist?list=PLnews", IngestOptions(limit=1,
                                                                                            captions="only")))
    assert [(r.video_id, r.status) for r in results] == [("yt:VidNoSubs01", "failed")], "newest first"
    everything = list(svc.ingest("https://www.youtube.com/playlist?list=PLnews", IngestOptions(captions="only")))
    by_id = {r.video_id: r for r in everything}
    assert by_id["yt:VidWithSubs"].status == "ingested"
    assert by_id["yt:VidNoSubs01"].status == "failed" and "--captions only" in str(by_id["yt:VidNoSubs01"].error)
    assert [v.id for v in svc.videos()] == ["yt:VidWithSubs"], "the failed video left nothing behind"


def test_a_playlist_oldest_first_gives_its_newest_videos(fake_youtube: Path) -> None:
    """Only the first 5 x limit entries were read: a series listed oldest first never gave its newest videos."""
    series = [(f"Episode{n:04d}", f"202601{n:02d}") for n in range(1, 13)]
    FakeYoutubePlaylistIE.playlists = {"PLseries": series}
    opts = sources.YtdlOptions(allow_file_urls=True, extractors=(FakeYoutubeIE(), FakeYoutubePlaylistIE()))
    urls = sources.expand("https://www.youtube.com/playlist?list=PLseries", opts, limit=2)
    assert urls == ["https://www.youtube.com/watch?v=Episode0012", "https://www.youtube.com/watch?v=Episode0011"]


def test_a_channel_with_several_tabs_gives_the_videos_of_each(fake_youtube: Path) -> None:
    """A channel with a Live or Shorts tab beside its Videos comes as a playlist of tabs that name themselves by
    `webpage_url` and hold their entries: only tabs with a `url` were read, so it gave no video, exit 0, a job
    "done" and the page saying "Added". An empty channel now says so."""
    FakeYoutubeChannelIE.channels = {
        "CityNews": {"videos": [("CityVid0001", "20261101"), ("CityVid0002", "20261103")],
                     "streams": [("CityLive001", "20261102")], "shorts": "PLnoShorts"},  # an empty tab: no error
        "Silent": {"videos": []}}
    FakeYoutubePlaylistIE.playlists = {"PLnoShorts": []}
    opts = sources.YtdlOptions(allow_file_urls=True,
                               extractors=(FakeYoutubeIE(), FakeYoutubeChannelIE(), FakeYoutubePlaylistIE()))
    urls = sources.expand("https://www.youtube.com/@CityNews", opts)
    assert [sources.youtube_id(u) for u in urls] == ["CityVid0002", "CityLive001", "CityVid0001"]  # newest first
    newest = sources.expand("https://www.youtube.com/@CityNews", opts, limit=1)
    assert [sources.youtube_id(u) for u in newest] == ["CityVid0002"]
    with pytest.raises(VideoUnavailable, match="no video there"):
        sources.expand("https://www.youtube.com/@Silent", opts)


@pytest.mark.slow
@pytest.mark.parametrize("entries, extra, failed", [
    # private and removed entries
    ([("VidWithSubs", "20261020"), ("PrivateVid0", "20261103"), ("GoneVideo00", "20261104")], {},
     ["yt:GoneVideo00", "yt:PrivateVid0"]),
    # a premiere to come, and a broadcast live now
    ([("VidWithSubs", "20261020"), ("Premiere001", "20261105"), ("LiveNow0001", "20261104")],
     {"Premiere001": {"premiere": True}, "LiveNow0001": {"live": True, "title": "Election night LIVE"}},
     ["yt:Premiere001", "yt:LiveNow0001"]),
])
def test_an_entry_that_cannot_be_had_now_gives_its_place_to_the_next(
        settings: Settings, fake_youtube: Path, entries: list[tuple[str, str]], extra: dict[str, dict[str, object]],
        failed: list[str]) -> None:
    """`--limit 1` on a playlist whose newest entries are private or removed ingested nothing; a scheduled premiere
    still counted against the limit, so a daily run got one video fewer; a broadcast that was live was stored as a
    finished, "ready" video titled with the download time, its transcript a part of it, and skipped by every later
    run. Each now gives its place to the next entry, and is reported."""
    FakeYoutubeIE.videos.update({vid: {"media": fake_youtube, **spec} for vid, spec in extra.items()})
    FakeYoutubePlaylistIE.playlists = {"PLmixed": entries}
    svc = service(settings)
    results = list(svc.ingest("https://www.youtube.com/playlist?list=PLmixed", IngestOptions(limit=1,
                                                                                             captions="only")))
    assert [(r.video_id, r.status) for r in results] == [*((f, "failed") for f in failed),
                                                         ("yt:VidWithSubs", "ingested")]
    assert [v.id for v in svc.videos()] == ["yt:VidWithSubs"]
    assert all("unavailable" in str(r.error) or "is live now" in str(r.error) for r in results[:-1]), results


def test_the_spoken_languages_subtitles_are_taken_over_a_translations() -> None:
    """A Russian video listing English subtitles (a translation) before its Russian ones was stored as an English
    transcript; YouTube's "ru-orig" automatic track names the spoken language."""
    track = [{"ext": "vtt", "url": "https://example.org/t.vtt"}]
    video = sources.RemoteVideo("yt:MultiSub001", "u", "u", "Дума", None, None, None, None, None, (),
                                subtitles={"en": track, "ru": track},
                                automatic_captions={"en": track, "ru-orig": track, "ru": track})
    assert sources.pick_subtitles(video, None) == ("manual", "ru")
    assert sources.pick_subtitles(video, "en") == ("manual", "en")  # asked for: the translation


@pytest.mark.parametrize("video_id, message", [("PrivateVid0", "unavailable"), ("GoneVideo00", "unavailable")])
def test_private_or_removed_video(settings: Settings, fake_youtube: Path, video_id: str, message: str) -> None:
    svc = service(settings)
    with pytest.raises(IngestError, match=message):
        list(svc.ingest(f"https://www.youtube.com/watch?v={video_id}", IngestOptions()))
    assert svc.videos() == []


@pytest.mark.slow
def test_plain_file_url_through_yt_dlp_generic_extractor(settings: Settings, media_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "clip.mp4"
    shutil.copy(media_dir / "report.mp4", src)
    svc = service(settings)
    [result] = list(svc.ingest(src.as_uri(), IngestOptions()))
    assert result.status == "ingested" and result.transcript == "faster-whisper:tiny.en"


def test_file_urls_refused_unless_allowed() -> None:
    with pytest.raises(UnsupportedSource):
        sources.check_url("file:///etc/passwd", sources.YtdlOptions())
    sources.check_url("file:///tmp/x.mp4", sources.YtdlOptions(allow_file_urls=True))


def test_info_json_mapping(tmp_path: Path) -> None:
    info = {"id": "dQw4w9WgXcQ", "extractor_key": "Youtube", "title": "Т", "uploader": "Канал",
            "upload_date": "20250102", "duration": 61, "webpage_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "language": "ru", "subtitles": {"live_chat": [{}]},
            "automatic_captions": {"ru-orig": [{"ext": "vtt"}], "ru": [{}], "en": [{}]}}
    remote = sources.to_remote(json.loads(json.dumps(info)))
    assert remote.id == "yt:dQw4w9WgXcQ" and remote.channel == "Канал" and remote.published == "2025-01-02"
    assert sources.pick_subtitles(remote, None) == ("auto", "ru-orig")
    assert sources.pick_subtitles(remote, "uz") is None


@pytest.mark.slow
def test_a_reel_fetches_youtube_video_on_demand(settings: Settings, fake_youtube: Path, tmp_path: Path) -> None:
    svc = service(settings)
    [result] = list(svc.ingest("https://www.youtube.com/watch?v=VidWithSubs", IngestOptions()))
    assert svc.video(str(result.video_id)).media_path is None, "subtitles made the media unnecessary"
    reel = svc.reels.new("on demand").id
    svc.reels.add_range(reel, str(result.video_id), 0.5, 3.0)
    rendered = svc.reels.render(reel, tmp_path / "out.mp4", allowed_dir=tmp_path, titles=True)
    assert rendered.path.is_file() and rendered.duration > 2.5
    cached = list((settings.data_dir / "media").glob("*/video/media.*"))
    assert len(cached) == 1, "the video is cached for the next render"
    svc.reels.render(reel, tmp_path / "again.mp4", allowed_dir=tmp_path)
    assert list((settings.data_dir / "media").glob("*/video/media.*")) == cached


@pytest.mark.slow
def test_an_http_callers_ingest_fetches_nothing_from_the_servers_own_network(settings: Settings,
                                                                             fake_youtube: Path) -> None:
    """The pre-flight checked the URL a caller gave; what yt-dlp then fetched (the formats and subtitle tracks an
    extraction names, a page the generic extractor follows) went anywhere, 127.0.0.1 included, and an internal
    recording was ingested and served. For an HTTP caller's ingest every such URL is checked first; the operator's
    own command line is not limited."""
    inside = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Inside)
    threading.Thread(target=inside.serve_forever, daemon=True).start()
    _Inside.seen = []
    subs = f"http://127.0.0.1:{inside.server_address[1]}/internal.vtt"
    FakeYoutubeIE.videos["InsideSubs1"] = {"media": FakeYoutubeIE.videos["VidWithSubs"]["media"],
                                           "subtitles": {"en": subs}, "title": "Inside"}
    opts = sources.YtdlOptions(allow_file_urls=True, extractors=(FakeYoutubeIE(), FakeYoutubePlaylistIE()))
    svc = Clipindex(settings, ytdl=opts, resolver=lambda host: ["93.184.216.34"] if "youtube" in host else [host])
    try:
        with pytest.raises(IngestError, match="non-public address"):
            list(svc.ingest("https://www.youtube.com/watch?v=InsideSubs1", IngestOptions(), untrusted=True))
        assert _Inside.seen == [] and svc.videos() == []
        [ok] = list(svc.ingest("https://www.youtube.com/watch?v=InsideSubs1", IngestOptions()))
        assert ok.transcript == "captions:manual" and _Inside.seen == ["/internal.vtt"]
    finally:
        inside.shutdown()


class _Inside(http.server.BaseHTTPRequestHandler):
    """A server on the machine's own network: a subtitle track only the server itself should reach."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(self.path)
        body = MANUAL_VTT.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/vtt")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.slow  # 4 s: three videos through a playlist job, for the quick lane to stay near a minute
def test_a_playlist_jobs_progress_is_the_whole_playlists(settings: Settings, fake_youtube: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A playlist job's bar was its current video's: 100% after the first of twelve, and back to 5% at the next."""
    FakeYoutubeIE.videos.update({f"Series{n:05d}": {"media": fake_youtube, "subtitles": {"en": fake_youtube},
                                                    "title": f"Part {n}"} for n in range(3)})
    FakeYoutubePlaylistIE.playlists = {"PLthree": [(f"Series{n:05d}", f"2026110{n + 1}") for n in range(3)]}
    svc = service(settings)
    seen: list[float] = []
    beat = svc.jobs.heartbeat

    def recorded(job_id: str, owner: str, progress: float | None = None, *args: object) -> bool:
        if progress is not None:
            seen.append(progress)
        return beat(job_id, owner, progress, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(svc.jobs, "heartbeat", recorded)
    job = svc.jobs.submit("ingest", IngestJob("https://www.youtube.com/playlist?list=PLthree",
                                              IngestOptions(captions="only"), untrusted=False))
    Worker(svc).run_once()
    finished = svc.jobs.get(job.id)
    assert finished.state == "done" and len(svc.videos()) == 3, (finished.error, finished.result)
    assert seen and all(b >= a - 1e-9 for a, b in zip(seen, seen[1:])), seen  # it never goes back
    assert max(p for p in seen if p < 0.34) > 0.2 and min(p for p in seen if p > 0.34) < 0.4, seen  # a third each


@pytest.mark.slow
def test_a_resumed_job_reports_the_videos_its_first_attempt_added_as_its_own(settings: Settings,
                                                                           fake_youtube: Path) -> None:
    """A job whose worker died part-way was resumed, and reported the videos its first attempt had added as
    "skipped": the page said "Already in the archive" of videos this job had added."""
    svc = service(settings)
    playlist = "https://www.youtube.com/playlist?list=PLnews"
    job = svc.jobs.submit("ingest", IngestJob(playlist, IngestOptions(captions="only"), untrusted=False))
    assert svc.jobs.claim("worker-that-dies") is not None  # its first attempt adds one video, then its worker dies
    list(svc.ingest("https://www.youtube.com/watch?v=VidWithSubs", IngestOptions(captions="only")))
    with svc.store.tx() as conn:
        conn.execute(jobs_table.update().where(jobs_table.c.id == job.id).values(lease_expires=time.time() - 1))
    Worker(svc).run_once()  # the second attempt
    result = svc.jobs.get(job.id).result or {}
    assert {v["video_id"]: v["status"] for v in result["videos"]}["yt:VidWithSubs"] == "ingested", result
    list(svc.ingest("https://www.youtube.com/watch?v=VidWithSubs", IngestOptions(captions="only")))
    again = svc.jobs.submit("ingest", IngestJob(playlist, IngestOptions(captions="only"), untrusted=False))
    Worker(svc).run_once()  # a new job, a video it did not add: "skipped"
    statuses = {v["video_id"]: v["status"] for v in (svc.jobs.get(again.id).result or {})["videos"]}
    assert statuses["yt:VidWithSubs"] == "skipped"
