"""A truncated file is refused (or kept with a warning when asked); audio with no words at all gets a warning."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.errors import IngestError
from indexer.service import Clipindex, IngestOptions
from media.errors import FfmpegError
from media.ffmpeg import run
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def truncated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 30% of a report whose index sits at the front: it opens, claims 46 s, and holds about 11 s."""
    folder = tmp_path_factory.mktemp("truncated")
    whole = folder / "whole.mp4"
    run(["-i", f"file:{FIXTURES / 'report_en.mp4'}", "-c", "copy", "-movflags", "+faststart", f"file:{whole}"])
    cut = folder / "report cut short.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 3 // 10])
    return cut


def test_a_truncated_file_is_refused_and_leaves_nothing(settings: Settings, truncated: Path) -> None:
    svc = Clipindex(settings)
    with pytest.raises(IngestError, match=r"report cut short.mp4: only 0:1\d of its 0:46 could be decoded"):
        list(svc.ingest(str(truncated), IngestOptions()))
    assert svc.videos() == []
    assert not list((settings.data_dir / "audio").glob("*.wav"))


@pytest.mark.slow
def test_what_can_be_read_is_ingested_with_a_warning_when_asked(settings: Settings, truncated: Path) -> None:
    svc = Clipindex(settings)
    [result] = svc.ingest(str(truncated), IngestOptions(accept_partial=True))
    assert result.status == "ingested"
    assert any("truncated or damaged" in w for w in result.warnings), result.warnings
    assert any("truncated or damaged" in w for w in svc.transcript(str(result.video_id)).warnings)
    # as long as what decodes (0:1x), not the 0:46 its header claims: clips and reels are bounded by it
    assert result.duration is not None and result.duration < 20, result.duration
    assert svc.store.get_video(str(result.video_id)).duration == result.duration


@pytest.mark.slow
def test_audio_without_a_word_is_ingested_with_a_warning(settings: Settings, tmp_path: Path) -> None:
    silence = tmp_path / "silence.wav"
    run(["-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "30", f"file:{silence}"])
    [result] = Clipindex(settings).ingest(str(silence), IngestOptions(language="en"))
    assert result.status == "ingested"
    assert any("no words were recognised in 0:30 of audio" in w for w in result.warnings), result.warnings


def test_ffmpeg_that_writes_many_errors_is_read_to_its_end() -> None:
    """A damaged MP4 (a fuzzed one, bits flipped) made ffmpeg write its errors faster than anyone read them: once
    the pipe held 64 KB, ffmpeg waited to write and clipindex waited for its progress, and the ingest hung for ever.
    Its errors are read as they come now. (Here a filter that logs every audio frame stands in for the errors.)"""
    finished = threading.Event()

    def chatty() -> None:
        run(["-loglevel", "info", "-f", "lavfi", "-i", "sine=duration=60", "-af", "ashowinfo", "-f", "null",
                    "-"])
        finished.set()

    worker = threading.Thread(target=chatty, daemon=True)
    worker.start()
    worker.join(120)
    assert finished.is_set(), "ffmpeg and clipindex waited on each other"
    with pytest.raises(FfmpegError, match="ffmpeg failed: .*No such"):
        run(["-i", "file:/nonexistent/input.wav", "-f", "null", "-"])  # the last error line is still said
