"""The words around a quote that say who spoke, by language: speech verbs, the auxiliaries of their compound tenses,
articles before a role, and the speaker of a quote in a script without capitals.

Why apart from quotes.py. The speaker there is a run of capitalised words next to a speech verb ("..., said Tom
Baker"). Arabic, Persian, Chinese and Japanese write no capitals, so no speaker was ever found in their articles, and
a compound tense ("ha detto il ministro", "a déclaré le maire", "ha dicho el alcalde") put the auxiliary where the
name was looked for. What each language needs is here, in one table a language, so that a newsroom that writes in
another one adds its words in one place.

In a script without capitals the speaker is the phrase next to the speech verb, up to the next mark or function word,
as each language orders it:
- Arabic: verb, then speaker ("«...»، قال وزير الخارجية أنتوني بلينكن." / "وقال الوزير: «...»");
- Persian: speaker, then verb ("«...»، وزیر خارجه گفت." / "وزیر خارجه گفت: «...»");
- Chinese: speaker, then verb, written without spaces ("外交部发言人汪文斌表示：“……”" / "“……”李明说。");
- Japanese: the speaker before the quote, marked by は or が, the verb after it ("岸田首相は「……」と述べた。").
A pronoun (هو, او, 他, 彼) refers back as in quotes.py: to the previous quote's speaker.
"""

from __future__ import annotations

import re

from indexer.text.normalize import fold
from indexer.text.reporting import SPEECH_VERBS
from indexer.text.stopwords import languages, stop_words

SAYS = frozenset(fold(w) for words in SPEECH_VERBS.values() for w in words.split())
# what may stand between a quote and its speech verb and says nothing of who spoke: the auxiliary of a compound
# tense ("ha detto", "a déclaré", "hat gesagt") and the quotative particle of Turkish and Uzbek ("diye konuştu")
AUXILIARIES = frozenset(fold(w) for w in
                        "has have had hat haben ha hanno a ont avait han había tem diye deb деб".split())
# German auxiliaries that open a verb bracket: the speaker stands between them and the participle at the end
BRACKET = frozenset({"hat", "haben", "hatte", "hatten"})
# lower-case words inside a name ("Lula da Silva", "Ursula von der Leyen", "Ahmed bin Salman")
NAME_PARTICLES = frozenset("da de do dos das di del della van von der den bin ibn al el la le".split())
# an article before a role after the verb ("said the mayor", "a déclaré le maire", "ha detto il ministro")
ARTICLES = frozenset(fold(w) for w in "the a an le la les l il lo gli el los las o os as der die das den".split())
PRONOUNS = frozenset(fold(w) for w in "he she он она він вона u o er sie il elle él ella lui lei ele ela".split())
# abbreviated titles before a name ("Dr. Jane Smith", "Mme. Roux", "Sra. Gómez") and suffixes after one ("Jr.")
TITLES = frozenset("Mr Mrs Ms Dr Prof Rev Gen Sen Rep Gov Lt Col Capt Sgt Mme Mlle Sr Sra Srta Dra Dott Sig Avv"
                   .split())
NAME_SUFFIXES = frozenset({"Jr", "Sr"})
# capitalised only because they open a sentence: a function word or pronoun of any language we know ("The", "Он")
_OPENS_SENTENCE = frozenset().union(*(stop_words(lang) for lang in languages())) | PRONOUNS
_LAST_WORDS = re.compile(r"(?:([^\W_]+)[^\w.]+)?([^\W_]+(?:\.[^\W_]+)*)$")  # "the U.S", "George W", "Dr"
_INITIAL_BEFORE = re.compile(r"(?:^|(?<=[\s(]))[^\W\d_]\.\s+$")  # "W. E. | B." : an initial right before
_NEXT_WORD = re.compile(r"\s*([,;:])|\s+([^\W\d_][\w'’‘-]*)(\.?)")

_CASED = re.compile(r"[^\W\d_]")
# Chinese: the clause's words before a speech verb (a place or an occasion between them: 汪文斌在记者会上表示)
_ZH_VERB = "表示|说道|说|指出|强调|称|介绍|透露|回应|宣布|坦言"
_ZH_BEFORE = re.compile(
    rf"([^\s，,。！？：:；“”「」]{{1,24}}?)(?:在[^，。！？“”]{{1,15}}?)?(?:{_ZH_VERB})[：:，,]?\s*$")
_ZH_ADVERBS = "又还也则再都就"  # between the speaker and the verb: 他又说, 李明还表示
_ZH_AFTER = re.compile(rf"^[\s，,]*([^\s，,。！？：:；“”「」]{{1,24}}?)(?:{_ZH_VERB})")
# Japanese: the name (kanji, katakana, Latin letters; の inside: 国土交通省の担当者) that は or が marks before the
# quote
_JA_NAME = "\u4e00-\u9fff\u30a0-\u30ffA-Za-z・ー"
_JA_TOPIC = re.compile(rf"([{_JA_NAME}][{_JA_NAME}の]{{0,19}}(?:さん|氏|様|くん|ちゃん)?)(?:は|が)[^。！？「」]*$")
_JA_SAID = re.compile(r"^\s*と")  # the quotative particle: 「……」と述べた, と話した, と肩を落とした
_PERSON_PRONOUNS = frozenset("هو هي او وی 他 她 彼 彼女".split())
_AND = frozenset("و va".split())
# where a speaker's phrase ends: "that", and the prepositions that open a place or an occasion after it
_ENDS_PHRASE = frozenset("إن أن ان بأن في خلال أمام على عن عند لدى بعد قبل مع که در از به با برای پس پیش هنگام".split()
                         # and words of when and how often: "قالت المذيعة مرة أخرى" (once again), "أيضا" (also)
                         + "مرة أيضا أيضاً مجددا مجدداً اليوم أمس".split())
# a preposition written as one word with the article: "للصحفيين" (to the journalists), "بالمؤتمر" (at the conference)
_FUSED_PREPOSITION = ("لل", "بال")
_MARK = r"[.!?。！？,،;:：«»“”\"()]"  # marks that end a phrase
_STOP_AT = re.compile(_MARK)


def caseless(text: str) -> bool:
    """Whether the letters of `text` are mostly of scripts without capitals (Arabic, Persian, Chinese, Japanese)."""
    letters = _CASED.findall(text)
    cased = sum(1 for c in letters if c.upper() != c.lower())
    return bool(letters) and cased < 0.2 * len(letters)


def speaker_without_capitals(head: str, tail: str, language: str | None) -> str | None:
    """The speaker of a quote in a script without capitals, from the paragraph's text before the quote (`head`, up to
    its opening mark) and after it (`tail`, from its closing mark to the sentence's end); a pronoun as written."""
    lang = (language or "").split("-")[0].lower()
    if lang == "ja" or re.search(r"[\u3040-\u30ff]", head + tail):  # kana: Japanese
        topic = _JA_TOPIC.search(re.split(r"[。！？]", head)[-1])
        return topic[1] if topic and (_JA_SAID.match(tail) or head.rstrip().endswith(("：", ":"))) else None
    if re.search(r"[\u4e00-\u9fff]", head + tail):  # Chinese
        # "X说：“……”" before the quote first: the words after a quote that ends its sentence open the next one
        found = _ZH_BEFORE.search(re.split(r"[，,。！？；]", head.rstrip("：:，, \u3000"))[-1]) or _ZH_AFTER.match(tail)
        if not found:
            return None
        who = found[1].rstrip(_ZH_ADVERBS) or found[1]
        return who.rsplit("的", 1)[-1] or who  # 前来观赛的县长: the role, not what it did
    after = _words(tail)
    while after and _STOP_AT.fullmatch(after[0]):
        after.pop(0)
    verb = next((k for k, w in enumerate(after[:6]) if says(w)), None)
    if verb is not None:
        # Arabic puts the speaker after the verb, Persian before it (the clause's subject: its first words)
        return _phrase(after[verb + 1:]) if verb == 0 else _phrase(_clause(after[:verb]))
    sentence = _words(re.split(r"[.!?؟]\s", head)[-1])
    while sentence and _STOP_AT.fullmatch(sentence[-1]):  # "وزیر راه گفت:"
        sentence.pop()
    spoke = next((k for k in range(len(sentence) - 1, -1, -1) if says(sentence[k])), None)
    if spoke is None:
        return None
    if spoke == len(sentence) - 1:  # "وزیر خارجه گفت:" - the speaker before the verb
        return _phrase(_clause(sentence[:spoke]))
    return _phrase(sentence[spoke + 1:])


def ends_sentence(text: str, dot: int) -> bool:
    """Whether the full stop at `text[dot]` ends a sentence. Not after an abbreviation (capitals each with a stop:
    "W.", "U.S.", "J.K."; a title: "Dr."; a suffix: "Jr."; lower-case letters: "p.m.") that a lower-case word or a
    comma follows ("the U.S. envoy", "King Jr., who"); not after capitals or a title that a capitalised word follows:
    an initial ("George W. Bush", "J. K. Rowling", "Владимир В. Путин"), "Dr. Jane Smith", "U.S. President Joe
    Biden". Where the two readings look alike, the sentence ends: a new one opens with a function word or pronoun
    of a language we know ("said the U.S. The next day", "Plan B. He left"); capitals an article leads in end a
    name, not an initial ("in the U.S. Officials said"); a one-letter word before a full name (two capitalised
    words: "Plan B. Anna Marsh said") ends a sentence, as a middle initial stands before one surname, unless another
    initial stands right before it ("W. E. B. Du Bois said"). Still read as
    an initial: a one-letter word that ends a sentence before one that opens with a single capitalised word and no
    function word ("Plan B. Officials said"), which nothing in the words tells apart from "George W. Bush said"."""
    last = _LAST_WORDS.search(text[max(dot - 80, 0):dot])
    lead, word = (last[1] or "", last[2]) if last else ("", "")
    letters = word.split(".")
    if not (all(len(c) == 1 and c.isalpha() for c in letters) or word in TITLES or word in NAME_SUFFIXES):
        return True
    after = _NEXT_WORD.match(text, dot + 1)
    if after is None:
        return True
    if after[1] or after[2][0].islower():
        return False
    title = word in TITLES
    if not (title or all(c.isupper() for c in letters)) or not after[2][0].isupper() or (
            not title and fold(lead) in ARTICLES):
        return True
    if len(after[2]) == 1 and after[3]:  # "J. K. Rowling"
        return False
    if _INITIAL_BEFORE.search(text, max(dot - 80, 0), dot - len(word)):  # "W. E. B. Du Bois": initials in a row
        return False
    if fold(after[2]) in _OPENS_SENTENCE:
        return True
    if title or len(letters) > 1 or after[3]:  # "Dr. Jane Smith", "U.S. President", "W. Bush."
        return False
    more = _NEXT_WORD.match(text, after.end())  # "George W. Bush said", "Plan B. Anna Marsh said"
    return bool(more and more[2] and more[2][0].isupper() and more[2] not in NAME_SUFFIXES
                and fold(more[2]) not in _OPENS_SENTENCE)


def says(token: str) -> bool:
    """A speech verb, also with a pronoun after it ("dit-il") or an elided one before it ("s'inquiète")."""
    word = fold(token)
    return word in SAYS or word.split("-")[0] in SAYS or re.sub(r"^\w['’]", "", word) in SAYS


def is_pronoun(who: str) -> bool:
    return fold(who) in PRONOUNS or who in _PERSON_PRONOUNS


def inverted_pronoun(token: str) -> bool:
    """A verb written with its subject pronoun after it, as French does ("dit-il", "a-t-elle", "ajoute-t-il")."""
    return "-" in token and fold(token.rsplit("-", 1)[-1]) in PRONOUNS


def _words(text: str) -> list[str]:
    """Words and the marks that end a phrase, in order."""
    return re.findall(rf"[^\W_]+(?:['’‘.-][^\W_]+)*|{_MARK}", text)  # Uzbek writes "o‘", "g‘" with ‘ too


def _clause(words: list[str]) -> list[str]:
    """The words of the last clause in `words` (after its last mark), less a conjunction that opens it (و)."""
    at = max((k + 1 for k, w in enumerate(words) if _STOP_AT.fullmatch(w)), default=0)
    out = words[at:]
    return out[1:] if out and out[0] in _AND else out


def _phrase(words: list[str]) -> str | None:
    """Up to five words of a speaker's phrase, ending at a mark, at "that" (Arabic إن/أن, Persian که), at a
    preposition (في, خلال, در, از: "وزير النقل أحمد الخطيب في مؤتمر صحفي"; "للصحفيين", written as one word with the
    article) or at a word of when ("مرة أخرى")."""
    out: list[str] = []
    for w in words[:5]:
        if _STOP_AT.fullmatch(w) or w in _ENDS_PHRASE or (out and w.startswith(_FUSED_PREPOSITION)):
            break
        out.append(w)
    return " ".join(out) or None
