from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from media import captions
from media.captions import (
    MAX_CUES,
    Cue,
    format_timestamp,
    header_language,
    load_captions,
    parse_captions,
    read_captions,
    write_srt,
    write_ttml,
    write_vtt,
)
from media.errors import CaptionError

VTT = """WEBVTT
Kind: captions
Language: ru

00:00:01.000 --> 00:00:04.500 align:start position:0%
Городской совет утвердил бюджет.

00:00:05.000 --> 00:00:08.250
Мэр сказал: &laquo;мы не уйдём&raquo; <i>с переговоров</i>.
"""

SRT = """1
00:00:00,500 --> 00:00:03,000
Shahar kengashi byudjetni tasdiqladi.

2
00:01:02,000 --> 00:01:05,123
Hokim so'zga chiqdi.
"""

# YouTube's rolling auto-captions: each cue repeats the previous line; new words carry inline times.
ROLLING = """WEBVTT
Kind: captions
Language: en

00:00:00.000 --> 00:00:02.000 align:start position:0%
{space}
the<00:00:00.400><c> river</c><00:00:00.800><c> rose</c>

00:00:02.000 --> 00:00:02.010 align:start position:0%
the river rose

00:00:02.010 --> 00:00:04.000 align:start position:0%
the river rose
two<00:00:02.500><c> metres</c><00:00:03.000><c> overnight</c>

00:00:04.000 --> 00:00:04.010 align:start position:0%
two metres overnight

00:00:04.010 --> 00:00:06.000 align:start position:0%
two metres overnight
in<00:00:04.300><c> town</c>
""".replace("{space}", " ")


def test_vtt_with_settings_entities_and_tags() -> None:
    cues = parse_captions(VTT)
    assert [c.start for c in cues] == [1.0, 5.0]
    assert cues[0].end == 4.5
    assert cues[1].text == "Мэр сказал: «мы не уйдём» с переговоров."


def test_substation_overrides_and_control_characters_are_not_words() -> None:
    """An SRT cue opened by "{\\an8}" (SubStation Alpha's top placement, which Aegisub and broadcasters' tools write)
    kept it in its first word: in exports, in search ("an8" found it) and in a chapter title. Control characters
    from a teletext conversion were kept too, and the TTML export holding them was no XML any parser reads."""
    srt = ("1\n00:00:01,000 --> 00:00:03,000\n{\\an8}Уровень воды {\\i1}поднялся{\\i0}\n\n"
           "2\n00:00:03,500 --> 00:00:05,000\nThe bridge\x07 is\x1b closed {until Friday}.\n")
    cues = parse_captions(srt)
    assert [c.text for c in cues] == ["Уровень воды поднялся", "The bridge is closed {until Friday}."]
    written = Cue(0.0, 1.0, "a correction\x0b typed\x08 in")  # an editor's words reach the writers directly
    root = ET.fromstring(write_ttml([*cues, written], "ru"))
    said = " ".join("".join(p.itertext()) for p in root.iter("{http://www.w3.org/ns/ttml}p"))
    assert "a correction typed in" in said and "\x0b" not in write_vtt([written]) + write_srt([written])


def test_srt_with_hours_and_comma_millis() -> None:
    cues = parse_captions(SRT)
    assert [(c.start, c.end) for c in cues] == [(0.5, 3.0), (62.0, 65.123)]
    assert cues[1].text == "Hokim so'zga chiqdi."


def test_rolling_auto_captions_keep_each_word_once_with_its_time() -> None:
    cues = parse_captions(ROLLING)
    words = [w for c in cues for w in c.words]
    assert [w.text for w in words] == ["the", "river", "rose", "two", "metres", "overnight", "in", "town"]
    assert [w.start for w in words] == [0.0, 0.4, 0.8, 2.01, 2.5, 3.0, 4.01, 4.3]
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:]))


def test_rolling_without_word_times_drops_repeated_lines() -> None:
    text = ("00:00:00.000 --> 00:00:02.000\nthe council met\n\n"
            "00:00:02.000 --> 00:00:04.000\nthe council met\nand voted\n\n"
            "00:00:04.000 --> 00:00:06.000\nand voted\nto close the bridge\n")
    assert [c.text for c in parse_captions(text)] == ["the council met", "and voted", "to close the bridge"]


def test_a_plain_file_keeps_every_cue_a_second_speaker_or_a_later_moment_repeats() -> None:
    """Every file was read as if it could roll up: a cue that repeated the cue before, or its end, was dropped as
    an echo, whoever said it and however much later. Two members' "Point of order, Mr Speaker.", the Speaker's
    "Order." before and after a 50-minute break, and a reply of "the budget." were lost from the transcript."""
    said = [(1, "JOHN SMITH: Point of order, Mr Speaker."), (4, "ANGELA RAYNER: Point of order, Mr Speaker."),
            (7, "MR SPEAKER: I will take the points of order after the statement."), (10, "MR SPEAKER: Order."),
            (3000, "MR SPEAKER: Order."),
            (3003, "MR SPEAKER: The sitting is resumed after the division on the budget."),
            (3006, "ED DAVEY: the budget.")]
    srt = "\n".join(f"{n}\n{format_timestamp(t, ',')} --> {format_timestamp(t + 2, ',')}\n{text}\n"
                    for n, (t, text) in enumerate(said, 1))
    cues = parse_captions(srt)
    assert [(c.start, c.text) for c in cues] == [(float(t), text.split(": ", 1)[1]) for t, text in said]


def test_round_trip_srt_and_vtt() -> None:
    cues = [Cue(0.0, 1.5, "one & <two>"), Cue(3601.25, 3603.0, "three")]
    again = parse_captions(write_srt(cues))
    assert [(c.start, c.end) for c in again] == [(0.0, 1.5), (3601.25, 3603.0)]
    vtt = write_vtt(cues)
    assert vtt.startswith("WEBVTT") and "one &amp; &lt;two&gt;" in vtt
    assert [c.text for c in parse_captions(vtt)] == ["one & <two>", "three"]


@pytest.mark.parametrize("body, message", [
    ("", "no caption cues"),
    ("WEBVTT\n\nhello there\n", "no caption cues"),
    ("1\n00:00:05,000 --> 00:00:01,000\nbackwards\n", "ends before it starts"),
    ("1\n00:00:xx,000 --> 00:00:01,000\nbad\n", "bad cue timing"),
])
def test_bad_caption_files(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.srt"
    path.write_text(body)
    with pytest.raises(CaptionError, match=message):
        read_captions(path)


def test_rolling_fixture_gives_back_every_word_once_at_its_time() -> None:
    import json

    fixtures = Path(__file__).parent / "fixtures"
    truth = json.loads((fixtures / "rolling_auto_en.json").read_text(encoding="utf-8"))
    words = [w for c in read_captions(fixtures / "rolling_auto_en.vtt") for w in c.words]
    assert [w.text for w in words] == [w["text"] for w in truth["words"]]
    assert all(abs(w.start - t["start"]) < 0.002 for w, t in zip(words, truth["words"]))


@pytest.mark.parametrize(("text", "code"), [
    ("WEBVTT\nKind: captions\nLanguage: ru\n\n00:00:01.000 --> 00:00:02.000\nДа\n", "ru"),
    ("\ufeffWEBVTT\r\nLanguage: pt-BR\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nSim\r\n", "pt"),
    ("WEBVTT\nlanguage:EN\n\n00:00:01.000 --> 00:00:02.000\nYes\n", "en"),
    ("WEBVTT\nLanguage: English\n\n00:00:01.000 --> 00:00:02.000\nYes\n", None),  # not a code
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nLanguage: de\n", None),  # cue text, not the header
    ("1\n00:00:01,000 --> 00:00:02,000\nLanguage: de\n", None),  # SRT has no header
])
def test_the_webvtt_header_names_the_language(text: str, code: str | None) -> None:
    assert header_language(text) == code


def test_load_captions_gives_the_cues_and_the_header_language(tmp_path: Path) -> None:
    path = tmp_path / "a.vtt"
    path.write_text("WEBVTT\nLanguage: uz\n\n00:00:01.000 --> 00:00:02.500\nSalom dunyo\n", encoding="utf-8")
    cues, language = load_captions(path)
    assert [(c.start, c.end, c.text) for c in cues] == [(1.0, 2.5, "Salom dunyo")] and language == "uz"
    assert read_captions(path) == cues


ANNOTATED = """1
00:00:00,000 --> 00:00:03,000
[Music]

2
00:00:03,000 --> 00:00:06,000
>> ANCHOR: Good evening, the council met today.

3
00:00:06,000 --> 00:00:09,000
>> JOHN SMITH: WE WILL NOT CLOSE THE BRIDGE.

4
00:00:09,000 --> 00:00:11,000
(APPLAUSE)

5
00:00:11,000 --> 00:00:14,000
- MAYOR: Thank you. [ crowd cheering ] ♪ The repairs (in euros) cost more (EU) (SIGHS) (CROWD BOOS)

6
00:00:14,000 --> 00:00:17,000
THE MINISTER SAID: WE WILL NOT WITHDRAW.

7
00:00:17,000 --> 00:00:19,000
(смех)

8
00:00:19,000 --> 00:00:22,000
[музыка] ВЕДУЩИЙ: Добрый вечер.
"""


def test_sound_cues_and_speaker_names_are_not_taken_for_speech() -> None:
    """A caption file's "[Music]", "(APPLAUSE)" and "ANCHOR:" were words of the transcript: a search for "music"
    found the jingle, and the words were timed as if they had been said."""
    cues = parse_captions(ANNOTATED)
    assert [c.text for c in cues] == [
        "Good evening, the council met today.",
        "WE WILL NOT CLOSE THE BRIDGE.",
        "Thank you. The repairs (in euros) cost more (EU)",  # an acronym stays; sounds in capitals go
        "THE MINISTER SAID: WE WILL NOT WITHDRAW.",  # all in capitals, no ">>": a name cannot be told from words
        "Добрый вечер.",
    ]
    assert [c.start for c in cues] == [3.0, 6.0, 11.0, 14.0, 19.0], "cues of sound alone are gone"
    acronyms = parse_captions("1\n00:00:01,000 --> 00:00:03,000\nСША: санкции продлены.\n\n"
                              "2\n00:00:03,000 --> 00:00:05,000\nNATO: talks resume today.\n\n"
                              "3\n00:00:05,000 --> 00:00:07,000\n>> UN: a speaker after the mark.\n")
    assert [c.text for c in acronyms] == ["США: санкции продлены.", "NATO: talks resume today.",
                                          "a speaker after the mark."]
    # a dash that opens a line marks a change of speaker: it was a spoken word, shown in hits and timed
    turns = parse_captions("1\n00:00:01,000 --> 00:00:05,000\n- President Zelenskyy arrived in Kyiv.\n"
                           "– He met the prime minister.\n\n2\n00:00:05,000 --> 00:00:07,000\n-5 degrees tonight.\n")
    assert [c.text for c in turns] == ["President Zelenskyy arrived in Kyiv. He met the prime minister.",
                                       "-5 degrees tonight."]


TTML = """<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
    xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="ru-RU" ttp:frameRate="25">
  <head><styling><style xml:id="s1" tts:color="white"/></styling></head>
  <body>
    <div begin="00:00:10.000">
      <p begin="00:00:01.000" end="00:00:03.500" style="s1">Городской совет<br/>утвердил бюджет.</p>
      <p begin="4s" dur="2500ms"><span tts:fontStyle="italic">Мэр сказал:</span> мы не уйдём.</p>
      <p begin="00:00:07:12" end="00:00:09:00">[музыка]</p>
      <p><span begin="10s" end="11s">Слово</span> <span begin="11s" end="12s">за словом.</span></p>
    </div>
  </body>
</tt>
"""


def test_ttml_paragraphs_are_cues_timed_in_the_documents_own_units(tmp_path: Path) -> None:
    """Broadcast captions (EBU-TT-D, IMSC, DFXP) come as TTML: it was refused as "no caption cues found"."""
    path = tmp_path / "evening.ttml"
    path.write_text(TTML, encoding="utf-8")
    cues, language = load_captions(path)
    assert language == "ru", "xml:lang names it"
    assert [(c.start, c.end, c.text) for c in cues] == [
        (11.0, 13.5, "Городской совет утвердил бюджет."),  # the div's begin, then the paragraph's; <br/> a space
        (14.0, 16.5, "Мэр сказал: мы не уйдём."),  # an offset and a duration; the span's words kept
        (20.0, 21.0, "Слово"), (21.0, 22.0, "за словом."),  # an untimed paragraph: its timed spans
    ]  # "[музыка]" at 00:00:07:12 (frames of 25 a second) is a sound, not words
    ticks = ('<tt xmlns="http://www.w3.org/2006/10/ttaf1" xmlns:ttp="http://www.w3.org/2006/10/ttaf1#parameter" '
             'ttp:tickRate="10000000"><body><div><p begin="15000000t" end="40000000t">Good evening.</p>'
             '<p begin="00:00:05:15" end="00:00:06.5">Frames.</p></div></body></tt>')
    assert [(c.start, c.end) for c in parse_captions(ticks)] == [(1.5, 4.0), (5.5, 6.5)]  # DFXP's namespaces; 30 fps
    ntsc = ('<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:frameRate="30"'
            ' ttp:frameRateMultiplier="1000 1001"><body><p begin="00:00:01:15" end="00:01:00:00">x</p></body></tt>')
    [cue] = parse_captions(ntsc)
    assert cue.start == pytest.approx(1 + 15 / (30 * 1000 / 1001)) and cue.end == 60.0  # frames count at 29.97
    described = ('<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"><body><div>'
                 '<p begin="1s" end="2s"><metadata><ttm:desc>speaker: anchor</ttm:desc></metadata>Good evening.</p>'
                 '</div></body></tt>')
    assert [c.text for c in parse_captions(described)] == ["Good evening."], "metadata is not speech"


def test_ttml_paragraphs_take_the_time_of_what_holds_them() -> None:
    """Paragraphs timed by their <div> alone, given a begin and no end, or untimed inside a <div begin dur> were
    dropped without a word: three lines of five lost from a delivery that TTML's time containment times fully."""
    inherit = ('<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="fr"><body>'
               '<div begin="00:00:01.000" end="00:00:04.000"><p>Premier, minuté sur le div.</p></div>'
               '<div><p begin="00:00:04.500" end="00:00:07.000">Deuxième.</p><p begin="00:00:07.500">Troisième.</p>'
               '</div><div begin="00:00:10.000" dur="3s"><p begin="0s" end="2s">Quatrième.</p><p>Cinquième.</p>'
               '<p begin="1s" end="9s">Sixième, coupé à la fin du div.</p><p begin="5s" end="6s">Hors du div.</p>'
               '</div></body></tt>')
    assert [(c.start, c.end, c.text) for c in parse_captions(inherit)] == [
        (1.0, 4.0, "Premier, minuté sur le div."), (4.5, 7.0, "Deuxième."),
        (7.5, 10.0, "Troisième."),  # no end anywhere: it ends where the next caption begins
        (10.0, 12.0, "Quatrième."), (10.0, 13.0, "Cinquième."), (11.0, 13.0, "Sixième, coupé à la fin du div.")]


@pytest.mark.parametrize("body, message", [
    ('<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY a "aaaa">]><tt><body><p begin="1s" end="2s">&a;</p></body></tt>',
     "document type declaration"),
    ('<tt><body><p begin="1s" end="2s">unclosed</body></tt>', "not well-formed XML"),
    ('<html><body><p>hello</p></body></html>', "not a TTML <tt> document"),
    ('<tt><body><p begin="soon" end="2s">x</p></body></tt>', "bad caption time 'soon'"),
    ('<tt><body><p begin="5s" end="2s">x</p></body></tt>', "ends before it starts"),
    ('<tt><body><p>never timed</p></body></tt>', "no caption cues found"),
    ('<tt><body><p begin="1s" end="2s">' + "<span>" * 5000 + "x" + "</span>" * 5000 + "</p></body></tt>",
     "nested too deeply"),
    ("<tt><body><p>" + "<br/>" * 2_000_001 + "</p></body></tt>", "too many to be captions"),
])
def test_bad_ttml_is_refused_with_a_reason(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.ttml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CaptionError, match=message):
        load_captions(path)


def test_sbv_blocks_are_cues(tmp_path: Path) -> None:
    """YouTube Studio's SubViewer export: a `0:00:01.000,0:00:04.500` line, then the text."""
    path = tmp_path / "studio.sbv"
    path.write_text("0:00:01.000,0:00:04.500\nThe council approved\nthe budget.\n\n"
                    "0:00:05.000,0:00:08.250\n>> MAYOR: We will not leave the talks.\n", encoding="utf-8")
    cues, language = load_captions(path)
    assert language is None
    assert [(c.start, c.end, c.text) for c in cues] == [(1.0, 4.5, "The council approved the budget."),
                                                         (5.0, 8.25, "We will not leave the talks.")]
    path.write_text("0:00:01.000,0:00:04.500\nfine\n\n0:00:09.000,0:00:05.000\nbackwards\n", encoding="utf-8")
    with pytest.raises(CaptionError, match="ends before it starts"):
        load_captions(path)


def stl_bytes(subtitles: list[tuple[tuple[int, int, int, int], tuple[int, int, int, int], bytes, int, int]],
         table: bytes = b"00", start: bytes = b"10000000", disk: bytes = b"STL25.01", language: bytes = b"  ") -> bytes:
    """An EBU STL file: a GSI block (code page, disk format, character table, language, programme start), then one
    TTI block a (time in, time out, text, extension block number, comment flag)."""
    gsi = bytearray(b" " * 1024)
    gsi[0:3], gsi[3:11], gsi[11], gsi[12:14], gsi[14:16] = b"850", disk, ord("A"), table, language
    gsi[256:264] = start
    blocks = b""
    for n, (tin, tout, text, extension, comment) in enumerate(subtitles):
        tti = bytearray(128)
        tti[0], tti[1:3], tti[3], tti[4], tti[5:9], tti[9:13] = 1, n.to_bytes(2, "little"), 0xFF, extension, \
            bytes(tin), bytes(tout)
        tti[13], tti[14], tti[15] = 20, 2, comment
        tti[16:128] = text.ljust(112, b"\x8f")[:112]
        blocks += bytes(tti)
    return bytes(gsi) + blocks


def test_ebu_stl_subtitles_are_cues_in_their_code_table(tmp_path: Path) -> None:
    """European broadcasters' subtitle archives are EBU STL: binary, refused before as "binary data"."""
    latin = stl_bytes([
        ((10, 0, 1, 0), (10, 0, 3, 12), b"\x0d\x07Le caf\xc2e est ferm\xc2e\x8a\x8ajusqu'\xc1a lundi.", 0xFF, 0),
        ((10, 0, 4, 0), (10, 0, 6, 0), b"A note for the editor", 0xFF, 1),  # a comment: not shown
        ((10, 0, 6, 0), (10, 0, 9, 0), b"Die Stra\xfbe nach \xe8\xc2od\xc2z ist", 0x00, 0),  # goes on in the next
        ((0, 0, 0, 0), (0, 0, 0, 0), b" wieder offen. \x80[Musik]\x81", 0xFF, 0),
    ])
    path = tmp_path / "programme.stl"
    path.write_bytes(latin)
    cues, language = load_captions(path)
    assert language is None
    assert [(c.start, c.end, c.text) for c in cues] == [
        (1.0, 3.48, "Le café est fermé jusqu'à lundi."),  # times from the programme's start, 10:00:00:00
        (6.0, 9.0, "Die Straße nach Łódź ist wieder offen."),
    ]
    cyrillic = stl_bytes([((10, 0, 2, 0), (10, 0, 5, 0), "Мост закрыт до пятницы.".encode("iso8859_5"), 0xFF, 0)],
                    table=b"01", start=b"        ")  # no start given: counted from the hour of the first
    path.write_bytes(cyrillic)
    assert [(c.start, c.text) for c in load_captions(path)[0]] == [(2.0, "Мост закрыт до пятницы.")]
    from_zero = stl_bytes([((0, 0, 2, 0), (0, 0, 5, 0), b"Timed from zero.", 0xFF, 0)])  # under a start of 10:00
    path.write_bytes(from_zero)
    assert [(c.start, c.end) for c in load_captions(path)[0]] == [(2.0, 5.0)]


@pytest.mark.parametrize("code, language", [
    (b"56", "ru"), (b"47", "uz"), (b"09", "en"), (b"0F", "fr"), (b"0f", "fr"), (b"7F", "am"), (b"2A", "nl"),
    (b"00", None), (b"  ", None), (b"50", None), (b"2C", None), (b"ZZ", None), (b"\xff\xfe", None),
])
def test_an_ebu_stl_file_names_its_language_by_its_code(tmp_path: Path, code: bytes, language: str | None) -> None:
    """The GSI block's language code (EBU Tech 3264) as ISO 639-1, as a TTML document's xml:lang: "56" Russian, "47"
    Uzbek; "00" (not known), blanks, a language without an ISO 639-1 code ("50", Sranan Tongo), an unassigned or
    garbled code name none."""
    text = "Мост закрыт до пятницы.".encode("iso8859_5")
    path = tmp_path / "programme.stl"
    path.write_bytes(stl_bytes([((10, 0, 2, 0), (10, 0, 5, 0), text, 0xFF, 0)], table=b"01", language=code))
    cues, named = load_captions(path)
    assert named == language and [c.text for c in cues] == ["Мост закрыт до пятницы."]


@pytest.mark.parametrize("change, message", [
    (lambda raw: raw[:1100], "shorter than its header"),
    (lambda raw: raw[:3] + b"STL99.01" + raw[11:], "unknown EBU STL disk format"),
    (lambda raw: raw[:12] + b"09" + raw[14:], "unknown EBU STL character code table"),
    (lambda raw: raw[:1024 + 5] + bytes([10, 0, 99, 0]) + raw[1024 + 9:], "bad EBU STL time code"),
    (lambda raw: raw[:1024 + 9] + bytes([9, 0, 0, 0]) + raw[1024 + 13:], "ends before it starts"),
])
def test_bad_ebu_stl_is_refused_with_a_reason(tmp_path: Path, change: object, message: str) -> None:
    good = stl_bytes([((10, 0, 1, 0), (10, 0, 3, 0), b"Good evening.", 0xFF, 0)])
    path = tmp_path / "bad.stl"
    path.write_bytes(change(good))  # type: ignore[operator]
    with pytest.raises(CaptionError, match=message):
        load_captions(path)


def _odd(b: int) -> int:
    return b | 0x80 if bin(b).count("1") % 2 == 0 else b


CONTROL = {"RCL": (0x14, 0x20), "EOC": (0x14, 0x2F), "EDM": (0x14, 0x2C), "ENM": (0x14, 0x2E), "CR": (0x14, 0x2D),
           "RU2": (0x14, 0x25), "RDC": (0x14, 0x29), "BS": (0x14, 0x21), "PAC15": (0x14, 0x40),
           "PAC14": (0x13, 0x60), "CC2": (0x1C, 0x20), "HALF": (0x11, 0x32), "E_ACUTE": (0x12, 0x21)}


def scc_line(timecode: str, *parts: str) -> str:
    """One SCC line: control codes by name (sent twice, as encoders do) and text (two characters a pair)."""
    words: list[str] = []
    for part in parts:
        if part in CONTROL:
            b1, b2 = CONTROL[part]
            words += [f"{_odd(b1):02x}{_odd(b2):02x}"] * 2
            continue
        data = part.encode("ascii")
        data += b"\x00" * (len(data) % 2)
        words += [f"{_odd(data[i]):02x}{_odd(data[i + 1]):02x}" for i in range(0, len(data), 2)]
    return f"{timecode}\t{' '.join(words)}"


def test_scc_pop_on_roll_up_and_paint_on_captions_are_cues(tmp_path: Path) -> None:
    """North American broadcast delivers CEA-608 captions as Scenarist SCC: refused before."""
    lines = ["Scenarist_SCC V1.0", "",
             scc_line("00:00:01:00", "RCL", "ENM", "PAC14", "Good evening,", "PAC15", "the council met."),
             scc_line("00:00:02:00", "EOC"),
             scc_line("00:00:05:00", "RCL", "ENM", "PAC15", "CAFE", "E_ACUTE", " prices rose 2", "HALF", "%."),
             scc_line("00:00:06:00", "EOC"),
             scc_line("00:00:09:00", "EDM"),
             scc_line("00:10:00;00", "RU2", "CR", "The bridge will stay"),
             scc_line("00:10:01;00", "CR", "closed until Fridax", "BS", "y."),
             scc_line("00:10:02;00", "CC2", "Otra lengua."),  # the second channel: skipped
             scc_line("00:10:03;00", "CR"),
             scc_line("00:10:20;00", "RDC", "PAC15", "Painted words."),
             scc_line("00:10:23;00", "EDM")]
    path = tmp_path / "news.scc"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    cues, language = load_captions(path)
    assert language is None
    assert [c.text for c in cues] == ["Good evening, the council met.", "CAFÉ prices rose 2½%.",
                                      "The bridge will stay", "closed until Friday.", "Painted words."]
    # shown at its EOC, and until the next caption's EOC replaces it (loading that one out of sight hides nothing)
    assert cues[0].start == pytest.approx(2.002, abs=0.002) and cues[0].end == pytest.approx(6.006, abs=0.01)
    assert cues[1].end == pytest.approx(9.009, abs=0.01), "shown from its EOC until erased"
    # drop-frame time code keeps to the clock: 00:10:00;00 is 600 s (non-drop 00:10:00:00 would be 600.6 s); the
    # row starts with its first character, four frames after the two control codes sent twice
    assert cues[2].start == pytest.approx(600 + 4 / 29.97, abs=0.002)
    painted = ((620 * 30 - 18) / 29.97 + 4 / 29.97, (623 * 30 - 18) / 29.97)  # 18 frame numbers dropped by 10:20
    assert (cues[4].start, cues[4].end) == pytest.approx(painted, abs=0.003)


@pytest.mark.parametrize("body, message", [
    ("Scenarist_SCC V1.0\n\n00:00:01:00\t9420 zz20\n", "bad SCC line 3"),
    ("Scenarist_SCC V1.0\n\n00:00:61:00\t9420 9420\n", "bad SCC time code"),
    ("Scenarist_SCC V1.0\n\n00:00:01:00\t9420 9420 9420\n", "no caption cues found"),
])
def test_bad_scc_is_refused_with_a_reason(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.scc"
    path.write_text(body, encoding="ascii")
    with pytest.raises(CaptionError, match=message):
        load_captions(path)


def test_a_caption_file_of_more_cues_than_any_programme_holds_is_refused(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A million 150 ms cues (42 MB, 41.7 h: within the size and time limits) made every read of the transcript build
    them all: one JSON request took a minute and 1.6 GB. The bound (250,000, 48 hours at a cue every 0.7 s) is
    tried here at 1,000, which writes a small file."""
    assert MAX_CUES == 250_000
    monkeypatch.setattr(captions, "MAX_CUES", 1000)
    path = tmp_path / "many.srt"
    with path.open("w") as f:
        for i in range(1001):
            start = i * 0.15
            f.write(f"{i + 1}\n{format_timestamp(start, ',')} --> {format_timestamp(start + 0.14, ',')}\nw{i}\n\n")
    with pytest.raises(CaptionError, match="1,001 cues: more than the 1,000 a caption file may hold"):
        read_captions(path)
    path.write_text(path.read_text().rsplit("1001\n", 1)[0])
    assert len(read_captions(path)) == 1000


@pytest.mark.parametrize(("line", "said"), [
    (">> MR. MCCONNELL: vote on the nomination tomorrow", "vote on the nomination tomorrow"),
    ("SEN. SCHUMER: No, we will not.", "No, we will not."),
    ("THE SECRETARY OF STATE FOR HEALTH: We will publish the plan.", "We will publish the plan."),
    ("REP. JEFFRIES (D-NY): Thank you, Madam Speaker.", "Thank you, Madam Speaker."),
    ("США: санкции продлены", "США: санкции продлены"),  # an acronym opens the line: words said
    ("THE MINISTER SAID: WE WILL GO", "THE MINISTER SAID: WE WILL GO"),  # all in capitals: kept
])
def test_speaker_labels_with_titles_and_long_names_are_not_speech(line: str, said: str) -> None:
    """A label with an abbreviation's dot ("MR. MCCONNELL:", "SEN.") or of more than four words ("THE SECRETARY OF
    STATE FOR HEALTH:") stayed in every cue's text: hits on words never said, "MR" in chapter titles, and quotes
    across two cues broken by the name between them."""
    assert [c.text for c in parse_captions(f"1\n00:00:01,000 --> 00:00:03,000\n{line}\n")] == [said]
