"""Scripts and spellings: the apostrophe letters, Cyrillic -> Latin transliteration, and the coarse Latin key.

Why here and only here: the same name reaches us as "Тошкент" (Cyrillic captions), "Toshkent" (Uzbek Latin),
"Tashkent" (English); Uzbek Latin writes its o' and g' letters with any of five apostrophe characters. Search keys,
paragraph linking and quote checks must all agree on what "the same word" is, so there is one table.

- `APOSTROPHES`: every character that stands for an apostrophe inside a word; folding makes them all "'".
- `latin`: Cyrillic letters (Russian, Uzbek, Ukrainian, Kazakh) written in Latin letters, apostrophes dropped;
  otherwise the text as it is. Fine enough that a one-letter spelling difference still shows.
- `key`: a coarser skeleton of `latin` (kh/x/h, y/i, w/v, q/k, doubled letters merged), under which common
  romanisation variants meet: "Yeltsin"/"Ельцин", "Chorvoq"/"Чорвоқ", "Shoigu"/"Шойгу". Numbers stay as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache

APOSTROPHES = "'\u2019\u2018\u02bb\u02bc\u02b9`\u00b4"
_APOS_RE = re.compile(f"[{APOSTROPHES}]")

_CYR_LAT = dict(zip("абвгдезийклмнопрстуфхыэқҳіїєґәөүұһ", "abvgdeziyklmnoprstufxyeqhiiegaouuh"))
_CYR_LAT.update({"ж": "j", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "ю": "yu", "я": "ya",
                 "ё": "e", "ў": "o'", "ғ": "g'", "ң": "ng"})
_KEY_STEPS = (("shch", "ş"), ("sh", "ş"), ("ch", "ç"), ("zh", "j"), ("kh", "x"), ("ts", "c"), ("h", "x"),
              ("y", "i"), ("w", "v"), ("q", "k"))
# "ye" after a vowel is how Latin spellings write a Cyrillic е there ("Mirziyoyev" / "Мирзиёев", "Sergeyev" /
# "Сергеев"), which transliterates as "e"; one spelling may write it either way ("Alekseev", "Alekseyev")
_VOWEL_YE = re.compile(r"(?<=[aeiouy])ye")
_DOUBLE_RE = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def latin(text: str) -> str:
    """Folded text in Latin letters: Cyrillic transliterated, apostrophes dropped ("o'zbek", "ўзбек" -> "ozbek")."""
    return _APOS_RE.sub("", spelled_in_latin(text))


def one_apostrophe(text: str) -> str:
    """Text with every apostrophe character as "'" (Uzbek's ʻ, a keyboard's ', a typesetter's ’)."""
    return _APOS_RE.sub("'", text)


def spelled_in_latin(text: str) -> str:
    """Folded text with its Cyrillic letters in Latin ones, apostrophe letters kept ("ўзбек" -> "o'zbek", as
    Uzbek's Latin spelling writes it: o' and g' are letters of their own, "so'z" is not "soz")."""
    return "".join(_CYR_LAT.get(c, c) for c in text)


@lru_cache(maxsize=200_000)
def key(text: str) -> str:
    """Coarse Latin skeleton: transliterate Cyrillic, drop apostrophes, merge common romanisation variants."""
    if text[:1].isdigit():
        return text  # numbers are compared exactly ("1998" is not "198")
    s = _VOWEL_YE.sub("e", latin(text))
    for a, b in _KEY_STEPS:
        s = s.replace(a, b)
    s = _DOUBLE_RE.sub(r"\1", s)
    return "e" + s[2:] if s.startswith("ie") else s
