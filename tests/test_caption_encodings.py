"""Caption files as broadcast tools and people write them: UTF-8 with or without BOM, UTF-16, Windows-1251/1252;
absurd times; cues out of order or without blank lines between them; a literal "<"; a stray inline timestamp."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.errors import IngestError, InvalidInput
from indexer.service import Clipindex, IngestOptions
from media.captions import parse_captions, read_captions
from media.errors import CaptionError
from tests.conftest import ffmpeg

RU = "1\n00:00:01,000 --> 00:00:03,000\nУровень воды в реке Каменке поднялся на два метра.\n\n" \
     "2\n00:00:04,000 --> 00:00:06,500\nК утру были подтоплены 140 домов.\n"
FR = "1\n00:00:01,000 --> 00:00:03,000\nLe niveau de l'eau a augmenté de deux mètres à Sète.\n\n" \
     "2\n00:00:04,000 --> 00:00:06,500\nLes élèves ont été évacués vers l'école voisine.\n"


@pytest.mark.parametrize("text, encoding", [
    (RU, "utf-8"), (RU, "utf-8-sig"), (RU, "utf-16"), (RU, "utf-16-be"), (RU, "cp1251"),
    (FR, "utf-8"), (FR, "utf-16-le"), (FR, "cp1252"), (FR, "latin-1"),
])
def test_caption_files_in_the_encodings_broadcast_tools_write(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "report.srt"
    data = text.encode(encoding)
    if encoding in ("utf-16-be", "utf-16-le"):  # tools write the byte order mark with UTF-16
        data = ("\ufeff" + text).encode(encoding)
    path.write_bytes(data)
    cues = read_captions(path)
    assert [c.text for c in cues] == [line for line in text.split("\n") if line and not line[0].isdigit()]
    assert (cues[0].start, cues[-1].end) == (1.0, 6.5)


def test_a_cue_far_beyond_any_broadcast_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.srt"
    path.write_text("1\n99999999:00:00,000 --> 99999999:00:01,000\nHello.\n", encoding="utf-8")
    with pytest.raises(CaptionError, match="beyond 48 hours"):
        read_captions(path)


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),  # an image: not UTF-8, so read as a code page
    bytes(range(128)) * 4,  # control characters and NULs that are valid UTF-8
], ids=["image", "control-bytes"])
def test_binary_data_is_still_not_a_caption_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "noise.srt"
    path.write_bytes(data)
    with pytest.raises(CaptionError, match="binary data is not a caption file"):
        read_captions(path)


def test_sidecar_captions_past_the_end_of_their_media_are_refused(settings: Settings, media_dir: Path,
                                                                  tmp_path: Path) -> None:
    media = tmp_path / "story.mp4"
    shutil.copy(media_dir / "report.mp4", media)  # a few seconds of speech
    (tmp_path / "story.srt").write_text("1\n00:00:00,000 --> 00:00:03,000\nThe river rose.\n\n"
                                        "2\n01:10:00,000 --> 01:10:03,000\nA cue an hour past the end.\n")
    svc = Clipindex(settings)
    with pytest.raises(IngestError, match="past the end of the media"):
        list(svc.ingest(str(media), IngestOptions()))
    assert svc.videos() == [], "nothing is left behind"


@pytest.mark.parametrize("body, message", [
    (bytes(range(128, 256)) * 4, "not UTF-8 text"),  # random bytes named .json: once a UnicodeDecodeError traceback
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),  # once a RecursionError traceback
    (b'{"format": "clipindex-transcript/1", "language": "en", "engine": "x", "model": "x", "segments": '
     b'[{"start": 1e308, "end": 1e309, "text": "x"}]}', "beyond 48 hours"),  # an infinite end was accepted
    (b'{"format": "clipindex-transcript/1", "language": "en", "engine": "x", "model": "x", "segments": '
     b'[{"start": -5, "end": 1, "text": "x"}]}', "negative"),
    (b'{"format": "clipindex-transcript/1", "language": "en", "engine": "x", "model": "x", "segments": []}',
     "holds no words"),  # once an empty video
    (b'{"format": "clipindex-transcript/1", "engine": "x", "model": "x", "segments": []}',
     'has no "language" field'),  # once "does not parse: 'language'"
])
def test_a_broken_transcript_json_is_one_clear_error(settings: Settings, tmp_path: Path, body: bytes,
                                                     message: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(body)
    svc = Clipindex(settings)
    with pytest.raises(InvalidInput, match=message) as caught:
        list(svc.ingest(str(path), IngestOptions(language="en")))
    assert str(caught.value).startswith("broken.json: ")
    assert svc.videos() == [], "nothing is left behind"


def test_one_inline_timestamp_does_not_make_a_file_rolling() -> None:
    """A single `<00:00:05.000>` in a plain WebVTT file took it for YouTube's rolling auto-captions, whose merge keeps
    only lines with word times: every other cue was dropped without a word."""
    cues = parse_captions("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nDer Stadtrat tagte am Montag.\n\n"
                          "00:00:04.000 --> 00:00:06.000\nDie Brücke wird <00:00:05.000>gesperrt.\n\n"
                          "00:00:07.000 --> 00:00:09.000\nDie Umleitung führt\nüber die Hauptstraße.\n")
    assert [(c.start, c.end, c.text) for c in cues] == [
        (1.0, 3.0, "Der Stadtrat tagte am Montag."), (4.0, 6.0, "Die Brücke wird gesperrt."),
        (7.0, 9.0, "Die Umleitung führt über die Hauptstraße.")]
    timed = {w.text: (w.start, w.end) for w in cues[1].words}
    assert timed["gesperrt."] == (5.0, 6.0) and timed["Die"][0] == 4.0, "the file's own time for the word it times"


@pytest.mark.parametrize("text", [
    "1\n00:00:10,000 --> 00:00:14,000\nLate.\n\n2\n00:00:01,000 --> 00:00:05,000\nEarly.\n\n"
    "3\n00:00:04,000 --> 00:00:12,000\nMiddle.\n",
    "WEBVTT\n\n00:00:10.000 --> 00:00:14.000\nLate.\n\n00:00:01.000 --> 00:00:05.000\nEarly.\n\n"
    "00:00:04.000 --> 00:00:12.000\nMiddle.\n",
])
def test_cues_out_of_order_are_put_in_time_order(text: str) -> None:
    """Stored in file order, a search hit ran from 10.875 s to 7.657 s and word times jumped backwards."""
    assert [(c.start, c.text) for c in parse_captions(text)] == [(1.0, "Early."), (4.0, "Middle."), (10.0, "Late.")]


@pytest.mark.parametrize("srt", [
    "1\n01:10:00,000 --> 01:10:03,000\nA cue an hour past the end.\n\n"  # the late cue first in the file
    "2\n00:00:00,000 --> 00:00:03,000\nThe river rose.\n",
    "1\n00:00:00,000 --> 00:00:03,000\nThe river rose.\n\n2\n00:00:01,000 --> 01:10:00,000\nOverlong.\n",
])
def test_sidecar_captions_that_end_past_their_media_are_refused_in_any_order(settings: Settings, media_dir: Path,
                                                                             tmp_path: Path, srt: str) -> None:
    """The check looked at the start of the last word in the file: a late cue put first, or a last word that runs
    on for an hour, passed."""
    media = tmp_path / "story.mp4"
    shutil.copy(media_dir / "report.mp4", media)
    (tmp_path / "story.srt").write_text(srt, encoding="utf-8")
    svc = Clipindex(settings)
    with pytest.raises(IngestError, match="past the end of the media"):
        list(svc.ingest(str(media), IngestOptions()))
    assert svc.videos() == [], "nothing is left behind"


def test_srt_cues_without_blank_lines_between_them_stay_apart() -> None:
    """A timing line always starts a cue: without the blank line the second timing line was read as text."""
    bare = "00:00:01,000 --> 00:00:04,000\nNo cue numbers here.\n00:00:04,500 --> 00:00:06,000\nAnd no blank line.\n"
    assert [(c.start, c.end, c.text) for c in parse_captions(bare)] == [
        (1.0, 4.0, "No cue numbers here."), (4.5, 6.0, "And no blank line.")]
    numbered = "1\n00:00:01,000 --> 00:00:04,000\nFirst line,\nsecond line.\n2\n00:00:04,500 --> 00:00:06,000\nNext.\n"
    assert [c.text for c in parse_captions(numbered)] == ["First line, second line.", "Next."], \
        "the number above a timing line is the next cue's"
    sbv = ("0:00:01.000,0:00:04.000\nBridge closed.\n0:00:04.500,0:00:06.000\nNo blank line.\n\n"
           "0:00:07.000,0:00:08.000\nEnd.\n")
    assert [(c.start, c.end, c.text) for c in parse_captions(sbv)] == [
        (1.0, 4.0, "Bridge closed."), (4.5, 6.0, "No blank line."), (7.0, 8.0, "End.")], "SBV alike"


def test_a_literal_angle_bracket_in_srt_is_text_and_only_real_tags_are_markup() -> None:
    """Anything between < and > was taken for a tag: "to <3% this year, while growth was > 2%" lost its words."""
    srt = ("1\n00:00:01,000 --> 00:00:04,000\nInflation fell to <3% this year, while growth was > 2%.\n\n"
           "2\n00:00:05,000 --> 00:00:08,000\n<I>Says</I> <font color=\"#ffff00\">a <b>bold</b></FONT> x<y\n"
           "and <u>z</u><br>or <s>not</s>, a <b and c> d\n")
    assert [c.text for c in parse_captions(srt)] == ["Inflation fell to <3% this year, while growth was > 2%.",
                                                     "Says a bold x<y and z or not, a <b and c> d"]
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v.loud Anchor>Die <c.yellow>Brücke</c> <lang de>bleibt</lang>"
           " <ruby>zu<rt>tsu</rt></ruby> &lt;heute&gt;.</v>\n")
    assert [c.text for c in parse_captions(vtt)] == ["Die Brücke bleibt zutsu <heute>."]


def test_a_literal_angle_bracket_survives_srt_export_and_ingest_again(settings: Settings, tmp_path: Path) -> None:
    """The SRT writer wrote `<heute>` as it is: read back (by clipindex, and by players built on ffmpeg) as a tag, the
    word was gone."""
    vtt = tmp_path / "bridge.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nDie Brücke bleibt gesperrt &lt;heute&gt;.\n\n"
                   "00:00:05.000 --> 00:00:07.000\nDas Ergebnis: a &lt;b and c&gt; d, &lt;3% Inflation, x &lt; y.\n",
                   encoding="utf-8")
    svc = Clipindex(settings)
    [first] = list(svc.ingest(str(vtt), IngestOptions(language="de")))
    said = ["Die Brücke bleibt gesperrt <heute>.", "Das Ergebnis: a <b and c> d, <3% Inflation, x < y."]
    assert [s.text for s in svc.transcript(first.video_id).segments] == said
    srt = tmp_path / "bridge.srt"
    srt.write_text(svc.render_transcript(first.video_id, "srt"), encoding="utf-8")
    [again] = list(svc.ingest(str(srt), IngestOptions(language="de")))
    assert again.video_id != first.video_id
    assert [s.text for s in svc.transcript(again.video_id).segments] == said
    shown = tmp_path / "shown.ass"
    ffmpeg("-i", str(srt), str(shown))
    dialogue = [line.split(",", 9)[9] for line in shown.read_text(encoding="utf-8").splitlines()
                if line.startswith("Dialogue:")]
    # a cue past 42 columns is written as two lines (media.lines), which a player shows as a line break: \N
    assert [line.replace("\u2060", "").replace("\\N", " ") for line in dialogue] == said, "a player shows the words too"
