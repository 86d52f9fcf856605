"""The `clipindex` command line: a thin shell over indexer.service.Clipindex.

Each command builds the settings (defaults < CLIPINDEX_* environment < flags), calls one service method, and prints.
Errors are translated once, by `_errors`: a one-line message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from indexer.config import load_settings
from indexer.errors import ClipindexError, InvalidInput, NotFound
from indexer.service import Clipindex, IngestOptions, IngestResult
from media.errors import MediaError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="clipindex: a searchable archive of moments from video reports and their articles.")
err = Console(stderr=True, soft_wrap=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

# exit code per error class: the one table that maps service errors to the command line
EXIT_CODES: list[tuple[type[BaseException], int]] = [(InvalidInput, 2), (NotFound, 3), (ClipindexError, 1),
                                                      (MediaError, 1)]

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Where the store and media live "
                                              "[env CLIPINDEX_DATA_DIR; default ~/.clipindex].")]
JsonOut = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        err.print("interrupted: finished steps are kept; run the same command again to resume")
        raise typer.Exit(130) from None
    except tuple(cls for cls, _ in EXIT_CODES) as exc:
        code = next(c for cls, c in EXIT_CODES if isinstance(exc, cls))
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code) from None


def _service(data_dir: Path | None, **flags: Any) -> Clipindex:
    return Clipindex(load_settings(data_dir=data_dir, **flags))


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(help="YouTube video/playlist/channel URLs, media files, or "
                                                      "caption/transcript files (.vtt, .srt, .json).")],
    article: Annotated[str | None, typer.Option(help="The article (URL or file) this report belongs to.")] = None,
    language: Annotated[str | None, typer.Option(help="Spoken language code (en, ru, uz ...); else detected.")] = None,
    model: Annotated[str | None, typer.Option(help="Whisper model name or CTranslate2 directory.")] = None,
    engine: Annotated[str | None, typer.Option(help="faster-whisper (default) or openai-whisper.")] = None,
    captions: Annotated[str, typer.Option(help="auto: use existing subtitles when present; only: never run "
                                                "Whisper; never: always transcribe.")] = "auto",
    keep_video: Annotated[bool, typer.Option("--keep-video", help="Keep the video stream (for clips).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Redo videos that are already ingested.")] = False,
    limit: Annotated[int | None, typer.Option(help="At most N videos of a playlist or channel.")] = None,
    url: Annotated[str | None, typer.Option(help="Public URL of a video imported from a caption file.")] = None,
    title: Annotated[str | None, typer.Option(help="Title of a video imported from a file.")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
    quiet: Quiet = False,
) -> None:
    """Transcribe video reports into the archive.

    Example: clipindex ingest https://www.youtube.com/watch?v=VIDEO_ID --article https://example.org/story
    """
    opts = IngestOptions(article=article, language=language, model=model, engine=engine, captions=captions,
                         keep_video=keep_video, force=force, limit=limit, url=url, title=title)
    failed = 0
    with _errors():
        svc = _service(data_dir)
        results: list[IngestResult] = []
        with _progress(quiet or as_json) as report:
            for source in sources:
                try:
                    for result in svc.ingest(source, opts, report):
                        results.append(result)
                        failed += result.status == "failed"
                        if not as_json:
                            _print_result(result)
                except (ClipindexError, MediaError) as exc:
                    if len(sources) == 1:
                        raise
                    failed += 1
                    results.append(IngestResult(source, None, "failed", error=str(exc)))
                    if not as_json:
                        _print_result(results[-1])
        if as_json:
            out.print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    if failed:
        raise typer.Exit(1)


def _print_result(r: IngestResult) -> None:
    if r.status == "failed":
        err.print(f"error: {r.source}: {r.error}", markup=False, highlight=False)
        return
    length = _clock(r.duration) if r.duration else "?"
    out.print(f"{r.status}: {r.video_id}  {r.title}  [{length}, {r.language}, {r.transcript}]", markup=False)
    for warning in r.warnings:
        err.print(f"warning: {r.video_id}: {warning}", markup=False)


@contextmanager
def _progress(disabled: bool) -> Iterator[Any]:
    if disabled or not sys.stderr.isatty() and not _force_progress():
        yield None
        return
    cols = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(), TextColumn("{task.fields[detail]}"))
    with Progress(*cols, console=err, transient=True) as bar:
        tasks: dict[tuple[str, str], TaskID] = {}

        def report(video_id: str, step: str, fraction: float, detail: str) -> None:
            key = (video_id, step)
            if key not in tasks:
                tasks[key] = bar.add_task(f"{step:<10} {video_id[:28]}", total=1.0, detail="")
            bar.update(tasks[key], completed=fraction, detail=detail)

        yield report


def _force_progress() -> bool:
    import os

    return os.environ.get("CLIPINDEX_PROGRESS") == "1"


@app.command()
def videos(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """List the videos in the archive.

    Example: clipindex videos --json
    """
    with _errors():
        rows = _service(data_dir).videos()
    if as_json:
        out.print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
        return
    table = Table("id", "title", "duration", "language", "transcript", "state")
    for column in table.columns:
        column.overflow = "fold"
    for r in rows:
        table.add_row(r.id, r.title, _clock(r.duration) if r.duration else "", r.language or "", r.transcript or "",
                      r.state)
    out.print(table)


@app.command()
def transcript(
    video: Annotated[str, typer.Argument(help="Video id (see `clipindex videos`), YouTube id or URL.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="txt, srt, vtt or json (every word with "
                                                             "start, end, probability).")] = "txt",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Print or write a video's transcript.

    Example: clipindex transcript yt:dQw4w9WgXcQ --format srt -o report.srt
    """
    with _errors():
        _emit(_service(data_dir).render_transcript(video, fmt), output)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="A quote (in double quotes, or 6 words or more) or keywords.")],
    mode: Annotated[str | None, typer.Option(help="quote or keyword (else chosen from the query).")] = None,
    video: Annotated[str | None, typer.Option(help="Only this video.")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    language: Annotated[str | None, typer.Option(help="Only videos in this language.")] = None,
    after: Annotated[str | None, typer.Option(help="Published on or after this date (YYYY-MM-DD).")] = None,
    before: Annotated[str | None, typer.Option(help="Published on or before this date (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(help="Hits per page.")] = 10,
    offset: Annotated[int, typer.Option(help="Hits to skip (for the next page).")] = 0,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Find the moments where something was said: the exact words, times, chapter and links.

    Example: clipindex search '"we will not withdraw from negotiations"' --after 2026-01-01
    """
    with _errors():
        result = _service(data_dir).search(query, mode=mode, video=video, channel=channel, language=language,
                                           after=after, before=before, limit=limit, offset=offset)
    if as_json:
        out.print(json.dumps([asdict(h) for h in result.hits], ensure_ascii=False, indent=1))
        return
    if not result.hits:
        err.print(f"no matches ({result.mode} mode)")
    for h in result.hits:
        chapter = f"  [{h.chapter}]" if h.chapter else ""
        out.print(f"{h.video_id}  {_clock(h.start)}-{_clock(h.end)}  {h.score:.2f}  {h.title}{chapter}", markup=False)
        out.print(f"    {h.text}", markup=False)
        if h.differences:
            out.print(f"    differs: {'; '.join(h.differences)}", markup=False)
        if h.links.get("watch"):
            out.print(f"    {h.links['watch']}", markup=False)


@app.command()
def reindex(data_dir: DataDir = None, quiet: Quiet = False) -> None:
    """Rebuild the search index from the store (the store is the source of truth).

    Example: clipindex reindex
    """
    with _errors():
        svc = _service(data_dir)
        with _progress(quiet) as report:
            def step(done: int, total: int) -> None:
                if report:
                    report("index", "reindex", done / max(total, 1), f"{done}/{total} videos")

            passages = svc.reindex(step)
    out.print(f"indexed {passages} passages", markup=False)


@app.command()
def chapters(
    video: Annotated[str, typer.Argument(help="Video id (see `clipindex videos`).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="youtube (description list), vtt or json.")] = "youtube",
    recompute: Annotated[bool, typer.Option("--recompute", help="Segment the transcript again.")] = False,
    min_length: Annotated[float, typer.Option(help="With --recompute: shortest chapter, seconds.")] = 30.0,
    max_length: Annotated[float, typer.Option(help="With --recompute: longest chapter, seconds.")] = 600.0,
    count: Annotated[int | None, typer.Option(help="With --recompute: exactly this many chapters.")] = None,
    source: Annotated[str | None, typer.Option(help="computed or creator (default: creator if present).")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Print a video's chapters, or compute them again, coarser or finer.

    Example: clipindex chapters yt:dQw4w9WgXcQ --recompute --count 5 --format youtube
    """
    with _errors():
        svc = _service(data_dir)
        if source not in (None, "computed", "creator"):
            raise InvalidInput("--source must be computed or creator")
        if recompute:
            svc.recompute_chapters(video, min_length=min_length, max_length=max_length, count=count)
            source = source or "computed"
        text = svc.render_chapters(video, "json" if as_json else fmt, source)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command()
def delete(
    video: Annotated[str, typer.Argument(help="Video id (see `clipindex videos`).")],
    data_dir: DataDir = None,
) -> None:
    """Remove a video, its transcript and its downloaded files from the archive.

    Example: clipindex delete yt:dQw4w9WgXcQ
    """
    with _errors():
        removed = _service(data_dir).delete_video(video)
    out.print(f"deleted {removed}", markup=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Background workers that run ingest jobs in this process.")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Serve the HTTP API and the web page (with background workers).

    Example: clipindex serve --host 0.0.0.0 --port 8000 --workers 2
    """
    import uvicorn

    from api.app import create_app

    with _errors():
        if workers < 0:
            raise InvalidInput("--workers must be 0 or more")
        application = create_app(load_settings(data_dir=data_dir), workers=workers)
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="Worker threads in this process.")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Run background workers for queued jobs, in this process, against the same store as the server.

    Example: clipindex worker --workers 1
    """
    import signal
    import threading

    from indexer.worker import Worker

    with _errors():
        svc = _service(data_dir)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        threads = [threading.Thread(target=Worker(svc).run, args=(stop,), daemon=True) for _ in range(max(workers, 1))]
        for t in threads:
            t.start()
        err.print(f"{len(threads)} worker(s) waiting for jobs in {svc.settings.data_dir}; Ctrl-C stops")
        try:
            while not stop.wait(0.5):
                pass
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=10)


keys_app = typer.Typer(no_args_is_help=True, help="API keys for the HTTP API's write endpoints.")
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(name: Annotated[str, typer.Argument(help="Who or what the key is for.")],
                data_dir: DataDir = None) -> None:
    """Create an API key; the secret is printed once and only its hash is stored.

    Example: clipindex keys create newsroom-cms
    """
    with _errors():
        key, secret = _service(data_dir).keys.create(name)
    err.print(f"created key {key.id} ({key.name}); keep the secret below, it is not shown again", markup=False)
    out.print(secret, markup=False)


@keys_app.command("list")
def keys_list(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """List API keys (never their secrets).

    Example: clipindex keys list --json
    """
    with _errors():
        keys = _service(data_dir).keys.list()
    if as_json:
        out.print(json.dumps([asdict(k) for k in keys]))
        return
    for k in keys:
        state = "revoked" if k.revoked_at else "active"
        out.print(f"{k.id}  {state:<8} {k.name}", markup=False)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id, as `keys list` shows it.")],
                data_dir: DataDir = None) -> None:
    """Revoke an API key at once.

    Example: clipindex keys revoke 1a2b3c4d
    """
    with _errors():
        key = _service(data_dir).keys.revoke(key_id)
    out.print(f"revoked {key.id} ({key.name})", markup=False)


article_app = typer.Typer(no_args_is_help=True, help="Articles: link them to video moments and check their quotes.")
app.add_typer(article_app, name="article")


@article_app.command("add")
def article_add(
    source: Annotated[str, typer.Argument(help="Article URL, saved HTML page, Markdown or text file.")],
    video: Annotated[list[str] | None, typer.Option(help="Link to this video (repeatable); else found by search.")]
    = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Add an article: each paragraph is linked to the moment that covers it, each quote checked.

    Example: clipindex article add https://example.org/news/flood --video yt:dQw4w9WgXcQ
    """
    with _errors():
        svc = _service(data_dir)
        aid, _article, _links = svc.add_article(source, video or None)
        text = svc.render_article(aid, "json" if as_json else "text")
    sys.stdout.write(text + "\n")


@article_app.command("list")
def article_list(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """List articles and the videos they are linked to.

    Example: clipindex article list --json
    """
    with _errors():
        items = _service(data_dir).articles()
    if as_json:
        out.print(json.dumps(items, ensure_ascii=False, indent=1))
        return
    for a in items:
        out.print(f"{a['id']}  {a['title']}  -> {', '.join(a['videos']) or 'no video'}", markup=False)


@article_app.command("show")
def article_show(
    article: Annotated[str, typer.Argument(help="Article id (see `clipindex article list`) or URL.")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Print the article with each paragraph's moment and each quote's check.

    Example: clipindex article show art:3f9a1c
    """
    with _errors():
        text = _service(data_dir).render_article(article, "json" if as_json else "text")
    sys.stdout.write(text + "\n")


@article_app.command("export")
def article_export(
    article: Annotated[str, typer.Argument(help="Article id (see `clipindex article list`) or URL.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="html (a fragment for a CMS) or jsonld (schema.org).")]
    = "html",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export an article annotated with its video moments, as HTML or schema.org JSON-LD.

    Example: clipindex article export art:3f9a1c --format jsonld -o moments.jsonld
    """
    with _errors():
        if fmt not in ("html", "jsonld"):
            raise InvalidInput("--format must be html or jsonld")
        _emit(_service(data_dir).render_article(article, fmt) + "\n", output)


reel_app = typer.Typer(no_args_is_help=True, help="Highlight reels: clips from hits, chapters or ranges.")
app.add_typer(reel_app, name="reel")
Snap = Annotated[str, typer.Option(help="Snap clip edges to word or sentence boundaries, or none.")]
Pad = Annotated[float | None, typer.Option(help="Seconds added before and after (default 0.5 for hits, else 0).")]


def _print_reel(reel: Any) -> None:
    out.print(f"{reel.id}  {reel.title}  ({len(reel.clips)} clips, {_clock(reel.duration)})", markup=False)
    for i, c in enumerate(reel.clips, 1):
        out.print(f"  {i:>2}. {c.video_id}  {_clock(c.start)}-{_clock(c.end)}  [{c.origin}] {c.label}", markup=False)


@reel_app.command("new")
def reel_new(title: Annotated[str, typer.Argument(help="The reel's title.")], data_dir: DataDir = None) -> None:
    """Start a new, empty reel.

    Example: clipindex reel new "Flood week highlights"
    """
    with _errors():
        _print_reel(_service(data_dir).new_reel(title))


@reel_app.command("add")
def reel_add(
    reel: Annotated[str, typer.Argument(help="Reel id (see `clipindex reel list`) or title.")],
    hit: Annotated[str | None, typer.Option(help="A hit as JSON (one object of `clipindex search --json`).")] = None,
    chapter: Annotated[tuple[str, int] | None, typer.Option(help="VIDEO N: the video's chapter N (from 1).")] = None,
    video: Annotated[str | None, typer.Option(help="With --start/--end: a range of this video.")] = None,
    start: Annotated[float | None, typer.Option(help="Range start, seconds.")] = None,
    end: Annotated[float | None, typer.Option(help="Range end, seconds.")] = None,
    pad: Pad = None,
    snap: Snap = "word",
    data_dir: DataDir = None,
) -> None:
    """Add a clip to the end of a reel: a search hit, a chapter, or a range of a video.

    Example: clipindex reel add reel:1a2b --video yt:dQw4w9WgXcQ --start 83 --end 97 --pad 0.5
    """
    with _errors():
        svc = _service(data_dir)
        if sum(x is not None for x in (hit, chapter, video)) != 1:
            raise InvalidInput("give exactly one of --hit, --chapter or --video with --start and --end")
        if hit is not None:
            try:
                parsed = json.loads(hit)
            except ValueError:
                raise InvalidInput("--hit must be JSON, as `clipindex search --json` prints a hit") from None
            result = svc.add_hit(reel, parsed if isinstance(parsed, dict) else {}, pad=0.5 if pad is None else pad,
                                 snap_to=snap)
        elif chapter is not None:
            result = svc.add_chapter(reel, chapter[0], chapter[1], pad=pad or 0.0)
        else:
            if start is None or end is None:
                raise InvalidInput("--video needs --start and --end")
            result = svc.add_range(reel, str(video), start, end, pad=pad or 0.0, snap_to=snap)
    _print_reel(result)


@reel_app.command("list")
def reel_list(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """List reels.

    Example: clipindex reel list
    """
    with _errors():
        items = _service(data_dir).reels()
    if as_json:
        out.print(json.dumps([asdict(r) for r in items], ensure_ascii=False, indent=1))
        return
    for r in items:
        out.print(f"{r.id}  {r.title}  ({len(r.clips)} clips, {_clock(r.duration)})", markup=False)


@reel_app.command("show")
def reel_show(reel: Annotated[str, typer.Argument(help="Reel id or title.")], data_dir: DataDir = None,
              as_json: JsonOut = False) -> None:
    """Show a reel's clips in order.

    Example: clipindex reel show reel:1a2b
    """
    with _errors():
        item = _service(data_dir).reel(reel)
    if as_json:
        out.print(json.dumps(asdict(item), ensure_ascii=False, indent=1))
    else:
        _print_reel(item)


@reel_app.command("move")
def reel_move(reel: Annotated[str, typer.Argument(help="Reel id or title.")],
              position: Annotated[int, typer.Argument(help="The clip's position (from 1).")],
              to: Annotated[int, typer.Argument(help="Its new position.")], data_dir: DataDir = None) -> None:
    """Move a clip to another position.

    Example: clipindex reel move reel:1a2b 3 1
    """
    with _errors():
        _print_reel(_service(data_dir).move_clip(reel, position, to))


@reel_app.command("remove")
def reel_remove(reel: Annotated[str, typer.Argument(help="Reel id or title.")],
                position: Annotated[int, typer.Argument(help="The clip's position (from 1).")],
                data_dir: DataDir = None) -> None:
    """Remove a clip from a reel.

    Example: clipindex reel remove reel:1a2b 2
    """
    with _errors():
        _print_reel(_service(data_dir).remove_clip(reel, position))


@reel_app.command("render")
def reel_render(
    reel: Annotated[str, typer.Argument(help="Reel id or title.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The MP4 to write (inside the output directory).")],
    fast: Annotated[bool, typer.Option("--fast", help="Cut by stream copy: quick, but cuts snap to keyframes.")]
    = False,
    captions: Annotated[str, typer.Option(help="burn, sidecar (.srt/.vtt beside the MP4) or none.")] = "none",
    titles: Annotated[bool, typer.Option("--titles", help="A title card with each clip's label before it.")] = False,
    data_dir: DataDir = None,
    quiet: Quiet = False,
) -> None:
    """Render a reel to MP4: frame-accurate cuts, one output format, short audio fades at each cut.

    Example: clipindex reel render reel:1a2b -o highlights.mp4 --captions sidecar
    """
    with _errors():
        svc = _service(data_dir)
        allowed = Path(svc.settings.output_dir).expanduser() if svc.settings.output_dir else Path.cwd()
        allowed.mkdir(parents=True, exist_ok=True)
        output = output if output.is_absolute() else allowed / output  # relative to the output directory
        with _progress(quiet) as report:
            def step(fraction: float) -> None:
                if report:
                    report(reel, "render", fraction, "")

            result = svc.render_reel(reel, output, allowed_dir=allowed, fast=fast, captions=captions,
                                     titles=titles, progress=step)
    out.print(f"wrote {result.path} ({result.duration:.1f} s, {result.width}x{result.height}, {result.mode})",
              markup=False)
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)
    if fast and any(c.snapped for c in result.clips):
        err.print("note: --fast cut at keyframes, so some clips start or end earlier or later than asked")


@reel_app.command("export")
def reel_export(
    reel: Annotated[str, typer.Argument(help="Reel id or title.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="otio, edl, fcpxml, srt, vtt or json.")] = "otio",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a reel's timeline for an editor (OTIO, CMX3600 EDL, FCPXML), its captions, or a JSON manifest.

    Example: clipindex reel export reel:1a2b --format edl -o highlights.edl
    """
    with _errors():
        _emit(_service(data_dir).export_reel(reel, fmt), output)


def _emit(text: str, output: Path | None) -> None:
    """Print the text, or write it to the file the user named (a clear error if it cannot be written)."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {output}: {exc.strerror}") from None


def _clock(seconds: float | None) -> str:
    s = int(round(seconds or 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def main() -> None:
    app()


if __name__ == "__main__":
    main()
