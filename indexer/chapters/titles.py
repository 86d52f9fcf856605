"""Words of a transcript for topic work (tokens, stop words, salient words) and chapter titles.

Whisper transcribes about a hundred languages, so nothing here may assume English. Sentences are read by the text
layer's one tokeniser (indexer.text.normalize: Unicode words with their inner apostrophes, case- and accent-folded,
character bigrams for scripts written without spaces). Numbers in digits are left out, since Whisper writes them
inconsistently and they rarely carry the topic, and so are one-letter words; number words stay words ("thousand",
"ming"), as a story says them.

Inflection is handled by prefix truncation (keep the first few letters): crude, but it needs no dictionary and works
for the suffixing languages (Russian, Uzbek, Turkish, English) that most of our archive is in.

Stop words come from two places: the text layer's lists for the languages it knows (indexer.text.stopwords) and,
for every language, the words the transcript itself uses everywhere (present in most stretches of the text). The
second needs no list at all, and is what makes the cohesion measure work for a language we never saw.

Titles are the chapter's own salient words: frequent in this chapter, rare in the others, shown in the surface form
the speaker's transcript used (a mid-sentence occurrence when there is one, so "Tashkent" keeps its capital and
"bridge" does not get one).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from indexer.chapters.casing import recased, upper_first
from indexer.text import stopwords
from indexer.text.language import UNDETERMINED, detect_language
from indexer.text.normalize import Token, fold, no_spaces, pieces, tokenize
from indexer.text.polarity import negations
from indexer.text.scripts import main_script

_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Reading:
    """A transcript's sentences as the text layer reads them, for topic work.

    `sentences[i]` holds sentence i's word tokens; each token's `first` indexes `written`, the words as the
    transcript wrote them (so a title shows the speaker's own spelling), and `initial` holds the written index of
    each sentence's first token, whose capital says nothing.
    """

    sentences: tuple[tuple[Token, ...], ...]
    written: tuple[str, ...]
    initial: frozenset[int]

    def surface(self, token: Token) -> str:
        return self.written[token.first]

    def is_initial(self, token: Token) -> bool:
        return token.first in self.initial


def read(texts: Sequence[str], language: str | None = None) -> Reading:
    """Word tokens of each sentence; runs of a script written without spaces become character bigrams."""
    written: list[str] = []
    sentences: list[tuple[Token, ...]] = []
    initial: set[int] = set()
    for text in texts:
        words = [w for w in pieces(text) if _LETTER.search(w)]
        offset = len(written)
        toks = tuple(t._replace(first=t.first + offset, last=t.last + offset)
                     for t in tokenize(words, language, numbers=False, runs=False) if _is_word(t))
        written += words
        if toks:
            initial.add(toks[0].first)
        sentences.append(toks)
    return Reading(tuple(sentences), tuple(written), frozenset(initial))


def _is_word(token: Token) -> bool:
    return not token.is_number and (len(token.text) > 1 or no_spaces(token.text))


def prefix(stem: int) -> Callable[[Token], str]:
    """The key under which inflected forms meet: the token's first `stem` letters (0: the whole token).

    A letter with a breve counts as the plain letter (й as и, ў as у): inflection alternates them ("чай", "чаи";
    "хоккей", "хоккеист"), and a stem should not split there.
    """
    return (lambda t: _plain(t.text)[:stem]) if stem > 0 else (lambda t: _plain(t.text))


@lru_cache(maxsize=100_000)
def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def stop_words(language: str, sentences: Sequence[Sequence[Token]], parts: int = 10, share: float = 0.7) -> set[str]:
    """The text layer's list for `language` (and the function words of lists in other scripts than the transcript's,
    for quotes in them) plus the words used almost everywhere in this transcript.

    The transcript is cut into `parts` stretches (fewer for a short one, at least two sentences each); a word present
    in at least `share` of them is spread too evenly to say anything about topics. Below three stretches, only the
    built-in list is used.
    """
    written = main_script(" ".join(t.text for sentence in sentences[:200] for t in sentence))
    stop = set(stopwords.stop_words(language)) | stopwords.function_words_outside(written)
    parts = min(parts, len(sentences) // 2)
    if parts < 3:
        return stop
    seen: Counter[str] = Counter()
    size = len(sentences) / parts
    for p in range(parts):
        chunk = sentences[round(p * size) : round((p + 1) * size)]
        seen.update({t.text for s in chunk for t in s})
    return stop | {w for w, n in seen.items() if n >= share * parts}


def content(tokens: Iterable[Token], stop: set[str]) -> list[Token]:
    return [t for t in tokens if t.text not in stop]


def salient(
    groups: Sequence[Sequence[Token]], reading: Reading, key: Callable[[Token], str]
) -> list[list[tuple[str, float]]]:
    """Per group (chapter), its keys ranked by tf x idf over the groups: frequent here, rare elsewhere.

    A word capitalised in mid-sentence (a name, in the scripts that have case) counts half as much again: news
    chapters are best named by their places and people. Ties go to the word said first (news leads with its topic).
    """
    counts = [Counter(key(t) for t in g) for g in groups]
    df: Counter[str] = Counter(k for c in counts for k in c)
    ranked = []
    for c, g in zip(counts, groups):
        first: dict[str, int] = {}
        named = {key(t) for t in g if not reading.is_initial(t) and reading.surface(t)[:1].isupper()}
        for i, t in enumerate(g):
            first.setdefault(key(t), i)
        scores = {
            k: tf * (1.0 + math.log(len(groups) / df[k])) * (1.5 if k in named else 1.0) for k, tf in c.items()
        }
        ranked.append(sorted(scores.items(), key=lambda kv: (-kv[1], first[kv[0]])))
    return ranked


def surface_forms(tokens: Sequence[Token], reading: Reading, key: Callable[[Token], str]) -> dict[str, str]:
    """For each key, its most frequent written form, counting mid-sentence occurrences before initial ones."""
    tally: dict[str, Counter[tuple[bool, str]]] = {}
    for t in tokens:
        tally.setdefault(key(t), Counter())[(not reading.is_initial(t), reading.surface(t))] += 1
    out = {}
    for k, forms in tally.items():
        mid = {f: n for (m, f), n in forms.items() if m}
        pool = mid or {f: n for (_, f), n in forms.items()}
        out[k] = max(pool.items(), key=lambda fn: fn[1])[0]
    return out


def describe(
    groups: Sequence[Sequence[Token]], reading: Reading, title_words: int = 3, keywords: int = 8, stem: int = 6
) -> list[tuple[str, tuple[str, ...]]]:
    """A distinct title and the keywords for each group of content tokens, in group order.

    Words are keyed by a `stem`-letter prefix: segmentation may stem harder (it only needs overlap), but a title
    must not merge unrelated words that share their first letters. A word said in every group cannot tell them
    apart, however often it is said: it may be a keyword, not a title.
    """
    key = prefix(stem)
    everywhere = set.intersection(*({key(t) for t in g} for g in groups)) if len(groups) > 1 else set()
    used: set[str] = set()
    out = []
    for g, ranks in zip(groups, salient(groups, reading, key)):
        forms = surface_forms(g, reading, key)
        order = {key(t): i for i, t in reversed(list(enumerate(g)))}
        candidates = [k for k, _ in ranks if k not in everywhere]
        title = _distinct_title(candidates, forms, order, title_words, used)
        used.add(title.casefold())
        out.append((title, tuple(forms[k] for k, _ in ranks[:keywords])))
    return out


def _distinct_title(
    keys: list[str], forms: dict[str, str], order: dict[str, int], size: int, used: set[str]
) -> str:
    """The top `size` keys in spoken order; on a clash, swap in lower-ranked keys, and number the title last."""
    if not keys:
        return _numbered("Chapter", used, 1)
    head = keys[: max(1, size - 1)]
    for extra in [keys[len(head) :][:1]] + [[k] for k in keys[len(head) + 1 :]] + [[]]:
        title = _title([*head, *extra], forms, order)
        if title.casefold() not in used:
            return title
    return _numbered(_title(keys[:size], forms, order), used)


def _title(keys: list[str], forms: dict[str, str], order: dict[str, int]) -> str:
    text = " ".join(forms[k] for k in sorted(keys, key=order.__getitem__))
    return text[:1].upper() + text[1:]


def _numbered(base: str, used: set[str], n: int = 2) -> str:
    while f"{base} {n}".casefold() in used:
        n += 1
    return f"{base} {n}"


# --- headlines --------------------------------------------------------------------------------------------------

_BREAK = re.compile(r"[,;:.!?…—–]$|^[—–-]+$")  # a clause ends after a word written with one of these
_QUOTES = str.maketrans("", "", "\"“”„«»‹›()[]{}")
CUT = 1.0  # a headline's cost for each end that cuts a run of content words
NAMED = 5  # salient words a headline gets credit for: past that, a longer run only reads longer


@dataclass(frozen=True)
class Phrase:
    score: float
    text: str


def headline_phrases(sentence: str, language: str | None, weights: dict[str, float], stop: set[str],
                     key: Callable[[Token], str], shortest: int = 3, longest: int = 8) -> list[Phrase]:
    """The word runs of one sentence that could title its chapter, best first.

    A run is `shortest`..`longest` words as written, inside one clause (it crosses no comma, colon or full stop);
    it scores the `weights` of the best `NAMED` distinct keys it holds (the chapter's salient words), less a little
    per word and more for each end that cuts its clause, so a whole clause that names the story's who and what in
    few words wins (_cuts says what a cut costs). A run never ends on a function word unless its clause does, never
    stops just before a negation nor starts just after one ("Não | podemos fazer nada" says the opposite), and a
    question keeps its question mark.
    Scripts written without spaces have no words to cut at: their runs are a clause's characters (_spaceless).
    """
    if no_spaces(sentence):
        return _spaceless(sentence, language, weights, key)
    raw = sentence.split()
    owner: list[int] = []  # written piece -> whitespace word
    for i, w in enumerate(raw):
        owner += [i] * sum(1 for p in pieces(w) if _LETTER.search(p))
    toks = read([sentence], language).sentences[0]
    if not toks or any(no_spaces(t.text) for t in toks) or len(owner) <= max(t.last for t in toks):
        return []
    keys: list[set[str]] = [set() for _ in raw]
    content_word = [False] * len(raw)
    for t in toks:
        if t.text not in stop:
            keys[owner[t.first]].add(key(t))
            content_word[owner[t.first]] = True
    words = _Words(raw, content_word, language)
    out = []
    for a in range(len(raw)):
        start_cost = words.start_cost(a)
        if start_cost is None:
            continue
        seen: set[str] = set()
        governed = governs(raw, a, language)
        for b in range(a, min(len(raw), a + longest)):
            seen |= keys[b]
            end_cost = words.end_cost(b)
            if b + 1 - a >= min(shortest, len(raw)) and end_cost is not None:
                score = sum(sorted((weights.get(k, 0.0) for k in seen), reverse=True)[:NAMED]) - 0.05 * (b + 1 - a)
                # the preposition comes along, as a part of the word it governs (a ninth word at most)
                text = _clean(raw[a - governed: b + 1], language)
                out.append(Phrase(score - start_cost - end_cost, text + "?" * words.asks(b)))
            if _BREAK.search(raw[b]):
                break
    return sorted(out, key=lambda p: -p.score)


SKIP = 0.3  # a run's cost for leaving out the function words that open its clause ("The | mayor opened the bridge")
BEFORE_FUNCTION = 0.3  # a cut's cost, as a share of CUT, where the clause goes on with a function word
COMMA = 0.2  # a run's cost for each end at a comma (_Words._after_comma)
AFTER_FUNCTION = 1.0  # a start in mid-clause, as a share of CUT, after a function word ("into | southern Gaza")
SUBJECT = 1.5  # and after a content word: what a clause says first is mostly its subject ("river | rose two metres")


class _Words:
    """The words of one sentence as a headline's ends see them: clauses, content words, numbers, negations."""

    def __init__(self, raw: Sequence[str], content_word: Sequence[bool], language: str | None) -> None:
        self.raw = raw
        # a number carries a phrase on ("la 7e fois", "5 piani") though it is no title word
        self.solid = [c or any(ch.isdigit() for ch in w) for c, w in zip(content_word, raw)]
        self.negation = [negations([w], language) > 0 for w in raw] + [False]
        # a clause starts past the conjunctions that open it ("Mais | surtout les risques", "Und | nun ...")
        opener = stopwords.openers(language)
        self.clause_start: list[int] = []
        for i in range(len(raw)):
            first = i if i == 0 or _BREAK.search(raw[i - 1]) else self.clause_start[-1]
            if first == i - 1 and self._opens(raw[i - 1], opener) and not _BREAK.search(raw[i - 1]):
                first = i
            self.clause_start.append(first)
        self.clause_end = [0] * len(raw)
        last = len(raw) - 1
        for i in reversed(range(len(raw))):
            if _BREAK.search(raw[i]):
                last = i
            self.clause_end[i] = last

    @staticmethod
    def _opens(word: str, opener: frozenset[str]) -> bool:
        return fold(word.strip("\"“”„«»(")) in opener  # "¿qué" asks: it is no "que"

    def start_cost(self, a: int) -> float | None:
        """What starting at word `a` costs: nothing at its clause's start (past its conjunctions), SKIP after the
        clause's opening function words, a cut inside it (a subject left behind: more after a content word); None
        where a run cannot start (a conjunction opening the clause, a function word in mid-clause, just after a
        negation)."""
        first = self.clause_start[a]
        if a < len(self.raw) - 1 and self.clause_start[a + 1] == a + 1 and not _BREAK.search(self.raw[a]):
            return None  # a conjunction that opens the clause
        if a == first:
            return self._after_comma(a - 1) if a == 0 or _BREAK.search(self.raw[a - 1]) else 0.0
        if not self.solid[a] or self.negation[a - 1] or not _LETTER.search(self.raw[a]):
            return None
        if not any(self.solid[first:a]):
            return SKIP
        return CUT * (SUBJECT if self.solid[a - 1] else AFTER_FUNCTION)

    def end_cost(self, b: int) -> float | None:
        """What ending at word `b` costs: nothing at its clause's end, else a cut (less where a function word opens
        what is left); None where a run cannot end there (on a function word, or before a negation)."""
        if b == self.clause_end[b]:
            return self._after_comma(b)
        if not self.solid[b] or self.negation[b + 1]:
            return None
        return CUT if self.solid[b + 1] else CUT * BEFORE_FUNCTION

    def _after_comma(self, i: int) -> float:
        """COMMA where word `i` ends with a comma inside the sentence: a clause begun or ended at a comma may be a
        list's last items or an aside ("Louise Bruce et Alexei Ekimov", "máxima autoridad de la Iglesia")."""
        return COMMA if 0 <= i < len(self.raw) - 1 and self.raw[i].endswith((",", "，", "،")) else 0.0

    def asks(self, b: int) -> bool:
        """Whether a run ending at word `b` ends a question (its mark is kept: a question made a statement lies)."""
        return self.raw[b].rstrip("\"”»’)").endswith(("?", "？"))


def _script(ch: str) -> str:
    """"kanji" or "katakana" for a character of a run that makes one Japanese word, else ""."""
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return "kanji"
    return "katakana" if "\u30a0" <= ch <= "\u30ff" else ""


def _hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def _inside_ending(clause: str, end: int) -> bool:
    """Whether a cut before clause[end] falls inside the hiragana that end a word written in kanji or katakana (a
    verb's or adjective's ending: 発表しまし|た), not before a particle."""
    if not (_hiragana(clause[end - 1]) and _hiragana(clause[end])) or clause[end] in _PARTICLES:
        return False
    start = end - 1
    while start > 0 and _hiragana(clause[start - 1]) and clause[start - 1] not in _PARTICLES:
        start -= 1
    return start > 0 and _script(clause[start - 1]) != ""


_PARTICLES = frozenset("をがはにでとへもの")
_CLAUSE = re.compile(r"[\s，、；：。！？,;:!?…「」『』“”\"（）()《》]+")


def _spaceless(sentence: str, language: str | None, weights: dict[str, float], key: Callable[[Token], str],
               shortest: int = 4, longest: int = 16) -> list[Phrase]:
    """Headline runs of a sentence in Chinese or Japanese: a clause whole where it is short enough, else its first
    `shortest`..`longest` characters (a news clause names its subject first: 北京市政府周二宣布), scored as word runs
    are, by the chapter's salient bigrams they hold, less a little per character and more for a cut clause. Titles
    of bigram keywords ("京市 府周 车站") read as nothing."""
    out = []
    for clause in _CLAUSE.split(sentence):
        ends = [len(clause)] if len(clause) <= longest else range(shortest, longest + 1)
        for end in ends if len(clause) >= shortest else ():
            seen = {key(t) for t in tokenize([clause[:end]], language, numbers=False)}
            score = sum(sorted((weights.get(k, 0.0) for k in seen), reverse=True)[:NAMED]) - 0.02 * end
            # a cut costs less before a Japanese particle after a word (子育て支援制度|を), more inside a run of
            # kanji or katakana (支|援); none is made inside the hiragana ending of a word written in kanji
            # (発表しまし|た: no word as said)
            cut = end < len(clause)
            if cut and _inside_ending(clause, end):
                continue
            word_end = cut and clause[end] in _PARTICLES and _script(clause[end - 1]) != ""
            inside = cut and _script(clause[end - 1]) == _script(clause[end]) != ""
            score -= CUT * cut - CUT / 2 * word_end + CUT / 2 * inside
            out.append(Phrase(score, clause[:end]))
    return sorted(out, key=lambda p: -p.score)


# Prepositions that decide the case of the word after them, in languages that write no article between: a title
# cut after one reads wrong ("эфире новости" from "в эфире новости", "реке Каменке" from "в реке Каменке"), so a
# title that starts right after one keeps it, as a part of that word (it may make a ninth word: a title that left it
# out for room lost its subject instead). Elsewhere (English "in Tokyo", or German, where an article stands between)
# a run's first content word reads well alone.
GOVERNING = {
    "ru": "в во на о об обо с со к ко у из от до по за для без при про под подо над перед через между среди после",
    "uk": "в у на о об з із зі зо к до від по за для без при про під над перед через між серед після",
    "be": "у ў на аб з са к да ад па за для без пры пра пад над перад праз паміж",
    "pl": "w we na o z ze do od po za dla bez przy pod nad przed przez między u ku",
    "cs": "v ve na o z ze do od po za pro bez při pod nad před přes mezi u k ke",
    "sk": "v vo na o z zo do od po za pre bez pri pod nad pred cez medzi u k ku",
}
_GOVERNING = {lang: frozenset(words.split()) for lang, words in GOVERNING.items()}


def governs(raw: Sequence[str], a: int, language: str | None) -> int:
    """1 when the word before raw[a] is a preposition that governs it (GOVERNING) in the same clause, else 0."""
    if a == 0 or _BREAK.search(raw[a - 1]):
        return 0
    return int(raw[a - 1].strip("\"“”„«»(").casefold() in _GOVERNING.get(language or "", frozenset()))


def _clean(words: list[str], language: str | None) -> str:
    text = " ".join(w.translate(_QUOTES) for w in words).strip(" ,;:.!?…—–-'’")
    return upper_first(" ".join(text.split()), language)  # Turkish "izmir ..." opens "İzmir", not "Izmir"


def headlines(
    chapters: Sequence[Sequence[str]], language: str | None, groups: Sequence[Sequence[Token]], reading: Reading,
    stop: set[str], fallback: Sequence[str], lead: int = 3, names: dict[str, str] | None = None,
) -> list[str]:
    """A headline for each chapter: the best phrase of its first `lead` sentences (news says what a story is about
    first), weighed by the chapter's salient words (tf x idf over the chapters, names counted up), distinct within
    the video. Where the lead holds none (a boundary a sentence early puts the story before's last sentences there),
    the best phrase of the chapter's other sentences; a chapter with no phrase at all keeps its `fallback` title
    (the salient words). Sentences in another language than the transcript's (an interview left untranslated) are
    read last: a title is in the transcript's language where the chapter allows. A title word from text that lost
    its capitals takes its form in `names`, if given (indexer.chapters.casing.capitals: as the transcript, or the
    video's article, writes it; segment gives them)."""
    key = prefix(6)
    everywhere = set.intersection(*({key(t) for t in g} for g in groups)) if len(groups) > 1 else set()
    used: set[str] = set()
    out = []
    reads = [[_reading(s, language) for s in sentences] for sentences in chapters]
    every = [r for row in reads for r in row]
    if every.count("other") > FOREIGN_MOST * max(1, len(every)):
        reads = [["own"] * len(r) for r in reads]  # mostly "another" language: the transcript's own is in doubt
    for sentences, ranks, spare, read_as in zip(chapters, salient(groups, reading, key), fallback, reads):
        top = ranks[0][1] if ranks else 1.0
        weights = {k: v / top for k, v in ranks if k not in everywhere}
        own = [s if r == "own" else "" for s, r in zip(sentences, read_as)]  # positions kept for the decay
        title = (_best_phrase(own[:lead], 0.3, language, weights, stop, key, used)
                 or _best_phrase(own[lead:], 0.05, language, weights, stop, key, used)
                 or _best_phrase(sentences[:lead], 0.3, language, weights, stop, key, used)
                 or _best_phrase(sentences[lead:], 0.05, language, weights, stop, key, used) or spare)
        title = recased(title, names or {}, language)
        if title.casefold() in used:
            title = _numbered(title, used)
        used.add(title.casefold())
        out.append(title)
    return out


def _best_phrase(sentences: Sequence[str], decay: float, language: str | None, weights: dict[str, float],
                 stop: set[str], key: Callable[[Token], str], used: set[str]) -> str | None:
    """The best-scoring phrase of these sentences not yet used in the video, each sentence's phrases worth `decay`
    less than the one before's (down to a tenth); None where none scores above zero."""
    phrases = [replace(ph, score=ph.score * max(0.1, 1.0 - decay * i)) for i, s in enumerate(sentences)
               for ph in headline_phrases(s, language, weights, stop, key)]
    phrases.sort(key=lambda p: -p.score)
    return next((p.text for p in phrases if p.score > 0 and p.text.casefold() not in used), None)


FOREIGN_WORDS = 8  # a sentence shorter than this is not told to be in another language (names, greetings)
FOREIGN_STOP_SHARE = 0.08  # a sentence whose words are this often the transcript language's function words is its
FOREIGN_MOST = 0.3  # past this share of sentences in "another" language, the transcript's own language is in doubt


def _reading(sentence: str, language: str | None) -> str:
    """"own" where a sentence is in the transcript's language: its function words say so (a Spanish sentence read as
    Galician still says "de" and "la"), or, long enough to tell, the text layer's detector does; "other" where the
    detector reads a long one as another language (an interview left untranslated); "unknown" for a short one
    without function words ("Thank you", a name). Languages without a function-word list are "own" throughout."""
    own = stopwords.stop_words(language or "")
    if not own:
        return "own"
    words = [t.text for t in tokenize(sentence.split(), language)]
    if words and sum(w in own for w in words) >= FOREIGN_STOP_SHARE * len(words):
        return "own"
    if len(words) < FOREIGN_WORDS:
        return "unknown"
    return "own" if detect_language(sentence) in (language, UNDETERMINED) else "other"
