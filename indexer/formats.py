"""Transcript formats: read from caption cues and from our JSON; written as txt, srt, vtt, ttml and JSON."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, Literal, get_args

from indexer.errors import InvalidInput
from indexer.models import Segment, Transcript, Video, Word, WordSource
from indexer.text.normalize import text_words
from media.captions import MAX_CUE_S, CaptionWord, Cue, format_timestamp, write_srt, write_ttml, write_vtt
from media.lines import READING_SPEED, too_fast
from media.readable import readable_cues, spells

TranscriptFormat = Literal["txt", "srt", "vtt", "ttml", "json"]
FORMATS: tuple[TranscriptFormat, ...] = get_args(TranscriptFormat)
CAPTION_FORMATS = ("srt", "vtt", "ttml")
MEDIA_TYPES: dict[TranscriptFormat, str] = {"txt": "text/plain", "srt": "application/x-subrip", "vtt": "text/vtt",
                                            "ttml": "application/ttml+xml", "json": "application/json"}
VIDEO_FIELDS = ("id", "title", "url", "channel", "published", "duration", "language")  # what JSON exports name
JSON_FORMAT = "clipindex-transcript/1"


def from_cues(video_id: str, cues: list[Cue], *, language: str, kind: str) -> Transcript:
    """Caption cues become segments; words get the file's own times, else times spread by character count, and
    keep where a new speaker's turn begins (`Word.turn`)."""
    segs = []
    for cue in cues:
        if cue.words:
            words = tuple(Word(w.start, w.end, w.text, 1.0, "caption", w.turn) for w in cue.words)
        else:
            words = spread_words(cue.text, cue.start, cue.end, cue.turns)
        if words:
            segs.append(Segment(cue.start, cue.end, cue.text, words))
    return Transcript(video_id, language, "captions", kind, tuple(segs))


def spread_words(text: str, start: float, end: float, turns: Collection[int] = ()) -> tuple[Word, ...]:
    """The words of a cue's text (text_words), its time shared out by their length; `turns`: the indexes, into
    text.split(), of the words that open a speaker's turn (media.cuetext.spoken)."""
    tokens = text_words(text)
    if not tokens:
        return ()
    opening: set[int] = set()  # the word a turn's piece of text between spaces begins with (Chinese: its first)
    at = 0
    for k, piece in enumerate(text.split() if turns else ()):
        if k in turns:
            opening.add(at)
        at += len(text_words(piece))
    weights = [len(t) + 1 for t in tokens]
    total, span, acc = sum(weights), max(end - start, 0.0), 0
    out = []
    for i, (token, weight) in enumerate(zip(tokens, weights)):
        w_start = start + span * acc / total
        acc += weight
        out.append(Word(round(w_start, 3), round(start + span * acc / total, 3), token, 1.0, "caption", i in opening))
    return tuple(out)


def to_json(tr: Transcript, video: Video | None = None) -> str:
    doc = {
        "format": JSON_FORMAT,
        "video": {k: getattr(video, k) for k in VIDEO_FIELDS} if video else {"id": tr.video_id},
        "language": tr.language,
        "engine": tr.engine,
        "model": tr.model,
        "warnings": list(tr.warnings),
        "segments": [segment_record(s) for s in tr.segments],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def segment_record(s: Segment) -> dict[str, Any]:
    """A segment as JSON writes it, every word with its times, probability and source (this format's, the API's),
    and `"turn": true` on a word that opens a speaker's turn (only there: a recogniser's words are written as
    before)."""
    return {"start": s.start, "end": s.end, "text": s.text, "words": [_word_record(w) for w in s.words]}


def _word_record(w: Word) -> dict[str, Any]:
    out = {"start": w.start, "end": w.end, "text": w.text, "probability": w.probability, "source": w.source}
    return {**out, "turn": True} if w.turn else out


class _Missing(Exception):
    """A field the format requires is not there; its message names the field and where it was looked for."""


def from_json(raw: str, video_id: str) -> Transcript:
    """Our JSON back into a transcript: segments in time order, a segment without words given words spread over it
    (as a caption cue's are), so that search and chapters see it. A document without a word is refused, as a caption
    file without a cue is: it would add a video nothing can find."""
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT:
            raise ValueError(f"not a {JSON_FORMAT} document")
        segments, language, engine, model = (_field(doc, name, "") for name in ("segments", "language", "engine",
                                                                                "model"))
        segs = tuple(sorted((_segment(s, n) for n, s in enumerate(segments, 1)), key=lambda seg: seg.start))
        tr = Transcript(video_id, str(language), str(engine), str(model), segs,
                        tuple(str(w) for w in doc.get("warnings", [])))
    except RecursionError:
        raise InvalidInput("the transcript JSON does not parse: nested too deeply") from None
    except _Missing as exc:
        raise InvalidInput(f"the transcript JSON has no {exc.args[0]}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"the transcript JSON does not parse: {exc}") from None
    if not tr.words:
        raise InvalidInput("the transcript JSON holds no words: no segment has any text")
    return tr


def _field(d: dict[str, Any], name: str, where: str) -> Any:
    if name not in d:
        raise _Missing(f'"{name}" field{where}')
    return d[name]


def _segment(s: dict[str, Any], n: int) -> Segment:
    words = tuple(_word(w, n) for w in s.get("words", []))
    start, end, text = (_field(s, name, f" in segment {n}") for name in ("start", "end", "text"))
    start, end, text = float(start), float(end), str(text)
    if end < start or any(w.end < w.start for w in words):
        raise ValueError("a segment or word ends before it starts")
    if not 0 <= start <= end <= MAX_CUE_S or any(not 0 <= w.start <= w.end <= MAX_CUE_S for w in words):
        raise ValueError(f"a time is negative, not a number, or beyond {MAX_CUE_S // 3600} hours")
    return Segment(start, end, text, words or spread_words(text, start, end))


def _word(w: dict[str, Any], n: int) -> Word:
    start, end, text = (_field(w, name, f" in a word of segment {n}") for name in ("start", "end", "text"))
    source: WordSource = w["source"] if w.get("source") in get_args(WordSource) else "asr"
    return Word(float(start), float(end), str(text), float(w.get("probability", 1.0)), source, w.get("turn") is True)


def render(tr: Transcript, fmt: str, video: Video | None = None) -> str:
    if fmt == "json":
        return to_json(tr, video)
    cues = caption_cues(tr)
    if fmt == "srt":
        return write_srt(cues)
    if fmt == "vtt":
        return write_vtt(cues)
    if fmt == "ttml":
        return write_ttml(cues, tr.language)
    if fmt == "txt":
        return "\n".join(s.text.strip() for s in tr.segments if s.text.strip()) + "\n"
    raise InvalidInput(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def caption_cues(tr: Transcript) -> list[Cue]:
    """The transcript as caption cues, each with its timed words: a caption file's cues as they came; a recogniser's
    segments (up to 30 s of speech each) cut into cues a viewer can read (media.readable)."""
    out: list[Cue] = []
    for s in tr.segments:
        if not s.text.strip():
            continue
        words = tuple(CaptionWord(w.start, w.end, w.text, w.turn) for w in s.words)
        if tr.engine == "captions" or not words or not spells(words, s.text):
            out.append(Cue(s.start, s.end, s.text.strip(), words))
        else:
            out.extend(readable_cues(words))
    return out


def reading_warning(tr: Transcript) -> str | None:
    """How many of the transcript's caption cues go faster than READING_SPEED even held on after their words
    (media.lines.too_fast), and where the first is, for an editor; None where none does."""
    fast = too_fast(caption_cues(tr))
    if not fast:
        return None
    return (f"{len(fast)} cue(s) go faster than {READING_SPEED:g} characters a second even held on after their words "
            f"(the first at {format_timestamp(fast[0].start)}): the speech outpaces captions there; split or "
            "condense them.")
