"""Speaker turns inside caption cues: a dash opening a line ("- Are you leaving?" / "- Not yet.") or broadcast's ">>"
marks where a new speaker's words begin (media/cuetext.py). The mark was dropped at import with nothing kept, so every
subtitle export (a transcript's SRT, WebVTT and TTML, a reel's) wrote a cue of two speakers as one run-on line. Now the
word that opens a turn says so (`Word.turn`), through the store and corrections, and the exports write a dash per
speaker where a cue holds more than one (media/turns.py); a recogniser's transcript is written as before."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.formats import from_cues, render, to_json
from indexer.models import Segment, Transcript, Video, Word
from indexer.service import Clipindex, IngestOptions
from indexer.store.corrections import Corrections
from indexer.store.db import Store
from indexer.store.schema import segments
from media.captions import parse_captions
from tests.conftest import FIXTURES
from tests.servers import postgres, store_url  # noqa: F401 - fixtures

BROADCAST = """1
00:00:01,000 --> 00:00:04,000
- Are you leaving?
- Not yet.

2
00:00:04,500 --> 00:00:08,000
>> ANCHOR: Good evening. >> REPORTER: Thanks, the council met today and voted on the budget.

3
00:00:09,000 --> 00:00:11,000
>> The bridge stays closed
until the repairs are done.

4
00:00:12,000 --> 00:00:14,000
Water levels fell overnight.
"""


def _turns(tr: Transcript) -> list[tuple[str, bool]]:
    return [(w.text, w.turn) for w in tr.words]


def _opening(tr: Transcript) -> list[str]:
    return [w.text for w in tr.words if w.turn]


def test_a_dash_or_chevrons_mark_the_word_that_opens_a_turn_and_are_never_words() -> None:
    cues = parse_captions(BROADCAST)
    assert [c.text for c in cues] == ["Are you leaving? Not yet.",
                                      "Good evening. Thanks, the council met today and voted on the budget.",
                                      "The bridge stays closed until the repairs are done.",
                                      "Water levels fell overnight."]
    tr = from_cues("file:x", cues, language="en", kind="file")
    # a line's dash, ">>" at a line's start and inside it (roll-up captions), a speaker's name taken out
    assert _opening(tr) == ["Are", "Not", "Good", "Thanks,", "The"]
    assert not {"-", ">>", "ANCHOR:"} & {w.text for w in tr.words}
    # a file that times its words: the turn is on the timed word
    timed = parse_captions("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n- Are <00:00:01.500>you leaving?\n"
                           "- Not <00:00:03.000>yet.\n")
    assert [(w.text, w.turn) for w in timed[0].words] == [("Are", True), ("you", False), ("leaving?", False),
                                                          ("Not", True), ("yet.", False)]
    # a dash that is a number's sign opens no turn; Chinese is split a character a word, the turn on the first
    assert _opening(from_cues("file:y", parse_captions("1\n00:00:01,000 --> 00:00:02,000\n-5 degrees\n"),
                              language="en", kind="file")) == []
    zh = from_cues("file:z", parse_captions("1\n00:00:01,000 --> 00:00:03,000\n- 你好。\n- 再见。\n"),
                   language="zh", kind="file")
    assert [(w.text, w.turn) for w in zh.words] == [("你", True), ("好。", False), ("再", True), ("见。", False)]


def test_every_subtitle_export_writes_a_dash_per_speaker_where_a_cue_holds_two() -> None:
    tr = from_cues("file:x", parse_captions(BROADCAST), language="en", kind="file")
    srt = render(tr, "srt")
    assert "- Are you leaving?\n- Not yet.\n" in srt
    # each speaker laid out on its own (lines of 42 columns, dash included)
    assert "- Good evening.\n- Thanks, the council met today\nand voted on the budget.\n" in srt
    # one speaker in a cue: no dash, even where the cue opens a turn
    assert "\nThe bridge stays closed\nuntil the repairs are done.\n" in srt
    assert "\nWater levels fell overnight.\n" in srt
    assert "- Are you leaving?\n- Not yet.\n" in render(tr, "vtt")
    assert "<p begin=\"00:00:01.000\" end=\"00:00:04.000\">- Are you leaving?<br/>- Not yet.</p>" in render(tr, "ttml")
    assert render(tr, "txt").startswith("Are you leaving? Not yet.\n"), "plain text is the words said"


def test_a_recognisers_transcript_is_written_and_stored_as_before(tmp_path: Path) -> None:
    words = (Word(0.0, 0.4, " Are", 0.9), Word(0.4, 0.8, " you", 0.9), Word(0.8, 1.4, " leaving?", 0.9),
             Word(1.6, 1.9, " Not", 0.9), Word(1.9, 2.3, " yet.", 0.9))
    tr = Transcript("file:w", "en", "faster-whisper", "base", (Segment(0.0, 2.3, " Are you leaving? Not yet.", words),))
    assert "Are you leaving? Not yet." in render(tr, "srt") and "- " not in render(tr, "srt")
    assert all("turn" not in w for s in json.loads(to_json(tr))["segments"] for w in s["words"])
    store = Store(tmp_path / "db.sqlite")
    store.put_video(Video(id="file:w", source="/w.mp4", title="w"))
    store.put_transcript(tr)
    with store.engine.connect() as conn:
        raw = json.loads(conn.execute(sa.select(segments.c.words)).scalar_one())
    assert all(len(row) == 4 for row in raw), "a word without a turn is stored as before"


def test_turns_are_stored_and_rows_written_before_them_still_read(store_url: str) -> None:  # noqa: F811
    store = Store(store_url)
    store.put_video(Video(id="file:x", source="/x.srt", title="x"))
    tr = from_cues("file:x", parse_captions(BROADCAST), language="en", kind="file")
    store.put_transcript(tr)
    back = store.get_transcript("file:x")
    assert back is not None and back.segments == tr.segments
    assert _opening(back) == ["Are", "Not", "Good", "Thanks,", "The"]
    old = json.dumps([[1.0, 1.5, "Are", 1.0], [1.5, 2.0, "you", 1.0, "editor"], [2.0, 3.0, "leaving?", 1.0]])
    with store.tx() as conn:
        conn.execute(segments.update().where(segments.c.video_id == "file:x", segments.c.idx == 0).values(words=old))
    first = store.get_transcript("file:x")
    assert first is not None
    assert first.segments[0].words == (Word(1.0, 1.5, "Are", 1.0, "caption"), Word(1.5, 2.0, "you", 1.0, "editor"),
                                       Word(2.0, 3.0, "leaving?", 1.0, "caption"))


def test_corrections_keep_the_turns_of_the_words_they_replace(store_url: str) -> None:  # noqa: F811
    store = Store(store_url)
    store.put_video(Video(id="file:x", source="/x.srt", title="x", duration=20.0))
    store.put_transcript(from_cues("file:x", parse_captions(BROADCAST), language="en", kind="file"))
    fixes = Corrections(store)

    def now() -> Transcript:
        tr = store.get_transcript("file:x")
        assert tr is not None
        return tr

    said = {w.text: w for w in now().words}
    # as many words written as replaced: each keeps its own (the turn at "Not" stays on the word written over it)
    fix = fixes.apply("file:x", said["Not"].start, said["yet."].end, "Not today.", "editor")
    assert [(w.text, w.turn) for w in fix.after] == [("Not", True), ("today.", False)]
    assert "- Are you leaving?\n- Not today.\n" in render(now(), "srt")
    # another count: the first word written opens the turn the span opened, one inside goes to the nearest word
    good, the = now().words[5], now().words[8]
    assert (good.text, the.text) == ("Good", "the")
    longer = fixes.apply("file:x", good.start, the.end, "Good evening to all. Thank you, the", "editor")
    assert [w.text for w in longer.after if w.turn] == ["Good", "Thank"]
    assert "- Good evening to all.\n- Thank you, the council" in render(now(), "srt")
    # removed words take their turns with them; a revert puts words and turns back
    fixes.revert("file:x", longer.id)
    fixes.revert("file:x", fix.id)
    assert now().segments == from_cues("file:x", parse_captions(BROADCAST), language="en", kind="file").segments
    assert [w.turn for w in fixes.list("file:x")[0].before] == [True, False], "a correction records the turns"


def test_an_exported_file_ingested_again_gives_the_same_turns(svc: Clipindex, tmp_path: Path) -> None:
    """The round trip an editor makes: a broadcaster's SRT in, SRT, WebVTT, TTML or JSON out, that file in again.
    Every turn a subtitle file shows (inside a cue) comes back, and the file written again is the same; a ">>" that
    opens a cue of one speaker has no mark in the dash convention (the cue's edge is the change), and comes back
    through JSON only."""
    source = tmp_path / "broadcast.srt"
    source.write_text(BROADCAST, encoding="utf-8")
    [first] = list(svc.ingest(str(source), IngestOptions(language="en")))
    tr = svc.transcript(first.video_id)
    assert _opening(tr) == ["Are", "Not", "Good", "Thanks,", "The"]
    srt = svc.render_transcript(first.video_id, "srt")
    for fmt in ("srt", "vtt", "ttml", "json"):
        exported = tmp_path / f"exported.{fmt}"
        exported.write_text(svc.render_transcript(first.video_id, fmt), encoding="utf-8")
        [again] = list(svc.ingest(str(exported), IngestOptions(language="en")))
        assert again.video_id != first.video_id
        back = svc.transcript(again.video_id)
        assert [w.text for w in back.words] == [w.text for w in tr.words], fmt
        assert _opening(back) == (["Are", "Not", "Good", "Thanks,", "The"] if fmt == "json" else
                                  ["Are", "Not", "Good", "Thanks,"]), fmt
        assert svc.render_transcript(again.video_id, "srt") == srt, fmt


def test_a_reels_captions_keep_the_turns_of_the_words_each_clip_plays(svc: Clipindex) -> None:
    library = svc.settings.data_dir / "library"
    library.mkdir(parents=True)
    media = str(shutil.copy(FIXTURES / "report_en.mp4", library / "report.mp4"))
    svc.store.put_video(Video(id="file:reel", source=media, title="Council", media_path=media, has_video=True,
                              duration=20.0, language="en"))
    svc.store.put_transcript(from_cues("file:reel", parse_captions(BROADCAST), language="en", kind="file"))
    reel = svc.reels.new("Council week").id
    svc.reels.add_range(reel, "file:reel", 1.0, 8.0)
    assert "- Are you leaving?\n- Not yet.\n" in svc.reels.export(reel, "srt")
    assert "- Good evening.\n- Thanks, the council met today\n" in svc.reels.export(reel, "vtt")
    assert "- Are you leaving?<br/>- Not yet.</p>" in svc.reels.export(reel, "ttml")
    # a clip that plays the second speaker's words only: one speaker, no dash
    said = {w.text: w for w in svc.transcript("file:reel").words}
    svc.reels.remove_clip(reel, 1)
    svc.reels.add_range(reel, "file:reel", said["Not"].start, said["yet."].end)
    assert svc.reels.export(reel, "srt").split("\n")[2:4] == ["Not yet.", ""]


# WebVTT's own speaker tags: a voice span of another speaker than the one heard last opens a turn, as a dash does
VOICES = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Anna Kay>Are you leaving?</v>
<v.first.loud Ben>Not yet.</v>

00:00:04.500 --> 00:00:06.000
<v Ben>I still have <i>two</i> calls to make.

00:00:06.500 --> 00:00:09.000
<v.loud anna  KAY>Then I&apos;ll wait.</v> <v Ben>Thanks.</v>

00:00:09.500 --> 00:00:11.000
<v Ben>The car is outside.
"""
VOICE_TURNS = ["Are", "Not", "Then", "Thanks."]  # "Anna Kay" and "anna  KAY" are one speaker


def test_a_webvtt_voice_span_of_another_speaker_opens_a_turn_and_its_tag_is_never_a_word() -> None:
    cues = parse_captions(VOICES)
    assert [c.text for c in cues] == ["Are you leaving? Not yet.", "I still have two calls to make.",
                                      "Then I'll wait. Thanks.", "The car is outside."]
    tr = from_cues("file:v", cues, language="en", kind="file")
    # within a cue and from one cue to the next; the same voice again (cues 2 and 5 after Ben) opens none
    assert _opening(tr) == VOICE_TURNS
    assert not {w.text for w in tr.words} & {"<v", "Ben>", "Kay>", "</v>"}
    # the same speakers in an SRT converted from WebVTT, tags kept: read alike
    srt = "1\n00:00:01,000 --> 00:00:03,000\n<v Anna>Hello.</v> <v Ben>Hi.</v>\n"
    assert _opening(from_cues("file:s", parse_captions(srt), language="en", kind="file")) == ["Hello.", "Hi."]


def test_voice_spans_without_a_name_nested_left_open_or_between_timed_words() -> None:
    def opening(body: str) -> list[str]:
        return _opening(from_cues("file:n", parse_captions("WEBVTT\n\n" + body), language="en", kind="file"))

    # `<v>` without a name, and text outside any span, say nothing of who speaks: Ben goes on
    assert opening("00:01.000 --> 00:02.000\n<v Ben>One.</v> <v>Two.</v> Three. <v.loud>Four.\n\n"
                   "00:02.000 --> 00:03.000\n<v Ben>Five.\n") == ["One."]
    # ... unless a dash there marks a turn: someone unnamed spoke, so Ben speaking again is a turn
    assert opening("00:01.000 --> 00:02.000\n<v Ben>One.\n\n00:02.000 --> 00:03.000\n- Two.\n\n"
                   "00:03.000 --> 00:04.000\n<v Ben>Three.\n") == ["One.", "Two.", "Three."]
    # nested spans give the words back to the outer voice at `</v>`; a span left open ends with its cue; a stray
    # `</v>` is ignored; a voice tag escaped as text is text
    assert opening("00:01.000 --> 00:02.000\n<v Ben>x <v Ann>y</v> z</v></v> w\n\n"
                   "00:02.000 --> 00:03.000\n<v Ann>open\n\n00:03.000 --> 00:04.000\nplain &lt;v Ben&gt; text\n"
                   ) == ["x", "y", "z", "open"]
    # a file that times its words: the span's turn is on the timed word, across the inline times
    timed = parse_captions("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ann>Are <00:00:01.500>you</v> "
                           "<v Ben><00:00:02.500>Not <00:00:03.000>yet.</v>\n")
    assert [(w.text, w.turn) for w in timed[0].words] == [("Are", True), ("you", False), ("Not", True),
                                                          ("yet.", False)]


# TTML's speakers: `ttm:agent` on a paragraph, a span, or the <div> around them, naming agents declared in the head
AGENTS = """<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xml:lang="en">
  <head><metadata>
    <ttm:agent xml:id="anna" type="person"><ttm:name type="full">Anna Kay</ttm:name></ttm:agent>
    <ttm:agent xml:id="ben" type="person"><ttm:name type="full">Ben</ttm:name></ttm:agent>
  </metadata></head>
  <body><div ttm:agent="anna">
    <p begin="00:00:01.000" end="00:00:03.000">Are you leaving?</p>
    <p begin="00:00:03.000" end="00:00:05.000"><span ttm:agent="ben">Not yet.</span><br/>
      <span>Why?</span></p>
    <p begin="00:00:05.000" end="00:00:07.000" ttm:agent="ben">I still have two calls to make.</p>
    <p begin="00:00:07.000" end="00:00:08.000" ttm:agent="ben">Then go.</p>
    <p ttm:agent="anna"><span begin="00:00:08.000" end="00:00:08.500">Then</span>
      <span begin="00:00:08.500" end="00:00:09.000">I&apos;ll</span>
      <span begin="00:00:09.000" end="00:00:09.500" ttm:agent="ben">Thanks.</span></p>
  </div></body>
</tt>
"""


def test_a_ttml_agent_other_than_the_one_heard_last_opens_a_turn() -> None:
    """TTML files marked who spoke (`ttm:agent`, as broadcasters' EBU-TT and IMSC deliveries do) and no turn was
    read from them: a transcript of two speakers read as one."""
    cues = parse_captions(AGENTS)
    assert [c.text for c in cues] == ["Are you leaving?", "Not yet. Why?", "I still have two calls to make.",
                                      "Then go.", "Then", "I'll", "Thanks."]
    tr = from_cues("file:t", cues, language="en", kind="file")
    # Anna (from the <div>), Ben's span, Anna again after it (the span gives the words back), Ben's paragraphs
    # (one turn for both), Anna's paragraph of timed words, Ben's last word
    assert _opening(tr) == ["Are", "Not", "Why?", "I", "Then", "Thanks."]
    assert all("<" not in w.text and "ben" not in w.text for w in tr.words)
    # agents ids that are no names, and an empty agent: read as ids, or as no agent
    odd = AGENTS.replace('ttm:agent="ben"', 'ttm:agent="b&lt;1&gt; x\ny"').replace('<div ttm:agent="anna">',
                                                                                  '<div ttm:agent="">')
    assert _opening(from_cues("file:o", parse_captions(odd), language="en", kind="file")) == [
        "Not", "Then", "Thanks."]


@pytest.mark.slow  # inputs large enough to tell linear from quadratic time take seconds
def test_hostile_voice_markup_reads_in_linear_time() -> None:
    many = "".join(f"<v S{k % 2}>w{k} " for k in range(50_000))  # 50,000 nested spans, never closed
    long_name = "<v " + "N" * 2_000_000 + ">said <v Ann>this</v>"
    unclosed = "<v " * 100_000 + "words"
    same = "<v Ann>so</v> " * 100_000  # one voice's spans, joined into one run
    began = time.monotonic()
    cues = parse_captions(f"WEBVTT\n\n00:01.000 --> 00:09.000\n{many}\n\n00:10.000 --> 00:11.000\n{long_name}\n\n"
                          f"00:12.000 --> 00:13.000\n{unclosed}\n\n00:14.000 --> 00:15.000\n{same}\n")
    assert time.monotonic() - began < 20
    assert len(cues[0].turns) == 50_000 and cues[0].text.split()[-1] == "w49999"
    assert cues[1].text == "said this" and cues[1].turns == (0, 1)
    assert cues[2].turns == () and cues[2].text.endswith("words")  # `<v ` without its `>` is text, as before
    assert cues[3].turns == () and len(cues[3].text.split()) == 100_000  # Ann spoke last in the cue before


def test_voice_turns_round_trip_through_every_subtitle_export(svc: Clipindex, tmp_path: Path) -> None:
    """A WebVTT file with voice spans in; SRT, WebVTT and TTML out, each speaker of a cue on a "- " line; read again,
    the turns inside cues come back (a change at a cue's edge has no dash: JSON keeps it)."""
    source = tmp_path / "voices.vtt"
    source.write_text(VOICES, encoding="utf-8")
    [first] = list(svc.ingest(str(source), IngestOptions(language="en")))
    assert _opening(svc.transcript(first.video_id)) == VOICE_TURNS
    srt = svc.render_transcript(first.video_id, "srt")
    assert "- Are you leaving?\n- Not yet.\n" in srt and "- Then I'll wait.\n- Thanks.\n" in srt
    assert "\nI still have two calls to make.\n" in srt and "<v" not in srt
    assert "- Then I'll wait.\n- Thanks.\n" in svc.render_transcript(first.video_id, "vtt")
    assert "- Then I'll wait.<br/>- Thanks.</p>" in svc.render_transcript(first.video_id, "ttml")
    for fmt in ("srt", "vtt", "ttml", "json"):
        exported = tmp_path / f"exported.{fmt}"
        exported.write_text(svc.render_transcript(first.video_id, fmt), encoding="utf-8")
        [again] = list(svc.ingest(str(exported), IngestOptions(language="en")))
        back = svc.transcript(again.video_id)
        assert _opening(back) == (VOICE_TURNS if fmt == "json" else ["Are", "Not", "Then", "Thanks."]), fmt
        assert svc.render_transcript(again.video_id, "srt") == srt, fmt
