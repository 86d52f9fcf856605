"""Caption files that are not UTF-8: which legacy code page their bytes are in.

Why. Broadcast and subtitling tools still write caption files in their region's code page: Windows-1252 in Western
Europe, 1251 for Cyrillic, 1256 for Arabic and Persian, 1254 for Turkish and Azerbaijani, 1250 for Central Europe,
GBK, Big5, Shift_JIS and the Korean code page for East Asia. Read in the wrong one, the bytes still decode, as
nonsense ("ГЪбдК ЗбНЯжгЙ" for Arabic, "ÝSTANBUL" for Turkish), and an archive of such text can be neither searched
nor read. Earlier, every file that was not UTF-8 was read as 1252, or 1251 when it looked Cyrillic.

How. A language the caller knows (`--language`) names its code page, which is used when the bytes decode in it.
Otherwise each candidate that decodes the bytes without error is scored by how its characters read: words in one
script, without capitals inside them; no control, format or private-use characters, symbols or half-width katakana;
Latin letters beyond ASCII that one language's alphabet holds; and for Chinese, Japanese and Korean text a share of
the script's most frequent characters (a wrong double-byte reading gives rare ones). The best reading wins;
Western Windows-1252 wins ties, being the most common. A file that reads as nonsense in every candidate is refused
(CaptionError), never stored as garbage. A short file may read as well in two code pages of one script (Czech
"řece" and Danish-looking "øece"): naming the language settles it.
"""

from __future__ import annotations

import re
import unicodedata

from media.errors import CaptionError

# the code page a language's caption files come in when they are not Unicode
LANGUAGE_CODEPAGES: dict[str, str] = {
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ckb"), "cp1256"),
    **dict.fromkeys(("tr", "az"), "cp1254"),
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg", "mn", "tt", "ba"), "cp1251"),
    **dict.fromkeys(("pl", "cs", "sk", "hu", "ro", "hr", "sl", "bs", "sq"), "cp1250"),
    **dict.fromkeys(("lt", "lv", "et"), "cp1257"),
    "el": "cp1253", "he": "cp1255", "yi": "cp1255", "vi": "cp1258", "th": "cp874",
    "zh": "gb18030", "ja": "cp932", "ko": "cp949",
}
# the readings tried, Windows-1252 first (it wins a tie)
# (Thai's cp874 only when the language is given: its reading of Korean bytes reads as well as the right one)
CANDIDATES = ("cp1252", "cp1251", "cp1250", "cp1254", "cp1256", "cp1253", "cp1255", "cp1257",
              "gb18030", "big5", "cp932", "cp949")
SAMPLE = 6000  # non-ASCII characters of a reading that are scored
MIN_SCORE = 0.2  # a best reading under this is nonsense in every code page: refused

# the most frequent characters of Chinese (both forms), Japanese kana and Korean syllables: a right reading of
# East Asian text has many of them, a wrong one (bytes of one double-byte code page read in another) few
_FREQUENT = frozenset(
    "的一是不了在人有我他这個个们們中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子那得于於着著下自"
    "之年过過发發后後作里裡用道行所然家种種事成方多经經么麼去法学學如都同现現当當没沒动動面起看定天分还還进進好小部"
    "其些主样樣理心她本前开開但因只从從想实實日月市政府新长長区區公将將高民业業工问問业此两兩全三十百万萬元"
    "、。，「」！？（）：；"
    "이다는에의고하을가서지한로기도사리를으자대어수아나인국정시일보부해전제년있그것들와과우라적했상생주장면동니요습"
) | {chr(c) for c in range(0x3041, 0x3097)} | {chr(c) for c in range(0x30A1, 0x30FB)}  # hiragana, katakana
_WORD = re.compile(r"[^\W\d_]+")
# the letters beyond ASCII of the languages written in Latin letters: a right reading of a Latin-script file uses
# those of one language (with a few borrowed), a wrong one a jumble ("øece" is Czech "řece" read as Windows-1252)
_ALPHABETS = tuple(frozenset(letters) for letters in (
    "àâæçéèêëîïôœùûüÿ", "äöüßé", "áéíñóúüª", "áâãàçéêíóôõú", "àèéìíîòóù", "àçéèíïòóúü", "éëïöüáèó", "æøåéö",
    "åäöé", "áðéíóúýþæö", "ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž", "áéíóöőúüű", "ăâîșțşţ", "čćđšž",
    "çğıöşüîâû", "çəğıöşü", "ąčęėįšųūž", "āčēģīķļņšūž", "äõöüšž", "çë", "ñ", "ʻ‘’",
    "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
))


def _script(c: str) -> str:
    """A letter's script as its Unicode name begins (LATIN, CYRILLIC ...); Chinese, Japanese kana and Korean
    count as one, as Japanese writes kanji and kana in one word."""
    head = unicodedata.name(c, "").split(" ", 1)[0]
    return "CJK" if head in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL") else head


def _wrong_character(c: str) -> bool:
    """Control, private-use, unassigned and format characters (bar the joiners Persian writes), symbols, the
    replacement character and half-width katakana: what bytes read in the wrong code page turn into."""
    cat = unicodedata.category(c)
    return c == "\ufffd" or cat in ("Cc", "Co", "Cn", "So", "Sk") or (cat == "Cf" and c not in "\u200c\u200d") or \
        "\uff61" <= c <= "\uff9f"


def plausibility(text: str) -> float:
    """How well a reading's characters beyond ASCII read as text: -2..1 (1: every one good; module docstring)."""
    sample = text[:SAMPLE * 8]
    beyond = [c for c in sample if not c.isascii()][:SAMPLE]
    if not beyond:
        return 1.0
    bad = float(sum(_wrong_character(c) for c in beyond))
    good = 0.0
    latin: list[str] = []  # the letters of words in Latin script, beyond ASCII
    cased: list[str] = []  # those of words in the other scripts with capitals (Cyrillic, Greek ...)
    for word in _WORD.findall(sample):
        if word.isascii():
            continue
        scripts = {_script(c) for c in word}
        letters = [c for c in word if not c.isascii()]
        if len(scripts) > 1 or any(a.islower() and b.isupper() for a, b in zip(word, word[1:])):
            bad += len(letters)  # "фstanbul", "ГЪбдК": scripts mixed, capitals inside a word
        elif scripts == {"CJK"}:
            good += sum(c in _FREQUENT for c in letters)
        elif scripts == {"LATIN"}:
            latin += [low for c in letters for low in c.lower() if not low.isascii() and low.isalpha()]
        elif any(c.lower() != c.upper() for c in letters):
            cased += letters
        else:
            good += len(letters)
    # text in a script with capitals has some (sentences, names); a reading without one is likely bytes of a
    # script without case (Hebrew read as Cyrillic), and counts half
    good += len(cased) * (1.0 if len(cased) < 30 or any(c.isupper() for c in cased) else 0.5)
    if latin:
        fits = max(sum(c in alphabet for c in latin) for alphabet in _ALPHABETS)
        good += fits
        bad += len(latin) - fits
    return max(-2.0, min(1.0, (good - 2 * bad) / len(beyond)))


def decode_legacy(raw: bytes, name: str, language: str | None = None) -> str:
    """Caption bytes that are not UTF-8, in the code page of `language` when they decode in it, else in the code
    page whose reading reads best (module docstring). CaptionError when none reads as text."""
    named = LANGUAGE_CODEPAGES.get((language or "").split("-")[0].lower())
    if named:
        try:
            text = raw.decode(named)
        except UnicodeDecodeError:
            text = ""
        if text and plausibility(text) >= MIN_SCORE:
            return text  # else not the language's code page after all (Big5 for Chinese): read for one
    best: tuple[float, str] | None = None
    for codec in CANDIDATES:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text)
    if best is None or best[0] < MIN_SCORE:
        raise CaptionError(f"{name}: not UTF-8, and its text reads as no known code page: save it as UTF-8")
    return best[1]
