"""Chapter titles and keywords: a chapter's salient words (frequent in it, rare in the others, shown in the surface
form the speaker's transcript used: a mid-sentence occurrence when there is one, so "Tashkent" keeps its capital and
"bridge" does not get one), and a headline cut from its lead (indexer.chapters.phrases), distinct within the video.
Words are read as indexer.chapters.reading reads them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from indexer.chapters.casing import recased
from indexer.chapters.courtesy import Courtesy
from indexer.chapters.phrases import Phrase, headline_phrases
from indexer.chapters.reading import Reading, prefix, read
from indexer.text import stopwords
from indexer.text.language import UNDETERMINED, detect_language
from indexer.text.normalize import Token, primary_language, tokenize


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
    """The top `size` keys in spoken order; on a clash, swap in lower-ranked keys, and number the title last; ""
    without keys (a chapter of no words: its caller names it by its start, in no language)."""
    if not keys:
        return ""
    head = keys[: max(1, size - 1)]
    for extra in [keys[len(head) :][:1]] + [[k] for k in keys[len(head) + 1 :]] + [[]]:
        title = _title([*head, *extra], forms, order)
        if title.casefold() not in used:
            return title
    return _numbered(_title(keys[:size], forms, order), used)


def _title(keys: list[str], forms: dict[str, str], order: dict[str, int]) -> str:
    text = " ".join(forms[k] for k in sorted(keys, key=order.__getitem__))
    return text[:1].upper() + text[1:]


def _numbered(base: str, used: set[str]) -> str:
    """A title already used, numbered from 2 on ("Floods 2") until it is not."""
    n = 2
    while f"{base} {n}".casefold() in used:
        n += 1
    return f"{base} {n}"


def headlines(
    chapters: Sequence[Sequence[str]], language: str | None, groups: Sequence[Sequence[Token]], reading: Reading,
    stop: set[str], fallback: Sequence[str], lead: int = 3, names: dict[str, str] | None = None,
) -> list[str]:
    """A headline for each chapter: the best phrase of its first `lead` sentences (news says what a story is about
    first), weighed by the chapter's salient words (tf x idf over the chapters, names counted up), distinct within
    the video. Where the lead holds none (a boundary a sentence early puts the story before's last sentences
    there), the best phrase of the chapter's other sentences; a chapter with no phrase at all keeps its `fallback`
    title (the salient words). Sentences in another language than the transcript's (an interview left
    untranslated) are read last: a title is in the transcript's language where the chapter allows. So are the
    programme's greetings and station lines (indexer.chapters.courtesy), and no run of its other sentences may say
    one (a long greeting goes on to tell the news). A title word from text that lost its capitals takes its form in
    `names`, if given (indexer.chapters.casing.capitals: as the transcript, or the video's article, writes it;
    segment gives them). Distinct means more than another string: a phrase that echoes a title already given
    (_echoes: most of its content words) is passed over for the chapter's next best, where it has one."""
    key = prefix(6)
    everywhere = set.intersection(*({key(t) for t in g} for g in groups)) if len(groups) > 1 else set()
    used: set[str] = set()
    reads = _readings(chapters, language)
    polite = Courtesy(chapters, language)
    for row, marks in zip(reads, polite.sentences):
        row[:] = ["courtesy" if c else r for r, c in zip(row, marks)]
    chains = []
    for sentences, ranks, read_as in zip(chapters, salient(groups, reading, key), reads):
        top = ranks[0][1] if ranks else 1.0
        weights = {k: v / top for k, v in ranks if k not in everywhere}
        own = [s if r == "own" else "" for s, r in zip(sentences, read_as)]  # positions kept for the decay
        # a chapter opened by the presenter's "Und nun die Wettervorhersage für morgen" is titled from it first
        opened = [(own[:1], LEAD_DECAY, polite.said)] if own and own[0] and polite.announces(own[0]) else []
        chains.append(_Chain([*opened, (own[:lead], LEAD_DECAY, polite.said), (own[lead:], 0.05, polite.said),
                              (sentences[:lead], LEAD_DECAY, None), (sentences[lead:], 0.05, None)],
                             language, weights, stop, key))
    out = [""] * len(chapters)
    taken: list[set[str]] = []  # the content keys of each title given so far
    # the chapter whose best phrase scores highest chooses first: of a programme's opening headlines and the story
    # one of them announces, the story (whose salient words the phrase holds) keeps the phrase
    for c in sorted(range(len(chapters)), key=lambda c: -chains[c].best()):
        found = chains[c].choose(used, lambda text: _echoes(_keys(text, language, stop, key), taken))
        title = recased(found or fallback[c], names or {}, language)
        if title and title.casefold() in used:
            title = _numbered(title, used)
        used.add(title.casefold())
        taken.append(_keys(title, language, stop, key))
        out[c] = title
    return out


ECHO = 0.6  # two titles of a video that share this share of the shorter one's content words (two at least) echo


def _keys(text: str, language: str | None, stop: set[str], key: Callable[[Token], str]) -> set[str]:
    return {key(t) for t in read([text], language).sentences[0] if t.text not in stop}


def _echoes(keys: set[str], taken: Sequence[set[str]]) -> bool:
    """Whether a title of these content keys says what a title already given says: "Xi Jinping e Joe Biden" after
    "Xi Jinping e Joe Biden si incontrano" (a programme's opening headline and the story it announces)."""
    return any(len(shared := keys & other) >= 2 and len(shared) >= ECHO * min(len(keys), len(other))
               for other in taken)


class _Chain:
    """A chapter's phrases, level by level (its own lead, its own other sentences, then any lead and any other
    sentence), each level computed when it is first needed."""

    def __init__(self, levels: list[tuple[Sequence[str], float, Callable[[str], bool] | None]],
                 language: str | None, weights: dict[str, float], stop: set[str],
                 key: Callable[[Token], str]) -> None:
        self.levels, self.language, self.weights, self.stop, self.key = levels, language, weights, stop, key
        self.done: dict[int, list[Phrase]] = {}

    def level(self, i: int) -> list[Phrase]:
        if i not in self.done:
            sentences, decay, courteous = self.levels[i]
            self.done[i] = _phrases(sentences, decay, self.language, self.weights, self.stop, self.key, courteous)
        return self.done[i]

    def best(self) -> float:
        """The score of the first level's best phrase (0 without one)."""
        return next((p[0].score for i in range(len(self.levels)) if (p := self.level(i))), 0.0)

    def choose(self, used: set[str], echoes: Callable[[str], bool]) -> str | None:
        """The best phrase of the first level that has one not yet used in the video; of those, the best that
        echoes no title given, where there is one."""
        for i in range(len(self.levels)):
            fresh = [p.text for p in self.level(i) if p.text.casefold() not in used]
            if fresh:
                return next((text for text in fresh if not echoes(text)), fresh[0])
        return None


def _phrases(sentences: Sequence[str], decay: float, language: str | None, weights: dict[str, float],
             stop: set[str], key: Callable[[Token], str], courteous: Callable[[str], bool] | None = None
             ) -> list[Phrase]:
    """The phrases of these sentences that score above zero, best first, but those `courteous` says are courtesies
    (where given); each sentence's phrases are worth `decay` less than the one before's (down to a tenth)."""
    phrases = [replace(ph, score=ph.score * max(0.1, 1.0 - decay * i)) for i, s in enumerate(sentences)
               for ph in headline_phrases(s, language, weights, stop, key)]
    phrases.sort(key=lambda p: -p.score)
    return [p for p in phrases if p.score > 0 and not (courteous and courteous(p.text))]


LEAD_DECAY = 0.45  # each lead sentence's phrases are worth this much less than the one before's (news leads with it)
FOREIGN_WORDS = 8  # a sentence shorter than this is not told to be in another language (names, greetings)
FOREIGN_STOP_SHARE = 0.08  # a sentence whose words are this often the transcript language's function words is its
FOREIGN_LEAD = 2  # another language's function words this many times the own language's: the sentence may be in it
_NAMED_READINGS = ("own", "unknown")  # _read_as gives the other language's code in place of "other"


def _readings(chapters: Sequence[Sequence[str]], language: str | None) -> list[list[str]]:
    """_reading of every sentence, per chapter. Where one other language is read in more sentences than the
    transcript's own, the transcript is in that language whatever it is labelled (a caption file's wrong language),
    and its sentences are read against that one instead: Italian remarks in a French report then compete last, as
    French ones would in an Italian report. A report with more foreign speech than its own, in several languages
    (interviews in French, English and Spanish), keeps its own."""
    found = [[_read_as(s, language) for s in sentences] for sentences in chapters]
    others = Counter(r for row in found for r in row if r not in _NAMED_READINGS)
    most, count = others.most_common(1)[0] if others else (UNDETERMINED, 0)
    if count > sum(r == "own" for row in found for r in row):
        return [[_reading(s, most) for s in sentences] for sentences in chapters]
    return [[r if r in _NAMED_READINGS else "other" for r in row] for row in found]


def _reading(sentence: str, language: str | None) -> str:
    """"own" where a sentence is in the transcript's language: its function words say so (a Spanish sentence read as
    Galician still says "de" and "la") and no other language's say more (_foreign_function_words), or, long enough to
    tell, the text layer's detector does; "other" where the detector reads a long one as another language (an
    interview left untranslated); "unknown" for a short one without function words ("Thank you", a name).
    Languages without a function-word list are "own" throughout."""
    found = _read_as(sentence, language)
    return found if found in _NAMED_READINGS else "other"


def _read_as(sentence: str, language: str | None) -> str:
    """_reading, with the language the detector reads in place of "other" (its code)."""
    own = stopwords.stop_words(language or "")
    if not own:
        return "own"
    words = [t.text for t in tokenize(sentence.split(), language)]
    if words and sum(w in own for w in words) >= FOREIGN_STOP_SHARE * len(words):
        if len(words) < FOREIGN_WORDS or not _foreign_function_words(words, language):
            return "own"
    elif len(words) < FOREIGN_WORDS:
        return "unknown"
    found = detect_language(sentence)
    return "own" if found in (language, UNDETERMINED) else found


def _foreign_function_words(words: Sequence[str], language: str | None) -> bool:
    """Whether another language's function words are at least FOREIGN_LEAD times as frequent in these words as the
    transcript language's: a few of the own list's words occur in any sentence of a related language ("on", "a"
    in English and French; "in", "die" in English and German), so their share alone took an untranslated
    interview for the transcript's language. The detector then has the last word (_reading)."""
    def share(code: str | None) -> int:
        listed = stopwords.function_words(code)
        return sum(w in listed for w in words)
    own = share(language)
    return any(share(code) >= FOREIGN_LEAD * max(own, 1) for code in stopwords.languages()
               if code != primary_language(language))
