"""Reading a query: which mode it is in (a quote, or keywords), the page asked for, and its words as each language
it may be in reads them. The two modes themselves are in indexer/search/query.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.errors import InvalidInput
from indexer.text.normalize import Token, no_spaces, primary_language, text_words, tokenize_text

MAX_QUERY_CHARS = 1000
MAX_LIMIT = 100  # hits a page
MAX_OFFSET = 1000  # pages past this are no search a person makes
MAX_QUOTE_WORDS = 64
QUOTE_MIN_WORDS = 6
# a query starting with one of these is a quote: “ ” „ ‟ « ‹, and Chinese and Japanese corner brackets 「 『
QUOTE_OPEN = '"\u201c\u201d\u201e\u201f\u00ab\u2039\u300c\u300e'
QUOTE_CHARS = QUOTE_OPEN + "\u00bb\u203a\u300d\u300f"
QUERY_LANGUAGES = (None, "en", "ru", "uz")  # without a language filter or the archive's languages, a query is read
# as each of these (a search service passes its archive's languages instead: SearchService.search)
ARCHIVE_LANGUAGES = 8  # at most this many of an archive's languages, those with most videos


def parse_query(query: str, mode: str | None) -> tuple[str, str]:
    """(mode, text without quote marks). Quoted or >= QUOTE_MIN_WORDS words is a quote, unless mode says otherwise."""
    if mode not in (None, "", "auto", "quote", "keyword"):
        raise InvalidInput(f"unknown search mode {mode!r}: use 'quote' or 'keyword'")
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("the search query is empty: give a few words, or a quote in double quotes")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(f"the search query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    text = query.strip()
    quoted = text[0] in QUOTE_OPEN
    text = text.strip(QUOTE_CHARS + " \t\r\n")
    for ch in QUOTE_CHARS:
        text = text.replace(ch, " ")
    if not tokenize_text(text):
        raise InvalidInput("the search query has no words to search for")
    # a script written without spaces counts its characters, about two a word ("我们绝不会提高地铁票价": 6 words)
    words = (len(text_words(text)) + 1) // 2 if no_spaces(text) else len(text.split())
    chosen = mode if mode in ("quote", "keyword") else "quote" if quoted or words >= QUOTE_MIN_WORDS else "keyword"
    if chosen == "quote" and words > MAX_QUOTE_WORDS:
        raise InvalidInput(f"a quote can have at most {MAX_QUOTE_WORDS} words (this one has {words}); shorten it")
    return chosen, text


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT} (got {limit})")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET} (got {offset})")


def query_variants(text: str, language: str | None, languages: Sequence[str] | None = None
                   ) -> dict[str | None, tuple[Token, ...]]:
    """The query tokenised under each language it may be in (number words and stemmers differ by language): the
    filter's language, else plainly and as each of the archive's `languages` (a passage is stemmed in its own), else
    as QUERY_LANGUAGES."""
    if language:
        langs: Sequence[str | None] = (language,)
    elif languages is None:
        langs = QUERY_LANGUAGES
    else:
        codes = [primary_language(code) for code in languages]
        langs = (None, *dict.fromkeys(c for c in codes if c))[: ARCHIVE_LANGUAGES + 1]
    return {lang: tokenize_text(text, lang)[:MAX_QUOTE_WORDS * 2] for lang in langs}
