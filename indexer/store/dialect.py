"""What differs between the store's two databases, kept in one place so the store itself is one body of Core code.

SQLite (the default, one machine): a file in the data directory, WAL mode, `synchronous=FULL`, a few pooled
connections (lent to one thread at a time; opening one costs about 2 ms with its pragmas, and an ingest makes dozens
of short transactions a video), dropped in a forked child, and a file lock so processes opening a fresh store take
turns at creating it. PostgreSQL 15 through psycopg 3 (several machines): a small connection pool that checks a
connection before lending it (a database restart must not fail the next request), and a transaction-scoped advisory
lock for the migrations. Claims use `SELECT ... FOR UPDATE SKIP LOCKED` on both: SQLAlchemy leaves the clause out on
SQLite, whose conditional UPDATE under its single writer already decides the one winner.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, Engine

from indexer.errors import InvalidInput, ReadOnlyArchive
from indexer.store.files import exclusive, read_only_folder

MIGRATION_LOCK = 0x636C6970  # any constant every clipindex process agrees on ("clip")


def store_url(where: Path | str) -> str:
    """A store location as a URL: a path means the SQLite file there."""
    if isinstance(where, Path):
        return f"sqlite:///{where}"
    if where.startswith("sqlite:///") or where.startswith("postgresql"):
        return where
    raise InvalidInput("the store must be a path, sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is None:
        if url.startswith("postgresql://"):  # plain libpq URLs mean psycopg 3 here, never psycopg2
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        engine = sa.create_engine(url, pool_size=4, max_overflow=8, pool_pre_ping=True, pool_recycle=1800)
        _pooled.add(engine)
        return engine
    path.parent.mkdir(parents=True, exist_ok=True)
    # four kept open, any number more while busy (closed when returned); each serves one thread at a time, so it may
    # pass between threads (check_same_thread off)
    engine = sa.create_engine(_sqlite_target(path), poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=-1,
                              connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _read_only_pragmas if read_only(path) else _pragmas)
    _pooled.add(engine)
    return engine


def read_only(path: Path) -> bool:
    """Whether an SQLite store is on a folder this process may not write (a read-only share, a mounted backup):
    it is then opened for reading only, and any write fails with ReadOnlyArchive."""
    return path.exists() and read_only_folder(path.parent)


def _sqlite_target(path: Path) -> str:
    if not read_only(path):
        return f"sqlite:///{path}"
    # a store in WAL mode is opened read-only only beside its -shm file, or as immutable: a writer closed cleanly
    # removes both -wal and -shm, and nothing may change files on a read-only folder, so immutable is true there
    lacking_shm = not path.with_name(path.name + "-shm").exists()
    wal = path.with_name(path.name + "-wal")
    if lacking_shm and wal.exists() and wal.stat().st_size:  # immutable would read the store without them
        raise ReadOnlyArchive(f"{path} is on a read-only folder with changes in {wal.name} but no "
                              f"{path.name}-shm, without which SQLite cannot read them: copy the archive with that "
                              "file, or open it once where it can be written")
    return f"sqlite:///file:{quote(str(path))}?mode=ro{'&immutable=1' if lacking_shm else ''}&uri=true"


# A forked child must not use its parent's open connections (a PostgreSQL socket, an SQLite file handle and its locks):
# its pools start empty, and the parent's connections are left to the parent (dispose(close=False)).
_pooled: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_pools() -> None:
    for engine in list(_pooled):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pools)


def close(engine: Engine) -> None:
    """Write an SQLite store's WAL into its file and close its connections: the file alone is then the whole
    store, as a backup that copies only clipindex.db (or a restore that leaves a stale -wal beside an older copy)
    expects. A stopped server left every change it made since it started in the -wal. Other processes may still
    use the store: then the checkpoint gives up after a moment (it waits for their writer and readers, which the
    store's 30 s busy timeout would have made every command's exit do), and their last close finishes it."""
    if engine.url.get_backend_name() == "sqlite":
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout=200")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except sa.exc.DBAPIError:  # read-only, or busy: nothing to write here, or another process's to finish
            pass
    engine.dispose()


@atexit.register
def _close_all() -> None:
    for engine in list(_pooled):
        close(engine)


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    # switching a fresh file to WAL needs it to itself, and SQLite answers "database is locked" at once, without
    # waiting, while another process creating the store holds it: asked again until it is free (a no-op once set)
    deadline = time.monotonic() + 30.0
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _read_only_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA query_only=ON")
    cur.close()


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction in which one process at a time migrates the schema. SQLite runs DDL outside its write lock,
    hence a file lock beside the database; PostgreSQL's DDL is transactional and an advisory lock serialises it."""
    # the URL's database as given: str(engine.url) percent-encodes it ("архив" became "%D0%B0..."), and the lock was
    # looked for in a folder that does not exist
    path = Path(engine.url.database or "") if engine.url.get_backend_name() == "sqlite" else None
    if path is not None:
        with exclusive(path.with_name(path.name + ".migrate.lock")), engine.begin() as conn:
            # Python's sqlite3 begins a transaction only before a row is written, so a CREATE TABLE ran and was kept on
            # its own: a migration killed after it left the table without its version, and every later opening
            # failed on "table ... already exists". Begun here, the whole migration is one transaction.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
        return
    with engine.begin() as conn:
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        yield conn


def insert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (both databases speak it, each through its own construct)."""
    return (pg.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def upsert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]], update: list[str] | None = None) -> None:
    """Insert rows, replacing (the named columns of) any row with the same primary key: one statement per batch, so
    concurrent writers of the same key all succeed and the last one wins."""
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    if not keys:  # nothing to conflict on
        conn.execute(table.insert(), rows)
        return
    stmt = insert(conn, table)
    names = update if update is not None else [c for c in rows[0] if c not in keys]
    if names:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={n: stmt.excluded[n] for n in names})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt, rows)


def insert_missing(conn: Connection, table: sa.Table, row: dict[str, Any]) -> None:
    """Insert the row unless one with its primary key exists (INSERT OR IGNORE / ON CONFLICT DO NOTHING)."""
    keys = [c.name for c in table.primary_key.columns]
    conn.execute(insert(conn, table).values(**row).on_conflict_do_nothing(index_elements=keys))


def vacuum(engine: Engine) -> None:
    """Give the space of deleted rows back: SQLite's VACUUM rewrites the file (it needs as much free disk as the
    store, and waits for other writers); PostgreSQL's plain VACUUM keeps the space for new rows, without locking
    the tables (VACUUM FULL, which returns it to the system, is left to its administrator)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")
        if engine.url.get_backend_name() == "sqlite":  # the rewrite went to the WAL: into the file, the WAL emptied
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def describe(engine: Engine) -> str:
    """The store's URL without its password, fit for logs and `clipindex status`."""
    return engine.url.render_as_string(hide_password=True)
