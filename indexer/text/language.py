"""Which language a text is in, without a model: its script first, then its stop words.

Why no model: an article's language decides how it is linked (directly, or through a translation of the speech),
and loading an article must not download anything. The script settles most languages outright (Greek, Hebrew,
Korean, Thai...); Cyrillic is told apart by the letters only Uzbek, Ukrainian or Kazakh use; Latin-script languages
by the share of their words that are stop words (indexer.text.stopwords), counted on the text's folded words; a
long text whose whole is unclear (a programme with a long untranslated interview) goes by the majority of its
stretches.
"und" (undetermined) when the text is too short or no language stands out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from indexer.text.normalize import fold, pieces
from indexer.text.stopwords import languages, stop_words

UNDETERMINED = "und"
_MIN_LETTERS = 20
_VOTE_CHARS = 2000  # past this length a text's stretches of this size vote (_by_vote); 30 of them at most
_VOTES = 30
_SCRIPTS = [("CYRILLIC", "cyrl"), ("ARABIC", "ar"), ("GREEK", "el"), ("HEBREW", "he"), ("HANGUL", "ko"),
            ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("CJK", "zh"), ("DEVANAGARI", "hi"), ("THAI", "th"),
            ("GEORGIAN", "ka"), ("ARMENIAN", "hy"), ("LATIN", "latn")]
_CYRILLIC_LISTS = ("ru",)  # stop-word lists written in Cyrillic (Uzbek's is in Latin: its Cyrillic has own letters)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language by script and stop words, or "und" when the text is too short/unclear."""
    counts = _script_counts(text[:20000])
    total = sum(counts.values())
    if total < _MIN_LETTERS:
        return UNDETERMINED
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n < 0.6 * total or script == "other":
        return UNDETERMINED
    if script == "cyrl":
        return _cyrillic(text)
    if script == "latn":
        latin = [k for k in languages() if k not in _CYRILLIC_LISTS]
        return _by_stop_words(text, latin) if len(text) < _VOTE_CHARS else _by_vote(text, latin)
    if script == "ar" and re.search("[پچژگ]", text):
        return "fa"
    return "ja" if script == "zh" and counts.get("ja") else script


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            script = next((code for prefix, code in _SCRIPTS if name.startswith(prefix)), "other")
            counts[script] = counts.get(script, 0) + 1
    return counts


def _cyrillic(text: str) -> str:
    lower = text.lower()
    if re.search("[ўқғҳ]", lower):
        return "uz"
    if re.search("[іїєґ]", lower) and not re.search("[ыэ]", lower):
        return "uk"
    if re.search("[әөұүңһ]", lower):
        return "kk"
    return _by_stop_words(text, ["ru"], floor=0.05)


def _by_vote(text: str, candidates: list[str]) -> str:
    """A long text that quotes another language at length (a news programme with an interview left untranslated,
    an article with a long foreign quote) may miss the stop-word margin as a whole: then each stretch of about
    `_VOTE_CHARS` characters is read on its own, and the language of most of the stretches wins."""
    whole = _by_stop_words(text, candidates)
    if whole != UNDETERMINED:
        return whole
    words = text[:_VOTE_CHARS * _VOTES].split()
    size = max(1, len(words) * _VOTE_CHARS // max(1, len(" ".join(words))))
    votes = Counter(_by_stop_words(" ".join(words[i:i + size]), candidates) for i in range(0, len(words), size))
    votes.pop(UNDETERMINED, None)
    if not votes:
        return UNDETERMINED
    lang, n = votes.most_common(1)[0]
    stretches = -(-len(words) // size)
    return lang if n > stretches / 2 else UNDETERMINED


def _by_stop_words(text: str, candidates: list[str], floor: float = 0.08) -> str:
    """The candidate whose stop words make up the largest share of the text, if clearly ahead of the next.

    A word on several candidates' lists ("de", "a", "in") counts for each of them in part, so that neighbouring
    languages are told apart by the words they do not share.
    """
    words = [fold(w) for w in pieces(text[:60000]) if not any(c.isdigit() for c in w)][:3000]
    if len(words) < 5:
        return UNDETERMINED
    lists = {lang: stop_words(lang) for lang in candidates}
    weight = {w: 1.0 / n for w in set(words) if (n := sum(w in s for s in lists.values()))}
    shares = sorted(((sum(weight[w] for w in words if w in s) / len(words), lang) for lang, s in lists.items()),
                    reverse=True)
    best, lang = shares[0]
    second = shares[1][0] if len(shares) > 1 else 0.0
    return lang if best >= floor and best >= 1.5 * second else UNDETERMINED
