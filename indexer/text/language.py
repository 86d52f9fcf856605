"""Which language a text is in: its script first, then its letters and stop words, then CLD3 where installed.

Why nothing that downloads: an article's language decides how it is linked (directly, or through a translation of
the speech), a caption file's decides its chapters and search, and neither may download anything. The script
settles most languages outright (Greek, Hebrew, Korean, Thai...); Cyrillic is told apart by the letters only
Tajik, Belarusian, Kazakh, Uzbek or Ukrainian use; Latin-script languages by the share of their words that are stop
words (indexer.text.stopwords, eleven languages), counted on the text's folded words. A long text whose whole is
unclear (a programme with a long untranslated interview, in the same script or another) goes by the language of
most of its stretches.

Then Google's CLD3 (the `cld3-py` package of the `models` extra: a small neural network compiled into the wheel,
107 languages) reads the text too. Where it is sure (reliable, probability 0.9 or more; 0.7 where the first reading
found nothing) of a language Whisper knows, its answer wins: it knows the languages that have no stop-word list
here (Swedish, Czech, Hungarian ...) and tells Bulgarian or Serbian from Russian and Catalan from Spanish, which
stop words cannot (for Bosnian, Croatian and Serbian, whose probability CLD3 shares out among the three, half
as sure is enough; a text in Latin letters is never named as a language Whisper writes in another script, which
CLD3 did for noise: "la la la" read as Japanese). Uzbek stays ours: CLD3 reads Uzbek Cyrillic as Tajik.
Without the package, the first reading stands.
"und" (undetermined) when the text is too short or no language stands out.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from indexer.languages import WHISPER_LANGUAGES
from indexer.text.normalize import fold, pieces
from indexer.text.scripts import script_counts
from indexer.text.stopwords import languages, stop_words

UNDETERMINED = "und"
_MIN_LETTERS = 20
_VOTE_CHARS = 2000  # past this length a text's stretches of this size vote (_by_vote); 30 of them at most
_VOTES = 30
_TURKIC_LETTERS = re.compile("[ıİğĞşŞəƏ]")  # Turkish and Azerbaijani letters that Uzbek's Latin alphabet has not
_CYRILLIC_LISTS = ("ru",)  # stop-word lists written in Cyrillic (Uzbek's is in Latin: its Cyrillic has own letters)
_OTHER_SCRIPT_LISTS = ("ja", "zh", "ar", "fa")  # read by their script, not their stop words


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (as Whisper names it), or "und" when the text is too short/unclear."""
    counts = script_counts(text[:20000])
    if sum(counts.values()) < _MIN_LETTERS:  # too short for anyone to tell
        return UNDETERMINED
    own = _own_reading(text, counts)
    if own == "uz":  # Turkish and Azerbaijani share Uzbek's short words ("bir", "bu"), not these letters
        if not _TURKIC_LETTERS.search(text):
            return own
        return _cld3(text, _CLD3_ENOUGH) or ("az" if re.search("[əƏ]", text) else "tr")
    found = _cld3(text, _CLD3_SURE if own != UNDETERMINED else _CLD3_ENOUGH)
    if found in _NOT_LATIN and counts.get("latn", 0) >= 0.6 * sum(counts.values()):
        return own  # CLD3 read Latin letters as a language Whisper writes in another script ("la la la": Japanese)
    return found or own


def _own_reading(text: str, counts: dict[str, int] | None = None) -> str:
    """The reading by script, letters and stop words (`counts`: the text's `script_counts`, where known)."""
    counts = script_counts(text[:20000]) if counts is None else counts
    total = sum(counts.values())
    if total < _MIN_LETTERS:
        return UNDETERMINED
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n < 0.6 * total or script == "other":  # no script holds most of it: a long text goes by its stretches
        return _majority(text, _own_reading) if len(text) >= 2 * _VOTE_CHARS else UNDETERMINED
    if script == "cyrl":
        return _cyrillic(text)
    if script == "latn":
        latin = [k for k in languages() if k not in _CYRILLIC_LISTS + _OTHER_SCRIPT_LISTS]
        return _by_stop_words(text, latin) if len(text) < _VOTE_CHARS else _by_vote(text, latin)
    if script == "ar" and re.search("[پچژگ]", text):
        return "fa"
    return "ja" if script == "zh" and counts.get("ja") else script


def _cyrillic(text: str) -> str:
    """By letters that one of these languages alone uses (Uzbek's ў қ ғ ҳ are partly Tajik's, Kazakh's and
    Belarusian's too, so those are asked first), else Russian if its stop words are there."""
    lower = text.lower()
    if re.search("[ӣӯҷ]", lower):
        return "tg"
    if "ў" in lower and "і" in lower:
        return "be"
    if re.search("[әөұүңһ]", lower):
        return "kk"
    if re.search("[ўқғҳ]", lower):
        return "uz"
    if re.search("[іїєґ]", lower) and not re.search("[ыэ]", lower):
        return "uk"
    return _by_stop_words(text, ["ru"], floor=0.05)


_CLD3_SURE = 0.9  # the probability at which CLD3 overrules the first reading
_CLD3_ENOUGH = 0.7  # ... and at which it names a text the first reading left undetermined
_CLD3_BYTES = 20000
_CLD3_NAMES = {"iw": "he", "jv": "jw", "fil": "tl"}  # CLD3's codes that Whisper spells otherwise
# Standards of one language that CLD3 spreads its probability over: a Croatian text reads as Bosnian 0.53 or
# Croatian 0.51, never near the floor, where every other Latin-script language tried read at 0.99-1.0. For these the
# floor is halved: the best of the group at half the floor is the group at the floor.
_CLD3_SHARED = frozenset({"bs", "hr", "sr"})
# Languages that Whisper writes in a script other than Latin: CLD3's reading of a Latin-script text as one of these
# is a romanisation or a guess at noise, not a language to transcribe or stem as.
_NOT_LATIN = frozenset("am ar as ba be bg bn bo el fa gu he hi hy ja ka kk km kn ko lo mk ml mn mr my ne pa ps ru sa "
                       "sd si ta te tg th tt uk ur yi zh".split())
_cld3_lock = threading.Lock()
_cld3_reader: list[Any] = []


def _cld3(text: str, floor: float) -> str | None:
    """CLD3's reading of the text when it is reliable and `floor` sure of a language Whisper knows; None without the
    package."""
    with _cld3_lock:
        if not _cld3_reader:
            try:
                import gcld3  # deferred: optional (the `models` extra), a compiled network of about 1 MB
            except ImportError:
                _cld3_reader.append(None)
            else:
                _cld3_reader.append(gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=_CLD3_BYTES))
        reader = _cld3_reader[0]
        if reader is None:
            return None
        found = reader.FindLanguage(text=text[:_CLD3_BYTES])
    code = _CLD3_NAMES.get(found.language, found.language)
    if code in _CLD3_SHARED:
        floor /= 2
    if not found.is_reliable or found.probability < floor or code not in WHISPER_LANGUAGES:
        return None
    return str(code)


def _by_vote(text: str, candidates: list[str]) -> str:
    """A long text that quotes another language at length (a news programme with an interview left untranslated,
    an article with a long foreign quote) may miss the stop-word margin as a whole: then its stretches vote."""
    whole = _by_stop_words(text, candidates)
    if whole != UNDETERMINED:
        return whole
    return _majority(text, lambda stretch: _by_stop_words(stretch, candidates))


def _majority(text: str, read: Callable[[str], str]) -> str:
    """Each stretch of about `_VOTE_CHARS` characters read on its own; the language of most of the stretches (of
    all of them, undetermined ones included), or "und". A Russian programme with Uzbek or English interviews in
    another script, or a Latin-script one with long foreign quotes, is in the language most of it is in."""
    words = text[:_VOTE_CHARS * _VOTES].split()
    size = max(1, len(words) * _VOTE_CHARS // max(1, len(" ".join(words))))
    votes = Counter(read(" ".join(words[i:i + size])) for i in range(0, len(words), size))
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
