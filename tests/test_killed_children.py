"""What a server killed with SIGKILL leaves behind: its ffmpeg encoding on (now killed with it) and a render's
working folder holding a whole reel (now removed by the next start)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from indexer.config import Settings
from indexer.service import Clipindex
from tests.apiserver import running
from tests.waiting import wait_until

SLOW_FFMPEG = """
from media.ffmpeg import run
run(["-re", "-f", "lavfi", "-i", "sine=duration=120", "-f", "null", "-"])
"""


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ", 1)[1][0] != "Z"  # a zombie has ended, waiting for its parent to read it
    except FileNotFoundError:
        return False


def test_ffmpeg_dies_with_the_process_that_started_it() -> None:
    """A worker killed by SIGKILL left its ffmpeg running, reparented, for minutes (an encoder at full speed beside
    the retried job's own)."""
    worker = subprocess.Popen([sys.executable, "-c", SLOW_FFMPEG], cwd=Path(__file__).parent.parent)
    encoders: list[int] = []
    try:
        encoders = wait_until(lambda: _children(worker.pid), 20, "the worker's ffmpeg to start")
        assert _alive(encoders[0])
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        wait_until(lambda: not _alive(encoders[0]), 10, f"ffmpeg {encoders[0]} to end with its parent")
    finally:
        worker.kill()
        for pid in encoders:  # on the old code, an orphan that would encode on for two minutes
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


FORK_HOOK_HELD = """
import os, threading
from media.ffmpeg import run
held = threading.Lock()
held.acquire()  # a lock another thread holds at the fork (a pool's, a logger's): a child that runs Python waits on it
os.register_at_fork(after_in_child=held.acquire)
run(["-f", "lavfi", "-i", "sine=duration=0.1", "-f", "null", "-"])
print("ran", flush=True)
"""


def test_ffmpeg_starts_without_running_python_in_the_forked_child() -> None:
    """ffmpeg was started through a preexec_fn, so its forked child ran Python's fork hooks (the store's, SQLAlchemy's)
    before ffmpeg: with a lock held by another thread at the fork, it waited for ever, and the render job with it (a
    CI run hung so, two render tests at once)."""
    done = subprocess.run([sys.executable, "-c", FORK_HOOK_HELD], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ran", done.stderr[-2000:]


def test_a_start_removes_the_render_work_a_killed_server_left(settings: Settings) -> None:
    renders = settings.data_dir / "renders"
    left, live = renders / ".clipindex-render-dead1234", renders / ".clipindex-render-live5678"
    for work in (left, live):
        work.mkdir(parents=True)
        (work / "reel.mp4").write_bytes(b"\0" * 1024)
    hours_ago = time.time() - 2 * 3600
    for path in (left / "reel.mp4", left):
        os.utime(path, (hours_ago, hours_ago))
    (renders / "reel-kept.mp4").write_bytes(b"\0")  # a finished render stays
    with running(Clipindex(settings), workers=0):
        pass
    assert not left.exists() and (live / "reel.mp4").exists() and (renders / "reel-kept.mp4").exists()
