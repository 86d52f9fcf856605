"""Negation words, per language: does a change of wording turn a statement into its opposite?

Why: a quote check must never excuse a dropped "not" as the recogniser's slip. indexer.articles.verdict holds a
difference that flips a statement's polarity (a negation word on one side only) to the strict bar it keeps for
numbers and for words added or dropped. The lists hold the free-standing negation words of the languages the
project meets; a negation written inside a word (Uzbek's verb suffix -ma-, a German "un-") is not seen, so such a
difference is judged as any other. Words compare folded (indexer.text.normalize.fold: case and accents).
"""

from __future__ import annotations

from collections.abc import Iterable

from indexer.text.normalize import fold, primary_language, split_words

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
}
_FOLDED: dict[str, frozenset[str]] = {lang: frozenset(fold(w) for w in words.split())
                                      for lang, words in _WORDS.items()}
_ANY = frozenset().union(*_FOLDED.values())


def negations(words: Iterable[str], language: str | None = None) -> int:
    """How many of `words` are negation words of `language` (of any listed language when it is unknown or not
    listed)."""
    known = _FOLDED.get(primary_language(language) or "", _ANY)
    return sum(fold(w.strip(".,;:!?…\"'«»“”„()")) in known for w in words)


def flips_polarity(a: str, b: str, language: str | None = None) -> bool:
    """True when one wording holds a negation and the other none (French "ne ... pas" is one negation, not two)."""
    return (negations(split_words(a, language), language) > 0) != (negations(split_words(b, language), language) > 0)
