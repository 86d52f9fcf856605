"""The `clipindex` command line: a thin shell over indexer.service.Clipindex.

Each command builds the settings (defaults < CLIPINDEX_* environment < flags), calls one service method, and prints.
Errors are translated once, by `api.cli_common.errors`. The `keys`, `article` and `reel` groups live in
api/cli_articles.py and api/cli_reels.py; `worker`, `compact`, `migrate-store` and `status` in api/cli_ops.py.
Nothing here imports the service at start-up (`api.cli_common.service` does, when a command runs), so `--help` and
usage errors stay fast; bench/cold_start.py measures it.
"""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from api.cli_articles import article_app, correction_app, keys_app
from api.cli_common import (
    DataDir,
    JsonOut,
    Quiet,
    clock,
    emit,
    err,
    errors,
    out,
    progress,
    read_text_arg,
    service,
    span,
    terminate_as_interrupt,
    videos_done,
)
from api.cli_ops import compact, migrate_store, status, worker
from api.cli_reels import reel_app
from indexer.asr.heap import restart_tuned
from indexer.chapters.edits import parse_listing
from indexer.config import load_settings
from indexer.errors import ClipindexError, IndexBusy, IngestError, InvalidInput
from indexer.ingest.types import CaptionPolicy, IngestOptions, IngestResult
from indexer.models import ChapterSource, SearchMode
from media.errors import MediaError

if TYPE_CHECKING:
    from indexer.service import Clipindex
    from indexer.store.status import VideoSummary

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="clipindex: a searchable archive of moments from video reports and their articles.",
                  epilog="Example: clipindex ingest report.mp4 --article story.html")


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(
        help="YouTube video/playlist/channel URLs, media files, or caption/transcript files (.vtt, .srt, .ttml, "
             ".dfxp, .stl, .scc, .sbv, .json).")],
    article: Annotated[str | None, typer.Option(help="The article (URL or file) this report belongs to.")] = None,
    language: Annotated[str | None, typer.Option(help="Spoken language code (en, ru, uz ...); else detected.")] = None,
    model: Annotated[str | None, typer.Option(help="Whisper model name or CTranslate2 directory.")] = None,
    engine: Annotated[str | None, typer.Option(help="faster-whisper (default) or openai-whisper.")] = None,
    captions: Annotated[str, typer.Option(help="auto: use existing subtitles when present; only: never run "
                                                "Whisper; never: always transcribe.")] = "auto",
    keep_video: Annotated[bool, typer.Option("--keep-video", help="Keep the video stream (for clips).")] = False,
    accept_partial: Annotated[bool, typer.Option("--accept-partial", help="Ingest what can be decoded of a "
                                                                          "truncated or damaged file, with a "
                                                                          "warning.")] = False,
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
    opts = IngestOptions(article=article, language=language, model=model, engine=engine,
                         captions=cast(CaptionPolicy, captions),  # checked by the service
                         keep_video=keep_video, force=force, limit=limit, url=url, title=title,
                         accept_partial=accept_partial)
    with terminate_as_interrupt():
        _ingest(sources, opts, data_dir, quiet, as_json)


def _ingest(sources: list[str], opts: IngestOptions, data_dir: Path | None, quiet: bool, as_json: bool) -> None:
    failed = 0
    with errors():
        svc = service(data_dir)
        results: list[IngestResult] = []
        with progress(quiet or as_json) as report:
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
        try:  # the index steps' passages, before the command says it is done (else the exit's commit could fail)
            svc.index.flush()
        except (IndexBusy, OSError) as exc:
            svc.index.backend.discard_pending()
            raise IngestError(f"the videos are stored, but the search index could not be written ({exc}): run the "
                              "same command again when it can be (it adds them), or `clipindex reindex`") from None
    if failed:
        raise typer.Exit(1)


def _print_result(r: IngestResult) -> None:
    if r.status == "failed":
        said = str(r.error)  # most errors name their source first: "URL: URL: ..." was printed
        err.print(f"error: {said if said.startswith(r.source) else f'{r.source}: {said}'}", markup=False,
                  highlight=False)
        return
    length = clock(r.duration) if r.duration else "?"
    out.print(f"{r.status}: {r.video_id}  {r.title}  [{length}, {r.language}, {r.transcript}]", markup=False)
    if r.note:
        err.print(f"note: {r.video_id}: {r.note}", markup=False)
    for warning in r.warnings:
        err.print(f"warning: {r.video_id}: {warning}", markup=False)


@app.command()
def videos(data_dir: DataDir = None, as_json: JsonOut = False,
           limit: Annotated[int | None, typer.Option(min=1, help="At most this many (default: all).")] = None,
           offset: Annotated[int, typer.Option(min=0, max=1_000_000_000,
                                               help="Skip this many first (oldest first).")] = 0) -> None:
    """List the videos in the archive, oldest first.

    Example: clipindex videos --limit 50 --offset 100
    """
    with errors():
        rows = service(data_dir).videos(limit, offset)
    if as_json:
        out.print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
        return
    from rich.table import Table  # deferred: rich's table layout (0.03 s to import) is for this listing only

    table = Table("id", "title", "duration", "language", "transcript", "state")
    for column in table.columns:
        column.overflow = "fold"
    for r in rows:
        table.add_row(r.id, r.title, clock(r.duration) if r.duration else "", r.language or "", r.transcript or "",
                      _state(r))
    out.print(table)


def _state(r: VideoSummary) -> str:
    """incomplete (index failed), ingesting (transcript running): the steps that have not finished, said."""
    steps = ", ".join(f"{step} {state}" for step, state in r.unfinished.items())
    return f"{r.state} ({steps})" if steps else r.state


@app.command()
def transcript(
    video: Annotated[str, typer.Argument(help="Video id (see `clipindex videos`), YouTube id or URL.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="txt, srt, vtt, ttml or json (every word with "
                                                             "start, end, probability).")] = "txt",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Print or write a video's transcript.

    Example: clipindex transcript yt:dQw4w9WgXcQ --format srt -o report.srt
    """
    with errors():
        svc = service(data_dir)
        text, warning = svc.export_transcript(video, fmt)
        emit(text, output, svc)
        if warning:
            err.print(warning, soft_wrap=True)


@app.command()
def search(
    query: Annotated[list[str], typer.Argument(help="A quote (in double quotes, or 6 words or more) or keywords; "
                                                   "several words may follow one another unquoted.")],
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
    with errors():
        svc = service(data_dir)
        svc.index.refill_if_empty(lambda n: err.print(
            f"the search index lacks {n} of the archive's transcribed videos (new after an upgrade, deleted, or a "
            "refill that was stopped): adding them first"))
        result = svc.search(" ".join(query), mode=cast(SearchMode | None, mode), video=video, channel=channel,
                            language=language, after=after, before=before, limit=limit, offset=offset)
        undated = [v for v in svc.store.list_videos() if not v.published] if after or before else []
    if undated:  # as the page says it: a date filter cannot match a video without a date
        err.print(f"note: {len(undated)} video{'s have' if len(undated) > 1 else ' has'} no date, so --after and "
                  "--before leave them out (PATCH /v1/videos/ID or the page's Edit details gives one)", markup=False)
    if result.timed_out:  # as the page says it
        err.print("note: the search stopped early (its time budget, CLIPINDEX_QUOTE_BUDGET_S): what it found so far is "
                  "shown; --channel, --language or dates narrow it", markup=False)
    if as_json:
        out.print(json.dumps([asdict(h) for h in result.hits], ensure_ascii=False, indent=1))
        return
    if not result.hits:
        err.print(f"no matches ({result.mode} mode)")
    for h in result.hits:
        chapter = f"  [{h.chapter}]" if h.chapter else ""
        out.print(f"{h.video_id}  {span(h.start, h.end)}  {h.score:.2f}  {h.title}{chapter}", markup=False)
        out.print(f"    {h.text}", markup=False)
        if h.differences:
            out.print(f"    differs: {'; '.join(h.differences)}", markup=False)
        if h.links.get("watch"):
            out.print(f"    {h.links['watch']}", markup=False)


@app.command()
def reindex(data_dir: DataDir = None, quiet: Quiet = False, chapters: Annotated[bool, typer.Option(
        "--chapters", help="First segment every transcript into chapters again, as ingest does (after an upgrade: "
        "the creator's chapters stay).")] = False, missing: Annotated[bool, typer.Option(
        "--missing", help="Only add the videos the index lacks and drop those the store no longer has (after "
        "migrate-store into a running archive), in place.")] = False) -> None:
    """Rebuild the search index from the store (the store is the source of truth).

    A video whose ingest stopped before its index step (a process killed during chapters) is left out and named,
    with the command that resumes its ingest.

    Example: clipindex reindex --chapters
    """
    # stopped part-way (Ctrl-C, or SIGTERM as one), the half-built generation goes and the one in use stays
    with errors("the index in use is unchanged; run `clipindex reindex` again to rebuild it"), \
            terminate_as_interrupt():
        if missing and chapters:
            raise InvalidInput("--missing adds the videos the index lacks as they are: run --chapters on its own")
        svc = service(data_dir)
        if missing:
            svc.store.must_write()
            added, dropped = svc.index.reconcile()
            out.print(f"added {added} videos, dropped {dropped}", markup=False)
            _held_back(svc)
            return
        with progress(quiet) as report:
            videos = svc.chapters.resegment_all(videos_done(report, "archive", "chapters")) if chapters else None
            passages = svc.index.reindex(videos_done(report, "index", "reindex"))
    if videos is not None:
        out.print(f"segmented {videos} videos into chapters again", markup=False)
    out.print(f"indexed {passages} passages", markup=False)
    _held_back(svc)


def _held_back(svc: Clipindex) -> None:
    """Name the videos the index left out because their ingest has not reached its index step, and how each ends."""
    # deferred: the store's queries, as the service's
    from indexer.ingest.plan import stored_options
    from indexer.store.status import held_back, video_summaries

    listed = [v for video_id in sorted(held_back(svc.store)) if (v := svc.store.find_video(video_id))]
    if not listed:
        return
    err.print(f"not indexed: {len(listed)} video{'s' if len(listed) > 1 else ''} whose ingest has not reached its "
              "index step; an ingest run again resumes where it stopped, keeps the finished steps and indexes it:",
              markup=False, highlight=False)
    for v, r in zip(listed, video_summaries(svc.store, listed), strict=True):
        given = stored_options(svc.store, v.id)  # a local file's absolute path, wherever this command runs
        end = ("its ingest, running now, indexes it" if r.state == "ingesting"
               else f"clipindex ingest {shlex.quote(given.path if given and given.path else v.source)}")
        err.print(f"  {r.id}  {r.title}  {_state(r)}: {end}", markup=False, highlight=False)


@app.command()
def chapters(
    video: Annotated[str, typer.Argument(help="Video id (see `clipindex videos`).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="youtube (description list), vtt or json.")] = "youtube",
    recompute: Annotated[bool, typer.Option("--recompute", help="Segment the transcript again.")] = False,
    min_length: Annotated[float | None, typer.Option(
        help="With --recompute: shortest chapter, seconds (default: as at ingest, see docs/chapters.md).")] = None,
    max_length: Annotated[float, typer.Option(help="With --recompute: longest chapter, seconds.")] = 600.0,
    count: Annotated[int | None, typer.Option(help="With --recompute: exactly this many chapters.")] = None,
    source: Annotated[str | None, typer.Option(
        help="computed, creator or editor (default: the list shown: the editor's, else the creator's).")] = None,
    set_list: Annotated[str | None, typer.Option("--set", help="Set the editor's chapter list from a file ('-': "
        "standard input): '0:00 Title' lines, as a YouTube description writes them, or JSON.")] = None,
    rename: Annotated[tuple[int, str] | None, typer.Option(
        help="Rename chapter N of the list shown: --rename 2 'Floods in the north'.")] = None,
    revert: Annotated[bool, typer.Option("--revert", help="Take the editor's list away.")] = False,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Print a video's chapters, compute them again (coarser or finer), or set an editor's own list.

    Example: clipindex chapters yt:dQw4w9WgXcQ --recompute --count 5 --format youtube
    """
    with errors():
        if source not in (None, "computed", "creator", "editor"):
            raise InvalidInput("--source must be computed, creator or editor")
        if sum((recompute, set_list is not None, rename is not None, revert)) > 1:
            raise InvalidInput("--recompute, --set, --rename and --revert each change the chapters: give one")
        if not recompute and (count is not None or min_length is not None or max_length != 600.0):
            raise InvalidInput("--count, --min-length and --max-length choose how to segment again: add --recompute")
        edits = parse_listing(read_text_arg(set_list)) if set_list is not None else None
        svc = service(data_dir)
        if recompute:
            svc.chapters.recompute(video, min_length=min_length, max_length=max_length, count=count)
            source = source or "computed"
        elif edits is not None:
            svc.chapters.edit(video, edits)
        elif rename is not None:
            svc.chapters.rename(video, rename[0], rename[1])
        elif revert and not svc.chapters.revert(video)[1]:
            err.print("note: the video had no editor's chapters to take away", markup=False)
        text = svc.chapters.render(video, "json" if as_json else fmt, cast(ChapterSource | None, source))
    if fmt == "youtube" and not as_json and not text.strip():
        err.print(f"note: the video has no {source + ' ' if source else ''}chapters", markup=False)
    elif fmt == "youtube" and not as_json and len(text.splitlines()) < 3:  # chapters under 10 s are merged for it
        err.print("warning: YouTube shows chapters only from three of 10 s or more; this list has "
                  f"{len(text.splitlines())}", markup=False)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command()
def delete(
    video: Annotated[str, typer.Argument(help="Video id (see `clipindex videos`).")],
    force: Annotated[bool, typer.Option("--force", help="Also take its clips out of the reels that hold them "
                                                        "(without it, such a video is not deleted).")] = False,
    data_dir: DataDir = None,
) -> None:
    """Remove a video and what was made of it: transcript, passages, downloaded and uploaded files, stills, renders
    holding its clips, the records of its jobs (see docs/architecture.md, "Deleting a video").

    Example: clipindex delete yt:dQw4w9WgXcQ
    """
    with errors():
        removed = service(data_dir).delete_video(video, force)
    out.print(f"deleted {removed.video_id}", markup=False)
    for r in removed.reels:
        out.print(f"  {r.clips} clip{'s' if r.clips > 1 else ''} of it left reel {r.reel} “{r.title}”", markup=False)
    for name in removed.renders:
        out.print(f"  render {name} removed (it held clips of it)", markup=False)
    for aid in removed.articles:
        out.print(f"  article {aid} is now linked to no video (`clipindex article delete {aid}` removes it)",
                  markup=False)


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
    # deferred: the web stack (FastAPI, Starlette, uvicorn: 0.5 s to import) is for this command only
    import uvicorn

    from api.app import create_app

    with errors():
        if workers < 0:
            raise InvalidInput("--workers must be 0 or more")
        application = create_app(load_settings(data_dir=data_dir), workers=workers)
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)


app.command()(worker)
app.command()(compact)
app.command("migrate-store")(migrate_store)
app.command()(status)
app.add_typer(keys_app, name="keys")
app.add_typer(article_app, name="article")
app.add_typer(correction_app, name="correction")
app.add_typer(reel_app, name="reel")


# The commands that may run the recogniser: they start again once with its heap settings (indexer.asr.heap).
RECOGNISING = frozenset({"ingest", "serve", "worker"})


def main() -> None:
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    if command in RECOGNISING:
        restart_tuned()
    app()


if __name__ == "__main__":
    main()
