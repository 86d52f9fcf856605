"""TTML caption files (W3C Timed Text: broadcast EBU-TT-D and IMSC, Netflix and Amazon deliveries, the older DFXP):
their paragraphs as timed cue bodies, for media.captions to clean like any other cue (which also writes TTML).

What is read. Every `<p>` is a cue, timed as TTML's default parallel timing says: its `begin` counts from its
`<div>`'s and `<body>`'s, and one that gives no `end` nor `dur` ends with the `<div>` or `<body>` around it (a
`<div begin dur>` may time its paragraphs alone); one that gives a `begin` and no end anywhere ends where the next
caption begins (or OPEN_END_S later). Its text is everything inside it, `<br/>` a line break. A `<p>` without a
time of its own gives a cue for each timed `<span>` in it (captions timed word by word). A time is a clock time
(`00:01:02.500`, or `00:01:02:12` in frames of `ttp:frameRate`, with its `ttp:frameRateMultiplier`) or an offset
(`1.5s`, `1500ms`, `2m`, `1h`, `30f`, `90000t` in ticks of `ttp:tickRate`).
Who speaks: a paragraph or span (or the `<div>` or `<body>` around it) of a `ttm:agent` other than the one heard
last opens a speaker's turn, as a WebVTT voice span does (each becomes one, `<v AGENT>`, for media.cuetext to
read); an element without one is spoken by its parent's agent.
Elements are matched by their local name, so the TTML1/TTML2 namespace and DFXP's older ones all read.

Untrusted input: a document type declaration is refused before parsing (entities are how XML files blow up or
reach outside themselves), and the parser is the standard library's, which resolves no external references.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Iterator
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
            _walk(body, (0.0, None), rates, out, None)
        out = _open_ends(out)
    except RecursionError:  # captions are a few levels deep; a file nested thousands deep is something else
        raise CaptionError("XML nested too deeply to be captions") from None
    return out


def _walk(el: ET.Element, within: _Interval, rates: _Rates, out: list[tuple[float, float, str]],
          agent: str | None) -> None:
    """The paragraphs of a <body> or <div>, timed as TTML's time containment says: an element's begin counts from
    its parent's, and one that gives no end (nor dur) of its own ends with its parent. A paragraph timed by its
    <div> alone, or given a begin but no end, was dropped without a word."""
    own = _interval(el, within, rates)
    if own is None:
        return
    agent = _agent(el) or agent
    for child in el:
        name = _local(child.tag)
        if name == "p":
            _paragraph(child, own, rates, out, agent)
        elif name in ("div", "body"):
            _walk(child, own, rates, out, agent)


def _paragraph(p: ET.Element, within: _Interval, rates: _Rates, out: list[tuple[float, float, str]],
               agent: str | None) -> None:
    own = _interval(p, within, rates)
    if own is None:
        return
    agent = _agent(p) or agent
    spans = [(child, spoken_by) for child, spoken_by in _spans(p, agent) if _timed(child)]
    if spans and not _timed(p):  # an untimed paragraph of timed words: each timed span is a cue
        for child, spoken_by in spans:
            timed = _interval(child, own, rates)
            if timed is not None and timed[1] is not None:
                out.append((timed[0], timed[1], _body(child, spoken_by)))
    elif own[1] is not None:
        out.append((own[0], own[1], _body(p, agent)))
    elif p.get("begin") is not None:  # a begin and no end anywhere: shown until the next caption (_open_ends)
        out.append((own[0], math.nan, _body(p, agent)))


OPEN_END_S = 5.0  # how long a caption that gives a begin but no end, and has none after it, stays up


def _open_ends(cues: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Each caption that gave a begin and no end (TTML: it ends with the document) ends where the next one begins,
    or OPEN_END_S after its begin where none follows."""
    starts = sorted(start for start, _, _ in cues)
    out = []
    for start, end, body in cues:
        if math.isnan(end):
            later = starts[bisect_right(starts, start):]
            end = later[0] if later else start + OPEN_END_S
        out.append((start, end, body))
    return out


_Interval = tuple[float, float | None]  # begin and end in the document's time; None: no end given anywhere above


def _timed(el: ET.Element) -> bool:
    return any(el.get(name) is not None for name in ("begin", "end", "dur"))


def _interval(el: ET.Element, within: _Interval, rates: _Rates) -> _Interval | None:
    """An element's begin and end in the document's time, inside its parent's `within` (cut to it); None where it
    lies wholly outside its parent's time."""
    begin, end, dur = el.get("begin"), el.get("end"), el.get("dur")
    start = within[0] + _time(begin, rates, 0.0)
    stop = within[0] + _time(end, rates) if end is not None else start + _time(dur, rates) if dur is not None \
        else within[1]
    if stop is not None and stop < start:
        raise CaptionError(f"a caption ends before it starts: begin={begin!r} end={end or dur!r}")
    if within[1] is not None:
        stop = within[1] if stop is None else min(stop, within[1])
        if start >= within[1]:
            return None
    return start, stop


_NOT_SHOWN = frozenset({"metadata", "desc", "title", "agent", "name", "copyright", "actor", "set", "style"})
_ID = re.compile(r"[\w.-]+")
MAX_AGENT = 200  # characters of an agent's ids kept to tell speakers apart


def _agent(el: ET.Element) -> str | None:
    """The element's own `ttm:agent` (ids of `<ttm:agent>`s in the head, by its local name), as a voice's name;
    None where it gives none."""
    value = next((v for name, v in el.attrib.items() if _local(name) == "agent"), "")
    return " ".join(_ID.findall(value[:MAX_AGENT])) or None


def _spans(el: ET.Element, agent: str | None) -> Iterator[tuple[ET.Element, str | None]]:
    """The spans inside an element, at any depth, each with its agent (its own, or the nearest one above it)."""
    for child in el:
        spoken_by = _agent(child) or agent
        if _local(child.tag) == "span":
            yield child, spoken_by
        yield from _spans(child, spoken_by)


def _body(el: ET.Element, agent: str | None) -> str:
    """A cue's body as a WebVTT cue's is written: the element's text escaped, `<br/>` a line break, metadata
    (`<ttm:desc>` and the like) left out, as it is not speech, and its agent and any other inside it voice spans."""
    inner = _markup(el)
    return f"<v {agent}>{inner}</v>" if agent else inner


def _markup(el: ET.Element) -> str:
    parts = [escape(el.text or "")]
    for child in el:
        name = _local(child.tag)
        if name == "br":
            parts.append("\n")
        elif name not in _NOT_SHOWN:
            parts.append(_body(child, _agent(child)))
        parts.append(escape(child.tail or ""))
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
