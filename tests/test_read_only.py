"""An archive on a folder that cannot be written (a read-only share, a mounted backup): it is searched and read as it
is, and what would write it is refused with a message, leaving every file as it was.

The folder is made read-only for the command alone: under root, whom permission bits do not stop, by a read-only
bind mount in a mount namespace of the command's own (`unshare -m`), which goes when the command ends; otherwise by
taking the write permission away.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.ingest.types import IngestOptions
from indexer.service import Clipindex
from tests.conftest import FIXTURES, HAS_TANTIVY, settings_for, stored_video
from tests.servers import free_port, stop_processes
from tests.waiting import wait_until

ROOT = os.geteuid() == 0
# a folder bound read-only onto itself, in the command's own mount namespace; then the command
READ_ONLY_MOUNT = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'


def _namespaces_work() -> bool:
    if not ROOT or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True,
                          check=False).returncode == 0


pytestmark = [pytest.mark.slow,  # a dozen commands, each a process of its own
              pytest.mark.skipif(ROOT and not _namespaces_work(),
                                 reason="root without mount namespaces: no way to make a folder read-only for root")]


def _command(data: Path, *args: str) -> list[str]:
    cmd = [sys.executable, "-m", "api.cli", *args]
    if ROOT:
        return ["unshare", "-m", "--propagation", "private", "sh", "-c", READ_ONLY_MOUNT, "sh", str(data), *cmd]
    return cmd


@contextmanager
def _read_only(data: Path) -> Iterator[None]:
    """Without root, the write permission taken away for the block (under root, _command mounts it read-only)."""
    folders = [data, *(p for p in data.rglob("*") if p.is_dir())]
    if not ROOT:
        for folder in folders:
            folder.chmod(0o555)
    try:
        yield
    finally:
        if not ROOT:
            for folder in folders:
                folder.chmod(0o755)


def _run(data: Path, *args: str, backend: str = "whoosh") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(data), "CLIPINDEX_SEARCH_BACKEND": backend}
    with _read_only(data):
        return subprocess.run(_command(data, *args), env=env, capture_output=True, text=True, timeout=120,
                              check=False)


def _fingerprint(data: Path) -> dict[str, str]:
    return {str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data.rglob("*")) if p.is_file()}


def _archive(root: Path, backend: str = "whoosh") -> tuple[Settings, str]:
    settings = settings_for(root, search_backend=backend)
    svc = Clipindex(settings)
    [result] = list(svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions()))
    svc.index.backend.flush()
    return settings, result.video_id


def _checkpointed(data: Path) -> None:
    """As a writer that closed cleanly leaves it: the WAL written into the file, no -wal or -shm beside it."""
    conn = sqlite3.connect(data / "clipindex.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for end in ("-wal", "-shm"):
        (data / f"clipindex.db{end}").unlink(missing_ok=True)


@pytest.mark.parametrize(("closed", "backend"), [(False, "whoosh"), (True, "whoosh"), pytest.param(
    True, "tantivy", marks=pytest.mark.skipif(not HAS_TANTIVY, reason="the tantivy package is not installed"))],
    ids=["with-wal", "closed-cleanly", "tantivy"])
def test_a_read_only_archive_is_searched_and_refuses_writes(tmp_path: Path, closed: bool, backend: str) -> None:
    settings, video_id = _archive(tmp_path, backend)
    data = settings.data_dir
    if closed:
        _checkpointed(data)
    before = _fingerprint(data)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return _run(data, *args, backend=backend)

    listed = run("videos", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [v["id"] for v in json.loads(listed.stdout)] == [video_id]
    found = run("search", "Уровень воды в реке Каменке", "--mode", "quote", "--json")
    if backend == "tantivy":  # tantivy writes a lock file to open its index: said, not a traceback
        assert found.returncode == 1 and "cannot be searched on a read-only folder" in found.stderr, found.stderr
    else:
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)[0]["video_id"] == video_id
    printed = run("transcript", video_id, "--format", "txt")
    assert printed.returncode == 0 and "Каменке" in printed.stdout, printed.stderr

    for args in (["reindex"], ["compact"], ["worker"]):
        refused = run(*args)
        assert refused.returncode == 1, (args, refused.stdout, refused.stderr)
        assert "cannot be written" in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    again = run("ingest", str(FIXTURES / "captions_uz.srt"))
    assert again.returncode == 1 and "cannot be written" in again.stderr, again.stderr
    assert _fingerprint(data) == before  # not a byte written: no lock file, no journal, no migration


def test_a_read_only_archive_is_served_for_reading(tmp_path: Path) -> None:
    settings, video_id = _archive(tmp_path)
    _key, secret = Clipindex(settings).keys.create("tests")
    with_media = stored_video(Clipindex(settings))  # its stills are made on request
    data = settings.data_dir
    before = _fingerprint(data)
    port = free_port()
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(data)}
    with _read_only(data):
        server = subprocess.Popen(_command(data, "serve", "--port", str(port), "--workers", "1"), env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: _get(f"{base}/v1/videos"), 60, "the server to answer")
            hits = json.loads(_get(f"{base}/v1/search?q=%D0%9A%D0%B0%D0%BC%D0%B5%D0%BD%D0%BA%D0%B5") or "{}")
            assert hits["hits"][0]["video_id"] == video_id
            with urllib.request.urlopen(f"{base}/v1/videos/{with_media}/frame?t=2", timeout=60) as still:
                assert still.headers["content-type"] == "image/jpeg" and still.read(3) == b"\xff\xd8\xff"
            request = urllib.request.Request(f"{base}/v1/reels", data=b'{"title": "x"}', method="POST",
                                             headers={"Authorization": f"Bearer {secret}",
                                                      "Content-Type": "application/json"})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30)
            assert refused.value.code == 503
            assert "cannot be written (a read-only folder)" in json.loads(refused.value.read())["error"]
            assert refused.value.headers.get("Retry-After") is None  # trying again will not help
        finally:
            stop_processes(server)  # type: ignore[arg-type]
    log = server.stderr.read() if server.stderr else ""
    assert "cannot be written: it is served for reading" in log
    assert "Traceback" not in log  # no worker or reconcile thread failed at each turn against the read-only store
    assert _fingerprint(data) == before


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return None
