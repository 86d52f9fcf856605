"""Still frames for the web page's result list: one small JPEG per video and moment, made once and cached.

The cache lives in the data directory (`frames/<video>/<tenths of a second>.jpg`); its names are built from the
video id and a number, never from what a client sent, so a request cannot point anywhere else.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from indexer.errors import NotFound
from indexer.store.files import frames_dir, read_only_folder
from media import ffmpeg

FRAME_WIDTH = 320
STEP_S = 0.5  # moments this close share a frame: search hits cluster, and the cache stays small
# A result list asks for a dozen frames at once. Run as many ffmpeg at a time as there are cores, so the first
# thumbnails arrive in a fraction of a second instead of all of them together after the whole batch.
_DECODERS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def frame_at(data_dir: Path, video_id: str, media: Path, at: float, duration: float | None) -> Path:
    """The cached JPEG of `media` near `at` seconds (clamped into the video), made with ffmpeg on first use."""
    last = max((duration or 0.0) - 0.1, 0.0)
    at = min(max(at, 0.0), last) if duration else max(at, 0.0)
    slot = int(at / STEP_S)
    folder = frames_dir(data_dir, video_id)
    if read_only_folder(data_dir):  # a read-only archive: its stills are cached in this machine's temp folder
        folder = Path(tempfile.gettempdir()) / "clipindex-frames" / folder.relative_to(data_dir)
    out = folder / f"{slot}.jpg"
    if out.is_file():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    with _DECODERS:
        if out.is_file():  # made by another request while this one waited
            return out
        # a name of its own: two requests for one moment in one process must not write the same file
        fd, name = tempfile.mkstemp(prefix=f"{slot}.", suffix=".part.jpg", dir=folder)
        os.close(fd)
        tmp = Path(name)
        try:
            # -ss before -i seeks by keyframe then decodes to the moment: fast and exact enough for a thumbnail
            ffmpeg.run(["-ss", f"{slot * STEP_S:.2f}", *ffmpeg.source_input(media),
                        "-frames:v", "1", "-an", "-sn", "-vf", f"scale={FRAME_WIDTH}:-2", "-q:v", "5",
                        "-f", "image2", "file:" + str(tmp)])
            if tmp.stat().st_size == 0:
                raise NotFound(f"no picture at {at:.1f} s")
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
    return out
