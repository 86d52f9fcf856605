"""FastAPI dependencies, declared once as Annotated aliases: the service, and API-key checks for writes and reads.

Writes take only `Authorization: Bearer <key>`. Reads, when they need a key at all, take that or the read pass the
page keeps in a cookie (PASS_COOKIE, indexer/store/passes.py), which is what lets `<video>` and `<img>` load.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, NamedTuple, TypeVar

from fastapi import Depends, HTTPException, Query, Request, Response
from pydantic import BeforeValidator

from indexer.service import Clipindex
from indexer.store.keys import ApiKey
from indexer.store.passes import ReadPasses


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


# a choice among names (a format, a state) read whatever its case ("VTT", as a file's extension is often written);
# a name outside the choice is a 422 that lists the names, on every endpoint alike
AnyCase = BeforeValidator(_lower)

PASS_COOKIE = "clipindex_read"


def get_service(request: Request) -> Clipindex:
    service: Clipindex = request.app.state.service
    return service


Service = Annotated[Clipindex, Depends(get_service)]
T = TypeVar("T")


class Page(NamedTuple):
    """Which part of a listing a client asks for: the whole of it unless it names a limit."""

    limit: int | None
    offset: int

    def of(self, items: Sequence[T], response: Response) -> list[T]:
        """The page of `items` (listed oldest first, so pages stay put as items are added), with the whole count in
        `X-Total-Count`."""
        response.headers["X-Total-Count"] = str(len(items))
        return list(items[self.offset:None if self.limit is None else self.offset + self.limit])

    def counted(self, page: Sequence[T], total: int, response: Response) -> list[T]:
        """A page the store read itself (`limit` and `offset` in its query), with the whole count."""
        response.headers["X-Total-Count"] = str(total)
        return list(page)


OFFSET_MAX = 1_000_000_000  # a listing's offset: past any archive, and within what a database's OFFSET takes


def _page(limit: Annotated[int | None, Query(ge=1, le=1000, description="At most this many (default: all).")] = None,
          offset: Annotated[int, Query(ge=0, le=OFFSET_MAX, description="Skip this many first.")] = 0) -> Page:
    return Page(limit, offset)


Paging = Annotated[Page, Depends(_page)]


def _presented(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_key(request: Request, service: Service) -> ApiKey:
    token = _presented(request)
    if token is None:
        raise HTTPException(401, "an API key is required: send 'Authorization: Bearer <key>'",
                            headers={"WWW-Authenticate": "Bearer"})
    key = service.keys.verify(token)
    if key is None:
        raise HTTPException(401, "the API key is not valid (unknown or revoked)",
                            headers={"WWW-Authenticate": "Bearer"})
    return key


def get_passes(request: Request) -> ReadPasses:
    passes: ReadPasses = request.app.state.passes
    return passes


Passes = Annotated[ReadPasses, Depends(get_passes)]


def read_access(request: Request, service: Service, passes: Passes) -> ApiKey | None:
    if not service.settings.read_auth:
        return None
    token = request.cookies.get(PASS_COOKIE)
    if _presented(request) is not None or token is None:
        return require_key(request, service)
    key = passes.verify(token)
    if key is None:
        raise HTTPException(401, "the read pass has expired or is not valid: enter the API key again",
                            headers={"WWW-Authenticate": "Bearer"})
    return key


WriteKey = Annotated[ApiKey, Depends(require_key)]
ReadAccess = Annotated[ApiKey | None, Depends(read_access)]
