"""Chapters an editor set (source "editor"): where each starts and, if the editor gives one, its title. They are
shown before the creator's and the computed ones (indexer.chapters.display), and nothing clipindex computes
replaces them: segmenting again or a new transcript leave them as the editor left them, until the editor takes them
back (`clipindex chapters REF --revert`, DELETE /v1/videos/{id}/chapters/edits).

A chapter left without a title is titled from its own words, as a computed chapter is, when the list is set; each
chapter gets the keywords of the words said in it. Such a title is marked as made (`MADE`, in the chapter's
`method`), and so is a computed chapter's title that the editor's list keeps as it was shown: a correction of the
words makes those titles again, and every chapter's keywords (indexer.chapters.service.retitle). A title the editor
typed stays as typed. The list is read from JSON or from a YouTube description's chapter lines ("0:00 Opening",
"1:02:03 - Weather"), as `parse_listing` says.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from indexer.chapters.formats import clock, past_an_hour
from indexer.errors import InvalidInput
from indexer.models import Chapter, Transcript

MAX_CHAPTERS = 1000  # more than any programme needs (a 24-hour stream at one a minute and a half)
TITLE_CHARS = 200  # YouTube's chapter titles stop at 100
FIRST_START_SLACK = 0.5  # seconds: "0:00.4" is still the start of the video
# an editor's chapter's `method` where its title was made from its words rather than typed (a correction remakes it)
MADE = "title made from its words"


@dataclass(frozen=True)
class ChapterEdit:
    """One chapter of an editor's list: where it starts (seconds) and its title ("" to title it from its words).
    `made`: the title given is one made from the words, kept as it was shown; a correction makes it again."""

    start: float
    title: str = ""
    made: bool = False


def clean_title(text: str) -> str:
    """A title as stored: one line, its spaces collapsed; InvalidInput past TITLE_CHARS or with control characters
    (a title is shown in pages, players' chapter tracks and editors' timelines)."""
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in text):
        raise InvalidInput("a chapter title may not hold control characters")
    title = " ".join(text.split())
    if len(title) > TITLE_CHARS:
        raise InvalidInput(f"a chapter title has at most {TITLE_CHARS} characters (this one has {len(title)})")
    return title


def editor_chapters(video_id: str, edits: Sequence[ChapterEdit], transcript: Transcript, finish: float,
                    spelling: Sequence[str] = ()) -> list[Chapter]:
    """The editor's list as chapters covering the video: each ends where the next starts, the last at `finish` (the
    video's duration, else the end of its speech). The first must start at 0, each later one after the one before
    and before `finish`; InvalidInput says which does not. `spelling`: texts that write the story's names, for the
    titles made from the words (as for segment)."""
    if not edits:
        raise InvalidInput("an editor's chapter list needs one chapter at least (to go back to the computed "
                           "chapters, revert the edits)")
    if len(edits) > MAX_CHAPTERS:
        raise InvalidInput(f"an editor's chapter list holds at most {MAX_CHAPTERS} chapters, not {len(edits)}")
    hours = past_an_hour(finish)
    starts = [e.start for e in edits]
    for n, (start, before) in enumerate(zip(starts, [-math.inf, *starts]), 1):
        if not math.isfinite(start):
            raise InvalidInput(f"chapter {n}: its start must be a number of seconds")
        if n == 1 and abs(start) > FIRST_START_SLACK:
            raise InvalidInput(f"chapter 1 must start at 0:00, not {clock(start, hours)} (a chapter list covers the "
                               "whole video)")
        if start <= before:
            raise InvalidInput(f"chapter {n} starts at {clock(start, hours)}, not after chapter {n - 1} "
                               f"({clock(before, hours)}): list the chapters in time order")
        if start >= finish:
            raise InvalidInput(f"chapter {n} starts at {clock(start, hours)}, where the video has ended "
                               f"({clock(finish, hours)})")
    from indexer.chapters.spans import described  # deferred: numpy and the text layer, not for reading a list

    starts[0] = 0.0
    titles = [clean_title(e.title) for e in edits]
    spans = list(zip(starts, [*starts[1:], finish]))
    made = described(transcript, spans, spelling, titles=not all(titles))
    return [Chapter(video_id, a, b, title or head or clock(a, hours), keywords, "editor",
                    MADE if e.made or not title else "")
            for (a, b), e, title, (head, keywords) in zip(spans, edits, titles, made)]


_TIME = re.compile(r"^[\[(]?((?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d+)?)[\])]?(?:\s*[-–—:|]\s*|\s+|$)(.*)$")


def parse_listing(text: str) -> list[ChapterEdit]:
    """An editor's chapter list from a file: JSON (a list of {"start": seconds, "title": "..."}, the title
    optional; the list `clipindex chapters REF --source computed --format json` prints reads back, its titles
    marked as made from the words where its items say so: "source": "computed" or "method": MADE), or one chapter
    a line as a YouTube description writes them ("0:00 Opening", "1:02 - Floods in the north", "1:02:03
    Weather"). Blank lines are skipped; a line with no time first is InvalidInput, with its number."""
    body = text.lstrip("\ufeff").strip()
    if body.startswith("["):
        return _from_json(body)
    out = []
    for n, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        found = _TIME.match(line.strip())
        if not found:
            raise InvalidInput(f"line {n}: a chapter line starts with its time (0:00, 12:30 or 1:02:03), then its "
                               f"title: {line.strip()[:80]!r}")
        out.append(ChapterEdit(_seconds(found.group(1)), found.group(2)))
    return out


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[0]) if len(parts) == 3 else 0
    if seconds >= 60 or (len(parts) == 3 and minutes >= 60):
        raise InvalidInput(f"{stamp!r} is not a time: minutes and seconds run to 59")
    return hours * 3600 + minutes * 60 + seconds


def _from_json(body: str) -> list[ChapterEdit]:
    try:
        items: Any = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the chapter list is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    out = []
    for n, item in enumerate(items, 1):
        start = item.get("start") if isinstance(item, dict) else None
        title = item.get("title", "") if isinstance(item, dict) else None
        if isinstance(start, bool) or not isinstance(start, (int, float)) or not isinstance(title, (str, type(None))):
            raise InvalidInput(f"chapter {n}: give it as {{\"start\": seconds, \"title\": \"...\"}}")
        # a title that the list printed says was made from the words stays one
        made = item.get("source") == "computed" or item.get("method") == MADE
        out.append(ChapterEdit(float(start), title or "", made))
    return out
