"""Persistent background jobs in the store: submitted by the API, taken by workers, surviving restarts.

A worker claims a job with a conditional UPDATE (only one claimant's row count is 1; on PostgreSQL the candidate row
is first locked with `FOR UPDATE SKIP LOCKED`, so concurrent workers take different jobs instead of queueing on one)
and holds a lease that a heartbeat renews. A worker that dies stops renewing; once the lease has expired another
worker takes the job again, up to `max_attempts`. The work itself is idempotent (the ingest chain skips finished
steps), so a job that was half-done when its worker died resumes rather than repeats.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Literal, get_args

import sqlalchemy as sa

from indexer.errors import Conflict, InvalidInput, NotFound
from indexer.models import Record
from indexer.store import owners
from indexer.store.db import Store
from indexer.store.schema import jobs

JobKind = Literal["ingest", "render"]
JobState = Literal["queued", "running", "done", "failed", "cancelled"]
STATES: tuple[JobState, ...] = get_args(JobState)
FINAL: tuple[JobState, ...] = ("done", "failed", "cancelled")
DETAIL_MAX = 300  # characters of a step's words kept on its job
PRUNE_EVERY_S = 3600.0  # idle workers ask for a prune every poll; the store is read once an hour at most


@dataclass(frozen=True)
class Job:
    id: str
    kind: JobKind
    payload: dict[str, Any]  # the submitted record as JSON: the worker reads it back with its kind's from_dict
    state: JobState
    step: str | None
    progress: float
    error: str | None
    result: dict[str, Any] | None
    attempts: int
    max_attempts: int
    created_at: float
    updated_at: float
    audio: AudioPosition | None = None  # while transcribing: where in the audio the job is
    lease_expires: float | None = None  # while running: when another worker may take it over, unless renewed
    detail: str | None = None  # while running: what its step is doing or waiting for, in words
    worker: str | None = None  # while running: the owner id of the worker that holds it (store/owners.py)

    @property
    def title(self) -> str:
        """The job's subject as its user knows it: an upload's own file name, a URL, a reel; never a server path."""
        if self.kind == "render":
            return f"reel {self.payload.get('reel', '')}"
        name = self.payload.get("upload_name") or str(self.payload.get("source", ""))
        return name if "://" in name or self.payload.get("upload_name") else os.path.basename(name)


@dataclass(frozen=True)
class AudioPosition:
    """Where transcription stands: seconds of audio done, in all, and an estimate of the seconds left (None until
    the rate is known)."""

    done: float
    total: float
    left: float | None = None


@dataclass(frozen=True)
class Stall:
    """A running job whose worker stopped reporting: seconds since its last report, and until it may be taken over
    (0: now, by the next free worker)."""

    silent_s: float
    takeover_s: float


class JobQueue:
    def __init__(self, store: Store, lease_s: float = 120.0, notify: Callable[[str], str | None] | None = None,
                 retention_s: float = 0.0) -> None:
        self.store = store
        self.lease_s = lease_s
        # told each new job's id once it is stored: a distributed transport sends it on, and returns the broker's id
        # of the message (None where it could not be sent), which the job keeps (`sent`)
        self.notify = notify
        self.retention_s = retention_s  # finished jobs older than this are pruned; 0 keeps them all
        self._pruned_at = 0.0

    def submit(self, kind: JobKind, payload: Record, max_attempts: int = 3) -> Job:
        now = time.time()
        job_id = uuid.uuid4().hex
        with self.store.tx() as conn:
            conn.execute(jobs.insert().values(
                id=job_id, kind=kind, payload=_json(payload), state="queued", progress=0.0, attempts=0,
                max_attempts=max_attempts, cancel=False, created_at=now, updated_at=now))
        if self.notify and (message := self.notify(job_id)) is not None:
            self.sent(job_id, message)
        return self.get(job_id)

    def sent(self, job_id: str, message: str) -> None:
        """Record the broker's id of the message just sent for the job, and when (`unsent` asks the broker about it).
        Not a change anyone sees: `updated_at` stays."""
        with self.store.tx() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(message=message, sent_at=time.time()))

    def unsent(self, idle_s: float, held: Callable[[list[str]], Collection[str]],
               waiting: Callable[[list[str]], Collection[str]], limit: int = 500) -> tuple[str, ...]:
        """The jobs a reconciler sends to the broker again, oldest first. `held` picks, from the message ids it is
        given, those the broker still has (waiting, or taken by a worker and not yet acknowledged); `waiting` those
        still waiting, taken by no worker.

        Queued jobs untouched for `idle_s`: those whose message the broker no longer holds (lost with a Redis
        restarted without its data, or taken and acknowledged by a worker that ran another job), or never sent.
        Running jobs whose lease expired (their worker died): once, with a message sent after the lease ran out
        (the dead worker's own message is spent: Dramatiq hands it back within seconds, long before the lease ends,
        and the worker that takes it finds the job still leased); then again only when the broker lost that
        message, or a worker took it and the job is still unclaimed a lease after it was sent (that worker is
        stuck, or busy with an older job). Each was sent again every round until a worker took it: one message per
        dead worker's job every 10 s. Whoever claims the job first runs it (`claim`); the others find nothing."""
        now = time.time()
        with self.store.tx() as conn:
            queued = conn.execute(sa.select(jobs.c.id, jobs.c.message).where(
                jobs.c.state == "queued", jobs.c.updated_at < now - idle_s)
                .order_by(jobs.c.created_at).limit(limit)).all()
            expired = conn.execute(sa.select(jobs.c.id, jobs.c.message, jobs.c.sent_at, jobs.c.lease_expires).where(
                jobs.c.state == "running", jobs.c.lease_expires < now).order_by(jobs.c.created_at).limit(limit)).all()
        # a message sent before the lease ran out (or before sent_at was kept, migration 10) is spent
        spent = {job_id for job_id, m, at, ends in expired if not m or at is None or at < ends}
        resent = [(job_id, m, at) for job_id, m, at, _ in expired if job_id not in spent]
        kept = set(held([m for _, m in queued if m] + [m for _, m, _ in resent]))
        overdue = [m for _, m, at in resent if m in kept and at < now - self.lease_s]
        taken = set(overdue) - set(waiting(overdue)) if overdue else set()
        return (*(job_id for job_id, m in queued if not m or m not in kept),
                *(job_id for job_id, m, _, _ in expired if job_id in spent or m not in kept or m in taken))

    def get(self, job_id: str) -> Job:
        with self.store.tx() as conn:
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().first()
        if row is None:
            raise NotFound(f"no job {job_id!r}")
        return _job(row)

    def list(self, limit: int = 50, state: str | None = None) -> list[Job]:
        query = sa.select(jobs).order_by(jobs.c.created_at.desc()).limit(limit)
        if state is not None:
            if state not in STATES:
                raise InvalidInput(f"unknown job state {state!r}: one of {', '.join(STATES)}")
            query = query.where(jobs.c.state == state)
        with self.store.tx() as conn:
            return [_job(r) for r in conn.execute(query).mappings().all()]

    def oldest_waiting(self) -> float | None:
        """When the oldest job still waiting (queued) was created; None when none waits. One query, however long
        the queue (the newest 500 of a longer one named a younger job)."""
        with self.store.tx() as conn:
            found = conn.execute(sa.select(sa.func.min(jobs.c.created_at)).where(jobs.c.state == "queued")).scalar()
        return None if found is None else float(found)

    def waiting_untouched(self, idle_s: float, limit: int = 500) -> tuple[Job, ...]:
        """Queued jobs nobody has touched for `idle_s` seconds, oldest first (a reconciler sends them again: the
        oldest must not wait behind a burst of newer ones)."""
        query = sa.select(jobs).where(jobs.c.state == "queued", jobs.c.updated_at < time.time() - idle_s) \
            .order_by(jobs.c.created_at).limit(limit)
        with self.store.tx() as conn:
            return tuple(_job(r) for r in conn.execute(query).mappings().all())

    def naming(self, video_id: str, kind: str | None = None) -> tuple[Job, ...]:
        """The finished jobs whose request or result names the video (an ingest's result, a render's clips)."""
        needle = json.dumps(video_id)
        query = sa.select(jobs).where(jobs.c.state.in_(FINAL), jobs.c.payload.contains(needle, autoescape=True)
                                      | jobs.c.result.contains(needle, autoescape=True))
        with self.store.tx() as conn:
            return tuple(_job(r) for r in conn.execute(query if kind is None else query.where(jobs.c.kind == kind))
                         .mappings().all())

    def forget(self, job_ids: Collection[str]) -> None:
        """Remove finished jobs: what they name was deleted, and a job's record kept its title and words."""
        with self.store.tx() as conn:
            conn.execute(jobs.delete().where(jobs.c.id.in_(job_ids), jobs.c.state.in_(FINAL)))

    def stalled(self, job: Job, now: float | None = None) -> Stall | None:
        """For a running job whose worker has missed two reports in a row (it renews the lease every quarter of it):
        how long it has been silent and how soon another worker takes the job over; None for any other job. Its
        progress and estimate are then the last ones reported, not a worker's current ones."""
        if job.state != "running" or job.lease_expires is None:
            return None
        now = time.time() if now is None else now
        silent = now - (job.lease_expires - self.lease_s)
        return Stall(silent, max(job.lease_expires - now, 0.0)) if silent > self.lease_s / 2 else None

    def prune(self, *, now: float | None = None, force: bool = False) -> int:
        """Remove the jobs that finished (done, failed or cancelled) longer ago than the retention, and return how
        many went: each keeps its request, result and error, so the table would otherwise grow with every upload and
        render for as long as the archive lives. At most once an hour unless `force`; never with no retention."""
        now = time.time() if now is None else now
        if self.retention_s <= 0 or (not force and now - self._pruned_at < PRUNE_EVERY_S):
            return 0
        self._pruned_at = now
        with self.store.tx() as conn:
            return conn.execute(jobs.delete().where(jobs.c.state.in_(FINAL),
                                                    jobs.c.updated_at < now - self.retention_s)).rowcount

    def cancel(self, job_id: str) -> Job:
        """A queued job is cancelled at once; a running one when its worker next reports progress."""
        job = self.get(job_id)
        if job.state in FINAL:
            raise Conflict(f"job {job_id} is already {job.state}")
        with self.store.tx() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.state == "queued")
                         .values(state="cancelled", cancel=True, updated_at=time.time()))
            conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.state == "running")
                         .values(cancel=True, updated_at=time.time()))
        return self.get(job_id)

    def claim(self, owner: str) -> Job | None:
        """Take the oldest runnable job (queued, or running with an expired lease), or None."""
        self._expire_gone()
        self.reap()
        for _ in range(5):
            now = time.time()
            runnable = sa.or_(jobs.c.state == "queued",
                              sa.and_(jobs.c.state == "running", jobs.c.lease_expires < now,
                                      jobs.c.attempts < jobs.c.max_attempts, jobs.c.cancel.is_(False)))
            with self.store.tx() as conn:
                # PostgreSQL: rows another worker is claiming right now are skipped, not waited for
                candidate = conn.execute(sa.select(jobs.c.id).where(runnable).order_by(jobs.c.created_at)
                                         .limit(1).with_for_update(skip_locked=True)).scalar()
                if candidate is None:
                    return None
                won = conn.execute(jobs.update().where(jobs.c.id == candidate, runnable).values(
                    state="running", lease_owner=owner, lease_expires=now + self.lease_s,
                    attempts=jobs.c.attempts + 1, updated_at=now, detail=None)).rowcount
            if won == 1:
                return self.get(candidate)
        return None

    def _expire_gone(self) -> None:
        """End the leases of running jobs whose worker crashed on this host: they are taken again at once."""
        now = time.time()
        with self.store.tx() as conn:
            held = conn.execute(sa.select(jobs.c.id, jobs.c.lease_owner).where(
                jobs.c.state == "running", jobs.c.lease_expires >= now)).all()
            for job_id, holder in held:
                if owners.gone(holder):
                    conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.lease_owner == holder)
                                 .values(lease_expires=now - 1))

    def reap(self) -> None:
        """Settle running jobs whose worker died: cancelled if asked, failed once out of attempts."""
        now = time.time()
        dead = sa.and_(jobs.c.state == "running", jobs.c.lease_expires < now)
        with self.store.tx() as conn:
            conn.execute(jobs.update().where(dead, jobs.c.cancel.is_(True))
                         .values(state="cancelled", lease_owner=None, updated_at=now))
            conn.execute(jobs.update().where(dead, jobs.c.attempts >= jobs.c.max_attempts).values(
                state="failed", lease_owner=None, updated_at=now,
                error=sa.func.coalesce(jobs.c.error, "its worker stopped before finishing, on every attempt")))

    def heartbeat(self, job_id: str, owner: str, progress: float | None = None, step: str | None = None,
                  audio: AudioPosition | None = None, detail: str | None = None) -> bool:
        """Renew the lease (and record progress: with a step, the position in the audio and the step's words
        replace the last ones, so a report without them clears them); False when the job was cancelled or another
        worker has it."""
        now = time.time()
        values: dict[str, Any] = {"lease_expires": now + self.lease_s, "updated_at": now}
        if progress is not None:
            values["progress"] = min(max(progress, 0.0), 1.0)
        if step is not None:
            values.update(step=step, audio_done=audio.done if audio else None,
                          audio_total=audio.total if audio else None, audio_left=audio.left if audio else None,
                          detail=detail[:DETAIL_MAX] if detail else None)
        with self.store.tx() as conn:
            mine = conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.lease_owner == owner,
                                                    jobs.c.state == "running").values(**values)).rowcount
            cancel = conn.execute(sa.select(jobs.c.cancel).where(jobs.c.id == job_id)).scalar()
        return mine == 1 and not cancel

    def finish(self, job_id: str, owner: str, state: JobState, *, result: Record | None = None,
               error: str | None = None) -> None:
        with self.store.tx() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.lease_owner == owner).values(
                state=state, error=error, result=_json(result) if result is not None else None,
                progress=1.0 if state == "done" else jobs.c.progress, lease_owner=None, lease_expires=None,
                updated_at=time.time()))

    def hand_back(self, job_id: str, owner: str) -> None:
        """Give a job back to the queue, and its attempt with it, where its worker stops (a restart's SIGTERM): each
        stop spent an attempt and left the job running until its lease ran out, so three routine restarts during one
        long recognition failed a healthy job and swept its upload. Its finished steps stay done."""
        with self.store.tx() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.lease_owner == owner,
                                             jobs.c.state == "running").values(
                state="queued", attempts=sa.case((jobs.c.attempts > 0, jobs.c.attempts - 1), else_=0),
                lease_owner=None, lease_expires=None, updated_at=time.time()))

    def release(self, job_id: str, owner: str, error: str) -> None:
        """Give a job back to the queue after a failure that may pass (it is retried up to max_attempts)."""
        with self.store.tx() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.lease_owner == owner).values(
                state=sa.case((jobs.c.attempts >= jobs.c.max_attempts, "failed"), else_="queued"),
                error=error, lease_owner=None, lease_expires=None, updated_at=time.time()))


def _json(record: Record) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False)


def _job(row: Any) -> Job:
    return Job(row["id"], row["kind"], json.loads(row["payload"]), row["state"], row["step"], row["progress"],
               row["error"], json.loads(row["result"]) if row["result"] else None, row["attempts"],
               row["max_attempts"], row["created_at"], row["updated_at"],
               AudioPosition(row["audio_done"], row["audio_total"], row["audio_left"])
               if row["audio_done"] is not None and row["audio_total"] is not None else None,
               row["lease_expires"] if row["state"] == "running" else None,
               row["detail"] if row["state"] == "running" else None,
               row["lease_owner"] if row["state"] == "running" else None)
