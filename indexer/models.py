"""Core data types: frozen dataclasses, times in float seconds from the start of the video.

Times are formatted only at the edges (CLI, HTTP, caption files); everything inside works in seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, TypeVar

from indexer.text.ordinals import ordinal_stop
from media.lines import SENTENCE_END
from media.readable import join_words

SearchMode = Literal["quote", "keyword"]
ChapterSource = Literal["computed", "creator", "editor"]  # topic segmentation, the video's own list, an editor's
ClipOrigin = Literal["hit", "chapter", "range"]  # what the producer picked a clip from
# where a stored word comes from: the recogniser, a caption file, an article wording the audio confirmed, an editor
WordSource = Literal["asr", "caption", "article", "editor"]

R = TypeVar("R", bound="Record")


class Record:
    """A frozen dataclass that is stored as JSON (step options and results, job payloads).

    `from_dict` ignores keys it does not know (written by a newer version) and turns lists back into tuples, so a
    record read back equals the one written.
    """

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls: type[R], data: Mapping[str, Any]) -> R:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0
    source: WordSource = "asr"
    # a new speaker's turn begins with this word: a caption file marked it ("- ", ">>", a WebVTT voice span of
    # another speaker; media.cuetext), and subtitle exports write it back (media.turns); a recogniser's words never
    # have one
    turn: bool = False


@dataclass(frozen=True)
class Segment:
    """One decoded stretch of speech (a Whisper segment or a caption cue) with its words."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Sentence:
    start: float
    end: float
    text: str
    first_word: int  # index into Transcript.words
    last_word: int  # inclusive


@dataclass(frozen=True)
class Video:
    id: str  # "yt:<youtube id>", "file:<content hash>" (a media or caption file), or "<extractor>:<id>" (other sites)
    source: str  # the URL or path it was ingested from
    title: str
    url: str | None = None  # public watch URL, if any
    channel: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    duration: float | None = None
    language: str | None = None
    description: str | None = None
    media_path: str | None = None  # relative to the data directory
    has_video: bool = False
    article: str | None = None  # URL or path of the article given at ingest
    creator_chapters: tuple[tuple[float, float, str], ...] = ()


@dataclass(frozen=True)
class Transcript:
    video_id: str
    language: str
    engine: str  # "faster-whisper", "openai-whisper" or "captions"
    model: str  # model name, or the caption kind ("manual", "auto", "file")
    segments: tuple[Segment, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def source(self) -> str:
        return f"{self.engine}:{self.model}"

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def sentences(self) -> list[Sentence]:
        return list(split_sentences(self.words, self.language))


def ends_sentence(word: str) -> bool:
    """Whether a sentence ends with this word (its terminal punctuation, perhaps inside a closing quote)."""
    return SENTENCE_END.search(word.strip()) is not None


# a word written with dots between letters ("U.S.", "z.B.", "u.a.", "e.g.") or an initial ("J.")
_DOTTED = re.compile(r"[^\W\d_]{1,3}(?:\.[^\W\d_]{1,3})+\.|[^\W\d_]\.")
_TITLE = re.compile(r"[^\W\d_][^\W\d_]\.")  # "Mr.", "Dr.", "St.": a capital and a small letter before a name


def runs_on(word: str, following: str) -> bool:
    """Whether a sentence goes on past a word that ends in a full stop: an abbreviation written with dots before a
    word in lower case ("U.S. officials", "u.a. in Berlin"), an initial before any word ("J. K. Rowling"), or a
    title of two letters before a name ("Dr. Fauci", "St. Petersburg")."""
    word, first = word.strip(), following.strip()[:1]
    if not first:
        return False
    if _TITLE.fullmatch(word) and word[0].isupper() and word[1].islower():
        return first.isupper()
    if not _DOTTED.fullmatch(word):
        return False
    return first.islower() or (len(word) == 2 and word[0].isupper() and first.isupper())


def goes_on(word: str, before: str, following: str, language: str | None = None) -> bool:
    """Whether a sentence goes on past a word that ends in a full stop, between `before` and `following`: the stop
    of an abbreviation or an initial (`runs_on`) or of an ordinal number (`ordinal_stop`: "am 8. Spieltag", in
    `language` where it names the words before one)."""
    return runs_on(word, following) or ordinal_stop(word, before, following, language)


def split_sentences(words: Iterable[Word], language: str | None = None) -> Iterator[Sentence]:
    """Group words into sentences at terminal punctuation (or at a pause of 2 s or more); a full stop the sentence
    goes on past (`goes_on`) ends none."""
    buf: list[Word] = []
    first = 0
    items = list(words)
    for i, w in enumerate(items):
        if buf and w.start - buf[-1].end >= 2.0:
            yield _sentence(buf, first)
            buf, first = [], i
        buf.append(w)
        if ends_sentence(w.text) and not goes_on(w.text, items[i - 1].text if i else "",
                                                 items[i + 1].text if i + 1 < len(items) else "", language):
            yield _sentence(buf, first)
            buf, first = [], i + 1
    if buf:
        yield _sentence(buf, first)


def _sentence(buf: list[Word], first: int) -> Sentence:
    text = join_words(w.text for w in buf)  # "4.2" and Chinese as written, not "4 .2", "北 京"
    return Sentence(buf[0].start, buf[-1].end, text, first, first + len(buf) - 1)


@dataclass(frozen=True)
class Chapter:
    video_id: str
    start: float
    end: float
    title: str
    keywords: tuple[str, ...] = ()
    source: ChapterSource = "computed"
    # computed chapters: how they were found (indexer.chapters.segment.method); an editor's: chapters.edits.MADE where
    # its title was made from its words, not typed
    method: str = ""


@dataclass(frozen=True)
class Hit:
    """One search result: an exact span of spoken words in one video."""

    video_id: str
    title: str
    start: float
    end: float
    text: str  # the words as spoken
    snippet: str  # passage text with the matched words marked <mark>...</mark>
    score: float  # 0..1
    mode: SearchMode
    chapter: str | None = None
    differences: tuple[str, ...] = ()  # quote words that differ from what was said
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Clip:
    """A range of one video in a reel, with edges already snapped and padded."""

    video_id: str
    start: float
    end: float
    label: str = ""
    origin: ClipOrigin = "range"


@dataclass(frozen=True)
class Reel:
    id: str
    title: str
    clips: tuple[Clip, ...] = ()
    updated_at: float | None = None  # seconds since the epoch: when its title or clips last changed

    @property
    def duration(self) -> float:
        """Seconds, to the millisecond a clip's edges are kept to (a sum of 100 clips read 120.0000000000002)."""
        return round(sum(c.end - c.start for c in self.clips), 3)


@dataclass(frozen=True)
class ReelClips:
    """A reel that held clips of a deleted video: its id, title, and how many of its clips were that video's."""

    reel: str
    title: str
    clips: int


@dataclass(frozen=True)
class DeletedVideo:
    video_id: str
    reels: tuple[ReelClips, ...] = ()  # the reels that lost clips with it
    renders: tuple[str, ...] = ()  # the rendered files removed with it (they held its clips)
    articles: tuple[str, ...] = ()  # the articles it leaves linked to no video (kept: their text is the newsroom's)
