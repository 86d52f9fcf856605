"""The language codes Whisper knows, as data, so checking a --language flag does not import the ASR engine.

tests/test_languages.py checks this list against faster-whisper's own, so the two cannot drift apart.
"""

from __future__ import annotations

from indexer.errors import InvalidInput

WHISPER_LANGUAGES = frozenset("""
en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg lt la mi ml cy
sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so af oc ka be tg sd gu am yi lo
uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su yue
""".split())


def check_language(code: str) -> str:
    """The Whisper code a language is named by, read in any case and from a longer tag ("EN", "en-US", "uz_Latn"
    are "en", "en", "uz"); InvalidInput for one Whisper does not know."""
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    if primary not in WHISPER_LANGUAGES:
        raise InvalidInput(f"unknown language code {code!r}: use a Whisper language code such as en, ru, uz")
    return primary
