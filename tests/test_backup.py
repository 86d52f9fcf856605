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
