"""Probing (PyAV) and audio extraction (the ffmpeg binary). The only module that runs ffmpeg.

Command lines are built with ffmpeg-python and run as argument lists, never through a shell. Inputs are passed as
`file:` URLs with a protocol whitelist of `file` alone, so a crafted name or playlist cannot make ffmpeg open a
network or concatenation protocol. A file is also opened with the demuxer the probe found in it (`source_input`),
and one that begins as a playlist is no media (`probe`): the `file` protocol still lets a playlist name any file the
server can read, and a file made to be MPEG-TS to the probe (PyAV's newer libavformat) and an HLS playlist to the
ffmpeg binary would have had another file on the server transcribed, its frames served, in place of the upload.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from media.errors import FfmpegError, NoAudioStream, NotMedia

if TYPE_CHECKING:
    import av

SAMPLE_RATE = 16000
ProgressFn = Callable[[float], None]  # seconds of media done


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    has_audio: bool
    has_video: bool
    audio_codec: str | None = None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    container: str = ""  # the demuxer's name ("mov,mp4,m4a,3gp,3g2,mj2", "mpegts" ...)
    rotation: int = 0  # degrees the picture is turned when played (a phone's display matrix): see `turned`
    timecode: str | None = None  # the timecode of its first frame, as cameras and broadcast files carry it


@lru_cache(maxsize=1)
def ffmpeg_binary() -> str:
    """Debian's ffmpeg when installed, else the static binary that imageio-ffmpeg ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg  # deferred: needed only where Debian's ffmpeg is not installed

    return str(imageio_ffmpeg.get_ffmpeg_exe())


# how the formats that name other files begin: an HLS playlist, ffmpeg's concat list (each perhaps behind an ID3 tag,
# which ffmpeg's probe skips), a DASH manifest (anywhere in what ffmpeg's probe reads, in any case)
_PLAYLISTS = (b"#extm3u", b"ffconcat")
_MANIFEST = b"<mpd"
_PROBED = 1 << 20


def probe(path: Path) -> MediaInfo:
    """Read the container's streams and duration; NotMedia for anything ffmpeg cannot demux, and for a playlist or
    manifest (it names other files, which are not the upload's to read)."""
    if not path.is_file():
        raise NotMedia(f"{path.name}: no such file")
    if path.stat().st_size == 0:
        raise NotMedia(f"{path.name}: the file is empty")
    with path.open("rb") as f:
        head = f.read(_PROBED).lower()
    if _names_other_files(head):
        raise NotMedia(f"{path.name}: a playlist or manifest that names other files, not media")
    import av  # deferred: PyAV takes 0.1 s to import, and only commands that read media need it

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return _info(container)
    except av.error.FFmpegError as exc:
        raise NotMedia(f"{path.name}: not a media file ffmpeg can read ({exc.strerror or exc})") from None


def _info(container: av.container.InputContainer) -> MediaInfo:
    # a stream whose codec this build cannot name has no codec context: as good as no stream (a damaged header)
    audio = next((s for s in container.streams.audio if s.codec_context is not None), None)
    video = next((s for s in container.streams.video if s.codec_context is not None and not _is_cover_art(s)), None)
    duration = container.duration / 1_000_000 if container.duration else _stream_duration(audio or video)
    if not duration or duration <= 0:
        raise NotMedia(f"{Path(container.name).name}: the media has no duration (empty or truncated)")
    return MediaInfo(
        duration=float(duration),
        has_audio=audio is not None,
        has_video=video is not None,
        audio_codec=audio.codec_context.name if audio else None,
        video_codec=video.codec_context.name if video else None,
        width=video.codec_context.width if video else None,
        height=video.codec_context.height if video else None,
        fps=float(video.average_rate) if video and video.average_rate else None,
        sample_rate=audio.codec_context.sample_rate if audio else None,
        container=container.format.name or "",
        timecode=_start_timecode(container),
    )


_TIMECODE = re.compile(r"\d{2}:\d{2}:\d{2}[:;.]\d{2}")


def _start_timecode(container: av.container.InputContainer) -> str | None:
    """The start timecode a file carries (a QuickTime `tmcd` track, MXF's or Matroska's tag), or None."""
    found = [s.metadata.get("timecode", "") for s in container.streams] + [container.metadata.get("timecode", "")]
    return next((t for t in found if _TIMECODE.fullmatch(t)), None)


def turned(path: Path, info: MediaInfo) -> MediaInfo:
    """`info` with the picture as players show it: a phone video stored 640x360 with a display rotation of 90
    degrees is 360x640 (ffmpeg turns its frames upright when decoding them), and says by how much it is turned.
    Read from the first decoded frame, which carries the display matrix (the probe's streams do not)."""
    if not info.has_video:
        return info
    import av  # deferred, as in probe

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            frame = next(container.decode(video=0), None)
    except av.error.FFmpegError:
        return info  # the render reads it again, and says what is wrong
    degrees = round(getattr(frame, "rotation", 0) or 0) % 360
    if degrees in (90, 270):
        return replace(info, width=info.height, height=info.width, rotation=degrees)
    return replace(info, rotation=degrees)


def _is_cover_art(stream: av.stream.Stream) -> bool:
    import av  # deferred, as in probe (already loaded by the time a stream exists)

    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _stream_duration(stream: av.stream.Stream | None) -> float:
    if stream is None or not stream.duration or stream.time_base is None:
        return 0.0
    return float(stream.duration * stream.time_base)


def _names_other_files(head: bytes) -> bool:
    """Whether a file's first bytes (lower-cased) are a playlist's or a manifest's."""
    if head.startswith(b"id3") and len(head) >= 10:  # an ID3v2 tag: 10 bytes, then its size in 7-bit bytes
        head = head[10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10])):]
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(_PLAYLISTS) or (_MANIFEST in head and b"dash" in head)


def source_input(path: Path) -> list[str]:
    """ffmpeg's input options for a source file: the `file` protocol alone, and the demuxer the probe found (`-f`),
    so the binary reads the file as the container that was checked and never probes it as something else (a
    playlist). A container this machine's ffmpeg cannot read (PyAV's libavformat may be newer) is refused: left to
    probe, the binary could read the file as something else."""
    demuxer = _demuxer(str(path.resolve()), *_stamp(path))
    if demuxer is None:
        raise NotMedia(f"{path.name}: a container ({probe(path).container}) this machine's ffmpeg cannot read")
    return ["-protocol_whitelist", "file", "-f", demuxer, "-i", _file_url(path)]


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=256)
def _demuxer(path: str, _mtime: int, _size: int) -> str | None:
    """The demuxer the probe reads `path` with, by the name this machine's ffmpeg knows it; cached per file version
    (a search result's frames ask for one file many times)."""
    name = probe(Path(path)).container.split(",")[0]
    return name if name in _binary_demuxers() else None


@lru_cache(maxsize=1)
def _binary_demuxers() -> frozenset[str]:
    listing = subprocess.run([ffmpeg_binary(), "-hide_banner", "-demuxers"], capture_output=True, text=True,
                             check=False).stdout
    names: set[str] = set()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("D", "DE"):
            names.update(parts[1].split(","))
    return frozenset(names)


def extract_audio(src: Path, dst: Path, progress: ProgressFn | None = None) -> MediaInfo:
    """Write 16 kHz mono 16-bit PCM WAV (what Whisper wants) to dst, atomically; returns the source's info."""
    info = probe(src)
    if not info.has_audio:
        raise NoAudioStream(f"{src.name}: the media has no audio stream")
    tmp = dst.with_name(dst.name + ".part")
    import ffmpeg as ffmpeg_builder  # deferred: ffmpeg-python (and its `future` shims) take 0.1 s to import

    stream = ffmpeg_builder.input(_file_url(src)).output(
        _file_url(tmp), format="wav", vn=None, sn=None, dn=None, ac=1, ar=SAMPLE_RATE, acodec="pcm_s16le"
    )
    args = stream.get_args()
    at = args.index("-i")  # the input as every source is opened (source_input), then the output's options
    try:
        run([*source_input(src), *args[at + 2:]], progress=progress)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return info


ERROR_LINES = 50  # the last lines of ffmpeg's errors kept, for the one a failure reports
# ffmpeg is started under util-linux's setpriv, which asks the kernel to kill it when the thread that started it ends,
# then becomes ffmpeg: a worker killed by SIGKILL (the OOM killer, a power cut's supervisor) left its ffmpeg encoding
# on for minutes, beside the retried job's own, into a folder no one removed. Not from a preexec_fn, which ran Python
# in the forked child: with other threads running (a server's workers starting ffmpeg at once) the child could hang
# there before ffmpeg started, and the job with it.
_DEATH_SIGNAL = ["setpriv", "--pdeathsig", "KILL", "--"] if sys.platform.startswith("linux") and shutil.which(
    "setpriv") else []


def run(args: list[str], progress: ProgressFn | None = None) -> None:
    """Run ffmpeg with these arguments (no shell); raise FfmpegError with its last error line on failure."""
    cmd = [*_DEATH_SIGNAL, ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress",
           "pipe:1", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    assert proc.stdout is not None and proc.stderr is not None
    # its errors are read as they come, on a thread of their own: read only once the progress ended, a damaged file
    # whose errors filled the pipe (64 KB) left ffmpeg waiting to write them and this waiting for its progress
    tail: deque[str] = deque(maxlen=ERROR_LINES)
    drain = threading.Thread(target=tail.extend, args=(proc.stderr,), daemon=True)
    drain.start()
    try:
        for line in proc.stdout:
            if progress and line.startswith("out_time_us="):
                value = line.split("=", 1)[1].strip()
                if value.isdigit():
                    progress(int(value) / 1_000_000)
    except BaseException:
        proc.kill()  # a cancelled job (the progress callback raised) must not leave ffmpeg running
        proc.wait()
        raise
    code = proc.wait()
    drain.join()
    if code != 0:
        last = next((x for x in reversed(tail) if x.strip()), "unknown error")
        raise FfmpegError(f"ffmpeg failed: {last.strip()}")


def _file_url(path: Path) -> str:
    return "file:" + str(path.resolve())
