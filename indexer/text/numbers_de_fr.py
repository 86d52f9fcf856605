"""German and French number words, for indexer.text.numbers.

German writes a number below a million as one word ("dreihundertfünfundzwanzig", "zweitausendsechzehn"), so its
words are read whole: `german` parses a folded word into its value. French says them in pieces ("soixante-dix-sept",
"quatre-vingt-douze", "vingt et un"), which the generic grammar of indexer.text.numbers reads with two kinds of its
own: "soixante" and "quatre-vingt" may be followed by a teen ("soixante-douze" is 72), and "quatre" followed by
"vingt" multiplies ("quatre-vingts" is 80).

Words are folded (lower case, accents off, "ß" as "ss"): "zwölf" is "zwolf". A standalone "ein", "eine", "un" or
"une" is an article, not the number one, except before a scale word ("eine Million").
"""

from __future__ import annotations

from functools import lru_cache

NumEntry = tuple[float, str]

_DE_UNITS = {"null": 0, "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "sieben": 7, "acht": 8,
             "neun": 9}
_DE_IN_COMPOUNDS = {**_DE_UNITS, "ein": 1}  # "einundzwanzig", "einhundert"
_DE_TEENS = {"zehn": 10, "elf": 11, "zwolf": 12, "dreizehn": 13, "vierzehn": 14, "funfzehn": 15, "sechzehn": 16,
             "siebzehn": 17, "achtzehn": 18, "neunzehn": 19}
_DE_TENS = {"zwanzig": 20, "dreissig": 30, "vierzig": 40, "funfzig": 50, "sechzig": 60, "siebzig": 70,
            "achtzig": 80, "neunzig": 90}
_DE_BELOW_HUNDRED = {**_DE_UNITS, **_DE_TEENS, **_DE_TENS}  # the words said alone
_DE_SCALES = {"million": 1e6, "millionen": 1e6, "milliarde": 1e9, "milliarden": 1e9, "billion": 1e12,
              "billionen": 1e12}


def _below_hundred(s: str) -> int | None:
    if s in _DE_BELOW_HUNDRED:
        return _DE_BELOW_HUNDRED[s]
    unit, joined, tens = s.partition("und")  # "fünfundzwanzig": five and twenty
    if joined and unit in _DE_IN_COMPOUNDS and _DE_IN_COMPOUNDS[unit] > 0 and tens in _DE_TENS:
        return _DE_IN_COMPOUNDS[unit] + _DE_TENS[tens]
    return None


def _below_thousand(s: str) -> int | None:
    left, hundred, right = s.partition("hundert")
    if not hundred:
        return _below_hundred(s)
    times = _DE_IN_COMPOUNDS.get(left) if left else 1
    rest = _below_hundred(right) if right else 0
    return None if not times or rest is None else times * 100 + rest


@lru_cache(maxsize=50_000)
def german(word: str) -> NumEntry | None:
    """A folded German word as a number word: (value, kind), or None."""
    # one and a half, "zweieinhalb" two and a half: "eineinhalb Millionen" is 1500000, as "1,5 Millionen"
    whole = word.removesuffix("einhalb")
    if word == "anderthalb" or (whole != word and whole in _DE_IN_COMPOUNDS):
        return (1.5 if word == "anderthalb" else _DE_IN_COMPOUNDS[whole] + 0.5), "unit"
    if word in _DE_SCALES:
        return _DE_SCALES[word], "scale"
    if word == "hundert":
        return 100.0, "hundred"
    if word == "tausend":
        return 1000.0, "scale"
    left, thousand, right = word.partition("tausend")
    if thousand:
        times = _below_thousand(left) if left not in ("", "ein") else 1
        rest = _below_thousand(right) if right else 0
        value = None if not times or rest is None else times * 1000 + rest
    else:
        value = _below_thousand(word)
    if value is None:
        return None
    kind = ("unit" if value < 10 else "teen" if value < 20 or (value < 100 and value % 10) else
            "tens" if value < 100 else "digit")  # a whole compound: only "hundert" or a scale may follow it
    return float(value), kind


def french_table() -> dict[str, NumEntry]:
    t: dict[str, NumEntry] = {w: (float(i), "unit") for i, w in enumerate(
        "zero un deux trois quatre cinq six sept huit neuf".split())}
    del t["un"]  # an article as often as a number; "vingt et un" and "un million" are read below
    t["quatre"] = (4.0, "unit4")
    t.update({w: (11.0 + i, "teen") for i, w in enumerate("onze douze treize quatorze quinze seize".split())})
    t.update({w: (10.0 * (i + 1), "tens") for i, w in enumerate(
        "dix vingt trente quarante cinquante".split())})  # "dix" a ten: "dix-sept" is 10 + 7
    t["vingts"] = (20.0, "tens")
    t["soixante"] = (60.0, "tens60")
    t.update({"cent": (100.0, "hundred"), "cents": (100.0, "hundred"), "mille": (1e3, "scale"),
              "million": (1e6, "scale"), "millions": (1e6, "scale"), "milliard": (1e9, "scale"),
              "milliards": (1e9, "scale")})
    return t


# the French kinds, for indexer.text.numbers' grammar: "soixante" (and "quatre-vingt") take a teen or "dix"
# after them; "quatre" takes "vingt", which multiplies
NEXT: dict[str | None, set[str]] = {"tens60": {"unit", "teen", "tens", "hundred", "scale"},
                                   "unit4": {"hundred", "scale", "tens"}}
ARTICLES = ("a", "ein", "eine", "un", "une")  # "a million", "eine Million", "un million": one of the scale
