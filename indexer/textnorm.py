"""Language-neutral text normalisation for search: one tokeniser for the index, the queries and the aligner.

Why one place: a quote only matches speech if both went through exactly the same folding. Transcripts come from
Whisper (which writes "91", "2025", "don't") and from caption files in Russian or Uzbek (Cyrillic or Latin with any
of five apostrophe characters), while users type "ninety-one", "twenty twenty-five", "dont" or "ozbek". So:

- words are split at Unicode word boundaries (any script); apostrophes inside a word are kept and unified;
- case is folded, accents are stripped from Latin letters, but Cyrillic letters stay themselves (ё becomes е);
- runs of number words become digits ("ninety one" -> "91", "two thousand and twenty five" -> "2025",
  "twenty twenty-five" -> "2025", "две тысячи двадцать пятом" -> "2025", "ikki ming" -> "2000");
- every token also gets a *key*: a coarse Latin skeleton (Cyrillic transliterated, apostrophes dropped, kh/x/h,
  y/i, doubled letters merged) so "Toshkent" finds "Тошкент" and "ozbek" finds "oʻzbek";
- stemming happens only where the language is known and Whoosh has a stemmer for it (see `stem`).

The number-word tables that apply depend on the language: Uzbek Latin number words collide with English words
("o'n", "ming"), so they are used only when the language is "uz".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.lang import has_stemmer, stemmer_for_language

APOSTROPHES = "'\u2019\u2018\u02bb\u02bc\u02b9`\u00b4"
_APOS_RE = re.compile(f"[{APOSTROPHES}]")
_TOKEN_RE = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![^\W_])|\d+(?:[.,]\d+)?(?![^\W_]))"
    rf"|(?P<word>[^\W_]+(?:[{APOSTROPHES}][^\W_]+)*)"
    r"|(?P<pct>%)"
)
_ORDINAL_RE = re.compile(r"(\d+)(?:st|nd|rd|th)")
_PERCENT = {"ru": "процентов", "uz": "foiz"}

# Number words: word -> (value, kind). Kinds drive which word may follow which (see _NEXT).
NumEntry = tuple[float, str]
_EN_ONES = "zero one two three four five six seven eight nine".split()
_EN_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_ORD = dict(first=1, third=3, fourth=4, fifth=5, sixth=6, seventh=7, eighth=8, ninth=9, tenth=10, eleventh=11,
               twelfth=12)
_SCALES_EN = dict(thousand=1e3, million=1e6, billion=1e9, trillion=1e12)


def _en_table() -> dict[str, NumEntry]:
    t: dict[str, NumEntry] = {w: (float(i), "unit") for i, w in enumerate(_EN_ONES)}
    t.update({w: (10.0 + i, "teen") for i, w in enumerate(_EN_TEENS)})
    t.update({w: (20.0 + 10 * i, "tens") for i, w in enumerate(_EN_TENS)})
    t.update({w + "th": (13.0 + i, "teen") for i, w in enumerate(_EN_TEENS[3:])})
    t.update({w[:-1] + "ieth": (20.0 + 10 * i, "tens") for i, w in enumerate(_EN_TENS)})
    t.update({w: (float(v), "unit" if v < 10 else "teen") for w, v in _EN_ORD.items()})
    t["hundredth"], t["thousandth"] = (100.0, "hundred"), (1e3, "scale")
    t["hundred"] = (100.0, "hundred")
    t.update({w: (v, "scale") for w, v in _SCALES_EN.items()})
    return t


def _ru_table() -> dict[str, NumEntry]:
    groups: list[tuple[str, float, str]] = [
        ("ноль нуля", 0, "unit"), ("один одна одно одного одной одному одном одним одну", 1, "unit"),
        ("два две двух двум двумя", 2, "unit"), ("три трех трем тремя", 3, "unit"),
        ("четыре четырех четырем четырьмя", 4, "unit"), ("пять пяти пятью", 5, "unit"), ("шесть шести", 6, "unit"),
        ("семь семи", 7, "unit"), ("восемь восьми", 8, "unit"), ("девять девяти", 9, "unit"),
        ("сорок сорока", 40, "tens"), ("девяносто девяноста", 90, "tens"), ("сто ста", 100, "hundreds"),
        ("тысяча тысячи тысяч тысячу тысячах тысячам", 1e3, "scale"),
        ("миллион миллиона миллионов миллионах", 1e6, "scale"), ("миллиард миллиарда миллиардов", 1e9, "scale"),
    ]
    teens = "десят одиннадцат двенадцат тринадцат четырнадцат пятнадцат шестнадцат семнадцат восемнадцат девятнадцат"
    tens = {20: "двадцат", 30: "тридцат", 50: "пятидесят", 60: "шестидесят", 70: "семидесят", 80: "восьмидесят"}
    t: dict[str, NumEntry] = {w: (float(v), k) for words, v, k in groups for w in words.split()}
    t.update({s + e: (10.0 + i, "teen") for i, s in enumerate(teens.split()) for e in ("ь", "и")})
    t.update({s + e: (float(v), "tens") for v, s in tens.items() for e in ("ь", "и")})
    t.update({"пятьдесят": (50.0, "tens"), "шестьдесят": (60.0, "tens"), "семьдесят": (70.0, "tens"),
              "восемьдесят": (80.0, "tens")})
    hundreds = "двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот".split()
    obl = "двухсот трехсот четырехсот пятисот шестисот семисот восьмисот девятисот".split()
    for i, (a, b) in enumerate(zip(hundreds, obl)):
        t[a] = t[b] = (200.0 + 100 * i, "hundreds")
    ords = dict(перв=1, втор=2, четверт=4, пят=5, шест=6, седьм=7, восьм=8, девят=9, сороков=40, девяност=90,
                тысячн=1000)
    ords.update({s: 10 + i for i, s in enumerate(teens.split())})
    ords.update({s: v for v, s in tens.items()})
    ends = "ый ой ий ого ому ом ая ую ое ые ых ым".split()
    for stem, v in ords.items():
        kind = "unit" if v < 10 else "teen" if v < 20 else "tens" if v < 100 else "scale"
        t.update({stem + e: (float(v), kind) for e in ends})
    t.update({w: (3.0, "unit") for w in "третий третьего третьему третьем третья третью третье".split()})
    return t


def _uz_table() -> dict[str, NumEntry]:
    ones = "nol bir ikki uch to'rt besh olti yetti sakkiz to'qqiz".split()
    tens = "o'n yigirma o'ttiz qirq ellik oltmish yetmish sakson to'qson".split()
    t: dict[str, NumEntry] = {}
    for i, w in enumerate(ones):
        t[w] = t[w + ("nchi" if w[-1] in "aeiou" else "inchi")] = (float(i), "unit")
    for i, w in enumerate(tens):
        t[w] = t[w + ("nchi" if w[-1] in "aeiou" else "inchi")] = (10.0 * (i + 1), "tens")
    t.update(yuz=(100.0, "hundred"), ming=(1e3, "scale"), million=(1e6, "scale"), milliard=(1e9, "scale"))
    return {key(w): v for w, v in t.items()}  # looked up by key, so Cyrillic and Latin Uzbek both work


# Which kind of number word may follow which; None is the start of a number.
_NEXT: dict[str | None, set[str]] = {
    None: {"digit", "unit", "teen", "tens", "hundred", "hundreds", "scale"},
    "digit": {"hundred", "scale"}, "unit": {"hundred", "scale"}, "teen": {"hundred", "scale"},
    "tens": {"unit", "hundred", "scale"}, "hundred": {"unit", "teen", "tens", "scale"},
    "hundreds": {"unit", "teen", "tens", "scale"}, "scale": {"unit", "teen", "tens", "hundreds"},
}

_CYR_LAT = dict(zip("абвгдезийклмнопрстуфхыэқҳіїєґәөүұһ", "abvgdeziyklmnoprstufxyeqhiiegaouuh"))
_CYR_LAT.update({"ж": "j", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "ю": "yu", "я": "ya",
                 "ё": "e", "ў": "o'", "ғ": "g'", "ң": "ng"})
_KEY_STEPS = (("shch", "ş"), ("sh", "ş"), ("ch", "ç"), ("zh", "j"), ("kh", "x"), ("ts", "c"), ("h", "x"),
              ("y", "i"), ("w", "v"), ("q", "k"))
_DOUBLE_RE = re.compile(r"(.)\1+")


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


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case-fold, unify apostrophes, strip Latin accents; Cyrillic letters keep their breves (й, ў), ё -> е."""
    out = []
    for ch in word.casefold():
        if "\u0400" <= ch <= "\u04ff":
            out.append("е" if ch == "ё" else ch)
        elif ch in APOSTROPHES:
            out.append("'")
        else:
            out.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return "".join(out).strip("'")


@lru_cache(maxsize=200_000)
def key(text: str) -> str:
    """Coarse Latin skeleton: transliterate Cyrillic, drop apostrophes, merge common romanisation variants."""
    if text[:1].isdigit():
        return text  # numbers are compared exactly ("1998" is not "198")
    s = _APOS_RE.sub("", "".join(_CYR_LAT.get(c, c) for c in text))
    for a, b in _KEY_STEPS:
        s = s.replace(a, b)
    s = _DOUBLE_RE.sub(r"\1", s)
    return "e" + s[2:] if s.startswith("ie") else s


@lru_cache(maxsize=64)
def _number_table(language: str | None) -> dict[str, NumEntry]:
    if language == "ru":
        return _ru_table()
    if language == "uz":
        return _uz_table()
    if language == "en":
        return _en_table()
    return {**_en_table(), **_ru_table()}


def split_words(text: str, language: str | None = None) -> list[str]:
    """The raw word-like pieces of one string, folded ('%' becomes the language's word for percent)."""
    out = []
    for m in _TOKEN_RE.finditer(text):
        if m.group("num"):
            num = m.group("num")
            out.append(num.replace(",", "") if re.search(r",\d{3}", num) else num.replace(",", "."))
        elif m.group("pct"):
            out.append(_PERCENT.get(language or "", "percent"))
        else:
            folded = fold(m.group("word"))
            ordinal = _ORDINAL_RE.fullmatch(folded)  # "14th" reads as "fourteenth", which becomes "14"
            if folded:
                out.append(ordinal.group(1) if ordinal else folded)
    return out


def tokenize(words: Sequence[str], language: str | None = None) -> list[Token]:
    """Normalised tokens of a word sequence (Whisper words, or a query split on spaces), numbers merged."""
    lang = primary_language(language)
    raw = [(piece, i) for i, w in enumerate(words) for piece in split_words(w, lang)]
    stops = _stops(raw, words)
    table = _number_table(lang)
    lookup: Callable[[str], NumEntry | None] = (lambda t: table.get(key(t))) if lang == "uz" else table.get
    out: list[Token] = []
    i = 0
    while i < len(raw):
        end, value, spoken = _parse_number([p for p, _ in raw[i:i + 12]], stops[i:i + 12], lookup)
        if end:
            text = _fmt(value)
            if spoken and out and not stops[i - 1] and _is_year_pair(out[-1], value, raw[i - 1][0]):
                text, first = f"{int(float(out[-1].text)) * 100 + int(value)}", out.pop().first
            else:
                first = raw[i][1]
            out.append(Token(text, text, first, raw[i + end - 1][1]))
            i += end
        else:
            out.append(Token(raw[i][0], key(raw[i][0]), raw[i][1], raw[i][1]))
            i += 1
    return out


_tokens_of = tokenize  # ClipTokenizer.__call__ has a parameter named `tokenize`


@lru_cache(maxsize=512)
def tokenize_text(text: str, language: str | None = None) -> tuple[Token, ...]:
    """Tokens of a free text, with word indices into `text.split()` (cached: queries repeat)."""
    return tuple(tokenize(text.split(), language))


def _is_year_pair(prev: Token, value: float, prev_word: str) -> bool:
    """'nineteen ninety', 'twenty twenty-five': two spoken numbers 18..20 and 10..99 in a row read as a year."""
    if not (prev.text.isdigit() and prev_word.isalpha() and 10 <= value < 100 and value == int(value)):
        return False
    return 18 <= int(prev.text) <= 20 and prev.first == prev.last


def _stops(raw: list[tuple[str, int]], words: Sequence[str]) -> list[bool]:
    """True for a piece that ends its word with punctuation: numbers never run across a comma or a full stop."""
    return [(k + 1 == len(raw) or raw[k + 1][1] != i) and words[i].rstrip()[-1:] in ".,;:!?\u2026"
            for k, (_, i) in enumerate(raw)]


def _parse_number(pieces: list[str], stops: list[bool],
                  lookup: Callable[[str], NumEntry | None]) -> tuple[int, float, bool]:
    """Longest number at the start of pieces: (pieces used, value, made only of words). (0, 0, False) if none."""
    total, cur, last, j, min_scale = 0.0, 0.0, None, 0, float("inf")
    while j < len(pieces) and not (j and stops[j - 1]):
        piece = pieces[j]
        entry: NumEntry | None = _digits(piece) if piece[:1].isdigit() else lookup(piece)
        if piece in ("and", "и", "va") and last in ("hundred", "scale") and j + 1 < len(pieces):
            if lookup(pieces[j + 1]):
                j += 1
                continue
        if piece == "a" and last is None and j + 1 < len(pieces) and (lookup(pieces[j + 1]) or ("", ""))[1] in (
                "hundred", "scale"):
            j += 1  # "a hundred", "a million"
            continue
        if piece == "point" and last in ("unit", "teen", "tens") and j + 1 < len(pieces):
            digits = _decimal_digits(pieces[j + 1:], lookup)
            if digits:
                cur, j = float(f"{int(cur)}.{digits}"), j + 1 + len(digits)
                last = "digit"
                continue
        if entry is None or entry[1] not in _NEXT[last]:
            break
        value, kind = entry
        if kind == "hundred":
            if cur >= 100:
                break
            cur = (cur or 1) * 100
        elif kind == "scale":
            if value >= min_scale:
                break
            total, cur, min_scale = total + (cur or 1) * value, 0.0, value
        else:
            cur += value
        last, j = kind, j + 1
        if kind == "unit" and value == 0:
            break
    if j == 0:
        return 0, 0.0, False
    spoken = all(not p[:1].isdigit() for p in pieces[:j])
    return j, total + cur, spoken and (total + cur) < 100


def _decimal_digits(pieces: list[str], lookup: Callable[[str], NumEntry | None]) -> str:
    digits = ""
    for p in pieces:
        entry = lookup(p)
        if not entry or entry[1] != "unit" or entry[0] > 9:
            break
        digits += str(int(entry[0]))
    return digits


def _digits(piece: str) -> NumEntry | None:
    """A digit token as a number ('1990s' and 30-digit strings stay words)."""
    if len(piece) > 15 or not re.fullmatch(r"\d+(?:\.\d+)?", piece):
        return None
    return float(piece), "digit"


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.6f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=16)
def _stemmer(language: str) -> Callable[[str], str] | None:
    return stemmer_for_language(language) if has_stemmer(language) else None


@lru_cache(maxsize=200_000)
def stem(text: str, language: str | None) -> str:
    """The language's stem of a folded token, or the token itself (unknown language, no stemmer, digits)."""
    fn = _stemmer(language) if language else None
    return fn(text) if fn and not text[:1].isdigit() else text


def is_cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


class ClipTokenizer(Tokenizer):
    """A Whoosh tokenizer applying `tokenize`, for callers who want our normalisation inside their own fields.

    The search index itself stores pre-analysed token strings (see indexer/search.py), so that the on-disk schema
    holds only Whoosh's own classes.
    """

    def __init__(self, language: str | None = None, stemming: bool = False) -> None:
        self.language = primary_language(language)
        self.stemming = stemming

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClipTokenizer) and vars(self) == vars(other)

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[WhooshToken]:
        spans = [m.span() for m in re.finditer(r"\S+", value)]
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, tok in enumerate(_tokens_of([value[a:b] for a, b in spans], self.language)):
            t.text = stem(tok.text, self.language) if self.stemming else tok.text
            t.boost, t.stopped = 1.0, False
            if keeporiginal:
                t.original = value[spans[tok.first][0]:spans[tok.last][1]]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + spans[tok.first][0], start_char + spans[tok.last][1]
            yield t


def clip_analyzer(language: str | None = None) -> ClipTokenizer:
    """Whoosh analyzer: our tokens, stemmed when the language is known and has a stemmer."""
    lang = primary_language(language)
    return ClipTokenizer(lang, stemming=bool(lang and has_stemmer(lang)))
