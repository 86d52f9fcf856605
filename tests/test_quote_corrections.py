"""Corrections of a stored transcript: per-word provenance, searchable, reversible, over the service and HTTP."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from indexer.articles.quotecheck import WordDiff
from indexer.articles.store import article_id
from indexer.config import Settings
from indexer.errors import Conflict, InvalidInput, NotFound
from indexer.service import Clipindex, IngestOptions
from indexer.store.schema import MIGRATIONS
from media.captions import parse_captions
from tests.apiserver import running

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
The mayor said the bridge will stay closed.

00:00:04.000 --> 00:00:08.000
Crews from Tashkent will inspect the pylons on Monday.
"""


@pytest.fixture
def captioned(settings: Settings, tmp_path: Path) -> tuple[Clipindex, str]:
    svc = Clipindex(settings)
    path = tmp_path / "briefing.vtt"
    path.write_text(VTT, encoding="utf-8")
    [result] = list(svc.ingest(str(path), IngestOptions(title="Briefing", language="en")))
    assert result.video_id is not None
    return svc, result.video_id


def _words(svc: Clipindex, video_id: str) -> list[tuple[str, str]]:
    return [(w.text.strip(), w.source) for w in svc.transcript(video_id).words]


def test_a_correction_rewrites_words_with_provenance_is_searchable_and_reverts(
        captioned: tuple[Clipindex, str]) -> None:
    svc, video_id = captioned
    original = svc.transcript(video_id)
    assert {w.source for w in original.words} == {"caption"}
    pylons = next(w for w in original.words if w.text.strip().startswith("pylons"))
    assert not svc.search("viaduct", mode="keyword").hits
    fix = svc.correct_words(video_id, pylons.start, pylons.end, "viaduct piers", source="editor")
    words = _words(svc, video_id)
    assert ("viaduct", "editor") in words and ("piers", "editor") in words and ("pylons", "caption") not in words
    assert [w.text.strip() for w in fix.before] == ["pylons"] and len(fix.after) == 2
    assert fix.after[0].start == pytest.approx(pylons.start) and fix.after[-1].end == pytest.approx(pylons.end)
    hits = svc.search("viaduct", mode="keyword").hits
    assert hits and hits[0].video_id == video_id, "the corrected words are indexed"
    assert not svc.search("pylons", mode="keyword").hits
    # the provenance survives a reload from the store and the JSON export
    assert '"source": "editor"' in svc.render_transcript(video_id, "json")
    undone = svc.revert_correction(video_id, fix.id)
    assert undone.reverted_at is not None
    assert svc.transcript(video_id).words == original.words
    assert svc.search("pylons", mode="keyword").hits and not svc.search("viaduct", mode="keyword").hits
    with pytest.raises(Conflict, match="already reverted"):
        svc.revert_correction(video_id, fix.id)
    with pytest.raises(NotFound):
        svc.revert_correction(video_id, "cor_nope")
    assert [c.id for c in svc.corrections(video_id)] == [fix.id]


STORIES = (
    "Mayor Karimova opened the new flood barrier in Tashkent on Monday.",
    "The barrier protects four thousand homes along the river.",
    "Engineers spent two years building the concrete walls.",
    "Residents said the water reached their doors last spring.",
    "The council paid for the work with a loan from the bank.",
    "Karimova said the city would build a second barrier next year.",
    "Farmers in the Fergana valley expect a record cotton harvest this autumn.",
    "Rain in the spring filled the reservoirs above the fields.",
    "Prices for cotton fell on world markets in the summer.",
    "The growers union asked the government for cheaper fuel.",
    "Tractor drivers worked through the night to finish the picking.",
    "The harvest ends in November when the first frost arrives.",
)


def test_a_correction_puts_the_name_right_in_the_chapter_titles_too(settings: Settings, tmp_path: Path) -> None:
    """A corrected name stayed misspelt in the computed chapter's title, in the chapter list and in every search
    hit's chapter, until someone ran `chapters --recompute` (which could also move the chapters)."""
    svc = Clipindex(settings)
    path = tmp_path / "bulletin.vtt"
    path.write_text("WEBVTT\n\n" + "".join(f"00:{n * 10 // 60:02d}:{n * 10 % 60:02d}.000 --> "
                                           f"00:{n * 10 // 60:02d}:{n * 10 % 60 + 9:02d}.000\n{text}\n\n"
                                           for n, text in enumerate(STORIES)), encoding="utf-8")
    [result] = list(svc.ingest(str(path), IngestOptions(title="Bulletin", language="en")))
    video_id = str(result.video_id)
    before = svc.chapters.get(video_id)
    assert [c.title for c in before][0] == "Mayor Karimova opened the new flood barrier" and len(before) == 2
    heard = [w for w in svc.transcript(video_id).words if w.text.strip(".").endswith("Karimova")]
    fixes = [svc.correct_words(video_id, w.start, w.end, "Kerimova", was="Karimova") for w in heard]
    after = svc.chapters.get(video_id)
    assert after[0].title == "Mayor Kerimova opened the new flood barrier"
    assert "Kerimova" in after[0].keywords and "Karimova" not in after[0].keywords
    assert [(c.start, c.end, c.method) for c in after] == [(c.start, c.end, c.method) for c in before]
    assert after[1] == before[1], "the other story's chapter is as it was"
    [hit] = svc.search("Kerimova opened the new flood barrier").hits
    assert hit.chapter == "Mayor Kerimova opened the new flood barrier"
    for fix in reversed(fixes):
        svc.revert_correction(video_id, fix.id)
    assert svc.chapters.get(video_id) == before
    assert svc.search("Karimova opened the new flood barrier").hits[0].chapter == before[0].title


def test_a_correction_past_the_videos_end_is_refused(captioned: tuple[Clipindex, str]) -> None:
    """Words written at 400 s of an 8-second video would show in its captions and search, at a time no player
    reaches."""
    svc, video_id = captioned
    before = svc.transcript(video_id).words
    for start, end in ((400.0, 500.0), (1e6, 1e6 + 1), (7.0, 12.0)):
        with pytest.raises(InvalidInput, match="within the video"):
            svc.correct_words(video_id, start, end, "past the end")
    assert svc.transcript(video_id).words == before and svc.corrections(video_id) == []
    svc.correct_words(video_id, 7.5, 8.5, "Tuesday.")  # up to the end, give or take a frame


@pytest.mark.slow
def test_a_later_correction_must_be_reverted_first(captioned: tuple[Clipindex, str]) -> None:
    svc, video_id = captioned
    first = svc.correct_words(video_id, 1.0, 4.0, "The mayor said the bridge will stay shut.")
    second = svc.correct_words(video_id, 2.5, 4.0, "will stay shut for now.", source="article")
    with pytest.raises(InvalidInput, match="revert the later correction first"):
        svc.revert_correction(video_id, first.id)
    svc.revert_correction(video_id, second.id)
    svc.revert_correction(video_id, first.id)
    assert " ".join(t for t, _s in _words(svc, video_id)).startswith("The mayor said the bridge will stay closed.")
    removal = svc.correct_words(video_id, 4.0, 8.0, "")
    assert all(not t.startswith("Crews") for t, _s in _words(svc, video_id))
    svc.revert_correction(video_id, removal.id)
    assert [t for t, _s in _words(svc, video_id)][-1] == "Monday."
    with pytest.raises(InvalidInput):
        svc.correct_words(video_id, 5.0, 4.0, "backwards")
    with pytest.raises(InvalidInput):
        svc.correct_words(video_id, 1.0, 2.0, "x", source="asr")  # type: ignore[arg-type]


def test_a_correction_that_changes_nothing_is_refused(captioned: tuple[Clipindex, str]) -> None:
    """A correction writing the words already there recorded an edit that was none, and its revert order then
    stood in the way of real ones."""
    svc, video_id = captioned
    closed = next(w for w in svc.transcript(video_id).words if w.text.strip() == "closed.")
    with pytest.raises(InvalidInput, match="already read 'closed.'"):
        svc.correct_words(video_id, closed.start, closed.end, "closed.")
    assert svc.corrections(video_id) == []
    svc.correct_words(video_id, closed.start, closed.end, "Closed.")  # to an editor, case is an edit


def test_revert_is_refused_while_a_later_correction_overlaps_its_span(captioned: tuple[Clipindex, str]) -> None:
    """Matching the corrected words alone let an earlier correction be reverted under a later one that covers the
    same moment; whichever words the later one touched, it is reverted first."""
    svc, video_id = captioned
    words = svc.transcript(video_id).words
    bridge = next(w for w in words if w.text.strip() == "bridge")
    will = next(w for w in words if w.text.strip() == "will")
    first = svc.correct_words(video_id, bridge.start, bridge.end, "viaduct")
    later = svc.correct_words(video_id, (bridge.start + bridge.end) / 2 + 0.01, will.end, "shall")
    with pytest.raises(InvalidInput, match="revert the later correction first") as refused:
        svc.revert_correction(video_id, first.id)
    assert "at 0:0" in str(refused.value) and "“shall”" in str(refused.value), "named as the page shows it"
    svc.revert_correction(video_id, later.id)
    svc.revert_correction(video_id, first.id)
    assert svc.transcript(video_id).words == words


def _heard_by_audio(svc: Clipindex, page: Path, video_id: str, spoken: str, article: str) -> str:
    """An article linked to the video with the check a re-scoring of its audio would store: the audio prefers the
    article's word to the transcript's (a captions-only video has no audio to re-score)."""
    aid = svc.articles.add(str(page), [video_id]).id
    linked = svc.articles.get(aid)
    [links] = linked.links
    said = next(w for w in svc.transcript(video_id).words if w.text.strip(" .,") == spoken)
    diff = WordDiff(article, spoken, said.start, said.end, 0.4, audio=2.0, alike=0.8)
    paragraphs = tuple(replace(p, quotes=tuple(replace(q, status="probably verbatim", basis="audio", differences=(),
                                                       misheard=(diff,)) for q in p.quotes))
                       for p in links.paragraphs)
    svc.articles.saved.put(linked.article, [replace(links, paragraphs=paragraphs)])
    return aid


def test_article_corrections_read_the_transcript_as_it_is_now(captioned: tuple[Clipindex, str],
                                                              tmp_path: Path) -> None:
    """Two articles quote the same words: once the first one's wording is in the transcript, the second one's
    checks (made before) must not write it again, nor write over words that are no longer the ones it heard."""
    svc, video_id = captioned
    pages = []
    for name in ("first", "second", "third"):
        pages.append(tmp_path / f"{name}.txt")
        pages[-1].write_text(f"Bridge {name}\n\nThe mayor spoke on Monday. “The bridge will stay shut,” she "
                             "said.\n", encoding="utf-8")
    first, second = (_heard_by_audio(svc, p, video_id, "closed", "shut") for p in pages[:2])
    stale = _heard_by_audio(svc, pages[2], video_id, "closed", "sealed")
    [fix] = svc.articles.correct_transcripts(first)
    assert [w.text.strip() for w in fix.before] == ["closed."] and fix.text == "shut"
    assert svc.articles.correct_transcripts(second) == []
    assert svc.articles.correct_transcripts(stale) == [], "the transcript no longer says what its check heard"
    assert [c.id for c in svc.corrections(video_id)] == [fix.id]
    assert "shut." in [w.text.strip() for w in svc.transcript(video_id).words]
    assert [c.title for c in svc.chapters.get(video_id)] == ["The mayor said the bridge will stay shut"]
    for aid in (second, stale):
        [check] = svc.articles.get(aid).links[0].quotes
        assert check.status == "verbatim", "checks made before the transcript changed are made again"


def test_an_article_stored_again_keeps_its_place_in_the_oldest_first_list(captioned: tuple[Clipindex, str],
                                                                          tmp_path: Path) -> None:
    """Storing an article again (linked once more, its transcript corrected from it) once gave it a new first-stored
    time: the first article moved to the end of the list and paging by offset skipped or repeated articles."""
    svc, video_id = captioned
    ids = []
    for name in ("first", "second", "third"):
        page = tmp_path / f"{name}.txt"
        page.write_text(f"Bridge {name}\n\nThe mayor said the bridge will stay closed.\n", encoding="utf-8")
        ids.append(svc.articles.add(str(page), [video_id]).id)
    assert [a.id for a in svc.articles.list()] == ids
    assert svc.articles.add(str(tmp_path / "first.txt"), [video_id]).id == ids[0]
    assert [a.id for a in svc.articles.list()] == ids, "the article stored again is still the oldest"
    assert [article_id(a) for a, _ in svc.articles.saved.for_video(video_id)] == ids, "the video's first article"


@pytest.mark.slow
def test_concurrent_corrections_both_land(captioned: tuple[Clipindex, str], settings: Settings) -> None:
    svc, video_id = captioned
    other = Clipindex(settings)
    errors: list[BaseException] = []

    def fix(service: Clipindex, start: float, text: str) -> None:
        try:
            for k in range(5):
                service.correct_words(video_id, start, start + 0.4, f"{text}{k}")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=fix, args=(svc, 1.0, "A")), threading.Thread(target=fix, args=(other, 5.0, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(svc.corrections(video_id)) == 10
    texts = [t for t, _s in _words(svc, video_id)]
    assert "A4" in texts and "B4" in texts


def _tables(db_path: Path) -> set[str]:
    with closing(sqlite3.connect(db_path)) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_the_migration_adds_the_table_to_an_existing_store(captioned: tuple[Clipindex, str],
                                                           settings: Settings) -> None:
    """A store made before corrections existed (schema 5) gets their table when a newer clipindex opens it, keeps
    what it held, and takes corrections."""
    svc, video_id = captioned
    svc.store.close()
    with closing(sqlite3.connect(settings.db_path)) as db, db:  # the store as version 5 left it
        db.execute("DROP TABLE corrections")
        db.execute("DELETE FROM schema_version WHERE version >= 6")
    assert "corrections" not in _tables(settings.db_path)
    upgraded = Clipindex(settings)
    assert upgraded.store.schema_version() == len(MIGRATIONS)
    assert "corrections" in _tables(settings.db_path)
    assert [w for w, _source in _words(upgraded, video_id)][:3] == ["The", "mayor", "said"]
    bridge = next(w for w in upgraded.transcript(video_id).words if w.text.strip() == "bridge")
    fix = upgraded.correct_words(video_id, bridge.start, bridge.end, "viaduct", source="editor")
    assert [c.id for c in upgraded.corrections(video_id)] == [fix.id]
    assert ("viaduct", "editor") in _words(upgraded, video_id)


@pytest.mark.slow
def test_corrections_over_http_need_a_key(captioned: tuple[Clipindex, str]) -> None:
    svc, video_id = captioned
    _key, secret = svc.keys.create("tests")
    auth = {"Authorization": f"Bearer {secret}"}
    with running(svc) as base, httpx.Client(base_url=base, timeout=30) as c:
        body = {"start": 1.0, "end": 2.0, "text": "A mayor"}
        assert c.post(f"/v1/videos/{video_id}/corrections", json=body).status_code == 401
        made = c.post(f"/v1/videos/{video_id}/corrections", json=body, headers=auth)
        assert made.status_code == 201, made.text
        fix = made.json()
        assert fix["source"] == "editor" and fix["after"][0]["source"] == "editor"
        words = [w for s in c.get(f"/v1/videos/{video_id}/transcript").json()["segments"] for w in s["words"]]
        assert {w["source"] for w in words} == {"caption", "editor"}
        assert [x["id"] for x in c.get(f"/v1/videos/{video_id}/corrections").json()] == [fix["id"]]
        assert c.delete(f"/v1/videos/{video_id}/corrections/{fix['id']}").status_code == 401
        undone = c.delete(f"/v1/videos/{video_id}/corrections/{fix['id']}", headers=auth)
        assert undone.status_code == 200 and undone.json()["reverted_at"]
        assert c.delete(f"/v1/videos/{video_id}/corrections/{fix['id']}", headers=auth).status_code == 409
        assert c.delete(f"/v1/videos/{video_id}/corrections/cor_x", headers=auth).status_code == 404
        bad = c.post(f"/v1/videos/{video_id}/corrections", json={"start": 3, "end": 1, "text": "x"}, headers=auth)
        assert bad.status_code == 400 and "error" in bad.json()


def test_a_correction_of_chinese_words_leaves_the_line_as_it_was_written(settings: Settings, tmp_path: Path) -> None:
    """A correction rewrote its segment's text with a space between every word: a Chinese line read "今 天 上 午，"
    in every transcript export for good, an undone correction too."""
    svc = Clipindex(settings)
    path = tmp_path / "zh.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:06,000\n今天上午，国家统计局发布了经济数据。\n", encoding="utf-8")
    [result] = list(svc.ingest(str(path), IngestOptions(language="zh")))
    video_id = str(result.video_id)
    words = svc.transcript(video_id).words
    data = [w for w in words if w.text.startswith(("经", "济", "数", "据"))]
    fix = svc.correct_words(video_id, data[0].start, data[-1].end, "经济指标。", source="editor")  # "据。" was one word
    assert svc.transcript(video_id).segments[0].text == "今天上午，国家统计局发布了经济指标。"
    svc.revert_correction(video_id, fix.id)
    assert svc.transcript(video_id).segments[0].text == "今天上午，国家统计局发布了经济数据。"
    assert "今天上午，国家统计局发布了经济数据。" in svc.render_transcript(video_id, "srt")


GAPPED = """1
00:00:01,000 --> 00:00:03,000
The old bridge is closed.

2
00:00:05,000 --> 00:00:07,000
Der Schaden ist groß.

3
00:00:08,000 --> 00:00:10,000
Crews inspect the pylons today.
"""


def _cues(svc: Clipindex, video_id: str) -> list[tuple[float, float, str]]:
    return [(c.start, c.end, c.text) for c in parse_captions(svc.render_transcript(video_id, "srt"))]


def test_corrections_keep_each_word_in_the_cue_of_its_time(settings: Settings, tmp_path: Path) -> None:
    """Words went into a cue by their place in the word list, never by their time, and no cue's times changed: words
    written into the gap between two cues showed in the next cue a second late (and a reel of that moment left them
    out), a removed cue's words came back inside its neighbour, and a correction across two cues, undone, left a word
    in the wrong cue for good."""
    svc = Clipindex(settings)
    path = tmp_path / "gapped.srt"
    path.write_text(GAPPED, encoding="utf-8")
    [result] = list(svc.ingest(str(path), IngestOptions(language="en")))
    video = str(result.video_id)
    before = _cues(svc, video)
    added = svc.correct_words(video, 3.3, 4.7, "The mayor apologised.")
    assert _cues(svc, video) == [before[0], (3.3, 4.7, "The mayor apologised."), *before[1:]]
    # a reel's captions keep the words whose middle lies in their cue's time
    assert all(s.start <= (w.start + w.end) / 2 <= s.end for s in svc.transcript(video).segments for w in s.words)
    svc.revert_correction(video, added.id)
    assert _cues(svc, video) == before

    removed = svc.correct_words(video, 5.0, 7.0, "")  # a cue taken out whole, then put back
    assert [text for *_, text in _cues(svc, video)] == [before[0][2], before[2][2]]
    svc.revert_correction(video, removed.id)
    assert _cues(svc, video) == before

    words = svc.transcript(video).words
    across = svc.correct_words(video, words[3].start, words[6].end, "are shut. The harm")  # "is closed. Der Schaden"
    assert [text for *_, text in _cues(svc, video)][:2] == ["The old bridge are shut.", "The harm ist groß."]
    svc.revert_correction(video, across.id)
    assert _cues(svc, video) == before


@pytest.mark.slow  # 2-3 s: the quick lane stays under a minute
def test_corrections_hold_over_a_new_transcript_of_the_video(captioned: tuple[Clipindex, str], tmp_path: Path) -> None:
    """`ingest --force` wrote a new transcript without the corrections, while the corrections list still showed them
    in force, and the article's checks and search went by the old words. They are now written into the new
    transcript, and a revert puts back the new transcript's own words."""
    svc, video_id = captioned
    pylons = next(w for w in svc.transcript(video_id).words if w.text.strip().startswith("pylons"))
    fix = svc.correct_words(video_id, pylons.start, pylons.end, "viaduct piers", source="editor")
    mayor = next(w for w in svc.transcript(video_id).words if w.text.strip() == "mayor")
    gone = svc.correct_words(video_id, mayor.start, mayor.end, "", source="editor")  # a word removed
    svc.revert_correction(video_id, gone.id)
    later = svc.correct_words(video_id, mayor.start, mayor.end, "governor", source="editor")
    [again] = list(svc.ingest(str(tmp_path / "briefing.vtt"), IngestOptions(language="en", force=True)))
    assert again.status == "ingested"
    words = _words(svc, video_id)
    assert ("viaduct", "editor") in words and ("governor", "editor") in words and ("pylons", "caption") not in words
    assert svc.search("viaduct", mode="keyword").hits and not svc.search("pylons", mode="keyword").hits
    assert [c.id for c in svc.corrections(video_id) if c.reverted_at is None] == [fix.id, later.id]
    svc.revert_correction(video_id, later.id)
    svc.revert_correction(video_id, fix.id)
    assert _words(svc, video_id) == [(w.strip(), "caption") for w in
                                     "The mayor said the bridge will stay closed. Crews from Tashkent will inspect "
                                     "the pylons on Monday.".split()]


def test_a_correction_of_words_another_editor_changed_meanwhile_is_refused(captioned: tuple[Clipindex, str]) -> None:
    """Corrections name their words by time: an editor whose page still showed "pylons" corrected them after another
    editor had written "piers" there, and the first editor's correction was overwritten without a word. With the
    words the editor saw (`was`), the second is a conflict and the first stands."""
    svc, video_id = captioned
    pylons = next(w for w in svc.transcript(video_id).words if w.text.strip().startswith("pylons"))
    svc.correct_words(video_id, pylons.start, pylons.end, "piers", was="pylons")  # editor A
    with pytest.raises(Conflict, match="now read 'piers', not 'pylons': someone corrected them meanwhile"):
        svc.correct_words(video_id, pylons.start, pylons.end, "pillars", was="pylons")  # editor B, out of date
    assert ("piers", "editor") in _words(svc, video_id) and len(svc.corrections(video_id)) == 1
    with running(svc) as url, httpx.Client(base_url=url) as c:
        _key, secret = svc.keys.create("desk")
        r = c.post(f"/v1/videos/{video_id}/corrections", headers={"Authorization": f"Bearer {secret}"},
                   json={"start": pylons.start, "end": pylons.end, "text": "pillars", "was": "pylons"})
        assert r.status_code == 409 and "someone corrected them meanwhile" in r.json()["error"], r.text
