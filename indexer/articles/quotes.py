"""Direct quotes in an article's paragraphs, and who said them.

Why by hand and not a parser: quote marks differ by language and house style, and a quote check needs every quote
located to the character. Straight and curly double quotes, guillemets (either direction), low-high quotes („...“
and ‚...‘) are paired with a stack, so a quote inside a quote (the speaker quoting someone) stays inside its outer
quote (depth 1) and a lone mark (an apostrophe, an inch sign) opens nothing. A guillemet or a curly double mark
closes even before a letter (a case ending: «Nasaf»ni). A quote never closed runs to the paragraph's end (the
convention for quotes that go on into the next paragraph), where it opens the paragraph or the paragraph ends on a
sentence's last mark. A name in quote marks («Спартак», „Die Zeit“) is not a quote: it reports no one's words.
The speaker is read from the attribution around the quote ("..., said Tom Baker", "She told reporters: ..."), within
its sentence, which a full stop inside a name does not end ("said George W. Bush", "Dr. Jane Smith": the rule is
speakers.ends_sentence), with speech verbs in the languages we know; "he"/"she" resolve to the last person named
before the quote, or to the previous speaker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from indexer.articles.speakers import (
    ARTICLES,
    AUXILIARIES,
    BRACKET,
    NAME_PARTICLES,
    NAME_SUFFIXES,
    PRONOUNS,
    SAYS,
    caseless,
    ends_sentence,
    inverted_pronoun,
    is_pronoun,
    says,
    speaker_without_capitals,
)
from indexer.text.normalize import fold
from indexer.text.stopwords import articles, languages, stop_words


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
    # a quote that goes on into the next paragraph, opened at its start or after its speaker ('Clara Voss told the
    # paper: "The islands deserve ... one.')
    if stack and (stack[0][1] == 0 or (stack[0][0] in _DOUBLE and _ends_a_sentence(text))):
        found.append(_quote(text, stack[0][1] + 1, len(text), stack[0][0], 0))
    found = [q for q in found if sum(c.isalnum() for c in q.text) > 1 and not (is_name(q.text) and not _reply(text, q))]
    return sorted(found, key=lambda q: (q.start, q.depth))


_DOUBLE = '"“„«»「『'  # the marks a quote that goes on opens with (a single one left open is an apostrophe's kind)


def _ends_a_sentence(text: str) -> bool:
    """The paragraph ends on a sentence's last mark, as a quote that goes on into the next one does ("... one."),
    and not on a quote mark left open by mistake in mid-sentence."""
    return text.rstrip()[-1:] in ".!?…。！？"


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


_NOT_NAMES = stop_words("en") | PRONOUNS  # capitalised only because they open a sentence: "The", "He", "Monday"
_TOKEN = re.compile(r"[^\W_]+(?:['’‘.-][^\W_]+)*|[,;:—–().!?]")  # "To‘xtayev": Uzbek's ‘ inside a word
# words that lead a place or an object in, not a person: articles, determiners, prepositions (a language's stop words
# minus the conjunctions and speech-related words that may stand before a name)
_FUNCTION = frozenset().union(*(stop_words(lang) for lang in languages())) - SAYS - PRONOUNS - frozenset(
    "and or but и а но va ham und oder y o et ou".split())


def attribute(text: str, quote: Quote, previous: str | None = None, language: str | None = None) -> str | None:
    """The speaker of a quote, from the attribution after it (", said X") or before it ("X said: ..."); a pronoun
    refers back to the nearest person named before the quote (never a place or an object), else to the previous
    speaker; None when nothing fits. In a script without capitals, speakers.speaker_without_capitals reads it."""
    raw_tail = text[quote.end + 1:quote.end + 160]
    raw_head = text[:max(quote.start - 1, 0)]
    if caseless(raw_head[-160:] + raw_tail):
        found = speaker_without_capitals(raw_head, raw_tail, language)
        return previous if found and is_pronoun(found) else found
    tail = _first_sentence(raw_tail)
    head = _tokens(raw_head)
    after = _tokens(tail)
    while after and not after[0][0].isalnum():
        after.pop(0)
    verb = next((k for k, t in enumerate(after[:5]) if says(t)), None)
    sentence = head[max((k + 1 for k, t in enumerate(head) if t in ".!?"), default=0):]
    who: str | None = None
    late = next((k for k, t in enumerate(after[:12]) if says(t)), None) if after and (
        fold(after[0]) in BRACKET) else None
    if late is not None and late > 1:
        # German's verb bracket: the subject between the auxiliary and the participle ("«...», hat der
        # Kreisbrandmeister Peter Lang am Abend gesagt")
        who = _name_after(after[1:late])
    elif verb is not None and any(inverted_pronoun(t) for t in after[:verb + 1]):  # «...», a-t-elle dit / dit-il
        return _nearest(head) or previous  # a pronoun: the person named before
    elif verb is not None and all(fold(t.split("-")[0]) in AUXILIARIES for t in after[:verb]):  # "ha detto X"
        # after the verb; where nothing follows it, a speaker named before the quote (Turkish and Uzbek put the
        # verb last: 'Erdoğan, "..." dedi.'); a verb with no subject at all ("«...», ha aggiunto": Italian, Spanish,
        # Russian and others leave it out) is the person named before
        # a role is the speaker where the sentence has one: its subject before the quote ('Bank raisi "..." deb
        # ta'kidladi'), or after the verb where the language has no article to mark it ("», — заявил глава банка");
        # the previous speaker was taken for it
        who = (_name_after(after[verb + 1:]) or _opening_name(sentence) or _role(sentence)
               or (_role(after[verb + 1:]) if not articles(language) else None) or _nearest(head) or previous)
    elif verb is not None:
        who = _name_before(after[:verb])
    else:  # 'Anna Marsh said: "..."', or after a colon 'the mayor did not hide her frustration: "..."'
        words = [k for k, t in enumerate(sentence) if t[0].isalnum() and t.lower() != "that"]
        spoke = next((k for k in reversed(words[-3:]) if says(sentence[k])), None)
        if spoke is not None or _COLON.search(raw_head):  # the clause's subject
            before = sentence[:spoke] if spoke is not None else sentence
            who = (before[-1] if before and is_pronoun(before[-1]) else None) or _nearest(before) or (
                _role_and_name(before)) or _subject(before) or _role(before)
    if who and is_pronoun(who):
        return _nearest(head) or previous
    return who


_COLON = re.compile(r":[\s«„“\"‚‘「『]*$")  # the head ends with a colon, perhaps before the opening mark ("clair : «")


def speakers_of(text: str, quotes: list[Quote], previous: str | None = None, language: str | None = None
                ) -> list[str | None]:
    """The speaker of each quote of a paragraph in the article's voice (depth 0), in order, as `attribute` reads it
    (`previous`: the last speaker of the paragraphs before). A quote with no attribution of its own after one that
    has, in the same paragraph, goes on with that speaker's words ('"...," she said. "We will rebuild."')."""
    out: list[str | None] = []
    here: str | None = None
    for q in quotes:
        if q.depth == 0:
            who = attribute(text, q, previous=here or previous, language=language) or here
            out.append(who)
            here = who or here
    return out


def _first_sentence(text: str) -> str:
    """`text` up to its first sentence's end: a mark and a space, where a full stop ends the sentence
    (speakers.ends_sentence: not the initial in "said George W. Bush")."""
    for m in re.finditer(r"(?<=[.!?])\s", text):
        if text[m.start() - 1] != "." or ends_sentence(text, m.start() - 1):
            return text[:m.start()]
    return text


def _tokens(text: str) -> list[str]:
    """The words and marks of `text` (_TOKEN), a full stop that ends no sentence kept with the abbreviation it ends
    ("W.", "U.S.", "Dr.", "Jr." before "said"), so that a name read across it is one run of words."""
    out: list[str] = []
    end = -1
    for m in _TOKEN.finditer(text):
        if m[0] == "." and m.start() == end and not ends_sentence(text, m.start()):
            out[-1] += "."
        else:
            out.append(m[0])
        end = m.end()
    return out


def _initials(word: str) -> bool:
    """Capitals each with a full stop: "W.", "J.K.", "U.S."."""
    return word.endswith(".") and all(len(c) == 1 and c.isupper() for c in word[:-1].split("."))


def _subject(tokens: list[str]) -> str | None:
    """A role as a clause's subject, with its article: the last article in `tokens` with lower-case words after it
    that are no function words or verbs ("le préfet", "el alcalde", "o vereador", "the mayor", "the bank's
    chairman"; not "a été"), up to three of them."""
    for k in range(len(tokens) - 2, -1, -1):
        if fold(tokens[k]) in ARTICLES:
            role = _run(tokens[k + 1:], lambda t: t[0].islower() and fold(t) not in _FUNCTION and not says(t))
            if role:
                return " ".join([tokens[k].lower(), *role[:3]])
    return None


def _role_and_name(tokens: list[str]) -> str | None:
    """A role, whose it is, and a name, that are all of `tokens`, as written ("El ministro de Hacienda Carlos Ruiz"
    before "afirmó:" gave "el ministro"; a name led in by "de" is no person of its own to `_nearest`)."""
    if not tokens or fold(tokens[0]) not in ARTICLES:
        return None
    role = _run(tokens[1:], lambda t: t[0].islower() and not says(t))
    rest = tokens[1 + len(role):]
    name = _name(rest) if role and fold(role[-1]) in _FUNCTION and len(role) <= 4 else None
    if not name or len(name.split()) < 2 or len(name.split()) != len(rest):
        return None
    return " ".join([tokens[0].lower(), *role, *rest])


def _role(tokens: list[str]) -> str | None:
    """A role that is all of `tokens` (a sentence's words before the quote or its speech verb, or after the verb to
    the sentence's end), as written: one to four words, a lower-case one among them, none a function word, a pronoun
    or a speech verb ("Bank raisi", "Глава банка", "глава банка"); else None."""
    words = [t for t in tokens if t[0].isalnum()]
    marks = [t for t in tokens if t not in ".!?"]
    while marks and marks[-1] in ",:—–":  # the comma after a subject before its quote ('Banka başkanı, "..." dedi')
        marks.pop()
    if not 0 < len(words) <= 4 or len(words) < len(marks):
        return None  # a mark inside: more than a role ("глава банка, который ...")
    if not any(w[0].islower() for w in words) or any(
            fold(w) in _FUNCTION or is_pronoun(w) or says(w) for w in words):
        return None
    return " ".join(words)


def _opening_name(sentence: list[str]) -> str | None:
    """The capitalised words that open a sentence and a comma closes, as a speaker named before the quote
    ('Erdoğan, "..." dedi.'), else the nearest name in it."""
    name = _run(sentence, lambda t: t[0].isupper() and fold(t) not in _NOT_NAMES)
    if name and len(sentence) > len(name) and sentence[len(name)] == ",":  # whole: a role's half read "Bankası
        return " ".join(name) if len(name) <= 6 else _untitled(" ".join(name))  # Başkanı Ali Kaya"
    return _nearest(sentence)


def _name_after(tokens: list[str]) -> str | None:
    if tokens and fold(tokens[0]) in ARTICLES:  # "the mayor", "le ministre de l'Intérieur Gérald Darmanin"
        role = _run(tokens[1:], lambda t: t[0].islower() and not says(t))
        rest = tokens[1 + len(role):]
        name = _name(rest)
        if role and name and fold(role[-1]) in _FUNCTION:  # "the mayor of Kingsford", "el alcalde de Torrelavega"
            n = len(name.split())
            person = _name(rest[n + 1:]) if len(rest) > n + 1 and rest[n] == "," else None
            return person or " ".join([tokens[0].lower(), *role, name])  # "..., Javier Ruiz" if it follows
        if role and name and len(role) <= 4:
            return name
        if not role and name:  # a capitalised role, as German writes nouns: "der Kreisbrandmeister Peter Lang"
            words = name.split()
            more = tokens[1 + len(words):]
            lower = _run(more, lambda t: t[0].islower() and not says(t))
            later = _name(more[len(lower):]) if 0 < len(lower) <= 3 and not any(
                fold(t) in _FUNCTION for t in lower) else None  # not "... Peter Lang am Abend"
            if later:  # "le Premier ministre Jean Castex": the role goes on in lower case, then the name
                return later
            if len(words) > 1 and words[1] not in NAME_PARTICLES:
                return " ".join(words[1:])
            return " ".join([tokens[0].lower(), *words])  # "der Chef der Bank": a role and whose, not a name
        return " ".join([tokens[0].lower(), *role[:4]]) if role else None
    k = 0
    while k < min(len(tokens), 3) and tokens[k][0].islower() and not is_pronoun(tokens[k]):
        k += 1
    if k < len(tokens) and is_pronoun(tokens[k]):
        return tokens[k]
    return _untitled(_name(tokens[k:]))


def _untitled(name: str | None) -> str | None:
    """A name after the speech verb less the capitalised title before its last two capitalised words ("said Mayor
    Helen Carver", "sagte Bundeskanzler Olaf Scholz", "dijo el presidente Andrés Manuel López Obrador"), as a name
    that opens the sentence loses it (`_nearest`); an initial ("George W. Bush"), a particle ("Ursula von der
    Leyen") or a suffix at the end ("Jr.") is no capitalised word of its own, and before a suffix the last three are
    kept ("Martin Luther King Jr.", "Pastor Martin Luther King Jr.": it ends a person's whole name)."""
    words = name.split() if name else []
    suffixed = bool(words) and _suffix(words[-1])
    caps = [i for i, w in enumerate(words) if w[0].isupper() and not _initials(w) and not (
        suffixed and i == len(words) - 1)]
    kept = 3 if suffixed else 2  # a suffix ends a person's whole name, given names and all ("Martin Luther King Jr.")
    return " ".join(words[caps[-kept]:]) if len(caps) > kept else name


def _suffix(token: str) -> bool:
    """Whether a word is a suffix that ends a name, with its stop or without ("Jr.", "Sr")."""
    return token.rstrip(".") in NAME_SUFFIXES


def _name(tokens: list[str]) -> str | None:
    """The capitalised words that open `tokens`, with the particles inside a name ("Lula da Silva", "Ursula von der
    Leyen"), its initials ("George W. Bush": `_tokens` keeps their stops) and a suffix that ends it ("Martin Luther
    King Jr.", with its stop whether that ends the sentence or not), up to four capitalised words."""
    words: list[str] = []
    n = caps = 0
    while n < len(tokens) and (caps < 4 or (words and _suffix(tokens[n]))):
        t = tokens[n]
        if t[0].isalnum() and t[0].isupper():
            if words and _suffix(t):
                words.append(t + "." if tokens[n + 1:n + 2] == ["."] else t)
                break
            words.append(t)
            caps += not _initials(t)
            n += 1
            continue
        m = n
        while words and m < len(tokens) and tokens[m] in NAME_PARTICLES:
            m += 1
        if m == n or m == len(tokens) or not (tokens[m][0].isalnum() and tokens[m][0].isupper()):
            break
        words += tokens[n:m]
        n = m
    return " ".join(words) or None


def _name_before(tokens: list[str]) -> str | None:
    while tokens and not tokens[-1][0].isalnum():
        tokens = tokens[:-1]
    if tokens and is_pronoun(tokens[-1]):
        return tokens[-1]
    name = _run(tokens[::-1], lambda t: t[0].isupper())[::-1]
    if name:
        return " ".join(name[-4:])
    rev = tokens[::-1]
    role = _run(rev, lambda t: t[0].islower() and fold(t) not in ARTICLES)
    if role and len(rev) > len(role) and fold(rev[len(role)]) in ARTICLES:  # "the mayor said", "a spokesman said"
        return " ".join([rev[len(role)].lower(), *role[:3][::-1]])
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
        name = (_untitled(" ".join(run)) or "").split() if prev in ".!?" else run[:4]
        nxt = next((t for t in tokens[k + len(run):] if t not in ",;"), "")
        spoke = says(nxt) or says(prev)
        led_in = fold(prev) in _FUNCTION
        if not led_in and (len(name) >= 2 or spoke) and (best is None or (spoke, k) >= best[:2]):
            best = (spoke, k, " ".join(name))
        k += len(run)
    return best[2] if best else None
