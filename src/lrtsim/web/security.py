"""The token that write requests must carry when the service has one."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lrtsim.web.problems import ApiError

bearer = HTTPBearer(auto_error=False, description="The token `lrtsim serve --token` was given.")


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """401 unless the service has no token or the request carries it as a bearer token
    (compared in constant time)."""
    token: str | None = request.app.state.settings.token
    if token is None:
        return
    given = "" if credentials is None else credentials.credentials
    if (
        credentials is None
        or credentials.scheme.lower() != "bearer"
        or not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))
    ):
        raise ApiError(
            401,
            "this service needs its token: send Authorization: Bearer TOKEN",
            headers={"WWW-Authenticate": "Bearer"},
        )
