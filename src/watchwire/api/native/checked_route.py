"""The native API's operations, with the text rule of `watchwire.text` applied to what no
request model sees: path ids and query parameters hold no control character, and no string
of a JSON body (free-form parts included: probe options, contact settings) holds a NUL.

Fields of the request models refuse control characters themselves (`text.SingleLine`);
this check runs after routing, so it names the path parameter, and before the body is
parsed, from the bytes the route reads anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from watchwire.errors import ValidationError
from watchwire.text import RULE, control_character, nul_location, refuse_control_characters

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_ESCAPED_NUL = b"\\u0000"  # a JSON text cannot hold a raw NUL: only this escape


def refuse_control_characters_in_parameters(request: Request) -> None:
    for name, value in request.path_params.items():
        if isinstance(value, str):
            refuse_control_characters(value, name)
    if request.scope["query_string"]:
        for name, value in request.query_params.multi_items():
            if control_character(name) is not None:
                raise ValidationError.field(
                    "query", RULE, "query: a parameter name holds a control character"
                )
            refuse_control_characters(value, name)


async def refuse_nul_in_body(request: Request) -> None:
    body = await request.body()  # kept by the request: the route's own parsing reuses it
    if _ESCAPED_NUL not in body:
        return
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return  # not JSON: the route answers that itself
    location = nul_location(parsed)
    if location is not None:
        message = f"{location}: the NUL character (U+0000) is not allowed"
        raise ValidationError.field(location, RULE, message)


class CheckedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def checked(request: Request) -> Response:
            refuse_control_characters_in_parameters(request)
            if request.method in _BODY_METHODS:
                await refuse_nul_in_body(request)
            return await handle(request)

        return checked
