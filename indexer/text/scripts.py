"""The script a text is written in (Latin, Cyrillic, Arabic ...), told by its letters' Unicode names: what the
language detector reads first, and what tells a quote in another script from a transcript's own words.

Why a module of its own: the detector (indexer.text.language) reads the stop-word lists (indexer.text.stopwords),
and those lists need the script too, to lend a transcript the function words of lists written in other scripts.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

SCRIPTS = [("CYRILLIC", "cyrl"), ("ARABIC", "ar"), ("GREEK", "el"), ("HEBREW", "he"), ("HANGUL", "ko"),
           ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("CJK", "zh"), ("DEVANAGARI", "hi"), ("THAI", "th"),
           ("GEORGIAN", "ka"), ("ARMENIAN", "hy"), ("LATIN", "latn")]


def script_counts(text: str) -> dict[str, int]:
    """Letters per script ("other" for a script not in SCRIPTS); each distinct character is looked up once (a
    programme's text has a few hundred)."""
    counts: dict[str, int] = {}
    for ch, n in Counter(text).items():
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            script = next((code for prefix, code in SCRIPTS if name.startswith(prefix)), "other")
            counts[script] = counts.get(script, 0) + n
    return counts


def main_script(text: str) -> str | None:
    """The script most of the text's letters are in, or None for a text without letters."""
    counts = script_counts(text)
    return max(counts, key=lambda s: counts[s]) if counts else None
