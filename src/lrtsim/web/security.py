"""What a write request must pass: it comes from this service's own pages or from no browser
page at all (a request with another site's Origin is 403), and it carries the token when the
service has one (401)."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lrtsim.web.problems import ApiError

bearer = HTTPBearer(auto_error=False, description="The token `lrtsim serve --token` was given.")


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """403 for a write from another site's page (`same_origin`); then 401 unless the service
    has no token or the request carries it as a bearer token (compared in constant time)."""
    same_origin(request)
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


def same_origin(request: Request) -> None:
    """403 when a browser says the request comes from a page of another origin (its `Origin`
    header names another host than the request's `Host`): without a token, any site a user
    visits could otherwise post runs and scenarios to a service on their loopback."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    if urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
        raise ApiError(
            403,
            f"a write from a page of another site ({origin[:100]}) is refused: use this "
            "service's own dashboard, or a client that is not a browser page",
        )
