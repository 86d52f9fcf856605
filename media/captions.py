"""Caption files: WebVTT, SRT and TTML (read by media.ttml) in and out, EBU STL (media.stl), Scenarist SCC
(media.scc) and YouTube's SBV in, and YouTube's rolling auto-captions merged into plain cues.

YouTube's auto-captions repeat each line in the next cue (the "rolling" display) and mark every new word with an
inline timestamp (`<00:00:01.230><c> word</c>`); between cues sit 10 ms cues that only repeat the finished line.
Merging keeps each spoken word once, with its own time where the file gives one. A file is taken for rolling
captions by what it does throughout (`_is_rolling`), not by one inline timestamp: a plain WebVTT file may time a word
here and there, and keeps every cue.

Cues come out in time order, whatever order the file lists them in (search, chapters and the check that captions end
within their media all read words in order); in WebVTT and SRT a timing line always starts a cue, blank line before
it or not. The text of a cue is cleaned by media.cuetext, which says where a new speaker's turn begins (WebVTT's
voice spans are read cue after cue: a voice other than the cue before's opens a turn too); the writers write a cue
of several speakers with a dash per speaker (media.turns).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import quoteattr

from media import scc, stl, ttml
from media.codepages import decode_legacy
from media.cuetext import CONTROL, INLINE, SHIELD, Voices, clean, right_to_left, spoken
from media.errors import CaptionError
from media.lines import timed
from media.turns import shown

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_LINE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
MAX_BYTES = 50 * 1024 * 1024
MAX_CUE_S = 48 * 3600  # no broadcast runs longer: a later time is a broken file
MAX_CUES = 250_000  # 48 hours at a cue every 0.7 s (rolling captions come merged): more is no real programme's, and
# every read of the transcript (its page, an export) would have to build them all


@dataclass(frozen=True)
class CaptionWord:
    start: float
    end: float
    text: str
    turn: bool = False  # a new speaker's turn begins with this word (media.turns)


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    words: tuple[CaptionWord, ...] = ()  # only when the file times words (YouTube auto-captions)
    until: float | None = None  # the latest it may be shown: on a reel, its clip's end (a cue never crosses a cut)
    # where a new speaker's turn begins, for a cue without timed words (theirs say it): indexes into text.split()
    turns: tuple[int, ...] = ()
    language: str | None = None  # its words' language (ISO 639-1) where cues differ: a reel's clips (write_ttml)


def read_captions(path: Path) -> list[Cue]:
    """Parse a WebVTT, SRT, TTML, EBU STL, SCC or SBV file (by content, not name); rolling auto-captions are
    merged."""
    return load_captions(path)[0]


def load_captions(path: Path, language: str | None = None) -> tuple[list[Cue], str | None]:
    """The cues of a caption file, and the language it names, if any: a WebVTT header's `Language: ru` (as YouTube
    writes it), a TTML document's `xml:lang`, an EBU STL header's language code. `language`: the one the caller
    knows, whose code page a file that is not Unicode is read in."""
    if not path.is_file():
        raise CaptionError(f"{path.name}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise CaptionError(f"{path.name}: too large for a caption file")
    raw = path.read_bytes()
    if stl.looks_like_stl(raw):  # binary: its text is in the code table its header names, as is its language
        cues, named = _cues(stl.cue_bodies(raw)), stl.language(raw)
    else:
        text = decode_captions(raw, path.name, language)
        cues, named = parse_captions(text), header_language(text)
    if not cues:
        raise CaptionError(f"{path.name}: no caption cues found (expected WebVTT, SRT, TTML, EBU STL, SCC or SBV)")
    return cues, named


_HEADER_LANGUAGE = re.compile(r"^language\s*:\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", re.IGNORECASE)


def header_language(text: str) -> str | None:
    """The lower-case primary code of a WebVTT header's `Language:` line ("pt-BR" gives "pt") or of a TTML
    document's `xml:lang`, or None: SRT and SBV have no header, and a header line after the first cue's timing is
    cue text, not metadata."""
    if ttml.looks_like_ttml(text):
        return ttml.language(text)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not lines[0].startswith("WEBVTT"):
        return None
    for line in lines[1:]:
        if not line.strip() or "-->" in line:
            return None
        m = _HEADER_LANGUAGE.match(line.strip())
        if m:
            return m.group(1).lower()
    return None


def decode_captions(raw: bytes, name: str, language: str | None = None) -> str:
    """Caption bytes as text: UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM, else the legacy code page
    broadcast tools write, the one `language` uses or the one whose reading reads best (media.codepages)."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                raise CaptionError(f"{name}: broken {codec.upper()} text, so not a caption file") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:8192]:
        raise CaptionError(f"{name}: binary data is not a caption file")
    return decode_legacy(raw, name, language)


def parse_captions(text: str) -> list[Cue]:
    if "\x00" in text:
        raise CaptionError("binary data is not a caption file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ttml.looks_like_ttml(text):
        raw = ttml.cue_bodies(text)
    elif scc.looks_like_scc(text):
        raw = scc.cue_bodies(text)
    elif _SBV_LINE.match(text.lstrip("\ufeff \n")):
        raw = _sbv_cues(text)
    else:
        raw = list(_raw_cues(text))
    return _cues(raw)


def _cues(raw: list[tuple[float, float, str]]) -> list[Cue]:
    """Cues from (start, end, body) as a file gives them, none past MAX_CUE_S: rolling auto-captions merged, the
    rest cleaned."""
    late = next((end for _, end, _ in raw if end > MAX_CUE_S), None)
    if late is not None:
        raise CaptionError(f"cue time beyond {MAX_CUE_S // 3600} hours: {format_timestamp(late)}")
    raw = sorted(raw, key=lambda cue: cue[0])
    voices = Voices()  # WebVTT's voice spans: a change of speaker from one cue to the next is a turn too
    cues = _merge_rolling(raw, voices) if _is_rolling(raw) else _merge_repeats(
        [_plain(s, e, body, voices) for s, e, body in raw if clean(body)])
    if len(cues) > MAX_CUES:
        raise CaptionError(f"{len(cues):,} cues: more than the {MAX_CUES:,} a caption file may hold")
    return cues


def _raw_cues(text: str) -> list[tuple[float, float, str]]:
    """(start, end, body) of each WebVTT or SRT cue. Only truly empty lines end a cue: YouTube's auto-captions open
    each cue with a line holding one space. A timing line starts a cue even where no blank line ends the one before
    (and a cue number just above it is the new cue's); lines outside cues (the header, NOTE and STYLE blocks, cue
    identifiers) are skipped, and a line with "-->" that opens a block must be a good timing line."""
    cues: list[tuple[float, float, list[str]]] = []
    body: list[str] | None = None  # the open cue's lines, None between cues
    for line in text.lstrip("\ufeff").split("\n"):
        timing = _CUE_LINE.match(line)
        if timing or (body is None and "-->" in line):
            if body and body[-1].strip().isdigit():
                body.pop()
            body = []
            cues.append((*_timing(timing, line, "cue"), body))
        elif not line:
            body = None
        elif body is not None:
            body.append(line)
    return [(start, end, "\n".join(lines)) for start, end, lines in cues]


_SBV_LINE = re.compile(rf"^\s*{_TIME}\s*,\s*{_TIME}\s*$", re.MULTILINE)


def _sbv_cues(text: str) -> list[tuple[float, float, str]]:
    """YouTube's SubViewer format: blocks of a `0:00:01.000,0:00:04.000` line and the cue's text. A timing line starts
    a cue whether or not a blank line ends the one before (as in WebVTT and SRT); a block's first line must be one."""
    cues: list[tuple[float, float, list[str]]] = []
    opened = False  # inside a block: its first line was a timing line
    for line in text.lstrip("\ufeff").split("\n"):
        timing = _SBV_LINE.match(line)
        if not line.strip():
            opened = False
        elif timing or not opened:
            cues.append((*_timing(timing, line, "SBV"), []))
            opened = True
        else:
            cues[-1][2].append(line)
    return [(start, end, "\n".join(lines)) for start, end, lines in cues]


def _timing(m: re.Match[str] | None, line: str, kind: str) -> tuple[float, float]:
    """A timing line's start and end, checked: it parses and ends after it starts (`_cues` bounds the times)."""
    if not m:
        raise CaptionError(f"bad {kind} timing line: {line[:80]!r}")
    start, end = _secs(*m.groups()[:4]), _secs(*m.groups()[4:])
    if end < start:
        raise CaptionError(f"cue ends before it starts: {line[:80]!r}")
    return start, end


def _secs(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def _is_rolling(raw: list[tuple[float, float, str]]) -> bool:
    """YouTube's rolling auto-captions, told by what the whole file does: word times in a good share of the cues
    (there about every other one; the rest are the 10 ms cues that repeat the finished line) and most cues repeating
    a line of the cue before. One timed word in a plain file does not make it rolling: merged as rolling, every cue
    without word times was dropped."""
    timed = sum(bool(INLINE.search(body)) for _, _, body in raw)
    if len(raw) < 2 or not timed or 3 * timed < len(raw):  # most files: no line is read again for repeats
        return False
    lines = [{clean(line) for line in body.split("\n")} - {""} for _, _, body in raw]
    repeats = sum(bool(before & now) for before, now in zip(lines, lines[1:]))
    return 2 * repeats >= len(raw) - 1


def _plain(start: float, end: float, body: str, voices: Voices) -> Cue:
    """A cue of a plain file; one that times some of its words (WebVTT's inline timestamps) keeps those times."""
    voices.next_cue()
    if not INLINE.search(body):
        text, turns = spoken(body, voices)
        return Cue(start, end, text, turns=turns)
    words = _timed_words(body, start, end, voices)
    return Cue(start, end, " ".join(w.text for w in words), tuple(words))


def _merge_rolling(raw: list[tuple[float, float, str]], voices: Voices) -> list[Cue]:
    """Each line once: a line that repeats one of the cue before is the rolling display's echo. A new line carries
    inline word times for all but its first word; a line of one word carries none, and keeps the cue's time."""
    cues: list[Cue] = []
    before: set[str] = set()
    for start, end, body in raw:
        lines = body.split("\n")
        for line in lines:
            if not INLINE.search(line) and clean(line) in before:
                continue
            voices.next_cue()
            words = _timed_words(line, start, end, voices)
            if words:
                cues.append(Cue(words[0].start, end, " ".join(w.text for w in words), tuple(words)))
        before = {clean(line) for line in lines}
    return _fix_word_ends(cues)


def _timed_words(line: str, cue_start: float, cue_end: float, voices: Voices) -> list[CaptionWord]:
    """The words of a cue's text with inline times: the words after a time are spread by length up to the next
    time (or the cue's end), so a cue that times one word still times the others; each word ends where the next
    starts. Times out of order or outside the cue are held within it."""
    parts = INLINE.split(line)
    # split() interleaves text with the 4 captured groups of each timestamp
    times, texts = [cue_start], [parts[0]]
    for i in range(1, len(parts), 5):
        h, m, s, ms = parts[i : i + 4]
        times.append(min(max(_secs((h or "").rstrip(":") or None, m, s, ms), times[-1]), cue_end))
        texts.append(parts[i + 4])
    starts: list[tuple[float, str, bool]] = []
    for t, until, chunk in zip(times, [*times[1:], cue_end], texts):
        said, turns = spoken(chunk, voices)  # a voice span may open before a time and close after it
        tokens = said.split()
        total, done = sum(len(token) + 1 for token in tokens), 0
        for k, token in enumerate(tokens):
            starts.append((round(t + (until - t) * done / total, 3), token, k in turns))
            done += len(token) + 1
    return [CaptionWord(t, starts[i + 1][0] if i + 1 < len(starts) else cue_end, token, turn)
            for i, (t, token, turn) in enumerate(starts)]


def _fix_word_ends(cues: list[Cue]) -> list[Cue]:
    """A line's last word ends where the next line's first word starts (the cue end overlaps the next cue)."""
    out = []
    for i, cue in enumerate(cues):
        nxt = cues[i + 1].start if i + 1 < len(cues) else cue.end
        words = list(cue.words)
        if words and nxt >= words[-1].start:
            words[-1] = replace(words[-1], end=min(words[-1].end, nxt))
        out.append(Cue(cue.start, words[-1].end if words else cue.end, cue.text, tuple(words)))
    return out


ECHO_GAP_S = 0.25  # a roll-up display's next cue follows straight on: a repeat after a pause is said again
ECHO_SHARE = 0.5  # of the cues that follow straight on, the share that echo the one before in a roll-up file
ECHO_WORDS = 64  # the echo is a line or two: looked for among the last words of the cue before


def _merge_repeats(cues: list[Cue]) -> list[Cue]:
    """Drop text a cue repeats from the one before in a roll-up file (rolling captions without word times), and its
    timed words. A plain file keeps every cue: two members' "Point of order, Mr Speaker." and the Speaker's "Order."
    before and after a break were said twice, and the second was dropped."""
    if not _rolls_up(cues):
        return cues
    out: list[Cue] = []
    for cue in cues:
        text, words, turns = cue.text, cue.words, cue.turns
        if out and cue.start - out[-1].end <= ECHO_GAP_S:
            prev = out[-1].text
            if text == prev or prev.endswith(text):
                continue
            overlap = _overlap(prev, text)
            echo = len(text[:overlap].split())
            words, turns = words[echo:], tuple(k - echo for k in turns if k >= echo)
            text = text[overlap:].strip()
        if text:
            out.append(Cue(cue.start, cue.end, text, words, turns=turns))
    return out


def _rolls_up(cues: list[Cue]) -> bool:
    """Whether the file repeats the cue before throughout, as a roll-up display does: of the cues that follow
    straight on, at least two and ECHO_SHARE of them echo the one before."""
    following = [(a.text, b.text) for a, b in zip(cues, cues[1:]) if b.start - a.end <= ECHO_GAP_S]
    echoes = sum(1 for prev, text in following if text == prev or prev.endswith(text) or _overlap(prev, text))
    return echoes >= 2 and echoes >= ECHO_SHARE * len(following)


def _overlap(prev: str, text: str) -> int:
    """Length of the longest word-aligned suffix of prev (of its last ECHO_WORDS words) that text starts with."""
    words = prev.split()[-ECHO_WORDS:]
    first = text.split(" ", 1)[0]
    for k in range(len(words)):
        if words[k] != first:  # the tail must start with text's first word: most start points are passed at once
            continue
        tail = " ".join(words[k:])
        if text == tail or text.startswith(tail + " "):
            return len(tail)
    return 0


def format_timestamp(seconds: float, sep: str = ".") -> str:
    ms = int(round(max(seconds, 0.0) * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def write_srt(cues: Iterable[Cue]) -> str:
    """Cues as SubRip, laid out as media.lines lays them out (lines of 42 columns, times that do not overlap), a cue
    of several speakers with a dash per speaker (media.turns)."""
    blocks = [
        f"{i}\n{format_timestamp(c.start, ',')} --> {format_timestamp(c.end, ',')}\n{srt_text(shown(c))}\n"
        for i, c in enumerate(timed(cues), 1)
    ]
    return "\n".join(blocks)


def write_vtt(cues: Iterable[Cue]) -> str:
    """Cues as WebVTT, laid out as write_srt lays them out."""
    blocks = [f"{format_timestamp(c.start)} --> {format_timestamp(c.end)}\n{vtt_text(shown(c))}\n"
              for c in timed(cues)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def write_ttml(cues: Iterable[Cue], language: str | None = None) -> str:
    """Cues as a TTML document, one timed paragraph each (laid out as write_srt lays them out), times as media clock
    times to the millisecond; `language` (ISO 639-1; "und" or None for none) goes into the tt element's xml:lang,
    which TTML requires there: "" where no one language is the document's (a reel whose clips speak several).
    A cue of another language than that (Cue.language) says its own on its paragraph; a paragraph in a language
    written right to left has tts:direction="rtl" (TTML's paragraphs run left to right unless told)."""
    lang = language if language and language != "und" else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" '
             f'xmlns:tts="http://www.w3.org/ns/ttml#styling" ttp:timeBase="media" xml:lang={quoteattr(lang)}>',
             "  <body>", "    <div>"]
    for c in timed(cues):
        own = c.language if c.language and c.language not in ("und", lang) else None
        said = f" xml:lang={quoteattr(own)}" if own else ""
        said += ' tts:direction="rtl"' if right_to_left(own or lang) else ""
        body = "<br/>".join(vtt_text(line) for line in shown(c).split("\n"))
        lines.append(f'      <p begin="{format_timestamp(c.start)}" end="{format_timestamp(c.end)}"{said}>{body}</p>')
    return "\n".join([*lines, "    </div>", "  </body>", "</tt>", ""])


_TAG_LIKE = re.compile(r"<(?=/?\s*[A-Za-z0-9_])")


def srt_text(text: str) -> str:
    """Text for an SRT cue, where `<` has no escape (players show `&lt;` as it is). A `<` before a letter, digit or
    `_`, spaces between or not (`<heute>`, `<b and c>`, `x < y`), opens a tag for players: ffmpeg's SubRip decoder
    (mpv, Jellyfin, Plex) hides `<heute>`, VLC hides what follows up to the next `>` or the cue's end. There the `<`
    is followed by an invisible WORD JOINER, which neither takes for a tag (nor shows, burnt in by libass) and
    media.cuetext drops on reading; any other `<` (`<-`, `<<`) is written as it is."""
    return _TAG_LIKE.sub("<" + SHIELD, CONTROL.sub("", text))


def vtt_text(text: str) -> str:
    """Text made safe for a WebVTT cue: "-->" would end the cue text early; & and < are markup in WebVTT."""
    return CONTROL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
