import pytest
from faster_whisper.tokenizer import _LANGUAGE_CODES

from indexer.errors import InvalidInput
from indexer.languages import WHISPER_LANGUAGES, check_language


def test_the_language_list_is_whispers_own() -> None:
    assert WHISPER_LANGUAGES == frozenset(_LANGUAGE_CODES)


def test_unknown_language_codes_are_refused() -> None:
    assert check_language("uz") == "uz"
    with pytest.raises(InvalidInput, match="unknown language code 'xx'"):
        check_language("xx")
