"""FastAPI dependencies, declared once as Annotated aliases: the service, and API-key checks for writes and reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from indexer.service import Clipindex
from indexer.store.keys import ApiKey


def get_service(request: Request) -> Clipindex:
    service: Clipindex = request.app.state.service
    return service


Service = Annotated[Clipindex, Depends(get_service)]


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


def read_access(request: Request, service: Service) -> ApiKey | None:
    return require_key(request, service) if service.settings.read_auth else None


WriteKey = Annotated[ApiKey, Depends(require_key)]
ReadAccess = Annotated[ApiKey | None, Depends(read_access)]
