"""A caption cue's text as the words said: markup, entities and what captions add for the deaf and hard of hearing
taken out (read by media.captions for WebVTT, SRT and SBV, and for the bodies media.ttml, media.scc and media.stl
hand it, escaped as a WebVTT cue's).

Only real markup is markup: SRT's formatting tags (`<i>`, `<b>`, `<u>`, `<s>`, `<font ...>`, `<br>`), WebVTT's
(`<c.class>`, `<v Speaker>`, `<lang de>`, `<ruby>`, `<rt>`), WebVTT's inline timestamps, and SubStation Alpha's
override blocks that SRT files carry (`{\\an8}`, `{\\i1}`); control characters are dropped too. A literal `<` in an SRT
cue ("fell to <3% this year, while growth was > 2%") is text: taking everything between `<` and `>` for a tag ate
the words. media.captions.srt_text writes such a `<` so that players read it as text too.

WebVTT's voice spans (`<v Name>`, `<v.loud Name>`) say who speaks: besides a dash or ">>", a span whose speaker is
not the one whose words were read last marks a turn at its first word, within a cue or from one cue to the next
(`Voices`, carried through a file's cues in time order). The name is compared without case, entities or spaces that
differ, and kept nowhere: a stored word has only its `turn`.
"""

from __future__ import annotations

import html
import re

# languages written right to left (an export says so: an Arabic paragraph or cue around a Latin name reads backwards
# where the reader's default, left to right, lays it out); the web page's list (api/web/core.js RTL) is the same
RIGHT_TO_LEFT = frozenset("ar fa he ur ps yi ckb dv sd ug ku".split())


def right_to_left(language: str | None) -> bool:
    """Whether a language code ("ar", "fa-IR") names a language written right to left."""
    return (language or "").split("-")[0].lower() in RIGHT_TO_LEFT

INLINE = re.compile(r"<(\d+:)?(\d{1,2}):(\d{2})\.(\d{3})>")  # a WebVTT timestamp: the time of the words after it
_TAG = re.compile(r"</?(?:[ibusc]|ruby|rt)(?:\.[^\s<>]*)?>"  # formatting, with WebVTT's classes (<c.yellow>)
                  r"|<(?:v|lang)(?:\.[^\s<>]*)?(?:[ \t][^<>\n]*)?>|</(?:v|lang)>"  # a voice, a language
                  r"|<font(?:\s[^<>]*)?>|</font>|" + INLINE.pattern  # a font, a time
                  + r"|\{\\[^{}\n]*\}", re.IGNORECASE)  # SubStation Alpha's overrides in SRT: {\an8}, {\i1}
# control characters (BEL, ESC, BS from teletext and STL conversions): no reader shows them, and XML 1.0 forbids them,
# so a TTML export holding one was a file no parser (clipindex's own included) would read
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
SHIELD = "\u2060"  # WORD JOINER: after a `<` that players would take for a tag's (media.captions.srt_text)


def clean(body: str) -> str:
    """A cue's spoken words: markup, entities and what captions add for the deaf and hard of hearing gone."""
    return spoken(body)[0]


def spoken(body: str, voices: Voices | None = None) -> tuple[str, tuple[int, ...]]:
    """A cue's spoken words (as `clean` gives them), and where a new speaker's turn begins in them: the indexes,
    into the text's words between spaces, of the first word after each change-of-speaker mark (a dash that opens a
    line, ">>" wherever it stands) or speaker's name taken out, and of the first word of a voice span of another
    speaker (`voices`: who spoke in the cues before; none: this cue alone). The mark is never a word; the turn is
    kept so that a cue of two speakers is written back as two (media.turns)."""
    voices = Voices() if voices is None else voices
    words: list[str] = []
    turns: set[int] = set()
    for markup, voice in voices.runs(_BREAK.sub("\n", body)):
        text = CONTROL.sub("", html.unescape(_TAG.sub("", markup).replace("<" + SHIELD, "<")))
        first, marked = len(words), False
        for line in text.split("\n"):
            for piece in _MID_TURN.split(line):  # roll-up broadcast captions change speaker inside a row too
                said, turn = _speech(piece)
                tokens = said.split()
                if turn and tokens:
                    turns.add(len(words))
                    marked = True
                words += tokens
        if len(words) > first:
            if voice is not None and voice != voices.last:
                turns.add(first)
            if voice is not None or marked:  # a dash or ">>" outside a named span: someone unnamed speaks
                voices.last = voice
    return " ".join(words), tuple(sorted(turns))


# a voice span's start (the name after its classes and a space or tab; none: `<v>`, `<v.loud>`) or end
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:[ \t]([^<>\n]*))?>|</v>", re.IGNORECASE)


class Voices:
    """Who speaks, as WebVTT's voice spans say, read through a file's cues in time order (media.captions). A span
    of a name other than the last one whose words were read opens a turn; the first named voice of a file does too
    (its words begin a known speaker's turn). A `<v>` without a name, and text outside any span, say nothing of who
    speaks: the speaker before goes on, unless a dash or ">>" there marked a turn. Spans nest (the innermost open
    one speaks; its `</v>` gives the words back to the one around it), one left open ends with its cue, and a stray
    `</v>` is ignored. Reading is linear in the text, whatever the number of tags or the length of a name."""

    def __init__(self) -> None:
        self.last: str | None = None  # the named voice whose words were read last; None: nobody named
        self.open: list[str | None] = []  # the spans open at this point of the cue, innermost last

    def next_cue(self) -> None:
        """A new cue: no span runs on from the one before (WebVTT closes them at the cue's end)."""
        self.open.clear()

    def runs(self, body: str) -> list[tuple[str, str | None]]:
        """The body cut where the voice speaking changes: each run's markup, voice tags taken out, with its
        speaker's name (compared as `_voice` gives it), or None where no name is known. Runs of one voice, and
        spaces between spans, are joined, so text without voice changes reads as one run."""
        out: list[tuple[list[str], str | None]] = []  # each run's pieces, joined once: linear in the text
        at = 0
        for m in _VOICE.finditer(body):
            self._add(out, body[at:m.start()])
            if m[0].startswith("</"):
                if self.open:
                    self.open.pop()
            else:
                self.open.append(_voice(m[1] or ""))
            at = m.end()
        self._add(out, body[at:])
        return [("".join(pieces), speaker) for pieces, speaker in out]

    def _add(self, out: list[tuple[list[str], str | None]], markup: str) -> None:
        speaker = self.open[-1] if self.open else None
        if out and (out[-1][1] == speaker or not markup.strip()):
            out[-1][0].append(markup)
        elif markup:
            out.append(([markup], speaker))


def _voice(annotation: str) -> str | None:
    """A voice span's name as compared: entities read, case and runs of spaces ignored; None for none."""
    name = " ".join(CONTROL.sub("", html.unescape(annotation)).split()).casefold()
    return name or None


# What captions write that nobody said, in any language: sound in square brackets ("[Music]", "[ APPLAUSE ]",
# "[музыка]", and the full-width and lenticular ones of Chinese and Japanese captions: "［音楽］", "【拍手】"); a
# parenthesis that holds a line alone ("(laughter)") or capitals that are no acronym ("(SIGHS)"); music notes; the
# broadcast speaker-change mark ">>"; and a speaker's name in capitals before a colon ("ANCHOR:", ">> JOHN SMITH:").
# A name is taken for one only after ">>", or where the line goes on in lower case and the name is of two words or
# five letters at least: a caption file written all in capitals ("THE MINISTER SAID: WE WILL ...") keeps its words,
# and so does a line that opens on an acronym ("США: санкции продлены", "NATO: talks resume").
_SOUND = re.compile(r"\[[^\[\]\n]{0,80}\]|［[^［］\n]{0,80}］|【[^【】\n]{0,80}】|〔[^〔〕\n]{0,80}〕|[♪♫♬]")
# Chinese and Japanese captions write sound and the speaker in full-width parentheses ("（拍手）", "（知事）来年…"),
# never the words said
_FULL_WIDTH_NOTE = re.compile(r"（[^（）\n]{0,20}）")
_ALONE = re.compile(r"^\s*\([^()]{0,80}\)\s*$")
_SHOUTED = re.compile(r"\(([^()a-z]{0,80})\)")
# a label's words: a name may hold an apostrophe or a hyphen, and a title ends with an abbreviation's dot ("MR.
# MCCONNELL:", "SEN. SCHUMER:"); up to six ("THE SECRETARY OF STATE FOR HEALTH:"), and a party after it ("(D-NY)")
_NAME_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?"
_LABEL = re.compile(rf"^\s*(>>+|-)?\s*({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}})(?:\s*\([^()\n]{{1,20}}\))?\s*:\s+")


# a line opened by a change of speaker: broadcast's ">>", or a dash before the words ("- He met the prime
# minister."), never a word of its own: it was stored as one, shown in hits and given a share of the cue's time.
# Where it stood is kept (`spoken`): dropped with the mark, a cue of two speakers was written back as one run-on line
_TURN = re.compile(r"^\s*(?:>>+|[-\u2010-\u2015](?=\s))\s*")
_MID_TURN = re.compile(r"\s+(?=>>)")  # ">>" inside a line: the next speaker's words follow


def _sound_or_acronym(m: re.Match[str]) -> str:
    """A parenthesis in capitals inside a line: a sound ("(SIGHS)", "(CROWD CHEERING)") is dropped; an acronym of
    up to four letters ("(EU)", "(NATO)") is the writer's and stays."""
    inside = m[1].strip()
    letters = sum(c.isalpha() for c in inside)
    return " " if letters and inside.upper() != inside.lower() and (letters > 4 or " " in inside) else m[0]


def _speech(line: str) -> tuple[str, bool]:
    """A line's words said, and whether they open a speaker's turn: after a change-of-speaker mark, or a speaker's
    name taken out."""
    line = _FULL_WIDTH_NOTE.sub("", _SOUND.sub(" ", line))
    line = "" if _ALONE.match(line) else _SHOUTED.sub(_sound_or_acronym, line)
    label = _LABEL.match(line)
    named_turn = False
    if label and label[2] == label[2].upper() != label[2].lower():
        rest = line[label.end():]
        named = " " in label[2].strip() or sum(c.isalpha() for c in label[2]) >= 5  # "США:" and "NATO:" are words
        if (label[1] or "").startswith(">>") or (named and rest != rest.upper()):
            line, named_turn = rest, True
    mark = _TURN.match(line)
    return (line[mark.end():], True) if mark else (line, named_turn)
