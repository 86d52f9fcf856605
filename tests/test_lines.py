"""Caption files laid out for a viewer (media.lines): lines of at most 42 columns broken where the sentence allows,
and times that do not overlap, in every file clipindex writes."""

from __future__ import annotations

from pathlib import Path

from media.captions import Cue, read_captions, write_srt, write_ttml, write_vtt
from media.lines import HOLD_S, LINE_WIDTH, MIN_SHOWN_S, READING_SPEED, laid_out, timed, too_fast, width
from media.timeline import TimelineClip, export_reel
from tests.conftest import ffmpeg

LONG = ("The President of the United States said on Tuesday that the talks would go on, "
        "despite the strikes in the north.")
RUSSIAN = "Президент Узбекистана заявил во вторник, что переговоры продолжатся несмотря на забастовки в Ташкенте."
CHINESE = "国家主席在周二表示，尽管发生了罢工，谈判仍将继续进行，双方代表团将于下周在北京再次会面。"


def _blocks(srt: str) -> list[list[str]]:
    return [block.split("\n")[2:] for block in srt.strip().split("\n\n")]


def test_a_long_cue_is_written_as_lines_a_screen_holds_and_read_back_whole(tmp_path: Path) -> None:
    """Cues of up to 84 columns were written as one line, which players wrap wherever the width runs out."""
    cues = [Cue(1.0, 5.0, LONG), Cue(5.0, 9.0, RUSSIAN), Cue(9.0, 13.0, "Short and sweet.")]
    srt = write_srt(cues)
    lines = _blocks(srt)
    assert [len(block) for block in lines] == [3, 3, 1]
    assert all(width(line) <= LINE_WIDTH for block in lines for line in block)
    assert lines[1][0].endswith("во вторник,"), "a line breaks at the clause's comma where one is near the middle"
    for block in lines:
        for line in block[:-1]:
            assert len(line.split()[-1]) > 2, f"no line ends on a word that goes with the next: {line!r}"
    path = tmp_path / "out.srt"
    path.write_text(srt, encoding="utf-8")
    assert [c.text for c in read_captions(path)] == [LONG, RUSSIAN, "Short and sweet."], "nothing lost or added"
    shown = tmp_path / "shown.ass"
    ffmpeg("-i", str(path), str(shown))  # a player built on ffmpeg shows the breaks as breaks
    dialogue = [line.split(",", 9)[9] for line in shown.read_text(encoding="utf-8").splitlines()
                if line.startswith("Dialogue:")]
    assert [d.count("\\N") for d in dialogue] == [2, 2, 0]


def test_two_lines_of_a_cue_are_about_as_long_as_each_other() -> None:
    text = "Floods closed the bridge over the river Chirchiq for a second day"
    first, second = laid_out(text).split("\n")
    assert abs(width(first) - width(second)) <= 12, (first, second)
    assert f"{first} {second}" == text


def test_text_without_spaces_breaks_between_characters_never_before_a_closing_mark() -> None:
    lines = laid_out(CHINESE).split("\n")
    assert len(lines) == 3 and "".join(lines) == CHINESE
    assert all(width(line) <= LINE_WIDTH for line in lines), [width(line) for line in lines]
    assert not any(line[0] in "，。、" for line in lines)
    assert lines[0].endswith("，"), "the break falls at a clause's mark"


def test_a_cue_s_own_lines_are_kept_and_a_blank_line_never_ends_it_early(tmp_path: Path) -> None:
    vtt = write_vtt([Cue(0.0, 2.0, "— Who?\n\n— The minister."), Cue(2.0, 4.0, "Next")])
    assert "— Who?\n— The minister.\n" in vtt
    path = tmp_path / "two.vtt"
    path.write_text(vtt, encoding="utf-8")
    assert [c.text for c in read_captions(path)] == ["Who? The minister.", "Next"]  # speaker dashes: not spoken


def test_cues_never_overlap_nor_flash_and_none_is_dropped() -> None:
    cues = [Cue(4.0, 4.0, "word"), Cue(0.0, 2.5, "one"), Cue(2.0, 4.0, "two"), Cue(4.3, 6.0, "three"),
            Cue(6.0, 6.1, "last")]
    out = timed(cues)
    assert [c.text for c in out] == ["one", "two", "word", "three", "last"]
    assert [(c.start, c.end) for c in out] == [(0.0, 2.0), (2.0, 4.0), (4.0, 4.3), (4.3, 6.0), (6.0, 6.0 + MIN_SHOWN_S)]
    srt = write_srt(cues)
    assert "00:00:00,000 --> 00:00:02,000\none" in srt and "00:00:06,000 --> 00:00:06,700\nlast" in srt
    close = timed([Cue(1.0, 3.0, "a"), Cue(1.2, 2.0, "b")])
    assert close[0].end == 3.0, "a cue is not cut below MIN_SHOWN_S: the next one started with it"
    ttml = write_ttml([Cue(0.0, 3.0, LONG), Cue(2.0, 5.0, "then")], "en")
    assert 'begin="00:00:00.000" end="00:00:02.000"' in ttml and ttml.count("<br/>") == 2


def test_a_cue_too_long_to_read_in_its_time_is_held_into_the_pause_after_it() -> None:
    """A cue of 115 characters said in 2.5 s was gone before a viewer had read half of it: it is held after its
    words, as far as the next cue and HOLD_S allow, and what is still too fast is named for an editor."""
    assert len(LONG) / READING_SPEED > 2.5 + HOLD_S
    held, fits, chinese, tight = timed([Cue(0.0, 2.5, LONG), Cue(10.0, 14.0, "Short and slow."),
                                        Cue(20.0, 22.0, CHINESE), Cue(22.5, 23.0, "Then it rained.")])
    assert (held.start, held.end) == (0.0, 2.5 + HOLD_S)  # at most HOLD_S past its words
    assert (fits.start, fits.end) == (10.0, 14.0)  # read in time: as it was
    assert width(CHINESE) == 2 * len(CHINESE) and chinese.end == 22.5  # up to the next cue, not over it
    assert tight.end == 22.5 + len("Then it rained.") / READING_SPEED  # the last cue: as long as it needs
    assert [c.text for c in too_fast([Cue(0.0, 2.5, LONG), Cue(10.0, 14.0, "Short and slow."),
                                      Cue(20.0, 22.0, CHINESE)])] == [LONG, CHINESE]
    assert too_fast([Cue(0.0, 6.0, LONG)]) == []
    assert "00:00:00,000 --> 00:00:04,000" in write_srt([Cue(0.0, 2.5, LONG)])


def test_a_reel_s_ttml_names_its_clips_language_when_they_share_one(tmp_path: Path) -> None:
    """A reel's TTML said xml:lang="" whatever its clips spoke."""
    def clip(start: float, language: str) -> TimelineClip:
        return TimelineClip(tmp_path / "a.mp4", start, start + 4, 25.0, cues=(Cue(start, start + 3, "Salom"),),
                            language=language)

    assert 'xml:lang="uz"' in export_reel([clip(0, "uz"), clip(10, "uz")], "ttml")
    assert 'xml:lang=""' in export_reel([clip(0, "uz"), clip(10, "ru")], "ttml")


def test_a_paragraph_of_a_cue_is_filled_line_after_line_and_loses_nothing() -> None:
    """A caption file's cue may hold a paragraph; laid out by the cost of every way to break it, one of 2,000
    characters took seconds and a transcript of such cues minutes (the API's export timed out)."""
    text = " ".join([LONG, RUSSIAN] * 10)
    lines = laid_out(text).split("\n")
    assert len(lines) > 3 and all(width(line) <= LINE_WIDTH for line in lines)
    assert " ".join(lines) == text
    cjk = laid_out(CHINESE * 8).split("\n")
    assert all(width(line) <= LINE_WIDTH for line in cjk) and "".join(cjk) == CHINESE * 8
