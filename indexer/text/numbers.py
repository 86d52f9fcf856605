"""Number words and digits: runs of spoken or written numbers become one digit string, in English, Russian, Uzbek,
German and French (indexer.text.numbers_de_fr), Spanish, Turkish and Arabic (indexer.text.numbers_es_tr_ar).

Why: Whisper writes "91", "2025" and "5,000"; caption files write "5 000"; people type and newsrooms print
"ninety-one", "twenty twenty-five", "две тысячи двадцать пятом", "ikki ming". A quote or a paragraph only meets the
speech when both sides say numbers the same way, so every number becomes its digits:

- "ninety one" -> "91", "two thousand and twenty five" -> "2025", "a hundred" -> "100", "two point five" -> "2.5";
- two spoken numbers 18..20 and 10..99 in a row read as a year: "nineteen ninety-eight" -> "1998";
- digit groups split by spaces are one number: "5 000" -> "5000";
- ordinals count as their number ("fifth", "пятом", "beshinchi" -> "5");
- Arabic-Indic digits are digits ("٢٠٢٥" -> "2025");
- a number never runs across punctuation ("eleven thirty. three" is 11, 30, 3).

The tables that apply depend on the language: Uzbek Latin number words collide with English words ("o'n", "ming"),
so they are used only when the language is "uz"; an unknown language gets the English and Russian ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from indexer.text import numbers_de_fr, numbers_es_tr_ar
from indexer.text.translit import key

# Number words: word -> (value, kind). Kinds drive which word may follow which (see _NEXT).
NumEntry = tuple[float, str]
Lookup = Callable[[str], "NumEntry | None"]

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
        ("полтора полторы полутора", 1.5, "unit"),  # one and a half: "полтора миллиона" is 1500000, as "1,5 млн"
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
    t["yarim"] = (0.5, "half")  # "bir yarim" (one and a half): after a number only, as "yarim soat" is half an hour
    return {key(w): v for w, v in t.items()}  # looked up by key, so Cyrillic and Latin Uzbek both work


# Which kind of number word may follow which; None is the start of a number.
_NEXT: dict[str | None, set[str]] = {
    None: {"digit", "unit", "teen", "tens", "hundred", "hundreds", "scale", "tens60", "unit4"},
    "digit": {"hundred", "scale"}, "unit": {"hundred", "scale", "half"}, "teen": {"hundred", "scale", "half"},
    "tens": {"unit", "hundred", "scale", "half"}, "half": {"scale"},
    "hundred": {"unit", "teen", "tens", "scale", "tens60", "unit4"},
    "hundreds": {"unit", "teen", "tens", "scale"}, "scale": {"unit", "teen", "tens", "hundreds", "tens60", "unit4"},
    **numbers_de_fr.NEXT, **numbers_es_tr_ar.NEXT,
}
for _kind, _more in numbers_es_tr_ar.FOLLOW.items():
    _NEXT[_kind] = _NEXT[_kind] | _more
_AND = ("and", "и", "va")
_GROUP_RE = re.compile(r"\d{3}")
_LEAD_GROUP_RE = re.compile(r"\d{1,3}")
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
LOOKAHEAD = 12  # pieces: no number is said in more words


@lru_cache(maxsize=64)
def number_table(language: str | None) -> dict[str, NumEntry]:
    """Number words of a primary language code (None or unknown: English and Russian)."""
    if language == "ru":
        return _ru_table()
    if language == "uz":
        return _uz_table()
    if language == "en":
        return _en_table()
    if language == "fr":
        return numbers_de_fr.french_table()
    if language == "es":
        return numbers_es_tr_ar.spanish_table()
    if language == "tr":
        return numbers_es_tr_ar.turkish_table()
    if language == "ar":
        return numbers_es_tr_ar.arabic_table()
    return {**_en_table(), **_ru_table()}


def lookup(language: str | None) -> Lookup:
    """The number-word lookup of a language: Uzbek words are looked up by key (Latin or Cyrillic, any apostrophe),
    German ones parsed whole (a number below a million is one word)."""
    if language == "de":
        return numbers_de_fr.german
    table = number_table(language)
    return (lambda t: table.get(key(t))) if language == "uz" else table.get


def merge(pieces: Sequence[str], stops: Sequence[bool], language: str | None) -> list[tuple[str, int, int]]:
    """Folded pieces with each number run made one: (text, first piece, last piece) per token, in order.

    `stops[k]` is true where piece k ends with punctuation, across which no number runs.
    """
    find = lookup(language)
    origin: list[int] | None = None
    if language in ("tr", "ar"):  # Turkish endings and Arabic "و" off their number words, percent in their words
        pieces, origin = numbers_es_tr_ar.prepare(pieces, language, number_table(language))
        stops = [stops[k] and (n + 1 == len(origin) or origin[n + 1] != k) for n, k in enumerate(origin)]
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(pieces):
        end, value, spoken = parse(pieces[i:i + LOOKAHEAD], stops[i:i + LOOKAHEAD], find)
        if not end:
            out.append((pieces[i], i, i))
            i += 1
            continue
        text, first = fmt(value), i
        if spoken and out and not stops[i - 1] and _is_year_pair(out[-1], value, pieces[i - 1]):
            text, first = f"{int(float(out[-1][0])) * 100 + int(value)}", out.pop()[1]
        out.append((text, first, i + end - 1))
        i += end
    return out if origin is None else [(text, origin[a], origin[b]) for text, a, b in out]


def scale_values(pieces: Sequence[str], language: str | None) -> list[str]:
    """The scale words among a number's folded pieces ("hundred", "million", "тысяч", "ming"), each as the number it
    is alone, and the number said before the first of them: "three million" is the token 3000000, and this gives
    1000000 and 3, the tokens of a query "million" or "three"."""
    find = lookup(language)
    if language in ("tr", "ar"):
        pieces = numbers_es_tr_ar.prepare(pieces, language, number_table(language))[0]
    scales = [(k, e[0]) for k, e in enumerate(None if p[:1].isdigit() else find(p) for p in pieces)
              if e and e[1] in ("hundred", "scale")]
    values = [fmt(value) for _, value in scales]
    before = scales[0][0] if scales else 0
    if before:
        used, value, _ = parse(pieces[:before], [False] * before, find)
        if used == before:
            values.append(fmt(value))
    return list(dict.fromkeys(values))


def _is_year_pair(prev: tuple[str, int, int], value: float, prev_piece: str) -> bool:
    """'nineteen ninety', 'twenty twenty-five': two spoken numbers 18..20 and 10..99 in a row read as a year."""
    text, first, last = prev
    if not (text.isdigit() and prev_piece.isalpha() and 10 <= value < 100 and value == int(value)):
        return False
    return 18 <= int(text) <= 20 and first == last


def parse(pieces: Sequence[str], stops: Sequence[bool], find: Lookup) -> tuple[int, float, bool]:
    """Longest number at the start of pieces: (pieces used, value, made only of words). (0, 0, False) if none."""
    total, cur, last, j, min_scale = 0.0, 0.0, None, 0, float("inf")
    grouping = False
    while j < len(pieces) and not (j and stops[j - 1]):
        piece = pieces[j]
        if last == "digit" and (grouping or j == 1) and _GROUP_RE.fullmatch(piece) and _LEAD_GROUP_RE.fullmatch(
                pieces[0]):
            cur, j, grouping = cur * 1000 + int(piece), j + 1, True  # "5 000": a thousands group written apart
            continue
        entry: NumEntry | None = _digits(piece) if piece[:1].isdigit() else find(piece)
        half = _and_a_half(pieces, stops, j) if piece in _HALF_OPENS else 0  # a test per piece of every passage
        if half and last in ("unit", "teen", "tens"):  # "one and a half", "two and a half million", "deux et demi"
            cur, last, j = cur + 0.5, "half", j + half
            continue
        if half and last == "scale":  # "un million et demi": half the scale said before it
            total, j = total + min_scale / 2, j + half
            break
        if piece in _AND and last in ("hundred", "scale") and j + 1 < len(pieces):
            if find(pieces[j + 1]):
                j += 1
                continue
        if piece in numbers_de_fr.ARTICLES and last is None and j + 1 < len(pieces) and \
                (find(pieces[j + 1]) or ("", ""))[1] in ("hundred", "scale"):
            j += 1  # "a hundred", "a million", "eine Million"
            continue
        if piece == "et" and last in ("tens", "tens60") and j + 1 < len(pieces):  # "vingt et un", "soixante et onze"
            after = pieces[j + 1]
            if after in ("un", "une") or (find(after) or ("", ""))[1] == "teen":
                cur, j, last = (cur + 1, j + 2, "unit") if after in ("un", "une") else (cur, j + 1, last)
                continue
        if piece in numbers_es_tr_ar.JOINERS and last and j + 1 < len(pieces) and not stops[j]:
            nxt = find(pieces[j + 1])  # "treinta y cinco", "خمسة وعشرون" (five and twenty)
            if nxt and numbers_es_tr_ar.joins(piece, last, nxt[1]):
                cur, last, j = cur + nxt[0], nxt[1], j + 2
                continue
        if (piece == "point" or piece in numbers_es_tr_ar.DECIMAL_POINTS) and last in ("unit", "teen", "tens") \
                and j + 1 < len(pieces):
            digits = _decimal_digits(pieces[j + 1:], find)
            used = len(digits)
            if not digits and piece != "point":  # "dos coma veinticinco": 2.25, the word after the comma whole
                nxt = find(pieces[j + 1])
                if nxt and nxt[1] in ("teen", "tens") and nxt[0] < 100:
                    digits, used = fmt(nxt[0]), 1
            if digits:
                cur, j = float(f"{int(cur)}.{digits}"), j + 1 + used
                last = "digit"
                continue
        if entry is not None and entry[1] == "one" and last is None:  # "un millón", "bir buçuk", "أحد عشر"
            nxt = find(pieces[j + 1]) if j + 1 < len(pieces) and not stops[j] else None
            if not nxt or nxt[1] not in numbers_es_tr_ar.ONE_BEFORE:
                break
            cur, last, j = entry[0], "one", j + 1
            continue
        if entry is None or entry[1] not in _NEXT[last]:
            break
        value, kind = entry
        if kind == "tens" and last == "unit4":  # "quatre-vingts": four twenties, which may take a teen after
            cur, last, j = cur * value, "tens60", j + 1
            continue
        if kind == "hundred":
            if cur >= 100:
                break
            cur = (cur or 1) * 100
        elif kind == "scale":
            if last == "scale" and value > min_scale:  # "mil millones", "a thousand million": 10**9
                total, min_scale = total * value, value
            elif value >= min_scale or last == "scale":
                break
            else:
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


_HALVES = (("and", "a", "half"), ("et", "demi"), ("et", "demie"))  # said after a number: English, French
_HALF_OPENS = frozenset(words[0] for words in _HALVES)


def _and_a_half(pieces: Sequence[str], stops: Sequence[bool], j: int) -> int:
    """How many pieces from `j` say "and a half" ("et demi"), none of them after punctuation; 0 where they do not."""
    for words in _HALVES:
        n = len(words)
        if tuple(pieces[j:j + n]) == words and not any(stops[j:j + n - 1]):
            return n
    return 0


def _decimal_digits(pieces: Sequence[str], find: Lookup) -> str:
    digits = ""
    for p in pieces:
        entry = find(p)
        if not entry or entry[1] != "unit" or entry[0] > 9:
            break
        digits += str(int(entry[0]))
    return digits


def _digits(piece: str) -> NumEntry | None:
    """A digit token as a number ('1990s' and 30-digit strings stay words)."""
    if len(piece) > 15 or not _DIGITS_RE.fullmatch(piece):
        return None
    return float(piece), "digit"


def fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.6f}".rstrip("0").rstrip(".")
