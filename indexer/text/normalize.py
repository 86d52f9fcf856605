"""The one tokeniser: words of any script become folded tokens that point back to the words they came from.

Why one place: a quote only matches speech if both went through exactly the same folding, and a chapter title, a
search hit and a quote check must agree on what a word is. Transcripts come from Whisper (which writes "91", "2025",
"don't") and from caption files in Russian or Uzbek (Cyrillic or Latin with any of five apostrophe characters), while
users type "ninety-one", "twenty twenty-five", "dont" or "ozbek". So:

- words are split at Unicode word boundaries (any script); apostrophes inside a word are kept and unified; scripts
  written without spaces (Chinese, Japanese, Thai, Khmer...) become overlapping character bigrams, the usual
  language-neutral stand-in for words;
- case is folded, accents are stripped from Latin letters, but Cyrillic letters stay themselves (ё becomes е);
- runs of number words become digits (indexer.text.numbers);
- every token also gets a *key*, its coarse Latin skeleton (indexer.text.translit), so "Toshkent" finds "Тошкент";
- on request, written variants are folded too ("it's" -> "it is", "colour" -> "color": indexer.text.variants);
- stemming happens only where the language is known and has a stemmer measured to help it (indexer.text.stems).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from indexer.text.hanzi import simplified_table
from indexer.text.numbers import merge as merge_numbers
from indexer.text.numbers import scale_values
from indexer.text.stems import stem
from indexer.text.translit import APOSTROPHES, key
from indexer.text.variants import apply as apply_variants
from media.readable import split_spaceless

if TYPE_CHECKING:
    from indexer.text.analyzer import ClipTokenizer

__all__ = ["Token", "clip_analyzer", "fold", "key", "no_spaces", "number_scales", "pieces", "primary_language",
           "split_words", "stem", "text_words", "tokenize", "tokenize_text"]

def _token_re(letters: str) -> re.Pattern[str]:
    """Numbers, words (`letters`: a run of a word's letters; parts joined by an apostrophe), '%' and '&'."""
    return re.compile(
        r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![^\W_])|\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![^\W_])"
        r"|\d+(?:[.,]\d+)?(?![^\W_]))"
        rf"|(?P<word>{letters}(?:[{APOSTROPHES}]{letters})*)"
        r"|(?P<pct>[%\u066a])|(?P<amp>&)"
    )


_TOKEN_RE = _token_re(r"[^\W_]+")
# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana, CJK ideographs.
_NO_SPACES = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
_ORDINAL_RE = re.compile(r"(\d+)(?:st|nd|rd|th)")
_THOUSANDS_RE = re.compile(r",\d{3}")
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
# languages whose decimal mark is a dot, where "2.500" is two and a half; elsewhere it is 2500 ("2.500 Euro",
# "25.000 soldats", and Whisper writes German thousands so), as "2,5" there is two and a half
_DOT_DECIMALS = frozenset("en zh ja ko th he hi ar fa ur ms tl sw ta te bn my km lo".split())
# "%" as the language's words for it, so "20%" meets "zwanzig Prozent", "vingt pour cent" (English elsewhere)
_PERCENT = {"ru": ("процентов",), "uz": ("foiz",), "uk": ("відсотків",), "kk": ("пайыз",), "de": ("prozent",),
            "fr": ("pour", "cent"), "es": ("por", "ciento"), "it": ("per", "cento"), "pt": ("por", "cento")}
# ... and the word's other forms as that word, so "3%" meets "три процента" as "7%" meets "семь процентов"
_PERCENT_FORMS = {"ru": frozenset("процент процента процентов процентам процентами процентах проценте".split()),
                  "uk": frozenset("відсоток відсотки відсотка відсотків відсоткам відсотками відсотках".split())}
# "&" as the language's "and" (English elsewhere): captions write "resumes & schools reopen" for what was said
_AND = {"de": "und", "fr": "et", "es": "y", "it": "e", "pt": "e", "nl": "en", "ru": "и", "uk": "і", "be": "і",
        "bg": "и", "sr": "i", "hr": "i", "bs": "i", "pl": "i", "cs": "a", "sk": "a", "sl": "in", "sv": "och",
        "da": "og", "no": "og", "fi": "ja", "et": "ja", "hu": "es", "ro": "si", "tr": "ve", "az": "ve", "uz": "va",
        "kk": "және", "ky": "жана", "tg": "ва", "el": "και", "id": "dan", "ms": "dan", "lt": "ir", "lv": "un"}
_STOPS = ".,;:!?\u2026"


class Token(NamedTuple):
    """One normalised token and the source words it came from (a merged number may span several words).

    A NamedTuple, not a dataclass: a search builds thousands of them.
    """

    text: str  # folded form; numbers as digits
    key: str  # Latin skeleton for cross-script and spelling-variant matching
    first: int  # index of the first source word
    last: int  # index of the last source word (inclusive)

    @property
    def is_number(self) -> bool:
        return self.text[:1].isdigit()


def primary_language(language: str | None) -> str | None:
    """'en-US' -> 'en'; '' -> None."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return code or None


# Letters written two ways for one sound, folded to one: Turkish dotless ı (case-folding turns "I" into "i", so
# "IŞIKLAR" and "ışıklar" never met), Azerbaijani ə, which keyboards without it type as "e" ("Gence" for "Gəncə"),
# Arabic alef maqsura and the Persian forms of yeh and kaf; the Arabic tatweel
# (a stretching stroke inside a word) is dropped; Traditional Chinese characters are read as Simplified (hanzi.py).
_LETTERS = str.maketrans({"ı": "i", "ə": "e", "ى": "ي", "ی": "ي", "ک": "ك", "ـ": None, **simplified_table()})


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case-fold, unify apostrophes, strip Latin accents and other marks; Cyrillic letters keep their breves (й, ў),
    ё -> е; the letters of _LETTERS folded."""
    out = []
    for ch in word.casefold().translate(_LETTERS):
        if "\u0400" <= ch <= "\u04ff":
            out.append("е" if ch == "ё" else ch)
        elif ch in APOSTROPHES:
            out.append("'")
        else:
            out.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return "".join(out).strip("'")


_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _composed(text: str) -> str:
    """Text in composed form (NFC), less the marks that stay apart from their letter (Arabic vowel marks, the
    shadda, Russian stress accents, Hebrew points): the word pattern ends a word at a mark, so "Mu\u0308ller" (NFD,
    as macOS writes files), "الكُلى" and "моло́ко" fell into pieces that matched nothing. Invisible format
    characters go too (a soft hyphen, a zero-width space or joiner, a direction mark, copied with a web page's
    text): "nego\u00adtiations" was two words."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return "".join(c for c in text if not unicodedata.combining(c)) if any(map(unicodedata.combining, text)) else text


def no_spaces(text: str) -> bool:
    """True for text in a script written without spaces between words."""
    return _NO_SPACES.search(text) is not None


def _bigrams(word: str) -> list[str]:
    """A word of a spaceless script as overlapping character bigrams; any other word as itself."""
    if len(word) < 3 or word.isascii() or not no_spaces(word):
        return [word]
    return [word[i:i + 2] for i in range(len(word) - 1)]


# a word as written, with the marks that stay apart from their letter inside it (Arabic vowel marks, Hebrew points,
# combining accents) and Persian's zero-width non-joiner (or joiner) between its parts: "خانواده‌ها" and "الْحُكُومَةُ"
# are one word each, where the letters alone made "خانواده" and "ها", "ال" and "ح"
_MARK = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
_WRITTEN_RE = _token_re(rf"[^\W_](?:[^\W_]|[{_MARK}]|[\u200c\u200d](?=[^\W_]))*")


def pieces(text: str) -> list[str]:
    """The word-like pieces of a text as written: words (bigrams in spaceless scripts), numbers, '%', '&'."""
    out: list[str] = []
    for m in _WRITTEN_RE.finditer(text):
        out.extend(_bigrams(m.group()) if m.lastgroup == "word" else (m.group(),))
    return out


@lru_cache(maxsize=200_000)
def split_words(text: str, language: str | None = None, *, whole: bool = False) -> tuple[str, ...]:
    """The pieces of one string, folded ('%' becomes the language's word for percent, '&' its "and"); a word of a
    spaceless script as its bigrams, or `whole`. Cached: a transcript is read word by word, and words repeat
    (indexing, chapters and article links all read the same words)."""
    out: list[str] = []
    lang = primary_language(language)  # once, not per word: a number's reading and the forms of "percent" need it
    percent_forms = _PERCENT_FORMS.get(lang or "", frozenset())
    if language == "uz" and ("ё" in text or "Ё" in text):
        # Uzbek's Cyrillic ё is Latin "yo" ("ёмғир", "yomg'ir"); folding makes ё an е, as Russian writes it for ё
        text = text.replace("ё", "йо").replace("Ё", "Йо")
    for m in _TOKEN_RE.finditer(_composed(text)):
        kind, piece = m.lastgroup, m.group()
        if kind == "word":
            for word in (piece,) if whole else _bigrams(piece):
                folded = fold(word)
                ordinal = _ORDINAL_RE.fullmatch(folded)  # "14th" reads as "fourteenth", which becomes "14"
                if folded in percent_forms:
                    out.extend(_PERCENT[lang or ""])
                elif folded:
                    out.append(ordinal.group(1) if ordinal else folded)
        elif kind == "num":
            out.append(_number(piece, lang))
        elif kind == "amp":
            out.append(_AND.get(lang or "", "and"))
        else:
            out.extend(_PERCENT.get(language or "", ("percent",)))
    return tuple(out)


def _number(piece: str, lang: str | None) -> str:
    """A number as written, with a dot for its decimal mark and no grouping: "20,000" and, outside the languages
    that write decimals with a dot (`lang`: a primary code), "20.000" -> "20000"; "2,5" -> "2.5"."""
    if lang and lang not in _DOT_DECIMALS and _DOT_GROUPS.fullmatch(piece):
        return piece.replace(".", "").replace(",", ".")
    return piece.replace(",", "") if _THOUSANDS_RE.search(piece) else piece.replace(",", ".")


def tokenize(words: Sequence[str], language: str | None = None, *, variants: bool = False,
             numbers: bool = True, runs: bool = True) -> list[Token]:
    """Normalised tokens of a word sequence (Whisper words, or a query split on spaces), numbers merged.

    `variants`: fold written variants as well (contractions, spelling), for callers comparing two texts.
    `numbers=False` leaves number words as words, for callers that count words rather than match them (chapters).
    `runs=False` reads each word of a spaceless script alone (a caller that made its bigrams already).
    """
    lang = primary_language(language)
    if runs and _NO_SPACES.search("".join(words)):  # one search over the text: most texts need no runs
        raw = _raw_pieces(words, lang)
    else:
        raw = [(p, i, i) for i, w in enumerate(words) for p in split_words(w, lang)]
    raw = _elided(raw, words)
    if lang == "fa":
        raw = _persian_joined(raw, words)
    if variants:
        raw = apply_variants(raw, lang)
    if not numbers:
        return [Token(text, key(text), first, last) for text, first, last in raw]
    stops = [(k + 1 == len(raw) or raw[k + 1][1] != last) and words[last].rstrip()[-1:] in _STOPS
             for k, (_, _, last) in enumerate(raw)]  # numbers never run across a comma or a full stop
    merged = merge_numbers([p for p, _, _ in raw], stops, lang)
    return [Token(text, key(text), raw[a][1], raw[b][2]) for text, a, b in merged]


# Persian writes a verb's "mi-" and a noun's plural "-ha" (and the perfect's "-and") joined to the word by a
# zero-width non-joiner, but a keyboard or a recogniser often puts a space there: "می کند", "خیابان ها". Folded forms.
_FA_PREFIXES = frozenset({"مي", "نمي"})
_FA_SUFFIXES = frozenset({"ها", "هاي", "هايي", "هايم", "هايت", "هايش", "هايمان", "هايتان", "هايشان", "ترين", "اند",
                          "ايم", "ايد"})


def _persian_joined(raw: list[tuple[str, int, int]], words: Sequence[str]) -> list[tuple[str, int, int]]:
    """Persian's prefixes and suffixes written apart joined to their word, as the non-joiner writes them: "می کند"
    is "می‌کند" and "خیابان ها" is "خیابان‌ها". A quote typed with spaces read as changed words ("'ها' was not
    said") where the transcript had the non-joiner, and a transcript written with spaces was not found by the word
    typed whole. Only across a space between two words (no mark between them), each piece a whole word."""
    out: list[tuple[str, int, int]] = []
    for piece, a, b in raw:
        if out and out[-1][2] == a - 1 and words[a - 1].strip()[-1:].isalpha() and words[a].strip()[:1].isalpha():
            before = out[-1][0]
            if (before in _FA_PREFIXES and out[-1][1] == out[-1][2]) or (piece in _FA_SUFFIXES and a == b):
                out[-1] = (before + piece, out[-1][1], b)
                continue
        out.append((piece, a, b))
    return out


def _elided(raw: list[tuple[str, int, int]], words: Sequence[str]) -> list[tuple[str, int, int]]:
    """A recogniser writes "l'heure", "c'est", "qu'un", "don't" as two words ("l", "'heure"): the piece after the
    apostrophe goes back on the word before, as a caption file or a typed query writes it, where it is a clitic (3
    letters at most) or the word before an elision (1-2 letters, or ending in "qu"). A quoted word after a space
    ("said 'Hello'", "said 'no'") stays apart. Without this, "l'heure" typed met nothing of a French recording."""
    if not any(w[:1] in APOSTROPHES for w in words):
        return raw
    out: list[tuple[str, int, int]] = []
    for piece, a, b in raw:
        word = words[a]
        if out and a == b and out[-1][2] == a - 1 and word[:1] in APOSTROPHES and out[-1][0].isalpha() \
                and word.rstrip(_STOPS)[-1:] not in APOSTROPHES \
                and (len(piece) <= 3 or len(out[-1][0]) <= 2 or out[-1][0].endswith("qu")):
            text, first, _ = out.pop()
            out.append((f"{text}'{piece}", first, b))
        else:
            out.append((piece, a, b))
    return out


def _raw_pieces(words: Sequence[str], lang: str | None) -> list[tuple[str, int, int]]:
    """Each word's folded pieces (piece, first word, last word); a run of a spaceless script as its bigrams, across
    words too. A recogniser (and a caption file cut into characters) gives Chinese or Japanese as words of one or two
    characters: bigrams word by word never made "李明" of "李" "明", so a query typed whole met nothing."""
    raw: list[tuple[str, int, int]] = []
    run: list[tuple[str, int]] = []  # (character, word) of the spaceless run being read

    def close() -> None:
        if len(run) == 1:
            raw.append((run[0][0], run[0][1], run[0][1]))
        raw.extend((a + b, i, j) for (a, i), (b, j) in zip(run, run[1:]))
        run.clear()

    for i, w in enumerate(words):
        for n, piece in enumerate(split_words(w, lang, whole=True)):
            if piece.isascii() or not no_spaces(piece):
                close()
                raw.append((piece, i, i))
                continue
            # a run goes on into this word when nothing stands between (a comma or a full stop ends it)
            if not (run and n == 0 and run[-1][1] == i - 1 and no_spaces(words[i - 1].rstrip()[-1:])
                    and no_spaces(w.lstrip()[:1])):
                close()
            run.extend((c, i) for c in piece)
    close()
    return raw


def number_scales(token: Token, words: Sequence[str], language: str | None = None) -> list[str]:
    """The scale words a number token was said with, as the tokens a query of each alone makes: "3 million" is the
    token 3000000, and a query "million" is 1000000. The index holds these beside the number, so that a search for
    the word said finds it (the number's own token is left out)."""
    if not token.text[:1].isdigit() or token.first == token.last and token.text == words[token.first]:
        return []
    lang = primary_language(language)
    pieces = [p for w in words[token.first:token.last + 1] for p in split_words(w, lang)]
    return [v for v in scale_values(pieces, lang) if v != token.text]


@lru_cache(maxsize=64)
def percent_words(language: str | None) -> frozenset[str]:
    """The tokens "%" is read as in the language ("percent"; Russian "процентов"; French "pour", "100")."""
    return frozenset(t.text for t in tokenize(["%"], language))


def text_words(text: str) -> list[str]:
    """A free text's words: between spaces, and Chinese or Japanese a character each (as caption files are read)."""
    return [word for token in text.split() for word in split_spaceless(token)]


@lru_cache(maxsize=512)
def tokenize_text(text: str, language: str | None = None) -> tuple[Token, ...]:
    """Tokens of a free text, with word indices into `text_words(text)` (cached: queries repeat)."""
    return tuple(tokenize(text_words(text), language))


def clip_analyzer(language: str | None = None) -> ClipTokenizer:
    """Whoosh analyzer: our tokens, stemmed when the language is known and has a stemmer (indexer.text.analyzer)."""
    # deferred: Whoosh takes a tenth of a second to import (indexer.text.stems); the analyzer imports this module
    from indexer.text.analyzer import clip_analyzer as analyzer

    return analyzer(language)
