"""The ingest chain's steps: fetch -> audio -> transcript -> chapters -> index -> article.

Each step is an idempotent function `(video_id, ctx) -> result record` that reads what it needs from the store and
writes its result there (see ingest/context.py for claiming and leases). `run_chain` runs the steps that are not done
yet, in order, so a crash in any step loses nothing already committed and the same command resumes.

1. fetch: a URL through yt-dlp (metadata, creator chapters; subtitles when the caption policy allows; audio, or
   video+audio with keep_video, unless subtitles make media unnecessary); a local file is used in place, with a
   sidecar caption file (.vtt, .srt, .ttml, .dfxp, .stl, .scc, .sbv) when present; a caption/transcript file needs
   nothing fetched.
2. audio: ffmpeg extracts 16 kHz mono WAV; skipped when the transcript comes from captions.
3. transcript: from captions (their language: --language, YouTube's, the WebVTT header's, else read from the
   words), or from the ASR engine.
4. chapters: topic segmentation (computed) and the creator's own chapters, both stored.
5. index: the video's passages go into the search index.
6. article: the article given at ingest is linked to the video.
"""

from __future__ import annotations

import os
import socket
from dataclasses import replace
from pathlib import Path

from indexer import formats
from indexer.articles.link import ArticleLinks
from indexer.articles.load import Article
from indexer.articles.store import ArticleStore, article_id
from indexer.articles.videolinks import link_to_video
from indexer.asr.audio import wav_duration
from indexer.asr.engine import EngineChoice, make_engine
from indexer.chapters.creator import creator_chapters
from indexer.chapters.segment import segment
from indexer.deeplinks import clock
from indexer.errors import IngestError, InvalidInput
from indexer.ingest.context import StepContext, StepFn, run_step
from indexer.ingest.plan import sidecar
from indexer.ingest.types import (
    STEPS,
    ArticleResult,
    AudioResult,
    ChaptersResult,
    FetchResult,
    IndexResult,
    StepName,
    StepOptions,
    TranscriptResult,
)
from indexer.languages import WHISPER_LANGUAGES
from indexer.models import Transcript
from indexer.search.service import SearchService
from indexer.store.corrections import replay_in
from indexer.store.files import audio_path, work_dir
from indexer.text.language import UNDETERMINED, detect_language
from media import captions as capmod
from media import ffmpeg, sources

CAPTION_SLACK_S = 10.0  # captions may linger a little after the last sound
PARTIAL_SLACK_S = 2.0  # decoded audio this much shorter than the container says (or 5%) means a damaged file
SILENT_WARN_S = 10.0  # no words at all in more audio than this deserves a warning


def run_chain(video_id: str, ctx: StepContext) -> list[StepName] | None:
    """Run the steps not done yet; the steps this process ran (none where another process, ingesting the same
    video at once, ran them all while this one waited), or None with a broker (workers run them)."""
    if ctx.settings.broker_url:  # several machines: each step runs on its queue's workers, and this waits for them
        from indexer.distributed.chain import run_distributed  # deferred: the Dramatiq transport, only with a broker

        run_distributed(video_id, ctx)
        return None
    # each step leases the next to this run as it ends, so a concurrent ingest never runs part of this one's chain
    return [step for step, then in zip(STEPS, (*STEPS[1:], None), strict=True)
            if run_step(video_id, step, ctx, STEP_FUNCTIONS[step], then)]


def _fetch(video_id: str, ctx: StepContext) -> FetchResult:
    opts = ctx.store.get_options(video_id, StepOptions)
    if opts.kind in ("captions", "file"):
        _readable_here(Path(str(opts.path)), ctx)
    if opts.kind == "captions":
        return FetchResult(captions=opts.path, caption_kind="file")
    if opts.kind == "file":
        return _fetch_local(Path(str(opts.path)), opts)
    return _fetch_remote(video_id, ctx.store.get_video(video_id).source, opts, ctx)


def _readable_here(path: Path, ctx: StepContext) -> None:
    """A local file the ingest was given, as this worker sees it: with several machines, a file on the machine
    that ran `clipindex ingest` only was "no such file", though it was right there."""
    if path.is_file():
        return
    if ctx.settings.broker_url:
        raise IngestError(f"{path} cannot be read on {socket.gethostname()}, where this step runs: with several "
                          "machines, a local file must be on a path every machine mounts (the shared data "
                          "directory)")
    raise IngestError(f"{path}: no such file (moved or deleted since the ingest began)")


def _fetch_local(path: Path, opts: StepOptions) -> FetchResult:
    found = sidecar(path) if opts.captions != "never" else None
    if found:
        return FetchResult(media=str(path), captions=str(found), caption_kind="sidecar")
    if opts.captions == "only":
        raise IngestError(f"{path.name}: no sidecar caption file ({', '.join(sources.SUBTITLE_EXTS)}) beside it, "
                          "and --captions only forbids Whisper")
    return FetchResult(media=str(path))


def _fetch_remote(video_id: str, url: str, opts: StepOptions, ctx: StepContext) -> FetchResult:
    ytdl = replace(ctx.ytdl, public_only=True) if opts.public_only else ctx.ytdl
    info = sources.fetch_info(url, ytdl)
    video = ctx.store.get_video(video_id)
    ctx.store.put_video(replace(
        video, title=info.title, url=info.webpage_url or url, channel=info.channel, published=info.published,
        duration=info.duration, description=info.description, language=info.language,
        creator_chapters=info.chapters))
    folder = work_dir(ctx.settings.data_dir, video_id)
    result = FetchResult()
    picked = sources.pick_subtitles(info, opts.language) if opts.captions != "never" else None
    if picked:
        sub = sources.download_subtitles(info.webpage_url or url, picked[0], picked[1], folder, ytdl)
        result = FetchResult(captions=str(sub), caption_kind=picked[0], caption_language=picked[1])
    elif opts.captions == "only":
        raise IngestError(f"{url}: the video has no subtitles, and --captions only forbids Whisper")
    if not picked or opts.keep_video:
        result = replace(result, media=str(_download(url, folder, opts, replace(ctx, ytdl=ytdl))))
    return result


def _download(url: str, folder: Path, opts: StepOptions, ctx: StepContext) -> Path:
    def report(done: float, total: float | None) -> None:
        ctx.progress(done / total if total else 0.0, f"{done / 1e6:.1f} MB")

    path = sources.download_media(url, folder, ctx.ytdl, opts.keep_video, report)
    info = ffmpeg.probe(path)
    video = ctx.store.get_video(ctx.video_id)
    rel = os.path.relpath(path, ctx.settings.data_dir)
    ctx.store.put_video(replace(video, media_path=rel, has_video=info.has_video,
                                duration=video.duration or info.duration))
    return path


def _audio(video_id: str, ctx: StepContext) -> AudioResult:
    fetched = ctx.store.step_result(video_id, "fetch", FetchResult)
    if fetched.captions or not fetched.media:
        return AudioResult(skipped="the transcript comes from captions")
    src = Path(fetched.media)
    dst = audio_path(ctx.settings.data_dir, video_id)
    dst.parent.mkdir(parents=True, exist_ok=True)
    duration = ctx.store.get_video(video_id).duration or ffmpeg.probe(src).duration
    claimed = ffmpeg.extract_audio(src, dst, lambda done: ctx.progress(done / duration if duration else 0.0)).duration
    decoded = wav_duration(dst)
    if claimed and decoded < claimed - max(PARTIAL_SLACK_S, 0.05 * claimed):
        problem = (f"{src.name}: only {clock(decoded)} of its {clock(claimed)} could be decoded: the file is "
                   "truncated or damaged")
        if not ctx.store.get_options(video_id, StepOptions).accept_partial:
            dst.unlink(missing_ok=True)
            raise IngestError(f"{problem} (to keep what can be read, ingest it with --accept-partial)")
        # the video is as long as what decodes: players, clips and reels are bounded by it, not by the header's claim
        ctx.store.put_video(replace(ctx.store.get_video(video_id), duration=decoded))
        return AudioResult(audio=str(dst), warnings=(problem,))
    return AudioResult(audio=str(dst))


def _transcript(video_id: str, ctx: StepContext) -> TranscriptResult:
    fetched = ctx.store.step_result(video_id, "fetch", FetchResult)
    opts = ctx.store.get_options(video_id, StepOptions)
    if fetched.captions:
        tr = _from_captions(video_id, Path(fetched.captions), fetched, opts)
        _check_within(tr, ctx.store.get_video(video_id).duration, Path(fetched.captions).name)
    else:
        audio = ctx.store.step_result(video_id, "audio", AudioResult)
        if not audio.audio:
            raise IngestError(f"{video_id} has no audio to transcribe")
        tr = _from_asr(video_id, Path(audio.audio), opts, ctx)
        heard = wav_duration(Path(audio.audio))
        silent = (f"no words were recognised in {clock(heard)} of audio: silence, music only, or a language the "
                  "model does not know",) if not tr.words and heard > SILENT_WARN_S else ()
        tr = replace(tr, warnings=(*audio.warnings, *silent, *tr.warnings))
    # an editor's corrections hold over a new transcript of the video, written into it in its own transaction
    ctx.store.put_transcript(tr, then=lambda conn: replay_in(conn, video_id))
    video = ctx.store.get_video(video_id)
    if not video.duration and tr.words:  # captions with no media: the last word is the best length there is
        ctx.store.put_video(replace(video, duration=max(w.end for w in tr.words)))
    return TranscriptResult(tr.source, len(tr.words), tr.warnings)


def _from_captions(video_id: str, path: Path, fetched: FetchResult, opts: StepOptions) -> Transcript:
    if path.suffix.lower() == ".json":
        try:
            tr = formats.from_json(path.read_bytes().decode("utf-8-sig"), video_id)
        except UnicodeDecodeError:
            raise InvalidInput(f"{path.name}: not UTF-8 text, so not a transcript JSON") from None
        except InvalidInput as exc:
            raise InvalidInput(f"{path.name}: {exc}") from None
        return replace(tr, language=opts.language or _known(tr.language) or _read_language(tr))
    cues, header = capmod.load_captions(path, opts.language or _known(fetched.caption_language))
    tr = formats.from_cues(video_id, cues, language=UNDETERMINED, kind=fetched.caption_kind or "file")
    language = opts.language or _known(fetched.caption_language) or _known(header) or _read_language(tr)
    return replace(tr, language=language)


def _known(code: str | None) -> str | None:
    """A caption's or file's language code as the archive keeps it ("pt-BR" is "pt"), or None when it is not one
    Whisper knows ("und", a made-up tag)."""
    primary = (code or "").split("-")[0].split("_")[0].lower()
    return primary if primary in WHISPER_LANGUAGES else None


def _read_language(tr: Transcript) -> str:
    """The language of a caption file that does not say: read from its words (indexer.text.language: the script,
    letters and stop words, then CLD3), since chapters, titles and search all go by it; "und" when they do not
    tell."""
    return detect_language(tr.text)


def _check_within(tr: Transcript, duration: float | None, name: str) -> None:
    """Captions that run past the end of the media they belong to are for another video, or broken. The latest end
    counts, not the last word's: a file may list a late cue first, or end on a word that runs on for an hour."""
    end = max((w.end for w in tr.words), default=0.0)
    if duration and end > duration + CAPTION_SLACK_S:
        raise IngestError(f"{name}: the captions run to {clock(end)}, past the end of the media "
                          f"({clock(duration)})")


def _from_asr(video_id: str, audio: Path, opts: StepOptions, ctx: StepContext) -> Transcript:
    factory = ctx.engine_factory or make_engine
    engine = factory(ctx.settings, EngineChoice(opts.engine, opts.model))
    total = 0.0  # known once the engine has opened the audio

    def report(done: float) -> None:
        # none before the first words: a job's page shows what the step waited for until then, or nothing
        ctx.progress(done / total if total else 0.0, f"{clock(done)} of {clock(total)} transcribed" if done else "")

    run = engine.transcribe(audio, language=opts.language, progress=report)
    total = run.duration
    segs = tuple(run.segments)
    return Transcript(video_id, run.language, engine.name, engine.model_name, segs, tuple(run.warnings))


def _chapters(video_id: str, ctx: StepContext) -> ChaptersResult:
    tr = _require_transcript(video_id, ctx)
    ctx.progress(0.0)
    article = ctx.store.get_options(video_id, StepOptions).article
    computed = segment(tr, spelling=article.spelling if article else ())  # names in titles as the article writes them
    creator = creator_chapters(ctx.store.get_video(video_id), tr)
    ctx.store.put_chapters(video_id, "computed", computed)
    ctx.store.put_chapters(video_id, "creator", creator)
    return ChaptersResult(len(computed), len(creator))


def _index(video_id: str, ctx: StepContext) -> IndexResult:
    _require_transcript(video_id, ctx, words=False)  # the index reads the words itself
    ctx.progress(0.0)
    # batched: committed with other videos' passages within about a second, so ingest does not wait on a commit
    # and merge per video; a crash before that commit is repaired by the index's reconcile with the store
    return IndexResult(SearchService(ctx.store, ctx.settings).index_video(video_id, batched=True))


def _article(video_id: str, ctx: StepContext) -> ArticleResult:
    """Link the article given at ingest (loaded and checked before any work began) to this video, and link again
    every other article linked to it before: after `ingest --force` their spans and quote checks were the old
    transcript's (the speech read in another language, or by another model) until someone ran `article add` again."""
    given = ctx.store.get_options(video_id, StepOptions).article
    store = ArticleStore(ctx.store)
    before = [a for a, _ in store.for_video(video_id) if given is None or article_id(a) != article_id(given)]
    if given is None and not before:
        return ArticleResult(skipped="no article")
    ctx.progress(0.0)
    result = ArticleResult(rechecked=len(before))
    for article in ([given] if given is not None else []) + before:

        def link(vid: str, article: Article = article) -> ArticleLinks:  # this video, and others if its text changed
            return link_to_video(ctx.store, ctx.settings, ctx.engine_factory, article, vid)

        links = link(video_id)
        saved = store.put(article, store.with_others(article, [links], link))
        if article is given:
            result = replace(result, article=saved, covered=sum(p.covered for p in links.paragraphs))
    return result


def _require_transcript(video_id: str, ctx: StepContext, *, words: bool = True) -> Transcript:
    tr = (ctx.store.get_transcript if words else ctx.store.transcript_head)(video_id)
    if tr is None:
        raise IngestError(f"{video_id} has no transcript yet")
    return tr


STEP_FUNCTIONS: dict[StepName, StepFn] = {
    "fetch": _fetch, "audio": _audio, "transcript": _transcript, "chapters": _chapters, "index": _index,
    "article": _article,
}
