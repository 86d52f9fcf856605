"""One coordinator a video: the process that runs a video's ingest chain holds its claim while it does.

Two ingests of one video at once (two terminals, two jobs, two machines sharing a store and a broker) each ran the
chain: without a broker the step leases kept the work to one of them, but both wrote their ingest options, the second
over the first's while its steps read them; with a broker both sent each step, and both said "ingested". Now an
ingest takes the video's claim first, before it writes anything of the video. The claim is a row with its holder's
owner id and a lease that a thread of the holder renews (`Held`) until the chain ends; a second ingest waits for the
row to be released, then finds the steps done, or runs what is left. A holder that crashed on this host is taken
over at once (`owners.gone`); one on another host when its lease has run out.
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack

import sqlalchemy as sa

from indexer.store import owners
from indexer.store.db import Store
from indexer.store.dialect import insert_missing
from indexer.store.renewal import renewed
from indexer.store.schema import ingest_claims as claims

log = logging.getLogger(__name__)


def take(store: Store, video_id: str, owner: str, lease_s: float) -> str | None:
    """Take the video's claim for `lease_s`: None when `owner` holds it now, else the owner id of the live process
    that does (one winner: a conditional UPDATE of one row)."""
    key = claims.c.video_id == video_id
    while True:
        now = time.time()
        with store.tx() as conn:
            insert_missing(conn, claims, {"video_id": video_id, "owner": "", "expires": 0.0})
            free = sa.or_(claims.c.expires < now, claims.c.owner == owner)
            if conn.execute(claims.update().where(key, free).values(owner=owner, expires=now + lease_s)).rowcount:
                return None
            holder = conn.execute(sa.select(claims.c.owner).where(key)).scalar()
            if holder is not None and owners.gone(holder) and conn.execute(claims.update().where(
                    key, claims.c.owner == holder).values(owner=owner, expires=now + lease_s)).rowcount:
                return None
        if holder is not None:  # None: released between two statements (PostgreSQL reads each one's own snapshot)
            return str(holder)


def renew(store: Store, video_id: str, owner: str, lease_s: float) -> bool:
    """Extend the owner's claim; False when it no longer holds it (its lease ran out and another took it)."""
    with store.tx() as conn:
        return bool(conn.execute(claims.update().where(claims.c.video_id == video_id, claims.c.owner == owner)
                                 .values(expires=time.time() + lease_s)).rowcount)


def release(store: Store, video_id: str, owner: str) -> None:
    with store.tx() as conn:
        conn.execute(claims.delete().where(claims.c.video_id == video_id, claims.c.owner == owner))


class Held:
    """A claim taken: renewed every third of its lease by a thread of its own (a step may run for an hour without a
    word to the store from this thread), and released on `close`."""

    def __init__(self, store: Store, video_id: str, owner: str, lease_s: float) -> None:
        self.store, self.video_id, self.owner, self.lease_s = store, video_id, owner, lease_s
        self._renewal = ExitStack()
        self._renewal.enter_context(renewed(lambda: renew(store, video_id, owner, lease_s), lease_s / 3,
                                            f"claim {video_id}"))

    def close(self) -> None:
        """Stop renewing and release the claim; a store that cannot be reached now leaves it to run out (an error
        here would hide the ingest's own)."""
        self._renewal.close()
        try:
            release(self.store, self.video_id, self.owner)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("the ingest claim of %s was not released (%s): it runs out in %.0f s", self.video_id,
                        type(exc).__name__, self.lease_s)
