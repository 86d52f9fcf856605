"""Errors raised by the indexer package. Front doors translate them once, through one table each.

    ClipindexError
    ├── NotFound                 an id (video, article, reel, job ...) that the store does not hold
    ├── InvalidInput             a bad option value: unknown language code, bad format name ...
    ├── Conflict                 the thing changed since the caller read it (a reel edited in another window)
    ├── ModelError               no Whisper model could be found or loaded
    ├── EngineUnavailable        an ASR engine whose packages are not installed
    ├── TranscriptionError       the engine failed on this audio
    ├── IngestError              a step of the ingest chain failed (wraps media errors)
    ├── IndexBusy                the search index is locked by another writer: try again shortly
    ├── ReadOnlyArchive          the archive is on a folder that cannot be written, and this needs to write it
    └── Cancelled                work stopped because someone asked for it to stop
        └── JobCancelled         a background job was cancelled while a worker ran it

media.errors.MediaError (from the media package) is re-raised as IngestError by `as_ingest_error`, with the same
message; it is the one place that translation happens.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from media.errors import MediaError, VideoUnavailable


class ClipindexError(Exception):
    """Base of every error the indexer raises on purpose; its message is meant for users."""


class NotFound(ClipindexError):
    pass


class Conflict(ClipindexError):
    pass


class InvalidInput(ClipindexError):
    pass


class ModelError(ClipindexError):
    pass


class EngineUnavailable(ClipindexError):
    pass


class TranscriptionError(ClipindexError):
    pass


class IngestError(ClipindexError):
    pass


class Unavailable(IngestError):
    """A private, removed or otherwise unavailable video (an entry of a playlist may be one)."""


class IndexBusy(ClipindexError):
    """Another process holds the index's write lock for longer than we wait: the caller may retry."""

    retry_after_s = 5


class ReadOnlyArchive(ClipindexError):
    """The data directory cannot be written (a read-only share, a mounted backup): it is read as it is, and what
    needs to write it is refused."""


class Cancelled(ClipindexError):
    pass


class JobCancelled(Cancelled):
    pass


@contextmanager
def as_ingest_error() -> Iterator[None]:
    """Re-raise a media error (bad source, not media, ffmpeg failure ...) as IngestError with the same message."""
    try:
        yield
    except MediaError as exc:
        raise (Unavailable if isinstance(exc, VideoUnavailable) else IngestError)(str(exc)) from None


def unreachable(exc: BaseException) -> str | None:
    """One line for a store or broker that cannot be reached (a server down, a wrong address or database name), or
    None for any other error. Their drivers' own errors ran to hundreds of lines of traceback."""
    kind, module = type(exc).__name__, type(exc).__module__
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in ("40P01", "40001"):  # PostgreSQL's deadlock, serialization failure
        return "another change to the same things came at the same moment: try again"
    own = _sqlite(str(orig).strip()) if module.startswith("sqlalchemy") and type(orig).__module__ == "sqlite3" else None
    if own is not None:  # the store's file on this machine's disk: what to do about it, not a database server
        return own
    if module.startswith("sqlalchemy") and kind in ("OperationalError", "InterfaceError"):
        reason = str(orig or exc).strip().splitlines()
        return (f"the store cannot be used: {reason[0] if reason else kind} (check CLIPINDEX_DATABASE_URL and that "
                "its database server runs)")
    if broker_away(exc):
        reason = str(exc).strip().splitlines()
        return (f"the broker cannot be reached: {reason[0] if reason else kind} (check CLIPINDEX_BROKER_URL and that "
                "Redis runs)")
    return None


def broker_away(exc: BaseException) -> bool:
    """Whether the error is the broker's client failing to reach Redis (refused, reset, timed out)."""
    kind, module = type(exc).__name__, type(exc).__module__
    return (module.split(".")[0] in ("redis", "dramatiq") and "Connection" in kind) or \
        (module.startswith("redis") and kind == "TimeoutError")


def _sqlite(reason: str) -> str | None:
    """The SQLite store's own trouble, said with what to do about it (it was blamed on a database server)."""
    text = reason.lower()
    if "full" in text or "i/o error" in text:
        return f"the store cannot be written: {reason} (free space on the disk that holds the data directory)"
    if "readonly" in text or "read-only" in text:
        return f"the store cannot be written: {reason} (the data directory or its clipindex.db is read-only)"
    if "malformed" in text or "not a database" in text:
        return (f"the store is damaged: {reason} (restore clipindex.db from a backup, or recover what it holds with "
                "`sqlite3 clipindex.db .recover`)")
    if "unable to open" in text:
        return f"the store cannot be opened: {reason} (does the data directory exist, and may it be written?)"
    return None


def disk_trouble(exc: BaseException) -> str | None:
    """One line for a file the system would not write or read (a full disk, a read-only or forbidden folder), or None.
    They came out of the command line as tracebacks."""
    if not isinstance(exc, OSError) or exc.errno not in _DISK_ERRNOS:
        return None
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
