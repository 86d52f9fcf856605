"""Files under the data directory: where a video's files live (names come from the video id, never from titles or
URLs), the lock file that lets processes take turns at creating something once, and the partial files an upload is
written to until it is whole (named after their writer, so a writer killed part-way leaves nothing for good)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.store import owners

PARTIAL_ROLE = "upload"
# A writer writes its partial file without pause (seconds for gigabytes); one untouched this long has no writer,
# whichever machine it was on. On this host a dead writer is seen at once (owners.gone).
PARTIAL_STALE_S = 3600.0


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `lock` (created if missing): one process at a time on this host."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_only_folder(folder: Path) -> bool:
    """An existing folder this process may not write: a read-only share or a mounted backup of an archive."""
    return folder.is_dir() and not os.access(folder, os.W_OK)


def safe_name(video_id: str) -> str:
    """A file name for a video id: readable prefix plus a hash, so no id can escape its directory."""
    readable = "".join(c if c.isalnum() or c in "-_" else "_" for c in video_id)[:40]
    return f"{readable}-{hashlib.sha256(video_id.encode()).hexdigest()[:8]}"


# the folders of the data directory that the archive itself keeps (index-NAME: another search backend's), and the
# store's files (clipindex.db, its -wal, -shm, lock and backups)
ARCHIVE_FOLDERS = frozenset({"audio", "cache", "frames", "index", "media", "renders", "uploads"})
STORE_FILE = "clipindex.db"


def archive_part(data_dir: Path, path: Path) -> bool:
    """Whether `path` is, or lies in, one of the files the archive keeps in its data directory (ARCHIVE_FOLDERS, the
    store's files, or any file already at its top level); a new file in a folder of the user's own there (an `out/`
    beside them) is not."""
    target, data = path.resolve(), data_dir.resolve()
    if not target.is_relative_to(data) or target == data:
        return target == data
    top = target.relative_to(data).parts[0]
    return (top in ARCHIVE_FOLDERS or top.startswith(("index-", STORE_FILE))
            or (target.parent == data and target.exists()))


def work_dir(data_dir: Path, video_id: str) -> Path:
    """Downloads (media, subtitles) and the on-demand video for reels."""
    return data_dir / "media" / safe_name(video_id)


def audio_path(data_dir: Path, video_id: str) -> Path:
    return data_dir / "audio" / f"{safe_name(video_id)}.wav"


def in_archive(data_dir: Path, path: str) -> str:
    """A file's path as the store records it: relative to the data directory when it lies inside (an upload), so
    the archive can be moved or restored elsewhere (an upload recorded by its absolute path played from the old
    place, or not at all); any other path as given."""
    try:
        return str(Path(path).relative_to(data_dir.resolve()))
    except ValueError:
        return path


def frames_dir(data_dir: Path, video_id: str) -> Path:
    """The cached stills of a video (indexer.frames)."""
    return data_dir / "frames" / hashlib.sha1(video_id.encode()).hexdigest()[:16]


def remove_files(data_dir: Path, video_id: str) -> None:
    """The files the archive made of a video: downloads, audio, cached stills (they stayed after a delete)."""
    shutil.rmtree(work_dir(data_dir, video_id), ignore_errors=True)
    shutil.rmtree(frames_dir(data_dir, video_id), ignore_errors=True)
    audio_path(data_dir, video_id).unlink(missing_ok=True)


def partial_path(target: Path) -> Path:
    """Where `target` is written until it is whole (then renamed to it): beside it, named after this process (host,
    pid, start time), with ':' spelled '+' for file systems that refuse it."""
    return target.with_name(f"{target.name}.{owners.new_owner(PARTIAL_ROLE).replace(':', '+')}.part")


def sweep_partials(folder: Path) -> list[Path]:
    """Remove the partial files in `folder` whose writer is gone: a process of this host that no longer runs, or,
    on any host, a file untouched for PARTIAL_STALE_S. A live writer's file is left alone. Returns what went."""
    gone = []
    for path in folder.glob("*.part") if folder.is_dir() else ():
        _, _, holder = path.name.removesuffix(".part").rpartition(f".{PARTIAL_ROLE}@")
        owner = f"{PARTIAL_ROLE}@{holder.replace('+', ':')}" if holder else None
        try:
            stale = time.time() - path.stat().st_mtime > PARTIAL_STALE_S
        except FileNotFoundError:  # made whole (renamed) or removed meanwhile
            continue
        if stale or owners.gone(owner):
            path.unlink(missing_ok=True)
            gone.append(path)
    return gone


def sweep_render_work(folder: Path, prefix: str) -> list[Path]:
    """Remove the working folders (named `prefix`..., media.render's) of renders whose process was killed (their
    Python never ran its clean-up): those in which nothing was written for PARTIAL_STALE_S, each holding up to a
    whole reel. A live render writes on."""
    gone = []
    for work in folder.glob(f"{prefix}*") if folder.is_dir() else ():
        try:
            newest = max([work.stat().st_mtime, *(p.stat().st_mtime for p in work.iterdir())])
        except FileNotFoundError:  # finished (removed) meanwhile
            continue
        if time.time() - newest > PARTIAL_STALE_S:
            shutil.rmtree(work, ignore_errors=True)
            gone.append(work)
    return gone

