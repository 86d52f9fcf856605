"""Background jobs: state, progress, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AnyCase, ReadAccess, Service, WriteKey
from api.routes.videos import ERRORS, job_out
from api.schemas import JobOut
from indexer.store.jobs import JobState

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("", response_model=list[JobOut], responses=ERRORS)
def list_jobs(service: Service, _read: ReadAccess, state: Annotated[JobState | None, AnyCase, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=500, description="The newest this many.")] = 50) -> list[JobOut]:
    return [job_out(j, service.jobs) for j in service.jobs.list(limit, state)]


@router.get("/{job_id}", response_model=JobOut, responses=ERRORS)
def get_job(job_id: str, service: Service, _read: ReadAccess) -> JobOut:
    return job_out(service.jobs.get(job_id), service.jobs)


@router.delete("/{job_id}", response_model=JobOut, responses=ERRORS)
def cancel_job(job_id: str, service: Service, _key: WriteKey) -> JobOut:
    return job_out(service.jobs.cancel(job_id), service.jobs)
