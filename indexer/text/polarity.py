"""Negation words, per language: does a change of wording turn a statement into its opposite?

Why: a quote check must never excuse a dropped "not" as the recogniser's slip. indexer.articles.verdict holds a
difference that flips a statement's polarity (a negation word on one side only) to the strict bar it keeps for
numbers and for words added or dropped. The lists hold the free-standing negation words of the languages the
project meets. A negation written inside a word is seen where it is a verb's suffix in Uzbek, Kazakh, Turkish and
Azerbaijani (one verb said two ways, one with -ma- / -ма-, -ме-, -ба-, -бе-, -па-, -пе- / -me- / -mə- after the stem:
"oshiramiz" / "oshirmaymiz", "тоқтатамыз" / "тоқтатпаймыз", "artıracağız" / "artırmayacağız"), and where it is a
prefix that the language makes opposites with (one word is the other with the prefix before it: "unconstitutional",
"illégale", "unverantwortlich", "неприемлемо", "noqonuniy", Persian's verbs "نمی‌دهیم" / "می‌دهیم"; without a
dictionary "information" / "formation" reads so too: a pair that differs anyway, now held to the strict bar). Words
compare folded (indexer.text.normalize.fold: case and accents). Antonyms that share no form ("increase" / "decrease")
are not seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from indexer.models import ends_sentence
from indexer.text.normalize import Token, fold, primary_language, split_words
from indexer.text.translit import latin

_WORDS: dict[str, str] = {
    "en": "not no never nobody nothing none neither nor nowhere cannot can't won't don't doesn't didn't isn't aren't "
          "wasn't weren't hasn't haven't hadn't shouldn't wouldn't couldn't mustn't without",
    "ru": "не нет ни никогда никто ничего ничто нигде никак нельзя без",
    "uk": "не ні ніколи ніхто нічого ніде без",
    "uz": "emas yo'q yoʻq hech hechqachon hechkim hechnarsa эмас йўқ ҳеч ҳечқачон",
    "kk": "емес жоқ ешқашан ешкім ештеңе",
    "fr": "ne pas jamais personne rien aucun aucune ni sans nul nulle",
    "de": "nicht kein keine keinen keinem keiner keines nie niemals niemand nichts weder ohne",
    "es": "no nunca nadie nada ninguno ninguna ni jamás sin",
    "it": "non mai nessuno nessuna niente nulla né senza",
    "pt": "não nunca ninguém nada nenhum nenhuma nem sem",
    "tr": "değil yok hiç asla hiçbir",
    "az": "deyil yox heç heçvaxt heçkim heçnə heçbir",
    "fa": "نه نیست نیستند نیستیم نبود نبودند هرگز هیچ بدون نمی",  # نمی: the verb's prefix, typed with a space
    "ar": "لا لن لم ليس ليست لست لسنا ليسوا غير بدون أبدا أبداً",  # not "ما": as often "what" as "not"
}
_FOLDED: dict[str, frozenset[str]] = {lang: frozenset(fold(w) for w in words.split())
                                      for lang, words in _WORDS.items()}
_ANY = frozenset().union(*_FOLDED.values())
BESIDE = 2  # a negation said this many tokens or fewer outside a span, in its sentence, is the span's


def negations(words: Iterable[str], language: str | None = None) -> int:
    """How many of `words` are negation words of `language` (of any listed language when it is unknown or not
    listed)."""
    known = _FOLDED.get(primary_language(language) or "", _ANY)
    return sum(fold(w.strip().strip(".,;:!?…\"'«»“”„()")) in known for w in words)  # a recogniser's " not" too


def flips_polarity(a: str, b: str, language: str | None = None) -> bool:
    """True when one wording holds a negation and the other none (French "ne ... pas" is one negation, not two), or
    when one word is said with a negative prefix, or a verb with a negative suffix (Uzbek, Kazakh, Turkish,
    Azerbaijani), on one side only."""
    if (negations(split_words(a, language), language) > 0) != (negations(split_words(b, language), language) > 0):
        return True
    suffixes = _SUFFIXED.get(primary_language(language) or "")
    pairs = _word_pairs(a, b) or [("".join(split_words(a)), "".join(split_words(b)))]  # "می دهیم" for "نمی‌دهیم"
    return any(_prefix_flip(x, y, language) or bool(suffixes and _suffix_flip(x, y, suffixes)) for x, y in pairs)


def in_sentence(at: int, step: int, most: int, spoken: Sequence[Token], texts: Sequence[str]) -> list[int]:
    """Up to `most` spoken tokens on from token `at` (a step of 1 or -1), while they stay in its sentence."""
    reach = []
    for j in range(at + step, at + step * (most + 1), step):
        inner = min(j, j - step)  # the spoken token on the sentence's inner side of the step
        if not 0 <= j < len(spoken) or ends_sentence(texts[spoken[inner].last]):
            break
        reach.append(j)
    return reach


def negation_beside(edge: int, step: int, spoken: Sequence[Token], texts: Sequence[str], language: str | None,
                    farthest: bool = True) -> list[int]:
    """The spoken tokens from the span's `edge` outward (a step of 1 or -1) to the farthest (or the nearest)
    negation said within BESIDE tokens in the sentence, nearest first; none where no negation is said there. "No
    vamos a cerrar el puente" searched as "vamos a cerrar el puente", or found by an alignment that may begin
    anywhere, says the opposite: the negation belongs to the span, as words the quote leaves out."""
    reach = in_sentence(edge, step, BESIDE, spoken, texts)
    said_no = [j for j in reach if negations(texts[spoken[j].first:spoken[j].last + 1], language)]
    return reach[:reach.index(said_no[-1 if farthest else 0]) + 1] if said_no else []


def said_beside(said: Sequence[int], keys: Sequence[str], spoken: Sequence[Token], texts: Sequence[str],
                most_between: int) -> tuple[str, list[int], list[int]] | None:
    """`keys` said just after the span of spoken tokens `said`, or just before it (`most_between` tokens between at
    most), in its sentence: the side ("after", "before"), their spoken tokens in order, and those between. Words of a
    quote said in another place of its sentence (search's moves, a quote check's edges)."""
    if not said or not keys:
        return None
    for side, step, edge in (("after", 1, max(said)), ("before", -1, min(said))):
        reach = in_sentence(edge, step, len(keys) + most_between, spoken, texts)
        for between in range(min(most_between, len(reach) - len(keys)) + 1):
            run = reach[between:between + len(keys)] if step == 1 else reach[between:between + len(keys)][::-1]
            if len(run) == len(keys) and [spoken[j].key for j in run] == list(keys):
                return side, run, sorted(reach[:between])
    return None


def closes_clause(word: str) -> bool:
    """A negation after the quote negates it where it closes the clause ("Das akzeptieren wir nicht, sagte sie",
    "Bu to'g'ri emas.")."""
    return ends_sentence(word) or word.rstrip().rstrip("\"'»”’)").endswith((",", ";", ":", "\u2014", "\u2013"))


def _word_pairs(a: str, b: str) -> list[tuple[str, str]]:
    """The two wordings' words side by side, where they have as many ("qo'llab-quvvatlamaymiz" is two words, as is
    "an unprecedented"); none otherwise."""
    words_a, words_b = split_words(a), split_words(b)
    return list(zip(words_a, words_b)) if len(words_a) == len(words_b) else []


# prefixes that make a word's opposite, per language, as `latin` writes them (folded, Cyrillic in Latin letters)
_PREFIXES: dict[str, tuple[str, ...]] = {
    "en": ("un", "in", "im", "il", "ir", "dis", "non"),
    "fr": ("in", "im", "il", "ir", "de", "des", "mal", "non"),
    "de": ("un", "nicht", "miss"),
    "ru": ("ne", "bez", "bes"),
    "uk": ("ne", "bez"),
    "es": ("in", "im", "i", "des", "dis", "no"),
    "it": ("in", "im", "il", "ir", "i", "dis", "s", "non"),
    "pt": ("in", "im", "i", "des", "dis", "nao"),
    "uz": ("no", "be"),
    "kk": ("bey",),
    "fa": ("ن", "نا", "بی"),  # a verb's na-/ne- ("نمی‌دهیم" / "می‌دهیم", "نرفت" / "رفت"), "نامناسب", "بی‌دقت"
}
_ANY_PREFIX = tuple(sorted({p for prefixes in _PREFIXES.values() for p in prefixes}))
_REST_MIN = 4  # letters the word keeps after the prefix: "in" + "to" is not an opposite
_REST_MIN_BY_LANGUAGE = {"fa": 3}  # Persian writes no short vowels: "رفت" (went) is three letters


def _prefix_flip(a: str, b: str, language: str | None) -> bool:
    """One word said two ways, one of them with a prefix that makes it its opposite ("constitutional" /
    "unconstitutional"): a spelling this close counts as the same word elsewhere, so it is named here."""
    shorter, longer = sorted((latin(fold(w)).replace(_ZWNJ, "") for w in (a, b)), key=len)
    lang = primary_language(language) or ""
    if len(shorter) < _REST_MIN_BY_LANGUAGE.get(lang, _REST_MIN) or len(longer) == len(shorter) or \
            not longer.endswith(shorter):
        return False
    return longer[:-len(shorter)] in _PREFIXES.get(lang, _ANY_PREFIX)


_ZWNJ = "\u200c"  # Persian's zero-width non-joiner, inside a word ("می‌دهیم"), written or left out alike

# the negative suffix right after a verb's stem: Uzbek -ma-; Kazakh -ма-/-ме-, -ба-/-бе-, -па-/-пе- (as Latin);
# Turkish -ma-/-me- ("artıracağız" / "artırmayacağız"), and -mı- before the present's -yor ("geliyor" /
# "gelmiyor": not -mi- alone, which is also the reported past's -miş); Azerbaijani -ma-/-mə-, and -mı- before the
# present's -r ("gəlir" / "gəlmir")
_SUFFIXED = {
    "uz": ("ma",),
    "kk": ("ma", "me", "ba", "be", "pa", "pe"),
    "tr": ("ma", "me", "miyor", "muyor"),
    "az": ("ma", "me", "mə", "mir", "mur"),
}
_STEM_MIN = 3
# a stem's last consonant said hard before the suffix and soft before a vowel, or the other way ("ed-ecek" /
# "et-meyecek", "жаб-амыз" / "жап-паймыз"), as `latin` writes them
_ALTERNATE = {"d": "t", "t": "d", "b": "p", "p": "b", "g": "k", "k": "g", "q": "g", "c": "ç", "ç": "c"}
_SHORT_STEM, _SAME_ENDING = 2, 2  # "et-adi" / "et-maydi": a two-letter stem counts where the endings agree


def _suffix_flip(a: str, b: str, suffixes: tuple[str, ...]) -> bool:
    """One word said two ways, one of them with the negative suffix after the stem they share."""
    x, y = (latin(fold(w)) for w in (a, b))
    shared = 0
    while shared < min(len(x), len(y)) and x[shared] == y[shared]:
        shared += 1
    if shared >= _STEM_MIN:
        rest_x, rest_y = x[shared:], y[shared:]
        negative = [len(r) >= 3 and r.startswith(suffixes) for r in (rest_x, rest_y)]
        if negative[0] != negative[1]:
            return True
    return _negated(x, y, suffixes) or _negated(y, x, suffixes)


def _negated(plain: str, said: str, suffixes: tuple[str, ...]) -> bool:
    """`said` is `plain` with the negative suffix after a stem of two letters, or after one whose last consonant
    changed ("etadi" / "etmaydi", "edecek" / "etmeyecek"), and the two end alike after it (the person's ending): two
    letters of a stem alone would make many unrelated pairs opposites."""
    for cut in range(_SHORT_STEM, len(said) - 1):
        if not said.startswith(suffixes, cut):
            continue
        stem, start = said[:cut], plain[:cut]
        if start != stem and not (start[:-1] == stem[:-1] and _ALTERNATE.get(stem[-1]) == start[-1:]):
            continue
        after, ending = said[cut + 2:], plain[cut:]
        if ending.startswith(suffixes):  # negative on both sides
            return False
        same = 0
        while same < min(len(after), len(ending)) and after[-1 - same] == ending[-1 - same]:
            same += 1
        if same >= _SAME_ENDING:
            return True
    return False
