"""The index directory's generations, its writers' lock, and the journal of what writers changed.

- Generations: the index directory holds generation folders named in CURRENT (or the directory itself, "."). A
  rebuild writes a complete new one beside the one in use and switches with one rename (`publish`); replaced ones
  are removed once no reader can still hold them (`sweep`, at the end of a rebuild and when a process opens the
  index).
- The journal (`changes.log` in the directory): every writer notes the videos it is about to write, after the store
  holds the change and before the index does. A rebuild reads what was noted while it built, after it switched,
  and writes those videos again from the store into the new generation: an edit made during a rebuild (a
  correction, a video's new details, a forced ingest) was written into the generation being replaced, and lost.
  A writer that notes after the rebuild read the journal writes after the switch too, so into the new generation.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from indexer.errors import IndexBusy

CURRENT = "CURRENT"  # names the generation in use
KEEP_OLD_S = 600.0  # a replaced generation is kept this long for readers that still have it open
JOURNAL = "changes.log"
REBUILD_LOCK = "rebuild.lock"  # one rebuild at a time
# in the index folder while the index is to be refilled from the store (SearchService.refill_if_empty): left where the
# index in use was made anew, empty, and while a refill runs; a search finishes what one that stopped began
REFILLING = "refilling"
JOURNAL_KEEP_BYTES = 1 << 20  # a rebuild starts the journal afresh when it has grown past this
log = logging.getLogger(__name__)


def current_generation(root: Path) -> str:
    """The generation readers and writers use: a folder named in CURRENT, or "." (the root itself: indexes made
    before generations, and a fresh one until its first rebuild)."""
    try:
        return (root / CURRENT).read_text(encoding="ascii").strip() or "."
    except FileNotFoundError:
        return "."


def publish(root: Path, name: str) -> None:
    """Point every reader and writer, in every process, at another generation: one atomic rename."""
    tmp = root / f".{CURRENT}.{uuid.uuid4().hex}"
    tmp.write_text(name, encoding="ascii")
    os.replace(tmp, root / CURRENT)


def sweep(root: Path, current: str, root_files: Sequence[str]) -> None:
    """Remove generations no one should still be reading: not current, and untouched for KEEP_OLD_S (a reader
    that still held one would have run again on the current generation: see PassageIndex._reading); a rebuild's
    folder left by a process that was killed is one of them."""
    cutoff = time.time() - KEEP_OLD_S
    for old in root.glob("g-*"):
        try:
            if old.name != current and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except FileNotFoundError:
            continue  # another process swept it first
    if current != ".":  # the files of the index as it was before generations
        for stale in (p for pattern in root_files for p in root.glob(pattern)):
            if stale.is_file() and stale.stat().st_mtime < cutoff:
                stale.unlink(missing_ok=True)


def sweep_unless_rebuilding(root: Path, current: str, root_files: Sequence[str]) -> None:
    """`sweep`, when a process opens the index, unless a rebuild runs (its folder may be older than KEEP_OLD_S)."""
    try:
        with file_lock(root / REBUILD_LOCK, 0, root):
            sweep(root, current, root_files)
    except (IndexBusy, OSError):
        pass  # a rebuild runs, or the directory is read-only: the next rebuild sweeps


@contextmanager
def file_lock(lock: Path, timeout: float, what: Path) -> Iterator[None]:
    """An exclusive fcntl lock on `lock`, retried for `timeout` s (0: tried once); IndexBusy after that."""
    with lock.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"the search index at {what} is locked by another writer; try again") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def note_changes(root: Path, video_ids: Iterable[str]) -> None:
    """Note videos a writer is about to write (one append: lines from several processes never interleave). Where
    the journal cannot be written, the write that follows fails the same way, so this only says so."""
    lines = "".join(f"{v}\n" for v in video_ids)
    if not lines:
        return
    try:
        with open(root / JOURNAL, "a", encoding="utf-8") as journal:
            journal.write(lines)
    except OSError as exc:
        log.warning("could not note index changes in %s: %s", root / JOURNAL, exc)


def journal_start(root: Path) -> int:
    """Where a rebuild starts reading the journal: its end, after starting it afresh when it has grown large (a
    rebuild holds the rebuild lock, so no other rebuild is reading it)."""
    path = root / JOURNAL
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0
    if size > JOURNAL_KEEP_BYTES:
        os.replace(path, root / f"{JOURNAL}.old")
        return 0
    return size


def changes_since(root: Path, offset: int) -> set[str]:
    """The videos noted in the journal from `offset` on."""
    try:
        with open(root / JOURNAL, "rb") as journal:
            journal.seek(offset)
            return {line.decode("utf-8") for line in journal.read().splitlines() if line}
    except FileNotFoundError:
        return set()
