"""Whoosh's segment files read in place, not copied into memory.

Whoosh keeps each segment in one compound file, memory-maps it, and hands out each part (the term table, the
postings, every stored-fields column) as a `BufferFile` over a slice of the map. `BufferFile` then wraps that slice
in a `BytesIO`, which copies it: the whole part is read from disk and held in the process on first use, however
little of it the reader needs. At a million passages that was 1.7 GB of postings, 1.1 GB of term tables and each
segment's stored fields (about 1.1 s a segment the first time a hit's words are read), and 10.7 GB of peak memory
for a 5.3 GB index.

`install()` gives `BufferFile` a file object that reads the slice where it lies (`View`): the pages a query touches
are read, the rest stay on disk, and the operating system's page cache is the only cache. Whoosh's positioned reads
(`get`, `get_array`, ...) already slice the buffer; its sequential ones (`read`, `seek`, `read_pickle`, ...) go
through `View`, in Python, a microsecond or two slower per call than `BytesIO`.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from whoosh.filedb import structfile

log = logging.getLogger(__name__)
T = TypeVar("T")

PEEK = 1024  # what the unpickler may look ahead at (Whoosh's pickles here are tens of bytes)


class View(io.RawIOBase):
    """A read-only file over a buffer (bytes, or a memoryview of a memory map), without copying it."""

    def __init__(self, buf: Any) -> None:
        super().__init__()
        self._buf = memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), start + size)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def peek(self, size: int = 0) -> bytes:
        """Bytes from the position on, not consumed (the unpickler reads ahead with it, then reads what it used)."""
        return bytes(self._buf[self._pos:self._pos + min(max(size, 1), PEEK)])

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        end = self._pos
        while end < limit:
            chunk = bytes(self._buf[end:min(limit, end + 256)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        return self.read(end - self._pos)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._buf)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf.release()
        super().close()


def again_if_replaced(read: Callable[[], T]) -> T:
    """A read of the index's table of contents outside the write lock, again if its file went between Whoosh's
    listing and opening it (a commit or a merge wrote the next one and removed it). The last attempt raises."""
    for attempt in range(1, 6):
        try:
            return read()
        except FileNotFoundError:
            time.sleep(0.01 * attempt)
    return read()


def _init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf, self._name, self.onclose = buf, name, onclose
    self.file = View(buf)
    self.is_real = False
    self.is_closed = False


def install() -> None:
    """Have Whoosh's `BufferFile` read its buffer in place (idempotent)."""
    structfile.BufferFile.__init__ = _init


def child_main(argv: list[str], module: str, work: Callable[..., object], what: str,
               choices: tuple[str, ...] = ()) -> int:
    """The entry of a background child over an index folder (the merger, the postings decoder): the segments read
    in place, niced behind searches and ingests on the same host, and a failure told on stderr (the parent's)
    unless the folder went meanwhile (a generation swept, a test's directory). `choices`: the values a second
    argument may take (`work(folder, choice)`); without one, `work(folder)`."""
    if not (len(argv) == 1 or (len(argv) == 2 and argv[1] in choices)):
        print(f"usage: python -m {module} INDEX_FOLDER" + (f" [{'|'.join(choices)}]" if choices else ""),
              file=sys.stderr)
        return 2
    install()  # a large segment's postings are hundreds of MB: not copied
    try:
        os.nice(10)
    except OSError:
        pass
    try:
        work(*argv)
    except Exception as e:
        if Path(argv[0]).is_dir():
            print(f"clipindex: {what} of {argv[0]} failed: {e!r}\n{traceback.format_exc()}", file=sys.stderr)
            return 1
    return 0


def start_child(module: str, folder: Path | None, what: str, *, pipes: bool = False,
                choice: str | None = None) -> subprocess.Popen[bytes] | None:
    """Start `python -m module folder [choice]` (a `child_main`; `folder` None: no argument) in a session of its
    own, so it finishes its work if this process ends; None, with a warning, if it cannot start (the caller's work
    is then done another way). `pipes`: its stdin and stdout are pipes to this process (else closed)."""
    stream = subprocess.PIPE if pipes else subprocess.DEVNULL
    args = [str(folder)] if folder is not None else []
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", module, *args, *([choice] if choice else [])],
            stdin=stream, stdout=stream,  # its stderr is ours: a failure is told
            cwd=str(Path(__file__).resolve().parents[2]), start_new_session=True)
    except OSError as e:
        log.warning("could not start the %s%s: %s", what, f" for {folder}" if folder is not None else "", e)
        return None
    if not pipes:  # reaped when it ends: it stayed a zombie under a long-lived worker until the next child started
        threading.Thread(target=child.wait, daemon=True, name=f"reap-{module}").start()
    return child
