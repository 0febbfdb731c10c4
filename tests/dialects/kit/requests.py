"""A starlette Request built from raw parts, for the kit's unit tests."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Message


def raw_request(
    body: bytes = b"",
    content_type: str | None = None,
    query: bytes = b"",
    chunks: int = 1,
    declared_length: bool = True,
) -> Request:
    """A POST with `body` sent in `chunks` pieces, with or without a Content-Length."""
    headers = [(b"content-type", content_type.encode("latin-1"))] if content_type else []
    if declared_length:
        headers.append((b"content-length", str(len(body)).encode()))
    size = max(1, -(-len(body) // chunks))
    pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    messages: list[Message] = [
        {"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1}
        for i, piece in enumerate(pieces)
    ]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": query,
        "headers": headers,
    }
    return Request(scope, receive)
