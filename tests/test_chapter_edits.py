"""An editor's own chapters: a list set from a file or over HTTP, one title renamed, the list taken back; shown
before the computed and the creator's chapters, kept when the transcript is segmented again, carried by search hits,
and two editors at once both kept (on SQLite here, on PostgreSQL in the slow lane)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app
from indexer.chapters.edits import MADE, ChapterEdit, editor_chapters, parse_listing
from indexer.chapters.service import _described_again
from indexer.config import Settings, load_settings
from indexer.errors import Conflict, InvalidInput, NotFound
from indexer.formats import spread_words
from indexer.ingest.types import IngestOptions
from indexer.models import Chapter, Segment, Transcript, Video
from indexer.service import Clipindex
from tests.apiserver import running
from tests.conftest import FIXTURES
from tests.servers import new_database, postgres, store_url  # noqa: F401 - fixtures

STORIES = [
    "Floods closed the river road in Tashkent. The water rose two metres overnight. Rescuers moved families from "
    "the low streets. The mayor said the bridge stays shut until Friday.",
    "Voters in Samarkand chose a new council. Turnout reached sixty percent. The governing party lost four seats. "
    "Counting ended late on Sunday night.",
    "The national football team beat Japan two to one. The winning goal came in the last minute. Fans filled the "
    "square after the match. The coach thanked the supporters.",
]
VIDEO = "file:bulletin"


def put_bulletin(svc: Clipindex, video_id: str = VIDEO, stories: list[str] = STORIES, language: str = "en") -> str:
    """A 180 s bulletin of three 60 s stories, stored and indexed with its computed chapters (no ingest)."""
    svc.store.put_video(Video(id=video_id, source="/nowhere.mp4", title="Bulletin", duration=180.0))
    segments = tuple(Segment(60.0 * n, 60.0 * n + 58.0, text, spread_words(text, 60.0 * n, 60.0 * n + 58.0))
                     for n, text in enumerate(stories))
    svc.store.put_transcript(Transcript(video_id, language, "captions", "file", segments))
    svc.chapters.recompute(video_id, count=2)  # computed chapters that differ from the editor's below
    return video_id


def shown(svc: Clipindex, video_id: str = VIDEO) -> list[tuple[float, str, str]]:
    first = svc.chapters.get(video_id)
    return [(c.start, c.title, c.source) for c in first if c.source == first[0].source]


# --- reading a list ---------------------------------------------------------------------------------------------

def test_a_list_reads_as_a_youtube_description_writes_it_or_as_json() -> None:
    text = "\ufeff0:00 Opening\n\n01:02 - Floods in the north\n(1:02:03) Weather: rain\n1:03:00.5\n"
    assert parse_listing(text) == [ChapterEdit(0.0, "Opening"), ChapterEdit(62.0, "Floods in the north"),
                                   ChapterEdit(3723.0, "Weather: rain"), ChapterEdit(3780.5, "")]
    printed = json.dumps([{"start": 0, "end": 60, "title": "A", "source": "computed"}, {"start": 60.5},
                          {"start": 70, "title": "B", "source": "editor", "method": MADE},
                          {"start": 80, "title": "C", "source": "editor", "method": ""}])
    # the titles the list says were made from the words stay so (a correction makes them again)
    assert parse_listing(printed) == [ChapterEdit(0.0, "A", made=True), ChapterEdit(60.5, ""),
                                      ChapterEdit(70.0, "B", made=True), ChapterEdit(80.0, "C")]


@pytest.mark.parametrize(("text", "message"), [
    ("0:00 Opening\nFloods at 1:00\n", "line 2: a chapter line starts with its time"),
    ("0:00 Opening\n1:75 Floods\n", "'1:75' is not a time"),
    ("[{\"start\": \"ten\"}]", "chapter 1: give it as"),
    ("[{\"start\": 0},", "not valid JSON"),
])
def test_a_list_that_cannot_be_read_says_where(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        parse_listing(text)


@pytest.mark.parametrize(("edits", "message"), [
    ([], "needs one chapter at least"),
    ([ChapterEdit(5.0)], "chapter 1 must start at 0:00, not 00:05"),
    ([ChapterEdit(0.0), ChapterEdit(90.0), ChapterEdit(60.0)], "chapter 3 starts at 01:00, not after chapter 2"),
    ([ChapterEdit(0.0), ChapterEdit(200.0)], "where the video has ended"),
    ([ChapterEdit(0.0), ChapterEdit(float("nan"))], "chapter 2: its start must be a number"),
    ([ChapterEdit(0.0, "Bell\x07")], "control characters"),
    ([ChapterEdit(0.0, "x" * 201)], "at most 200 characters"),
])
def test_a_list_that_cannot_be_chapters_is_refused(edits: list[ChapterEdit], message: str) -> None:
    said = "Hello there."
    tr = Transcript("v", "en", "captions", "file", (Segment(0.0, 5.0, said, spread_words(said, 0, 5)),))
    with pytest.raises(InvalidInput, match=message):
        editor_chapters("v", edits, tr, 180.0)


# --- through the service ----------------------------------------------------------------------------------------

def test_an_editors_list_is_shown_first_titled_where_left_blank_and_outlives_segmenting_again(svc: Clipindex) -> None:
    put_bulletin(svc)
    assert {c.source for c in svc.chapters.get(VIDEO)} == {"computed"}
    svc.chapters.edit(VIDEO, [ChapterEdit(0.0, "  Floods   in Tashkent "), ChapterEdit(60.0),
                              ChapterEdit(120.0, "Football")])
    items = svc.chapters.get(VIDEO)
    editor = [c for c in items if c.source == "editor"]
    assert items[:3] == editor and [(c.start, c.end) for c in editor] == [(0.0, 60.0), (60.0, 120.0), (120.0, 180.0)]
    assert editor[0].title == "Floods in Tashkent" and editor[2].title == "Football"
    # the blank one titled from its own words (the election story), as a computed chapter would be
    said = STORIES[1].casefold()
    assert editor[1].title and all(w.casefold().strip(".,") in said for w in editor[1].title.split()), editor[1]
    assert "Samarkand" in editor[1].keywords and "Japan" in editor[2].keywords
    assert {c.source for c in items} == {"editor", "computed"}, "the computed chapters are kept beside them"

    svc.chapters.recompute(VIDEO)
    svc.chapters.resegment_all()
    assert shown(svc)[0] == (0.0, "Floods in Tashkent", "editor")
    hits = svc.search("football team beat Japan", mode="keyword").hits
    assert hits and hits[0].chapter == "Football", "a hit carries the title of the chapter shown"


@pytest.mark.slow
def test_an_editors_list_outlives_a_new_ingest_and_a_correction_of_the_words(svc: Clipindex) -> None:
    [done] = svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))
    video_id = str(done.video_id)
    svc.chapters.edit(video_id, [ChapterEdit(0.0, "Паводок на Каменке"), ChapterEdit(12.0)])
    blank_title = shown(svc, video_id)[1][1]
    assert blank_title and blank_title != "Паводок на Каменке" and not blank_title.isascii(), "titled in Russian"
    [again] = svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru", force=True))
    assert again.status == "ingested" and svc.store.get_chapters(video_id, "computed")
    svc.correct_words(video_id, 0.5, 3.0, "Уровень воды в реке Каменка")
    assert shown(svc, video_id) == [(0.0, "Паводок на Каменке", "editor"), (12.0, blank_title, "editor")]


def editors(svc: Clipindex, video_id: str = VIDEO) -> list[Chapter]:
    return [c for c in svc.chapters.get(video_id) if c.source == "editor"]


def said_at(svc: Clipindex, word: str, video_id: str = VIDEO) -> tuple[float, float]:
    transcript = svc.store.get_transcript(video_id)
    assert transcript is not None
    return next((w.start, w.end) for s in transcript.segments for w in s.words if w.text.strip(" .,") == word)


def test_titles_made_from_the_words_follow_a_correction_and_typed_ones_stay(svc: Clipindex) -> None:
    misheard = [STORIES[0].replace("Tashkent", "Tashkant"), STORIES[1].replace("Samarkand", "Samarkant"), STORIES[2]]
    put_bulletin(svc, stories=misheard)
    svc.chapters.edit(VIDEO, [ChapterEdit(0.0, "Floods in Tashkant"), ChapterEdit(60.0),
                              ChapterEdit(120.0, "Football")])
    before = editors(svc)
    assert [c.method for c in before] == ["", MADE, ""]
    assert "Samarkant" in before[1].title and "Samarkant" in before[1].keywords, before[1]
    assert "Tashkant" in before[0].keywords

    for wrong, right in (("Samarkant", "Samarkand"), ("Tashkant", "Tashkent")):
        svc.correct_words(VIDEO, *said_at(svc, wrong), right)
    after = editors(svc)
    assert after[1].title == before[1].title.replace("Samarkant", "Samarkand"), "the made title follows the words"
    assert after[1].method == MADE and "Samarkand" in after[1].keywords and "Samarkant" not in after[1].keywords
    assert after[0].title == "Floods in Tashkant", "a title the editor typed stays as typed"
    assert "Tashkent" in after[0].keywords and "Tashkant" not in after[0].keywords, "keywords follow every chapter"
    assert after[2] == before[2], "a chapter whose words did not change is left as it was"
    hits = svc.search("Samarkand council", mode="keyword").hits
    assert hits and hits[0].chapter == after[1].title, "hits carry the title made again"

    svc.correct_words(VIDEO, *said_at(svc, "Samarkand"), "Samarkant")  # taken back by another correction
    assert editors(svc)[1].title == before[1].title


def test_a_correction_leaves_an_editors_list_that_changed_meanwhile(svc: Clipindex) -> None:
    """retitle reads the lists, describes them outside the store's lock, then writes the editor's list back only
    where it still reads as it did: a list another editor set meanwhile described its own words."""
    put_bulletin(svc)
    svc.chapters.edit(VIDEO, [ChapterEdit(0.0), ChapterEdit(60.0, "Election")])
    old = editors(svc)
    new = [replace(c, keywords=("stale",)) for c in old]
    svc.chapters.edit(VIDEO, [ChapterEdit(0.0, "Set meanwhile")])  # another editor, between the read and the write
    assert _described_again(svc.store, VIDEO, old, new)
    assert [(c.title, c.keywords != ("stale",)) for c in editors(svc)] == [("Set meanwhile", True)]
    assert _described_again(svc.store, VIDEO, editors(svc), [replace(c, keywords=("fresh",)) for c in editors(svc)])
    assert [c.keywords for c in editors(svc)] == [("fresh",)], "a list that still reads as read is written"
    svc.delete_video(VIDEO, force=True)
    assert not _described_again(svc.store, VIDEO, new, new), "a video deleted meanwhile: nothing to write"


def test_computed_titles_an_editor_kept_as_shown_follow_a_correction(svc: Clipindex) -> None:
    misheard = [STORIES[0], STORIES[1].replace("Samarkand", "Samarkant"), STORIES[2]]
    put_bulletin(svc, stories=misheard)
    svc.chapters.recompute(VIDEO, count=3)
    computed = shown(svc)
    assert "Samarkant" in computed[1][1], computed
    svc.chapters.rename(VIDEO, 3, "Football")  # the list shown becomes the editor's: two titles kept as they were
    assert [c.method for c in editors(svc)] == [MADE, MADE, ""]
    # the page sends the whole list back when a chapter is removed: the titles it kept as shown stay made ones
    svc.chapters.edit(VIDEO, [ChapterEdit(0.0, computed[0][1]), ChapterEdit(computed[1][0], computed[1][1])])
    assert [c.method for c in editors(svc)] == [MADE, MADE]
    svc.correct_words(VIDEO, *said_at(svc, "Samarkant"), "Samarkand")
    titles = [c.title for c in editors(svc)]
    assert titles[0] == computed[0][1] and "Samarkand" in titles[1] and "Samarkant" not in titles[1], titles


def test_a_rename_makes_the_shown_list_the_editors_and_checks_what_the_editor_saw(svc: Clipindex) -> None:
    put_bulletin(svc)
    computed = shown(svc)
    svc.chapters.rename(VIDEO, 2, "Election\tin Samarkand")
    assert shown(svc) == [(computed[0][0], computed[0][1], "editor"),
                          (computed[1][0], "Election in Samarkand", "editor")]
    with pytest.raises(Conflict, match="now titled 'Election in Samarkand'"):
        svc.chapters.rename(VIDEO, 2, "Council vote", was=computed[1][1])
    svc.chapters.rename(VIDEO, 2, "Council vote", was="Election in Samarkand")
    for number, title, error in ((3, "Third", "chapter 3 does not exist: the video has 2"),
                                 (1, "   ", "cannot be empty")):
        with pytest.raises(InvalidInput, match=error):
            svc.chapters.rename(VIDEO, number, title)
    with pytest.raises(NotFound):
        svc.chapters.rename("file:none", 1, "Title")
    assert shown(svc)[1][1] == "Council vote"

    seen = [ChapterEdit(start, title) for start, title, _ in shown(svc)]
    svc.chapters.edit(VIDEO, [ChapterEdit(0.0, "One story")], was=seen)
    with pytest.raises(Conflict, match="changed after you read them"):  # another editor's list, set meanwhile
        svc.chapters.edit(VIDEO, [ChapterEdit(0.0, "Two stories"), ChapterEdit(60.0)], was=seen)
    assert shown(svc) == [(0.0, "One story", "editor")]

    items, had = svc.chapters.revert(VIDEO)
    assert had and {c.source for c in items} == {"computed"} and shown(svc) == computed
    assert svc.chapters.revert(VIDEO)[1] is False


def renames_at_once(svc_for: Callable[[], Clipindex], count: int = 6) -> list[tuple[float, str, str]]:
    """`count` editors, each renaming another chapter of one bulletin at the same moment; the titles shown after."""
    first = svc_for()
    first.chapters.edit(VIDEO, [ChapterEdit(10.0 * n) for n in range(count)])
    barrier = threading.Barrier(count)
    failed: list[BaseException] = []

    def rename(n: int) -> None:
        mine = svc_for()
        try:
            barrier.wait(10)
            mine.chapters.rename(VIDEO, n, f"Renamed {n}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    threads = [threading.Thread(target=rename, args=(n,)) for n in range(1, count + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failed, failed
    return shown(first)


def test_editors_renaming_at_once_each_keep_their_title(tmp_path: Path, store_url: str) -> None:  # noqa: F811
    settings = load_settings(env={}, data_dir=tmp_path / "data", model="tiny.en", database_url=store_url)
    put_bulletin(Clipindex(settings))
    titles = [title for _, title, _ in renames_at_once(lambda: Clipindex(settings))]
    assert titles == [f"Renamed {n}" for n in range(1, 7)]


# --- over HTTP and from the command line -------------------------------------------------------------------------

@pytest.fixture
def served(svc: Clipindex) -> Iterator[tuple[str, str]]:
    put_bulletin(svc)
    _id, secret = svc.keys.create("tests")
    with running(svc) as url:
        yield url, secret


@pytest.mark.slow
def test_chapters_are_edited_over_http_with_a_key(served: tuple[str, str]) -> None:
    url, secret = served
    path = f"/v1/videos/{VIDEO}/chapters"
    body = {"chapters": [{"start": 0, "title": "Floods"}, {"start": 60}, {"start": 120, "title": "Football"}]}
    with httpx.Client(base_url=url, timeout=60) as anonymous:
        assert anonymous.put(path, json=body).status_code == 401
        assert anonymous.patch(f"{path}/1", json={"title": "x"}).status_code == 401
        assert anonymous.delete(f"{path}/edits").status_code == 401
    with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {secret}"}) as c:
        r = c.put(path, json=body)
        assert r.status_code == 200, r.text
        assert [(x["title"], x["source"]) for x in r.json()[:3]][::2] == [("Floods", "editor"), ("Football", "editor")]
        assert [x["method"] for x in r.json()[:3]] == ["", MADE, ""], "the blank title was made from the words"
        assert c.get(path).json()[:3] == r.json()[:3]
        made = {"chapters": [{"start": 0, "title": "Floods", "made": True}, *body["chapters"][1:]]}
        assert [x["method"] for x in c.put(path, json=made).json()[:3]] == [MADE, MADE, ""]
        r = c.put(path, json=body)
        r = c.patch(f"{path}/3", json={"title": "Japan beaten", "was": "Football"})
        assert r.status_code == 200 and r.json()[2]["title"] == "Japan beaten", r.text
        r = c.patch(f"{path}/3", json={"title": "Again", "was": "Football"})
        assert r.status_code == 409 and "now titled 'Japan beaten'" in r.json()["error"], r.text
        for bad, status, said in (({"chapters": [{"start": 30}]}, 400, "chapter 1 must start at 0:00"),
                                  ({"chapters": []}, 422, ""), ({"chapters": [{"start": -1}]}, 422, ""),
                                  ({"chapters": [{"start": 0, "colour": "red"}]}, 422, "")):
            r = c.put(path, json=bad)
            assert r.status_code == status and said in r.text, r.text
        assert c.put("/v1/videos/file:none/chapters", json=body).status_code == 404
        stale = {**body, "was": [{"start": 0, "title": "Floods"}]}  # what another window showed before the rename
        r = c.put(path, json=stale)
        assert r.status_code == 409 and "changed after you read them" in r.json()["error"], r.text
        assert c.get(path).json()[2]["title"] == "Japan beaten", "a refused edit changed nothing"
        r = c.delete(f"{path}/edits")
        assert r.status_code == 200 and {x["source"] for x in r.json()} == {"computed"}, r.text


@pytest.mark.slow
def test_the_command_line_sets_renames_and_takes_back_a_list(settings: Settings, tmp_path: Path) -> None:
    put_bulletin(Clipindex(settings))
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir), "CLIPINDEX_MODEL": "tiny.en"}
    listing = tmp_path / "chapters.txt"
    listing.write_text("0:00 Floods in Tashkent\n1:00 Samarkand votes\n2:00 Football\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["chapters", VIDEO, "--set", str(listing)], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == "00:00 Floods in Tashkent\n01:00 Samarkand votes\n02:00 Football\n"
    result = runner.invoke(app, ["chapters", VIDEO, "--rename", "2", "Council vote", "--format", "json"], env=env)
    assert result.exit_code == 0 and json.loads(result.stdout)[1]["title"] == "Council vote", result.output
    result = runner.invoke(app, ["chapters", VIDEO, "--source", "editor", "--format", "json"], env=env)
    assert [c["source"] for c in json.loads(result.stdout)] == ["editor"] * 3
    listing.write_text("0:00 Floods\nWeather at 1:00\n", encoding="utf-8")
    for args, said in ((["--set", str(listing)], "line 2"), (["--set", str(tmp_path / "none.txt")], "no such file"),
                       (["--revert", "--rename", "1", "x"], "give one")):
        result = runner.invoke(app, ["chapters", VIDEO, *args], env=env)
        assert result.exit_code == 2 and said in result.output, result.output
    result = runner.invoke(app, ["chapters", VIDEO, "--set", "-"], env=env, input="0:00 From standard input\n")
    assert result.exit_code == 0 and result.stdout.startswith("00:00 From standard input"), result.output
    result = runner.invoke(app, ["chapters", VIDEO, "--revert", "--format", "json"], env=env)
    assert result.exit_code == 0 and {c["source"] for c in json.loads(result.stdout)} == {"computed"}
    result = runner.invoke(app, ["chapters", VIDEO, "--revert"], env=env)
    assert result.exit_code == 0 and "no editor's chapters" in result.output
