"""Real PostgreSQL and Redis servers for the tests: each started once per session as a child process, on a free
loopback port in a temporary directory, and stopped at the end. No system service is used or touched.

The binaries come from Debian's `postgresql` and `redis-server` packages (installed by .ci/setup); a test that needs
one is skipped, saying which, where they are missing. PostgreSQL refuses to run as root, so under root it runs as the
`postgres` user the package creates. Each test gets a database of its own (`CREATE DATABASE`: a few tens of ms).
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_DIRS = [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    home: Path
    # postgres takes SIGTERM as a "smart" shutdown, which waits for every client to disconnect (a test's pool never
    # does: 20 s lost), and SIGINT as a "fast" one, which still writes a checkpoint of every database the session
    # made; SIGQUIT stops at once, which is all a server whose files are deleted next needs. redis saves nothing.
    stop_signal: int = signal.SIGTERM

    def stop(self) -> None:
        stop_processes(self.proc, grace=20, sig=self.stop_signal)
        shutil.rmtree(self.home, ignore_errors=True)


def stop_processes(*procs: subprocess.Popen[bytes], grace: float = 30.0, sig: int = signal.SIGTERM) -> None:
    """Stop child processes as a supervisor would: SIGTERM (or `sig`) to every one still running, then up to `grace`
    s for all of them together to exit (workers finish or hand back their step), then SIGKILL for any still there.
    Returns when all have exited and been reaped."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(sig)
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


_running: dict[str, Server] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str | None:
    for d in PG_DIRS:
        if (d / name).is_file():
            return str(d / name)
    return shutil.which(name)


def _as_postgres() -> tuple[dict[str, int], int | None]:
    """Popen arguments that drop root for the postgres user (None: we are not root and run as ourselves)."""
    if os.geteuid() != 0:
        return {}, None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
    return {"user": user.pw_uid, "group": user.pw_gid}, user.pw_uid


def _wait(ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} while starting")
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def start_postgres() -> Server:
    if "postgres" in _running:
        return _running["postgres"]
    pytest.importorskip("psycopg", reason="the multi-machine extra: pip install -e '.[scale]' (or run .ci/setup)")
    initdb, postgres = _pg_bin("initdb"), _pg_bin("postgres")
    if not initdb or not postgres:
        pytest.skip("PostgreSQL binaries not found (Debian: apt-get install postgresql; or run .ci/setup)")
    drop, uid = _as_postgres()
    home = Path(tempfile.mkdtemp(prefix="clipindex-pg-"))
    if uid is not None:
        os.chown(home, uid, -1)
    data = home / "data"
    subprocess.run([initdb, "-D", str(data), "-U", "clipindex", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, capture_output=True, **drop)  # type: ignore[call-overload]
    port = free_port()
    # fsync off: these databases live for one test session; what is tested is the store's logic, not the disk's
    proc = subprocess.Popen([postgres, "-D", str(data), "-p", str(port), "-k", str(home), "-c",
                             "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
                             "-c", "max_connections=200"], stdout=subprocess.DEVNULL,
                            stderr=(home / "postgres.log").open("wb"), **drop)  # type: ignore[call-overload]
    server = Server(f"postgresql+psycopg://clipindex@127.0.0.1:{port}/postgres", proc, home, signal.SIGQUIT)
    _wait(lambda: _pg_ready(server.url), proc, "postgres")
    _running["postgres"] = server
    return server


def _pg_ready(url: str) -> bool:
    import psycopg  # deferred: only the PostgreSQL tests need the driver

    try:
        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def new_database(server: Server) -> str:
    """A fresh, empty database on the server; its SQLAlchemy URL."""
    import psycopg  # deferred: only the PostgreSQL tests need the driver

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # a generated name: no user input
    return server.url.rsplit("/", 1)[0] + f"/{name}"


def start_redis() -> Server:
    if "redis" in _running:
        return _running["redis"]
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server not found (Debian: apt-get install redis-server; or run .ci/setup)")
    home = Path(tempfile.mkdtemp(prefix="clipindex-redis-"))
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(home), "--save", "",
                             "--appendonly", "no", "--daemonize", "no"], stdout=(home / "redis.log").open("wb"),
                            stderr=subprocess.STDOUT)
    server = Server(f"redis://127.0.0.1:{port}/0", proc, home)
    _wait(lambda: _redis_ready(port), proc, "redis-server")
    _running["redis"] = server
    return server


def _redis_ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def stop_all() -> None:
    for name in list(_running):
        _running.pop(name).stop()


atexit.register(stop_all)  # the session fixtures stop them; this covers a session that ends some other way


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    yield start_postgres()
    stop_all()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Server]:
    yield start_redis()
    stop_all()


# PostgreSQL starts a server (seconds): its half of the suite runs in the full lane, not the quick one
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same store tests on both databases: a SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clipindex.db'}"
    return new_database(request.getfixturevalue("postgres"))
