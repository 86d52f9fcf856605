"""The FastAPI app: versioned JSON API over the one service, the web page, and background workers.

Errors are translated once, through ERROR_STATUS; anything unexpected becomes a plain 500 with no stack trace.
"""

from __future__ import annotations

import errno
import importlib.util
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.routes import articles, chapters, health, jobs, media, reels, search, session, videos
from api.worker import Worker
from indexer.config import Settings
from indexer.errors import (
    ClipindexError,
    Conflict,
    EngineUnavailable,
    IndexBusy,
    InvalidInput,
    ModelError,
    NotFound,
    ReadOnlyArchive,
    unreachable,
)
from indexer.service import Clipindex
from indexer.store.files import sweep_partials, sweep_render_work
from indexer.store.passes import ReadPasses
from media.errors import MediaError
from media.render import WORK_PREFIX

log = logging.getLogger("clipindex.api")
WEB = Path(__file__).parent / "web"
# Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes) as the fastapi-offline package ships it
DOCS_ASSETS = Path(importlib.util.find_spec("fastapi_offline").origin or "").parent / "static"  # type: ignore[union-attr]
# the one table from domain errors to HTTP statuses: the first class that matches wins
ERROR_STATUS: list[tuple[type[BaseException], int]] = [
    (NotFound, 404), (InvalidInput, 400), (Conflict, 409), (ModelError, 503), (EngineUnavailable, 503),
    (IndexBusy, 503), (ReadOnlyArchive, 503), (ClipindexError, 400), (MediaError, 400),
]
SMALL_BODY = 1 << 20  # JSON requests
UNREACHABLE_RETRY_S = 10  # Retry-After when the store or the broker is down
Message = MutableMapping[str, Any]


class TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


class BodyLimit:
    """Refuse a body past its limit as soon as it is exceeded: by Content-Length at once, else while streaming."""

    def __init__(self, app: Any, upload_limit: int) -> None:
        self.app = app
        self.upload_limit = upload_limit

    async def __call__(self, scope: Message, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"] == "/v1/videos" else SMALL_BODY
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await JSONResponse({"error": TooLarge(limit).detail}, 413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge(limit)
            return message

        await self.app(scope, counted, send)


def create_app(settings: Settings, *, service: Clipindex | None = None, workers: int = 0) -> FastAPI:
    svc = service or Clipindex(settings)
    stop = threading.Event()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if svc.store.read_only:  # a read-only share or a mounted backup: nothing in the background may write it
            log.warning("the archive in %s cannot be written: it is served for reading as it is; ingests, edits "
                        "and jobs are refused", svc.settings.data_dir)
            yield
            return
        for path in sweep_partials(svc.settings.data_dir / "uploads"):  # uploads a killed server was writing
            log.info("removed %s, left part-written by a server that is gone", path.name)
        for path in sweep_render_work(svc.settings.data_dir / "renders", WORK_PREFIX):  # a killed server's renders
            log.info("removed %s, a render's work left by a server that is gone", path.name)
        # the index is a projection of the store: make it match, in the background, so the server answers at once
        # (searches meanwhile see the index as it was, which is complete for every video it holds)
        threads = [threading.Thread(target=_reconcile, args=(svc,), daemon=True, name="reconcile")]
        _app.state.workers = [threading.Thread(target=Worker(svc).run, args=(stop,), daemon=True,
                                               name=f"worker-{i}") for i in range(workers)]  # /readyz checks them
        threads += _app.state.workers
        for t in threads:
            t.start()
        yield
        stop.set()
        for t in threads:
            t.join(timeout=5)
        # uvicorn re-raises SIGTERM once it has shut down, so no exit handler of this process runs: what the index
        # holds for its next commit is committed, and the store's WAL written into its file, here
        try:
            svc.index.backend.flush()
        except Exception:  # noqa: BLE001 - the store has it: the next start's reconcile adds it
            log.exception("the index's last commit failed at shutdown")
        svc.store.close()

    app = FastAPI(title="clipindex", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Search video reports by quote, link them to articles, and assemble highlights.")
    _docs(app)
    app.state.service = svc
    app.state.passes = ReadPasses(settings.data_dir, svc.keys)
    for router in (videos.router, jobs.router, media.router, search.router, chapters.router, articles.router,
                   reels.router, session.router, health.router):
        app.include_router(router)
    _errors(app)
    app.add_middleware(BodyLimit, upload_limit=int(settings.max_upload_mb * 1024 * 1024))

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(("/docs", "/redoc")):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data: https://i.ytimg.com; media-src 'self'; "
                "frame-src https://www.youtube-nocookie.com https://www.youtube.com; style-src 'self'; "
                "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")
        return response

    if WEB.is_dir():
        app.mount("/static", StaticFiles(directory=WEB), name="static")

        @app.get("/", include_in_schema=False)
        def index() -> FileResponse:
            return FileResponse(WEB / "index.html")

    return app


def _docs(app: FastAPI) -> None:
    """Swagger UI from files installed with the package, so /docs works with no internet."""
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="clipindex API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png")


def _reconcile(svc: Clipindex) -> None:
    try:
        svc.index.reconcile()
    except Exception:  # noqa: BLE001 - the server keeps serving; the next start or `clipindex reindex` retries
        log.exception("reconciling the search index with the store failed")


def _errors(app: FastAPI) -> None:
    def status_for(exc: BaseException) -> int:
        return next(code for cls, code in ERROR_STATUS if isinstance(exc, cls))

    async def domain(_request: Request, exc: Exception) -> JSONResponse:
        # "try again shortly": a client (or a proxy) may retry after this many seconds
        retry = {"Retry-After": str(IndexBusy.retry_after_s)} if isinstance(exc, IndexBusy) else None
        return JSONResponse({"error": str(exc)}, status_for(exc), headers=retry)

    async def http(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=exc.headers)

    async def validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return JSONResponse({"error": f"{where}: {first.get('msg')}" if where else str(first.get("msg"))}, 422)

    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        away = unreachable(exc)
        if away:  # the store or the broker is down: the client may try again, and is told why
            log.warning("%s", away)
            return JSONResponse({"error": away}, 503, headers={"Retry-After": str(UNREACHABLE_RETRY_S)})
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):  # an upload, a render's folder
            log.error("the disk is full: %s", exc)  # the operator's log names the file; the caller gets no path
            return JSONResponse({"error": "the server's disk is full: nothing was kept; try again once space has "
                                          "been freed"}, 507)
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse({"error": "internal error"}, 500)

    for cls in (ClipindexError, MediaError):
        app.add_exception_handler(cls, domain)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
    # the store's and the broker's errors by their own classes: Starlette answers a handler of Exception itself and
    # then raises the error again, for the server to log: 190 lines of traceback for each request while the store
    # was down, after the one-line warning
    for driver in [*_driver_errors(), OSError]:  # OSError: a full disk answers 507, not a dropped connection
        app.add_exception_handler(driver, unexpected)
    app.add_exception_handler(Exception, unexpected)


def _driver_errors() -> list[type[Exception]]:
    """The store's driver errors, and the broker's where its client is installed (the `scale` extra)."""
    from sqlalchemy.exc import DBAPIError  # deferred: SQLAlchemy is already loaded by the store when a server runs

    errors: list[type[Exception]] = [DBAPIError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError  # deferred: an optional package
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:
        return errors
    return [*errors, RedisConnectionError, RedisTimeoutError]
