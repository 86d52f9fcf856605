from pathlib import Path

import pytest
from faster_whisper.tokenizer import _LANGUAGE_CODES

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
