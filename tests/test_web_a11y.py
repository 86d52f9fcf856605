"""The web page for newsroom staff who use a screen reader, only a keyboard, a zoomed or narrow screen, or reduced
motion (an accessibility audit against WCAG 2.2 AA), checked in Debian's Chromium against the real app over HTTP.
Console errors fail a test (tests/test_web.py's rule)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.test_web import (  # noqa: F401 - fixtures used by name
    PHONE,
    Console,
    Site,
    _page,
    _select_words,
    browser,
    console,
    context,
    site,
)

pytestmark = pytest.mark.slow

ACTIVE = "(() => { const a = document.activeElement; return a ? (a.id || a.className || a.tagName) : null; })()"


def test_each_view_has_a_title_of_its_own(context: BrowserContext, site: Site, console: Console) -> None:  # noqa: F811
    """Every view but a video's page was titled "clipindex": a screen reader's first words and a browser tab's
    name said nothing of where one was (2.4.2)."""
    page = _page(context, console, site)
    for route, title in (("#/videos", "Videos · clipindex"), ("#/reels", "Reels · clipindex"),
                         ("#/jobs", "Jobs · clipindex"), ("#/ingest", "Add a video · clipindex"),
                         ("#/?q=bridge", "“bridge” · Search · clipindex"), ("#/", "Search · clipindex")):
        page.goto(f"{site.url}/{route}")
        expect(page).to_have_title(title)


def test_the_player_shows_the_transcript_as_captions(context: BrowserContext, site: Site,  # noqa: F811
                                                     console: Console) -> None:  # noqa: F811
    """The player had no captions track, though the server writes WebVTT of every transcript: a deaf editor saw
    none in the picture or in full screen (1.2.2)."""
    page = _page(context, console, site)
    page.goto(f"{site.url}/#/video/{quote(site.video_id, safe='')}")
    track = page.locator("#player video track[kind=captions]")
    expect(track).to_have_attribute("src", f"/v1/videos/{quote(site.video_id, safe='')}/transcript?format=vtt")
    expect(track).to_have_attribute("srclang", "en")
    cues = page.wait_for_function("""() => { const t = document.querySelector('#player video').textTracks[0];
        return t && t.mode === 'showing' && t.cues && t.cues.length ? t.cues[0].text : null; }""")
    first = site.service.transcript(site.video_id).segments[0].text
    assert cues.json_value().split()[:3] == first.split()[:3]


def test_the_keyboard_gets_past_the_selection_and_back_from_the_correct_form(  # noqa: F811
        context: BrowserContext, site: Site, console: Console) -> None:  # noqa: F811
    """With words selected, Tab went from the words to the selection's bar and from its last button back into the
    words, which sent it to the bar again: the corrections and the article could not be reached (2.4.3). Cancel in
    the Correct form left the focus on the page's body, and Escape did nothing there."""
    page = _page(context, console, site)
    page.goto(f"{site.url}/#/video/{quote(site.video_id, safe='')}")
    _select_words(page, 3, 5)
    page.locator("#transcript .word").nth(5).focus()
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE) == "sel-copy"
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(ACTIVE))
    assert seen.count("sel-copy") == 0, seen  # once past the bar, Tab goes on through the page
    assert any(s not in ("sel-play", "sel-reel", "sel-fix") and "word" not in str(s) for s in seen), seen

    _select_words(page, 3, 5)
    page.click("#sel-fix")
    expect(page.locator("#fix-text")).to_be_focused()
    page.click("#fix-cancel")
    expect(page.locator("#fix-form")).to_be_hidden()
    assert page.evaluate(ACTIVE) not in ("BODY", None)
    _select_words(page, 3, 5)
    page.click("#sel-fix")
    page.keyboard.press("Escape")
    expect(page.locator("#fix-form")).to_be_hidden()
    assert page.evaluate(ACTIVE) not in ("BODY", None)


def test_a_narrow_or_zoomed_page_keeps_the_selection_bar_and_reduced_motion_stills_the_spinner(
        browser: Browser, site: Site, console: Console) -> None:  # noqa: F811
    """At 760 CSS px or less (a phone, a desktop at 200% zoom) the sticky header covered the selection's sticky bar,
    its focused buttons included (2.4.11); the loading spinner turned whatever the reader asked of motion (2.2.2)."""
    ctx = browser.new_context(viewport=PHONE, reduced_motion="reduce")
    try:
        page: Page = _page(ctx, console, site)
        page.goto(f"{site.url}/#/video/{quote(site.video_id, safe='')}")
        count = len(site.service.transcript(site.video_id).words)
        expect(page.locator("#transcript .word")).to_have_count(count)
        _select_words(page, count - 3, count - 1)  # low in the transcript: the page is scrolled past the bar
        page.locator("#transcript .word").nth(count - 1).focus()
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE) == "sel-copy"
        on_top = page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
            return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2).id; }""")
        assert on_top == "sel-copy", on_top
        spin = page.evaluate("""() => { const s = document.createElement('p'); s.className = 'state state-loading';
            s.textContent = 'Loading'; document.body.append(s);
            return getComputedStyle(s, '::before').animationName; }""")
        assert spin == "none"
    finally:
        ctx.close()


def test_words_in_another_language_say_so(context: BrowserContext, site: Site, console: Console) -> None:  # noqa: F811
    """Russian snippets and chapter titles carried no language: a screen reader read them as English (3.1.2)."""
    page = _page(context, console, site)
    page.goto(f"{site.url}/#/?q={quote('Каменке')}")
    expect(page.locator(".snippet").first).to_have_attribute("lang", "ru")
    page.goto(f"{site.url}/#/video/{quote(site.captions_id, safe='')}")
    chapters = site.service.chapters.get(site.captions_id)
    assert chapters
    expect(page.locator("#chapters bdi").first).to_have_attribute("lang", "ru")
    expect(page.get_by_role("button", name="Add to reel: chapter").first).to_be_visible()


def _luminance(rgb: str) -> float:
    """Relative luminance of a CSS rgb()/rgba() colour, as WCAG defines it."""
    r, g, b = (int(v) / 255 for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_fields_and_word_states_are_seen_without_a_faint_shade(context: BrowserContext, site: Site,  # noqa: F811
                                                              console: Console) -> None:  # noqa: F811
    """A field's edge was 1.36:1 against the page, and a corrected word, the word being played and a word hard to
    hear differed from the others by a shade of 1.14-2.95:1 only (1.4.11, 1.4.1)."""
    page = _page(context, console, site)
    page.goto(f"{site.url}/#/?q=bridge")
    edge = page.evaluate("getComputedStyle(document.querySelector('#search-form input')).borderTopColor")
    assert _contrast(edge, "rgb(255, 255, 255)") >= 3.0, edge
    page.goto(f"{site.url}/#/video/{quote(site.video_id, safe='')}")
    expect(page.locator("#transcript .word").first).to_be_attached()
    marks = page.evaluate("""() => { const w = document.querySelector('#transcript .word');
        const look = (cls) => { w.className = 'word ' + cls; const s = getComputedStyle(w);
          return [s.outlineStyle, s.textDecorationLine, s.textDecorationColor]; };
        return { current: look('current'), edited: look('edited'), unsure: look('unsure') }; }""")
    assert marks["current"][0] != "none", marks
    assert marks["edited"][1] == "underline" and marks["unsure"][1] == "underline", marks
    assert _contrast(marks["unsure"][2], "rgb(255, 255, 255)") >= 3.0, marks
