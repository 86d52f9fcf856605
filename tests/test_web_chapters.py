"""An editor's chapters edited in the web page, in Debian's Chromium against the real app over HTTP: a title renamed
(and a rename made stale by another editor refused with the server's words), a chapter added at the player's moment
(and refused in the page beside another chapter's start), one removed into the chapter before, the edits undone
with a second press, a long list that stays open through an edit, and no edit controls without a key. Console
errors fail a test (tests/test_web.py's rule); each test edits a video of its own."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from indexer.chapters.edits import ChapterEdit
from tests.conftest import stored_video
from tests.test_chapter_edits import put_bulletin
from tests.test_web import (  # noqa: F401 - fixtures used by name
    Console,
    Site,
    _media_ready,
    _page,
    _seek_watch,
    _sought,
    browser,
    console,
    context,
    site,
)

# a real Chromium against a real server
pytestmark = pytest.mark.slow


def _open(page: Page, site: Site, video_id: str) -> None:  # noqa: F811
    page.goto(f"{site.url}/#/video/{quote(video_id, safe='')}")
    expect(page.locator("#chapters > li").first.locator(".chapter-title")).to_be_visible()


def _shown(site: Site, video_id: str) -> list[dict]:  # noqa: F811
    """The list shown, as `GET /v1/videos/{id}/chapters` gives it to anyone (the first kind in its answer)."""
    got = httpx.get(f"{site.url}/v1/videos/{quote(video_id, safe='')}/chapters", timeout=30)
    assert got.status_code == 200, got.text
    every = got.json()
    return [c for c in every if c["source"] == every[0]["source"]]


def _titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#chapters > li .chapter-title bdi").all_inner_texts()]


def test_a_chapter_renamed_in_the_page_becomes_the_editors(context: BrowserContext, site: Site,  # noqa: F811
                                                           console: Console) -> None:  # noqa: F811
    video = put_bulletin(site.service, "file:web-rename")
    before = _shown(site, video)
    assert [c["source"] for c in before] == ["computed", "computed"]
    page = _page(context, console, site)
    _open(page, site, video)
    expect(page.locator("#chapters-edited")).to_have_count(0)

    page.get_by_role("button", name="Rename chapter 2").click()  # Escape puts the row back, the key on Rename
    field = page.get_by_role("textbox", name="New title of chapter 2")
    expect(field).to_be_focused()
    expect(field).to_have_value(before[1]["title"])
    expect(field).to_have_attribute("maxlength", "200")
    field.fill("Something else")
    page.keyboard.press("Escape")
    expect(field).to_have_count(0)
    expect(page.get_by_role("button", name="Rename chapter 2")).to_be_focused()
    assert _titles(page) == [c["title"] for c in before]

    page.get_by_role("button", name="Rename chapter 2").click()
    field.fill("Samarkand elects a new council")
    field.press("Enter")
    expect(page.locator("#chapters-note")).to_have_text("Chapter 2 renamed.")
    expect(page.locator("#chapters > li").nth(1).locator(".chapter-title")).to_be_focused()
    assert _titles(page) == [before[0]["title"], "Samarkand elects a new council"]
    expect(page.locator("#chapters-edited")).to_have_text("edited")
    expect(page.locator("#chapters-title")).to_contain_text("Chapters (2)")
    after = _shown(site, video)
    assert [(c["start"], c["title"], c["source"]) for c in after] == [
        (before[0]["start"], before[0]["title"], "editor"),
        (before[1]["start"], "Samarkand elects a new council", "editor")]
    # the computed list is kept beside it, folded; the editor's is what the player's titles seek in
    expect(page.locator(".other-chapters summary")).to_have_text("Also kept: computed chapters (2)")


def test_a_stale_or_empty_rename_shows_the_servers_words_and_the_list_as_it_is(
        context: BrowserContext, site: Site, console: Console) -> None:  # noqa: F811
    console.allowed.add(409)
    video = put_bulletin(site.service, "file:web-stale")
    seen = _shown(site, video)[0]["title"]
    page = _page(context, console, site)
    _open(page, site, video)
    site.service.chapters.rename(video, 1, "Floods close the river road")  # another editor, behind the page's back
    page.get_by_role("button", name="Rename chapter 1").click()
    page.get_by_role("textbox", name="New title of chapter 1").fill("Tashkent floods")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#chapters-note")).to_contain_text(
        f"chapter 1 is now titled 'Floods close the river road', not '{seen}': someone renamed it meanwhile")
    expect(page.locator("#chapters-note")).to_have_class("state state-error")
    first = page.locator("#chapters > li").first.locator(".chapter-title")
    expect(first).to_contain_text("Floods close the river road")
    expect(page.get_by_role("textbox", name="New title of chapter 1")).to_have_count(0)
    expect(first).to_be_focused()
    expect(page.locator("#chapters-edited")).to_be_visible()  # the other editor's rename made the list the editor's
    assert [c["title"] for c in _shown(site, video)][0] == "Floods close the river road"

    console.allowed.add(400)  # a title of spaces alone: the server's 400, in its words, and the list as it is
    page.get_by_role("button", name="Rename chapter 2").click()
    page.get_by_role("textbox", name="New title of chapter 2").fill("   ")
    page.keyboard.press("Enter")
    expect(page.locator("#chapters-note")).to_have_text("Not renamed: a chapter title cannot be empty.")
    expect(page.get_by_role("textbox", name="New title of chapter 2")).to_have_count(0)
    expect(page.locator("#chapters > li").nth(1).locator(".chapter-title")).to_be_focused()


def test_new_chapter_here_adds_one_at_the_players_moment_and_not_beside_another(
        context: BrowserContext, site: Site, console: Console) -> None:  # noqa: F811
    video = stored_video(site.service, "file:web-here")
    computed = site.service.chapters.recompute(video, count=2)
    page = _page(context, console, site)
    puts: list[str] = []
    page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
    _open(page, site, video)
    _media_ready(page)
    expect(page.locator("#chapters > li")).to_have_count(len(computed))
    assert computed[0].start == 0 and computed[1].start > 40  # the media plays 46 s of the 120 the video claims
    moment = 30.25
    _seek_watch(page)
    page.evaluate("t => { document.querySelector('#player video').currentTime = t; }", moment)
    assert abs(_sought(page) - moment) < 0.01
    page.get_by_role("button", name="New chapter here").click()
    expect(page.locator("#chapters > li")).to_have_count(3)
    expect(page.locator("#chapters-note")).to_have_text("Chapter added at 0:30, titled from its own words.")
    expect(page.locator("#chapters > li").nth(1).locator(".chapter-title")).to_be_focused()
    after = _shown(site, video)
    assert [c["start"] for c in after] == pytest.approx([0.0, moment, computed[1].start], abs=0.01)
    assert [c["source"] for c in after] == ["editor"] * 3
    assert after[1]["title"] and after[0]["end"] == pytest.approx(moment, abs=0.01)  # the server titled it
    assert [after[0]["title"], after[2]["title"]] == [c.title for c in computed]
    assert _titles(page)[1] == after[1]["title"]
    assert len(puts) == 1
    _seek_watch(page)  # a title still seeks the player
    page.locator("#chapters > li").first.locator(".chapter-title").click()
    assert _sought(page) < 0.3

    _seek_watch(page)
    page.evaluate("t => { const v = document.querySelector('#player video'); v.pause(); v.currentTime = t; }",
                  moment + 0.6)
    _sought(page)
    page.get_by_role("button", name="New chapter here").click()  # refused in the page: no request
    expect(page.locator("#chapters-note")).to_contain_text("Not added: chapter 2 starts at 0:30, within a second")
    expect(page.locator("#chapters-note")).to_have_class("state state-error")
    assert len(puts) == 1 and len(_shown(site, video)) == 3
    expect(page.locator("#chapters > li")).to_have_count(3)


def test_remove_joins_a_chapter_into_the_one_before(context: BrowserContext, site: Site,  # noqa: F811
                                                    console: Console) -> None:  # noqa: F811
    video = put_bulletin(site.service, "file:web-remove")
    site.service.chapters.recompute(video, count=3)
    before = _shown(site, video)
    assert len(before) == 3
    page = _page(context, console, site)
    _open(page, site, video)
    expect(page.get_by_role("button", name="Remove chapter")).to_have_count(2)  # none on the first chapter
    expect(page.get_by_role("button", name="Remove chapter 1")).to_have_count(0)
    page.get_by_role("button", name="Remove chapter 2").click()
    expect(page.locator("#chapters > li")).to_have_count(2)
    expect(page.locator("#chapters-note")).to_contain_text("Chapter 2 removed: its time is part of chapter 1 now.")
    expect(page.locator("#chapters > li").first.locator(".chapter-title")).to_be_focused()
    after = _shown(site, video)
    assert [(c["start"], c["title"]) for c in after] == [(before[0]["start"], before[0]["title"]),
                                                          (before[2]["start"], before[2]["title"])]
    assert after[0]["end"] == pytest.approx(before[2]["start"]) and after[0]["source"] == "editor"
    # the computed titles it kept are still made from the words (a correction makes them again)
    assert [c["method"] for c in after] == ["title made from its words"] * 2

    page.get_by_role("button", name="Undo: put chapter 2 back").click()  # a removal can be taken back
    expect(page.locator("#chapters > li")).to_have_count(3)
    expect(page.locator("#chapters-note")).to_have_text("Chapter 2 is back.")
    expect(page.locator("#chapters > li").nth(1).locator(".chapter-title")).to_be_focused()
    again = _shown(site, video)
    assert [(c["start"], c["title"], c["method"]) for c in again] == [
        (c["start"], c["title"], "title made from its words") for c in before]


def test_a_remove_after_another_editor_changed_the_list_is_refused(context: BrowserContext, site: Site,  # noqa: F811
                                                                  console: Console) -> None:  # noqa: F811
    """The page sends the list it shows as `was`: a list set meanwhile elsewhere is not overwritten."""
    console.allowed.add(409)  # the server's refusal, said in its words
    video = put_bulletin(site.service, "file:web-stale-put")
    site.service.chapters.recompute(video, count=3)
    page = _page(context, console, site)
    _open(page, site, video)
    expect(page.locator("#chapters > li")).to_have_count(3)
    site.service.chapters.edit(video, [ChapterEdit(0.0, "Set elsewhere"), ChapterEdit(100.0)])  # behind its back
    page.get_by_role("button", name="Remove chapter 2").click()
    expect(page.locator("#chapters-note")).to_contain_text("changed after you read them")
    expect(page.locator("#chapters > li")).to_have_count(2)  # the list as it is now
    assert [c["title"] for c in _shown(site, video)][0] == "Set elsewhere"


def test_undo_chapter_edits_asks_twice_and_brings_the_computed_list_back(
        context: BrowserContext, site: Site, console: Console) -> None:  # noqa: F811
    video = put_bulletin(site.service, "file:web-undo")
    computed = [(c["start"], c["title"]) for c in _shown(site, video)]
    site.service.chapters.edit(video, [ChapterEdit(0.0, "Opening"), ChapterEdit(30.0, "Floods"),
                                       ChapterEdit(90.0, "Council")])
    page = _page(context, console, site)
    _open(page, site, video)
    expect(page.locator("#chapters-edited")).to_be_visible()
    assert _titles(page) == ["Opening", "Floods", "Council"]
    undo = page.locator("#chapter-tools .danger")
    expect(undo).to_have_text("Undo chapter edits")
    undo.click()
    expect(undo).to_have_text("Undo all chapter edits?")
    expect(page.locator("#chapters-note")).to_contain_text("the computed chapters are shown again")
    assert _shown(site, video)[0]["source"] == "editor"  # one press sends nothing
    undo.click()
    expect(page.locator("#chapters-note")).to_have_text("Chapter edits undone: the computed chapters are shown again.")
    expect(page.locator("#chapters-edited")).to_have_count(0)
    expect(page.get_by_role("button", name="Undo chapter edits")).to_have_count(0)
    assert _titles(page) == [t for _, t in computed]
    assert [(c["start"], c["title"], c["source"]) for c in _shown(site, video)] == [
        (s, t, "computed") for s, t in computed]
    expect(page.locator(".other-chapters")).to_have_count(0)


def test_a_long_list_folds_and_stays_open_through_an_edit(context: BrowserContext, site: Site,  # noqa: F811
                                                         console: Console) -> None:  # noqa: F811
    video = put_bulletin(site.service, "file:web-long")
    site.service.chapters.edit(video, [ChapterEdit(12.0 * n, f"Part {n + 1}") for n in range(14)])
    page = _page(context, console, site)
    page.goto(f"{site.url}/#/video/{quote(video, safe='')}")
    expect(page.locator("#chapters-box summary")).to_contain_text("Chapters (14)")
    expect(page.locator("#chapters-box")).not_to_have_attribute("open", "")
    page.locator("#chapters-box summary").click()
    page.get_by_role("button", name="Rename chapter 14").click()
    page.get_by_role("textbox", name="New title of chapter 14").fill("The coach thanks the fans")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#chapters-note")).to_have_text("Chapter 14 renamed.")
    expect(page.locator("#chapters-box")).to_have_attribute("open", "")
    expect(page.locator("#chapters > li").nth(13).locator(".chapter-title")).to_be_focused()
    assert _titles(page)[13] == "The coach thanks the fans"


def test_without_a_key_the_page_shows_chapters_and_no_edit_controls(context: BrowserContext, site: Site,  # noqa: F811
                                                                    console: Console) -> None:  # noqa: F811
    video = stored_video(site.service, "file:web-readonly")
    site.service.chapters.recompute(video, count=2)
    site.service.chapters.rename(video, 2, "An editor's title")
    page = _page(context, console, site, key=False)
    _open(page, site, video)
    expect(page.locator("#chapters > li")).to_have_count(2)
    expect(page.locator("#chapters")).to_contain_text("An editor's title")
    expect(page.locator("#chapters-edited")).to_be_visible()  # what the list is, said to readers too
    expect(page.get_by_role("button", name="Add to reel: chapter")).to_have_count(2)
    for name in ("Rename", "Remove", "New chapter here", "Undo chapter edits"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.locator("#chapter-tools")).to_be_hidden()
    expect(page.locator("#chapters input")).to_have_count(0)
