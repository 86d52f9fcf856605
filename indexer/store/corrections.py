"""Corrections of a stored transcript: the words of a time span replaced by other words, reversibly.

Why words are replaced in the store and not patched over at read time: the store is the source of truth, and search,
chapters, quote checks and exports all read the transcript's words; a correction is therefore a rewrite of the
segments it touches, recorded with the words it replaced so that it can be undone. Each written word carries its
provenance (`Word.source`: "editor", or "article" for an article wording the audio confirmed); the untouched words
keep the transcript's own ("asr" or "caption").

A correction replaces the words whose middle lies in [start, end]. When as many words are written as are replaced
they keep their times (and each its speaker's turn, `Word.turn`); otherwise the span's time is shared out by word
length, the first word written opens a turn where the first replaced one did, and a turn inside the span goes to the
word written nearest it (a removal drops the turns of the words it removes). A correction that would write the
words already there is refused: it would record an edit that is none. A correction is reverted by putting the
replaced words back, which is refused while a later correction still in force overlaps its moment (revert that
first), whether or not it changed the same words.
"""

from __future__ import annotations

import json
import time
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from indexer.deeplinks import clock
from indexer.errors import Conflict, InvalidInput, NotFound
from indexer.models import Segment, Word, WordSource
from indexer.store.db import Store
from indexer.store.rows import segment_row, stored_word
from indexer.store.schema import corrections, segments, transcripts
from media.readable import join_words

MAX_WORDS = 200  # one correction is an edit of a passage, not a new transcript
END_SLACK_S = 1.0  # a container's duration and its last word's end may disagree by a frame or two


@dataclass(frozen=True)
class Correction:
    id: str
    video_id: str
    start: float
    end: float
    text: str
    source: WordSource
    before: tuple[Word, ...]  # the words replaced
    after: tuple[Word, ...]  # the words written in their place
    created_at: float
    reverted_at: float | None = None


class Corrections:
    def __init__(self, store: Store) -> None:
        self.store = store

    def apply(self, video_id: str, start: float, end: float, text: str, source: WordSource,
              duration: float | None = None, was: str | None = None) -> Correction:
        """Replace the words in [start, end] with `text`'s words, in one transaction; [start, end] lies within the
        video (`duration`, else where its transcript ends). `was`: the words the caller saw there; Conflict where
        they read otherwise now (two editors on one transcript: the second overwrote the first's correction)."""
        if source not in ("editor", "article"):
            raise InvalidInput(f"a correction's source is 'editor' or 'article', not {source!r}")
        if not (0 <= start < end) or end - start > 600:
            raise InvalidInput("a correction needs 0 <= start < end, over at most 10 minutes")
        tokens = text.split()
        if len(tokens) > MAX_WORDS:
            raise InvalidInput(f"a correction writes at most {MAX_WORDS} words")
        with self.store.tx() as conn:
            segs = _lock_and_read(conn, video_id)
            last = duration or max((s.end for s in segs), default=0.0)
            if end > last + END_SLACK_S:
                raise InvalidInput(f"a correction must lie within the video, which ends at {last:.2f} s "
                                   f"(not {end:.2f} s)")
            before, at = _span(segs, start, end)
            if not before and not tokens:
                raise InvalidInput(f"no words between {start:.2f} s and {end:.2f} s to remove")
            if was is not None and join_words(_texts(before)) != " ".join(was.split()):
                raise Conflict(f"the words between {start:.2f} s and {end:.2f} s now read "
                               f"{join_words(_texts(before))!r}, not {was.strip()!r}: someone corrected them "
                               "meanwhile; read the transcript again")
            after = _new_words(tokens, before, start, end, source)
            if before and _texts(after) == _texts(before):
                raise InvalidInput(f"the words between {start:.2f} s and {end:.2f} s already read "
                                   f"{' '.join(_texts(before))!r}: nothing to correct")
            _write(conn, video_id, segs, at, len(before), after)
            correction = Correction(f"cor_{uuid.uuid4().hex[:12]}", video_id, start, end, " ".join(tokens), source,
                                    before, after, time.time())
            conn.execute(corrections.insert().values(
                id=correction.id, video_id=video_id, start=start, end=end, text=correction.text, source=source,
                before=_dump(before), after=_dump(after), created_at=correction.created_at))
        return correction

    def revert(self, video_id: str, correction_id: str) -> Correction:
        """Put back the words a correction replaced; refused when later edits changed those words or overlap them."""
        with self.store.tx() as conn:
            segs = _lock_and_read(conn, video_id)
            row = conn.execute(sa.select(corrections).where(corrections.c.id == correction_id,
                                                            corrections.c.video_id == video_id)).mappings().first()
            if row is None:
                raise NotFound(f"video {video_id} has no correction {correction_id!r}")
            correction = _correction(row)
            if correction.reverted_at is not None:
                raise Conflict(f"correction {correction_id} is already reverted")
            flat = [w for s in segs for w in s.words]
            at = _find(flat, correction.after, correction.start) if correction.after else \
                sum(1 for w in flat if w.end <= correction.before[0].start)  # a removal: put the words back there
            later = _later_over(conn, correction)
            if later is not None:  # named by what an editor sees (its time and words), and by its id for the API
                raise InvalidInput(f"a later correction covers these words (at {clock(later.start)}, "
                                   f"“{later.text or 'removed'}”, {later.id}): revert the later correction first")
            if at is None:
                raise InvalidInput(f"the words of correction {correction_id} have changed since (a later "
                                   "correction or a new transcript): revert the later correction first")
            _write(conn, video_id, segs, at, len(correction.after), correction.before)
            now = time.time()
            conn.execute(corrections.update().where(corrections.c.id == correction_id).values(reverted_at=now))
        return replace(correction, reverted_at=now)

    def list(self, video_id: str) -> list[Correction]:
        with self.store.tx() as conn:
            rows = conn.execute(sa.select(corrections).where(corrections.c.video_id == video_id)
                                .order_by(corrections.c.created_at)).mappings().all()
        return [_correction(r) for r in rows]


def replay_in(conn: Connection, video_id: str) -> int:
    """Write the corrections in force into a new transcript of the video (`ingest --force`, the transcript step run
    again: Store.put_transcript runs this in its transaction), oldest first, each over the words now in its span;
    each then records the words it replaced in this transcript, so that a revert puts those back. How many were
    written. Without this a new transcript dropped every correction, while the corrections list, the article's checks
    and search still counted them."""
    rows = conn.execute(sa.select(corrections).where(corrections.c.video_id == video_id,
                                                     corrections.c.reverted_at.is_(None))
                        .order_by(corrections.c.created_at)).mappings().all()
    if not rows:
        return 0
    segs = _lock_and_read(conn, video_id)
    for row in rows:
        correction = _correction(row)
        if not any(s.words for s in segs):
            break
        before, at = _span(segs, correction.start, correction.end)
        after = _new_words(correction.text.split(), before, correction.start, correction.end, correction.source)
        _write(conn, video_id, segs, at, len(before), after)
        conn.execute(corrections.update().where(corrections.c.id == correction.id).values(
            before=_dump(before), after=_dump(after)))
    return len(rows)


def _span(segs: Sequence[Segment], start: float, end: float) -> tuple[tuple[Word, ...], int]:
    """The words a correction of [start, end] replaces (in_span), and where in the transcript's words they begin (or
    where words written into a span that held none go)."""
    flat = [w for s in segs for w in s.words]
    hit = [i for i, w in enumerate(flat) if in_span(w, start, end)]
    return tuple(flat[i] for i in hit), hit[0] if hit else sum(1 for w in flat if w.end <= start)


def in_span(word: Word, start: float, end: float) -> bool:
    """Whether a correction of [start, end] replaces this word: its middle lies in the span."""
    return start <= (word.start + word.end) / 2 <= end


def _texts(words: Sequence[Word]) -> list[str]:
    """Words as a reader sees them. Case and punctuation count: to an editor "us" -> "US" is a correction."""
    return [w.text.strip() for w in words]


def _later_over(conn: Connection, correction: Correction) -> Correction | None:
    """The latest correction made after this one, still in force, that overlaps its moment, or None. Its words may match
    the ones this one wrote (it wrote the same words again) or lie beside them; either way, reverting this one first
    would leave the later one describing words that are no longer there."""
    rows = conn.execute(sa.select(corrections).where(
        corrections.c.video_id == correction.video_id, corrections.c.created_at > correction.created_at,
        corrections.c.reverted_at.is_(None)).order_by(corrections.c.created_at.desc())).mappings().all()
    lo, hi = _extent(correction)
    for row in rows:
        later = _correction(row)
        start, end = _extent(later)
        if start < hi and lo < end:
            return later
    return None


def _extent(correction: Correction) -> tuple[float, float]:
    """The time a correction touches: its span and the words it replaced and wrote (a word whose middle lies in the
    span may reach beyond it)."""
    words = correction.before + correction.after
    return (min([correction.start, *(w.start for w in words)]), max([correction.end, *(w.end for w in words)]))


def _lock_and_read(conn: Connection, video_id: str) -> list[Segment]:
    """The video's segments, read after taking the store's write lock: two corrections at once must not both edit
    the words they read (a SQLite transaction that reads first cannot wait for the lock later, it fails)."""
    head = conn.execute(transcripts.update().where(transcripts.c.video_id == video_id)
                        .values(video_id=video_id).returning(transcripts.c.engine)).first()
    if head is None:
        raise NotFound(f"video {video_id!r} has no transcript to correct")
    origin: WordSource = "caption" if head.engine == "captions" else "asr"
    rows = conn.execute(sa.select(segments).where(segments.c.video_id == video_id)
                        .order_by(segments.c.idx)).mappings().all()
    return [Segment(r["start"], r["end"], r["text"], tuple(stored_word(w, origin) for w in json.loads(r["words"])))
            for r in rows]


def _new_words(tokens: list[str], before: Sequence[Word], start: float, end: float,
               source: WordSource) -> tuple[Word, ...]:
    lead = " " if before and before[0].text.startswith(" ") else ""
    mark = before[-1].text.strip()[len(before[-1].text.strip().rstrip(",.;:!?")):] if before else ""
    if source == "article" and tokens and mark and not tokens[-1].endswith(mark):
        tokens = [*tokens[:-1], tokens[-1] + mark]  # an article's word replaces a word, not the sentence's end
    if len(tokens) == len(before):
        return tuple(Word(w.start, w.end, lead + t, 1.0, source, w.turn) for w, t in zip(before, tokens))
    lo = before[0].start if before else start
    hi = before[-1].end if before else end
    weights = [len(t) + 1 for t in tokens]
    total, acc, out = sum(weights), 0, []
    for t, weight in zip(tokens, weights):
        w_start = lo + (hi - lo) * acc / total
        acc += weight
        out.append(Word(round(w_start, 3), round(lo + (hi - lo) * acc / total, 3), lead + t, 1.0, source))
    return _turns_kept(out, before)


def _turns_kept(new: Sequence[Word], before: Sequence[Word]) -> tuple[Word, ...]:
    """Words written over a span of another count, with the replaced words' speaker turns: the first written word's
    where the first replaced word opened one (the turn starts where the span does), each other turn on the written
    word, after the first, that starts nearest the replaced word that opened it (on the only one, where one is
    written: the turn is kept, not lost)."""
    turns = [False] * len(new)
    for k, w in enumerate(before):
        if new and w.turn:
            turns[0 if k == 0 or len(new) == 1 else
                  min(range(1, len(new)), key=lambda i: abs(new[i].start - w.start))] = True
    return tuple(replace(w, turn=turn) for w, turn in zip(new, turns))


def _write(conn: Connection, video_id: str, segs: list[Segment], at: int, count: int,
           new: Sequence[Word]) -> None:
    """Replace flat words [at, at + count) with `new`, and rewrite every segment whose words changed. A new word goes
    into the segment (a caption file's cue) whose time holds its middle, and the segment stretches to hold it; words
    said between segments make a segment of their own. By their place in the word list, words written into the gap
    between two cues went into the next one (shown a second late, missing from a reel's captions, which keep the
    words inside a cue's time), and a revert put a removed cue's words into its neighbour for good. A segment left
    without words stays, empty (no cue is made of it), so that a revert puts its words back where they were."""
    if not any(seg.words for seg in segs):
        raise InvalidInput("the transcript has no words to correct")
    pos, kept = 0, []
    for seg in segs:
        kept.append([w for i, w in enumerate(seg.words, pos) if not at <= i < at + count])
        pos += len(seg.words)
    starts = [seg.start for seg in segs]
    home = [_holding(segs, starts, (w.start + w.end) / 2) for w in new]
    for i in range(1, len(home)):  # a word in a gap inside the run goes with the words before it
        home[i] = home[i - 1] if home[i] is None else home[i]
    for i in reversed(range(len(home) - 1)):  # and one at its start with those after it
        home[i] = home[i + 1] if home[i] is None else home[i]
    placed: list[list[Word]] = [[] for _ in segs]
    for w, k in zip(new, home):
        if k is not None:
            placed[k].append(w)
    out, first_moved = [], None
    for k, seg in enumerate(segs):
        words = kept[k]
        if placed[k]:
            where = bisect_left([w.start for w in words], placed[k][0].start)
            words = words[:where] + placed[k] + words[where:]
        if tuple(words) != seg.words:
            start = min(seg.start, words[0].start) if words else seg.start
            end = max(seg.end, words[-1].end) if words else seg.end
            # the text joined as its script writes it: 北京, not 北 京
            seg = replace(seg, start=start, end=end, text=join_words(w.text for w in words), words=tuple(words))
        out.append(seg)
    if new and home[0] is None:  # the whole run said between segments: a segment of its own
        first_moved = bisect_left([seg.start for seg in out], new[0].start)
        out.insert(first_moved, Segment(new[0].start, new[-1].end, join_words(w.text for w in new), tuple(new)))
    kept_places = len(segs) if first_moved is None else first_moved
    if first_moved is not None:  # the segments after a new one move up a place: rewritten from there on
        conn.execute(segments.delete().where(segments.c.video_id == video_id, segments.c.idx >= first_moved))
        conn.execute(segments.insert(), [segment_row(video_id, k, seg) for k, seg in enumerate(out)
                                          if k >= first_moved])
    for k in (k for k in range(kept_places) if out[k] != segs[k]):
        row = segment_row(video_id, k, out[k])
        conn.execute(segments.update().where(segments.c.video_id == video_id, segments.c.idx == k).values(
            start=row["start"], end=row["end"], text=row["text"], words=row["words"]))
    segs[:] = out


def _holding(segs: Sequence[Segment], starts: Sequence[float], moment: float) -> int | None:
    """The segment whose time holds `moment` (the later of two that touch there), or None between segments."""
    k = bisect_right(starts, moment) - 1
    return k if k >= 0 and segs[k].end >= moment else None


def _find(flat: Sequence[Word], words: Sequence[Word], near: float) -> int | None:
    """Where `words` stand in the transcript now (the run closest to `near`), or None."""
    n = len(words)
    if n == 0:
        return None
    found = [i for i in range(len(flat) - n + 1) if tuple(flat[i:i + n]) == tuple(words)]
    return min(found, key=lambda i: abs(flat[i].start - near), default=None)


def _dump(words: Sequence[Word]) -> str:
    """Words as a correction records them: [start, end, text, probability, source], and a 1 where one opens a
    speaker's turn."""
    return json.dumps([[w.start, w.end, w.text, w.probability, w.source, *([1] if w.turn else [])] for w in words],
                      ensure_ascii=False)


def _load(raw: str) -> tuple[Word, ...]:
    return tuple(Word(row[0], row[1], row[2], row[3], row[4], len(row) > 5 and bool(row[5])) for row in json.loads(raw))


def _correction(row: Any) -> Correction:
    return Correction(row["id"], row["video_id"], row["start"], row["end"], row["text"], row["source"],
                      _load(row["before"]), _load(row["after"]), row["created_at"], row["reverted_at"])
