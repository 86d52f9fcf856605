"""The ingest chain: fetch -> audio -> transcript, each an idempotent step writing its result to the store.

`run_step(video_id, step, ctx)` is a plain function: everything it needs is in the store (the video row, the ingest
options, earlier steps' results) or in the settings; progress and cancellation go through `ctx`, which renews the
step's lease. A step claimed by another live worker, or already done, is not run again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from indexer import transcripts as trmod
from indexer.config import Settings
from indexer.errors import ClipindexError, IngestError
from indexer.models import Chapter, Transcript
from indexer.store import Store
from media import captions as capmod
from media import ffmpeg, sources
from media.errors import MediaError

STEPS = ("fetch", "audio", "transcript", "chapters", "index", "article")
ProgressFn = Callable[[str, float, str], None]  # step, fraction 0..1, detail


class Cancelled(ClipindexError):
    pass


@dataclass
class StepContext:
    store: Store
    settings: Settings
    owner: str = field(default_factory=lambda: f"{os.getpid()}-{uuid.uuid4().hex[:8]}")
    on_progress: ProgressFn | None = None
    engine_factory: Callable[[Settings, dict[str, Any]], Any] | None = None
    ytdl: sources.YtdlOptions = field(default_factory=sources.YtdlOptions)
    _step: tuple[str, str] = ("", "")

    def progress(self, fraction: float, detail: str = "") -> None:
        video_id, step = self._step
        fraction = min(max(fraction, 0.0), 1.0)
        if not self.store.heartbeat(video_id, step, self.owner, self.settings.lease_s, fraction):
            raise Cancelled(f"{step} of {video_id} was cancelled")
        if self.on_progress:
            self.on_progress(step, fraction, detail)


def safe_name(video_id: str) -> str:
    """A file name for a video id: readable prefix plus a hash, so no id can escape its directory."""
    readable = "".join(c if c.isalnum() or c in "-_" else "_" for c in video_id)[:40]
    return f"{readable}-{hashlib.sha256(video_id.encode()).hexdigest()[:8]}"


def work_dir(settings: Settings, video_id: str) -> Path:
    return settings.data_dir / "media" / safe_name(video_id)


def run_step(video_id: str, step: str, ctx: StepContext) -> bool:
    """Run one step if it is not done; True when it ran. Failures are recorded on the step and re-raised."""
    if not _claim(video_id, step, ctx):
        return False
    ctx._step = (video_id, step)
    try:
        result = _STEPS[step](video_id, ctx)
    except BaseException as exc:
        ctx.store.fail_step(video_id, step, ctx.owner, str(exc) or type(exc).__name__)
        if isinstance(exc, MediaError):
            raise IngestError(str(exc)) from None
        raise
    ctx.store.finish_step(video_id, step, ctx.owner, result)
    return True


def _claim(video_id: str, step: str, ctx: StepContext) -> bool:
    """Claim the step; False if it is done. While another live owner holds it, wait for it to finish or die."""
    deadline = time.monotonic() + ctx.settings.lease_s + 5
    while True:
        if ctx.store.claim_step(video_id, step, ctx.owner, ctx.settings.lease_s):
            return True
        if ctx.store.step_status(video_id).get(step, {}).get("status") == "done":
            return False
        if time.monotonic() > deadline:
            raise IngestError(f"{step} of {video_id} is held by another worker that does not finish")
        time.sleep(0.5)


def _fetch(video_id: str, ctx: StepContext) -> dict[str, Any]:
    video = ctx.store.get_video(video_id)
    opts = ctx.store.get_options(video_id)
    kind = opts["kind"]
    if kind == "captions":
        return {"captions": opts["path"], "caption_kind": "file"}
    if kind == "file":
        return _fetch_local(Path(opts["path"]), opts)
    return _fetch_remote(video.id, video.source, opts, ctx)


def _fetch_local(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    if opts["captions"] != "never":
        for ext in (".vtt", ".srt"):
            sidecar = path.with_suffix(ext)
            if sidecar.is_file():
                return {"captions": str(sidecar), "caption_kind": "sidecar", "media": str(path)}
    if opts["captions"] == "only":
        raise IngestError(f"{path.name}: no sidecar .vtt/.srt beside it, and --captions only forbids Whisper")
    return {"media": str(path)}


def _fetch_remote(video_id: str, url: str, opts: dict[str, Any], ctx: StepContext) -> dict[str, Any]:
    info = sources.fetch_info(url, ctx.ytdl)
    video = ctx.store.get_video(video_id)
    ctx.store.put_video(replace(
        video, title=info.title, url=info.webpage_url or url, channel=info.channel, published=info.published,
        duration=info.duration, description=info.description, language=info.language,
        creator_chapters=info.chapters))
    folder = work_dir(ctx.settings, video_id)
    result: dict[str, Any] = {}
    picked = sources.pick_subtitles(info, opts.get("language")) if opts["captions"] != "never" else None
    if picked:
        sub = sources.download_subtitles(info.webpage_url or url, picked[0], picked[1], folder, ctx.ytdl)
        result.update(captions=str(sub), caption_kind=picked[0], caption_language=picked[1])
    elif opts["captions"] == "only":
        raise IngestError(f"{url}: the video has no subtitles, and --captions only forbids Whisper")
    if not picked or opts.get("keep_video"):
        result["media"] = str(_download(url, folder, opts, ctx))
    return result


def _download(url: str, folder: Path, opts: dict[str, Any], ctx: StepContext) -> Path:
    def report(done: float, total: float | None) -> None:
        ctx.progress(done / total if total else 0.0, f"{done / 1e6:.1f} MB")

    path = sources.download_media(url, folder, ctx.ytdl, bool(opts.get("keep_video")), report)
    info = ffmpeg.probe(path)
    video = ctx.store.get_video(ctx._step[0])
    rel = os.path.relpath(path, ctx.settings.data_dir)
    ctx.store.put_video(replace(video, media_path=rel, has_video=info.has_video,
                                duration=video.duration or info.duration))
    return path


def _audio(video_id: str, ctx: StepContext) -> dict[str, Any]:
    fetched = ctx.store.step_result(video_id, "fetch")
    if "captions" in fetched or "media" not in fetched:
        return {"skipped": "the transcript comes from captions"}
    src = Path(fetched["media"])
    dst = ctx.settings.data_dir / "audio" / f"{safe_name(video_id)}.wav"
    dst.parent.mkdir(parents=True, exist_ok=True)
    duration = ctx.store.get_video(video_id).duration or ffmpeg.probe(src).duration
    ffmpeg.extract_audio(src, dst, lambda done: ctx.progress(done / duration if duration else 0.0))
    return {"audio": str(dst)}


def _transcript(video_id: str, ctx: StepContext) -> dict[str, Any]:
    fetched = ctx.store.step_result(video_id, "fetch")
    opts = ctx.store.get_options(video_id)
    if "captions" in fetched:
        tr = _from_captions(video_id, Path(fetched["captions"]), fetched, opts)
    else:
        tr = _from_asr(video_id, Path(ctx.store.step_result(video_id, "audio")["audio"]), opts, ctx)
    ctx.store.put_transcript(tr)
    return {"source": tr.source, "words": len(tr.words), "warnings": list(tr.warnings)}


def _from_captions(video_id: str, path: Path, fetched: dict[str, Any], opts: dict[str, Any]) -> Transcript:
    language = opts.get("language") or fetched.get("caption_language") or "und"
    if path.suffix.lower() == ".json":
        tr = trmod.from_json(path.read_text(encoding="utf-8"), video_id)
        return replace(tr, language=opts.get("language") or tr.language)
    cues = capmod.read_captions(path)
    return trmod.from_cues(video_id, cues, language=language.split("-")[0], kind=fetched.get("caption_kind", "file"))


def _from_asr(video_id: str, audio: Path, opts: dict[str, Any], ctx: StepContext) -> Transcript:
    from indexer.engines import make_engine

    factory = ctx.engine_factory or make_engine
    engine = factory(ctx.settings, opts)
    total = [0.0]  # known once the engine has opened the audio

    def report(done: float) -> None:
        ctx.progress(done / total[0] if total[0] else 0.0, f"{done:.0f} s of audio")

    run = engine.transcribe(audio, language=opts.get("language"), progress=report)
    total[0] = run.duration
    segs = tuple(run.segments)
    return Transcript(video_id, run.language, engine.name, engine.model_name, segs, tuple(run.warnings))


def _chapters(video_id: str, ctx: StepContext) -> dict[str, Any]:
    from indexer.segment import creator_chapters, segment

    tr = _require_transcript(video_id, ctx)
    ctx.progress(0.0, "segmenting")
    computed = segment(tr)
    creator = creator_chapters(ctx.store.get_video(video_id), tr)
    ctx.store.put_chapters(video_id, "computed", computed)
    ctx.store.put_chapters(video_id, "creator", creator)
    return {"computed": len(computed), "creator": len(creator)}


def _index(video_id: str, ctx: StepContext) -> dict[str, Any]:
    tr = _require_transcript(video_id, ctx)
    ctx.progress(0.0, "indexing")
    passages = open_index(ctx.settings).add(ctx.store.get_video(video_id), tr, display_chapters(ctx.store, video_id))
    return {"passages": passages}


def _article(video_id: str, ctx: StepContext) -> dict[str, Any]:
    """Link the article given at ingest (loaded and checked before any work began) to this video."""
    data = ctx.store.get_options(video_id).get("article_data")
    if not data:
        return {"skipped": "no article"}
    from indexer.articleops import link_video
    from indexer.articles import Article
    from indexer.articlestore import ArticleStore

    ctx.progress(0.0, "linking the article")
    article = Article.from_dict(data)
    store = ArticleStore(ctx.store)
    others = [lk for lk in _existing_links(store, article) if lk.video_id != video_id]
    links = link_video(ctx.store, ctx.settings, ctx.engine_factory, article, video_id)
    return {"article": store.put(article, [*others, links]), "covered": sum(p.covered for p in links.paragraphs)}


def _existing_links(store: Any, article: Any) -> list[Any]:
    from indexer.articlestore import article_id
    from indexer.errors import NotFound

    try:
        return list(store.get(article_id(article))[1])
    except NotFound:
        return []


def _require_transcript(video_id: str, ctx: StepContext) -> Transcript:
    tr = ctx.store.get_transcript(video_id)
    if tr is None:
        raise IngestError(f"{video_id} has no transcript yet")
    return tr


def display_chapters(store: Store, video_id: str) -> list[Chapter]:
    """The creator's chapters when the video has them (what viewers see on YouTube), else the computed ones."""
    return store.get_chapters(video_id, "creator") or store.get_chapters(video_id, "computed")


_INDEXES: dict[Path, Any] = {}
_INDEX_LOCK = threading.Lock()


def open_index(settings: Settings) -> Any:
    """One SearchIndex object per index directory and process (it keeps its searcher and writer lock)."""
    from indexer.search import SearchIndex

    path = settings.data_dir / "index"
    with _INDEX_LOCK:
        if path not in _INDEXES:
            _INDEXES[path] = SearchIndex(path)
        return _INDEXES[path]


_STEPS: dict[str, Callable[[str, StepContext], dict[str, Any]]] = {
    "fetch": _fetch, "audio": _audio, "transcript": _transcript, "chapters": _chapters, "index": _index,
    "article": _article,
}


def remove_files(settings: Settings, video_id: str) -> None:
    shutil.rmtree(work_dir(settings, video_id), ignore_errors=True)
    (settings.data_dir / "audio" / f"{safe_name(video_id)}.wav").unlink(missing_ok=True)
