"""Sources: what a SOURCE argument names, and yt-dlp for everything remote.

yt-dlp runs as a library with fixed output paths under a directory we choose, no `--exec`, no external downloader,
no post-processor but the merger, and `file://` URLs refused unless a caller (tests) allows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from media.errors import SourceError, UnsupportedSource, VideoUnavailable
from media.ffmpeg import ffmpeg_binary

MEDIA_EXTS = {".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".mp3", ".m4a", ".aac", ".wav", ".opus", ".ogg",
              ".oga", ".flac", ".wma", ".mpg", ".mpeg", ".ts", ".3gp"}
SUBTITLE_EXTS = (".vtt", ".srt", ".ttml", ".dfxp", ".stl", ".scc", ".sbv")  # caption files media.captions reads
CAPTION_EXTS = {*SUBTITLE_EXTS, ".json"}  # and clipindex's own transcript JSON
MAX_URL_CHARS = 2000
_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
ProgressFn = Callable[[float, float | None], None]  # bytes done, bytes total (if known)
_UNAVAILABLE = ("private video", "video unavailable", "has been removed", "not available", "members-only",
                "sign in to confirm", "account associated", "copyright", "blocked it in your country",
                "premieres in", "live event will begin", "is live now")  # not yet: the next entry is taken


@dataclass(frozen=True)
class YtdlOptions:
    allow_file_urls: bool = False  # tests drive the real code path through file:// URLs
    extractors: Sequence[Any] = ()  # extra InfoExtractor instances tried first (tests use a fake YouTube)
    max_filesize: int | None = None
    # an untrusted caller's ingest (public_only): every URL yt-dlp found to fetch (the page it landed on, each format,
    # each subtitle track) passes `public_check` first (media.netguard.public_check: public addresses only), and the
    # generic extractor, which follows any page's redirects and embedded media, is not used
    public_only: bool = False
    public_check: Callable[[str], None] | None = None


@dataclass(frozen=True)
class RemoteVideo:
    """What yt-dlp tells about one video, in our terms."""

    id: str  # "yt:<id>" for YouTube, else "<extractor>:<id>"
    url: str  # the URL to download from
    webpage_url: str
    title: str
    channel: str | None
    published: str | None  # YYYY-MM-DD
    duration: float | None
    description: str | None
    language: str | None
    chapters: tuple[tuple[float, float, str], ...]
    subtitles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    automatic_captions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def is_url(source: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source))


def youtube_id(url: str) -> str | None:
    """The 11-character id of a YouTube video URL, without touching the network."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if host in ("youtu.be", "www.youtu.be"):
        candidate = parsed.path.strip("/").split("/")[0]
    elif any(host == site or host.endswith("." + site) for site in ("youtube.com", "youtube-nocookie.com")):
        q = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p)
        parts = parsed.path.strip("/").split("/")
        candidate = q.get("v") or (parts[1] if len(parts) > 1 and parts[0] in ("shorts", "embed", "live", "v") else "")
    else:
        return None
    return candidate if _YT_ID.match(candidate or "") else None


def check_url(url: str, opts: YtdlOptions) -> None:
    """Refuse what is not a URL we can fetch, with a one-line reason: the one URL check for the CLI and the API
    (media.netguard adds its address checks for remote callers on top of this one)."""
    shown = repr(url[:80])
    if len(url) > MAX_URL_CHARS:
        raise UnsupportedSource(f"the URL is too long ({len(url)} characters; {MAX_URL_CHARS} at most)")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UnsupportedSource(f"{shown} is not a valid URL: it contains spaces or control characters")
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 - reading it checks that a port is a number in range
    except ValueError as exc:
        raise UnsupportedSource(f"{shown} is not a valid URL ({exc})") from None
    scheme = parsed.scheme.lower()
    if scheme == "file" and opts.allow_file_urls:
        return
    if scheme not in ("http", "https"):
        raise UnsupportedSource(f"unsupported URL scheme {scheme!r}: give an http(s) URL or a local file path")
    if not parsed.hostname:
        raise UnsupportedSource(f"{shown} is not a valid URL: it has no host")


def _params(opts: YtdlOptions, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "quiet": True, "no_warnings": True, "noprogress": True, "noplaylist": True,
        "ffmpeg_location": ffmpeg_binary(), "socket_timeout": 30, "retries": 3,
        "enable_file_urls": opts.allow_file_urls, "logger": _QuietLogger(),
        "postprocessors": [], "external_downloader": {}, "check_formats": False,
    }
    if opts.max_filesize:
        params["max_filesize"] = opts.max_filesize
    if opts.public_only:
        params["allowed_extractors"] = ["default", "-generic"]
    params.update(extra)
    return params


class _QuietLogger:
    def debug(self, msg: str) -> None: ...
    def info(self, msg: str) -> None: ...
    def warning(self, msg: str) -> None: ...
    def error(self, msg: str) -> None: ...


def _ydl(opts: YtdlOptions, **extra: Any) -> Any:
    import yt_dlp  # deferred: yt-dlp takes 0.3 s to import, and only commands that fetch from the web need it

    ydl = yt_dlp.YoutubeDL(_params(opts, **extra))
    for ie in reversed(list(opts.extractors)):
        ydl._ies = {ie.ie_key(): ie, **ydl._ies}
        ydl._ies_instances[ie.ie_key()] = ie
        ie.set_downloader(ydl)
    return ydl


def _extract(ydl: Any, url: str, **kw: Any) -> dict[str, Any]:
    import yt_dlp  # deferred: yt-dlp takes 0.3 s to import, and only commands that fetch from the web need it

    try:
        info = ydl.extract_info(url, download=False, **kw)
    except yt_dlp.utils.DownloadError as exc:
        raise _translate(url, exc) from None
    if not info:
        raise VideoUnavailable(f"{url}: nothing found there")
    return dict(info)


def _translate(url: str, exc: Exception) -> SourceError:
    msg = re.sub(r"^ERROR:\s*", "", str(exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    msg = re.sub(r"\x1b\[[0-9;]*m", "", msg)
    low = msg.lower()
    if "unsupported url" in low:
        return UnsupportedSource(f"{url}: not a video page yt-dlp can read")
    if any(k in low for k in _UNAVAILABLE):
        return VideoUnavailable(f"{url}: the video is unavailable ({msg})")
    return SourceError(f"{url}: {msg}")


def expand(url: str, opts: YtdlOptions, limit: int | None = None, spare: int = 0) -> list[str]:
    """The video URLs behind a playlist or channel URL (newest first where dates are known); a video URL alone. With
    a limit, `spare` times as many again after the first `limit`, where the listing has them."""
    check_url(url, opts)
    # a channel lists its videos newest first: a little past the limit is enough for "newest first" to sort; a
    # playlist may be in any order (a series oldest first), so all of it is read (its listing only, not the videos)
    playlist = "list" in parse_qs(urlparse(url).query)
    ydl = _ydl(opts, extract_flat="in_playlist", noplaylist=False,
               playlistend=limit * 5 if limit and not playlist else None)
    info = _extract(ydl, url)
    if info.get("_type") not in ("playlist", "multi_video"):
        return [url]
    entries = [e for e in info.get("entries") or [] if e]
    if any("entries" in e or e.get("_type") == "playlist" for e in entries):  # a channel's tabs
        entries = [v for tab in entries for v in _tab_entries(tab, opts, limit, spare)]
    if entries and all(e.get("timestamp") or e.get("upload_date") for e in entries):
        entries.sort(key=lambda e: e.get("timestamp") or int(e.get("upload_date") or 0), reverse=True)
    urls = [e.get("url") or e.get("webpage_url") for e in entries]
    out = [u for u in urls if u]
    if not out:  # said, not an ingest of nothing that exits 0 (a job "done", the page saying "Added")
        raise VideoUnavailable(f"{url}: no video there (an empty playlist or channel, or one yt-dlp cannot list)")
    return out[:limit * (1 + spare)] if limit else out


def _tab_entries(tab: dict[str, Any], opts: YtdlOptions, limit: int | None, spare: int) -> list[dict[str, Any]]:
    """A channel tab's videos (Videos, Live, Shorts): those its listing already holds, else its own listing read.
    A channel with more than a Videos tab comes as a playlist of tabs, each naming itself by `webpage_url` and
    holding its entries: only tabs with a `url` were read, so such a channel gave no video at all, and no word."""
    if tab.get("entries") is not None:
        return [e for e in tab.get("entries") or [] if e and e.get("_type") != "playlist"]
    address = tab.get("url") or tab.get("webpage_url")
    if not address:
        return []
    try:
        return [{"url": u} for u in expand(address, opts, limit, spare)]
    except VideoUnavailable:  # an empty tab (no Shorts yet): the channel's other tabs still count
        return []


def fetch_info(url: str, opts: YtdlOptions) -> RemoteVideo:
    check_url(url, opts)
    info = _extract(_ydl(opts), url)
    if info.get("_type") == "playlist":
        raise UnsupportedSource(f"{url}: a playlist; its videos are ingested one by one")
    if info.get("is_live") or info.get("live_status") in ("is_live", "is_upcoming"):
        # a broadcast going on: yt-dlp would record from now to its end, and title it with today's time; once it
        # has ended, its recording and captions are whole, and a later run takes it
        raise VideoUnavailable(f"{url}: is live now: it is ingested once the broadcast has ended")
    if opts.public_only:
        for found in _urls(info):
            if opts.public_check is None:
                raise UnsupportedSource(f"{url}: no address check for an untrusted caller's fetch")
            opts.public_check(found)
    return to_remote(info)


def _urls(info: dict[str, Any]) -> list[str]:
    """Every URL an extraction names for fetching: the page, the formats (and their manifests and fragment
    bases), the subtitle tracks."""
    found = [info.get("webpage_url"), info.get("url"), info.get("manifest_url")]
    for f in [*(info.get("formats") or []), *(info.get("requested_formats") or [])]:
        found += [f.get("url"), f.get("manifest_url"), f.get("fragment_base_url")]
    for tracks in (info.get("subtitles") or {}, info.get("automatic_captions") or {}):
        found += [t.get("url") for lang in tracks.values() for t in lang or []]
    return list(dict.fromkeys(str(u) for u in found if u))


def to_remote(info: dict[str, Any]) -> RemoteVideo:
    """Map a yt-dlp info dict (as `--dump-json` writes it) to RemoteVideo."""
    extractor = str(info.get("extractor_key") or info.get("extractor") or "generic").lower()
    vid = str(info.get("id") or "")
    stable = f"yt:{vid}" if extractor == "youtube" and _YT_ID.match(vid) else f"{extractor}:{vid}"
    date = info.get("upload_date") or info.get("release_date")
    chapters = tuple(
        (float(c.get("start_time") or 0), float(c.get("end_time") or 0), str(c.get("title") or ""))
        for c in info.get("chapters") or []
    )
    return RemoteVideo(
        id=stable,
        url=str(info.get("webpage_url") or info.get("original_url") or info.get("url") or ""),
        webpage_url=str(info.get("webpage_url") or info.get("original_url") or ""),
        title=str(info.get("title") or vid or "untitled"),
        channel=info.get("channel") or info.get("uploader"),
        published=f"{date[:4]}-{date[4:6]}-{date[6:8]}" if date and len(str(date)) == 8 else None,
        duration=float(info["duration"]) if info.get("duration") else None,
        description=info.get("description"),
        language=info.get("language"),
        chapters=chapters,
        subtitles=dict(info.get("subtitles") or {}),
        automatic_captions=dict(info.get("automatic_captions") or {}),
    )


def pick_subtitles(video: RemoteVideo, language: str | None) -> tuple[str, str] | None:
    """(kind, language) of the best existing subtitles: manual first, then the original-language auto-captions.
    Where neither the caller nor the page names the language, YouTube's "<lang>-orig" automatic track names the
    spoken one: a Russian video listing an English translation before its Russian subtitles was stored as English."""
    spoken = next((k[:-len("-orig")] for k in video.automatic_captions if k.endswith("-orig")), None)
    want = language or video.language or spoken
    manual = [k for k in video.subtitles if k != "live_chat"]
    for lang in manual:
        if want is None or _same_lang(lang, want):
            return "manual", lang
    autos = video.automatic_captions
    candidates = [k for k in autos if k.endswith("-orig")] + ([want] if want else [])
    for lang in candidates:
        if lang in autos and (want is None or _same_lang(lang, want)):
            return "auto", lang
    return None


def _same_lang(tag: str, want: str) -> bool:
    return tag.split("-")[0].lower() == want.split("-")[0].lower()


def download_subtitles(url: str, kind: str, lang: str, dest: Path, opts: YtdlOptions) -> Path:
    """Fetch one subtitle track as WebVTT into dest/subs.<lang>.vtt."""
    import yt_dlp  # deferred: yt-dlp takes 0.3 s to import, and only commands that fetch from the web need it

    dest.mkdir(parents=True, exist_ok=True)
    ydl = _ydl(opts, skip_download=True, writesubtitles=kind == "manual", writeautomaticsub=kind == "auto",
               subtitleslangs=[lang], subtitlesformat="vtt/best", outtmpl={"default": str(dest / "subs.%(ext)s")})
    try:
        ydl.download([url])
    except yt_dlp.utils.DownloadError as exc:
        raise _translate(url, exc) from None
    found = sorted(dest.glob("subs.*.vtt")) or sorted(dest.glob("subs.*"))
    if not found:
        raise SourceError(f"{url}: the {kind} subtitles ({lang}) could not be downloaded")
    return found[0]


def download_media(url: str, dest: Path, opts: YtdlOptions, keep_video: bool, progress: ProgressFn | None) -> Path:
    """Download audio only (or video+audio with keep_video) to dest/media.<ext>; returns the file."""
    import yt_dlp  # deferred: yt-dlp takes 0.3 s to import, and only commands that fetch from the web need it

    dest.mkdir(parents=True, exist_ok=True)
    for stale in dest.glob("media.*"):
        stale.unlink()
    fmt = "bv*[height<=720]+ba/b[height<=720]/bv*+ba/b" if keep_video else "ba/b"

    def hook(d: dict[str, Any]) -> None:
        if progress and d.get("status") == "downloading":
            progress(float(d.get("downloaded_bytes") or 0), d.get("total_bytes") or d.get("total_bytes_estimate"))

    ydl = _ydl(opts, format=fmt, outtmpl={"default": str(dest / "media.%(ext)s")}, progress_hooks=[hook],
               merge_output_format="mkv", overwrites=True, continuedl=True)
    try:
        ydl.download([url])
    except yt_dlp.utils.DownloadError as exc:
        raise _translate(url, exc) from None
    files = [p for p in dest.glob("media.*") if len(p.suffixes) == 1 and p.suffix not in (".part", ".ytdl")]
    if not files:
        raise SourceError(f"{url}: the download produced no media file")
    return files[0]
