"""Files under the data directory: where a video's files live (names come from the video id, never from titles or
URLs), and the lock file that lets processes take turns at creating something once."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `lock` (created if missing): one process at a time on this host."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def safe_name(video_id: str) -> str:
    """A file name for a video id: readable prefix plus a hash, so no id can escape its directory."""
    readable = "".join(c if c.isalnum() or c in "-_" else "_" for c in video_id)[:40]
    return f"{readable}-{hashlib.sha256(video_id.encode()).hexdigest()[:8]}"


def work_dir(data_dir: Path, video_id: str) -> Path:
    """Downloads (media, subtitles) and the on-demand video for reels."""
    return data_dir / "media" / safe_name(video_id)


def audio_path(data_dir: Path, video_id: str) -> Path:
    return data_dir / "audio" / f"{safe_name(video_id)}.wav"


def remove_files(data_dir: Path, video_id: str) -> None:
    shutil.rmtree(work_dir(data_dir, video_id), ignore_errors=True)
    audio_path(data_dir, video_id).unlink(missing_ok=True)
