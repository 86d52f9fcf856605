"""A job's position in the audio while it transcribes has columns of its own (migration 8), on SQLite and on
PostgreSQL (the `store_url` fixture runs each test on both): written with the heartbeat, cleared by the next step, and
converted from the `transcript@DONE/TOTAL/LEFT` text that older versions wrote into the step column."""

from __future__ import annotations

import sqlalchemy as sa

from indexer.ingest.types import IngestJob
from indexer.store.db import Store
from indexer.store.jobs import DETAIL_MAX, AudioPosition, JobQueue
from indexer.store.schema import MIGRATIONS, jobs, schema_version
from tests.servers import new_database, postgres, store_url  # noqa: F401 - fixtures


def test_the_audio_position_is_stored_with_the_step_and_cleared_after_it(store_url: str) -> None:  # noqa: F811
    queue = JobQueue(Store(store_url))
    job = queue.submit("ingest", IngestJob("/x.wav"))
    assert job.audio is None
    claimed = queue.claim("w1")
    assert claimed is not None and claimed.id == job.id
    assert queue.heartbeat(job.id, "w1", 0.4, "transcript", AudioPosition(12.5, 45.0, None))
    assert (queue.get(job.id).step, queue.get(job.id).audio) == ("transcript", AudioPosition(12.5, 45.0, None))
    assert queue.heartbeat(job.id, "w1", 0.6, "transcript", AudioPosition(30.0, 45.0, 14.0))
    assert queue.get(job.id).audio == AudioPosition(30.0, 45.0, 14.0)
    assert queue.heartbeat(job.id, "w1")  # a bare lease renewal keeps the position
    assert queue.get(job.id).audio == AudioPosition(30.0, 45.0, 14.0)
    assert queue.heartbeat(job.id, "w1", 0.9, "chapters")
    assert (queue.get(job.id).step, queue.get(job.id).audio) == ("chapters", None)


def test_the_steps_words_are_kept_until_the_next_report_and_cut_to_a_line(store_url: str) -> None:  # noqa: F811
    queue = JobQueue(Store(store_url))
    job = queue.submit("ingest", IngestJob("/x.wav"))
    assert queue.claim("w1") is not None and queue.get(job.id).detail is None
    assert queue.heartbeat(job.id, "w1", 0.0, "fetch", None, "another process on host-b is ingesting this video")
    assert queue.get(job.id).detail == "another process on host-b is ingesting this video"
    assert queue.heartbeat(job.id, "w1")  # a bare lease renewal keeps them
    assert queue.get(job.id).detail == "another process on host-b is ingesting this video"
    assert queue.heartbeat(job.id, "w1", 0.1, "audio", None, "x" * 5000)
    assert queue.get(job.id).detail == "x" * DETAIL_MAX
    assert queue.heartbeat(job.id, "w1", 0.2, "transcript", AudioPosition(1.0, 45.0))
    assert queue.get(job.id).detail is None, "a report without words clears the last ones"
    assert queue.heartbeat(job.id, "w1", 0.2, "transcript", None, "waiting on the asr queue")
    queue.finish(job.id, "w1", "done")
    assert queue.get(job.id).detail is None, "a finished job waits for nothing"


def test_steps_written_by_older_versions_are_converted(store_url: str) -> None:  # noqa: F811
    store = Store(store_url)
    queue = JobQueue(store)
    ids = [queue.submit("ingest", IngestJob(f"/x{n}.wav")).id for n in range(4)]
    with store.tx() as conn:  # the store as version 7 left it: no columns, the position inside the step
        for name in ("audio_done", "audio_total", "audio_left", "message", "sent_at"):  # migrations 9 and 10's
            conn.execute(sa.text(f"ALTER TABLE jobs DROP COLUMN {name}"))
        conn.execute(schema_version.delete().where(schema_version.c.version >= 8))
        for job_id, step in zip(ids, ["transcript@12.5/45.0/-1", "transcript@30.0/45.0/14", "chapters",
                                      "transcript@broken"], strict=True):
            conn.execute(sa.text("UPDATE jobs SET step = :step WHERE id = :id"), {"step": step, "id": job_id})
    upgraded = JobQueue(Store(store_url))
    assert [(j.step, j.audio) for j in map(upgraded.get, ids)] == [
        ("transcript", AudioPosition(12.5, 45.0, None)), ("transcript", AudioPosition(30.0, 45.0, 14.0)),
        ("chapters", None), ("transcript", None)]
    with upgraded.store.tx() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(jobs).where(jobs.c.step.like("%@%"))).scalar() == 0
        assert conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() == len(MIGRATIONS)
