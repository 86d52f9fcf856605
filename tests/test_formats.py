"""Transcript formats: caption cues in, our JSON both ways, and txt, srt, vtt, ttml and json out."""

from __future__ import annotations

import json

import pytest

from indexer.errors import InvalidInput
from indexer.formats import JSON_FORMAT, from_cues, from_json, render, to_json
from indexer.models import Segment, Transcript, Video, Word
from media.captions import CaptionWord, Cue, parse_captions

TRANSCRIPT = Transcript("yt:dQw4w9WgXcQ", "ru", "faster-whisper", "base", (
    Segment(0.5, 2.25, "Мэр сказал: мост закрыт.", (Word(0.5, 0.9, "Мэр", 0.98), Word(0.9, 1.4, "сказал:", 0.91),
                                                     Word(1.4, 1.8, "мост", 0.7), Word(1.8, 2.25, "закрыт.", 0.88))),
    Segment(3.0, 3.0, "   ", ()),
    Segment(61.125, 3725.5, "Bridge <closed> & \"open\" -->", (Word(61.125, 3725.5, "Bridge", 0.5),)),
), ("no words could be decoded for speech at 0:10-0:30",))


def test_cue_text_is_spread_over_the_cue_by_character_count() -> None:
    tr = from_cues("file:abc", [Cue(0.0, 3.0, "The river rose")], language="en", kind="file")
    # weights are letters plus one: 4, 6 and 5 of 15
    assert [(w.start, w.end, w.text) for w in tr.words] == [(0.0, 0.8, "The"), (0.8, 2.0, "river"),
                                                            (2.0, 3.0, "rose")]
    assert (tr.video_id, tr.language, tr.engine, tr.model) == ("file:abc", "en", "captions", "file")


def test_word_times_in_the_file_are_kept_and_empty_cues_dropped() -> None:
    cues = [Cue(10.0, 12.0, "Salom dunyo", (CaptionWord(10.1, 10.7, "Salom"), CaptionWord(11.2, 11.9, "dunyo"))),
            Cue(12.0, 13.0, "  "), Cue(13.0, 13.0, "zero length")]
    tr = from_cues("yt:x", cues, language="uz", kind="auto")
    assert [(s.start, s.end, s.text) for s in tr.segments] == [(10.0, 12.0, "Salom dunyo"),
                                                               (13.0, 13.0, "zero length")]
    assert tr.segments[0].words == (Word(10.1, 10.7, "Salom", 1.0, "caption"),
                                    Word(11.2, 11.9, "dunyo", 1.0, "caption"))
    assert [(w.start, w.end) for w in tr.segments[1].words] == [(13.0, 13.0), (13.0, 13.0)]


def test_json_round_trip_keeps_every_time_word_and_warning() -> None:
    raw = to_json(TRANSCRIPT)
    assert json.loads(raw)["video"] == {"id": "yt:dQw4w9WgXcQ"}
    back = from_json(raw, "file:copy")
    assert back == Transcript("file:copy", *[getattr(TRANSCRIPT, f) for f in ("language", "engine", "model",
                                                                             "segments", "warnings")])


def test_json_names_the_video_it_came_from() -> None:
    video = Video("yt:dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ", "Мост закрыт", url="https://youtu.be/dQw4w9WgXcQ",
                  channel="Вести", published="2026-11-20", duration=3726.0, language="ru",
                  media_path="media/x/media.m4a")
    raw = to_json(TRANSCRIPT, video)
    doc = json.loads(raw)
    assert doc["format"] == JSON_FORMAT and "Мост закрыт" in raw, "non-ASCII text is written as is"
    assert doc["video"] == {"id": "yt:dQw4w9WgXcQ", "title": "Мост закрыт", "url": "https://youtu.be/dQw4w9WgXcQ",
                            "channel": "Вести", "published": "2026-11-20", "duration": 3726.0, "language": "ru"}
    assert from_json(raw, video.id) == TRANSCRIPT


def _doc(**changes: object) -> str:
    doc = json.loads(to_json(TRANSCRIPT))
    doc.update(changes)
    return json.dumps(doc)


@pytest.mark.parametrize("raw", [
    "", "{not json", "[]", '"a string"', json.dumps({"format": "something else"}),
    _doc(format="clipindex-transcript/2"), _doc(segments=5),
    _doc(segments=[{"start": "soon", "end": 2.0, "text": "x"}]),
    _doc(segments=[{"start": 2.0, "end": 1.0, "text": "backwards"}]),
    _doc(segments=[{"start": 0.0, "end": 2.0, "text": "x", "words": [{"start": 1.5, "end": 1.0, "text": "x"}]}]),
])
def test_bad_json_is_invalid_input(raw: str) -> None:
    with pytest.raises(InvalidInput, match="the transcript JSON does not parse"):
        from_json(raw, "file:x")


@pytest.mark.parametrize("raw, message", [
    (json.dumps({k: v for k, v in json.loads(to_json(TRANSCRIPT)).items() if k != "language"}),
     'the transcript JSON has no "language" field$'),  # was "does not parse: 'language'"
    (_doc(segments=[{"start": 0.0, "end": 1.0, "text": "x"}, {"start": 1.0}]),
     'the transcript JSON has no "end" field in segment 2$'),
    (_doc(segments=[{"start": 0.0, "end": 2.0, "text": "x", "words": [{"end": 1.0, "text": "x"}]}]),
     'the transcript JSON has no "start" field in a word of segment 1$'),
])
def test_a_missing_field_is_named(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        from_json(raw, "file:x")


@pytest.mark.parametrize("segments", [[], [{"start": 0.0, "end": 1.0, "text": "  ", "words": []}]])
def test_a_json_without_words_is_refused_as_a_caption_file_without_cues_is(segments: list[object]) -> None:
    """Zero segments, or only empty ones, were accepted and added a video with nothing in it."""
    with pytest.raises(InvalidInput, match="^the transcript JSON holds no words: no segment has any text$"):
        from_json(_doc(segments=segments), "file:x")


def test_json_segments_without_words_get_words_spread_over_them_in_time_order() -> None:
    """Segments with text but empty `words` were stored without words: search and chapters could not see them."""
    tr = from_json(_doc(segments=[{"start": 5.0, "end": 6.0, "text": "overnight."},
                                  {"start": 1.0, "end": 4.0, "text": "The river rose", "words": []}]), "file:x")
    assert [(w.start, w.end, w.text, w.source) for w in tr.words] == [
        (1.0, 1.8, "The", "caption"), (1.8, 3.0, "river", "caption"), (3.0, 4.0, "rose", "caption"),
        (5.0, 6.0, "overnight.", "caption")]


def test_txt_is_one_line_per_segment_without_empty_ones() -> None:
    assert render(TRANSCRIPT, "txt") == "Мэр сказал: мост закрыт.\nBridge <closed> & \"open\" -->\n"


def test_srt_numbers_cues_and_reads_back() -> None:
    srt = render(TRANSCRIPT, "srt")
    assert srt.startswith("1\n00:00:00,500 --> 00:00:02,250\nМэр сказал: мост закрыт.\n\n"
                          "2\n00:01:01,125 --> 01:02:05,500\n")
    back = parse_captions(srt)
    assert [(c.start, c.end) for c in back] == [(0.5, 2.25), (61.125, 3725.5)]
    assert back[0].text == "Мэр сказал: мост закрыт."


def test_vtt_escapes_markup_and_reads_back() -> None:
    vtt = render(TRANSCRIPT, "vtt")
    assert vtt.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:02.250\n")
    assert "00:01:01.125 --> 01:02:05.500\nBridge &lt;closed&gt; &amp; \"open\" --&gt;\n" in vtt
    assert [(c.start, c.end) for c in parse_captions(vtt)] == [(0.5, 2.25), (61.125, 3725.5)]


def test_ttml_escapes_markup_names_the_language_and_reads_back() -> None:
    ttml = render(TRANSCRIPT, "ttml")
    assert 'xml:lang="ru"' in ttml
    assert '<p begin="00:01:01.125" end="01:02:05.500">Bridge &lt;closed&gt; &amp; "open" --&gt;</p>' in ttml
    back = parse_captions(ttml)
    assert [(c.start, c.end, c.text) for c in back] == [(0.5, 2.25, "Мэр сказал: мост закрыт."),
                                                         (61.125, 3725.5, 'Bridge <closed> & "open" -->')]


def test_json_render_is_to_json_and_unknown_formats_are_refused() -> None:
    video = Video("yt:dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ", "Report")
    assert render(TRANSCRIPT, "json", video) == to_json(TRANSCRIPT, video)
    with pytest.raises(InvalidInput, match="unknown format 'docx'"):
        render(TRANSCRIPT, "docx")
