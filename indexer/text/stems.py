"""Stems: each language's stem of a folded token, for the search index and its queries (never chapters or quote
checks, which compare words as normalize makes them). A Snowball stemmer where one was measured to help
(bench/eval_stems.py), else a word's first letters for the languages in PREFIX_STEMS; a stemmer only stems words of
its own script. STEMS_VERSION names what the index holds, so an index made otherwise is refilled from the store.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

from indexer.text.translit import spelled_in_latin


@lru_cache(maxsize=16)
def _stemmer(language: str) -> Callable[[str], str] | None:
    # deferred: Whoosh takes a tenth of a second to import, and only search stems (chapters and articles do not)
    from whoosh.lang import has_stemmer, stemmer_for_language

    if has_stemmer(language):
        return stemmer_for_language(language)
    algorithm = SNOWBALL_STEMS.get(language)
    if algorithm is None:
        return None
    import snowballstemmer  # deferred, as Whoosh above

    return snowballstemmer.stemmer(algorithm).stemWord


# Stems for the languages Whoosh has no stemmer for, each chosen by bench/eval_stems.py on Universal Dependencies
# treebanks (the way that best joins a lemma's forms and keeps other lemmas apart, F1 over the tokens of a dev list;
# docs/benchmarks.md). Where the snowballstemmer package has an algorithm that won, it stems; Serbian's serves
# Croatian and Bosnian too, and reads Serbian Cyrillic into the Latin stems, so both scripts meet.
SNOWBALL_STEMS = {"pl": "polish", "cs": "czech", "sr": "serbian", "hr": "serbian", "bs": "serbian", "el": "greek",
                  "id": "indonesian", "lt": "lithuanian", "et": "estonian", "fa": "persian"}
# Elsewhere a word's stem is its first letters, as chapters key inflected forms (indexer.chapters.reading.prefix):
# five for the Turkic languages (Turkish, Uzbek and Kazakh measured; Azerbaijani, Kyrgyz and Turkmen by kinship) and
# Basque, seven for the Slavic ones without an algorithm (Macedonian by kinship) and Armenian, six for Latvian. Uzbek
# "byudjet", "byudjetini", "byudjetga" meet as "byudj"; Ukrainian "Україна", "України" as "україн".
PREFIX_STEMS = {**dict.fromkeys("tr uz kk az ky tk eu".split(), 5), **dict.fromkeys("uk be bg sk sl mk hy".split(), 7),
                "lv": 6}
# Where a word's case ending is a vowel (the Slavic languages, Latvian, Armenian), its final vowels are taken off first,
# down to three letters: Ukrainian "війна", "війну", "війною" meet as "війн", and "закон" and "закону" as "закон",
# where six letters kept each form apart, and "війна" was shorter than its stem
ENDING_VOWELS = frozenset("aeiouy" "аеєиіїоуюяыэёйьъў" "աեէըիոօ")
VOWEL_ENDINGS = frozenset("uk be bg sk sl mk lv hy".split())
# Where suffixes are added to a word that stays whole (Turkic, Basque), a word shorter than the stem is its own stem
# and met none of its longer forms: Uzbek "foiz" not "foizga", "suv" not "suvlar". The index holds each word's
# shorter stems too, from this many letters on (shorter_stems), so that a short query word meets its longer forms.
SHORTER_STEMS = {**dict.fromkeys("tr uz kk az ky tk".split(), 3), "eu": 4}
LATIN_STEMS = {"uz"}  # languages written in Cyrillic and in Latin letters, whose stems are taken in Latin
# the words that elide before a vowel, their stem the word after the apostrophe: French "l'heure", "qu'il",
# "jusqu'au"; Italian "dell'anno", "un'altra"; Catalan "l'any", "d'aquí"
ELIDED = {"fr": frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu".split()),
          "it": frozenset("l d c un dell all dall nell sull coll quest quell bell sant tutt".split()),
          "ca": frozenset("l d s n m t".split())}
# Which stems an index holds: kept beside the index, so that one built with other stems is rebuilt from the store
# (3: a number said with a scale word holds that word's number too, number_scales; 4: German and French number
# words read as numbers, Uzbek stems in Latin letters, "ye" after a vowel keyed as "e", elisions off French,
# Italian and Catalan stems, "%" in the words of German, French, Spanish, Italian, Portuguese, Ukrainian, Kazakh;
# 5: "25.000" is 25000 outside the languages that write decimals with a dot, Russian and Ukrainian percent words
# in every form; 6: Azerbaijani "ə" folded to "e", as keyboards without it type it; 7: Persian prefixes and
# suffixes written apart joined to their word, Traditional Chinese read as Simplified)
# 8: a stemmer stems only words of its own script: Russian's stripped Latin endings, so that once an archive held a
# Russian video, "plane" met "plan" and "cute" "cut"
# 9: final vowels off before the first letters (VOWEL_ENDINGS), shorter stems indexed beside a word's (SHORTER_STEMS)
# 10: one and a half read as a number ("полтора", "bir yarim", "eineinhalb": 1.5, "полтора миллиона" 1500000)
# 11: Spanish, Turkish and Arabic number words read as numbers ("veintitrés", "on beşe" as "15", "e", "خمسة
# وعشرون"), "%" as Turkish "yüzde" and Arabic "في المئة", a scale after a smaller one multiplies ("mil millones")
# and English and French halves after a number ("one and a half million", "un million et demi")
STEMS_VERSION = "stems/11"
# the script each stemmer is written for (LATIN where not named): a word in another is left as it is, as a Russian
# passage's "Google" or an English query's words read as Russian. Serbian's stemmer reads both of its scripts.
STEMMER_SCRIPTS = {"ru": "CYRILLIC", "ar": "ARABIC", "fa": "ARABIC", "el": "GREEK", **dict.fromkeys(("sr", "hr", "bs"))}


def _in_script(text: str, script: str | None) -> bool:
    """Whether the token's first letter is of `script` (as Unicode names it: LATIN, CYRILLIC ...); any script for
    None, and a token without letters."""
    first = next((ch for ch in text if ch.isalpha()), "")
    return script is None or not first or unicodedata.name(first, "").startswith(script)


def has_stems(language: str | None) -> bool:
    """Whether `stem` changes words of this language (a stemmer, or prefix stems)."""
    return bool(language) and (language in PREFIX_STEMS or _stemmer(language or "") is not None)


@lru_cache(maxsize=200_000)
def stem(text: str, language: str | None) -> str:
    """The language's stem of a folded token (its Snowball stemmer's, or its first letters for PREFIX_STEMS), or the
    token itself (unknown language, no stemmer, digits)."""
    if not language or text[:1].isdigit():
        return text
    elided = ELIDED.get(language)
    if elided and "'" in text:  # "l'inflation" is "inflation" to its stemmer: a search for "inflation" finds it
        before, _, after = text.partition("'")
        text = after if before in elided and after else text
    fn = _stemmer(language)
    if fn:
        return fn(text) if _in_script(text, STEMMER_SCRIPTS.get(language, "LATIN")) else text
    n = PREFIX_STEMS.get(language)
    if language in LATIN_STEMS:  # Uzbek is written in both scripts: its stems are taken in Latin letters, so that
        text = spelled_in_latin(text)  # "мактабларда" and "maktabda" meet as "makta", "ўзбек" and "o'zbek" as "o'zbe"
    if language in VOWEL_ENDINGS:
        text = without_final_vowels(text)
    return first_letters(text, n) if n else text


def without_final_vowels(text: str) -> str:
    """The word without the vowels it ends in, keeping at least three letters."""
    end = len(text)
    while end > 3 and text[end - 1] in ENDING_VOWELS and sum(ch.isalpha() for ch in text[:end - 1]) >= 3:
        end -= 1
    return text[:end]


def shorter_stems(stemmed: str, language: str | None) -> list[str]:
    """The stem's first letters from SHORTER_STEMS' count up to its own, shortest first, where the language has them:
    indexed beside the word's stem (never stored with it), so that a query word shorter than the stem, which is its
    own stem, meets the word. "foizg" (of "foizga") holds "foi" and "foiz"."""
    low = SHORTER_STEMS.get(language or "")
    out: list[str] = []
    if low and not stemmed[:1].isdigit():
        for n in range(low, PREFIX_STEMS[language or ""]):
            head = first_letters(stemmed, n)
            if head == stemmed:
                break
            out.append(head)
    return out


def first_letters(text: str, n: int) -> str:
    """`text` up to its n-th letter: an apostrophe inside a word (Uzbek "o'zbek") is kept, not counted."""
    for i, ch in enumerate(text):
        n -= ch.isalpha()
        if n == 0:
            return text[: i + 1]
    return text
