"""Reads behind a key (CLIPINDEX_READ_AUTH=1) with media and frames still usable by a browser: the page trades its key
for a read pass in an HttpOnly, SameSite=Strict cookie. Over real HTTP: no pass, no media; a pass reads (ranges too)
but never writes; an expired, forged or revoked one is refused. Then the page itself in Debian's Chromium: the player
loads and the result frames show."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from indexer.config import load_settings
from indexer.service import Clipindex, IngestOptions
from indexer.store.db import Store
from indexer.store.keys import KeyRing
from indexer.store.passes import LIFETIME_S, SECRET_FILE, ReadPasses
from tests.apiserver import running
from tests.test_web import PATIENCE_MS, Console, browser, console  # noqa: F401 - fixtures used by name
from tests.test_web_api import library_with_report
from tests.waiting import wait_until

COOKIE = "clipindex_read"


class Locked:
    def __init__(self, url: str, service: Clipindex, video_id: str, secret: str) -> None:
        self.url, self.service, self.video_id, self.secret = url, service, video_id, secret

    def passes(self) -> ReadPasses:
        return ReadPasses(self.service.settings.data_dir, self.service.keys)


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Locked]:
    root = tmp_path_factory.mktemp("readauth")
    settings = load_settings(env={"CLIPINDEX_READ_AUTH": "1"}, data_dir=root / "data", model="tiny.en")
    assert settings.read_auth
    service = Clipindex(settings)
    [video] = list(service.ingest(str(library_with_report(root)), IngestOptions(title="River report")))
    _key, secret = service.keys.create("desk")
    with running(service, workers=0) as url:
        yield Locked(url, service, str(video.video_id), secret)


def _client(site: Locked, token: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=site.url, cookies={COOKIE: token} if token else None, timeout=30)


def _reads(client: httpx.Client, video_id: str) -> list[int]:
    """Statuses of a media range, a frame and a JSON read."""
    return [client.get(f"/media/{video_id}", headers={"Range": "bytes=0-99"}).status_code,
            client.get(f"/v1/videos/{video_id}/frame", params={"t": 2}).status_code,
            client.get(f"/v1/videos/{video_id}").status_code]


def test_a_pass_is_issued_for_a_key_and_checked(tmp_path: Path) -> None:
    keys = KeyRing(Store(tmp_path / "clipindex.db"))
    key, _secret = keys.create("desk")
    passes = ReadPasses(tmp_path, keys)
    token, expires = passes.issue(key, now=1000.0)
    assert expires == 1000.0 + LIFETIME_S
    assert passes.verify(token, now=1001.0) == key
    assert passes.verify(token, now=expires) is None  # expired
    key_id, stamp, mac = token.split(".")
    forged = [f"{key_id}.{int(stamp) + 3600}.{mac}", f"{key_id}.{stamp}.{mac[:-1]}{'0' if mac[-1] != '0' else '1'}",
              f"{keys.create('other')[0].id}.{stamp}.{mac}", f"{key_id}.{stamp}", "", "x" * 300, f"{key_id}.-5.{mac}",
              f"{key_id}.\u00b2\u00b2.{mac}"]  # "²" is a digit to str.isdigit, not to int(): a 500 and a traceback
    assert [passes.verify(t, now=1001.0) for t in forged] == [None] * len(forged)
    # every process on the data directory shares the one secret, kept private to its owner
    assert ReadPasses(tmp_path, keys).verify(token, now=1001.0) == key
    assert stat.S_IMODE(os.stat(tmp_path / SECRET_FILE).st_mode) == 0o600
    keys.revoke(key.id)
    assert passes.verify(token, now=1001.0) is None  # a revoked key's passes stop at once


def test_a_damaged_secret_is_named_not_trusted(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).write_text("not hex", encoding="ascii")
    keys = KeyRing(Store(tmp_path / "clipindex.db"))
    with pytest.raises(ValueError, match="read-pass secret"):
        ReadPasses(tmp_path, keys).issue(keys.create("desk")[0])


@pytest.mark.slow  # a real server over real files: seconds
def test_media_and_frames_need_a_key_or_a_pass(locked: Locked) -> None:
    with _client(locked) as anonymous:
        assert _reads(anonymous, locked.video_id) == [401, 401, 401]
        assert anonymous.post("/v1/session").status_code == 401
        r = anonymous.post("/v1/session", headers={"Authorization": f"Bearer {locked.secret}"})
        assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert r.json()["read_auth"] is True and r.json()["expires"] > time.time() + 3600
    token = r.cookies[COOKIE]
    with _client(locked, token) as holder:
        assert _reads(holder, locked.video_id) == [206, 200, 200]
        ranged = holder.get(f"/media/{locked.video_id}", headers={"Range": "bytes=100-199"})
        assert len(ranged.content) == 100 and ranged.headers["content-range"].startswith("bytes 100-199/")
        # a pass reads, never writes: a page on another site could make the browser send it (SameSite aside)
        assert holder.post("/v1/reels", json={"title": "x"}).status_code == 401
        closed = holder.delete("/v1/session")
        assert closed.status_code == 204 and f'{COOKIE}=""' in closed.headers["set-cookie"]


@pytest.mark.slow  # a real server over real files: seconds
def test_an_expired_forged_or_revoked_pass_is_refused(locked: Locked) -> None:
    key, _secret = locked.service.keys.create("leaver")
    passes = locked.passes()
    expired, _ = passes.issue(key, now=time.time() - LIFETIME_S - 1)
    good, _ = passes.issue(key)
    key_id, stamp, mac = good.split(".")
    tampered = f"{key_id}.{int(stamp) + 86400}.{mac}"
    for token in (expired, tampered, f"{good}0", "garbage"):
        with _client(locked, token) as client:
            r = client.get(f"/media/{locked.video_id}")
            assert r.status_code == 401 and "enter the API key again" in r.json()["error"], token
    with _client(locked, good) as client:
        assert _reads(client, locked.video_id) == [206, 200, 200]
        locked.service.keys.revoke(key.id)
        assert _reads(client, locked.video_id) == [401, 401, 401]


@pytest.mark.slow  # a browser
def test_the_page_plays_and_shows_frames_when_reads_need_a_key(browser: Browser, locked: Locked,  # noqa: F811
                                                                console: Console) -> None:  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    page = ctx.new_page()
    page.set_default_timeout(PATIENCE_MS)
    console.watch(page)
    # the key as a newsroom member's browser keeps it (entered once in the header's panel); no read goes without it
    ctx.add_init_script(f"localStorage.setItem('clipindex-key', {locked.secret!r})")
    page.goto(f"{locked.url}/#/videos")
    page.get_by_role("link", name="River report").click()
    ready = "(document.querySelector('#player video') || {readyState: 0}).readyState >= 1"
    wait_until(lambda: page.evaluate(ready), 20, "the video's metadata to load")
    page.goto(f"{locked.url}/#/?q=library&mode=keyword")
    thumb = page.locator("img.thumb").first
    expect(thumb).to_have_js_property("complete", True, timeout=30_000)  # ffmpeg cuts it on first request
    assert thumb.evaluate("i => i.naturalWidth") > 0
    assert page.evaluate("document.cookie") == ""  # the pass is out of the page's scripts' reach
    ctx.close()
