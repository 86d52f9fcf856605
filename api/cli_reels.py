"""`clipindex reel`: highlight reels from hits, chapters and ranges; render and export."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli_common import DataDir, JsonOut, Quiet, clock, emit, err, errors, out, progress, service, span
from indexer.errors import InvalidInput

reel_app = typer.Typer(no_args_is_help=True, help="Highlight reels: clips from hits, chapters or ranges.",
                       epilog='Example: clipindex reel new "Flood week highlights"')
Snap = Annotated[str, typer.Option(help="Snap clip edges to word or sentence boundaries, or none.")]
Pad = Annotated[float | None, typer.Option(help="Seconds added before and after (default 0.5 for hits, else 0).")]


def _print_reel(reel: Any) -> None:
    out.print(f"{reel.id}  {reel.title}  ({len(reel.clips)} clips, {clock(reel.duration)})", markup=False)
    for i, c in enumerate(reel.clips, 1):
        out.print(f"  {i:>2}. {c.video_id}  {span(c.start, c.end)}  [{c.origin}] {c.label}", markup=False)


@reel_app.command("new")
def reel_new(title: Annotated[str, typer.Argument(help="The reel's title.")], data_dir: DataDir = None) -> None:
    """Start a new, empty reel.

    Example: clipindex reel new "Flood week highlights"
    """
    with errors():
        _print_reel(service(data_dir).reels.new(title))


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
    with errors():
        svc = service(data_dir)
        if sum(x is not None for x in (hit, chapter, video)) != 1:
            raise InvalidInput("give exactly one of --hit, --chapter or --video with --start and --end")
        if hit is not None:
            try:
                parsed = json.loads(hit)
            except ValueError:
                raise InvalidInput("--hit must be JSON, as `clipindex search --json` prints a hit") from None
            from indexer.reels.service import HitRef  # deferred, as the service is (see api.cli_common.service)

            picked = HitRef.parse(parsed if isinstance(parsed, dict) else {})
            result = svc.reels.add_hit(reel, picked, pad=0.5 if pad is None else pad, snap_to=snap)
        elif chapter is not None:
            result = svc.reels.add_chapter(reel, chapter[0], chapter[1], pad=pad or 0.0)
        else:
            if start is None or end is None:
                raise InvalidInput("--video needs --start and --end")
            result = svc.reels.add_range(reel, str(video), start, end, pad=pad or 0.0, snap_to=snap)
    _print_reel(result)


@reel_app.command("list")
def reel_list(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """List reels.

    Example: clipindex reel list
    """
    with errors():
        items = service(data_dir).reels.list()
    if as_json:
        out.print(json.dumps([asdict(r) for r in items], ensure_ascii=False, indent=1))
        return
    for r in items:
        out.print(f"{r.id}  {r.title}  ({len(r.clips)} clips, {clock(r.duration)})", markup=False)


@reel_app.command("show")
def reel_show(reel: Annotated[str, typer.Argument(help="Reel id or title.")], data_dir: DataDir = None,
              as_json: JsonOut = False) -> None:
    """Show a reel's clips in order.

    Example: clipindex reel show reel:1a2b
    """
    with errors():
        item = service(data_dir).reels.get(reel)
    if as_json:
        out.print(json.dumps(asdict(item), ensure_ascii=False, indent=1))
    else:
        _print_reel(item)


@reel_app.command("rename")
def reel_rename(reel: Annotated[str, typer.Argument(help="Reel id or title.")],
                title: Annotated[str, typer.Argument(help="The new title.")], data_dir: DataDir = None) -> None:
    """Give a reel a new title (its id stays).

    Example: clipindex reel rename reel:1a2b "Flood week: the best of"
    """
    with errors():
        _print_reel(service(data_dir).reels.rename(reel, title))


@reel_app.command("delete")
def reel_delete(reel: Annotated[str, typer.Argument(help="Reel id or title.")], data_dir: DataDir = None) -> None:
    """Delete a reel (its clips only: the videos stay, and MP4s already rendered are kept).

    Example: clipindex reel delete reel:1a2b
    """
    with errors():
        reels = service(data_dir).reels
        gone = reels.get(reel)
        reels.delete(gone.id, gone.updated_at)  # the reel as printed below: another edit meanwhile is a conflict
    out.print(f"deleted {gone.id}  {gone.title}  ({len(gone.clips)} clips)", markup=False)


@reel_app.command("trim")
def reel_trim(reel: Annotated[str, typer.Argument(help="Reel id or title.")],
              position: Annotated[int, typer.Argument(help="The clip's position (from 1).")],
              start: Annotated[float, typer.Argument(help="Its new start in the video, seconds.")],
              end: Annotated[float, typer.Argument(help="Its new end in the video, seconds.")],
              data_dir: DataDir = None) -> None:
    """Move a clip's edges: snapped out to whole words; its label stays.

    Example: clipindex reel trim reel:1a2b 2 84.5 96
    """
    with errors():
        _print_reel(service(data_dir).reels.trim_clip(reel, position, start, end))


@reel_app.command("move")
def reel_move(reel: Annotated[str, typer.Argument(help="Reel id or title.")],
              position: Annotated[int, typer.Argument(help="The clip's position (from 1).")],
              to: Annotated[int, typer.Argument(help="Its new position.")], data_dir: DataDir = None) -> None:
    """Move a clip to another position.

    Example: clipindex reel move reel:1a2b 3 1
    """
    with errors():
        _print_reel(service(data_dir).reels.move_clip(reel, position, to))


@reel_app.command("remove")
def reel_remove(reel: Annotated[str, typer.Argument(help="Reel id or title.")],
                position: Annotated[int, typer.Argument(help="The clip's position (from 1).")],
                data_dir: DataDir = None) -> None:
    """Remove a clip from a reel.

    Example: clipindex reel remove reel:1a2b 2
    """
    with errors():
        _print_reel(service(data_dir).reels.remove_clip(reel, position))


@reel_app.command("render")
def reel_render(
    reel: Annotated[str, typer.Argument(help="Reel id or title.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The MP4 to write (inside the output directory).")],
    fast: Annotated[bool, typer.Option("--fast", help="Copy the sources' video between keyframes and encode only "
                                       "around each cut: many times quicker, same cuts; no titles or burned "
                                       "captions.")] = False,
    captions: Annotated[str, typer.Option(help="burn, sidecar (.srt/.vtt beside the MP4) or none.")] = "none",
    titles: Annotated[bool, typer.Option("--titles", help="A title card with each clip's label before it.")] = False,
    data_dir: DataDir = None,
    quiet: Quiet = False,
) -> None:
    """Render a reel to MP4: frame-accurate cuts, one output format, short audio fades at each cut.

    Example: clipindex reel render reel:1a2b -o highlights.mp4 --captions sidecar
    """
    with errors():
        svc = service(data_dir)
        allowed = Path(svc.settings.output_dir).expanduser() if svc.settings.output_dir else Path.cwd()
        allowed.mkdir(parents=True, exist_ok=True)
        output = svc.output_file(_output_path(output, allowed))
        with progress(quiet) as report:
            def step(fraction: float) -> None:
                if report:
                    report(reel, "render", fraction, "")

            result = svc.reels.render(reel, output, allowed_dir=allowed, fast=fast, captions=captions,
                                     titles=titles, progress=step)
    out.print(f"wrote {result.path} ({result.duration:.1f} s, {result.width}x{result.height}, {result.mode})",
              markup=False)
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)


def _output_path(output: Path, allowed: Path) -> Path:
    """Where `-o` points: a relative path from the current directory, as a shell user means it, where that lies in
    the output directory (`-o out/flood.mp4` beside `CLIPINDEX_OUTPUT_DIR=./out`); else from the output directory
    (`-o flood.mp4` run from elsewhere). The renderer refuses anything outside it."""
    if output.is_absolute():
        return output
    here = (Path.cwd() / output).resolve()
    return here if here.is_relative_to(allowed.resolve()) else allowed / output


@reel_app.command("export")
def reel_export(
    reel: Annotated[str, typer.Argument(help="Reel id or title.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="otio, edl, fcpxml, srt, vtt, ttml or json.")] = "otio",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a reel's timeline for an editor (OTIO, CMX3600 EDL, FCPXML), its captions, or a JSON manifest.

    An EDL has one frame rate from a short list: sources at other rates (10, 12.5, 15 fps, variable) are conformed
    to it, and a warning line says so.

    Example: clipindex reel export reel:1a2b --format edl -o highlights.edl
    """
    with errors():
        svc = service(data_dir)
        exported = svc.reels.export_file(reel, fmt)
        emit(exported.text, output, svc)
    for warning in exported.warnings:
        err.print(f"warning: {warning}", markup=False)
