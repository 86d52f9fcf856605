"""What every `clipindex` command shares: the consoles, option types, the error table, the service, progress bars.

Errors are translated once, by `errors()`: a one-line message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from indexer import deeplinks
from indexer.config import load_settings
from indexer.errors import ClipindexError, InvalidInput, NotFound, disk_trouble, unreachable
from media.errors import MediaError

if TYPE_CHECKING:
    from indexer.service import Clipindex

err = Console(stderr=True, soft_wrap=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

# exit code per error class: the one table that maps service errors to the command line
EXIT_CODES: list[tuple[type[BaseException], int]] = [(InvalidInput, 2), (NotFound, 3), (ClipindexError, 1),
                                                      (MediaError, 1)]

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Where the store and media live "
                                              "[env CLIPINDEX_DATA_DIR; default ~/.clipindex].")]
JsonOut = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


RESUMES = "finished steps are kept; run the same command again to resume"


@contextmanager
def errors(interrupted: str = RESUMES) -> Iterator[None]:
    """Errors as one line and an exit code; `interrupted`: what Ctrl-C (or SIGTERM, where it is one) leaves."""
    try:
        yield
    except KeyboardInterrupt:
        err.print(f"interrupted: {interrupted}")
        raise typer.Exit(130) from None
    except tuple(cls for cls, _ in EXIT_CODES) as exc:
        code = next(c for cls, c in EXIT_CODES if isinstance(exc, cls))
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code) from None
    except Exception as exc:
        message = unreachable(exc) or disk_trouble(exc)  # a store away, a full disk: one line, not a traceback
        if message is None:
            raise
        err.print(f"error: {message}", markup=False, highlight=False)
        raise typer.Exit(1) from None


def service(data_dir: Path | None, **flags: Any) -> Clipindex:
    # deferred: the service pulls SQLAlchemy and the search stack (half a second); `--help` and usage errors need none
    from indexer.service import Clipindex

    return Clipindex(load_settings(data_dir=data_dir, **flags))



@contextmanager
def progress(disabled: bool) -> Iterator[Any]:
    if disabled or not sys.stderr.isatty() and not _force_progress():
        yield None
        return
    # deferred: rich's live display (threads, terminal control) is for ingest and reindex only
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

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
    return os.environ.get("CLIPINDEX_PROGRESS") == "1"


def emit(text: str, output: Path | None, svc: Clipindex) -> None:
    """Print the text, or write it to the file the user named (a clear error if it cannot be written), never over
    one of the archive's own files (Clipindex.output_file)."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        svc.output_file(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {output}: {exc.strerror}") from None


def clock(seconds: float | None) -> str:
    """Durations as the CLI prints them: to the nearest second."""
    return deeplinks.clock(round(seconds or 0))


def span(start: float, end: float) -> str:
    """A moment as the CLI prints it: from its start's second to the second its end reaches, as its links open it
    (a hit at 19.6-20.5 s printed "0:20-0:20" beside a link that opens at 0:19)."""
    return f"{deeplinks.clock(math.floor(start))}-{deeplinks.clock(max(math.ceil(end), math.floor(start) + 1))}"


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM as Ctrl-C (finished steps kept, queued index passages committed at exit); it killed the process
    before the index steps' commit, and the videos were never searchable."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def videos_done(report: Any, subject: str, what: str) -> Callable[[int, int], None] | None:
    """A progress callback that shows videos done of how many on `progress`'s bar (None without a bar)."""
    if report is None:
        return None
    return lambda done, total: report(subject, what, done / max(total, 1), f"{done}/{total} videos")


LIST_FILE_BYTES = 1 << 20  # a chapter list of a thousand lines is some tens of kB


def read_text_arg(name: str) -> str:
    """The UTF-8 text of a small file named on the command line, or of standard input for '-'; InvalidInput says
    what is wrong with it (missing, a folder, too big, not UTF-8)."""
    if name == "-":
        data = sys.stdin.buffer.read(LIST_FILE_BYTES + 1)
    else:
        path = Path(name).expanduser()
        if not path.is_file():
            raise InvalidInput(f"{name}: no such file")
        with path.open("rb") as f:
            data = f.read(LIST_FILE_BYTES + 1)
    if len(data) > LIST_FILE_BYTES:
        raise InvalidInput(f"{name}: over {LIST_FILE_BYTES // 1024} KiB, too big for a list")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name}: not UTF-8 text") from None
