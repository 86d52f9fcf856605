"""EBU STL subtitle files (EBU Tech 3264, the binary exchange format of European broadcasters' subtitle archives):
their subtitles as timed cue bodies, for media.captions to clean like any other cue.

Layout. A 1,024-byte General Subtitle Information block (GSI), then 128-byte Text and Timing Information blocks
(TTI). The GSI says the frame rate (its disk format code: `STL25.01` is 25 frames a second, `STL30.01` 30), the
character code table of the text (`00` Latin, ISO 6937; `01` Latin/Cyrillic, ISO 8859-5; `02` Arabic, 8859-6; `03`
Greek, 8859-7; `04` Hebrew, 8859-8), the language (`09` English, `56` Russian, `47` Uzbek ...: `language`) and the
programme's start time code (often 10:00:00:00), which cue times are counted from. Each TTI gives a time code in and
out (hours, minutes, seconds, frames, a byte each) and 112 bytes of text; a subtitle too long for one block goes on
in the next ones (its extension block number is 0xFF in the last); comment blocks and user data are skipped.

Text bytes: 0x8A is a line break, 0x8F fills; 0x80-0x85 (italics, underline, boxing) and the teletext controls
below 0x20 (colours, double height) are display, not words. In the Latin table a byte 0xC1-0xCF is an accent that
combines with the letter after it (0xC2 then "e" is "é"); the other bytes from 0xA0 are ISO 6937's own characters.
"""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape

from media.errors import CaptionError

GSI_BYTES, TTI_BYTES, TEXT_BYTES = 1024, 128, 112
_RATES = {b"STL25.01": 25.0, b"STL30.01": 30.0, b"STL24.01": 24.0, b"STL50.01": 50.0, b"STL60.01": 60.0}
_TABLES = {b"01": "iso8859_5", b"02": "iso8859_6", b"03": "iso8859_7", b"04": "iso8859_8"}
# ISO 6937's non-spacing accents (0xC1-0xCF), as Unicode combining marks written after the letter
_ACCENTS = {0xC1: "\u0300", 0xC2: "\u0301", 0xC3: "\u0302", 0xC4: "\u0303", 0xC5: "\u0304", 0xC6: "\u0306",
            0xC7: "\u0307", 0xC8: "\u0308", 0xCA: "\u030a", 0xCB: "\u0327", 0xCD: "\u030b", 0xCE: "\u0328",
            0xCF: "\u030c"}
# ISO 6937's spacing characters from 0xA0 (those that differ from Latin-1 or have no place there)
_LATIN = dict(zip(range(0xA0, 0x100), (
    "\u00a0¡¢£$¥#§¤‘“«←↑→↓"  # 0xA0-0xAF
    "°±²³×µ¶·÷’”»¼½¾¿"  # 0xB0-0xBF
    "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"  # accents
    "―¹®©™♪¬¦\u0000\u0000\u0000\u0000⅛⅜⅝⅞"  # 0xD0-0xDF
    "ΩÆĐªĦ\u0000ĲĿŁØŒºÞŦŊŉ"  # 0xE0-0xEF
    "ĸæđðħıĳŀłøœßþŧŋ\u00ad"  # 0xF0-0xFF
)))


# EBU Tech 3264's language codes (the GSI's LC field, two hexadecimal digits at bytes 14-15) as ISO 639-1 codes, for
# the languages that have one: 01-2B the European languages, 45-7F the others (Flemish as Dutch, Moldavian as
# Romanian, Dari as Persian; Sranan Tongo, Serbo-Croat, Ruthenian and Papiamento have none). 00 is "not known".
_LANGUAGES = {
    **dict(zip(range(0x01, 0x2C), (
        "sq br ca hr cy cs da de en es eo et eu fo fr fy ga gd gl is it se la lv lb lt hu mt nl no oc pl pt ro rm "
        "sr sk sl fi sv tr nl wa").split())),
    **{code: lang for code, lang in zip(range(0x45, 0x80), (
        "zu vi uz ur uk th te tt ta tg sw - so si sn - - ru qu ps pa fa - or ne nd mr ro ms mg mk lo ko km kk kn ja "
        "id hi he ha gn gu el ka ff fa cv zh my bg bn be bm az as hy ar am").split()) if lang != "-"},
}


def language(raw: bytes) -> str | None:
    """The language an EBU STL file's header names (ISO 639-1), or None where it names none or one without a code."""
    try:
        return _LANGUAGES.get(int(bytes(raw[14:16]).decode("ascii"), 16))
    except (UnicodeDecodeError, ValueError):
        return None


def looks_like_stl(raw: bytes) -> bool:
    """Whether bytes are an EBU STL file: a disk format code `STLnn.01` at bytes 3-10 of the GSI block."""
    return len(raw) >= 11 and raw[3:6] == b"STL" and raw[8:11] == b".01"


def cue_bodies(raw: bytes) -> list[tuple[float, float, str]]:
    """(start, end, body) of each subtitle, the body escaped as a WebVTT cue's is written, in file order."""
    if len(raw) < GSI_BYTES + TTI_BYTES:
        raise CaptionError("an EBU STL file shorter than its header and one subtitle")
    fps = _RATES.get(bytes(raw[3:11]))
    if fps is None:
        raise CaptionError(f"unknown EBU STL disk format {raw[3:11]!r} (expected STL25.01 or STL30.01)")
    table = bytes(raw[12:14])
    if table != b"00" and table not in _TABLES:
        raise CaptionError(f"unknown EBU STL character code table {table!r}")
    start = _gsi_time(raw[256:264], fps)  # the programme's start time code: cue times are counted from it
    last = GSI_BYTES + (len(raw) - GSI_BYTES) // TTI_BYTES * TTI_BYTES - TTI_BYTES
    if not start or _tti_time(raw[last + 5: last + 9], fps) < start:
        # none given, yet subtitles from 10:00:00:00 (the usual start), or every subtitle before the start given
        # (timed from zero under 10:00:00:00): count from the hour of the first subtitle
        start = _tti_time(raw[GSI_BYTES + 5: GSI_BYTES + 9], fps) // 3600 * 3600
    out: list[tuple[float, float, str]] = []
    text, first = "", None
    for at in range(GSI_BYTES, len(raw) - TTI_BYTES + 1, TTI_BYTES):
        block = raw[at: at + TTI_BYTES]
        extension, comment = block[4], block[15]
        if extension == 0xFE or comment == 1:  # user data, or a comment nobody sees
            continue
        first = first or block
        text += _text(block[16:16 + TEXT_BYTES], table)
        if extension != 0xFF:  # the subtitle goes on in the next block; its times are the first block's
            continue
        begin = round(_tti_time(first[5:9], fps) - start, 3)
        end = round(_tti_time(first[9:13], fps) - start, 3)
        if end < begin:
            raise CaptionError(f"an EBU STL subtitle ends before it starts (block {at // TTI_BYTES - 8})")
        if begin >= 0:  # before the programme's start: a test card's subtitle, not the programme's
            out.append((begin, end, escape(text)))
        text, first = "", None
    return out


def _text(field: bytes, table: bytes) -> str:
    chars: list[str] = []
    accent = ""
    for b in field:
        if b == 0x8F:
            continue
        if b == 0x8A:
            chars.append("\n")
        elif b < 0x20 or 0x80 <= b <= 0x9F:
            chars.append(" ")  # teletext colours, double height, italics, boxing: display only
        elif table != b"00":
            chars.append(bytes([b]).decode(_TABLES[table], errors="replace"))
        elif b in _ACCENTS:
            accent = _ACCENTS[b]
            continue
        elif b >= 0xA0:
            chars.append(_LATIN[b].replace("\u0000", ""))
        else:
            chars.append(chr(b))
        if accent:
            chars[-1] = unicodedata.normalize("NFC", chars[-1] + accent)
            accent = ""
    return "".join(chars)


def _gsi_time(field: bytes, fps: float) -> float:
    """A GSI time code (`HHMMSSFF` in ASCII digits); 0 where it is blank or not digits."""
    digits = field.decode("ascii", errors="replace")
    if len(digits) != 8 or not digits.isdigit():
        return 0.0
    h, m, s, f = (int(digits[i:i + 2]) for i in range(0, 8, 2))
    return h * 3600 + m * 60 + s + f / fps


def _tti_time(field: bytes, fps: float) -> float:
    h, m, s, f = field
    if m > 59 or s > 59 or f >= fps + 1:
        raise CaptionError(f"bad EBU STL time code {h:02d}:{m:02d}:{s:02d}:{f:02d}")
    return h * 3600 + m * 60 + s + f / fps
