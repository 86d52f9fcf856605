"""Probes for a supervisor or a load balancer: `/healthz` (the process answers) and `/readyz` (it can do its work:
the store answers, the search index opens and its last commit did not fail, and the worker threads it started are
alive). Neither needs a key, and neither says more than what failed: a probe is often reachable from outside."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import Service

if TYPE_CHECKING:
    from indexer.service import Clipindex

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/healthz", summary="The process answers (liveness)")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The server can do its work (readiness): 503 with what failed when not",
            responses={503: {"description": "not ready: `checks` names what failed"}})
def readyz(request: Request, service: Service) -> JSONResponse:
    store, since = _oldest_waiting(service)  # the store's check is this read of the waiting jobs
    checks = {"store": store, "index": _index(service),
              "workers": _workers(getattr(request.app.state, "workers", []))}
    ready = all(v == "ok" for v in checks.values())
    oldest = round(time.time() - since, 1) if since is not None else None
    body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": checks,
                            "read_only": service.store.read_only, "oldest_queued_s": oldest}
    return JSONResponse(body, status_code=200 if ready else 503)


def _oldest_waiting(service: Clipindex) -> tuple[str, float | None]:
    """"ok" and when the oldest queued job was created (None: none waits), or why the store cannot be read."""
    try:
        return "ok", service.jobs.oldest_waiting()
    except Exception as exc:  # noqa: BLE001 - any failure to read the store makes the server unready
        log.warning("readiness: the store cannot be read", exc_info=True)
        return f"cannot be read ({type(exc).__name__})", None


def _index(service: Clipindex) -> str:
    try:
        backend = service.index.backend
    except Exception as exc:  # noqa: BLE001 - as above, for the index
        log.warning("readiness: the search index cannot be opened", exc_info=True)
        return f"cannot be opened ({type(exc).__name__})"
    failing = getattr(backend, "failing", None)
    return f"its last commit failed ({failing}): new videos are not searchable yet" if failing else "ok"


def _workers(threads: list[threading.Thread]) -> str:
    dead = [t.name for t in threads if not t.is_alive()]
    return f"stopped: {', '.join(dead)}" if dead else "ok"
