"""Caption files as other regions' tools write them. Their legacy code pages (media/codepages.py): read in the
right one, with or without the language named, and refused where no code page reads as text. Before, anything that
was not UTF-8 was read as Windows-1252, or 1251 when it looked Cyrillic: Arabic, Turkish, Chinese and Japanese files
were stored as nonsense ("ГЪбдК ЗбНЯжгЙ", "ÝSTANBUL'DA") and the ingest said it went well. And Chinese and Japanese
captions' notes for the deaf and hard of hearing, in full-width brackets, which were taken for speech
(media/cuetext.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from indexer.config import Settings
from media.captions import load_captions
from media.errors import CaptionError
from tests.test_ingest import cli

# (language, code page, two cues of news as that language's broadcast tools write them)
NEWS = [
    ("ru", "cp1251", "Уровень воды в реке поднялся на два метра.", "Жителей эвакуировали в соседнюю школу."),
    ("fr", "cp1252", "Le niveau de l'eau a augmenté de deux mètres à Sète.", "Les élèves ont été évacués."),
    ("pl", "cp1250", "Poziom wody w rzece podniósł się o dwa metry.", "Uczniów ewakuowano do sąsiedniej szkoły."),
    ("cs", "cp1250", "Hladina vody v řece stoupla o dva metry.", "Žáci byli evakuováni do sousední školy."),
    ("tr", "cp1254", "İstanbul'da bugün büyük bir yangın çıktı.", "İtfaiye ekipleri Iğdır'dan da destek aldı."),
    ("ar", "cp1256", "أعلنت الحكومة اليوم عن ميزانية جديدة للعام المقبل.", "وسط ترقب واسع في الأسواق المالية."),
    ("fa", "cp1256", "وزير گفت ما ماليات خانواده‌ها را امسال افزايش نمي‌دهيم.", "باران در شيراز ادامه دارد."),
    ("he", "cp1255", "מפלס המים בנהר עלה בשני מטרים ביום שלישי.", "התלמידים פונו לבית הספר השכן."),
    ("el", "cp1253", "Η στάθμη του νερού ανέβηκε δύο μέτρα.", "Οι μαθητές μεταφέρθηκαν στο διπλανό σχολείο."),
    ("lt", "cp1257", "Upės vandens lygis pakilo dviem metrais.", "Mokiniai buvo evakuoti į kaimyninę mokyklą."),
    ("zh", "gb18030", "北京市政府周二宣布了新的公共交通计划。", "市长说我们绝不会提高地铁票价。"),
    ("zh", "big5", "台北市政府週二宣布了新的公共交通計劃。", "市長說我們絕不會提高捷運票價。"),
    ("ja", "cp932", "東京都は火曜日、新しい子育て支援制度を発表しました。", "知事は来年の春から始めますと述べました。"),
    ("ko", "cp949", "서울시는 화요일 새로운 대중교통 계획을 발표했습니다.", "시장은 요금을 올리지 않겠다고 말했다."),
]


def _srt(path: Path, cues: tuple[str, ...], codec: str) -> Path:
    body = "".join(f"{n}\n00:00:{2 * n:02d},000 --> 00:00:{2 * n + 2:02d},000\n{text}\n\n"
                   for n, text in enumerate(cues, 1))
    path.write_bytes(body.encode(codec))
    return path


@pytest.mark.parametrize(("language", "codec", "first", "second"), NEWS,
                         ids=[f"{n[0]}-{n[1]}" for n in NEWS])
def test_a_file_in_its_regions_code_page_reads_as_written(tmp_path: Path, language: str, codec: str, first: str,
                                                          second: str) -> None:
    path = _srt(tmp_path / "news.srt", (first, second), codec)
    for named in (None, language):
        cues, _ = load_captions(path, named)
        assert [c.text for c in cues] == [first, second], (named, cues[0].text)


def test_thai_reads_in_its_code_page_when_the_language_is_named(tmp_path: Path) -> None:
    said = ("ระดับน้ำในแม่น้ำสูงขึ้นสองเมตร", "นักเรียนถูกอพยพไปยังโรงเรียนใกล้เคียง")
    path = _srt(tmp_path / "th.srt", said, "cp874")
    assert [c.text for c in load_captions(path, "th")[0]] == list(said)


def test_bytes_that_read_as_no_code_page_are_refused(tmp_path: Path) -> None:
    rng = random.Random(7)
    noise = "".join(chr(rng.randrange(0xC0, 0x100)) for _ in range(200))
    path = tmp_path / "noise.srt"
    path.write_bytes(b"1\n00:00:01,000 --> 00:00:03,000\n" + noise.encode("latin-1") + b"\n")
    with pytest.raises(CaptionError, match="noise.srt: not UTF-8, and its text reads as no known code page"):
        load_captions(path)


def test_a_turkish_file_in_windows_1254_is_searchable_as_spoken(settings: Settings, tmp_path: Path) -> None:
    """Through the CLI, without --language: the language is read from the text, and the words are found."""
    path = _srt(tmp_path / "yangin.srt", NEWS[4][2:], "cp1254")
    code, out, err = cli(settings, "ingest", str(path), "--json")
    assert code == 0, err
    [done] = json.loads(out)
    assert done["language"] == "tr"
    code, out, err = cli(settings, "search", "İstanbul yangın", "--json")
    assert code == 0, err
    [hit] = json.loads(out)
    assert hit["text"].startswith("İstanbul'da bugün büyük bir yangın") and hit["start"] == 2.0


@pytest.mark.parametrize(("body", "said"), [
    ("［音楽］", ""), ("（拍手）", ""), ("【拍手】ありがとうございます", "ありがとうございます"),
    ("（知事）来年の春から新しい制度を始めます。", "来年の春から新しい制度を始めます。"),  # the speaker
    ("市长说（笑）我们绝不会提高票价", "市长说我们绝不会提高票价"), ("〔雨の音〕", ""),
])
def test_full_width_notes_for_the_deaf_are_not_speech(tmp_path: Path, body: str, said: str) -> None:
    """Japanese captions for the deaf and hard of hearing write sound and speakers as "［音楽］", "（拍手）" and
    "（知事）": each was a word said, a search hit with a time, and the speaker's title a word at the line's start."""
    path = _srt(tmp_path / "sdh.srt", (body, "東京都は火曜日、発表しました。"), "utf-8")
    cues, _ = load_captions(path)
    assert [c.text for c in cues] == ([said] if said else []) + ["東京都は火曜日、発表しました。"]
