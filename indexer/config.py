"""Settings: one object built at the entry points from defaults < CLIPINDEX_* environment < flags. No globals."""

from __future__ import annotations

import importlib.util
import logging
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from indexer.errors import InvalidInput

log = logging.getLogger(__name__)
N = TypeVar("N", int, float)

ENGINES = ("faster-whisper", "openai-whisper")
CAPTION_POLICIES = ("auto", "only", "never")
SEARCH_BACKENDS = ("whoosh", "tantivy")
MISSING_TANTIVY = ("CLIPINDEX_SEARCH_BACKEND=tantivy needs the tantivy package, which is not installed: "
                   "pip install 'clipindex[scale]' (or pip install tantivy)")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("~/.clipindex")
    model: str = "base"  # a model name or a CTranslate2 directory
    engine: str = "faster-whisper"
    device: str = "auto"  # auto | cpu | cuda
    beam_size: int = 5
    batch_size: int = 0  # chunks faster-whisper decodes at once: 0 chosen from the machine, 1 sequential
    window_s: float = 300.0  # audio decoded per window; bounds memory on long inputs
    allow_download: bool = False  # let faster-whisper fetch a model by name from its hub
    allow_file_urls: bool = False  # accept file:// URLs in ingest (tests, local mirrors)
    lease_s: float = 120.0  # a step's lease; a worker that stops renewing it loses the step
    job_retention_days: float = 30.0  # finished jobs older than this are removed (0: kept for ever)
    allowed_hosts: str = "youtube.com,youtu.be,youtube-nocookie.com"  # hosts the API may be asked to fetch from
    max_upload_mb: float = 2048.0
    read_auth: bool = False  # require an API key for read endpoints too
    media_roots: str = ""  # extra directories (":"-separated) the server may stream media from
    output_dir: str = ""  # where `reel render` may write (default: the current directory)
    database_url: str = ""  # the store: "" for the SQLite file in the data directory, or postgresql+psycopg://...
    broker_url: str = ""  # "" runs jobs in-process (today's way); redis://... sends steps to Dramatiq workers
    dead_worker_s: float = 10.0  # a Dramatiq worker silent this long is dead: its unacknowledged steps go to another
    search_backend: str = "whoosh"  # the passage index: whoosh (nothing to install) or tantivy (the scale extra)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "clipindex.db"

    @property
    def store_url(self) -> str:
        """Where the store lives, as a SQLAlchemy URL (the SQLite file unless CLIPINDEX_DATABASE_URL names another)."""
        return self.database_url or f"sqlite:///{self.db_path}"

    @property
    def allowed_host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]

    @property
    def media_root_list(self) -> list[Path]:
        return [self.data_dir, *(Path(p).expanduser().resolve() for p in self.media_roots.split(":") if p.strip())]

    def __post_init__(self) -> None:  # a script's Settings(data_dir="archive") gets a path, as load_settings gives
        if not isinstance(self.data_dir, Path):
            object.__setattr__(self, "data_dir", Path(self.data_dir))

    def resolved(self) -> Settings:
        return replace(self, data_dir=self.data_dir.expanduser().resolve())


def load_settings(env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
    """Defaults, then CLIPINDEX_<FIELD> environment variables, then flags that are not None."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(f"CLIPINDEX_{f.name.upper()}")
        if raw is not None and raw != "":
            values[f.name] = _convert(f.name, raw, type(getattr(Settings(), f.name)))
    values.update({k: v for k, v in flags.items() if v is not None})
    settings = Settings(**values)
    if settings.engine not in ENGINES:
        raise InvalidInput(f"unknown engine {settings.engine!r}: choose one of {', '.join(ENGINES)}")
    if settings.device not in ("auto", "cpu", "cuda"):
        raise InvalidInput(f"unknown device {settings.device!r}: choose auto, cpu or cuda")
    if settings.database_url:
        _check_database_url(settings.database_url)
    _check_search_backend(settings.search_backend)
    if settings.broker_url and not settings.broker_url.startswith(("redis://", "rediss://", "unix://")):
        raise InvalidInput("CLIPINDEX_BROKER_URL must be a redis:// URL (Dramatiq's Redis broker)")
    if not 2.0 <= settings.dead_worker_s <= 86400.0:  # live workers poll Redis about once a second
        raise InvalidInput(f"CLIPINDEX_DEAD_WORKER_S must be at least 2 seconds and at most a day, not "
                           f"{settings.dead_worker_s}")
    for name, (low, high, unit) in RANGES.items():
        value = getattr(settings, name)
        if not low <= value <= high:  # also refuses nan
            raise InvalidInput(f"CLIPINDEX_{name.upper()} must be from {low:g} to {high:g}{unit}, not {value}")
    if not settings.job_retention_days >= 0:  # also refuses nan
        raise InvalidInput(f"CLIPINDEX_JOB_RETENTION_DAYS must be 0 (keep every job) or more, not "
                           f"{settings.job_retention_days}")
    return settings.resolved()


# numbers a setting may take: a value past them was taken at start and failed in mid-job, far from its cause (a beam
# of -3 left a video "transcript failed" with a recogniser's traceback; a window of 0 s blamed a sound file; a lease
# of -5 s had a second process take over a live step; an upload limit of nan crashed the server, -1 refused all)
RANGES: dict[str, tuple[float, float, str]] = {
    "beam_size": (1, 32, ""),
    "batch_size": (0, 256, " (0: chosen from the machine)"),
    "window_s": (5, 86400, " seconds"),
    "lease_s": (1, 86400, " seconds"),
    "max_upload_mb": (1, 10_000_000, " MB"),
}
DATABASE_FORM = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"


def _check_database_url(url: str) -> None:
    """InvalidInput, in one line that never shows the password, for a URL the store could not use: a typo gave
    an 80-line traceback (a port "5543x", a missing slash, the `+psycopg2` driver most guides name)."""
    scheme, sep, _ = url.partition("://")
    if not sep or not scheme or any(c.isspace() for c in scheme):
        raise InvalidInput(f"CLIPINDEX_DATABASE_URL is not a URL: it must be {DATABASE_FORM}")
    import sqlalchemy as sa  # deferred: only a store on a server needs its URL read here

    try:
        parsed = sa.engine.make_url(url)
        _port = parsed.port  # read to check it: a port that is not a number raises here, not at connecting
    except (sa.exc.ArgumentError, ValueError):
        raise InvalidInput(f"CLIPINDEX_DATABASE_URL ({scheme}://...) cannot be read: it must be {DATABASE_FORM}, "
                           "its port a number") from None
    if parsed.drivername not in ("sqlite", "postgresql", "postgresql+psycopg") or (
            parsed.drivername == "sqlite" and not url.startswith("sqlite:///")):
        hint = " (psycopg 3, which clipindex installs, is +psycopg)" if parsed.drivername.startswith("postgres") else ""
        raise InvalidInput(f"CLIPINDEX_DATABASE_URL must be {DATABASE_FORM}, not {parsed.drivername}://...{hint}")


def _check_search_backend(backend: str) -> None:
    if backend not in SEARCH_BACKENDS:
        raise InvalidInput(f"unknown search backend {backend!r} (CLIPINDEX_SEARCH_BACKEND): choose one of "
                           f"{', '.join(SEARCH_BACKENDS)}")
    if backend == "tantivy" and importlib.util.find_spec("tantivy") is None:
        raise InvalidInput(MISSING_TANTIVY)


def _convert(name: str, raw: str, kind: type) -> Any:
    try:
        if kind is bool:
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        if issubclass(kind, Path):
            return Path(raw)
        return int(raw) if kind is int else float(raw) if kind is float else raw
    except ValueError:
        raise InvalidInput(f"CLIPINDEX_{name.upper()}={raw!r} is not a valid {kind.__name__}") from None


def lenient_number(name: str, default: N, kind: Callable[[str], N], what: str, most: float = math.inf) -> N:
    """A number from the environment that a module reads once, at import (a bound of the search process, not a
    Settings field): unset, `default`; a value that is not `what` (a `kind` from 0 to `most`) is reported and
    `default` used, not fatal: a search server must start."""
    raw = os.environ.get(name, "").strip()
    try:
        value = kind(raw) if raw else default
        if not 0 <= value <= most:  # (NaN too)
            raise ValueError
    except ValueError:
        log.warning("%s=%r is not %s: using %s", name, raw[:40], what, default)
        return default
    return value
