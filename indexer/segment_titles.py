"""Words of a transcript for topic work (tokens, stop words, salient words, chapter titles) and chapter lists.

Whisper transcribes about a hundred languages, so nothing here may assume English. Tokens are Unicode word runs
(`\\w+`, with the apostrophes that Uzbek Latin and English write inside words), case- and accent-folded so that
"Bridge"/"bridge" and "ё"/"е" meet. Scripts written without spaces (Chinese, Japanese, Thai, Khmer...) have no word
runs to find, so they become overlapping character bigrams, the usual language-neutral stand-in for words.

Inflection is handled by prefix truncation (keep the first few letters): crude, but it needs no dictionary and works
for the suffixing languages (Russian, Uzbek, Turkish, English) that most of our archive is in.

Stop words come from two places: short built-in lists for the languages we know (written here for en, ru, uz) and,
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from indexer.models import Chapter

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2018\u2019\u02bb\u02bc`\u00b4"})
_TOKEN = re.compile(r"\w+(?:'\w+)*")
# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana, CJK ideographs.
_NO_SPACES = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
_LETTER = re.compile(r"[^\W\d_]")

_EN = """a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each even few for from further had has have having he her
here hers him his how i if in into is it its itself just may me might more most much must my no nor not now of off on
once only or other our ours out over own same she should so some such than that the their theirs them then there these
they this those through to too under until up upon very was we were what when where which while who whom why will
with would yet you your yours said says say told according one two new year years last next week today yesterday
tomorrow monday tuesday wednesday thursday friday saturday sunday january february april may june july august
september october november december"""

_RU = """а без более бы был была были было быть в вам вас весь во вот все всё всего всех вы где да даже для до его её ее
если есть ещё еще же за здесь и из или им их к как какой когда кто ли либо мы на над не него нее неё нет ни них но ну
о об он она они оно от очень по под после при про с со так также там те тем то того тоже той только том ту ты у уже
хотя чем через что чтобы эта эти это этого этой этом этот я может могут будет будут который которая которые которое
году года год сказал сказала заявил заявила сообщил сообщила один два три свой своей своих сегодня вчера завтра
теперь"""

_UZ = """va bilan uchun bu u ular ham esa lekin ammo biroq yoki hamda chunki agar yana eng juda har barcha hamma biz men
siz sen shu o'sha ushbu mazkur bo'yicha kabi qadar keyin oldin so'ng bo'ldi bo'lgan bo'lib bo'ladi edi emas deb dedi
qildi etdi ekan hali endi faqat hatto orqali tomonidan ko'ra haqida yil yili yilda bir ikki uch bor yo'q da de ga ni
ning dan mumkin kerak o'z o'zi ya'ni ba'zi ayrim nima qanday qachon qayerda kim aytdi aytishicha ma'lum bugun
kecha ertaga hozir"""


def fold(text: str) -> str:
    """Case- and accent-folded form with one apostrophe: the key under which spellings of a word meet."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


BUILTIN_STOP_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(fold(w) for w in words.split()) for lang, words in (("en", _EN), ("ru", _RU), ("uz", _UZ))
}


@dataclass(frozen=True)
class Token:
    norm: str  # folded full form: what stop words are checked against
    key: str  # folded prefix: what cohesion and salience count
    surface: str  # as written in the transcript
    initial: bool  # first word of its sentence (its capital says nothing)


def tokenize(text: str, stem: int = 6) -> list[Token]:
    """Word tokens of one sentence; runs of a script written without spaces become character bigrams."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text.translate(_APOSTROPHES)):
        surface = text[m.start() : m.end()]
        if not _LETTER.search(surface):
            continue  # numbers: Whisper writes them inconsistently and they rarely carry the topic
        for piece in _pieces(surface):
            norm = fold(piece)
            if len(norm) > 1 or _NO_SPACES.match(piece):
                tokens.append(Token(norm, norm[:stem] if stem > 0 else norm, piece, not tokens))
    return tokens


def _pieces(surface: str) -> list[str]:
    if not _NO_SPACES.search(surface) or len(surface) < 3:
        return [surface]
    return [surface[i : i + 2] for i in range(len(surface) - 1)]


def stop_words(language: str, sentences: Sequence[Sequence[Token]], parts: int = 10, share: float = 0.7) -> set[str]:
    """The built-in list for `language` plus the words used almost everywhere in this transcript.

    The transcript is cut into `parts` stretches (fewer for a short one, at least two sentences each); a word present
    in at least `share` of them is spread too evenly to say anything about topics. Below three stretches, only the
    built-in list is used.
    """
    stop = set(BUILTIN_STOP_WORDS.get(language.split("-")[0].lower(), frozenset()))
    parts = min(parts, len(sentences) // 2)
    if parts < 3:
        return stop
    seen: Counter[str] = Counter()
    size = len(sentences) / parts
    for p in range(parts):
        chunk = sentences[round(p * size) : round((p + 1) * size)]
        seen.update({t.norm for s in chunk for t in s})
    return stop | {w for w, n in seen.items() if n >= share * parts}


def content(tokens: Iterable[Token], stop: set[str]) -> list[Token]:
    return [t for t in tokens if t.norm not in stop]


def salient(groups: Sequence[Sequence[Token]]) -> list[list[tuple[str, float]]]:
    """Per group (chapter), its keys ranked by tf x idf over the groups: frequent here, rare elsewhere.

    A word capitalised in mid-sentence (a name, in the scripts that have case) counts half as much again: news
    chapters are best named by their places and people. Ties go to the word said first (news leads with its topic).
    """
    counts = [Counter(t.key for t in g) for g in groups]
    df: Counter[str] = Counter(k for c in counts for k in c)
    ranked = []
    for c, g in zip(counts, groups):
        first: dict[str, int] = {}
        named = {t.key for t in g if not t.initial and t.surface[:1].isupper()}
        for i, t in enumerate(g):
            first.setdefault(t.key, i)
        scores = {
            k: tf * (1.0 + math.log(len(groups) / df[k])) * (1.5 if k in named else 1.0) for k, tf in c.items()
        }
        ranked.append(sorted(scores.items(), key=lambda kv: (-kv[1], first[kv[0]])))
    return ranked


def surface_forms(tokens: Sequence[Token]) -> dict[str, str]:
    """For each key, its most frequent written form, counting mid-sentence occurrences before initial ones."""
    tally: dict[str, Counter[tuple[bool, str]]] = {}
    for t in tokens:
        tally.setdefault(t.key, Counter())[(not t.initial, t.surface)] += 1
    out = {}
    for key, forms in tally.items():
        mid = {f: n for (m, f), n in forms.items() if m}
        pool = mid or {f: n for (_, f), n in forms.items()}
        out[key] = max(pool.items(), key=lambda fn: fn[1])[0]
    return out


def describe(
    groups: Sequence[Sequence[Token]], title_words: int = 3, keywords: int = 8, stem: int = 6
) -> list[tuple[str, tuple[str, ...]]]:
    """A distinct title and the keywords for each group of content tokens, in group order.

    Words are re-keyed by a `stem`-letter prefix: segmentation may stem harder (it only needs overlap), but a title
    must not merge unrelated words that share their first letters. A word said in every group cannot tell them
    apart, however often it is said: it may be a keyword, not a title.
    """
    groups = [[replace(t, key=t.norm[:stem]) for t in g] for g in groups]
    everywhere = set.intersection(*({t.key for t in g} for g in groups)) if len(groups) > 1 else set()
    used: set[str] = set()
    out = []
    for g, ranks in zip(groups, salient(groups)):
        forms = surface_forms(g)
        order = {t.key: i for i, t in reversed(list(enumerate(g)))}
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


# --- formats ----------------------------------------------------------------------------------------------------

YOUTUBE_MIN_CHAPTER = 10.0  # seconds; YouTube also wants the list to start at 00:00 and hold three or more entries


def youtube_description(chapters: Sequence[Chapter]) -> str:
    """`00:00 Title` lines to paste into a YouTube description, one per chapter.

    YouTube's rules: the first timestamp is 00:00, timestamps ascend, there are at least three, and each chapter
    lasts at least 10 s. Chapters shorter than that are merged into a neighbour (the longer of the two gives the
    title), and the first line always reads 00:00. Times are MM:SS, or H:MM:SS on every line when the video reaches
    an hour. When fewer than three chapters remain, the lines are still returned (a fine table of contents), but
    YouTube will not turn them into chapters; callers that need to know can count the lines.
    """
    spans = _merge_short(sorted((c.start, c.end, c.title) for c in chapters))
    hours = bool(chapters) and max(c.end for c in chapters) >= 3600
    # YouTube refuses descriptions that contain angle brackets.
    return "".join(f"{_clock(start, hours)} {_one_line(title.replace('<', ' ').replace('>', ' '))}\n"
                   for start, _, title in spans)


def _merge_short(spans: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """(start, length, title) with the first at 0 and each lasting 10 s or more up to the next start (or the end).

    A short chapter is merged with its neighbour, and the merged chapter keeps the longer one's title.
    """
    if not spans:
        return []
    end = max(e for _, e, _ in spans)
    out: list[tuple[float, float, str]] = []
    for i, (start, _, title) in enumerate(spans):
        start = 0.0 if i == 0 else start
        length = (spans[i + 1][0] if i + 1 < len(spans) else end) - start
        if out and start - out[-1][0] < YOUTUBE_MIN_CHAPTER:
            out.append(_join(out.pop(), (start, length, title)))
        else:
            out.append((start, length, title))
    if len(out) > 1 and end - out[-1][0] < YOUTUBE_MIN_CHAPTER:
        last = out.pop()
        out.append(_join(out.pop(), last))
    return out


def _join(a: tuple[float, float, str], b: tuple[float, float, str]) -> tuple[float, float, str]:
    return a[0], a[1] + b[1], a[2] if a[1] >= b[1] else b[2]


def _clock(seconds: float, hours: bool) -> str:
    s = int(seconds)
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if hours else f"{s // 60:02d}:{s % 60:02d}"


def _one_line(title: str) -> str:
    return " ".join(title.split()) or "Chapter"


def vtt_chapters(chapters: Sequence[Chapter]) -> str:
    """A WebVTT chapters track (`<track kind="chapters">`): one cue per chapter, its text the title."""
    cues = [
        f"{i}\n{_vtt_time(c.start)} --> {_vtt_time(max(c.end, c.start))}\n{_vtt_text(c.title)}\n"
        for i, c in enumerate(sorted(chapters, key=lambda c: c.start), start=1)
    ]
    return "\n".join(["WEBVTT\n", *cues])


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    return f"{h:02d}:{m:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _vtt_text(title: str) -> str:
    return _one_line(title).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
