"""The store's schema: every table, and the append-only list of migrations that builds it.

A migration runs once, in order, inside one transaction; `schema_version` records which have run. Never edit a
migration that has shipped: append a new one.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing, suppress
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from indexer.errors import ClipindexError, Conflict, ReadOnlyArchive
from indexer.store.dialect import migrating

meta = sa.MetaData()

videos = sa.Table(
    "videos", meta,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("url", sa.String),
    sa.Column("channel", sa.String),
    sa.Column("published", sa.String),
    sa.Column("duration", sa.Float),
    sa.Column("language", sa.String),
    sa.Column("description", sa.Text),
    sa.Column("media_path", sa.String),
    sa.Column("has_video", sa.Boolean, nullable=False, default=False),
    sa.Column("article", sa.String),
    sa.Column("creator_chapters", sa.Text, nullable=False, default="[]"),
    sa.Column("ingest_options", sa.Text, nullable=False, default="{}"),  # what the ingest steps were asked for
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

transcripts = sa.Table(
    "transcripts", meta,
    sa.Column("video_id", sa.String, sa.ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("language", sa.String, nullable=False),
    sa.Column("engine", sa.String, nullable=False),
    sa.Column("model", sa.String, nullable=False),
    sa.Column("warnings", sa.Text, nullable=False, default="[]"),
    sa.Column("created_at", sa.Float, nullable=False),
)

segments = sa.Table(
    "segments", meta,
    sa.Column("video_id", sa.String, sa.ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("start", sa.Float, nullable=False),
    sa.Column("end", sa.Float, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("words", sa.Text, nullable=False),  # [[start, end, text, probability], ...]
)

step_runs = sa.Table(
    "step_runs", meta,
    sa.Column("video_id", sa.String, sa.ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("step", sa.String, primary_key=True),
    sa.Column("status", sa.String, nullable=False),  # running | done | failed
    sa.Column("attempt", sa.Integer, nullable=False, default=0),
    sa.Column("lease_owner", sa.String),
    sa.Column("lease_expires", sa.Float),
    sa.Column("progress", sa.Float, nullable=False, default=0.0),
    sa.Column("cancel", sa.Boolean, nullable=False, default=False),
    sa.Column("error", sa.Text),
    sa.Column("result", sa.Text),  # small JSON a later step reads (e.g. the caption track chosen)
    sa.Column("updated_at", sa.Float, nullable=False),
)

schema_version = sa.Table("schema_version", meta, sa.Column("version", sa.Integer, nullable=False))

log = logging.getLogger(__name__)


def _migration_1(conn: Connection) -> None:
    for table in (videos, transcripts, segments, step_runs):
        table.create(conn)


jobs = sa.Table(
    "jobs", meta,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("kind", sa.String, nullable=False),  # ingest
    sa.Column("payload", sa.Text, nullable=False),  # JSON: what to do
    sa.Column("state", sa.String, nullable=False),  # queued | running | done | failed | cancelled
    sa.Column("step", sa.String),
    sa.Column("progress", sa.Float, nullable=False, default=0.0),
    sa.Column("error", sa.Text),
    sa.Column("result", sa.Text),  # JSON
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("max_attempts", sa.Integer, nullable=False, default=3),
    sa.Column("cancel", sa.Boolean, nullable=False, default=False),
    sa.Column("lease_owner", sa.String),
    sa.Column("lease_expires", sa.Float),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    # while transcribing: seconds of audio done, in all, and an estimate of those left (added by migration 8)
    sa.Column("audio_done", sa.Float),
    sa.Column("audio_total", sa.Float),
    sa.Column("audio_left", sa.Float),
    # the broker's id of the last message sent for the job (added by migration 9): the reconciler sends a queued job
    # again only once the broker no longer holds it
    sa.Column("message", sa.String),
    # when that message was sent (added by migration 10): a job whose worker died is sent again once, not every round
    sa.Column("sent_at", sa.Float),
    # what the step is doing or waiting for, in words (added by migration 12): "waiting on the asr queue", "another
    # process on HOST is ingesting this video: waiting for it", "12.3 MB"; the page and the API show it
    sa.Column("detail", sa.String),
    sa.Index("jobs_state_created", "state", "created_at"),
)

api_keys = sa.Table(
    "api_keys", meta,
    sa.Column("id", sa.String, primary_key=True),  # public prefix shown in listings
    sa.Column("name", sa.String, nullable=False),
    sa.Column("hash", sa.String, nullable=False, unique=True),  # sha256 of the secret; the secret is never stored
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float),
)


def _migration_2(conn: Connection) -> None:
    jobs.create(conn)
    api_keys.create(conn)


chapters = sa.Table(
    "chapters", meta,
    sa.Column("video_id", sa.String, sa.ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("source", sa.String, primary_key=True),  # computed | creator
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("start", sa.Float, nullable=False),
    sa.Column("end", sa.Float, nullable=False),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("keywords", sa.Text, nullable=False, default="[]"),
    sa.Column("method", sa.String, nullable=False, default=""),  # added by migration 7
)


def _migration_3(conn: Connection) -> None:
    chapters.create(conn)


articles = sa.Table(
    "articles", meta,
    sa.Column("id", sa.String, primary_key=True),  # "art:" + a hash of the source
    sa.Column("source", sa.String, nullable=False),
    sa.Column("url", sa.String),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("language", sa.String, nullable=False),
    sa.Column("published", sa.String),
    sa.Column("data", sa.Text, nullable=False),  # the whole Article as JSON (paragraphs, quotes, page text)
    sa.Column("created_at", sa.Float, nullable=False),
)

article_links = sa.Table(
    "article_links", meta,
    sa.Column("article_id", sa.String, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("video_id", sa.String, sa.ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),  # ArticleLinks as JSON
    sa.Column("created_at", sa.Float, nullable=False),
)


def _migration_4(conn: Connection) -> None:
    articles.create(conn)
    article_links.create(conn)


reels = sa.Table(
    "reels", meta,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

reel_clips = sa.Table(
    "reel_clips", meta,
    sa.Column("reel_id", sa.String, sa.ForeignKey("reels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),  # 1-based order in the reel
    sa.Column("video_id", sa.String, sa.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False),
    sa.Column("start", sa.Float, nullable=False),
    sa.Column("end", sa.Float, nullable=False),
    sa.Column("label", sa.String, nullable=False),
    sa.Column("origin", sa.String, nullable=False),
)


def _migration_5(conn: Connection) -> None:
    reels.create(conn)
    reel_clips.create(conn)


corrections = sa.Table(
    "corrections", meta,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("video_id", sa.String, sa.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False),
    sa.Column("start", sa.Float, nullable=False),
    sa.Column("end", sa.Float, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("source", sa.String, nullable=False),  # article | editor
    sa.Column("before", sa.Text, nullable=False),  # the words replaced, as stored: [[start, end, text, p, src], ...]
    sa.Column("after", sa.Text, nullable=False),  # the words written in their place
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("reverted_at", sa.Float),
    sa.Index("corrections_video", "video_id", "created_at"),
)


def _migration_6(conn: Connection) -> None:
    corrections.create(conn)


def _migration_7(conn: Connection) -> None:
    # computed chapters say which method found them (the embedding model, or words and pauses alone, and why);
    # a store created since has the column already (migration 3 creates the table as defined above)
    _add_column(conn, "chapters", "method", "VARCHAR NOT NULL DEFAULT ''")


def _migration_8(conn: Connection) -> None:
    # a job's position in the audio gets columns of its own; it was written into `step` as
    # `transcript@DONE/TOTAL/LEFT` (LEFT -1 while unknown), and rows written so are converted
    for name in ("audio_done", "audio_total", "audio_left"):
        _add_column(conn, "jobs", name, "FLOAT")
    for job_id, step in conn.execute(sa.select(jobs.c.id, jobs.c.step).where(jobs.c.step.like("%@%"))).all():
        name, _, position = step.partition("@")
        numbers = position.split("/")
        try:
            done, total, left = (float(x) for x in numbers) if len(numbers) == 3 else (None, None, None)
        except ValueError:
            done, total, left = None, None, None
        conn.execute(jobs.update().where(jobs.c.id == job_id).values(
            step=name, audio_done=done, audio_total=total, audio_left=left if left is not None and left >= 0 else None))


def _migration_9(conn: Connection) -> None:
    # a job remembers the message it was sent with (see jobs.message); a store created since has the column already
    _add_column(conn, "jobs", "message", "VARCHAR")


def _migration_10(conn: Connection) -> None:
    # when a job's message was sent (see jobs.sent_at); a job sent before it has none, and counts as sent long ago
    _add_column(conn, "jobs", "sent_at", "FLOAT")


ingest_claims = sa.Table(  # who coordinates a video's ingest now (claims.py): no foreign key, it comes before the row
    "ingest_claims", meta,
    sa.Column("video_id", sa.String, primary_key=True),
    sa.Column("owner", sa.String, nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
)


copied_in = sa.Table(  # what `migrate-store` copied into this store (copy.py): an entity removed here stays removed
    "copied_in", meta,
    sa.Column("kind", sa.String, primary_key=True),  # video, article, reel, or a table's name (jobs, api_keys)
    sa.Column("id", sa.String, primary_key=True),
)


def _migration_11(conn: Connection) -> None:
    ingest_claims.create(conn, checkfirst=True)  # a store created since has it already (a test's store made older)


def _migration_12(conn: Connection) -> None:
    # a job's last words on its step (see jobs.detail); a store created since has the column already
    _add_column(conn, "jobs", "detail", "VARCHAR")


def _migration_13(conn: Connection) -> None:
    copied_in.create(conn, checkfirst=True)


def _add_column(conn: Connection, table: str, column: str, declared: str) -> None:
    """Add a column to a table where it is missing: a store created since has it already, as the table is defined
    above. The names and the type are the migrations' own literals, never input."""
    if column not in {c["name"] for c in sa.inspect(conn).get_columns(table)}:
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {declared}"))


# append only; each runs once, in order, inside one transaction
MIGRATIONS = [_migration_1, _migration_2, _migration_3, _migration_4, _migration_5, _migration_6, _migration_7,
              _migration_8, _migration_9, _migration_10, _migration_11,
              _migration_12, _migration_13]


def version_of(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0)


def migrate(engine: Engine, where: str, read_only: bool) -> int:
    """Bring a store's schema up to date (Store.migrate). Processes that open a fresh store at the same moment take
    turns, so the tables are created once (see dialect.migrating), and the steps run all or none: a process killed
    half-way leaves the old schema. A store already up to date is only read: every command took the migration's
    lock, a file it must write, and none could read an archive on a read-only share."""
    with engine.connect() as conn:
        found = _known(version_of(conn), where) if sa.inspect(conn).has_table(schema_version.name) else 0
    if found == len(MIGRATIONS):
        return len(MIGRATIONS)
    if read_only:
        raise ReadOnlyArchive(f"the store {where} is read-only and was made by another version of clipindex: open "
                              "the archive once where it can be written, to bring it up to date")
    kept = _backed_up(engine, where, found) if found else None
    with migrating(engine) as conn:
        schema_version.create(conn, checkfirst=True)
        current = _known(version_of(conn), where)
        for version, step in enumerate(MIGRATIONS[current:], start=current + 1):
            step(conn)
            conn.execute(schema_version.insert().values(version=version))
    if 0 < current < len(MIGRATIONS):
        log.warning("the store %s was brought from schema %d to %d: clipindex versions before this one can no longer "
                    "open it%s", where, current, len(MIGRATIONS), f" (its copy from before: {kept})" if kept else "")
    return len(MIGRATIONS)


def _backed_up(engine: Engine, where: str, version: int) -> Path | None:
    """SQLite: a copy of the store as it is, `<file>.schema<version>.bak` beside it, before a migration changes it
    (SQLite's online backup, so a server still running is no harm): an older clipindex can no longer open a migrated
    store, and the way back was a backup that only the upgrade notes asked for. A copy that cannot be written (a full
    disk) stops the migration with the store left as it was. PostgreSQL's is the administrator's (pg_dump)."""
    if engine.url.get_backend_name() != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    path = Path(engine.url.database)
    target = path.with_name(f"{path.name}.schema{version}.bak")
    part = target.with_name(target.name + ".part")
    try:
        with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(part)) as copy:
            source.backup(copy)
        os.replace(part, target)
    except (sqlite3.Error, OSError) as err:
        with suppress(OSError):
            part.unlink(missing_ok=True)
        raise ClipindexError(f"the store {where} was not brought up to date: its copy from before (schema {version}) "
                             f"could not be written to {target} ({err}); the copy needs as much free space as the "
                             "store") from err
    return target


def _known(version: int, where: str) -> int:
    """The store's schema version, where this code knows it. A store a newer clipindex migrated is refused: an older
    version writing it would leave out what it does not know (an editor's corrections were lost from a transcript
    while still listed as in force)."""
    if version > len(MIGRATIONS):
        raise Conflict(f"the store {where} was made by a newer clipindex (schema {version}; this version knows "
                       f"{len(MIGRATIONS)}): upgrade clipindex, or restore the archive's backup from before the "
                       "upgrade")
    return version
