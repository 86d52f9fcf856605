"""TTML caption files (W3C Timed Text: broadcast EBU-TT-D and IMSC, Netflix and Amazon deliveries, the older DFXP):
their paragraphs as timed cue bodies, for media.captions to clean like any other cue (which also writes TTML).

What is read. Every `<p>` with a time (`begin` and `end`, or `begin` and `dur`) is a cue; its text is everything
inside it, `<br/>` a line break. A `<p>` without a time gives a cue for each timed `<span>` in it (captions timed
word by word). Times are relative to the enclosing `<body>`'s and `<div>`s' `begin`, as TTML's default parallel
timing says. A time is a clock time (`00:01:02.500`, or `00:01:02:12` in frames of `ttp:frameRate`, with its
`ttp:frameRateMultiplier`) or an offset (`1.5s`, `1500ms`, `2m`, `1h`, `30f`, `90000t` in ticks of `ttp:tickRate`).
Elements are matched by their local name, so the TTML1/TTML2 namespace and DFXP's older ones all read.

Untrusted input: a document type declaration is refused before parsing (entities are how XML files blow up or
reach outside themselves), and the parser is the standard library's, which resolves no external references.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape

from media.errors import CaptionError

_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:(\.\d+)|:(\d+)(?:\.(\d+))?)?$")
_OFFSET = re.compile(r"^(\d+(?:\.\d+)?)(h|ms|m|s|f|t)$")
MAX_ELEMENTS = 1_000_000  # a 48-hour programme timed word by word has about 700,000 (spans and paragraphs)


@dataclass(frozen=True)
class _Rates:
    frames: float = 30.0  # frames a second, ttp:frameRate x ttp:frameRateMultiplier
    ticks: float = 1.0  # ticks a second, ttp:tickRate (1 when unset, as TTML says without a frame rate)


def looks_like_ttml(text: str) -> bool:
    """Whether caption text is XML (TTML or DFXP) rather than WebVTT, SRT or SBV."""
    return text.lstrip("\ufeff \t\r\n").startswith("<")


def language(text: str) -> str | None:
    """The lower-case primary code of the `<tt>` element's `xml:lang` ("pt-BR" gives "pt"), or None."""
    m = re.search(r"<(?:\w+:)?tt\b[^>]*?\bxml:lang\s*=\s*[\"']([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*[\"']", text)
    return m.group(1).lower() if m else None


def cue_bodies(text: str) -> list[tuple[float, float, str]]:
    """(start, end, body) of each timed paragraph (or timed span of an untimed paragraph), in document order; the
    body as a WebVTT cue's is written, `&`, `<` and `>` escaped, for media.captions to clean the same way."""
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise CaptionError("XML with a document type declaration is not accepted as captions")
    if text.count("<") > 2 * MAX_ELEMENTS:  # a tag opens and closes each; an element costs some 300 bytes parsed
        raise CaptionError(f"more than {MAX_ELEMENTS:,} XML elements: too many to be captions")
    try:
        root = ET.fromstring(text.lstrip("\ufeff \t\r\n"))
    except ET.ParseError as exc:
        raise CaptionError(f"not well-formed XML captions: {exc}") from None
    if _local(root.tag) != "tt":
        raise CaptionError(f"XML whose root is <{_local(root.tag)}>, not a TTML <tt> document")
    rates = _rates(root)
    out: list[tuple[float, float, str]] = []
    body = next((el for el in root if _local(el.tag) == "body"), None)
    try:
        if body is not None:
            _walk(body, 0.0, rates, out)
    except RecursionError:  # captions are a few levels deep; a file nested thousands deep is something else
        raise CaptionError("XML nested too deeply to be captions") from None
    return out


def _walk(el: ET.Element, offset: float, rates: _Rates, out: list[tuple[float, float, str]]) -> None:
    begin = offset + _time(el.get("begin"), rates, 0.0)
    for child in el:
        name = _local(child.tag)
        if name == "p":
            _paragraph(child, begin, rates, out)
        elif name in ("div", "body"):
            _walk(child, begin, rates, out)


def _paragraph(p: ET.Element, offset: float, rates: _Rates, out: list[tuple[float, float, str]]) -> None:
    span = _span_of(p, offset, rates)
    if span is not None:
        out.append((*span, escape(_text(p))))
        return
    for child in p.iter():
        if child is not p and _local(child.tag) == "span":
            timed = _span_of(child, offset, rates)
            if timed is not None:
                out.append((*timed, escape(_text(child))))


def _span_of(el: ET.Element, offset: float, rates: _Rates) -> tuple[float, float] | None:
    """An element's (start, end) in the document's time, or None when it gives no time of its own."""
    begin, end, dur = el.get("begin"), el.get("end"), el.get("dur")
    if begin is None or (end is None and dur is None):
        return None
    start = offset + _time(begin, rates)
    stop = offset + _time(end, rates) if end is not None else start + _time(dur, rates)
    if stop < start:
        raise CaptionError(f"a caption ends before it starts: begin={begin!r} end={end or dur!r}")
    return start, stop


_NOT_SHOWN = frozenset({"metadata", "desc", "title", "agent", "name", "copyright", "actor", "set", "style"})


def _text(el: ET.Element) -> str:
    """The element's text with its markup gone and `<br/>` as a line break; metadata (`<ttm:desc>` and the like)
    is not shown, so it is not speech."""
    parts = [el.text or ""]
    for child in el:
        name = _local(child.tag)
        parts.append("\n" if name == "br" else "" if name in _NOT_SHOWN else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _time(value: str | None, rates: _Rates, default: float | None = None) -> float:
    if value is None or not value.strip():
        if default is None:
            raise CaptionError("a caption time is missing")
        return default
    value = value.strip()
    clock = _CLOCK.match(value)
    if clock:
        h, m, s, fraction, frames, subframes = clock.groups()
        seconds = int(h) * 3600 + int(m) * 60 + int(s) + float(fraction or 0)
        if frames is not None:
            seconds += (int(frames) + float(f"0.{subframes}" if subframes else 0)) / rates.frames
        return seconds
    offset = _OFFSET.match(value)
    if offset:
        count, metric = float(offset.group(1)), offset.group(2)
        per_second = {"h": 1 / 3600, "m": 1 / 60, "s": 1.0, "ms": 1000.0, "f": rates.frames, "t": rates.ticks}
        return count / per_second[metric]
    raise CaptionError(f"bad caption time {value!r} (expected 00:00:01.500, 00:00:01:12, 1.5s, 1500ms, 30f or 90t)")


def _rates(root: ET.Element) -> _Rates:
    # the parameters by local name: TTML's parameter namespace, DFXP's older ones, or none at all
    given = {_local(name): value for name, value in root.attrib.items()}

    def number(name: str, default: float) -> float:
        raw = given.get(name)
        try:
            return float(raw) if raw else default
        except ValueError:
            raise CaptionError(f"bad ttp:{name} {raw!r}") from None

    frames = number("frameRate", 30.0)
    multiplier = (given.get("frameRateMultiplier") or "1 1").split()
    try:
        frames *= float(multiplier[0]) / float(multiplier[1]) if len(multiplier) == 2 else 1.0
    except (ValueError, ZeroDivisionError):
        raise CaptionError(f"bad ttp:frameRateMultiplier {' '.join(multiplier)!r}") from None
    ticks = number("tickRate", frames if given.get("frameRate") else 1.0)
    if frames <= 0 or ticks <= 0:
        raise CaptionError("ttp:frameRate and ttp:tickRate must be positive")
    return _Rates(frames, ticks)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
