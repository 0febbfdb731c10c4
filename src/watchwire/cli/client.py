"""How the resource commands reach the native API: one client, two transports.

Every command (`monitors …`, `apply`, `export`, `events tail`) speaks v1's HTTP: its paths,
its JSON bodies, its `{data, meta}` / `{error, meta}` envelope. `--url` sends the requests
to a server over the network (aiohttp); without it they go to the same ASGI app built in
this process over the database of the settings `serve` reads, so both ways run the very
routes, validation and rendering the server runs (decisions/0026). Locally the caller is
an account's operator (`--account`) or a key (`--key`), like on a server.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from watchwire.errors import WatchwireError

T = TypeVar("T")
PER_PAGE = 100  # the API's largest page: the fewest requests for a whole list
Query = dict[str, str | int | list[str]]


class ApiError(WatchwireError):
    """An answer in the error envelope: its message, which names the field and the rule."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message, details=details, code=code)
        self.status = status


class Transport(Protocol):
    async def __call__(
        self, method: str, path: str, query: str, body: bytes | None
    ) -> tuple[int, bytes]: ...


@dataclass
class Client:
    """The native API as `request`/`get_all` calls; an error answer raises ApiError."""

    send: Transport

    async def request(
        self, method: str, path: str, body: Any = None, query: Query | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """The `data` and `meta` of the answer."""
        payload = None if body is None else json.dumps(body).encode()
        status, raw = await self.send(
            method, f"/v1{path}", urlencode(query or {}, doseq=True), payload
        )
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            raise ApiError(status, "bad_answer", f"HTTP {status}: not a JSON answer") from None
        if status >= 400 or "error" in answer:
            error = answer.get("error") or {}
            raise ApiError(
                status,
                str(error.get("code", "error")),
                str(error.get("message") or f"HTTP {status}"),
                error.get("details"),
            )
        return answer.get("data"), answer.get("meta") or {}

    async def get(self, path: str, query: Query | None = None) -> Any:
        data, _ = await self.request("GET", path, query=query)
        return data

    async def get_all(self, path: str, query: Query | None = None) -> list[Any]:
        """Every item of a paged list, page after page."""
        items: list[Any] = []
        page = 1
        while True:
            data, meta = await self.request(
                "GET", path, query={**(query or {}), "page": page, "per_page": PER_PAGE}
            )
            items.extend(data)
            if page >= int(meta.get("pagination", {}).get("pages", 1)):
                return items
            page += 1

    async def send_json(self, method: str, path: str, body: Any = None) -> Any:
        data, _ = await self.request(method, path, body=body)
        return data


def remote_transport(
    url: str, key: str, timeout: float
) -> Callable[[], AbstractAsyncContextManager[Transport]]:
    """An aiohttp session to `url` presenting `key` (X-API-Key), as an async context
    manager yielding the Transport."""
    import aiohttp

    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[Transport]:
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        async with aiohttp.ClientSession(
            base_url=url.rstrip("/") + "/",
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as session:

            async def send(
                method: str, path: str, query: str, body: bytes | None
            ) -> tuple[int, bytes]:
                target = path.lstrip("/") + (f"?{query}" if query else "")
                try:
                    async with session.request(method, target, data=body) as response:
                        return response.status, await response.read()
                except (aiohttp.ClientError, TimeoutError) as exc:
                    raise WatchwireError(f"{url}: {exc or type(exc).__name__}") from None

            yield send

    return opened


def asgi_transport(app: Any, extensions: dict[str, Any], headers: dict[str, str]) -> Transport:
    """Requests handed to an ASGI app in this process (no socket): each one a scope, its
    body in one message, the answer collected from the messages sent back."""

    async def send(method: str, path: str, query: str, body: bytes | None) -> tuple[int, bytes]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [
                (b"host", b"localhost"),
                (b"content-type", b"application/json"),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            ],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
            "extensions": extensions,
        }
        pending = [{"type": "http.request", "body": body or b"", "more_body": False}]
        status = 500
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return pending.pop() if pending else {"type": "http.disconnect"}

        async def reply(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, reply)
        return status, b"".join(chunks)

    return send


Work = Callable[[Client], Awaitable[T]]
