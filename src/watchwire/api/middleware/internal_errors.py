"""Unexpected exceptions answered with the face's 500, on a connection that stays usable.

Starlette's outermost error middleware sends the 500 and then re-raises, so that the server
can log the error; uvicorn then closes the connection, and a keep-alive client whose next
request is already on its way sees the connection reset. Here the exception stops:

1. nothing sent yet: the face's 500 is rendered and sent;
2. the response complete (a mounted app, like the /4.0 dialect, sent its own 500 and
   re-raised): nothing is left to send;
3. a response half sent: re-raised, because only closing the connection can end it.

Each is logged here, once, with the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

_NOTHING_SENT, _STARTED, _COMPLETE = 0, 1, 2


class InternalErrorMiddleware:
    """`render` builds the 500 response of the face this middleware wraps."""

    def __init__(self, app: ASGIApp, render: Callable[[Request], Response]) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        progress = _NOTHING_SENT

        async def tracking_send(message: Message) -> None:
            nonlocal progress
            if message["type"] == "http.response.start":
                progress = _STARTED
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                progress = _COMPLETE
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            request_id = scope.get("state", {}).get("request_id", "")
            log.exception("unhandled error (request_id=%s, path=%s)", request_id, scope["path"])
            if progress == _STARTED:
                raise
            if progress == _NOTHING_SENT:
                await self.render(Request(scope))(scope, receive, send)
