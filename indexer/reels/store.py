"""Reels in the store: a reel row and its clips in order. A reel's clips are rewritten whole, in one transaction that
takes the store's write lock before it reads them (`edit`): two editors changing one reel at once each change the
clips as the other left them, where a read in one transaction and a write in the next lost one of the two."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from indexer import refs
from indexer.errors import Conflict, NotFound
from indexer.models import Clip, Reel
from indexer.store.db import Store
from indexer.store.schema import reel_clips, reels
from indexer.store.schema import videos as video_table


class ReelStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, title: str) -> Reel:
        rid = "reel:" + uuid.uuid4().hex[:10]
        now = time.time()
        with self.store.tx() as conn:
            conn.execute(reels.insert().values(id=rid, title=title, created_at=now, updated_at=now))
        return Reel(rid, title, (), now)

    def ids(self) -> list[str]:
        with self.store.tx() as conn:
            return list(conn.execute(sa.select(reels.c.id).order_by(reels.c.created_at)).scalars().all())

    def resolve(self, ref: str) -> str:
        """A reel's id from its id, a unique prefix of it, or its exact title."""
        with self.store.tx() as conn:
            rows = conn.execute(sa.select(reels.c.id, reels.c.title)).all()
        return refs.pick_one(ref, [r.id for r in rows], what="reel", listing="clipindex reel list", prefix="reel:",
                             also=[r.id for r in rows if r.title == ref])

    def get(self, rid: str) -> Reel:
        with self.store.tx() as conn:
            row = conn.execute(sa.select(reels.c.title, reels.c.updated_at).where(reels.c.id == rid)).first()
            if row is None:  # deleted since its id was read (a listing racing a delete)
                raise NotFound(f"no reel {rid!r}")
            clips = _clips(conn, rid)
        return Reel(rid, row.title, tuple(clips), row.updated_at)

    def holding(self, video_id: str) -> list[tuple[str, str, int]]:
        """The reels with clips of `video_id`: each one's id, title and how many of its clips are that video's."""
        with self.store.tx() as conn:
            rows = conn.execute(
                sa.select(reels.c.id, reels.c.title, sa.func.count())
                .join(reel_clips, reel_clips.c.reel_id == reels.c.id).where(reel_clips.c.video_id == video_id)
                .group_by(reels.c.id, reels.c.title).order_by(reels.c.id)).all()
        return [(r[0], r[1], int(r[2])) for r in rows]

    def rename(self, rid: str, title: str, seen: float | None = None) -> Reel:
        with self.store.tx() as conn:
            head = _take(conn, rid, seen, title=title)
            return Reel(rid, head.title, tuple(_clips(conn, rid)), head.updated_at)

    def delete(self, rid: str, seen: float | None = None) -> None:
        """`seen`, as for `edit`: Conflict when the reel changed since the caller read it (a stale window's delete
        took the clips another editor had added meanwhile)."""
        with self.store.tx() as conn:  # the reel's row before its clips, as `edit` takes them (else a deadlock)
            _take(conn, rid, seen)
            conn.execute(reel_clips.delete().where(reel_clips.c.reel_id == rid))
            conn.execute(reels.delete().where(reels.c.id == rid))

    def set_clips(self, rid: str, clips: Sequence[Clip]) -> Reel:
        return self.edit(rid, lambda _: list(clips))

    def edit(self, rid: str, change: Callable[[list[Clip]], list[Clip]], seen: float | None = None) -> Reel:
        """Replace the reel's clips with `change(its clips as stored now)`, in one transaction that takes the write
        lock first (a row update: on SQLite a transaction that read first could not wait for the lock later). `change`
        may raise (a position the reel no longer has) and then nothing is written. A reel or a clip's video deleted
        meanwhile is NotFound. `seen`: the reel's `updated_at` as the caller read it; Conflict when it has changed
        since (a clip named by its position in a page another editor's edit has outdated is not the clip meant).
        Returns the reel as this transaction wrote it (read after it, a delete just after could answer NotFound)."""
        try:
            with self.store.tx() as conn:
                head = _take(conn, rid, seen)
                clips = change(_clips(conn, rid))
                videos = {c.video_id for c in clips}
                held = set(conn.execute(sa.select(video_table.c.id).where(video_table.c.id.in_(videos))).scalars())
                if videos - held:
                    raise NotFound(f"no video {sorted(videos - held)[0]!r}: it was deleted")
                conn.execute(reel_clips.delete().where(reel_clips.c.reel_id == rid))
                if clips:
                    conn.execute(reel_clips.insert(), [
                        {"reel_id": rid, "position": i, "video_id": c.video_id, "start": c.start, "end": c.end,
                         "label": c.label, "origin": c.origin} for i, c in enumerate(clips, 1)])
        except sa.exc.IntegrityError as exc:  # PostgreSQL: a video deleted after the check above, before the insert
            raise NotFound("a clip's video was deleted while the reel was changed") from exc
        return Reel(rid, head.title, tuple(clips), head.updated_at)


def _clips(conn: sa.engine.Connection, rid: str) -> list[Clip]:
    rows = conn.execute(sa.select(reel_clips).where(reel_clips.c.reel_id == rid)
                        .order_by(reel_clips.c.position)).mappings().all()
    return [Clip(c["video_id"], c["start"], c["end"], c["label"], c["origin"]) for c in rows]


def _take(conn: sa.engine.Connection, rid: str, seen: float | None, **values: str) -> sa.Row[Any]:
    """Lock the reel's row by updating it (with `values`), only where its `updated_at` is still `seen` when given;
    its title and updated_at as written. NotFound for a reel gone, Conflict for one changed since the caller read
    it."""
    where = reels.c.id == rid if seen is None else (reels.c.id == rid) & (reels.c.updated_at == seen)
    row = conn.execute(reels.update().where(where).values(**values, updated_at=time.time())
                       .returning(reels.c.title, reels.c.updated_at)).first()
    if row is not None:
        return row
    if conn.execute(sa.select(reels.c.id).where(reels.c.id == rid)).first() is None:
        raise NotFound(f"no reel {rid!r}: it was deleted")
    raise Conflict("the reel was changed elsewhere (another window or editor) since it was read: read it again, "
                   "then do this again if it is still wanted")
