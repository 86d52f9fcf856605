"""HTTP request and response shapes (pydantic), kept apart from the stored data types in indexer.models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorOut(BaseModel):
    error: str = Field(description="What is wrong, in one line.")


class IngestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2000, description="A video, playlist or channel URL on an allowed host.")
    article: str | None = Field(default=None, max_length=2000, description="URL of the article it belongs to.")
    language: str | None = Field(default=None, max_length=16)
    model: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9._-]+$",
                              description="A Whisper model name (directories are not accepted over HTTP).")
    captions: Literal["auto", "only", "never"] = "auto"
    keep_video: bool = False
    force: bool = False
    accept_partial: bool = Field(default=False, description="Ingest what can be decoded of a damaged file.")
    limit: int | None = Field(default=None, ge=1, le=500)


class JobOut(BaseModel):
    id: str
    kind: Literal["ingest", "render"]
    title: str = Field(description="What the job works on, as the user named it: a file name, a URL or a reel.")
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    step: str | None
    progress: float = Field(ge=0, le=1)
    audio_done: float | None = Field(default=None, description="While transcribing: seconds of audio done.")
    audio_total: float | None = Field(default=None, description="While transcribing: seconds of audio in all.")
    eta_s: float | None = Field(default=None, description="While transcribing: estimated seconds left.")
    stalled_s: float | None = Field(default=None, description=(
        "While running: seconds since its worker last reported, once it has missed two reports (it may have died); "
        "progress and eta_s are then its last report's."))
    takeover_s: float | None = Field(default=None, description=(
        "With stalled_s: seconds until another worker may take the job over (0: the next free one does)."))
    detail: str | None = Field(default=None, description=(
        "While running: what its step is doing or waiting for, in words (\"waiting on the asr queue\", \"another "
        "process on HOST is ingesting this video: waiting for it\", \"12.3 MB\"); none once the audio position "
        "says it."))
    error: str | None
    attempts: int
    result: dict[str, Any] | None
    created_at: float
    updated_at: float


class VideoOut(BaseModel):
    id: str
    title: str
    duration: float | None
    language: str | None
    transcript: str | None
    state: Literal["ready", "ingesting", "incomplete"] = Field(description=(
        "ready: transcribed and indexed, every step of its ingest finished; ingesting: a step runs now; "
        "incomplete: a step failed, was cut off or has not run (ingest it again to resume)."))
    unfinished: dict[str, str] = Field(default_factory=dict, description=(
        "The steps of its ingest that have not finished: step -> failed, running, cut off or not run."))
    url: str | None
    channel: str | None
    published: str | None
    has_video: bool = Field(description="It has a picture (else audio only, or captions only).")


class VideoPatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=300)
    channel: str | None = Field(default=None, max_length=200, description="Empty or null clears it.")
    published: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD; empty or null clears it.")


class VideoDetailOut(VideoOut):
    source: str
    description: str | None
    has_video: bool
    article: str | None
    media_url: str | None
    creator_chapters: list[dict[str, Any]]


class WordOut(BaseModel):
    start: float
    end: float
    text: str
    probability: float
    source: Literal["asr", "caption", "article", "editor"] = Field(
        description="where the word comes from: the recogniser, a caption file, a confirmed article wording, "
                    "an editor's correction")
    turn: bool = Field(default=False, description="a new speaker's turn begins with this word (a caption file's "
                       "\"- \" or \">>\"); in a transcript's JSON only where true")


class SegmentOut(BaseModel):
    start: float
    end: float
    text: str
    words: list[WordOut]


class TranscriptOut(BaseModel):
    video_id: str
    language: str
    engine: str
    model: str
    warnings: list[str]
    segments: list[SegmentOut]


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: float = Field(ge=0, description="Seconds: the words whose middle lies in [start, end] are replaced.")
    end: float = Field(gt=0)
    text: str = Field(max_length=2000, description="The words said there; empty removes the words.")
    was: str | None = Field(default=None, max_length=4000, description="The words the editor saw there: where the "
                            "transcript reads otherwise now (another correction), the answer is 409.")


class CorrectionOut(BaseModel):
    id: str
    video_id: str
    start: float
    end: float
    text: str
    source: Literal["article", "editor"]
    before: list[WordOut] = Field(description="the words replaced")
    after: list[WordOut] = Field(description="the words written in their place")
    created_at: float
    reverted_at: float | None


class DeletedOut(BaseModel):
    deleted: str
    reels: list[dict[str, Any]] = Field(default_factory=list, description=(
        "The reels that lost clips with the video: {reel, title, clips} each (clips: how many were its)."))
    renders: list[str] = Field(default_factory=list, description=(
        "The rendered files removed with the video (they held its clips)."))
    articles: list[str] = Field(default_factory=list, description=(
        "The articles now linked to no video (kept: DELETE /v1/articles/{id} removes one)."))


class HitOut(BaseModel):
    video_id: str
    title: str
    start: float
    end: float
    text: str
    snippet: str = Field(description="Passage text, HTML-escaped, with the matched words marked <mark>...</mark>.")
    score: float
    mode: Literal["quote", "keyword"]
    chapter: str | None
    differences: list[str]
    links: dict[str, str]


class SearchOut(BaseModel):
    mode: Literal["quote", "keyword"]
    total: int
    timed_out: bool
    hits: list[HitOut]


class ChapterOut(BaseModel):
    start: float
    end: float
    title: str
    keywords: list[str]
    source: Literal["computed", "creator", "editor"] = Field(description="computed (topic segmentation), creator "
                                                              "(the video's own list) or editor (set here)")
    method: str = Field("", description="Computed chapters: the method that found them, e.g. 'e5-small + lexical + "
                                        "pauses', or 'lexical + pauses (no embedding model for language \'uz\')'. "
                                        "An editor's chapter: 'title made from its words' where its title was made "
                                        "from them (a correction of the words makes it again), else empty.")


class ChapterEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: float = Field(ge=0, le=1e7, description="Seconds; the first chapter starts at 0.")
    title: str = Field(default="", max_length=200, description="Empty: titled from the chapter's own words.")
    made: bool = Field(default=False, description="The title given is one made from the chapter's words (a computed "
                       "chapter's, or an editor's whose method says 'title made from its words'), kept as it was "
                       "shown: a correction of the words makes it again. A title typed by the editor stays as typed.")


class ChaptersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chapters: list[ChapterEditIn] = Field(min_length=1, max_length=1000, description="In time order.")
    was: list[ChapterEditIn] | None = Field(default=None, max_length=100000, description="The list the editor saw "
                                            "(starts and titles): where the list shown reads otherwise now (another "
                                            "editor), the answer is 409.")


class ChapterTitleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    was: str | None = Field(default=None, max_length=400, description="The title the editor saw: where the chapter "
                            "is titled otherwise now (another editor), the answer is 409.")


# articles -------------------------------------------------------------------------------------------------------
class QuoteOut(BaseModel):
    text: str
    start: int = Field(description="Character offset of the quote in its paragraph.")
    end: int
    marks: str
    speaker: str | None
    depth: int


class ParagraphOut(BaseModel):
    index: int
    text: str
    quotes: list[QuoteOut]


class ArticleOut(BaseModel):
    source: str | None = Field(description="The URL it was loaded from; null when it came from a local file.")
    title: str
    paragraphs: list[ParagraphOut]
    language: str
    published: str | None
    url: str | None
    path: None = Field(default=None, description="Always null: the server's file paths are not shown.")
    format: str
    page_text: str


QuoteStatusOut = Literal["verbatim", "differs", "probably verbatim", "not found"]


class WordDiffOut(BaseModel):
    article: str = Field(description="The article's words here (empty: the speaker said words the quote leaves out).")
    spoken: str = Field(description="What the transcript has here (empty: the quote adds words).")
    start: float
    end: float
    confidence: float = Field(description="The recogniser's lowest word probability here.")
    audio: float | None = Field(default=None, description=(
        "Log-probability margin of the article's wording over the transcript's when the audio was re-scored "
        "(> 0: the audio fits the article better); null when not re-scored."))
    alike: float = Field(default=0.0, description="How alike the two wordings sound, 0..1.")
    critical: bool = Field(default=False, description="The difference changes the meaning however it sounds (a word "
                                                      "added or dropped, a number changed, a negation flipped): "
                                                      "the audio is held to the strictest bar.")


class QuoteCheckOut(BaseModel):
    paragraph: int
    quote: int
    text: str
    speaker: str | None
    status: QuoteStatusOut = Field(description=(
        "verbatim; differs (the audio, or the text when basis is captions, confirms the changes in differences); "
        "probably verbatim (the transcript differs but the audio fits the article about as well: see misheard); "
        "not found"))
    score: float
    start: float | None
    end: float | None
    spoken: str
    differences: list[WordDiffOut]
    via_translation: bool
    basis: Literal["audio", "captions"] = Field(default="captions", description=(
        "audio: differences were re-scored on the video's audio; captions: judged on the stored text only"))
    misheard: list[WordDiffOut] = Field(default_factory=list, description=(
        "Differences that are likely the recogniser's: what it heard (spoken) against the article's words"))


class ParagraphLinkOut(BaseModel):
    paragraph: int
    start: float | None
    end: float | None
    score: float
    snippet: str
    quotes: list[QuoteCheckOut]


class ArticleLinksOut(BaseModel):
    video_id: str
    article_language: str
    transcript_language: str
    precision: str
    via_translation: bool
    paragraphs: list[ParagraphLinkOut]
    notes: list[str]


class LinkedArticleOut(BaseModel):
    id: str
    article: ArticleOut
    links: list[ArticleLinksOut]


class ArticleSummaryOut(BaseModel):
    id: str
    title: str
    url: str | None
    videos: list[str]


class QuoteViewOut(BaseModel):
    text: str
    status: QuoteStatusOut
    speaker: str | None
    start: float | None
    detail: str
    basis: Literal["audio", "captions"] = "captions"
    differences: list[WordDiffOut] = Field(default_factory=list)
    misheard: list[WordDiffOut] = Field(default_factory=list)


class ParagraphViewOut(BaseModel):
    text: str
    start: float | None
    end: float | None
    score: float
    quotes: list[QuoteViewOut]


class VideoArticleOut(BaseModel):
    id: str
    title: str
    url: str | None
    notes: list[str]
    precision: str
    paragraphs: list[ParagraphViewOut]
