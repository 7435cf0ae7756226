"""Request bodies with a size limit: on every route (`BodyLimit`, told or counted as the body
arrives, chunked or not), and an upload's as the text of one TOML file (raw, or the `file` part
of a multipart form)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lrtsim.web.problems import ApiError, problem_response


def too_large(limit_bytes: int) -> ApiError:
    """The 413 of a body over `limit_bytes`."""
    return ApiError(413, f"the request body is larger than the limit of {limit_bytes} bytes")


class BodyLimit:
    """ASGI middleware: a 413 problem for a request body over `limit_bytes`, before it is read
    when its Content-Length says so, else as soon as the bytes received pass the limit (the app
    then sees the client gone and its own answer is dropped)."""

    def __init__(self, app: ASGIApp, limit_bytes: int) -> None:
        self.app, self.limit_bytes = app, limit_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        told = headers.get(b"content-length", b"").decode("latin-1")
        if told.isdigit() and int(told) > self.limit_bytes:
            await self._refuse(scope, receive, send)
            return
        size, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal size, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.limit_bytes:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = too_large(self.limit_bytes)
        await problem_response(error.status, error.detail)(scope, receive, send)


async def limited_body(request: Request, limit_bytes: int) -> bytes:
    """The whole body, or 413 as soon as it passes `limit_bytes` (told or counted)."""
    told = request.headers.get("content-length")
    if told is not None and told.isdigit() and int(told) > limit_bytes:
        raise too_large(limit_bytes)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit_bytes:
            raise too_large(limit_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


async def uploaded_text(request: Request, limit_bytes: int) -> str:
    """The TOML text of an upload: the body itself, or the form's `file` part."""
    body = await limited_body(request, limit_bytes)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        body = await _file_part(request, body)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "the scenario is not UTF-8 text") from None


async def _file_part(request: Request, body: bytes) -> bytes:
    """The content of the form field `file` of a multipart body."""
    from starlette.datastructures import UploadFile
    from starlette.formparsers import MultiPartException, MultiPartParser

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=10).parse()
    except MultiPartException as exc:
        raise ApiError(422, f"the form cannot be read: {exc.message}") from None
    part = form.get("file")
    if not isinstance(part, UploadFile):
        raise ApiError(422, "the form has no file: send the scenario TOML as the field 'file'")
    try:
        return await part.read()
    finally:
        await form.close()
