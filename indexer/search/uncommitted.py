"""Which videos a process queued for the index's next batched commit and has not committed yet, on disk.

An ingest's index step is done once its passages are queued: the commit follows within a second, for many videos at
once. A process killed in that second (SIGKILL, the OOM killer, a power cut) lost them from the index only, and the
videos stayed listed as ready that no search found, until a server restarted or someone ran `reindex`. Each process
that queues passages now writes the video ids to a file of its own under `uncommitted/` in the index folder (its
owner id first, as leases name theirs: indexer.store.owners) and removes the file once everything it queued is
committed. Another process that finds a file whose owner has ended indexes those videos again from the store.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from pathlib import Path

from indexer.store.owners import gone, new_owner

FOLDER = "uncommitted"


class Uncommitted:
    """This process's file of queued, uncommitted video ids (one per index object: created at its first id)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / FOLDER
        self._file: Path | None = None
        self._lock = threading.Lock()

    def note(self, video_id: str) -> None:
        """Record a video queued for the next commit (before its passages are queued)."""
        with self._lock:
            if self._file is None:
                self.folder.mkdir(exist_ok=True)
                self._file = self.folder / f"{uuid.uuid4().hex}.txt"
                self._file.write_text(new_owner("index") + "\n", encoding="utf-8")
            with self._file.open("a", encoding="utf-8") as f:
                f.write(video_id + "\n")

    def committed(self, still_queued: Iterable[str]) -> None:
        """After a commit: the file goes when nothing is queued any more, else it lists only what still is."""
        with self._lock:
            if self._file is None:
                return
            left = list(still_queued)
            if not left:
                self._file.unlink(missing_ok=True)
                self._file = None
                return
            owner = self._file.read_text(encoding="utf-8").split("\n", 1)[0]
            self._file.write_text("\n".join([owner, *left]) + "\n", encoding="utf-8")


def abandoned(root: Path) -> list[tuple[Path, set[str]]]:
    """The files of processes on this host that ended before their commit, each with its video ids. A file whose
    owner runs on another host is left to that host: its process may be alive."""
    folder = root / FOLDER
    found = []
    for path in sorted(folder.glob("*.txt")) if folder.is_dir() else ():
        try:
            owner, *ids = path.read_text(encoding="utf-8").split("\n")
        except (FileNotFoundError, UnicodeDecodeError):  # committed meanwhile, or not ours to read
            continue
        if gone(owner):
            found.append((path, {i for i in ids if i}))
    return found
