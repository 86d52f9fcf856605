"""Caption files: WebVTT, SRT and TTML (read by media.ttml) in and out, EBU STL (media.stl), Scenarist SCC
(media.scc) and YouTube's SBV in, and YouTube's rolling auto-captions merged into plain cues.

YouTube's auto-captions repeat each line in the next cue (the "rolling" display) and mark every new word with an
inline timestamp (`<00:00:01.230><c> word</c>`); between cues sit 10 ms cues that only repeat the finished line.
Merging keeps each spoken word once, with its own time where the file gives one.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from media import scc, stl, ttml
from media.errors import CaptionError

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_LINE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_INLINE = re.compile(r"<(\d+:)?(\d{1,2}):(\d{2})\.(\d{3})>")
_TAG = re.compile(r"</?[^>]+>")
MAX_BYTES = 50 * 1024 * 1024
MAX_CUE_S = 48 * 3600  # no broadcast runs longer: a later time is a broken file


@dataclass(frozen=True)
class CaptionWord:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    words: tuple[CaptionWord, ...] = ()  # only when the file times words (YouTube auto-captions)


def read_captions(path: Path) -> list[Cue]:
    """Parse a WebVTT, SRT, TTML, EBU STL, SCC or SBV file (by content, not name); rolling auto-captions are
    merged."""
    return load_captions(path)[0]


def load_captions(path: Path) -> tuple[list[Cue], str | None]:
    """The cues of a caption file, and the language it names, if any: a WebVTT header's `Language: ru` (as YouTube
    writes it), a TTML document's `xml:lang`, an EBU STL header's language code."""
    if not path.is_file():
        raise CaptionError(f"{path.name}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise CaptionError(f"{path.name}: too large for a caption file")
    raw = path.read_bytes()
    if stl.looks_like_stl(raw):  # binary: its text is in the code table its header names, as is its language
        cues, named = _cues(stl.cue_bodies(raw)), stl.language(raw)
    else:
        text = decode_captions(raw, path.name)
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


def decode_captions(raw: bytes, name: str) -> str:
    """Caption bytes as text: UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM, else the single-byte
    encoding broadcast tools write: Windows-1252 for Western text, Windows-1251 when the text reads as Cyrillic."""
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
    western = raw.decode("cp1252", errors="replace")
    letters = [c for c in western if c.isalpha()]
    # Cyrillic bytes read as Windows-1252 turn every letter into an accented one; Western text has few of those
    if letters and sum(not c.isascii() for c in letters) > len(letters) / 2:
        return raw.decode("cp1251", errors="replace")
    return western


def parse_captions(text: str) -> list[Cue]:
    if "\x00" in text:
        raise CaptionError("binary data is not a caption file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ttml.looks_like_ttml(text):
        raw = ttml.cue_bodies(text)
    elif scc.looks_like_scc(text):
        raw = scc.cue_bodies(text)
    elif _SBV_LINE.match(text.lstrip("\ufeff \n")):
        raw = list(_sbv_cues(text))
    else:
        raw = list(_raw_cues(text))
    return _cues(raw)


def _cues(raw: list[tuple[float, float, str]]) -> list[Cue]:
    """Cues from (start, end, body) as a file gives them, none past MAX_CUE_S: rolling auto-captions merged, the
    rest cleaned."""
    late = next((end for _, end, _ in raw if end > MAX_CUE_S), None)
    if late is not None:
        raise CaptionError(f"cue time beyond {MAX_CUE_S // 3600} hours: {format_timestamp(late)}")
    if any(_INLINE.search(body) for _, _, body in raw):
        return _merge_rolling(raw)
    return _merge_repeats([Cue(s, e, _clean(body)) for s, e, body in raw if _clean(body)])


def _raw_cues(text: str) -> Iterable[tuple[float, float, str]]:
    # only truly empty lines end a cue: YouTube's auto-captions open each cue with a line holding one space
    for block in re.split(r"\n\n+", text.strip()):
        lines = block.split("\n")
        idx = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if idx is None:
            continue
        start, end = _timing(_CUE_LINE.match(lines[idx]), lines[idx], "cue")
        yield start, end, "\n".join(lines[idx + 1 :])


_SBV_LINE = re.compile(rf"^\s*{_TIME}\s*,\s*{_TIME}\s*$", re.MULTILINE)


def _sbv_cues(text: str) -> Iterable[tuple[float, float, str]]:
    """YouTube's SubViewer format: blocks of a `0:00:01.000,0:00:04.000` line and the cue's text."""
    for block in re.split(r"\n\s*\n+", text.lstrip("\ufeff").strip()):
        lines = block.split("\n")
        start, end = _timing(_SBV_LINE.match(lines[0]), lines[0], "SBV")
        yield start, end, "\n".join(lines[1:])


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


def _clean(body: str) -> str:
    """A cue's spoken words: markup, entities and what captions add for the deaf and hard of hearing gone."""
    return " ".join(" ".join(_speech(line) for line in html.unescape(_TAG.sub("", body)).split("\n")).split())


# What captions write that nobody said, in any language: sound in square brackets ("[Music]", "[ APPLAUSE ]",
# "[музыка]"); a parenthesis that holds a line alone ("(laughter)") or capitals that are no acronym ("(SIGHS)");
# music notes; the broadcast speaker-change mark ">>"; and a speaker's name in capitals before a colon ("ANCHOR:",
# ">> JOHN SMITH:"). A name is taken for one only after ">>", or where the line goes on in lower case and the name is
# of two words or five letters at least: a caption file written all in capitals ("THE MINISTER SAID: WE WILL ...")
# keeps its words, and so does a line that opens on an acronym ("США: санкции продлены", "NATO: talks resume").
_SOUND = re.compile(r"\[[^\[\]\n]{0,80}\]|[♪♫♬]")
_ALONE = re.compile(r"^\s*\([^()]{0,80}\)\s*$")
_SHOUTED = re.compile(r"\(([^()a-z]{0,80})\)")
_LABEL = re.compile(r"^\s*(>>+|-)?\s*([^\W\d_][^\W\d_'.-]*(?:[ '.-][^\W\d_]+){0,3})\s*:\s+")


def _sound_or_acronym(m: re.Match[str]) -> str:
    """A parenthesis in capitals inside a line: a sound ("(SIGHS)", "(CROWD CHEERING)") is dropped; an acronym of
    up to four letters ("(EU)", "(NATO)") is the writer's and stays."""
    inside = m[1].strip()
    letters = sum(c.isalpha() for c in inside)
    return " " if letters and inside.upper() != inside.lower() and (letters > 4 or " " in inside) else m[0]


def _speech(line: str) -> str:
    line = _SOUND.sub(" ", line)
    line = "" if _ALONE.match(line) else _SHOUTED.sub(_sound_or_acronym, line)
    label = _LABEL.match(line)
    if label and label[2] == label[2].upper() != label[2].lower():
        rest = line[label.end():]
        named = " " in label[2].strip() or sum(c.isalpha() for c in label[2]) >= 5  # "США:" and "NATO:" are words
        if (label[1] or "").startswith(">>") or (named and rest != rest.upper()):
            line = rest
    return re.sub(r"^\s*>>+\s*", "", line)


def _merge_rolling(raw: list[tuple[float, float, str]]) -> list[Cue]:
    """Keep only the lines that carry inline word times: each new word appears there exactly once."""
    cues: list[Cue] = []
    for start, end, body in raw:
        for line in body.split("\n"):
            if not _INLINE.search(line):
                continue
            words = _timed_words(line, start, end)
            if words:
                cues.append(Cue(words[0].start, end, " ".join(w.text for w in words), tuple(words)))
    return _fix_word_ends(cues)


def _timed_words(line: str, cue_start: float, cue_end: float) -> list[CaptionWord]:
    parts = _INLINE.split(line)
    # split() interleaves text with the 4 captured groups of each timestamp
    times, texts = [cue_start], [parts[0]]
    for i in range(1, len(parts), 5):
        h, m, s, ms = parts[i : i + 4]
        times.append(_secs((h or "").rstrip(":") or None, m, s, ms))
        texts.append(parts[i + 4])
    words: list[CaptionWord] = []
    for t, chunk in zip(times, texts):
        for token in _clean(chunk).split():
            words.append(CaptionWord(t, t, token))
    return [
        CaptionWord(w.start, words[i + 1].start if i + 1 < len(words) else cue_end, w.text)
        for i, w in enumerate(words)
    ]


def _fix_word_ends(cues: list[Cue]) -> list[Cue]:
    """A line's last word ends where the next line's first word starts (the cue end overlaps the next cue)."""
    out = []
    for i, cue in enumerate(cues):
        nxt = cues[i + 1].start if i + 1 < len(cues) else cue.end
        words = list(cue.words)
        if words and nxt >= words[-1].start:
            words[-1] = CaptionWord(words[-1].start, min(words[-1].end, nxt), words[-1].text)
        out.append(Cue(cue.start, words[-1].end if words else cue.end, cue.text, tuple(words)))
    return out


def _merge_repeats(cues: list[Cue]) -> list[Cue]:
    """Drop text a cue repeats from the one before (rolling captions without word times)."""
    out: list[Cue] = []
    for cue in cues:
        text = cue.text
        if out:
            prev = out[-1].text
            if text == prev or prev.endswith(text):
                continue
            overlap = _overlap(prev, text)
            text = text[overlap:].strip()
        if text:
            out.append(Cue(cue.start, cue.end, text))
    return out


def _overlap(prev: str, text: str) -> int:
    """Length of the longest word-aligned suffix of prev that text starts with."""
    words = prev.split()
    for k in range(len(words)):
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
    blocks = [
        f"{i}\n{format_timestamp(c.start, ',')} --> {format_timestamp(c.end, ',')}\n{c.text}\n"
        for i, c in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def write_vtt(cues: Iterable[Cue]) -> str:
    blocks = [f"{format_timestamp(c.start)} --> {format_timestamp(c.end)}\n{vtt_text(c.text)}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def write_ttml(cues: Iterable[Cue], language: str | None = None) -> str:
    """Cues as a TTML document, one timed paragraph each, times as media clock times to the millisecond; `language`
    (ISO 639-1; "und" or None for none) goes into xml:lang."""
    lang = language if language and language != "und" else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" '
             f'ttp:timeBase="media" xml:lang={quoteattr(lang)}>', "  <body>", "    <div>"]
    for c in cues:
        body = "<br/>".join(vtt_text(line) for line in c.text.split("\n"))
        lines.append(f'      <p begin="{format_timestamp(c.start)}" end="{format_timestamp(c.end)}">{body}</p>')
    return "\n".join([*lines, "    </div>", "  </body>", "</tt>", ""])


def vtt_text(text: str) -> str:
    """Text made safe for a WebVTT cue: "-->" would end the cue text early; & and < are markup in WebVTT."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
