"""The transcript used by keyboard alone, in Debian's Chromium against the real app over HTTP: words reached with Tab
and arrows, a range selected and changed with Shift+arrows and Shift+Home/End, announced, cleared with Escape, and
added to a reel from the selection's bar reached with Tab. Console errors fail the test (tests/test_web.py's rule)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.test_web import PATIENCE_MS, Console, Site, browser, console, site  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.slow


@pytest.fixture
def page(browser: Browser, site: Site, console: Console) -> Iterator[Page]:  # noqa: F811
    ctx: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 860})
    page = ctx.new_page()
    page.set_default_timeout(PATIENCE_MS)
    console.watch(page)
    page.goto(f"{site.url}/#/")
    page.evaluate("k => localStorage.setItem('clipindex-key', k)", site.secret)
    yield page
    ctx.close()


def _focused_word(page: Page) -> int | None:
    index = page.evaluate("() => document.activeElement && document.activeElement.dataset.i")
    return None if index is None else int(index)


def _tab_into_the_transcript(page: Page) -> None:
    for _ in range(60):
        page.keyboard.press("Tab")
        if _focused_word(page) is not None:
            return
    raise AssertionError("Tab never reached the transcript")


def test_a_range_selected_by_keyboard_alone_becomes_a_clip(page: Page, site: Site, console: Console) -> None:  # noqa: F811
    reel = site.service.reels.new("Keyboard reel")
    page.evaluate("id => localStorage.setItem('clipindex-reel', id)", reel.id)
    page.goto(f"{site.url}/#/video/{site.video_id}")
    words = site.service.transcript(site.video_id).words
    expect(page.locator("#transcript .word").nth(len(words) - 1)).to_be_attached()
    _tab_into_the_transcript(page)
    assert _focused_word(page) == 0  # the transcript is one tab stop, entered at its first word
    first = next(i for i, w in enumerate(words) if w.text.lower().startswith("volunteers"))
    for _ in range(first):
        page.keyboard.press("ArrowRight")
    assert _focused_word(page) == first
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowLeft")  # shrinks it again by one word
    last = first + 4
    assert _focused_word(page) == last
    live = page.locator("#selection-live")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_contain_text("5 words selected")
    expect(page.locator("#selection-bar")).to_be_visible()
    assert page.evaluate("getSelection().toString()").split() == [w.text for w in words[first:last + 1]]

    page.keyboard.press("Escape")  # clears the selection, focus stays on the word
    expect(page.locator("#selection-bar")).to_be_hidden()
    expect(live).to_have_text("Selection cleared")
    assert _focused_word(page) == last and page.evaluate("getSelection().isCollapsed")

    page.keyboard.press("Shift+End")  # from the focused word to the end of its line
    line_end = int(page.evaluate("i => { const w = document.querySelectorAll('#transcript .word')[i];"
                                 " const all = w.parentElement.querySelectorAll('.word');"
                                 " return all[all.length - 1].dataset.i; }", last))
    assert line_end > last and _focused_word(page) == line_end
    expect(live).to_contain_text(f"{line_end - last + 1} words selected")
    page.keyboard.press("Escape")
    page.keyboard.press("Home")
    home = _focused_word(page)
    assert home is not None and home <= last
    for _ in range(last - home):
        page.keyboard.press("ArrowRight")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")  # the other way: the range ends at the word focused first
    start = last - 3
    expect(live).to_contain_text("4 words selected")

    page.keyboard.press("Tab")  # to the selection's buttons, in order
    assert page.evaluate("document.activeElement.id") == "sel-copy"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "sel-reel"
    page.keyboard.press("Enter")
    expect(page.locator("#toast")).to_contain_text("Keyboard reel")
    [clip] = site.service.reels.get(reel.id).clips
    assert clip.start == pytest.approx(words[start].start, abs=1e-3)
    assert clip.end == pytest.approx(words[last].end, abs=1e-3)
    page.keyboard.press("Escape")  # Escape in the bar clears the selection and goes back to the words
    expect(page.locator("#selection-bar")).to_be_hidden()
    assert _focused_word(page) == start
