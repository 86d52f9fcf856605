"""Frame rates as exact fractions, SMPTE timecode (non-drop and drop-frame), and conforming to what an EDL can say.

Why our own: OpenTimelineIO's timecode refuses any rate outside its SMPTE list (10, 12.5 and 15 fps footage from
phones, webcams and CCTV raised `ValueError` in an export), and a float such as 29.97 is neither NTSC's 30000/1001
nor something an XML time value can hold exactly. Here a rate is a `Fraction`: probed rates within 0.05% of a
broadcast rate snap to it (23.976 -> 24000/1001), anything else keeps three decimals.

Timecode counts frames at the nominal rate (the integer second of frames: 30 for 29.97). NTSC's 30000/1001 and
60000/1001 use SMPTE drop-frame: frame numbers 0-1 (0-3 at 59.94) are skipped at the start of every minute except
each tenth, so the clock stays within a frame or two of real time; their separator before the frames is `;`.

CMX3600 lists carry one rate, from a short list (`EDL_RATES`). A source at any other rate is conformed: to the
smallest listed rate that is a whole multiple of it (10 -> 30, 12.5 -> 25, 15 -> 30: every source frame is a whole
number of EDL frames, so nothing is rounded), else to the nearest listed rate (a variable-rate phone video
averaging 29.43 -> 29.97).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

NTSC = {24: Fraction(24000, 1001), 30: Fraction(30000, 1001), 48: Fraction(48000, 1001),
        60: Fraction(60000, 1001), 120: Fraction(120000, 1001)}
BROADCAST = (Fraction(10), Fraction(25, 2), Fraction(12), Fraction(15), Fraction(24), Fraction(25), Fraction(30),
             Fraction(48), Fraction(50), Fraction(60), Fraction(100), Fraction(120), *NTSC.values())
# the rates editors read CMX3600 lists at (Avid, Premiere, Resolve); the original list had only 24, 25 and 30
EDL_RATES = (NTSC[24], Fraction(24), Fraction(25), NTSC[30], Fraction(30), Fraction(50), NTSC[60], Fraction(60))
SNAP = 0.0005  # relative: a probed 29.97 or 29.970029 is NTSC's 30000/1001


class TimecodeError(ValueError):
    """A rate that is not positive, a negative frame, or text that is not a timecode."""


@dataclass(frozen=True)
class FrameRate:
    exact: Fraction

    @property
    def nominal(self) -> int:
        """Frames in a timecode second (30 for 29.97; 13 for 12.5, which has no timecode of its own)."""
        return max(1, round(self.exact))

    @property
    def drop_frame(self) -> bool:
        return self.exact in (NTSC[30], NTSC[60])

    @property
    def standard(self) -> bool:
        """A rate timecode can count without drift: a whole number, or NTSC's n*1000/1001."""
        return self.exact.denominator == 1 or self.exact in NTSC.values()

    def __float__(self) -> float:
        return float(self.exact)

    def label(self) -> str:
        """29.97 fps (30000/1001, drop-frame), 12.5 fps, 24 fps."""
        shown = f"{float(self.exact):.3f}".rstrip("0").rstrip(".")
        if self.exact in NTSC.values():
            shown += f" fps ({self.exact.numerator}/{self.exact.denominator}"
            return shown + (", drop-frame)" if self.drop_frame else ")")
        return shown + " fps"

    def frame(self, seconds: float | Fraction) -> int:
        """The frame at `seconds`, to the nearest (halves round up, as an editor's timeline does)."""
        return math.floor(Fraction(seconds) * self.exact + Fraction(1, 2))

    def seconds(self, frame: int) -> Fraction:
        return frame / self.exact


def frame_rate(fps: float | Fraction) -> FrameRate:
    """The exact rate for a probed one: a broadcast rate when within 0.05% of it, else to a thousandth."""
    if not (isinstance(fps, Fraction) or math.isfinite(fps)) or fps <= 0:
        raise TimecodeError(f"frame rate must be positive, got {fps}")
    value = Fraction(fps)
    for known in BROADCAST:
        if abs(value / known - 1) <= SNAP:
            return FrameRate(known)
    return FrameRate(Fraction(round(value * 1000), 1000))


def edl_rate(rate: FrameRate) -> FrameRate:
    """The CMX3600 rate for a source: its own when listed, else the smallest listed multiple, else the nearest."""
    if rate.exact in EDL_RATES:
        return rate
    multiples = [r for r in EDL_RATES if (r / rate.exact).denominator == 1]
    if multiples:
        return FrameRate(min(multiples))
    return FrameRate(min(EDL_RATES, key=lambda r: (abs(math.log(r / rate.exact)), r)))


def timecode_rate(rate: FrameRate) -> FrameRate:
    """The rate a source's timecode is counted at: its own when timecode can count it, else its EDL rate."""
    return rate if rate.standard else edl_rate(rate)


def to_timecode(frame: int, rate: FrameRate) -> str:
    """HH:MM:SS:FF for a frame number; drop-frame (HH:MM:SS;FF) at 29.97 and 59.94. Past 24 hours the hours go on
    counting (25:00:00:00): a clock that wrapped wrote a clip at 25 h as one at 1 h. An EDL, whose clock is 24 hours,
    refuses such a time (media.editors.write_edl)."""
    if frame < 0:
        raise TimecodeError(f"frame {frame} is before the start")
    fps = rate.nominal
    if rate.drop_frame:
        frame = _drop_frame_count(frame, fps)
    hours, rest = divmod(frame, fps * 3600)
    minutes, rest = divmod(rest, fps * 60)
    seconds, frames = divmod(rest, fps)
    sep = ";" if rate.drop_frame else ":"
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{frames:02d}"


def _drop_frame_count(frame: int, fps: int) -> int:
    """The frame number as a drop-frame clock shows it: labels skipped each minute, except every tenth, added."""
    dropped = 2 * fps // 30  # 2 labels at 29.97, 4 at 59.94
    per_minute = fps * 60 - dropped
    per_ten = per_minute * 10 + dropped
    tens, rest = divmod(frame, per_ten)
    skipped = dropped * 9 * tens
    if rest > dropped:
        skipped += dropped * ((rest - dropped) // per_minute)
    return frame + skipped


def from_timecode(text: str, rate: FrameRate) -> int:
    """The frame number a timecode names (its drop-frame labels as `to_timecode` writes them)."""
    parts = text.replace(";", ":").replace(".", ":").split(":")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        raise TimecodeError(f"{text!r} is not a timecode HH:MM:SS:FF")
    hours, minutes, seconds, frames = (int(p) for p in parts)
    fps = rate.nominal
    if minutes > 59 or seconds > 59 or frames >= fps:
        raise TimecodeError(f"{text!r} is not a timecode at {rate.label()}")
    total_minutes = hours * 60 + minutes
    count = (total_minutes * 60 + seconds) * fps + frames
    if rate.drop_frame:
        dropped = 2 * fps // 30
        if seconds == 0 and frames < dropped and minutes % 10:
            raise TimecodeError(f"{text!r} does not exist in drop-frame timecode")
        count -= dropped * (total_minutes - total_minutes // 10)
    return count


def xml_time(seconds: Fraction) -> str:
    """A time as FCPXML writes it: a whole or rational number of seconds, `1001/30000s`."""
    if seconds.denominator == 1:
        return f"{seconds.numerator}s"
    return f"{seconds.numerator}/{seconds.denominator}s"


def reel_frames(rate: FrameRate, frames: int, reel: FrameRate) -> int:
    """How many frames of a timeline at `reel` hold `frames` of a source at `rate`: all of them at its own rate,
    else their length to the nearest frame, one at least (the render, the EDL, FCPXML and OTIO all place so)."""
    return frames if rate == reel else max(1, reel.frame(rate.seconds(frames)))
