"""The web page in a real headless Chromium (Debian's), driven by Playwright, against the real app over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from indexer.config import Settings
from indexer.service import Clipindex, IngestOptions
from tests.apiserver import running
from tests.waiting import wait_until

# a real Chromium against a real server, over a video transcribed by the real tiny.en model
pytestmark = pytest.mark.slow

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def site(settings: Settings, media_dir: Path) -> Iterator[tuple[str, Clipindex, str, str]]:
    service = Clipindex(settings)
    library = settings.data_dir / "library"
    library.mkdir(parents=True)
    shutil.copy(media_dir / "report.mp4", library / "report.mp4")
    [result] = list(service.ingest(str(library / "report.mp4"), IngestOptions(title="River report")))
    _key, secret = service.keys.create("web")
    with running(service, workers=1) as url:
        yield url, service, str(result.video_id), secret


def _page(browser: Browser, **kwargs: object) -> Page:
    page = browser.new_page(**kwargs)  # type: ignore[arg-type]
    page.set_default_timeout(20_000)
    return page


def test_video_page_seeks_on_a_word_and_follows_playback(browser: Browser, site: tuple) -> None:
    url, service, video_id, _ = site
    page = _page(browser)
    page.goto(f"{url}/#/videos")
    page.get_by_role("link", name="River report").click()
    expect(page.locator("#video-title")).to_have_text("River report")
    words = service.transcript(video_id).words
    target = next(w for w in words if "library" in w.text.lower())
    page.locator(".word", has_text=target.text).first.click()
    current = page.evaluate("document.querySelector('video').currentTime")
    assert abs(current - target.start) < 0.3
    # The word under the playhead follows the seek; the first word may still be marked from before the click
    # until the player's next timeupdate, so wait for the mark to move rather than read it at once.
    page.wait_for_function(
        "(t) => { const w = document.querySelector('.word.current');"
        " return w !== null && parseFloat(w.dataset.start) >= t; }",
        arg=target.start - 0.05)
    assert page.locator(".word.current").count() == 1


def test_transcript_is_usable_by_keyboard(browser: Browser, site: tuple) -> None:
    url, service, video_id, _ = site
    page = _page(browser)
    page.goto(f"{url}/#/video/{video_id}")
    third = page.locator(".word").nth(3)
    third.focus()
    page.keyboard.press("Enter")
    start = float(third.get_attribute("data-start") or "0")
    assert abs(page.evaluate("document.querySelector('video').currentTime") - start) < 0.3


def test_ingest_form_shows_live_progress_then_links_the_video(browser: Browser, site: tuple, media_dir: Path) -> None:
    url, _service, _video_id, secret = site
    page = _page(browser)
    page.goto(f"{url}/#/ingest")
    page.fill("#key", secret)
    page.set_input_files("#file", str(media_dir / "speech.wav"))
    page.click("button[type=submit]")
    expect(page.locator("#job-status")).to_contain_text("done", timeout=90_000)
    assert page.evaluate("document.querySelector('#job-progress').value") == 1
    page.get_by_role("link", name="Open the video").click()
    expect(page.locator(".word").first).to_be_visible()


def test_a_wrong_key_is_reported(browser: Browser, site: tuple, media_dir: Path) -> None:
    url, *_ = site
    page = _page(browser)
    page.goto(f"{url}/#/ingest")
    page.fill("#key", "ck_wrong")
    page.fill("#url", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    page.click("button[type=submit]")
    expect(page.locator("#job-status")).to_contain_text("not valid")


def test_readable_on_a_phone(browser: Browser, site: tuple) -> None:
    url, _service, video_id, _ = site
    page = _page(browser, viewport={"width": 375, "height": 740}, is_mobile=True)
    for route in ("#/", "#/videos", f"#/video/{video_id}", "#/ingest"):
        page.goto(f"{url}/{route}")
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), route


def test_search_a_quote_and_play_that_moment(browser: Browser, site: tuple) -> None:
    url, service, video_id, _ = site
    page = _page(browser)
    page.goto(f"{url}/#/")
    page.fill("#q", '"volunteers filled sandbags outside the library"')
    page.keyboard.press("Enter")
    hit = page.locator(".hit").first
    expect(hit.locator("mark").first).to_be_visible()
    expected = service.search('"volunteers filled sandbags outside the library"').hits[0]
    hit.get_by_role("link", name="Play this moment").click()
    expect(page.locator("#video-title")).to_have_text("River report")
    # the page's CSP forbids eval, so poll with evaluate() rather than wait_for_function()
    ready = "document.querySelector('video') !== null && document.querySelector('video').readyState >= 1"
    wait_until(lambda: page.evaluate(ready), 20, "the video's metadata to load")
    page.wait_for_timeout(300)
    assert abs(page.evaluate("document.querySelector('video').currentTime") - expected.start) < 0.5
    assert page.locator("#chapters li").count() >= 1


def test_reel_from_the_page_add_reorder_render_download(browser: Browser, site: tuple) -> None:
    url, service, video_id, secret = site
    page = _page(browser)
    page.goto(f"{url}/#/reels")
    page.fill("#reel-key", secret)
    page.fill("#reel-title", "Evening bulletin")
    page.click("#reel-form button")
    expect(page.locator(".card.current h2")).to_contain_text("Evening bulletin")
    page.goto(f"{url}/#/")
    page.fill("#q", "library")
    page.keyboard.press("Enter")
    page.locator(".hit").first.get_by_role("button", name="Add to reel").click()
    expect(page.locator(".hit").first).to_contain_text("Added (1 clips")
    page.goto(f"{url}/#/video/{video_id}")
    page.locator("#chapters").get_by_role("button", name="Add chapter").first.click()
    expect(page.locator("#chapters")).to_contain_text("Added (2 clips")
    page.goto(f"{url}/#/reels")
    reel = service.reels.list()[0]
    assert [c.origin for c in reel.clips] == ["hit", "chapter"]
    page.get_by_role("button", name="Move clip 2 up").click()
    expect(page.locator(".clips li").first).to_contain_text(reel.clips[1].label[:20])
    assert [c.origin for c in service.reels.get(reel.id).clips] == ["chapter", "hit"]
    page.get_by_role("button", name="Render MP4").click()
    link = page.get_by_role("link", name="Download the MP4")
    expect(link).to_be_visible(timeout=120_000)
    response = page.request.get(url + str(link.get_attribute("href")))
    assert response.status == 200 and len(response.body()) > 1000
