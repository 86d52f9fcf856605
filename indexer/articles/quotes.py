"""Direct quotes in an article's paragraphs, and who said them.

Why by hand and not a parser: quote marks differ by language and house style, and a quote check needs every quote
located to the character. Straight and curly double quotes, guillemets (either direction), low-high quotes („...“
and ‚...‘) are paired with a stack, so a quote inside a quote (the speaker quoting someone) stays inside its outer
quote (depth 1) and a lone mark (an apostrophe, an inch sign) opens nothing. A guillemet or a curly double mark
closes even before a letter (a case ending: «Nasaf»ni). A quote opened at the start of a paragraph and never closed
runs to the paragraph's end (the convention for quotes that go on into the next paragraph). A name in quote marks
(«Спартак», „Die Zeit“) is not a quote: it reports no one's words. The speaker is read from the attribution around
the quote ("..., said Tom Baker", "She told reporters: ..."), with speech verbs in the languages we know;
"he"/"she" resolve to the last person named before the quote, or to the previous speaker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from indexer.text.normalize import fold
from indexer.text.stopwords import languages, stop_words


@dataclass(frozen=True)
class Quote:
    text: str  # the words inside the marks, as printed
    start: int  # character offsets of `text` in the paragraph's text
    end: int
    marks: str  # the opening and closing mark, e.g. "“”" (one mark if the quote runs to the paragraph's end)
    speaker: str | None = None
    depth: int = 0  # 0: a quote in the article's voice; 1 and more: a quote inside a quote



# opening mark -> the marks that may close it
_CLOSERS = {'"': '"', "“": "”", "„": "“”", "«": "»", "»": "«", "‚": "‘’", "‘": "’", "「": "」", "『": "』",
            "'": "'"}  # straight single marks: CMSs without typographic quotes, and British style
_MARKS = set(_CLOSERS) | set("".join(_CLOSERS.values()))
_OPEN_AFTER = set(" \t\n([{—–-/") | _MARKS  # what may stand before an opening mark
_CLOSE_BEFORE = set(" \t\n.,;:!?)]}—–-…") | _MARKS  # what may follow a closing mark
# Double marks that never stand for an apostrophe or an inch: a letter after a closing one is a case ending
# («Nasaf»ni, “Fenerbahçe”yi in Uzbek, Kazakh, Turkish), and the mark still closes.
_SUFFIXED = set("«»“”")
# A name or title in quote marks (a club, a party, a paper): one or two capitalised words and no punctuation that
# ends a phrase. Not a quote of speech, so not a quote to check; a one-word reply ("Never," she said) keeps its comma.
_NAME = re.compile(r"[^\W\d_][\w'’‘.-]*(?:\s+[^\W\d_][\w'’‘.-]*)?(?<=\w)")
# ... unless speech's own punctuation follows the closing mark: a dash that introduces the speaker («Нет», — он)
_DASH_AFTER = re.compile(r"\s*[,!?…]?\s*[—–]")


def find_quotes(text: str) -> list[Quote]:
    """Direct quotes in one paragraph, outermost first by position, names in quote marks left out; speakers are
    left to `attribute`."""
    stack: list[tuple[str, int]] = []
    found: list[Quote] = []
    for i, ch in enumerate(text):
        if ch not in _MARKS:
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        # Chinese and Japanese put no space around quotes: 他说：“……。”李明又说 (any of their characters, U+3000 on,
        # may stand on either side of a mark; 「」 and 『』 are theirs alone)
        wide = before >= "\u3000" or after >= "\u3000"
        can_open = (before in _OPEN_AFTER or ch in "«„「『" or wide) and (not after.isspace() or ch == "«")
        can_close = (not before.isspace() or ch == "»") and (
            ch in _SUFFIXED or after in _CLOSE_BEFORE or not after.isalnum() or wide)
        if ch in "’‘'" and before.isalnum() and after.isalnum():
            continue  # an apostrophe: don’t, o‘zbek, o'zbek
        level = next((k for k in range(len(stack) - 1, -1, -1) if ch in _CLOSERS[stack[k][0]]), None)
        if can_close and level is not None:
            mark, at = stack[level]
            del stack[level:]
            found.append(_quote(text, at + 1, i, mark + ch, level))
        elif can_open and ch in _CLOSERS and not (ch == "»" and "«" in text[:i]):
            stack.append((ch, i))
    if stack and stack[0][1] == 0:  # a quote that goes on into the next paragraph
        found.append(_quote(text, 1, len(text), stack[0][0], 0))
    found = [q for q in found if sum(c.isalnum() for c in q.text) > 1 and not (is_name(q.text) and not _reply(text, q))]
    return sorted(found, key=lambda q: (q.start, q.depth))


def is_name(text: str) -> bool:
    """True for quoted text that names something («Спартаком», „Die Zeit“) rather than reports speech."""
    return _NAME.fullmatch(text) is not None and all(w[0].isupper() for w in text.split())


def _reply(text: str, q: Quote) -> bool:
    """Whether the quote is followed by speech's own punctuation after its closing mark: a comma, mark or none, then
    a dash, as Russian, Ukrainian or Uzbek introduce the speaker («Нет», — ответил он). A name is never followed so."""
    close = text.find(q.marks[-1], q.end) if len(q.marks) > 1 else -1
    return close >= 0 and _DASH_AFTER.match(text, close + 1) is not None


def _quote(text: str, start: int, end: int, marks: str, depth: int) -> Quote:
    inner = text[start:end]
    lead = len(inner) - len(inner.lstrip())
    inner = inner.strip()
    return Quote(inner, start + lead, start + lead + len(inner), marks, None, depth)


_VERBS = frozenset("""said says say told tells added adds explained warned noted insisted asked argued declared
announced wrote recalled promised stressed replied admitted claimed continued shouted urged according sagte sagt
erklärte betonte dijo afirmó explicó dit affirme déclare сказал сказала сказали заявил заявила заявили отметил
отметила добавил добавила сообщил сообщила подчеркнул подчеркнула пояснил пояснила рассказал рассказала говорит
dedi aytdi ta'kidladi bildirdi""".split())
_PRONOUNS = frozenset("he she он она u er sie il elle él ella".split())
_NOT_NAMES = stop_words("en") | _PRONOUNS  # capitalised only because they open a sentence: "The", "He", "Monday"
_TOKEN = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*|[,;:—–().!?]")
# words that lead a place or an object in, not a person: articles, determiners, prepositions (a language's stop words
# minus the conjunctions and speech-related words that may stand before a name)
_FUNCTION = frozenset().union(*(stop_words(lang) for lang in languages())) - _VERBS - _PRONOUNS - frozenset(
    "and or but и а но va ham und oder y o et ou".split())


def attribute(text: str, quote: Quote, previous: str | None = None) -> str | None:
    """The speaker of a quote, from the attribution after it (", said X") or before it ("X said: ..."); a pronoun
    refers back to the nearest person named before the quote (never a place or an object), else to the previous
    speaker; None when nothing fits."""
    tail = re.split(r"(?<=[.!?])\s", text[quote.end + 1:quote.end + 160], maxsplit=1)[0]
    head = _TOKEN.findall(text[:max(quote.start - 1, 0)])
    after = _TOKEN.findall(tail)
    while after and not after[0][0].isalnum():
        after.pop(0)
    verb = next((k for k, t in enumerate(after[:5]) if t.lower() in _VERBS), None)
    who: str | None = None
    if verb == 0:
        who = _name_after(after[1:])
    elif verb is not None:
        who = _name_before(after[:verb])
    else:
        sentence = head[max((k + 1 for k, t in enumerate(head) if t in ".!?"), default=0):]
        words = [k for k, t in enumerate(sentence) if t[0].isalnum() and t.lower() != "that"]
        spoke = next((k for k in reversed(words[-3:]) if sentence[k].lower() in _VERBS), None)
        if spoke is not None:
            before = sentence[:spoke]
            who = before[-1] if before and before[-1].lower() in _PRONOUNS else _nearest(before)
    if who and who.lower() in _PRONOUNS:
        return _nearest(head) or previous
    return who


def _name_after(tokens: list[str]) -> str | None:
    if tokens and tokens[0].lower() in ("the", "a", "an"):
        role = [t for t in _run(tokens[1:], lambda t: t[0].islower() and t.lower() not in _VERBS)][:4]
        return " ".join(["the", *role]) if role else None
    k = 0
    while k < min(len(tokens), 3) and tokens[k][0].islower() and tokens[k].lower() not in _PRONOUNS:
        k += 1
    if k < len(tokens) and tokens[k].lower() in _PRONOUNS:
        return tokens[k]
    name = _run(tokens[k:], lambda t: t[0].isupper())
    return " ".join(name[:4]) or None


def _name_before(tokens: list[str]) -> str | None:
    while tokens and not tokens[-1][0].isalnum():
        tokens = tokens[:-1]
    if tokens and tokens[-1].lower() in _PRONOUNS:
        return tokens[-1]
    name = _run(tokens[::-1], lambda t: t[0].isupper())[::-1]
    if name:
        return " ".join(name[-4:])
    rev = tokens[::-1]
    role = _run(rev, lambda t: t[0].islower() and t.lower() != "the")
    if role and len(rev) > len(role) and rev[len(role)].lower() == "the":  # "the mayor said"
        return " ".join(["the", *role[:3][::-1]])
    return None


def _run(tokens: list[str], keep: Callable[[str], bool]) -> list[str]:
    out = []
    for t in tokens:
        if not t[0].isalnum() or not keep(t):
            break
        out.append(t)
    return out


def _nearest(tokens: list[str]) -> str | None:
    """The nearest person named in `tokens`: a run of capitalised words that is not led in by a function word ("the
    Stone Bridge", "in Kingsford": places and objects), of two words or more, or of one word next to a speech verb
    ("Morgan said"). A name next to a speech verb wins over a nearer one that is not. At a sentence's start, the
    capitals before the last two of a longer run are a title or a role ("Mayor", "Farmer") and are left out."""
    best: tuple[bool, int, str] | None = None
    k = 0
    while k < len(tokens):
        run = _run(tokens[k:], lambda t: t[0].isupper() and fold(t) not in _NOT_NAMES)
        if not run:
            k += 1
            continue
        prev = tokens[k - 1] if k else "."
        name = run[-2:] if prev in ".!?" else run[:4]
        nxt = next((t for t in tokens[k + len(run):] if t not in ",;"), "")
        spoke = nxt.lower() in _VERBS or prev.lower() in _VERBS
        led_in = fold(prev) in _FUNCTION
        if not led_in and (len(name) >= 2 or spoke) and (best is None or (spoke, k) >= best[:2]):
            best = (spoke, k, " ".join(name))
        k += len(run)
    return best[2] if best else None
