"""Ordinal numbers written with a full stop ("am 8. Spieltag", "vom 7. Oktober", "den 8. oktober", "8. října"),
which German, the Nordic languages, Finnish, Hungarian, Turkish and the Central European and South Slavic languages
write where English writes "8th". Read as a sentence's end, such a stop cut "Bayer Leverkusen hat am 8. Spieltag
... gewonnen" into "Bayer Leverkusen hat am 8." and "Spieltag ... gewonnen": two sentences, each half of a title, a
clip or a passage. `ordinal_stop` says where a number's stop is an ordinal's; models.split_sentences asks it.
"""

from __future__ import annotations

import re

from indexer.text.normalize import fold, primary_language

_NUMBER = re.compile(r"\d{1,4}\.")
# the languages that write an ordinal with a full stop, whose month names _MONTHS lists
ORDINAL_LANGUAGES = frozenset("de da nb nn no fi cs sk hu tr hr sr bs sl pl".split())

# Month names in the languages that write ordinals with a stop, as they follow a day ("8. Oktober", "8. října",
# "8. lokakuuta") or, in Hungarian, a year ("2023. október"): after a number and its stop, one of these goes on with
# the date, whatever the transcript's language (an English sentence that ends on a number and a next one that opens
# with a month's name in one of these languages: rare enough).
_MONTHS = frozenset(fold(w) for w in """
januar jänner februar feber märz april mai juni juli august september oktober november dezember
marts maj december mars desember
tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta elokuuta syyskuuta lokakuuta
marraskuuta joulukuuta
ledna února března dubna května června července srpna září října listopadu prosince
januára februára marca apríla mája júna júla augusta septembra októbra novembra decembra
január február március április május június július augusztus szeptember október
ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık
siječnja veljače ožujka travnja svibnja lipnja srpnja kolovoza rujna listopada studenoga studenog prosinca
januara februara marta aprila maja juna jula avgusta septembra oktobra novembra decembra
januarja februarja junija julija
stycznia lutego kwietnia czerwca lipca sierpnia września października listopada grudnia
""".split())

# The words that open a noun phrase before an ordinal, in the languages with articles that write ordinals with a
# stop: after one of these a number cannot end the sentence, its noun must follow ("am 8. | Spieltag", "seinen 1. |
# Treffer", "den 8. | oktober", "a 8. | helyen"). Contractions of a preposition and an article ("am", "vom", "zum")
# and possessives count; bare prepositions do not ("2 zu 1. | Danach ...": a score ends the sentence).
_DETERMINERS = {
    "de": """der die das den dem des am im vom zum zur beim ins ein eine einen einem einer eines jeden jede jedem
             sein seine seinen seinem seiner seines ihr ihre ihren ihrem ihrer ihres unser unsere unseren unserem
             unserer dieser diese diesen diesem dieses""",
    "da": "den det de sin sit sine hans hendes deres",
    "nb": "den det de sin sitt sine hans hennes deres",
    "nn": "den det dei sin sitt sine hans hennar deira",
    "no": "den det de sin sitt sine hans hennes deres",
    "hu": "a az",
}

_FOLDED = {code: frozenset(fold(w) for w in words.split()) for code, words in _DETERMINERS.items()}


def month(word: str, language: str | None = None) -> bool:
    """Whether a word names a month in one of the languages that write ordinals with a stop; with a `language`,
    only where that is one of them (French "mars" may be the planet)."""
    if language is not None and primary_language(language) not in ORDINAL_LANGUAGES:
        return False
    return fold(word.strip(",.;:!?")) in _MONTHS


def ordinal_stop(word: str, before: str, following: str, language: str | None = None) -> bool:
    """Whether the full stop of `word`, a number of 1-4 digits, is an ordinal's, so that the sentence goes on with
    `following`: the next word opens in lower case (a sentence does not; after 1-3 digits), or names a month, or,
    in `language`, the word before the number opens a noun phrase (_DETERMINERS)."""
    if not _NUMBER.fullmatch(word.strip()):
        return False
    nxt = following.strip().lstrip("\"“„«(")
    if not nxt:
        return False
    if nxt[0].islower() and len(word.strip()) <= 4:  # not a year's: "... in 2024. hungary's ..." ran on
        return True
    if month(nxt):
        return True
    return fold(before.strip().strip("\"“„«(")) in _FOLDED.get(primary_language(language) or "", frozenset())
