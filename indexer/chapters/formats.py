"""Chapter lists in the formats people paste or serve them in: a YouTube description, a WebVTT chapters track.

Why a module of its own: these are the edges of chapters (text for a description box, a file for a `<track>`), with
rules set by others (YouTube's minimum length and first line at 00:00; WebVTT's cue text escaping, shared with the
caption writer in media/captions.py), not part of finding chapters.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.models import Chapter
from media.captions import format_timestamp, vtt_text
from media.editors import one_line

YOUTUBE_MIN_CHAPTER = 10.0  # seconds; YouTube also wants the list to start at 00:00 and hold three or more entries


def youtube_description(chapters: Sequence[Chapter]) -> str:
    """`00:00 Title` lines to paste into a YouTube description, one per chapter.

    YouTube's rules: the first timestamp is 00:00, timestamps ascend, there are at least three, and each chapter
    lasts at least 10 s. Chapters shorter than that are merged into a neighbour (the longer of the two gives the
    title), and the first line always reads 00:00. Times are MM:SS, or H:MM:SS on every line when the video reaches
    an hour. When fewer than three chapters remain, the lines are still returned (a fine table of contents), but
    YouTube will not turn them into chapters; callers that need to know can count the lines.
    """
    spans = _merge_short(sorted((c.start, c.end, c.title) for c in chapters))
    hours = _reaches_an_hour(chapters)
    # YouTube refuses descriptions that contain angle brackets.
    return "".join(f"{clock(start, hours)} {_one_line(title.replace('<', ' ').replace('>', ' '), start, hours)}\n"
                   for start, _, title in spans)


def _merge_short(spans: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """(start, length, title) with the first at 0 and each lasting 10 s or more up to the next start (or the end).

    A short chapter is merged into the one before it, so the next keeps its own start (merged forward, it took the
    next one's title 9 s early, inside the story before); only a short first chapter, which must start at 0, takes
    the next one in. A merged chapter keeps the longer one's title.
    """
    if not spans:
        return []
    end = max(e for _, e, _ in spans)
    out: list[tuple[float, float, str]] = []
    for i, (start, _, title) in enumerate(spans):
        start = 0.0 if i == 0 else start
        length = (spans[i + 1][0] if i + 1 < len(spans) else end) - start
        if out and start - out[-1][0] < YOUTUBE_MIN_CHAPTER:
            short = out.pop()
            if out:
                out.append(_join(out.pop(), short))
                out.append((start, length, title))
            else:
                out.append(_join(short, (start, length, title)))
        else:
            out.append((start, length, title))
    if len(out) > 1 and end - out[-1][0] < YOUTUBE_MIN_CHAPTER:
        last = out.pop()
        out.append(_join(out.pop(), last))
    return out


def _join(a: tuple[float, float, str], b: tuple[float, float, str]) -> tuple[float, float, str]:
    return a[0], a[1] + b[1], a[2] if a[1] >= b[1] else b[2]


def _reaches_an_hour(chapters: Sequence[Chapter]) -> bool:
    """past_an_hour for a list of chapters: whether the last of them ends an hour or more in."""
    return past_an_hour(max((c.end for c in chapters), default=0.0))


def past_an_hour(end: float) -> bool:
    """Whether the times of a list that ends at `end` seconds need hours (its video reaches an hour): then every
    line writes them."""
    return end >= 3600


def clock(seconds: float, hours: bool) -> str:
    """A time as a chapter list writes it: MM:SS, or H:MM:SS in a list that runs past an hour."""
    s = int(seconds)
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if hours else f"{s // 60:02d}:{s % 60:02d}"


def _one_line(title: str, start: float, hours: bool) -> str:
    """The title on one line; a chapter without one is named by its start, in no language."""
    return one_line(title) or clock(start, hours)


def vtt_chapters(chapters: Sequence[Chapter]) -> str:
    """A WebVTT chapters track (`<track kind="chapters">`): one cue per chapter, its text the title."""
    hours = _reaches_an_hour(chapters)
    cues = [
        f"{i}\n{format_timestamp(c.start)} --> {format_timestamp(max(c.end, c.start))}\n"
        f"{vtt_text(_one_line(c.title, c.start, hours))}\n"
        for i, c in enumerate(sorted(chapters, key=lambda c: c.start), start=1)
    ]
    return "\n".join(["WEBVTT\n", *cues])
