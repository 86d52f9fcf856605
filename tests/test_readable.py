"""Caption cues from timed words (media.readable): a recogniser's long segments as cues a viewer can read, and a
clip's captions holding only the words said in the clip."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import pytest

from indexer.config import Settings
from indexer.formats import caption_cues, render
from indexer.models import Segment, Transcript, Word, ends_sentence
from indexer.service import Clipindex, IngestOptions
from media.captions import CaptionWord, Cue, parse_captions, write_srt
from media.readable import CUE_SECONDS, CUE_WIDTH, join_words, readable_cues, split_spaceless, width
from media.timeline import Placement, TimelineClip, rebase_cues
from tests.conftest import ffmpeg, stored_video

# a Whisper window: one 24-second segment, its words with their own leading spaces
SENTENCES = ("The Green River rose two metres overnight.", "Crews closed the old bridge before dawn, and "
             "volunteers filled sandbags at every fire station in the city.", "The mayor said the bridge stays "
             "closed until engineers inspect its pylons on Monday.")


def whisper_segment(start: float = 10.0, seconds_a_word: float = 0.4) -> Segment:
    texts = [f" {w}" for s in SENTENCES for w in s.split()]
    words = tuple(Word(round(start + i * seconds_a_word, 3), round(start + (i + 1) * seconds_a_word, 3), t, 0.9)
                  for i, t in enumerate(texts))
    return Segment(start, words[-1].end, "".join(texts), words)


def test_words_join_as_their_script_writes_them() -> None:
    assert join_words([" The", " river,", " rose."]) == "The river, rose."  # Whisper's own spaces
    assert join_words(["Мэр", "сказал:", "мост", "закрыт."]) == "Мэр сказал: мост закрыт."  # split at spaces
    assert join_words(["洪水", "で", "橋が", "閉鎖"]) == "洪水で橋が閉鎖"  # Japanese: no spaces between words
    assert join_words(["น้ำ", "ท่วม"]) == "น้ำท่วม"
    assert join_words(["Tokyo", "東京", "2026"]) == "Tokyo 東京 2026"
    assert width("東京") == 4 and width("Tokyo") == 5


def test_pieces_the_recogniser_splits_off_a_word_join_it_again() -> None:
    """Whisper hears "4.2", "12,000", "well-known" as two tokens each, stored without their spacing: joined with a
    space they read "4 .2", the cue no longer spelled its segment, and a 27 s segment stayed one cue of 423
    characters."""
    assert join_words(["cost", "4", ".2", "million"]) == "cost 4.2 million"
    assert join_words(["about", "12", ",000", "fans", "at", "a", "well", "-known", "club", "it", "'s"]) == \
        "about 12,000 fans at a well-known club it's"
    assert join_words(["wait", "-", "what", "the", "'quote'"]) == "wait - what the 'quote'"
    text = ("The repairs will cost 4.2 million dollars, the council said on Monday, and about 12,000 fans of the "
            "well-known club will have to travel by ferry until the bridge reopens in the spring.")
    tokens = [t for w in text.split() for t in (w.replace("4.2", "4 .2").replace("12,000", "12 ,000")
                                                 .replace("well-known", "well -known").split())]
    words = tuple(Word(i * 0.4, i * 0.4 + 0.35, t, 0.9) for i, t in enumerate(tokens))
    seg = Segment(0.0, words[-1].end, " " + text, words)
    cues = caption_cues(Transcript("file:n", "en", "faster-whisper", "base", (seg,)))
    assert len(cues) >= 3 and all(width(c.text) <= CUE_WIDTH for c in cues), [c.text for c in cues]
    assert " ".join(c.text for c in cues) == text


def test_a_long_segment_becomes_cues_a_viewer_can_read() -> None:
    seg = whisper_segment()
    cues = readable_cues([CaptionWord(w.start, w.end, w.text) for w in seg.words])
    assert len(cues) >= 3
    assert all(width(c.text) <= CUE_WIDTH and c.end - c.start <= CUE_SECONDS + 1e-9 for c in cues), cues
    assert " ".join(c.text for c in cues) == seg.text.strip()  # every word once, in order
    assert cues[0].text == SENTENCES[0], "a cue ends where a sentence does when one ends late enough in it"
    assert all(c.words and c.start == c.words[0].start and c.end == c.words[-1].end for c in cues)
    # one word longer than a cue stays whole
    (alone,) = readable_cues([CaptionWord(0.0, 9.0, "x" * 100)])
    assert alone.text == "x" * 100


def test_transcript_exports_cut_a_recognisers_segments_and_keep_a_caption_files_cues() -> None:
    seg = whisper_segment()
    asr = Transcript("file:a", "en", "faster-whisper", "base", (seg,))
    back = parse_captions(render(asr, "srt"))
    assert len(back) == len(caption_cues(asr)) >= 3 and back[0].text == SENTENCES[0]
    assert back[0].start == pytest.approx(10.0) and back[-1].end == pytest.approx(seg.end)
    captions = Transcript("file:b", "en", "captions", "file", (seg,))
    (kept,) = parse_captions(render(captions, "srt"))  # the captioner's cue, however long, as it came
    assert kept.text == seg.text.strip()


def test_a_clip_that_cuts_a_cue_shows_only_the_words_said_in_it() -> None:
    seg = whisper_segment(start=0.0, seconds_a_word=0.5)
    cue = Cue(seg.start, seg.end, seg.text.strip(), tuple(CaptionWord(w.start, w.end, w.text) for w in seg.words))
    # the clip plays 1.0-3.5 s of the cue: the words whose middles fall there
    got = rebase_cues([Placement(0.0, 1.0, 3.5)], [[cue]])
    assert [c.text for c in got] == ["River rose two metres overnight."]
    assert got[0].start == 0.0 and got[0].end == pytest.approx(2.5)
    # a cue the clip touches without any of its words stays out
    assert rebase_cues([Placement(0.0, 1.0, 3.5)], [[Cue(3.4, 6.0, "Later words", (
        CaptionWord(4.1, 5.0, "Later"), CaptionWord(5.0, 6.0, "words")))]]) == []


@pytest.mark.slow
def test_a_reels_captions_hold_the_words_of_each_clip(settings: Settings, tmp_path: Path) -> None:
    """A caption file's long cue, clipped in its middle: the reel's SRT shows the middle's words, not the cue."""
    words = "Вода уходит из города , но главного инженера Петра Иванова ждут на мосту в понедельник утром".split()
    cues = [Cue(0.0, 2.0, "Новости."), Cue(2.0, 2.0 + len(words) * 0.5, " ".join(words)), Cue(12.0, 14.0, "Конец.")]
    media = tmp_path / "news.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:r=25", "-f", "lavfi", "-i", "sine=f=440", "-t", "15",
           "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(media))
    media.with_suffix(".srt").write_text(write_srt(cues), encoding="utf-8")  # its sidecar captions
    svc = Clipindex(settings)
    [done] = list(svc.ingest(str(media), IngestOptions(language="ru", keep_video=True)))
    said = [w for w in svc.transcript(str(done.video_id)).words if w.text == "Иванова"][0]
    reel = svc.reels.new("Мост")
    svc.reels.add_range(reel.id, str(done.video_id), said.end + 0.01, 13.0, pad=0.0)
    srt = svc.reels.export(reel.id, "srt")
    texts = [c.text for c in parse_captions(srt)]
    assert texts[0].startswith("ждут на мосту") and "Иванова" not in srt and "Вода" not in srt, srt
    assert texts[-1] == "Конец."


def test_a_reel_reads_each_videos_transcript_once_and_keeps_only_its_clips_cues(settings: Settings) -> None:
    """Every clip read its video's whole transcript again and kept all its cues: twenty clips of a 30-hour
    recording held twenty copies of it (2 GB) for one export."""
    svc = Clipindex(settings)
    video = stored_video(svc)
    reel = svc.reels.new("Desk")
    spans = [(10.0, 14.0), (40.0, 45.0), (70.0, 72.0), (90.0, 95.0)]
    for start, end in spans:
        svc.reels.add_range(reel.id, video, start, end, snap_to="none")
    reads = []
    real = svc.store.get_transcript
    svc.store.get_transcript = lambda video_id: reads.append(video_id) or real(video_id)  # type: ignore[method-assign]
    made: list[TimelineClip] = []
    with patch("indexer.reels.service.export_reel", lambda clips, fmt, title: made.extend(clips) or ""):
        svc.reels.export(reel.id, "otio")
    assert reads == [video]
    for clip, (start, end) in zip(made, spans):
        assert clip.cues and all(c.end > start and c.start < end for c in clip.cues)
    srt = parse_captions(svc.reels.export(reel.id, "srt"))
    assert reads == [video, video]
    assert srt[0].start == 0.0 and srt[-1].end == pytest.approx(sum(e - s for s, e in spans), abs=0.01)


def test_chinese_and_japanese_captions_are_read_a_character_a_word_and_written_back_without_spaces() -> None:
    units = split_spaceless("他说：“我们绝不会降低安全标准。”")
    assert units[:4] == ["他", "说：", "“我", "们"] and units[-1] == "准。”"
    assert join_words(units) == "他说：“我们绝不会降低安全标准。”"
    assert join_words(split_spaceless("東京都の「新しい」駅")) == "東京都の「新しい」駅"
    assert split_spaceless("COVID-19疫苗") == ["COVID-19", "疫", "苗"] and split_spaceless("hello") == ["hello"]
    assert join_words(["He", "said,", "“We", "will", "not”", "4", ".2"]) == "He said, “We will not” 4.2"


def test_a_recognisers_french_elisions_are_written_as_one_word() -> None:
    """Captions and titles read "l 'heure" and "qu 'un": the piece after the apostrophe goes on the elided word."""
    assert join_words(["C", "'est", "l", "'heure", "du", "journal", "lorsqu", "'il", "pleut"]) == \
        "C'est l'heure du journal lorsqu'il pleut"
    assert join_words(["he", "said", "'Hello'"]) == "he said 'Hello'"



@pytest.mark.parametrize("sentences", [
    ("هل ستفتح الحكومة الجسر القديم قبل نهاية الأسبوع؟", "قال الوزير إن المهندسين سيفحصون الأعمدة يوم الاثنين المقبل"),
    ("क्या सरकार सप्ताह के अंत से पहले पुराना पुल खोलेगी।", "मंत्री ने कहा कि इंजीनियर सोमवार को खंभों की जांच करेंगे"),
])
def test_a_cue_ends_where_an_arabic_or_hindi_sentence_does(sentences: tuple[str, str]) -> None:
    """A cue broke at a sentence's end only where it ended in . ! ? or the CJK stops: an Arabic question (؟) or a
    Hindi sentence (।) ran on into the next sentence's first words."""
    texts = [w for s in sentences for w in s.split()]
    words = [CaptionWord(i * 0.5, i * 0.5 + 0.45, t) for i, t in enumerate(texts)]
    cues = readable_cues(words)
    assert len(cues) >= 2 and cues[0].text == sentences[0], [c.text for c in cues]


def test_a_sentence_ends_inside_japanese_corner_brackets() -> None:
    """A quoted Japanese sentence ends in 。」 or 。』: the cues and a transcript's sentences each had their own check
    for a sentence's end, and neither read those brackets as closing marks, so the quote ran on into the next one."""
    first = ["大臣は", "「橋は", "月曜日に", "必ず", "開きます。」"]
    second = ["技師たちが", "柱を", "調べました", "と", "述べた"]
    words = [CaptionWord(i * 1.0, i * 1.0 + 0.9, t) for i, t in enumerate(first + second)]
    cues = readable_cues(words)
    assert len(cues) >= 2 and cues[0].text == join_words(first), [c.text for c in cues]
    assert ends_sentence("開きます。」") and ends_sentence("『終わり。』") and not ends_sentence("「橋は")
    spoken = tuple(Word(w.start, w.end, w.text) for w in words)
    segment = Segment(0.0, 10.0, join_words(first + second), spoken)
    transcript = Transcript("file:ja", "ja", "captions", "file", (segment,))
    assert [(s.first_word, s.last_word) for s in transcript.sentences()] == [(0, 4), (5, 9)]
