"""The `jobs` reconciler of `clipindex worker --queues jobs` against a real Redis, on SQLite and on PostgreSQL (the
`store_url` fixture runs each test on both): a queued job is sent again only when the broker lost its message; a job
whose worker died is sent again once, and again only when that message is lost or a worker sat on it for a lease;
the message a job was sent with (migration 9) and when (migration 10) are kept in the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

pytest.importorskip("dramatiq", reason="the multi-machine extra: pip install -e '.[scale]' (or run .ci/setup)")

from api.queues import RECONCILE_S, reconcile  # noqa: E402 - after the skip above
from indexer.config import Settings
from indexer.distributed import transport
from indexer.ingest.types import IngestJob
from indexer.service import Clipindex
from indexer.store.db import Store
from indexer.store.jobs import Job
from indexer.store.schema import MIGRATIONS, jobs, schema_version
from tests.conftest import settings_for
from tests.servers import Server, new_database, postgres, redis_server, store_url  # noqa: F401 - fixtures

QUEUE = f"{transport.NAMESPACE}:jobs"


@pytest.fixture
def broker_settings(tmp_path: Path, store_url: str, redis_server: Server) -> Iterator[Settings]:  # noqa: F811
    settings = settings_for(tmp_path, database_url=store_url, broker_url=redis_server.url.rsplit("/", 1)[0] + "/15")
    client = transport.broker(settings).client
    client.flushdb()  # a Redis database of its own, emptied: the queue's length is ours
    yield settings
    client.flushdb()  # and left empty for tests/test_dist.py's workers, which may be given the same database


def _untouched(service: Clipindex) -> None:
    """As if every job had waited longer than the reconciler's idle time."""
    with service.store.tx() as conn:
        conn.execute(jobs.update().values(updated_at=jobs.c.updated_at - 6 * RECONCILE_S))


def test_a_waiting_job_is_sent_again_only_once_the_broker_lost_its_message(broker_settings: Settings) -> None:
    """Every queued job was sent again every round (10 s), held or not: a playlist of 500 videos waiting on a few
    workers grew the `jobs` queue by 500 messages every 10 s (3,000 after five rounds, bench/job_resends.py)."""
    service = Clipindex(broker_settings)
    client = transport.broker(broker_settings).client
    ids = [service.jobs.submit("ingest", IngestJob(f"/media/item{n}.wav")).id for n in range(6)]
    assert client.llen(QUEUE) == 6
    _untouched(service)
    assert [reconcile(service) for _ in range(4)] == [0, 0, 0, 0]
    assert client.llen(QUEUE) == 6, "one message a job, however many rounds"
    client.flushdb()  # Redis restarted without its data: every message lost
    assert reconcile(service) == 6 and client.llen(QUEUE) == 6
    assert reconcile(service) == 0 and client.llen(QUEUE) == 6, "sent once, then held again"
    taken = client.rpop(QUEUE)  # taken and acknowledged by a worker that ran another job (a message is a nudge)
    client.hdel(f"{QUEUE}.msgs", taken)
    assert reconcile(service) == 1 and client.llen(QUEUE) == 6
    messages = _messages(service)
    sent = [m for m in messages.values() if m is not None]
    assert set(messages) == set(ids) and len(sent) == len(ids)
    assert transport.held_of(broker_settings, "jobs", sent) == set(sent), "each job's latest message is held"


def test_a_job_whose_worker_died_is_sent_again_once_not_every_round(broker_settings: Settings) -> None:
    """It was sent again every round (10 s) until a worker took it: 5 rounds, 5 messages, for each dead worker's
    job. Whoever then claims it runs it; its old worker, were it only slow, finds the job gone at its next report."""
    service = Clipindex(broker_settings)
    client = transport.broker(broker_settings).client
    job = _died(service, broker_settings)
    assert client.llen(QUEUE) == 1  # its first message, still held by the dead worker until Dramatiq hands it back
    assert [reconcile(service) for _ in range(5)] == [1, 0, 0, 0, 0]
    assert client.llen(QUEUE) == 2, "one message for the loss, however many rounds"
    taken = service.jobs.claim("worker-that-took-the-message")
    assert taken is not None and taken.id == job.id and taken.attempts == 2
    assert not service.jobs.heartbeat(job.id, "worker-on-another-host"), "the old worker is told to stop"
    assert service.jobs.claim("a-third-worker") is None
    assert reconcile(service) == 0


def test_a_message_sent_for_a_dead_workers_job_and_lost_is_sent_again(broker_settings: Settings) -> None:
    service = Clipindex(broker_settings)
    client = transport.broker(broker_settings).client
    _died(service, broker_settings)
    assert reconcile(service) == 1 and reconcile(service) == 0
    client.flushdb()  # Redis restarted without its data: the message sent for the loss is lost too
    assert [reconcile(service) for _ in range(3)] == [1, 0, 0] and client.llen(QUEUE) == 1
    first = client.rpop(QUEUE)  # taken and acknowledged by a worker that claimed an older job with it
    client.hdel(f"{QUEUE}.msgs", first)
    assert [reconcile(service) for _ in range(3)] == [1, 0, 0] and client.llen(QUEUE) == 1


def test_a_message_for_a_dead_workers_job_that_a_worker_sits_on_is_sent_again_after_a_lease(
        broker_settings: Settings) -> None:
    """A worker took the message and, a lease later, has not claimed the job (stuck, or busy with an older one):
    one more message. One that still waits on the queue (every worker busy) is not sent again, however long."""
    service = Clipindex(broker_settings)
    client = transport.broker(broker_settings).client
    _died(service, broker_settings)
    assert reconcile(service) == 1
    while client.llen(QUEUE):  # a worker takes both messages (the spent one, the new one) and claims nothing
        client.sadd(f"{transport.NAMESPACE}:__acks__.stuck-worker.jobs", client.lpop(QUEUE))
    assert [reconcile(service) for _ in range(3)] == [0, 0, 0], "held within its lease"
    _age(service, broker_settings.lease_s + 1)
    assert [reconcile(service) for _ in range(3)] == [1, 0, 0] and client.llen(QUEUE) == 1
    _age(service, 5 * broker_settings.lease_s)
    assert [reconcile(service) for _ in range(3)] == [0, 0, 0], "a message still waiting is not sent again"
    assert client.llen(QUEUE) == 1


def test_a_job_submitted_while_the_broker_was_away_is_sent_by_the_reconciler(broker_settings: Settings,
                                                                            tmp_path: Path) -> None:
    away = Clipindex(settings_for(tmp_path, database_url=broker_settings.database_url,
                                  broker_url="redis://127.0.0.1:1/0"))  # nothing listens there
    job = away.jobs.submit("ingest", IngestJob("/media/item.wav"))  # stored; its message could not be sent
    assert _messages(away) == {job.id: None}
    service = Clipindex(broker_settings)
    _untouched(service)
    assert reconcile(service) == 1 and transport.broker(broker_settings).client.llen(QUEUE) == 1
    assert reconcile(service) == 0


def test_a_store_from_before_gets_the_message_columns(store_url: str) -> None:  # noqa: F811 - fixture
    store = Store(store_url)
    with store.tx() as conn:  # the store as schema 8 left it
        conn.execute(sa.text("ALTER TABLE jobs DROP COLUMN message"))
        conn.execute(sa.text("ALTER TABLE jobs DROP COLUMN sent_at"))
        conn.execute(schema_version.delete().where(schema_version.c.version >= 9))
    upgraded = Store(store_url)
    assert upgraded.schema_version() == len(MIGRATIONS)
    with upgraded.engine.connect() as conn:
        assert {"message", "sent_at"} <= {c["name"] for c in sa.inspect(conn).get_columns("jobs")}


def test_a_dead_workers_job_from_a_store_before_migration_10_is_sent_once(broker_settings: Settings) -> None:
    service = Clipindex(broker_settings)
    job = _died(service, broker_settings)
    with service.store.tx() as conn:  # the store as schema 9 left it: the message, not when it was sent
        conn.execute(sa.text("ALTER TABLE jobs DROP COLUMN sent_at"))
        conn.execute(schema_version.delete().where(schema_version.c.version >= 10))
    upgraded = Clipindex(broker_settings)
    assert upgraded.store.schema_version() == len(MIGRATIONS)
    assert [reconcile(upgraded) for _ in range(3)] == [1, 0, 0]
    assert upgraded.jobs.claim("another-worker") is not None and upgraded.jobs.get(job.id).attempts == 2


def _died(service: Clipindex, settings: Settings) -> Job:
    """A job claimed by a worker on another host that then died: its lease ran out a while ago."""
    job = service.jobs.submit("ingest", IngestJob("/media/item.wav"))
    claimed = service.jobs.claim("worker-on-another-host")
    assert claimed is not None and claimed.id == job.id
    _age(service, settings.lease_s + 2 * RECONCILE_S)
    return job


def _age(service: Clipindex, seconds: float) -> None:
    """As if `seconds` had passed since every job's times were written."""
    times = [name for name in ("created_at", "updated_at", "lease_expires", "sent_at") if name in jobs.c]
    with service.store.tx() as conn:
        conn.execute(jobs.update().values({name: jobs.c[name] - seconds for name in times}))


def _messages(service: Clipindex) -> dict[str, str | None]:
    with service.store.tx() as conn:
        return {job_id: message for job_id, message in conn.execute(sa.select(jobs.c.id, jobs.c.message))}
