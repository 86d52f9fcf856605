"""What an administrator copies: a stopped server leaves the whole archive in its files, so a backup of
clipindex.db alone (or a restore that finds a stale -wal beside an older copy) has every change."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from indexer.service import Clipindex
from tests.conftest import settings_for
from tests.servers import free_port
from tests.waiting import wait_until

pytestmark = pytest.mark.slow  # a server process


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


def test_a_server_stopped_by_sigterm_leaves_its_changes_in_the_store_file(tmp_path: Path) -> None:
    """uvicorn re-raises SIGTERM once it has shut down, so no exit handler ran: every change the server made since
    it started was left in clipindex.db-wal, and a copy of clipindex.db alone lost them."""
    settings = settings_for(tmp_path)
    _key, secret = Clipindex(settings).keys.create("admin")
    port = free_port()
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(settings.data_dir)}
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "0"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/v1/videos"), 60, "the server to answer")
        made = urllib.request.Request(f"http://127.0.0.1:{port}/v1/reels", data=b'{"title": "Evening bulletin"}',
                                      method="POST", headers={"Authorization": f"Bearer {secret}",
                                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(made, timeout=30) as reply:
            assert reply.status == 201
    finally:
        server.send_signal(signal.SIGTERM)  # what `systemctl stop` sends
        server.wait(60)
    wal = settings.data_dir / "clipindex.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    alone = tmp_path / "backup" / "clipindex.db"
    alone.parent.mkdir()
    shutil.copy(settings.data_dir / "clipindex.db", alone)  # the file alone, as a careless backup takes it
    titles = [t for (t,) in sqlite3.connect(alone).execute("SELECT title FROM reels")]
    assert titles == ["Evening bulletin"]


def test_an_archive_moved_elsewhere_still_plays_its_uploads(tmp_path: Path) -> None:
    """An upload was recorded by its absolute path: moved or restored elsewhere, the archive's player, stills and
    renders pointed into the old place (404, or the live archive's file from a restored copy)."""
    from api.worker import Worker
    from indexer.ingest import uploads
    from indexer.ingest.types import IngestJob, IngestOptions
    from tests.conftest import FIXTURES

    svc = Clipindex(settings_for(tmp_path / "old"))
    upload = uploads.new_path(svc.settings.data_dir, "hearing.mp4")
    shutil.copy(FIXTURES / "report_en.mp4", upload)
    shutil.copy(FIXTURES / "report_en.json", upload.with_suffix(".json"))
    job = svc.jobs.submit("ingest", IngestJob(str(upload), IngestOptions(), upload_name="hearing.mp4", token="t"))
    Worker(svc).run_once()
    [done] = svc.jobs.get(job.id).result["videos"]
    svc.index.backend.flush()  # as a stopped server leaves it
    svc.store.close()
    shutil.move(str(tmp_path / "old"), str(tmp_path / "new"))
    moved = Clipindex(settings_for(tmp_path / "new"))
    media = moved.media_file(done["video_id"])
    assert media.is_file() and media.is_relative_to(tmp_path / "new")
    assert moved.frame(done["video_id"], 2.0).is_file()
