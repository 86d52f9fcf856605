"""Scenarist SCC caption files (CEA-608 line 21 captions, as North American broadcast delivers and archives them):
their captions as timed cue bodies, for media.captions to clean like any other cue.

A file is `Scenarist_SCC V1.0`, then lines of a time code and the 608 byte pairs sent from that frame on, one pair
a frame at 29.97 frames a second, in hex with a parity bit (`00:00:01;15  9420 9420 94ae 94ae 9452 c1e2 ...`; a
semicolon marks drop-frame time code). The pairs are characters (two a pair), or control codes, sent twice.

Captions are shown three ways, and each becomes cues:
- pop-on (RCL ... EOC): text is loaded out of sight and shown all at once at End Of Caption, until the next EOC or an
  Erase Displayed Memory: a cue from the EOC to then;
- roll-up (RU2-RU4 ... CR): text appears as it is typed and each Carriage Return rolls a finished row up: a cue a row,
  from its first character to its CR;
- paint-on (RDC): text appears as it is typed, until erased: a cue from the first character to the erase.
Only the first caption channel (CC1) is read; CC2 (another language, often) and the text services are skipped.
Preamble codes start a new row (a line break), mid-row codes are a space, and the extended characters replace the
standard one sent before them, as decoders show them.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from media.errors import CaptionError

FPS = 30000 / 1001
_LINE = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2})\s+((?:[0-9A-Fa-f]{4}\s*)*)$")
_STANDARD = {0x2A: "á", 0x5C: "é", 0x5E: "í", 0x5F: "ó", 0x60: "ú", 0x7B: "ç", 0x7C: "÷", 0x7D: "Ñ", 0x7E: "ñ",
             0x7F: "█"}
_SPECIAL = "®°½¿™¢£♪à\u00a0èâêîôû"  # 0x11/0x19 with 0x30-0x3F
_EXTENDED = {0x12: "ÁÉÓÚÜü‘¡*’—©℠•“”ÀÂÇÈÊËëÎÏïÔÙùÛ«»",  # with 0x20-0x3F, replacing the character before
             0x13: "ÃãÍÌìÒòÕõ{}\\^_|~ÄäÖöß¥¤¦ÅåØø┌┐└┘"}
_RCL, _BS, _RU2, _RU3, _RU4, _RDC, _EDM, _CR, _ENM, _EOC = 0x20, 0x21, 0x25, 0x26, 0x27, 0x29, 0x2C, 0x2D, 0x2E, 0x2F


def looks_like_scc(text: str) -> bool:
    return text.lstrip("\ufeff \t\n").startswith("Scenarist_SCC")


def cue_bodies(text: str) -> list[tuple[float, float, str]]:
    """(start, end, body) of each caption, the body escaped as a WebVTT cue's is written, in time order."""
    decoder = _Decoder()
    lines = text.lstrip("\ufeff \t\n").split("\n")
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        m = _LINE.match(line.strip())
        if not m:
            raise CaptionError(f"bad SCC line {number}: {line.strip()[:80]!r}")
        t = _seconds(*m.groups()[:5])
        for i, word in enumerate(m.group(6).split()):
            decoder.pair(int(word[:2], 16) & 0x7F, int(word[2:], 16) & 0x7F, t + i / FPS)
    decoder.finish()
    return sorted(decoder.cues)


def _seconds(h: str, m: str, s: str, sep: str, f: str) -> float:
    hours, minutes, secs, frames = int(h), int(m), int(s), int(f)
    if minutes > 59 or secs > 59 or frames > 29:
        raise CaptionError(f"bad SCC time code {h}:{m}:{s}{sep}{f}")
    count = ((hours * 60 + minutes) * 60 + secs) * 30 + frames
    if sep in ";,":  # drop-frame: two frame numbers skipped each minute but every tenth
        total_minutes = hours * 60 + minutes
        count -= 2 * (total_minutes - total_minutes // 10)
    return round(count / FPS, 3)


class _Decoder:
    def __init__(self) -> None:
        self.cues: list[tuple[float, float, str]] = []
        self.mode = "pop"
        self.hidden: list[str] = []  # pop-on text being loaded, a string a row
        self.shown: list[str] = []  # what is on screen (paint-on and pop-on), a string a row
        self.shown_at: float | None = None
        self.row: list[str] = []  # roll-up's row being typed
        self.row_at: float | None = None
        self.last: tuple[int, int] | None = None  # the control pair before, sent twice
        self.cc1 = True
        self.now = 0.0

    def pair(self, b1: int, b2: int, t: float) -> None:
        self.now = t
        if 0x10 <= b1 <= 0x1F:
            if (b1, b2) == self.last:  # the repeat of a control code
                self.last = None
                return
            self.last = (b1, b2)
            self.cc1 = b1 < 0x18
            if self.cc1:
                self._control(b1, b2, t)
            return
        self.last = None
        if self.cc1 and b1 >= 0x20:
            for b in (b1, b2):
                if b >= 0x20:
                    self._char(_STANDARD.get(b, chr(b)), t)

    def _control(self, b1: int, b2: int, t: float) -> None:
        if b1 == 0x14 and 0x20 <= b2 <= 0x2F:
            self._misc(b2, t)
        elif b1 == 0x11 and 0x30 <= b2 <= 0x3F:
            self._char(_SPECIAL[b2 - 0x30], t)
        elif b1 == 0x11 and 0x20 <= b2 <= 0x2F:
            self._char(" ", t)  # a mid-row style change shows as a space
        elif b1 in _EXTENDED and 0x20 <= b2 <= 0x3F:
            self._backspace()
            self._char(_EXTENDED[b1][b2 - 0x20], t)
        elif 0x40 <= b2 <= 0x7F:  # a preamble: the text goes on at another row
            self._new_row()

    def _misc(self, code: int, t: float) -> None:
        if code == _RCL:
            self.mode = "pop"
        elif code in (_RU2, _RU3, _RU4):
            if self.mode != "roll":
                self._erase(t)
            self.mode = "roll"
        elif code == _RDC:
            self.mode = "paint"
        elif code == _BS:
            self._backspace()
        elif code == _EDM:
            self._roll(t)  # a roll-up row erased before its CR was still said
            self._erase(t)
        elif code == _ENM:
            self.hidden = []
        elif code == _CR and self.mode == "roll":
            self._roll(t)
        elif code == _EOC:
            self._erase(t)
            self.shown, self.hidden = self.hidden, []
            self.shown_at = t if any(r.strip() for r in self.shown) else None

    def _char(self, c: str, t: float) -> None:
        if self.mode == "roll":
            self.row_at = self.row_at if self.row_at is not None else t
            self.row.append(c)
            return
        rows = self.hidden if self.mode == "pop" else self.shown
        if not rows:
            rows.append("")
        rows[-1] += c
        if self.mode == "paint" and self.shown_at is None:
            self.shown_at = t

    def _backspace(self) -> None:
        if self.mode == "roll":
            if self.row:
                self.row.pop()
            return
        rows = self.hidden if self.mode == "pop" else self.shown
        if rows and rows[-1]:
            rows[-1] = rows[-1][:-1]

    def _new_row(self) -> None:
        if self.mode == "roll":
            return  # roll-up writes one row: a preamble only says where
        rows = self.hidden if self.mode == "pop" else self.shown
        if not rows or rows[-1].strip():
            rows.append("")

    def _roll(self, t: float) -> None:
        text = "".join(self.row).strip()
        if text and self.row_at is not None:
            self.cues.append((self.row_at, max(t, self.row_at), escape(text)))
        self.row, self.row_at = [], None

    def _erase(self, t: float) -> None:
        """What is on screen goes: a cue of it ends now."""
        text = "\n".join(r.strip() for r in self.shown if r.strip())
        if text and self.shown_at is not None:
            self.cues.append((self.shown_at, max(t, self.shown_at), escape(text)))
        self.shown, self.shown_at = [], None

    def finish(self) -> None:
        self._roll(self.now)
        self._erase(self.now)
