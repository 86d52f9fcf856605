"""Two `clipindex ingest` of one file at once (two terminals, two cron jobs): the video is ingested once, by one of
them, and the other says so ("skipped", and that another process ingested it while it waited) instead of
"ingested"; it waits as long as the other's step runs, however long that is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.ingest.types import STEPS
from indexer.store.db import Store
from tests.conftest import FIXTURES
from tests.test_cut_off_ingests import SRT

ROOT = Path(__file__).resolve().parents[1]
# the first process, its chapters step made slow: it renews its lease all along, for longer than one lease
SLOW_CHAPTERS = """
import sys, time
from pathlib import Path
import indexer.ingest.steps as steps
real = steps.STEP_FUNCTIONS["chapters"]

def slow(video_id, ctx):
    Path(sys.argv[1]).touch()
    for _ in range(int(sys.argv[2])):
        ctx.progress(0.5, "slow")
        time.sleep(0.25)
    return real(video_id, ctx)

steps.STEP_FUNCTIONS["chapters"] = slow
from api.cli import app
app(["ingest", "-q", sys.argv[3]], prog_name="clipindex")
"""


def _report(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    media = Path(shutil.copy(FIXTURES / "report_en.mp4", folder / "flood.mp4"))
    media.with_suffix(".srt").write_text(SRT, encoding="utf-8")
    return media


def _env(settings: Settings, **more: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CLIPINDEX_DATA_DIR": str(settings.data_dir), **more}


def _ingest(settings: Settings, media: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "api.cli", "ingest", "-q", str(media)], env=_env(settings, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _once(settings: Settings) -> None:
    """The archive holds the video once, with one transcript, and each step ran once."""
    store = Store(settings.db_path)
    [video] = store.list_videos()
    with store.tx() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM transcripts").scalar() == 1
    runs = store.step_status(video.id)
    assert {s: (r.status, r.attempt) for s, r in runs.items()} == {s: ("done", 1) for s in STEPS}


@pytest.mark.slow  # worker processes
def test_two_ingests_of_one_file_at_once_ingest_it_once_and_say_so(settings: Settings, tmp_path: Path) -> None:
    media = _report(tmp_path / "reports")
    first, second = _ingest(settings, media), _ingest(settings, media)
    said = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], said
    lines = sorted(out.split(":")[0] for out, _ in said)
    assert lines == ["ingested", "skipped"], said  # both said "ingested"
    for out, err in said:
        if out.startswith("skipped") and "note:" in err:
            assert "already ingested by another process at the same time" in err
    _once(settings)


@pytest.mark.slow
def test_an_ingest_waits_for_another_process_whose_step_runs_longer_than_a_lease(settings: Settings,
                                                                                   tmp_path: Path) -> None:
    media = _report(tmp_path / "reports")
    started = tmp_path / "chapters-started"
    lease = {"CLIPINDEX_LEASE_S": "2"}  # the second one gave up after a lease and 5 s: 7 s
    first = subprocess.Popen([sys.executable, "-c", SLOW_CHAPTERS, str(started), "48", str(media)],
                             env=_env(settings, **lease), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not started.exists():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    out, err = _ingest(settings, media, **lease).communicate(timeout=120)
    assert out.startswith("skipped: "), (out, err)
    assert "already ingested by another process at the same time: this one waited for it" in err
    out1, err1 = first.communicate(timeout=60)
    assert first.returncode == 0 and out1.startswith("ingested: "), (out1, err1)
    _once(settings)
