"""The store: SQLite or PostgreSQL through SQLAlchemy Core, the source of truth for videos, transcripts and the work
on them (what differs between the two databases is in store/dialect.py, how a row holds a video, a segment or a
word in store/rows.py).

SQLite runs in WAL mode with `synchronous=FULL` and a busy timeout; the schema is versioned (`schema_version`) and
migrated forward at open. A transcript's words are kept per segment as a compact JSON array, so a video's words load
in one query and a segment is rewritten whole.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from indexer.errors import NotFound, ReadOnlyArchive
from indexer.models import Chapter, ChapterSource, Record, Segment, Transcript, Video, WordSource
from indexer.store.dialect import (
    close,
    insert_missing,
    make_engine,
    read_only,
    sqlite_path,
    store_url,
    upsert,
)
from indexer.store.rows import segment_row, stored_head, stored_video, stored_word
from indexer.store.schema import (
    chapters,
    corrections,
    migrate,
    reel_clips,
    reels,
    segments,
    step_runs,
    transcripts,
    version_of,
    videos,
)

R = TypeVar("R", bound=Record)
StepState = Literal["pending", "running", "done", "failed"]


@dataclass(frozen=True)
class StepRun:
    """One (video, step) row of the step-runs table: who holds it, how far it got, what it left."""

    step: str
    status: StepState
    attempt: int
    progress: float
    error: str | None
    lease_owner: str | None
    lease_expires: float | None
    cancel: bool


@dataclass(frozen=True)
class StepsKept:
    """Step runs as they were before `Store.reset_steps`, with the video's ingest options then."""

    steps: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    options: str | None


class Store:
    def __init__(self, where: Path | str) -> None:
        """`where`: the SQLite file's path, or a URL (sqlite:///PATH, postgresql+psycopg://USER:PASS@HOST/DB)."""
        self.url = store_url(where)
        self.path = sqlite_path(self.url)  # None for PostgreSQL
        self.engine: Engine = make_engine(self.url)
        # on a folder that cannot be written, the store is read as it is (dialect.read_only): nothing runs that
        # would write it (workers, the index's reconciling), and each write is refused with a message that says why
        self.read_only = self.path is not None and read_only(self.path)
        self.migrate()

    def migrate(self) -> int:
        """Bring the schema up to date (schema.migrate)."""
        return migrate(self.engine, str(self.path or "database"), self.read_only)

    def close(self) -> None:
        """The WAL written into the store's file and the connections closed (dialect.close); it opens again on use."""
        close(self.engine)

    def must_write(self) -> None:
        """ReadOnlyArchive, before work that writes all along (a worker, a rebuild), on a store that cannot be
        written: each of its writes would fail in turn."""
        if self.read_only:
            raise ReadOnlyArchive(f"the archive in {self.path.parent if self.path else self.url} cannot be written "
                                  "(a read-only folder): it can be searched and read, not changed")

    def schema_version(self) -> int:
        with self.tx() as conn:
            return version_of(conn)

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            if self.read_only and "readonly" in str(exc.orig):  # said as the archive's state, not as a fault
                self.must_write()
            raise

    # videos ---------------------------------------------------------------------------------------------------
    def put_video(self, video: Video) -> None:
        row = asdict(video)
        row["creator_chapters"] = json.dumps([list(c) for c in video.creator_chapters])
        now = time.time()
        # one statement, so two processes adding the same video at once both succeed (the last write wins)
        with self.tx() as conn:
            upsert(conn, videos, [{**row, "created_at": now, "updated_at": now}], update=[*row, "updated_at"])

    def update_video(self, video_id: str, **changes: str | None) -> Video:
        """Change some of a video's fields (title, channel, published ...) and only those, in one statement: an
        edit racing another edit of another field, or a delete, neither undoes the other nor brings the video back
        (put_video writes the whole row it was given). NotFound when the video is gone."""
        with self.tx() as conn:
            if not conn.execute(videos.update().where(videos.c.id == video_id)
                                .values(**changes, updated_at=time.time())).rowcount:
                raise NotFound(f"no video {video_id!r}")
        return self.get_video(video_id)

    def set_options(self, video_id: str, options: Record) -> None:
        """The options the video's ingest steps read (a worker anywhere needs nothing else)."""
        data = json.dumps(options.to_dict(), ensure_ascii=False)
        with self.tx() as conn:
            conn.execute(videos.update().where(videos.c.id == video_id).values(ingest_options=data))

    def get_options(self, video_id: str, kind: type[R]) -> R:
        with self.tx() as conn:
            raw = conn.execute(sa.select(videos.c.ingest_options).where(videos.c.id == video_id)).scalar()
        return kind.from_dict(json.loads(raw or "{}"))

    def get_video(self, video_id: str) -> Video:
        with self.tx() as conn:
            row = conn.execute(sa.select(videos).where(videos.c.id == video_id)).mappings().first()
        if row is None:
            raise NotFound(f"no video {video_id!r}")
        return stored_video(row)

    def find_video(self, video_id: str) -> Video | None:
        try:
            return self.get_video(video_id)
        except NotFound:
            return None

    def video_ids(self) -> list[str]:
        with self.tx() as conn:
            return list(conn.execute(sa.select(videos.c.id).order_by(videos.c.created_at)).scalars().all())

    def list_videos(self, limit: int | None = None, offset: int = 0) -> list[Video]:
        """The videos oldest first (the id breaks ties, so pages stay put); `limit` and `offset` page them."""
        query = sa.select(videos).order_by(videos.c.created_at, videos.c.id).offset(offset)
        with self.tx() as conn:
            rows = conn.execute(query.limit(limit) if limit is not None else query).mappings().all()
        return [stored_video(r) for r in rows]

    def added_since(self, video_ids: list[str], since: float) -> set[str]:
        """Which of these videos were added to the store at or after `since` (a time.time())."""
        if not video_ids:
            return set()
        with self.tx() as conn:
            return set(conn.execute(sa.select(videos.c.id).where(videos.c.id.in_(video_ids),
                                                                 videos.c.created_at >= since)).scalars())

    def count_videos(self) -> int:
        with self.tx() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(videos)).scalar() or 0)

    def uses_file(self, names: list[str]) -> bool:
        """Whether a video plays from (media path) or was made from (source) a file known by any of `names`: one
        query, where reading every video to ask took seconds at 100,000 of them."""
        with self.tx() as conn:
            return conn.execute(sa.select(videos.c.id).where(
                videos.c.media_path.in_(names) | videos.c.source.in_(names)).limit(1)).first() is not None

    def delete_video(self, video_id: str) -> bool:
        """Remove the video and all made of it. Rows are taken in the order every writer takes them (on PostgreSQL
        two transactions that lock the same rows in opposite orders deadlock): the reels that hold its clips before
        their clips (ReelStore.edit), the transcript before its segments (corrections, put_transcript)."""
        with self.tx() as conn:
            held = sa.select(reel_clips.c.reel_id).where(reel_clips.c.video_id == video_id)
            conn.execute(reels.update().where(reels.c.id.in_(held)).values(updated_at=time.time()))
            conn.execute(reel_clips.delete().where(reel_clips.c.video_id == video_id))
            conn.execute(sa.text("DELETE FROM article_links WHERE video_id = :v"), {"v": video_id})
            for table in (transcripts, segments, step_runs, chapters, corrections):
                conn.execute(table.delete().where(table.c.video_id == video_id))
            return conn.execute(videos.delete().where(videos.c.id == video_id)).rowcount > 0

    # transcripts ----------------------------------------------------------------------------------------------
    def put_transcript(self, tr: Transcript, then: Callable[[Connection], object] | None = None) -> None:
        """Replace the video's transcript in one transaction: readers see the old one or the new one, whole. `then`
        runs in the same transaction, after it (the corrections written into it: a correction made between the two
        would have recorded its own words as the ones it replaced)."""
        with self.tx() as conn:
            conn.execute(transcripts.delete().where(transcripts.c.video_id == tr.video_id))  # before its segments:
            conn.execute(segments.delete().where(segments.c.video_id == tr.video_id))  # as corrections lock them
            conn.execute(transcripts.insert().values(
                video_id=tr.video_id, language=tr.language, engine=tr.engine, model=tr.model,
                warnings=json.dumps(list(tr.warnings)), created_at=time.time()))
            if tr.segments:
                conn.execute(segments.insert(), [segment_row(tr.video_id, i, s) for i, s in enumerate(tr.segments)])
            conn.execute(videos.update().where(videos.c.id == tr.video_id).values(
                language=tr.language, updated_at=time.time()))
            if then is not None:
                then(conn)

    def languages(self) -> list[str]:
        """The languages of the stored transcripts, the one with most videos first ("und" left out)."""
        n = sa.func.count()
        with self.tx() as conn:
            rows = conn.execute(sa.select(transcripts.c.language, n).group_by(transcripts.c.language)
                                .order_by(n.desc(), transcripts.c.language)).all()
        return [str(r[0]) for r in rows if r[0] and r[0] != "und"]

    def set_language(self, video_id: str, language: str) -> None:
        """Name the language of a stored transcript (and its video), its words untouched: for transcripts an older
        version stored as "und" (undetermined)."""
        with self.tx() as conn:
            conn.execute(transcripts.update().where(transcripts.c.video_id == video_id).values(language=language))
            conn.execute(videos.update().where(videos.c.id == video_id).values(language=language,
                                                                                updated_at=time.time()))

    def get_transcript(self, video_id: str) -> Transcript | None:
        with self.tx() as conn:
            head = _head_row(conn, video_id)
            if head is None:
                return None
            rows = conn.execute(
                sa.select(segments).where(segments.c.video_id == video_id).order_by(segments.c.idx)
            ).mappings().all()
        origin: WordSource = "caption" if head["engine"] == "captions" else "asr"
        segs = tuple(Segment(r["start"], r["end"], r["text"], tuple(stored_word(w, origin)
                                                                    for w in json.loads(r["words"])))
                     for r in rows)
        return replace(stored_head(video_id, head), segments=segs)

    def transcript_head(self, video_id: str) -> Transcript | None:
        """The transcript's language, source and warnings without its segments (`segments` is empty), or None when
        the video has none yet: what a check or a summary needs, without decoding every word."""
        with self.tx() as conn:
            head = _head_row(conn, video_id)
        return None if head is None else stored_head(video_id, head)

    def transcribed_ids(self) -> list[str]:
        """Videos that have a transcript, oldest first."""
        with self.tx() as conn:
            query = sa.select(transcripts.c.video_id).join(videos, videos.c.id == transcripts.c.video_id)
            return list(conn.execute(query.order_by(videos.c.created_at)).scalars().all())

    # chapters -------------------------------------------------------------------------------------------------
    def put_chapters(self, video_id: str, source: ChapterSource, items: list[Chapter]) -> None:
        """Replace the video's chapters of one source (computed, creator or editor) in one transaction."""
        with self.tx() as conn:
            _write_chapters(conn, video_id, source, items)

    def edit_chapters(self, video_id: str, change: Callable[[list[Chapter]], list[Chapter]]) -> list[Chapter]:
        """The editor's chapters made anew by `change` from all the video's chapters, in one transaction that holds
        the store's write lock from before the reading: two editors at once each see the other's edit (a rename
        read, then written, lost the one made meanwhile). NotFound without the video."""
        with self.tx() as conn:
            if conn.execute(videos.update().where(videos.c.id == video_id).values(id=video_id)
                            .returning(videos.c.id)).first() is None:
                raise NotFound(f"no video {video_id!r}")
            new = change(_read_chapters(conn, video_id))
            _write_chapters(conn, video_id, "editor", new)
        return new

    def get_chapters(self, video_id: str, source: ChapterSource | None = None) -> list[Chapter]:
        with self.tx() as conn:
            return _read_chapters(conn, video_id, source)

    # step runs ------------------------------------------------------------------------------------------------
    def step_status(self, video_id: str) -> dict[str, StepRun]:
        with self.tx() as conn:
            rows = conn.execute(sa.select(step_runs).where(step_runs.c.video_id == video_id)).mappings().all()
        return {r["step"]: StepRun(r["step"], r["status"], r["attempt"], r["progress"], r["error"], r["lease_owner"],
                                   r["lease_expires"], bool(r["cancel"])) for r in rows}

    def claim_step(self, video_id: str, step: str, owner: str, lease_s: float) -> bool:
        """Take the step unless it is done or leased by a live owner (a conditional write: one winner; on PostgreSQL
        the row is locked first with SKIP LOCKED, so a claimant that finds another mid-claim gives up at once)."""
        now = time.time()
        key = (step_runs.c.video_id == video_id, step_runs.c.step == step)
        with self.tx() as conn:
            insert_missing(conn, step_runs, {"video_id": video_id, "step": step, "status": "pending", "attempt": 0,
                                             "progress": 0.0, "cancel": False, "updated_at": now})
            if conn.execute(sa.select(step_runs.c.status).where(*key).with_for_update(skip_locked=True)).first() \
                    is None:
                return False
            taken = conn.execute(
                step_runs.update()
                .where(step_runs.c.video_id == video_id, step_runs.c.step == step, step_runs.c.status != "done")
                .where(sa.or_(step_runs.c.status != "running", step_runs.c.lease_expires < now,
                              step_runs.c.lease_owner == owner))
                .values(status="running", lease_owner=owner, lease_expires=now + lease_s,
                        attempt=step_runs.c.attempt + 1, error=None, progress=0.0, cancel=False, updated_at=now)
            ).rowcount
        return taken == 1

    def expire_step_lease(self, video_id: str, step: str, owner: str) -> None:
        """End the lease of a holder known to be gone (crashed), so the next claim takes the step at once."""
        with self.tx() as conn:
            conn.execute(step_runs.update().where(
                step_runs.c.video_id == video_id, step_runs.c.step == step, step_runs.c.lease_owner == owner,
                step_runs.c.status == "running").values(lease_expires=time.time() - 1))

    def heartbeat(self, video_id: str, step: str, owner: str, lease_s: float, progress: float | None) -> bool:
        """Renew the lease and record progress (None: keep it); False when the step was cancelled or taken over."""
        now = time.time()
        moved = {} if progress is None else {"progress": progress}
        with self.tx() as conn:
            conn.execute(step_runs.update().where(
                step_runs.c.video_id == video_id, step_runs.c.step == step, step_runs.c.lease_owner == owner
            ).values(lease_expires=now + lease_s, updated_at=now, **moved))
            row = conn.execute(sa.select(step_runs.c.cancel, step_runs.c.lease_owner).where(
                step_runs.c.video_id == video_id, step_runs.c.step == step)).first()
        return row is not None and not row.cancel and row.lease_owner == owner

    def finish_step(self, video_id: str, step: str, owner: str, result: Record | None = None, *,
                    then: str | None = None, lease_s: float = 0.0) -> None:
        """Record the step done. `then`: the step the owner goes on to, leased to it in the same transaction (unless
        done, or leased by another live owner), so another process ingesting the video at once never takes the next
        step between two of this owner's: it waits for each and finds it done (`release_step` gives one back)."""
        now = time.time()
        with self.tx() as conn:
            if conn.execute(step_runs.update().where(
                step_runs.c.video_id == video_id, step_runs.c.step == step, step_runs.c.lease_owner == owner
            ).values(status="done", progress=1.0, lease_owner=None, lease_expires=None,
                     result=json.dumps(result.to_dict() if result else {}, ensure_ascii=False), updated_at=now)
                            ).rowcount and then:
                insert_missing(conn, step_runs, {"video_id": video_id, "step": then, "status": "pending", "attempt": 0,
                                                 "progress": 0.0, "cancel": False, "updated_at": now})
                conn.execute(step_runs.update().where(
                    step_runs.c.video_id == video_id, step_runs.c.step == then, step_runs.c.status != "done",
                    sa.or_(step_runs.c.status != "running", step_runs.c.lease_expires < now))
                    .values(status="running", lease_owner=owner, lease_expires=now + lease_s, updated_at=now))

    def release_step(self, video_id: str, step: str, owner: str) -> None:
        """Give back a step `finish_step` leased to its owner, which will not run it (stopped between two steps)."""
        with self.tx() as conn:
            conn.execute(step_runs.update().where(
                step_runs.c.video_id == video_id, step_runs.c.step == step, step_runs.c.lease_owner == owner,
                step_runs.c.status == "running").values(status="pending", lease_owner=None, lease_expires=None))

    def fail_step(self, video_id: str, step: str, owner: str, error: str, cancelled: bool = False) -> None:
        """`cancelled`: it stopped because someone asked (kept in its cancel flag, which the next claim clears)."""
        asked = {"cancel": True} if cancelled else {}
        with self.tx() as conn:
            conn.execute(step_runs.update().where(
                step_runs.c.video_id == video_id, step_runs.c.step == step, step_runs.c.lease_owner == owner
            ).values(status="failed", lease_owner=None, lease_expires=None, error=error, updated_at=time.time(),
                     **asked))

    def reset_steps(self, video_id: str, steps: list[str]) -> StepsKept:
        """Forget the steps' runs, so that they run again; what they were, and the video's ingest options, come back
        to be put back (`restore_steps`) if the new run fails before it changes anything."""
        with self.tx() as conn:
            kept = conn.execute(sa.select(step_runs).where(step_runs.c.video_id == video_id,
                                                           step_runs.c.step.in_(steps))).mappings().all()
            options = conn.execute(sa.select(videos.c.ingest_options).where(videos.c.id == video_id)).scalar()
            conn.execute(step_runs.delete().where(step_runs.c.video_id == video_id, step_runs.c.step.in_(steps)))
        return StepsKept(tuple(steps), tuple(dict(r) for r in kept), options)

    def restore_steps(self, video_id: str, kept: StepsKept) -> None:
        """Put back the step runs and ingest options that `reset_steps` took away."""
        with self.tx() as conn:
            conn.execute(step_runs.delete().where(step_runs.c.video_id == video_id, step_runs.c.step.in_(kept.steps)))
            if kept.rows:
                conn.execute(step_runs.insert(), list(kept.rows))
            conn.execute(videos.update().where(videos.c.id == video_id).values(ingest_options=kept.options))

    def step_result(self, video_id: str, step: str, kind: type[R]) -> R:
        """What a finished step left for later steps (an empty record when it left nothing)."""
        with self.tx() as conn:
            raw = conn.execute(sa.select(step_runs.c.result).where(step_runs.c.video_id == video_id,
                                                                   step_runs.c.step == step)).scalar()
        return kind.from_dict(json.loads(raw or "{}"))


def _head_row(conn: Connection, video_id: str) -> Any:
    """The transcript's row of `transcripts` (language, source, warnings), or None."""
    return conn.execute(sa.select(transcripts).where(transcripts.c.video_id == video_id)).mappings().first()


def _write_chapters(conn: Connection, video_id: str, source: ChapterSource, items: list[Chapter]) -> None:
    conn.execute(chapters.delete().where(chapters.c.video_id == video_id, chapters.c.source == source))
    if items:
        conn.execute(chapters.insert(), [
            {"video_id": video_id, "source": source, "idx": i, "start": c.start, "end": c.end, "title": c.title,
             "keywords": json.dumps(list(c.keywords), ensure_ascii=False), "method": c.method}
            for i, c in enumerate(items)])


def _read_chapters(conn: Connection, video_id: str, source: ChapterSource | None = None) -> list[Chapter]:
    query = sa.select(chapters).where(chapters.c.video_id == video_id).order_by(chapters.c.source, chapters.c.idx)
    if source is not None:
        query = query.where(chapters.c.source == source)
    return [Chapter(r["video_id"], r["start"], r["end"], r["title"], tuple(json.loads(r["keywords"])), r["source"],
                    r["method"]) for r in conn.execute(query).mappings().all()]
