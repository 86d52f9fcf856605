"""Uploaded files: where one is written, when it goes, and which ones failed jobs left behind.

An upload is written to a fresh name in the data directory's `uploads` folder (only its extension is kept from the
name the user gave), queued as an ingest job, and removed again when its ingest fails, duplicates a video already
in the archive, or is forced (the video keeps playing its first copy). A file that a stored video plays from is
never removed. The service (`Clipindex`) calls these; the HTTP API and the worker call the service.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from indexer.errors import InvalidInput
from indexer.ingest.types import IngestJob
from indexer.store.db import Store
from indexer.store.jobs import JobQueue
from media import sources

FOLDER = "uploads"
CAPTION_EXTS = frozenset(sources.SUBTITLE_EXTS)


def new_path(data_dir: Path, filename: str) -> Path:
    """A fresh path inside the data directory for an uploaded file; only its (known) extension is kept."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in sources.MEDIA_EXTS | CAPTION_EXTS:
        raise InvalidInput(f"unsupported file type {suffix or '(none)'!r}: upload a media or caption file")
    folder = data_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}{suffix}"


def drop(data_dir: Path, store: Store, path: Path) -> None:
    """Remove an uploaded file unless a stored video plays from it or was made from it (a media path is read as
    `media_file` reads it: relative to the data directory, or absolute); a path outside the uploads folder is left."""
    folder = (data_dir / FOLDER).resolve()
    whole = path.resolve()
    if whole.parent == folder and not store.uses_file(known_as(data_dir, path)):
        whole.unlink(missing_ok=True)


def known_as(data_dir: Path, path: Path) -> list[str]:
    """The names a video's record may give a file by (Store.uses_file): as given, resolved, and relative to the
    data directory, as `media_file` reads a media path."""
    whole = path.resolve()
    return sorted({str(path), str(whole), os.path.relpath(whole, data_dir), os.path.relpath(whole, data_dir.resolve())})


def foreign_data_dir(data_dir: Path, store: Store, sample: int = 20) -> str | None:
    """A warning when this data directory holds none of the newest files the archive keeps in its data directory
    (downloads, uploads): a worker whose machine mounts the share elsewhere, or not at all, started without a word,
    wrote its work where no other machine looks, and the next step failed with a raw errno. None when it holds
    some, or when the archive keeps none there yet."""
    newest = store.list_videos(limit=sample, offset=max(store.count_videos() - sample, 0))
    kept = [Path(v.media_path) for v in newest if v.media_path and (
        not Path(v.media_path).is_absolute() or Path(v.media_path).parent.name == FOLDER)]
    here = data_dir.resolve()
    if not kept or any((found := (here / p).resolve()).is_file() and found.is_relative_to(here) for p in kept):
        return None
    return (f"the data directory {data_dir} holds none of the {len(kept)} newest files the archive keeps in its "
            f"data directory (such as {kept[-1]}): is the shared data directory mounted here, at the same path as on "
            "the other machines?")


def stranded(jobs: JobQueue) -> list[IngestJob]:
    """Failed upload jobs whose file is still there: their workers died on every attempt before cleaning up."""
    failed = (IngestJob.from_dict(job.payload) for job in jobs.list(limit=200, state="failed") if job.kind == "ingest")
    return [work for work in failed if work.upload_name and Path(work.source).exists()]


def half_made(store: Store, left: list[IngestJob]) -> list[str]:
    """The videos that those jobs stored before they failed, without a transcript: they go with the files."""
    transcribed = set(store.transcribed_ids())
    sources_left = {work.source for work in left}
    return [v.id for v in store.list_videos() if v.id not in transcribed and v.source in sources_left]
