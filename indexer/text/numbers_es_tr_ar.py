"""Spanish, Turkish and Arabic number words, for indexer.text.numbers.

Spanish says a number in pieces, as English does ("doscientos cincuenta mil", "dos mil veinticinco"), with "y"
between its tens and units ("treinta y cinco") and the twenties as one word ("veintitrés"). "un" and "una" are
articles, numbers only after a ten ("cuarenta y un") or before a scale word ("un millón"); "mil millones" is a
thousand millions.

Turkish says a number in pieces too ("iki bin yirmi beş"), with no word between them; "bir" is the article "a" as
often as "one", a number only inside a number or before a scale word or "buçuk" ("bir milyon", "bir buçuk"). A
number takes its case ending on its last word, which a text writes after an apostrophe: "on beşe" is "15'e". So the
ending is split off the number word said and kept as the word after the number, as the written number's ending is
read ("15", "e"): the number meets the digits, and the ending meets the ending. The endings split off are those of
case and of the ordinal ("beşinci", "5'inci"); not after "on" (ten), whose case forms are the pronoun's ("onu",
"ona", "onda"), nor after "bir" ("biri" is someone), and after "yüz" (hundred, and face: "bu yüzden" is "so") only
inside a number. "yüzde" is percent, said before its number ("yüzde 15", "%15"): "%" reads as "yuzde".

Arabic says units before tens, joined by "و" (and), which is written on the word after it: "خمسة وعشرون" is 25
(five and twenty), "مئة وخمسة وعشرون" 125, "ألفين وخمسة وعشرين" 2025; the teens are a unit and "عشر" ("خمسة عشر",
15). Words come in the forms of both genders and cases ("ثلاثة"/"ثلاث", "عشرون"/"عشرين", "ألفان"/"ألفين"). "أحد"
and "إحدى" (one) are numbers only before "عشر" (11) or a scale word. Percent is "في المئة" (or "بالمئة", and
"المائة" spelled the old way): "%" reads as those two words, as French "%" reads "pour cent".

Words are as indexer.text.normalize folds them: lower case, accents and hamzas off, "ı" as "i", "ى" as "ي".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

NumEntry = tuple[float, str]


def _folded(word: str) -> str:
    """Arabic as indexer.text.normalize.fold writes it: hamza and madda off their letters, "ى" as "ي"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).replace("ى", "ي")


def _table(groups: Sequence[tuple[str, float, str]], fold: bool = False) -> dict[str, NumEntry]:
    return {_folded(w) if fold else w: (float(v), kind) for words, v, kind in groups for w in words.split()}


_ES_UNITS = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()
_ES_TEENS = "diez once doce trece catorce quince dieciseis diecisiete dieciocho diecinueve".split()
_ES_TENS = "veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_ES_HUNDREDS = "doscient trescient cuatrocient quinient seiscient setecient ochocient novecient".split()


@lru_cache(maxsize=1)
def spanish_table() -> dict[str, NumEntry]:
    t = {w: (float(i), "unit") for i, w in enumerate(_ES_UNITS)}
    t.update({w: (10.0 + i, "teen") for i, w in enumerate(_ES_TEENS)})
    t.update({w: (20.0 + 10 * i, "tens") for i, w in enumerate(_ES_TENS)})
    # the twenties are one word: "veintitrés" (a compound below a hundred, as German's: only a scale may follow)
    t.update({"veinti" + w: (21.0 + i, "teen") for i, w in enumerate(_ES_UNITS[1:])})
    t.update({"veintiun": (21.0, "teen"), "veintiuna": (21.0, "teen")})
    t.update({s + e: (200.0 + 100 * i, "hundreds") for i, s in enumerate(_ES_HUNDREDS) for e in ("os", "as")})
    t.update(_table([("cien ciento", 100, "hundreds"), ("un una", 1, "one"), ("mil", 1e3, "scale"),
                     ("millon millones", 1e6, "scale"), ("millardo millardos", 1e9, "scale"),
                     ("billon billones", 1e12, "scale"),
                     # ordinals ("segundo" is a second and "cuarto" a room as often as not: left out)
                     ("primero primera primeros primeras primer", 1, "unit"), ("tercero tercera tercer", 3, "unit"),
                     ("quinto quinta", 5, "unit"), ("sexto sexta", 6, "unit"), ("septimo septima", 7, "unit"),
                     ("octavo octava", 8, "unit"), ("noveno novena", 9, "unit"), ("decimo decima", 10, "teen")]))
    return t


_TR_UNITS = "sifir bir iki uc dort bes alti yedi sekiz dokuz".split()
_TR_TENS = "on yirmi otuz kirk elli altmis yetmis seksen doksan".split()


@lru_cache(maxsize=1)
def turkish_table() -> dict[str, NumEntry]:
    t = {w: (float(i), "unit") for i, w in enumerate(_TR_UNITS)}
    t["bir"] = (1.0, "one")
    t.update({w: (10.0 * (i + 1), "tens") for i, w in enumerate(_TR_TENS)})
    t.update(_table([("yuz", 100, "hundred"), ("bin", 1e3, "scale"), ("milyon", 1e6, "scale"),
                     ("milyar", 1e9, "scale"), ("trilyon", 1e12, "scale"), ("bucuk", 0.5, "half")]))
    return t


# Turkish endings a number takes, folded: dative, locative, ablative, accusative, genitive, instrumental, ordinal
_TR_ENDINGS = sorted(("a e ya ye da de ta te dan den tan ten i u yi yu in un nin nun la le yla yle "
                      "inci uncu nci ncu").split(), key=len, reverse=True)
_TR_ORDINAL = frozenset("inci uncu nci ncu".split())
_TR_STEMS = {"dord": "dort"}  # "dört" is "dörd" before a vowel: "dörde", "dördüncü"

_AR_UNITS = [("صفر", 0), ("واحد واحدة", 1), ("اثنان اثنين اثنتان اثنتين اثنا اثني اثنتا اثنتي", 2), ("ثلاثة ثلاث", 3),
             ("أربعة أربع", 4), ("خمسة خمس", 5), ("ستة ست", 6), ("سبعة سبع", 7), ("ثمانية ثماني ثمان", 8),
             ("تسعة تسع", 9)]
_AR_TENS = ["عشر", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع"]  # + "ون"/"ين": 20 ("عشرون"), 30 ... 90


@lru_cache(maxsize=1)
def arabic_table() -> dict[str, NumEntry]:
    t = _table([(w, v, "unit") for w, v in _AR_UNITS], fold=True)
    t.update(_table([("أحد إحدى", 1, "one"), ("عشرة عشر", 10, "ten"), ("مئة مائة", 100, "hundred"),
                     ("مئتان مئتين مائتان مائتين", 200, "hundreds"), ("ألف ألفا آلاف ألوف", 1e3, "scale"),
                     ("ألفان ألفين", 2e3, "scale"), ("مليون مليونا ملايين", 1e6, "scale"),
                     ("مليونان مليونين", 2e6, "scale"), ("مليار مليارا مليارات بليون", 1e9, "scale"),
                     ("ملياران مليارين", 2e9, "scale"), ("تريليون", 1e12, "scale")], fold=True))
    t.update({_folded(s + e): (20.0 + 10 * i, "tens") for i, s in enumerate(_AR_TENS) for e in ("ون", "ين")})
    t.update({_folded(s + h): (100.0 * v, "hundreds") for s, v in (("ثلاث", 3), ("أربع", 4), ("خمس", 5), ("ست", 6),
                                                                      ("سبع", 7), ("ثمان", 8), ("ثماني", 8),
                                                                      ("تسع", 9)) for h in ("مئة", "مائة")})
    return t


_AR_PERCENT = ("في", "المية")  # "في المئة", folded
_AR_HUNDRED = frozenset(("المية", "الماية"))
_AR_JOINED_PERCENT = frozenset(("بالمية", "بالماية"))

# kinds of their own, for indexer.text.numbers' grammar: "one" ("un", "bir", "أحد") starts a number only before a
# scale word, "buçuk" or "عشر"; "ten" ("عشرة") follows a unit, which it makes a teen ("خمسة عشر" 15); a scale
# follows a smaller one directly, which it multiplies ("mil millones")
NEXT: dict[str | None, set[str]] = {"one": {"hundred", "scale", "half", "ten"}, "ten": {"hundred", "scale"}}
FOLLOW = {None: {"ten"}, "unit": {"ten"}, "tens": {"one"}, "hundred": {"one", "ten"}, "hundreds": {"one", "ten"},
          "scale": {"one", "ten", "scale"}}  # added to the kinds that the other languages share
ONE_BEFORE = ("scale", "half", "ten")
JOINERS = ("y", "و")
DECIMAL_POINTS = ("coma", "punto", "virgul", "فاصلة", "فاصل")  # "dos coma cinco", "iki virgül beş": 2.5


def joins(joiner: str, last: str | None, after: str) -> bool:
    """Whether `joiner` ("y", "و") joins the number read so far (its last word of kind `last`) to a word of kind
    `after`: "treinta y cinco", "خمسة وعشرون" (five and twenty), "مئة وخمسة" (a hundred and five)."""
    if joiner == "y":
        return last == "tens" and after in ("unit", "one")
    if joiner == "و":
        return (last in ("unit", "one") and after == "tens") or (
            last in ("hundred", "hundreds", "scale") and after in ("unit", "one", "ten", "tens", "hundreds"))
    return False


def prepare(pieces: Sequence[str], language: str | None, table: dict[str, NumEntry]) -> tuple[list[str], list[int]]:
    """Pieces as the number grammar reads them, and for each the piece it came from: a Turkish number word's ending
    split off it ("beşe" as "bes", "e"), an Arabic number word's "و" off it ("وعشرون" as "و", "عشرون"), and
    percent in the language's words ("%" is "yuzde"; "بالمئة" and "%" are "في", "المية")."""
    out: list[str] = []
    origin: list[int] = []
    for k, piece in enumerate(pieces):
        parts = (_turkish(piece, out[-1] if out else "", table) if language == "tr"
                 else _arabic(piece, out[-1] if out else "", table))
        out.extend(parts)
        origin.extend([k] * len(parts))
    return out, origin


def _turkish(piece: str, before: str, table: dict[str, NumEntry]) -> tuple[str, ...]:
    if piece == "percent":
        return ("yuzde",)
    if piece in table or piece == "yuzde" or not piece.isalpha():
        return (piece,)
    for ending in _TR_ENDINGS:
        stem = piece[:-len(ending)]
        if not piece.endswith(ending) or _TR_STEMS.get(stem, stem) not in table:
            continue
        stem = _TR_STEMS.get(stem, stem)
        if stem in ("on", "bir") and ending not in _TR_ORDINAL:
            return (piece,)
        if stem == "yuz" and ending not in _TR_ORDINAL and not (before[:1].isdigit() or before in table):
            return (piece,)
        return stem, ending
    return (piece,)


def _arabic(piece: str, before: str, table: dict[str, NumEntry]) -> tuple[str, ...]:
    if piece == "percent" or piece in _AR_JOINED_PERCENT:
        return _AR_PERCENT
    if piece in _AR_HUNDRED and before == _AR_PERCENT[0]:
        return (_AR_PERCENT[1],)
    if piece[:1] == "و" and len(piece) > 2 and piece not in table and piece[1:] in table:
        return "و", piece[1:]
    return (piece,)
