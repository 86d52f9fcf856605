"""A lease kept by a thread of its holder while the holder works: an ingest's claim of its video (`claims.Held`), a
step's lease while the step runs (`ingest.context`). Work that says nothing to the store for longer than its lease
(an hour's recognition, the chapters of a long programme on a loaded machine) was otherwise taken for dead."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa

log = logging.getLogger(__name__)


@contextmanager
def renewed(renew: Callable[[], bool], every_s: float, name: str) -> Iterator[None]:
    """Call `renew` every `every_s` seconds in a thread of its own while the block runs, until it returns False (the
    lease is no longer the holder's: cancelled, taken over or released); a store out of reach for a moment is tried
    again at the next turn."""
    stop = threading.Event()

    def turns() -> None:
        while not stop.wait(every_s):
            try:
                if not renew():
                    return
            except sa.exc.SQLAlchemyError:
                log.warning("could not renew the lease of %s; trying again in %.1f s", name, every_s, exc_info=True)

    keeper = threading.Thread(target=turns, name=name, daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()
