from pathlib import Path

import pytest
from faster_whisper.tokenizer import _LANGUAGE_CODES

from indexer.config import Settings
from indexer.errors import InvalidInput
from indexer.languages import WHISPER_LANGUAGES, check_language
from indexer.service import Clipindex, IngestOptions
from tests.conftest import FIXTURES, settings_for


def test_the_language_list_is_whispers_own() -> None:
    assert WHISPER_LANGUAGES == frozenset(_LANGUAGE_CODES)


def test_unknown_language_codes_are_refused() -> None:
    assert check_language("uz") == "uz"
    with pytest.raises(InvalidInput, match="unknown language code 'xx'"):
        check_language("xx")


def test_a_language_is_read_in_any_case_and_from_a_longer_tag(tmp_path: Path) -> None:
    """`--language EN` and `en-US` were refused as unknown codes, though the index reads a tag's primary subtag."""
    assert [check_language(c) for c in ("EN", "en-US", " uz_Latn ", "ru")] == ["en", "en", "uz", "ru"]
    with pytest.raises(InvalidInput, match="unknown language code 'xx-YY'"):
        check_language("xx-YY")
    svc = Clipindex(settings_for(tmp_path))
    [result] = list(svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="RU")))
    assert svc.transcript(str(result.video_id)).language == "ru"
    assert svc.search("Каменку", language="ru-RU", mode="keyword").hits


def test_a_video_in_a_language_new_to_the_archive_is_found_at_once(tmp_path: Path) -> None:
    """The archive's languages were read again at most every 10 s, and the process's own ingest did not refresh
    them: a script that searched, ingested Russian captions and searched again found nothing for 10 s."""
    svc = Clipindex(settings_for(tmp_path))
    assert svc.search("реке", mode="keyword").hits == []
    [result] = list(svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(title="Паводок")))
    hits = svc.search("реки Каменки", mode="keyword").hits  # other forms: found through the Russian stems
    assert hits and hits[0].video_id == result.video_id


def test_settings_made_by_a_script_are_read_as_load_settings_reads_them(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`Clipindex(Settings())` made a folder named "~" in the current directory, and a data folder given as a str
    failed with an AttributeError."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert Clipindex(Settings(model="tiny.en")).settings.data_dir == tmp_path / "home" / ".clipindex"
    assert not (tmp_path / "~").exists()
    made = Clipindex(Settings(data_dir="archive", model="tiny.en"))  # type: ignore[arg-type]
    assert made.settings.data_dir == tmp_path / "archive" and (tmp_path / "archive").is_dir()


def test_a_russian_video_leaves_the_english_words_that_meet_as_they_were(tmp_path: Path) -> None:
    """Once the archive held a Russian video, every query was stemmed as Russian too, and Russian's stemmer strips
    Latin endings: "plane" found "plan", "cute" "cut", "note" "not", all at the top score. A stemmer now stems only
    words of its own script; the Russian video's own inflections still meet."""
    svc = Clipindex(settings_for(tmp_path))
    english = tmp_path / "rates_en.srt"
    english.write_text("1\n00:00:01,000 --> 00:00:05,000\nThe ministry has a plan to cut the interest rate.\n\n"
                       "2\n00:00:06,000 --> 00:00:10,000\nHe took off his hat and said he would not win.\n",
                       encoding="utf-8")
    list(svc.ingest(str(english), IngestOptions(title="Rates", language="en")))
    list(svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(title="Паводок")))
    assert {v.language for v in svc.videos()} == {"en", "ru"}
    for query in ("plane", "cute", "note", "hate", "wine"):
        assert svc.search(query, mode="keyword").hits == [], query
    assert [h.video_id for h in svc.search("plans", mode="keyword").hits] == [svc.videos()[0].id]
    assert svc.search("реки Каменки", mode="keyword").hits
