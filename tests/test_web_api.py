"""What the web page stands on, over real HTTP: media ingested in place plays, articles keep the server's paths to
themselves, reels refuse what they cannot render, uploads leave nothing behind, progress follows the audio, and the
API docs work offline."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from indexer.config import Settings
from indexer.deeplinks import clock
from indexer.models import Video
from indexer.service import Clipindex, IngestOptions
from tests.apiserver import running
from tests.conftest import FIXTURES, ffmpeg, settings_for
from tests.waiting import wait_until


def sentence_vtt(truth: Path, out: Path, until: float = 1e9) -> Path:
    """A WebVTT file with one cue per sentence of a fixture's known text: a transcript with no ASR to wait for.
    Quotes are written as plain ASCII, as many caption files have them (and as HTML escaping changes them)."""
    sentences = [s for s in json.loads(truth.read_text(encoding="utf-8"))["sentences"] if s["end"] <= until]
    for s in sentences:
        s["text"] = s["text"].replace("\u201c", '"').replace("\u201d", '"')
    stamp = lambda s: f"{clock(s)}.{int(round(s % 1 * 1000)):03d}".rjust(9, "0")  # noqa: E731
    cues = [f"{stamp(s['start'])} --> {stamp(s['end'])}\n{s['text']}" for s in sentences]
    out.write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n", encoding="utf-8")
    return out


def library_with_report(root: Path) -> Path:
    """The sample report copied into a folder outside the data directory, with its sentences as a sidecar."""
    library = root / "library"
    library.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "report_en.mp4", library / "report_en.mp4")
    sentence_vtt(FIXTURES / "report_en.json", library / "report_en.vtt")
    shutil.copy(FIXTURES / "report_en_article.md", library / "report_en_article.md")
    return library / "report_en.mp4"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Clipindex, str, Path]]:
    """One archive for the module: the report ingested in place from the command line, with its article."""
    root = tmp_path_factory.mktemp("webapi")
    settings = settings_for(root)
    service = Clipindex(settings)
    report = library_with_report(root)
    [result] = list(service.ingest(str(report), IngestOptions(
        title="River report", article=str(report.with_name("report_en_article.md")))))
    _key, secret = service.keys.create("tests")
    with running(service, workers=1) as url, httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=60) as client:
        yield client, service, str(result.video_id), root


@pytest.mark.slow  # a real server over real files: seconds
def test_media_ingested_in_place_from_the_command_line_plays(archive: tuple) -> None:
    client, service, video_id, root = archive
    assert not (root / "library").resolve().is_relative_to(service.settings.data_dir)
    r = client.get(f"/media/{video_id}", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and len(r.content) == 100, r.text
    assert r.headers["content-type"].startswith("video/mp4")


@pytest.mark.slow  # a real server over real files: seconds
def test_media_outside_the_roots_is_served_only_as_the_store_recorded_it(archive: tuple) -> None:
    client, service, video_id, root = archive
    elsewhere = root / "elsewhere.mp4"
    shutil.copy(FIXTURES / "report_en.mp4", elsewhere)
    # a video whose media path points somewhere its ingest never read from (a tampered or stale row)
    service.store.put_video(Video("file:tampered", "https://example.org/x.mp4", "Tampered",
                                  media_path=str(elsewhere)))
    r = client.get("/media/file:tampered")
    assert r.status_code == 404 and "outside the folders" in r.json()["error"]


@pytest.mark.slow  # a real server over real files: seconds
def test_article_json_and_exports_do_not_show_server_paths(archive: tuple) -> None:
    client, service, video_id, root = archive
    [summary] = client.get("/v1/articles").json()
    body = client.get(f"/v1/articles/{summary['id']}").text
    html = client.get(f"/v1/articles/{summary['id']}/export", params={"format": "html"}).text
    jsonld = client.get(f"/v1/articles/{summary['id']}/export", params={"format": "jsonld"}).text
    video = client.get(f"/v1/videos/{video_id}")
    assert video.json()["article"] == "report_en_article.md", video.text  # by its name, as the source is
    for text in (body, html, jsonld, video.text, client.get("/v1/videos").text):
        at = text.find(str(root))
        assert at < 0, text[max(at - 200, 0):at + 200]
    assert f'href="/media/{video_id}#t=' in html


@pytest.mark.slow  # a real server over real files: seconds
def test_a_captions_only_clip_is_refused_when_added_and_its_duration_is_known(archive: tuple) -> None:
    client, service, _video_id, root = archive
    [captions] = list(service.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru")))
    video = client.get(f"/v1/videos/{captions.video_id}").json()
    assert video["duration"] and video["duration"] > 1, video
    reel = client.post("/v1/reels", json={"title": "Captions"}).json()
    r = client.post(f"/v1/reels/{reel['id']}/clips", json={"video": captions.video_id, "start": 0, "end": 3})
    assert r.status_code == 400 and "captions only" in r.json()["error"], r.text
    assert client.get(f"/v1/reels/{reel['id']}").json()["clips"] == []


@pytest.mark.slow  # a real server over real files: seconds
def test_fast_render_of_files_differing_in_level_and_sample_rate(archive: tuple) -> None:
    client, service, _video_id, root = archive
    ids = []
    for name, level, rate in (("level30.mp4", "3.0", "44100"), ("level40.mp4", "4.0", "48000")):
        path = root / "library" / name
        ffmpeg("-i", str(FIXTURES / "report_en.mp4"), "-t", "11", "-c:v", "libx264", "-preset", "ultrafast",
               "-level", level, "-c:a", "aac", "-ar", rate, str(path))
        sentence_vtt(FIXTURES / "report_en.json", path.with_suffix(".vtt"), until=11)
        [done] = list(service.ingest(str(path), IngestOptions(title=name)))
        ids.append(done.video_id)
    reel = client.post("/v1/reels", json={"title": "Two encodings"}).json()
    for vid in ids:
        assert client.post(f"/v1/reels/{reel['id']}/clips", json={"video": vid, "start": 1, "end": 4,
                                                                  "snap": "none"}).status_code == 201
    job = client.post(f"/v1/reels/{reel['id']}/render", json={"fast": True}).json()
    done = wait_until(lambda: (j := client.get(f"/v1/jobs/{job['id']}").json())["state"] in (
        "done", "failed") and j, 120, "the render")
    assert done["state"] == "done", done
    assert abs(done["result"]["duration"] - 6.0) < 1.0, done["result"]
    # either fast mode copes with the two encodings, or the render says it fell back to accurate mode
    assert done["result"]["mode"] == "fast" or "rendered accurately" in " ".join(done["result"]["warnings"])


def _upload(client: httpx.Client, name: str, data: bytes, **form: str) -> dict:
    r = client.post("/v1/videos", files={"file": (name, data, "application/octet-stream")}, data=form)
    assert r.status_code == 202, r.text
    assert r.json()["title"] == name
    return wait_until(lambda: (j := client.get(f"/v1/jobs/{r.json()['id']}").json())["state"] in (
        "done", "failed", "cancelled") and j, 90, f"upload {name}", interval=0.1)


@pytest.mark.slow  # a real server over real files: seconds
def test_a_forced_re_upload_leaves_one_file(settings: Settings) -> None:
    service = Clipindex(settings)
    _key, secret = service.keys.create("tests")
    data = (FIXTURES / "captions_ru.vtt").read_bytes()
    with running(service, workers=1) as url, httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        first = _upload(client, "city_budget-hearing.vtt", data, language="ru")
        again = _upload(client, "city_budget-hearing.vtt", data, language="ru", force="true")
    assert first["state"] == again["state"] == "done", (first, again)
    assert len(list((settings.data_dir / "uploads").iterdir())) == 1
    assert [v.title for v in service.videos()] == ["city budget hearing"]  # a title, not a file name


@pytest.mark.slow  # a real server over real files: seconds
def test_progress_moves_with_the_audio_position(settings: Settings, media_dir: Path) -> None:
    # windows of 15 s: within one window a batch's segments come out together, so the position moves per window
    settings = dataclasses.replace(settings, window_s=15.0)
    service = Clipindex(settings)
    _key, secret = service.keys.create("tests")
    long = settings.data_dir.parent / "long.wav"
    ffmpeg("-i", str(FIXTURES / "speech_en.opus"), "-t", "45", "-ar", "16000", "-ac", "1", str(long))
    seen: list[dict] = []
    with running(service, workers=1) as url, httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        r = client.post("/v1/videos", files={"file": ("Evening news.wav", long.read_bytes())})
        job_id = r.json()["id"]

        def finished() -> bool:
            job = client.get(f"/v1/jobs/{job_id}").json()
            seen.append(job)
            return job["state"] in ("done", "failed")

        wait_until(finished, 120, "the ingest", interval=0.1)
    assert seen[-1]["state"] == "done", seen[-1]
    during = [j for j in seen if j["step"] == "transcript" and j["audio_total"]]
    assert during, [(j["step"], j["progress"]) for j in seen]
    assert all(abs(j["audio_total"] - 45) < 1 for j in during)
    positions = sorted({j["audio_done"] for j in during})
    assert len(positions) >= 2 and positions[-1] > 20, positions  # several segments, not one jump at the end
    # transcription is most of the work, so the bar spends most of its length there
    assert max(j["progress"] for j in during) > 0.6, during[-1]
    assert any(j["eta_s"] is not None for j in during)
    assert seen[-1]["title"] == "Evening news.wav"


def test_api_docs_load_from_this_server(settings: Settings) -> None:
    with running(Clipindex(settings), workers=0) as url, httpx.Client(base_url=url) as client:
        _docs_are_local(client)


def _docs_are_local(client: httpx.Client) -> None:
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "/docs-assets/swagger-ui-bundle.js" in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/docs-assets/{asset}").status_code == 200


@pytest.mark.slow  # a real server over real files: seconds
def test_video_metadata_can_be_corrected(archive: tuple) -> None:
    client, service, video_id, _root = archive
    r = client.patch(f"/v1/videos/{video_id}", json={"title": "Green River floods", "channel": "Metro desk",
                                                      "published": "2025-03-14"})
    assert r.status_code == 200 and r.json()["title"] == "Green River floods", r.text
    assert client.patch(f"/v1/videos/{video_id}", json={"published": "14/03/2025"}).status_code == 400
    for bad in ({"title": "Green\x00River"}, {"channel": "Metro\ndesk"}, {"title": "x\ty"}):  # one-line text only
        r = client.patch(f"/v1/videos/{video_id}", json=bad)
        assert r.status_code == 400 and "control characters" in r.json()["error"], r.text
    assert client.get(f"/v1/videos/{video_id}").json()["title"] == "Green River floods"
    for dates in ({"after": "20250301"}, {"before": "2025-W09-1"}):  # ISO 8601 forms no stored date is written in
        r = client.get("/v1/search", params={"q": "library", **dates})
        assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["error"], r.text
    hits = client.get("/v1/search", params={"q": "library", "after": "2025-03-01"}).json()["hits"]
    assert hits and hits[0]["title"] == "Green River floods"
    # null clears a date as "" does: it answered 200 with the date kept, and date filters went on finding the video
    r = client.patch(f"/v1/videos/{video_id}", json={"published": None, "channel": None})
    assert r.status_code == 200 and (r.json()["published"], r.json()["channel"]) == (None, None), r.text
    assert not client.get("/v1/search", params={"q": "library", "after": "2025-03-01"}).json()["hits"]
    r = client.patch(f"/v1/videos/{video_id}", json={"title": None})
    assert r.status_code == 400 and "keeps a title" in r.json()["error"], r.text
    client.patch(f"/v1/videos/{video_id}", json={"title": "River report", "channel": "", "published": ""})


@pytest.mark.slow  # a real server over real files: seconds
def test_a_frame_at_a_moment_is_a_small_cached_jpeg(archive: tuple) -> None:
    client, service, video_id, _root = archive
    r = client.get(f"/v1/videos/{video_id}/frame", params={"t": 12.3})
    assert r.status_code == 200 and r.content[:2] == b"\xff\xd8", r.text[:200]
    cached = list((service.settings.data_dir / "frames").rglob("*.jpg"))
    assert len(cached) == 1
    assert client.get(f"/v1/videos/{video_id}/frame", params={"t": 12.4}).content == r.content


@pytest.mark.slow  # a real server over real files: seconds
def test_a_youtube_clip_whose_video_cannot_be_fetched_fails_in_one_clear_line(archive: tuple) -> None:
    client, service, _video_id, root = archive
    # a YouTube video added from its captions; its picture is fetched at render time, and here that fails
    service.store.put_video(Video("yt:AAAAAAAAAAA", "https://www.youtube.com/watch?v=AAAAAAAAAAA", "Gone report",
                                  url=(root / "no-such-video.mp4").as_uri(), duration=30.0))
    reel = client.post("/v1/reels", json={"title": "Gone"}).json()
    r = client.post(f"/v1/reels/{reel['id']}/clips", json={"video": "yt:AAAAAAAAAAA", "start": 1, "end": 4})
    assert r.status_code == 201, r.text
    job = client.post(f"/v1/reels/{reel['id']}/render", json={}).json()
    done = wait_until(lambda: (j := client.get(f"/v1/jobs/{job['id']}").json())["state"] in (
        "done", "failed") and j, 60, "the render")
    assert done["state"] == "failed" and "could not be fetched from YouTube" in done["error"], done
    assert "\n" not in done["error"] and len(done["error"]) < 400
