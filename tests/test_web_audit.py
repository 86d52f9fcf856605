"""The web page's audit findings (a double "More results", Arabic times and corrections read backwards, a long reel
title widening the page, jobs that stopped refreshing or dropped the keyboard, the transcript's tab stop, focus after
edits, a wrong key taken with a check mark, same-named controls, stale server wording, keyboard and phone issues), each
checked in Debian's Chromium against the real app over HTTP. Console errors fail a test (tests/test_web.py's rule)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from indexer.models import Chapter
from indexer.service import IngestOptions
from indexer.store.schema import jobs as jobs_table
from tests.conftest import ffmpeg
from tests.test_web import (  # noqa: F401 - fixtures used by name
    PATIENCE_MS,
    Console,
    Site,
    _select_words,  # the same drag as the page's own tests
    browser,
    console,
    site,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}

# Holds back the page's requests whose URL holds `part` (and whose method is `method`) by `ms`, as a slow server
# would, and counts them: window.sent (asked) and window.pending (not answered yet).
SLOW_FETCH = """([part, method, ms]) => { window.sent = 0; window.pending = 0; const real = window.fetch;
    window.fetch = (url, init) => {
      if (!String(url).includes(part) || ((init && init.method) || 'GET') !== method) return real(url, init);
      window.sent++; window.pending++;
      return new Promise((r) => setTimeout(r, ms)).then(() => real(url, init)).finally(() => { window.pending--; });
    }; }"""

# Where on screen the text `needle` starts (its left edge) inside `selector`: the order a reader sees, whatever the
# order of the characters in the page.
LEFT_OF = """([selector, needle]) => { const root = document.querySelector(selector);
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const i = n.data.indexOf(needle);
      if (i < 0) continue;
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + needle.length);
      return r.getBoundingClientRect().left;
    }
    return null; }"""

ACTIVE = "(() => { const a = document.activeElement; return a ? [a.tagName, a.getAttribute('aria-label') || a.id," \
         " a.textContent.trim().slice(0, 60), a.dataset.i ?? null, a.dataset.job ?? null] : null; })()"


@pytest.fixture(scope="module")
def zebra(site: Site) -> str:  # noqa: F811
    """An hour of captions, one cue a minute, each a passage of its own with "zebra" in it (60 hits), and 40
    chapters (80 tab stops in the old chapter list)."""
    stamp = lambda s: f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000"  # noqa: E731
    cues = [f"{stamp(s)} --> {stamp(s + 2)}\nThe zebra number {s // 60} crossed the wide road today."
            for s in range(0, 3600, 60)]
    path = site.root / "zebra.vtt"
    path.write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n", encoding="utf-8")
    [result] = list(site.service.ingest(str(path), IngestOptions(title="Zebra count")))
    video_id = str(result.video_id)
    site.service.store.put_chapters(video_id, "computed", [
        Chapter(video_id, n * 90.0, (n + 1) * 90.0, f"Stretch {n + 1}") for n in range(40)])
    return video_id


ARABIC_TITLE = "ميزانية المدينة"
ARABIC_LINES = ["قال رئيس مجلس المدينة إن الميزانية سترتفع", "وقال الوزير إن الخطة واقعية"]


@pytest.fixture(scope="module")
def arabic(site: Site) -> str:  # noqa: F811
    """Eight seconds of picture and silence with Arabic captions beside it: a video whose clips can be cut."""
    library = site.root / "arabic"
    library.mkdir()
    media = library / "ar_news.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=navy:s=160x90:r=5", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
           "-t", "8", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "24k", str(media))
    cues = [f"{n + 1}\n00:00:0{4 * n},000 --> 00:00:0{4 * n + 3},500\n{line}" for n, line in enumerate(ARABIC_LINES)]
    (library / "ar_news.srt").write_text("\n\n".join(cues) + "\n", encoding="utf-8")
    [result] = list(site.service.ingest(str(media), IngestOptions(title=ARABIC_TITLE, language="ar")))
    return str(result.video_id)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:  # noqa: F811
    ctx = browser.new_context(viewport=DESKTOP)
    yield ctx
    ctx.close()


def _page(ctx: BrowserContext, console: Console, site: Site, *, key: bool = True) -> Page:  # noqa: F811
    page = ctx.new_page()
    page.set_default_timeout(PATIENCE_MS)
    console.watch(page)
    page.goto(f"{site.url}/#/")
    if key:
        page.evaluate("k => localStorage.setItem('clipindex-key', k)", site.secret)
    return page


@pytest.fixture
def page(context: BrowserContext, site: Site, console: Console) -> Page:  # noqa: F811
    return _page(context, console, site)


def _active(page: Page) -> list[str | None]:
    return list(page.evaluate(ACTIVE))


def _tab_to_a_word(page: Page, most: int = 120) -> int:
    """Tab from the top of the view until a word of the transcript has the focus; the number of presses."""
    page.evaluate("document.querySelector('#view').focus()")
    for n in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('word')"):
            return n
    raise AssertionError(f"{most} Tabs never reached the transcript")


def _no_pending(page: Page) -> None:
    wait_until(lambda: page.evaluate("window.pending === 0"), 20, "the held-back requests to be answered")


def test_more_results_pressed_twice_adds_one_page(page: Page, site: Site, zebra: str) -> None:  # noqa: F811
    """A double click on "More results" asked twice for results 21-40 and showed them twice."""
    page.goto(f"{site.url}/#/?q=zebra&mode=keyword")
    expect(page.locator(".hit")).to_have_count(20)
    page.evaluate(SLOW_FETCH, ["/v1/search", "GET", 400])
    page.dblclick("#more")
    expect(page.locator("#search-status")).to_contain_text("40 of")
    _no_pending(page)
    assert page.evaluate("window.sent") == 1
    expect(page.locator(".hit")).to_have_count(40)
    expect(page.locator("#more")).to_be_enabled()
    page.click("#more")  # the next press goes on from 40
    expect(page.locator(".hit")).to_have_count(60)
    expect(page.locator("#search-status")).to_contain_text("60 of 60")


def test_arabic_clip_times_and_a_correction_read_in_order(page: Page, site: Site, arabic: str) -> None:  # noqa: F811
    """After an Arabic title a clip's "0:02–0:06" was drawn "0:06–0:02", and a correction of Arabic words was drawn
    new → old: each title and wording is now isolated in its own direction."""
    reel = site.service.reels.new("Arabic desk")
    site.service.reels.add_range(reel.id, arabic, 2.0, 6.0, label="جلسة المجلس")
    [cut] = site.service.reels.get(reel.id).clips  # its edges snapped to words
    times = [f"0:{int(t):02d}" for t in (cut.start, cut.end)]
    page.goto(f"{site.url}/#/reels")
    clip = page.locator(".reel", has_text="Arabic desk").locator(".clip").first
    expect(clip).to_contain_text("–".join(times))
    clip.evaluate("c => c.id = 'arabic-clip'")
    start, end = (page.evaluate(LEFT_OF, ["#arabic-clip", t]) for t in times)
    assert start is not None and end is not None and start < end, (start, end)

    page.goto(f"{site.url}/#/video/{quote(arabic, safe='')}")
    words = [w.text for w in site.service.transcript(arabic).words]
    at = words.index("مجلس")
    _select_words(page, at, at)
    page.click("#sel-fix")
    page.fill("#fix-text", "البرلمان")
    page.click("#fix-form button[type=submit]")
    expect(page.locator("#corrections")).to_contain_text("البرلمان")
    old, new = (page.evaluate(LEFT_OF, ["#corrections p", t]) for t in ("مجلس", "البرلمان"))
    arrow = page.evaluate(LEFT_OF, ["#corrections p", "→"])
    assert old is not None and new is not None and old < arrow < new, (old, arrow, new)


COP_TITLE = "مؤتمر COP29 في باكو"  # "the COP29 conference in Baku": Arabic around a Latin name
COP_CHAPTER = "انطلق مؤتمر COP29 للمناخ"


def test_arabic_titles_with_a_latin_name_read_right_to_left(page: Page, site: Site) -> None:  # noqa: F811
    """A video's title and its chapters' titles had no direction: "مؤتمر COP29 في باكو" was laid out left to right,
    so an Arabic reader, reading from the right, read "in Baku COP29 conference". Each title is now isolated in its
    own direction: its first word is the rightmost, in the list, on the video's page, in its chapters and hits."""
    path = site.root / "cop.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nانطلق مؤتمر COP29 للمناخ في باكو اليوم\n",
                    encoding="utf-8")
    [result] = list(site.service.ingest(str(path), IngestOptions(title=COP_TITLE, language="ar")))
    video_id = str(result.video_id)
    site.service.store.put_chapters(video_id, "computed", [Chapter(video_id, 0.0, 5.0, COP_CHAPTER)])
    site.service.index.index_video(video_id)

    def first_word_rightmost(selector: str, first: str) -> None:
        at, name = (page.evaluate(LEFT_OF, [selector, t]) for t in (first, "COP29"))
        assert at is not None and name is not None and at > name, (selector, at, name)

    page.goto(f"{site.url}/#/videos")
    page.locator("#video-list h2", has_text="COP29").evaluate("h => h.id = 'cop-item'")
    first_word_rightmost("#cop-item", "مؤتمر")
    page.goto(f"{site.url}/#/video/{quote(video_id, safe='')}")
    expect(page.locator("#video-title")).to_have_text(COP_TITLE)
    first_word_rightmost("#video-title", "مؤتمر")
    expect(page.locator("#chapters")).to_contain_text(COP_CHAPTER)
    first_word_rightmost("#chapters", "انطلق")
    page.goto(f"{site.url}/#/?q=" + quote("مؤتمر"))
    group = page.locator(".group", has_text="COP29")
    expect(group.locator(".chapter")).to_contain_text(COP_CHAPTER)
    group.locator("h2").evaluate("h => h.id = 'cop-group'")
    group.locator(".chapter").first.evaluate("c => c.id = 'cop-chapter'")
    first_word_rightmost("#cop-group", "مؤتمر")
    first_word_rightmost("#cop-chapter", "انطلق")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_added_button_with_a_long_reel_title_does_not_widen_the_page(
        browser: Browser, site: Site, console: Console, viewport: dict[str, int]) -> None:  # noqa: F811
    """"Added (1 clip in <a 150-letter slug>)" made the button, and the page, 2,000 px wide."""
    reel = site.service.reels.new("Flood" + "W" * 150)
    ctx = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = _page(ctx, console, site)
    page.evaluate("id => localStorage.setItem('clipindex-reel', id)", reel.id)
    wide = "[document.documentElement.scrollWidth, window.innerWidth]"
    page.goto(f"{site.url}/#/?q=library&mode=keyword")
    add = page.locator(".hit .actions button").first
    add.click()
    expect(add).to_contain_text("Added (1 clip in Flood")
    assert page.evaluate(f"({wide})[0] <= ({wide})[1]"), page.evaluate(wide)
    page.goto(f"{site.url}/#/video/{site.video_id}")
    _select_words(page, 2, 4)
    page.click("#sel-reel")
    expect(page.locator("#sel-reel")).to_contain_text("Added (2 clips in Flood")
    assert page.evaluate(f"({wide})[0] <= ({wide})[1]"), page.evaluate(wide)
    ctx.close()


def _running_job(site: Site, title: str, done: float = 10.0) -> str:  # noqa: F811
    """A job as a worker on another machine holds it, transcribing: written to the queue here, so none takes it."""
    job_id = f"audit{time.monotonic_ns()}"
    now = time.time()
    with site.service.store.tx() as conn:
        conn.execute(jobs_table.insert().values(
            id=job_id, kind="ingest", payload=json.dumps({"source": f"/uploads/{title}", "title": title}),
            state="running", step="transcript", progress=done / 180, attempts=1, max_attempts=3, cancel=False,
            created_at=now, updated_at=now, lease_owner="elsewhere", lease_expires=now + 3600,
            audio_done=done, audio_total=180.0))
    return job_id


def _set_job(site: Site, job_id: str, **values: object) -> None:  # noqa: F811
    with site.service.store.tx() as conn:
        conn.execute(jobs_table.update().where(jobs_table.c.id == job_id).values(**values))


def test_jobs_and_the_badge_show_a_job_started_while_nothing_ran(page: Page, site: Site) -> None:  # noqa: F811
    """With nothing running at load, the Jobs list and the header's badge never asked again: a colleague's new job
    stayed out of sight until a reload."""
    for job in site.service.jobs.list():
        assert job.state not in ("queued", "running"), job
    page.goto(f"{site.url}/#/videos")
    expect(page.locator("#videos-status")).to_contain_text("video")
    first = _running_job(site, "colleague.wav")
    expect(page.locator("#jobs-badge")).to_have_text("1", timeout=15_000)  # on any view
    expect(page.locator("#jobs-badge")).to_be_visible()
    _set_job(site, first, state="cancelled", lease_owner=None)
    page.goto(f"{site.url}/#/jobs")
    expect(page.locator(f".job[data-job={first}] .state")).to_have_text("Cancelled")
    second = _running_job(site, "second colleague.wav")
    card = page.locator(f".job[data-job={second}]")
    expect(card).to_contain_text("Transcribing: 0:10 of 3:00", timeout=15_000)
    expect(page.locator("#jobs-badge")).to_have_text("1")
    _set_job(site, second, state="cancelled", lease_owner=None)


def test_a_running_job_keeps_the_keyboard_and_says_cancelling_until_it_stops(page: Page, site: Site) -> None:  # noqa: F811
    """The Jobs page drew every card anew every 0.7 s: the focus fell to the page's top, so Cancel could not be
    reached by keyboard, and a cancelled job offered Cancel again (redrawn) until its worker stopped."""
    job = _running_job(site, "evening.wav")
    page.goto(f"{site.url}/#/jobs?job={job}")
    card = page.locator(f".job[data-job={job}]")
    expect(card.locator(".state")).to_have_text("Transcribing: 0:10 of 3:00")
    cancel = card.get_by_role("button", name="Cancel evening.wav")
    cancel.focus()
    said = page.evaluate("(document.querySelector('#jobs-live') || {}).textContent")
    _set_job(site, job, audio_done=20.0, progress=20 / 180)
    expect(card.locator(".state")).to_have_text("Transcribing: 0:20 of 3:00")  # drawn again since
    assert _active(page)[1] == "Cancel evening.wav", _active(page)
    live = page.locator("#jobs-live")
    expect(live).to_have_attribute("aria-live", "polite")
    assert live.text_content() == said  # progress within a step is not read out every 0.7 s

    page.keyboard.press("Enter")
    expect(cancel).to_have_text("Cancelling…")
    expect(cancel).to_be_disabled()
    wait_until(lambda: _cancel_asked(site, job), 10, "the cancel to reach the server")
    _set_job(site, job, audio_done=30.0, progress=30 / 180)  # the worker has not stopped yet
    expect(card.locator(".state")).to_have_text("Transcribing: 0:30 of 3:00")
    expect(cancel).to_have_text("Cancelling…")
    expect(cancel).to_be_disabled()
    _set_job(site, job, state="cancelled", lease_owner=None)
    expect(card.locator(".state")).to_have_text("Cancelled")
    expect(live).to_contain_text("evening.wav: Cancelled")
    assert _active(page)[4] == job, _active(page)  # the key stays on its card, not the page's top


def test_a_job_says_what_its_step_waits_for(page: Page, site: Site) -> None:  # noqa: F811
    """A job whose step waited on a queue with no worker, or for another process's ingest of its video, read
    "Transcribing: 0:00 of 3:00" or "Fetching…" for as long as it waited: the words that said why reached the
    command line only."""
    job = _running_job(site, "queued elsewhere.wav", done=0.0)
    _set_job(site, job, detail="waiting on the asr queue")
    try:
        got = httpx.get(f"{site.url}/v1/jobs/{job}").json()
        assert (got["step"], got["detail"]) == ("transcript", "waiting on the asr queue")
        page.goto(f"{site.url}/#/jobs?job={job}")
        card = page.locator(f".job[data-job={job}]")
        expect(card.locator(".state")).to_have_text("Transcribing: waiting on the asr queue")
        _set_job(site, job, step="fetch", audio_done=None, audio_total=None,
                 detail="another process on newsroom-2 is ingesting this video: waiting for it")
        expect(card.locator(".state")).to_have_text(
            "Fetching: another process on newsroom-2 is ingesting this video: waiting for it")
        _set_job(site, job, step="transcript", audio_done=20.0, audio_total=180.0, detail=None)
        expect(card.locator(".state")).to_have_text("Transcribing: 0:20 of 3:00")
        assert httpx.get(f"{site.url}/v1/jobs/{job}").json()["detail"] is None
    finally:
        _set_job(site, job, state="cancelled", lease_owner=None)


def _cancel_asked(site: Site, job_id: str) -> bool:  # noqa: F811
    with site.service.store.tx() as conn:
        return bool(conn.execute(jobs_table.select().where(jobs_table.c.id == job_id)).mappings().one()["cancel"])


def test_tab_enters_the_transcript_at_the_moment_opened_and_skips_the_chapters(
        page: Page, site: Site, zebra: str) -> None:  # noqa: F811
    """A video opened at 30:00: Tab went to its first word (and scrolled the transcript back to the top), after two
    stops for each of 40 chapters."""
    page.goto(f"{site.url}/#/video/{quote(zebra, safe='')}?t=1800")
    expect(page.locator("#transcript .word").last).to_be_attached()
    presses = _tab_to_a_word(page)
    start = float(page.evaluate("document.activeElement.dataset.start"))
    assert 1790 <= start <= 1810, start
    assert page.evaluate("document.querySelector('#transcript').scrollTop") > 0
    assert presses <= 12, presses  # the chapters are one stop, folded
    expect(page.locator("#chapters-box summary")).to_contain_text("Chapters (40)")
    page.evaluate("document.querySelector('#view').focus()")
    page.keyboard.press("Tab")  # the first stop skips to the transcript
    expect(page.locator("#skip-transcript")).to_be_focused()
    expect(page.locator("#skip-transcript")).to_be_visible()
    page.keyboard.press("Enter")
    assert float(page.evaluate("document.activeElement.dataset.start")) == start


def test_saving_a_correction_twice_sends_it_once(page: Page, site: Site) -> None:  # noqa: F811
    """A second "Save correction" while the first was on its way was refused as someone else's correction."""
    page.goto(f"{site.url}/#/video/{site.video_id}")
    words = site.service.transcript(site.video_id).words
    _select_words(page, 3, 3)
    page.click("#sel-fix")
    page.fill("#fix-text", "Quickly")
    page.evaluate(SLOW_FETCH, ["/corrections", "POST", 400])
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#toast")).to_contain_text("Corrected.")
    _no_pending(page)
    assert page.evaluate("window.sent") == 1
    expect(page.locator("#toast")).not_to_contain_text("Not corrected")
    expect(page.locator("#transcript .word").nth(3)).to_have_text("Quickly")
    page.get_by_role("button", name=re.compile("Undo the correction")).click()
    expect(page.locator("#transcript .word").nth(3)).to_have_text(words[3].text)


def test_the_keyboard_stays_on_the_words_after_a_correction_and_its_undo(page: Page, site: Site) -> None:  # noqa: F811
    """Saving or undoing a correction by keyboard left the focus on <body>: on a long video, the whole page to Tab
    through again."""
    page.goto(f"{site.url}/#/video/{site.video_id}")
    words = site.service.transcript(site.video_id).words
    _select_words(page, 6, 7)
    page.click("#sel-fix")
    page.fill("#fix-text", "Two fixed")
    page.keyboard.press("Enter")
    expect(page.locator(".word.edited").first).to_have_text("Two")
    wait_until(lambda: _active(page)[3] is not None, 10, "the focus on a word")
    assert _active(page)[2] == "Two", _active(page)
    undo = page.get_by_role("button", name=re.compile("Undo the correction"))
    undo.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".word.edited")).to_have_count(0)
    wait_until(lambda: _active(page)[3] is not None, 10, "the focus on a word")
    assert _active(page)[2] == words[6].text, _active(page)


def test_a_wrong_key_is_said_to_be_wrong_at_once(context: BrowserContext, site: Site, console: Console) -> None:  # noqa: F811
    """A wrong key was saved with "Key saved" and "API key ✓" although the server had answered 401, and every change
    of view asked the server again."""
    console.allowed.add(401)
    page = _page(context, console, site, key=False)
    sessions: list[str] = []
    page.on("request", lambda r: sessions.append(r.method) if r.url.endswith("/v1/session") else None)
    page.click("#key-summary")
    page.fill("#api-key", "ck_wrong_123")
    page.click("#key-form button")
    expect(page.locator("#toast")).to_contain_text("not valid")
    expect(page.locator("#key-summary")).not_to_contain_text("✓")
    expect(page.locator("#key-summary")).to_contain_text("not valid")
    for where in ("#/videos", "#/reels", "#/"):
        page.goto(f"{site.url}/{where}")
        expect(page.locator("main h1")).to_be_visible()
    assert sessions == ["POST"], sessions
    page.fill("#api-key", site.secret)
    page.click("#key-form button")
    expect(page.locator("#key-summary")).to_have_text("API key ✓")
    expect(page.locator("#toast")).to_contain_text("Key saved")


def test_each_result_control_is_named_by_its_moment(page: Page, site: Site, zebra: str) -> None:  # noqa: F811
    """Twenty "Play", "Copy quote" and "Add to reel" read alike in a screen reader's list; the player had no name."""
    page.goto(f"{site.url}/#/?q=zebra&mode=keyword")
    expect(page.locator(".hit")).to_have_count(20)
    names = re.findall(r'- (?:link|button) "([^"]+)"', page.locator("#results").aria_snapshot())
    plays = [n for n in names if n.startswith("Play")]
    assert len(plays) == 20 and len(set(plays)) == 20, plays
    for kind in ("Copy quote", "Add to reel"):
        same = [n for n in names if n.startswith(kind)]
        assert len(same) == 20 and len(set(same)) == 20, same
    expect(page.locator(".hit").first.get_by_role("link", name=re.compile(r"^Play"))).to_have_accessible_name(
        re.compile(r"^Play \d+:\d\d(:\d\d)?–\d+:\d\d(:\d\d)? Zebra count$"))
    page.goto(f"{site.url}/#/video/{site.video_id}")
    expect(page.locator("#player video")).to_have_accessible_name("Video: River report")


def test_the_page_says_the_servers_messages_in_its_own_words(page: Page, site: Site, console: Console) -> None:  # noqa: F811
    """The date message's rewrite no longer matched the server's wording, and a message ending in "?" took a full
    stop after it ("still running?. Trying again")."""
    console.allowed.add(400)
    page.goto(f"{site.url}/#/?q=bridge&after=2026-05-01&before=2026-01-01")
    expect(page.locator("#search-status")).to_contain_text(
        "the From date 2026-05-01 is later than the Until date 2026-01-01")
    # a server that asks a key even for reads (CLIPINDEX_READ_AUTH=1) says so in HTTP terms; the page in its own
    assert page.evaluate("pageWords(\"an API key is required: send 'Authorization: Bearer <key>'\")") == (
        "this archive asks an API key even to read it")
    page.route("**/v1/jobs*", lambda route: route.abort())
    page.goto(f"{site.url}/#/jobs")
    status = page.locator("#jobs-status")
    expect(status).to_contain_text("still running? Trying again")
    page.unroute("**/v1/jobs*")
    # the aborted requests themselves are logged by the browser: they were this test's doing
    console.errors[:] = [e for e in console.errors if "net::ERR_FAILED" not in e]


def test_reel_keyboard_rename_create_and_choose(page: Page, site: Site) -> None:  # noqa: F811
    """Rename put the caret before the old title ("(final)Second reel"); after a rename, a new reel or "Add clips
    here" the focus went to the page's top."""
    other = site.service.reels.new("Other desk")
    site.service.reels.new("Morning keys")
    page.evaluate("() => localStorage.removeItem('clipindex-reel')")
    page.goto(f"{site.url}/#/reels")
    page.get_by_role("button", name="Rename Morning keys").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Evening keys")
    assert page.locator(".reel h2 input").input_value() == "Evening keys"
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Rename Evening keys")).to_be_focused()
    page.fill("#reel-title", "Night keys")
    page.keyboard.press("Enter")
    expect(page.locator(".reel", has_text="Night keys").locator("h2")).to_be_focused()
    choose = page.locator(".reel", has_text="Other desk").get_by_role("button", name="Add clips here")
    choose.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".reel", has_text="Other desk").locator(".pill")).to_be_visible()
    expect(page.locator(".reel", has_text="Other desk").locator("h2")).to_be_focused()
    assert page.evaluate("localStorage.getItem('clipindex-reel')") == other.id


def test_escape_closes_the_key_panel_and_a_phone_shows_every_page_link(
        browser: Browser, site: Site, console: Console) -> None:  # noqa: F811
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    page = _page(ctx, console, site)
    page.goto(f"{site.url}/#/reels")
    outside = page.evaluate("""() => [...document.querySelectorAll('.top nav a')]
        .filter(a => a.getBoundingClientRect().right > window.innerWidth || a.getBoundingClientRect().left < 0)
        .map(a => a.textContent.trim())""")
    assert outside == [], outside
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("#key-summary")
    page.focus("#api-key")
    page.keyboard.press("Escape")
    expect(page.locator("#key-form")).to_be_hidden()
    expect(page.locator("#key-summary")).to_be_focused()
    ctx.close()


def test_a_double_click_selects_a_word_without_playing_it(page: Page, site: Site) -> None:  # noqa: F811
    """The first click of a double click played from the word, and the video played on under the selection."""
    page.goto(f"{site.url}/#/video/{site.video_id}")
    wait_until(lambda: page.evaluate("(v => v && v.readyState >= 1 && !v.seeking)(document.querySelector('video'))"),
               20, "the video's metadata")
    page.evaluate("""() => { window.played = []; const v = document.querySelector('video');
        v.addEventListener('play', () => window.played.push(v.currentTime)); }""")
    spans = page.locator("#transcript .word")
    spans.nth(5).dblclick()
    expect(page.locator("#selection-label")).to_contain_text("1 word selected")
    page.evaluate("getSelection().removeAllRanges()")
    spans.nth(12).click()  # a single click still plays, once the double click's time has passed
    wait_until(lambda: page.evaluate("window.played.length"), 10, "the click to play")
    first = page.evaluate("window.played[0]")
    assert abs(first - float(spans.nth(12).get_attribute("data-start") or 0)) < 0.3, first


def test_back_from_a_result_shows_the_pages_shown_where_they_were(page: Page, site: Site, zebra: str) -> None:  # noqa: F811
    """Back after "More results" and a result showed only the first twenty, at the top of the page."""
    page.goto(f"{site.url}/#/?q=zebra&mode=keyword")
    expect(page.locator(".hit")).to_have_count(20)
    page.click("#more")
    expect(page.locator(".hit")).to_have_count(40)
    hit = page.locator(".hit").nth(30)
    hit.scroll_into_view_if_needed()
    y = page.evaluate("window.scrollY")
    assert y > 0
    hit.locator(".when a").click()
    expect(page.locator("#video-title")).to_have_text("Zebra count")
    page.go_back()
    expect(page.locator(".hit")).to_have_count(40)
    expect(page.locator("#search-status")).to_contain_text("40 of")
    wait_until(lambda: abs(page.evaluate("window.scrollY") - y) < 5, 10, f"the page back at {y}")
    page.click("#more")  # and on from there
    expect(page.locator(".hit")).to_have_count(60)


def test_a_stale_delete_shows_the_reel_as_it_is_now(page: Page, site: Site, console: Console) -> None:  # noqa: F811
    """A reel deleted from a page that had not seen a colleague's clips: the server refuses (409, its If-Match), and
    the page says so and shows the reel with those clips, as for any other stale reel edit."""
    console.allowed.add(409)
    reel = site.service.reels.new("Stale delete desk")
    site.service.reels.add_range(reel.id, site.video_id, 1.0, 3.0)
    page.goto(f"{site.url}/#/reels")
    card = page.locator(".reel", has_text="Stale delete desk")
    expect(card.locator(".clip")).to_have_count(1)
    site.service.reels.add_range(reel.id, site.video_id, 5.0, 7.0)  # the colleague
    card.get_by_role("button", name="Delete Stale delete desk").click()
    card.get_by_role("button", name="Delete Stale delete desk for good").click()
    expect(page.locator("#toast")).to_contain_text("changed elsewhere")
    expect(card.locator(".clip")).to_have_count(2)
    assert len(site.service.reels.get(reel.id).clips) == 2


def test_a_results_play_opens_the_video_playing_from_its_moment(page: Page, site: Site) -> None:  # noqa: F811
    """Play opened the video paused at the moment: a button named Play that did not play."""
    page.goto(f"{site.url}/#/?q=%22the%20water%20is%20falling%22")
    hit = page.locator(".group").first.locator(".hit").first
    start = float(re.search(r"t=([\d.]+)", hit.get_by_role("link", name=re.compile(r"^Play")).get_attribute("href")
                            or "").group(1))  # type: ignore[union-attr]
    hit.get_by_role("link", name=re.compile(r"^Play")).click()
    expect(page.locator("#video-title")).to_have_text("River report")
    wait_until(lambda: page.evaluate("(() => { const m = document.querySelector('#player video'); "
                                     "return m && !m.paused && m.currentTime > 0 ? m.currentTime : 0; })()"),
               30, "the video to play")
    assert page.evaluate("document.querySelector('#player video').currentTime") >= start - 0.5
    page.goto(f"{site.url}/#/video/{site.video_id}?t={start:.2f}")  # the time's own link still opens it paused
    wait_until(lambda: page.evaluate("document.querySelector('#player video') && "
                                     "document.querySelector('#player video').readyState >= 1"), 30, "its metadata")
    assert page.evaluate("document.querySelector('#player video').paused")
