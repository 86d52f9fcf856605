"""The HTTP API over real HTTP (uvicorn on loopback): jobs, auth, uploads, SSRF, traversal, bad input."""

from __future__ import annotations

import dataclasses
import http.server
import json
import re
import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.routes.media import MEDIA_TYPES
from api.schemas import TranscriptOut
from indexer.config import Settings
from indexer.errors import InvalidInput
from indexer.ingest.plan import check_untrusted
from indexer.ingest.types import IngestJob, IngestOptions
from indexer.service import Clipindex
from media import netguard
from media.errors import UnsupportedSource
from media.sources import MEDIA_EXTS
from tests.apiserver import running
from tests.conftest import stored_video
from tests.waiting import wait_until


@dataclasses.dataclass
class Api:
    url: str
    key: str
    service: Clipindex

    def client(self, key: str | None = "default") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.key if key == 'default' else key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def _resolver(host: str) -> list[str]:
    fake = {"news.example": ["93.184.216.34"], "inside.example": ["10.1.2.3"], "group.example": ["224.0.0.1"],
            "void.example": ["0.0.0.0"], "future.example": ["240.0.0.1"]}
    if host in fake:
        return fake[host]
    from media.netguard import system_resolver

    return system_resolver(host)


def _probe(url: str) -> tuple[int, str | None]:
    if "news.example/redirect" in url:
        return 302, "http://127.0.0.1:9/admin"
    if "news.example/meta" in url:
        return 301, "http://169.254.169.254/latest/meta-data/"
    return 200, None


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    settings = dataclasses.replace(settings, max_upload_mb=1.0,
                                   allowed_hosts="youtube.com,youtu.be,news.example,inside.example,2130706433,"
                                                 "group.example,void.example,future.example")
    service = Clipindex(settings, resolver=_resolver, url_probe=_probe)
    _key, secret = service.keys.create("tests")
    with running(service, workers=1) as url:
        yield Api(url, secret, service)


def wait_job(client: httpx.Client, job_id: str, timeout: float = 120) -> dict:
    """The job once it is done, failed or cancelled, with every progress value seen on the way."""
    seen_progress: list[float] = []

    def finished() -> dict | None:
        job: dict = client.get(f"/v1/jobs/{job_id}").json()
        seen_progress.append(job["progress"])
        return job if job["state"] in ("done", "failed", "cancelled") else None

    job = wait_until(finished, timeout, f"job {job_id} to finish", interval=0.1)
    job["seen_progress"] = seen_progress
    return job


@pytest.mark.slow
def test_upload_ingest_then_read_everything(api: Api, media_dir: Path) -> None:
    with api.client() as c:
        with (media_dir / "report.m4a").open("rb") as f:
            r = c.post("/v1/videos", files={"file": ("Flood report.m4a", f, "audio/mp4")},
                       data={"language": "en", "title": "Flood"})
        assert r.status_code == 202, r.text
        job = wait_job(c, r.json()["id"])
        assert job["state"] == "done", job
        video_id = job["result"]["videos"][0]["video_id"]
        assert max(job["seen_progress"]) <= 1.0

        listed = c.get("/v1/videos").json()
        assert [v["id"] for v in listed] == [video_id] and listed[0]["title"] == "Flood"
        detail = c.get(f"/v1/videos/{video_id}").json()
        assert detail["media_url"] == f"/media/{video_id}"
        tr = c.get(f"/v1/videos/{video_id}/transcript").json()
        assert tr["language"] == "en"
        words = [w for s in tr["segments"] for w in s["words"]]
        heard = {re.sub(r"\W", "", w["text"].lower()) for w in words}
        assert {"river", "volunteers", "library", "mayor", "bridge"} <= heard, heard  # what SHORT_TEXT says
        starts = [w["start"] for w in words]
        assert 0 <= starts[0] and starts == sorted(starts) and all(w["end"] >= w["start"] for w in words)
        srt = c.get(f"/v1/videos/{video_id}/transcript", params={"format": "srt"})
        assert srt.headers["content-type"].startswith("application/x-subrip") and " --> " in srt.text
        ttml = c.get(f"/v1/videos/{video_id}/transcript", params={"format": "ttml"})
        assert ttml.headers["content-type"].startswith("application/ttml+xml") and 'xml:lang="en"' in ttml.text

        whole = c.get(f"/media/{video_id}")
        part = c.get(f"/media/{video_id}", headers={"Range": "bytes=100-199"})
        assert whole.status_code == 200 and part.status_code == 206
        assert part.content == whole.content[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
        suffix = c.get(f"/media/{video_id}", headers={"Range": "bytes=-100"})
        assert suffix.status_code == 206 and suffix.content == whole.content[-100:]
        # bad ranges are errors as every other: JSON, not Starlette's plain text
        for bad, status in [("items=0-10", 400), ("bytes=abc", 400), ("bytes=20-10", 400), ("bytes=-", 400),
                            (f"bytes={len(whole.content)}-", 416)]:
            r = c.get(f"/media/{video_id}", headers={"Range": bad})
            assert r.status_code == status, (bad, r.status_code, r.text)
            assert "range" in r.json()["error"].lower(), bad
        assert r.headers["content-range"] == f"bytes */{len(whole.content)}"

        assert c.delete(f"/v1/videos/{video_id}").json() == {"deleted": video_id, "reels": [], "renders": [],
                                                               "articles": []}
        assert c.get(f"/v1/videos/{video_id}").status_code == 404


@pytest.mark.parametrize("key, message", [(None, "API key is required"), ("ck_nope_wrong", "not valid"),
                                          ("Basic abc", "not valid")])
def test_writes_need_a_valid_key(api: Api, key: str | None, message: str) -> None:
    with api.client(key) as c:
        for r in (c.post("/v1/videos", json={"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}),
                  c.delete("/v1/videos/yt:dQw4w9WgXcQ"), c.delete("/v1/jobs/x")):
            assert r.status_code == 401 and message in r.json()["error"]
        assert c.get("/v1/videos").status_code == 200, "reads are open by default"


def test_revoked_key_is_refused(api: Api) -> None:
    key, secret = api.service.keys.create("temporary")
    with api.client(secret) as c:
        assert c.delete("/v1/jobs/unknown").status_code == 404
        api.service.keys.revoke(key.id)
        assert c.delete("/v1/jobs/unknown").status_code == 401


def test_upload_limit_413_by_length_and_while_streaming(api: Api) -> None:
    big = b"\0" * (2 * 1024 * 1024)
    with api.client() as c:
        r = c.post("/v1/videos", files={"file": ("big.wav", big, "audio/wav")})
        assert r.status_code == 413 and "larger than the limit" in r.json()["error"]

        def chunks() -> Iterator[bytes]:
            yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.wav\"\r\n\r\n"
            for _ in range(64):
                yield b"\0" * 65536

        r = c.post("/v1/videos", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert r.status_code == 413
    assert not list((api.service.settings.data_dir / "uploads").glob("*")) if (
        api.service.settings.data_dir / "uploads").exists() else True


@pytest.mark.parametrize("url, message", [
    ("http://127.0.0.1/video.mp4", "not on the allowed list"),
    ("file:///etc/passwd", "only http(s)"),
    ("http://2130706433/watch", "non-public"),
    ("http://inside.example/watch?v=1", "non-public"),
    ("https://news.example/redirect", "127.0.0.1"),
    ("https://news.example/meta", "169.254.169.254"),
    ("http://[::1]/x", "not on the allowed list"),
    ("http://169.254.169.254/latest", "not on the allowed list"),
    ("https://user:pw@www.youtube.com/watch?v=dQw4w9WgXcQ", "credentials"),
    ("gopher://youtube.com/", "only http(s)"),
    ("http://group.example/watch", "non-public"),  # multicast
    ("http://void.example/watch", "non-public"),  # unspecified
    ("http://future.example/watch", "non-public"),  # reserved
    ("http://[::1", "not a valid URL"),
    ("http://", "no host"),
    ("https://exa mple.com/x", "not a valid URL"),
    ("http://www.youtube.com:99999/watch", "not a valid URL"),
])
def test_ssrf_attempts_are_refused(api: Api, url: str, message: str) -> None:
    with api.client() as c:
        r = c.post("/v1/videos", json={"url": url})
    assert r.status_code == 400 and message in r.json()["error"], r.text
    assert api.service.jobs.list() == []


@pytest.mark.slow
def test_path_traversal_is_confined(api: Api, media_dir: Path) -> None:
    with api.client() as c:
        for path in ("/media/..%2F..%2Fetc%2Fpasswd", "/media/%2Fetc%2Fpasswd", "/v1/videos/..%2F..%2Fetc",
                     "/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml"):
            r = c.get(path)
            assert r.status_code == 404, path
            assert "root:" not in r.text and "[project]" not in r.text
        with (media_dir / "speech.wav").open("rb") as f:
            r = c.post("/v1/videos", files={"file": ("../../../../tmp/evil.wav", f, "audio/wav")},
                       data={"captions": "never"})
        assert r.status_code == 202
        job = wait_job(c, r.json()["id"])
        assert job["state"] == "done"
        uploads = api.service.settings.data_dir / "uploads"
        assert len(list(uploads.glob("*.wav"))) == 1
        assert job["result"]["videos"][0]["title"] == "evil"


@pytest.mark.slow
def test_an_uploads_name_is_shown_as_the_user_wrote_it(api: Api) -> None:
    """Browsers send a quote in a multipart file name as %22 (the HTML standard's form encoding): the page showed
    'Mayor %22Bridge%22 report'."""
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="Mayor %22Bridge%22%0Areport.srt"\r\n\r\n'
            b"1\n00:00:01,000 --> 00:00:03,000\nThe bridge stays closed.\n\r\n--b--\r\n")
    with api.client() as c:
        r = c.post("/v1/videos", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert r.status_code == 202, r.text
        job = wait_job(c, r.json()["id"])
    [video] = job["result"]["videos"]
    assert video["title"] == 'Mayor "Bridge" report' and video["source"] == 'Mayor "Bridge" report.srt', video


@pytest.mark.parametrize("kwargs, status, message", [
    ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
    ({"json": {"url": "https://youtu.be/dQw4w9WgXcQ", "color": "red"}}, 400, "color"),
    ({"json": {"url": "https://youtu.be/dQw4w9WgXcQ", "captions": "maybe"}}, 400, "captions"),
    ({"json": {"url": "https://youtu.be/dQw4w9WgXcQ", "model": "../../etc"}}, 400, "model"),
    ({"content": b"url=x", "headers": {"Content-Type": "text/plain"}}, 415, "multipart/form-data"),
    ({"files": {"file": ("notes.exe", b"MZ", "application/octet-stream")}}, 400, "unsupported file type"),
    ({"files": {"other": ("a.wav", b"RIFF", "audio/wav")}}, 400, "'file' part"),
    # an article named by a path would have the worker read the server's files and serve them as the article
    ({"json": {"url": "https://youtu.be/dQw4w9WgXcQ", "article": "/etc/hostname"}}, 400, "http(s) URL"),
    ({"json": {"url": "https://youtu.be/dQw4w9WgXcQ", "article": "file:///etc/hostname"}}, 400, "http(s) URL"),
    ({"files": {"file": ("a.srt", b"1\n00:00:01,000 --> 00:00:02,000\nhi\n", "text/plain")},
      "data": {"article": "/etc/hostname"}}, 400, "http(s) URL"),
    ({"files": {"file": ("a.srt", b"1\n00:00:01,000 --> 00:00:02,000\nhi\n", "text/plain")},
      "data": {"title": "x" * 5000}}, 400, "at most 300 characters"),
    ({"content": b'{"url": ' + b"[" * 5000 + b"]" * 5000 + b"}", "headers": {"Content-Type": "application/json"}},
     400, "nested too deeply"),
])
def test_bad_ingest_requests(api: Api, kwargs: dict, status: int, message: str) -> None:
    with api.client() as c:
        r = c.post("/v1/videos", **kwargs)
    assert r.status_code == status and message in r.json()["error"], r.text
    assert "Traceback" not in r.text
    assert api.service.jobs.list() == []


def test_an_untrusted_ingest_never_reads_a_server_file_as_its_article(settings: Settings, tmp_path: Path) -> None:
    """The worker checks again what the request was checked for: a job queued by an older version, or any other
    caller that marks its ingest untrusted, cannot have a file on the server loaded as the article."""
    secret = tmp_path / "secret.md"
    secret.write_text("# Keys\n\nThe database password is hunter2.\n")
    captions = tmp_path / "a.srt"
    captions.write_text("1\n00:00:01,000 --> 00:00:03,000\nThe bridge stays closed.\n")
    service = Clipindex(settings)
    with pytest.raises(InvalidInput, match="http"):
        list(service.ingest(str(captions), IngestOptions(article=str(secret)), untrusted=True))
    assert service.store.list_videos() == []
    with pytest.raises(InvalidInput, match="http"):
        service.articles.add(str(secret), fetch=service.public_fetch)
    assert service.articles.list() == []


class _Hops(http.server.BaseHTTPRequestHandler):
    """A page server: HEAD answers 200 (what a pre-flight sees), GET a redirect to `target`; `/admin` is the page
    that only the server's own network may read."""

    target = ""
    seen: list[str] = []

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(self.path)
        if self.path == "/admin":
            body = b"<html><body><h1>Internal</h1><p>db_password=hunter2 and more text here.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(302)
        self.send_header("Location", self.target)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_an_article_fetch_follows_no_hop_to_the_servers_own_network(settings: Settings,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-flight's HEAD was answered 200; the real GET, followed by urllib, was redirected to 127.0.0.1, and the
    internal page became an article any reader could read back. A name is resolved here as DNS would answer it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hops)
    port = server.server_address[1]
    _Hops.target, _Hops.seen = f"http://127.0.0.1:{port}/admin", []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    real = socket.getaddrinfo

    def dns(host: object, *args: Any, **kwargs: Any) -> Any:  # the attacker's public name, served from loopback
        return real("127.0.0.1" if host == "attacker.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    service = Clipindex(settings, resolver=lambda host: ["93.184.216.34"] if host == "attacker.example"
                        else ["127.0.0.1"], url_probe=lambda url: (200, None))
    try:
        with pytest.raises(InvalidInput, match="non-public address"):
            service.articles.add(f"http://attacker.example:{port}/story", fetch=service.public_fetch)
    finally:
        server.shutdown()
    assert "/admin" not in _Hops.seen and service.articles.list() == []
    # each redirect of the real request is checked on its own, whatever its host's connection would say
    redirects = next(h for h in netguard.public_opener(lambda host: ["10.0.0.7"]).handlers
                     if isinstance(h, urllib.request.HTTPRedirectHandler))
    with pytest.raises(UnsupportedSource, match="non-public address"):
        redirects.redirect_request(urllib.request.Request("http://news.example/a"), None, 302, "Found", {},
                                   "http://inside.example/admin")


def test_jobs_errors_and_cancel(api: Api, settings: Settings) -> None:
    with api.client() as c:
        assert c.get("/v1/jobs/nope").status_code == 404
        assert c.get("/v1/videos/nope/transcript", params={"format": "doc"}).status_code == 422
        assert c.get("/v1/jobs", params={"state": "sleeping"}).status_code == 422
    queued = api.service.jobs.submit("ingest", IngestJob("/nowhere.wav"))
    cancelled = api.service.jobs.cancel(queued.id)
    assert cancelled.state == "cancelled"
    with api.client() as c:
        r = c.delete(f"/v1/jobs/{queued.id}")
        assert r.status_code == 409 and "already cancelled" in r.json()["error"]


@pytest.mark.slow
def test_a_failing_job_reports_its_error(api: Api, media_dir: Path) -> None:
    with api.client() as c:
        with (media_dir / "notmedia.mp4").open("rb") as f:
            r = c.post("/v1/videos", files={"file": ("clip.mp4", f, "video/mp4")})
        job = wait_job(c, r.json()["id"])
    assert job["state"] == "failed" and "not a media file" in job["error"]
    assert api.service.videos() == []


def test_listings_page_files_answer_head_and_edits_keep_their_contract(api: Api) -> None:
    """What an integrating CMS met: listings ignored `limit`; HEAD was a 405 on media; an ETag the client held was
    sent in full again; a render with no body was a 422; `format=VTT` a 400; a reel title took a NUL and line breaks;
    an edit of a video deleted meanwhile brought it back."""
    for n in range(3):
        stored_video(api.service, f"file:page{n}")
    with api.client() as c:
        r = c.get("/v1/videos", params={"limit": 2, "offset": 1})
        assert r.status_code == 200 and [v["id"] for v in r.json()] == ["file:page1", "file:page2"], r.text
        assert r.headers["x-total-count"] == "3"
        assert len(c.get("/v1/videos").json()) == 3
        for bad in ({"limit": 0}, {"offset": -1}, {"limit": 5000}, {"offset": 2**64 + 1}):  # the last: a 500 once
            assert c.get("/v1/videos", params=bad).status_code == 422
            assert c.get("/v1/reels", params=bad).status_code == 422
        assert c.get("/v1/jobs", params={"limit": 0}).status_code == 422
        head = c.head("/media/file:page0")
        got = c.get("/media/file:page0")
        assert head.status_code == 200 and head.content == b"" and got.status_code == 200
        assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))
        again = c.get("/media/file:page0", headers={"If-None-Match": got.headers["etag"]})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == got.headers["etag"]
        assert c.get("/v1/videos/file:page0/transcript", params={"format": "VTT"}).text.startswith("WEBVTT")
        reel = c.post("/v1/reels", json={"title": "Flood week"}).json()["id"]
        for bad_title in ("a\nb", "nul\x00"):
            r = c.post("/v1/reels", json={"title": bad_title})
            assert r.status_code == 400 and "control characters" in r.json()["error"], r.text
        assert c.post(f"/v1/reels/{reel}/clips", json={"video": "file:page0", "start": 3, "end": 6}).status_code == 201
        job = c.post(f"/v1/reels/{reel}/render")
        assert job.status_code == 202, job.text
        c.delete(f"/v1/jobs/{job.json()['id']}")
        api.service.store.delete_video("file:page2")
        r = c.patch("/v1/videos/file:page2", json={"title": "late"})
        assert r.status_code == 404 and api.service.store.find_video("file:page2") is None


def test_the_api_schema_resolves_and_a_transcript_answers_in_its_shape(api: Api) -> None:
    """The transcript's answer named a schema ("TranscriptOut") that the document did not hold; the answer was built
    as one model (1.2 GB for a 48-hour caption file's transcript) and is now written a segment at a time."""
    video = stored_video(api.service)
    with api.client() as c:
        schema = c.get("/openapi.json").json()
        refs = {m for m in re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', json.dumps(schema))}
        assert refs and refs <= schema["components"]["schemas"].keys(), refs - schema["components"]["schemas"].keys()
        r = c.get(f"/v1/videos/{video}/transcript")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        out = TranscriptOut.model_validate(r.json())
        stored = api.service.transcript(video)
        assert [w.text for s in out.segments for w in s.words] == [w.text for w in stored.words]
        assert (out.video_id, out.language, out.engine) == (video, "en", "captions")


def test_a_reel_export_over_http_names_media_without_the_servers_folders(api: Api) -> None:
    """Reel exports gave any reader the server's absolute paths (/home/<user>/..., the data directory). Over HTTP
    the media is its file's name, relative to where the timeline is saved; the CLI's exports keep full paths."""
    video = stored_video(api.service)
    reel = api.service.reels.new("Paths").id
    api.service.reels.add_range(reel, video, 3.0, 6.0)
    folder = str(api.service.settings.data_dir)
    with api.client() as c:
        for fmt in ("json", "edl", "fcpxml", "otio"):
            text = c.get(f"/v1/reels/{reel}/export", params={"format": fmt}).text
            assert folder not in text and "/work" not in text and "file-stored.mp4" in text, (fmt, text[:600])
    assert folder in api.service.reels.export(reel, "edl")


def test_an_http_caller_names_a_model_and_media_types_are_the_projects(api: Api) -> None:
    """A model over HTTP was looked up as a folder of the server's working directory first; `/media` took its types
    from the host's mime.types, which named ".ts" a Qt translation file."""
    with pytest.raises(InvalidInput, match="over HTTP, a model is one of the Whisper names"):
        check_untrusted(IngestOptions(model="evilmodel"))
    check_untrusted(IngestOptions(model="base"))
    assert MEDIA_EXTS <= MEDIA_TYPES.keys() and MEDIA_TYPES[".ts"] == "video/mp2t"
    video = stored_video(api.service)
    with api.client() as c:
        assert c.head(f"/media/{video}").headers["content-type"] == "video/mp4"
        r = c.post("/v1/videos", json={"url": "https://www.youtube.com/watch?v=aaaaaaaaaaa", "model": "evilmodel"})
        assert r.status_code == 400 and "a model is one of the Whisper names" in r.json()["error"], r.text


def test_a_clip_asked_for_two_ways_is_refused_and_nothing_is_added(api: Api) -> None:
    """A chapter with a range became the whole chapter (201, ten times the second asked for); a hit with a range
    became the hit. The command line already refused such a mix."""
    video = stored_video(api.service)
    with api.client() as c:
        reel = c.post("/v1/reels", json={"title": "Mix"}).json()["id"]
        for body in ({"video": video, "chapter": 1, "start": 1, "end": 2},
                     {"hit": {"video_id": video, "start": 3.0, "end": 6.0}, "start": 1, "end": 2},
                     {"video": video, "chapter": 1, "end": 2}):
            r = c.post(f"/v1/reels/{reel}/clips", json=body)
            assert r.status_code == 400 and "not " in r.json()["error"], (body, r.text)
        assert c.get(f"/v1/reels/{reel}").json()["clips"] == []
        assert c.post(f"/v1/reels/{reel}/clips", json={"video": video, "start": 3, "end": 6}).status_code == 201


def test_a_clip_named_by_its_place_in_a_reel_another_editor_changed_is_refused(api: Api) -> None:
    """Clip edits name a clip by its position: an editor whose page was out of date (another had removed clip 1)
    removed "clip 2", and the server removed the clip after the one meant; a trim after a reorder moved another
    clip's edges. With the reel's updated_at as read in If-Match, a reel changed since is a 409."""
    video = stored_video(api.service)
    with api.client() as c:
        reel = c.post("/v1/reels", json={"title": "Desk"}).json()["id"]
        for start in (3.0, 10.0, 20.0):
            seen = c.post(f"/v1/reels/{reel}/clips", json={"video": video, "start": start, "end": start + 2}).json()
        stale = {"If-Match": f'"{seen["updated_at"]}"'}
        assert c.delete(f"/v1/reels/{reel}/clips/1", headers=stale).status_code == 200  # editor A
        for call in (lambda: c.delete(f"/v1/reels/{reel}/clips/2", headers=stale),  # editor B, out of date
                     lambda: c.patch(f"/v1/reels/{reel}/clips/1", json={"start": 3, "end": 6}, headers=stale),
                     lambda: c.post(f"/v1/reels/{reel}/clips/2/move", json={"to": 1}, headers=stale),
                     lambda: c.patch(f"/v1/reels/{reel}", json={"title": "Old"}, headers=stale),
                     lambda: c.delete(f"/v1/reels/{reel}", headers=stale)):  # it took clips B had not seen
            r = call()
            assert r.status_code == 409 and "changed elsewhere" in r.json()["error"], r.text
        now = c.get(f"/v1/reels/{reel}").json()
        assert [(k["start"] > 9, k["start"] > 19) for k in now["clips"]] == [(True, False), (True, True)]
        fresh = {"If-Match": f'W/"{now["updated_at"]}"'}
        assert c.delete(f"/v1/reels/{reel}/clips/2", headers=fresh).status_code == 200
        assert c.patch(f"/v1/reels/{reel}", json={"title": "New"}, headers={"If-Match": "soon"}).status_code == 400
        assert c.patch(f"/v1/reels/{reel}", json={"title": "New"}).json()["title"] == "New"  # no header: as before
        latest = {"If-Match": f'"{c.get(f"/v1/reels/{reel}").json()["updated_at"]}"'}
        assert c.delete(f"/v1/reels/{reel}", headers=latest).json() == {"deleted": reel}


def test_a_video_whose_clips_reels_hold_is_deleted_only_with_force(api: Api) -> None:
    """A delete took the video's clips out of every reel that held them, unasked: a producer's reel emptied by a
    colleague's clean-up."""
    video = stored_video(api.service)
    with api.client() as c:
        reel = c.post("/v1/reels", json={"title": "Desk"}).json()["id"]
        c.post(f"/v1/reels/{reel}/clips", json={"video": video, "start": 3.0, "end": 5.0})
        refused = c.delete(f"/v1/videos/{video}")
        assert refused.status_code == 409 and "reels hold 1 clip(s)" in refused.json()["error"], refused.text
        assert len(c.get(f"/v1/reels/{reel}").json()["clips"]) == 1 and c.get(f"/v1/videos/{video}").is_success
        done = c.delete(f"/v1/videos/{video}", params={"force": "true"}).json()
        assert done["deleted"] == video and [r["reel"] for r in done["reels"]] == [reel]
        assert c.get(f"/v1/reels/{reel}").json()["clips"] == []


@pytest.mark.slow
def test_like_faults_get_like_statuses_on_every_endpoint(api: Api) -> None:
    """A format or state outside its names was a 400 on transcripts and jobs but a 422 on exports, and "EDL" was
    refused where "VTT" was read; a clip position the reel lacks was a 400, not a 404; cancelling a finished job
    and undoing an undone correction were 400s, where a clash with the thing's state is a 409."""
    video = stored_video(api.service)
    reel = api.service.reels.new("Statuses").id
    api.service.reels.add_range(reel, video, 3.0, 6.0)
    with api.client() as c:
        for url, bad in ((f"/v1/videos/{video}/transcript", "docx"), (f"/v1/reels/{reel}/export", "docx"),
                         ("/v1/jobs", None)):
            r = c.get(url, params={"format" if bad else "state": bad or "sleeping"})
            assert r.status_code == 422, (url, r.text)
        assert c.get(f"/v1/videos/{video}/transcript", params={"format": "VTT"}).text.startswith("WEBVTT")
        assert "TITLE:" in c.get(f"/v1/reels/{reel}/export", params={"format": "EDL"}).text
        assert c.get("/v1/jobs", params={"state": "Queued"}).status_code == 200
        for call in (lambda: c.delete(f"/v1/reels/{reel}/clips/2"), lambda: c.delete(f"/v1/reels/{reel}/clips/0"),
                     lambda: c.patch(f"/v1/reels/{reel}/clips/5", json={"start": 3, "end": 6}),
                     lambda: c.post(f"/v1/reels/{reel}/clips/2/move", json={"to": 1})):
            r = call()
            assert r.status_code == 404 and "no clip" in r.json()["error"], r.text
        r = c.post(f"/v1/reels/{reel}/clips/1/move", json={"to": 3})
        assert r.status_code == 400 and "positions run from 1 to 1" in r.json()["error"], r.text
        r = c.get("/v1/search", params={"q": "report", "after": "2026-01-01", "before": "2025-01-01"})
        assert r.status_code == 400 and "--" not in r.json()["error"], r.text  # no CLI flags named over HTTP
        declared = c.get("/openapi.json").json()["paths"]["/v1/jobs/{job_id}"]["delete"]["responses"]
        assert {"404", "409"} <= declared.keys()
