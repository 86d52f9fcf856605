"""The page's read pass: POST trades the API key for a pass kept in an HttpOnly, SameSite=Strict cookie, so that the
browser's own requests for media, frames and downloads (which cannot carry a header) may read when reads need a key;
DELETE drops it. The pass grants reads only (api/deps.py)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from api.deps import PASS_COOKIE, Passes, WriteKey
from api.routes.videos import ERRORS

router = APIRouter(prefix="/v1/session", tags=["session"])


class SessionOut(BaseModel):
    expires: float  # seconds since the epoch
    read_auth: bool  # whether this server asks a key for reads (when not, the pass is simply never needed)


@router.post("", response_model=SessionOut, responses=ERRORS)
def open_session(request: Request, response: Response, key: WriteKey, passes: Passes) -> SessionOut:
    token, expires = passes.issue(key)
    response.set_cookie(PASS_COOKIE, token, max_age=int(expires - time.time()), path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return SessionOut(expires=expires, read_auth=request.app.state.service.settings.read_auth)


@router.delete("", status_code=204, responses=ERRORS)
def close_session(response: Response) -> Response:
    response.delete_cookie(PASS_COOKIE, path="/", httponly=True, samesite="strict")
    response.status_code = 204
    return response
