"""The route shape of one resource — list and create on its collection, get, update and
delete on one item, and actions on an item (`…/{id}/pause`) — as decorators that only fix
each route's method and path. The handlers stay ordinary FastAPI endpoints that read their
own fields, check their own id, call one service method and render.

    hosts = Crud(router, "/rbl/hosts", suffix=".json")

    @hosts.list                     # GET    /rbl/hosts.json
    @hosts.create                   # POST   /rbl/hosts.json
    @hosts.get                      # GET    /rbl/hosts/{id}.json
    @hosts.update                   # PUT    /rbl/hosts/{id}.json
    @hosts.delete                   # DELETE /rbl/hosts/{id}.json
    @hosts.action("pause")          # POST   /rbl/hosts/{id}/pause.json

Documents that name the item elsewhere (Enterno's `PUT /api/v4/webhooks?id=N`, Entri's
`PUT /monitor/domains` with the domain in the body) pass `item=` the collection's path;
updown's creates answer `create_status=201`. `mount` puts a dialect's app under its prefix;
`claim` hands a dialect whose paths sit at the root (Entri's `/token`, `/monitor/…`,
Enterno's `/api/v3/…` and `/api/v4/…`) the requests under those paths, unchanged; of two
claims on one root (`/api/v3` and `/api`) the narrower answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send

from watchwire.api.envelope import JsonResponse
from watchwire.api.routing import include_flat

Handler = TypeVar("Handler", bound=Callable[..., Any])


class Crud:
    def __init__(
        self,
        router: APIRouter,
        base: str,
        *,
        suffix: str = "",
        id_name: str = "id",
        item: str | None = None,
        update_method: str = "PUT",
        create_status: int | None = None,
    ) -> None:
        self.router = router
        self.base = base
        self.suffix = suffix
        self.collection = base + suffix
        self.item_base = f"{base}/{{{id_name}}}"
        self.item = item if item is not None else self.item_base + suffix
        self.update_method = update_method
        self.create_options = {"status_code": create_status} if create_status else {}

    def _route(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.router.add_api_route(path, handler, methods=[method], **options)
            return handler

        return register

    def list(self, handler: Handler) -> Handler:
        return self._route("GET", self.collection)(handler)

    def create(self, handler: Handler) -> Handler:
        return self._route("POST", self.collection, **self.create_options)(handler)

    def get(self, handler: Handler) -> Handler:
        return self._route("GET", self.item)(handler)

    def update(self, handler: Handler) -> Handler:
        return self._route(self.update_method, self.item)(handler)

    def delete(self, handler: Handler) -> Handler:
        return self._route("DELETE", self.item)(handler)

    def action(
        self, name: str, method: str = "POST", **options: Any
    ) -> Callable[[Handler], Handler]:
        """A route for one verb on one item: `{base}/{id}/{name}{suffix}`."""
        return self._route(method, f"{self.item_base}/{name}{self.suffix}", **options)


def mount(parent: FastAPI, prefix: str, app: ASGIApp) -> None:
    """Mount a dialect's app at `prefix` so that it answers every path under the prefix.

    Starlette's mount pattern ends in `.*`, which stops at a line break: a path with an
    encoded newline (`/4.0/hosts/x%0A.json`) would fall through to the parent app and be
    answered in the native envelope. Matching across line breaks keeps it the dialect's."""
    route = Mount(prefix, app=app)
    route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    parent.router.routes.append(route)


class Claim(BaseRoute):
    """Every request whose path is one of `paths` or lies under one (`/monitor/…`), handed to
    `app` with its path as it came: the dialect's routes are written with their full paths.
    Unlike a Mount, the bare path itself (`/token`) is claimed too, and nothing is stripped."""

    def __init__(self, paths: tuple[str, ...], app: ASGIApp) -> None:
        self.paths = paths
        self.app = app
        # str.startswith takes a tuple: one call per set, whatever its size.
        self._under = tuple(p + "/" for p in paths)

    def claims(self, path: str) -> bool:
        return path in self.paths or path.startswith(self._under)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] not in ("http", "websocket"):
            return Match.NONE, {}
        root = scope.get("root_path", "")
        path: str = scope["path"]
        relative = path[len(root) :] if root and path.startswith(root) else path
        return (Match.FULL, {}) if self.claims(relative) else (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)


def claim(parent: FastAPI, paths: tuple[str, ...], app: ASGIApp) -> None:
    """Route every request under `paths` (each a path at the root) to a dialect's `app`.

    Two dialects may share a root (Enterno claims `/api/v3` and `/api/v4`, updown the rest
    of `/api`): the narrower claim is put before any broader one already there, so the
    order in which the dialects are mounted does not decide who answers."""
    route = Claim(paths, app)
    routes = parent.router.routes
    broader = [
        index
        for index, other in enumerate(routes)
        if isinstance(other, Claim) and any(other.claims(path) for path in paths)
    ]
    if broader:
        routes.insert(broader[0], route)
    else:
        routes.append(route)


def dialect_app(
    parent: FastAPI,
    title: str,
    install_envelope: Callable[[FastAPI], None],
    routers: Iterable[APIRouter],
) -> FastAPI:
    """A dialect's own small app: its envelope, its routers registered flat, no OpenAPI or
    docs of its own. It shares the parent's state, so the runtime the parent holds (set now
    or at startup) is the one the dialect's routes use."""
    app = FastAPI(
        title=title,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        default_response_class=JsonResponse,
    )
    app.state = parent.state
    install_envelope(app)
    for router in routers:
        include_flat(app.router, router)
    return app
