"""Operations of the per-resource routers registered on an app as one flat list of routes.

Since FastAPI 0.137, `include_router` keeps every included router as a node of a tree that
each request walks (recomputing the tree's version at every node) before it reaches a route.
With a dozen resource routers that walk cost more than a whole authenticated request: in
process, `GET /v1/account` took ~450 µs through included routers and ~330 µs with the same
operations registered flat, and a 404 ~550 against ~350 µs (docs/decisions/0006). Copying
each operation onto the app's own router is what `include_router` did before 0.137.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send


class FlatRoute(APIRoute):
    """An operation registered flat. Starlette answers a method a route does not serve with
    405 and that route's own methods in `Allow`; registered flat, each method of a path is a
    route of its own, so `Allow` is every method served at the path (set by include_flat)."""

    allowed: frozenset[str] = frozenset()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            allow = ", ".join(sorted(self.allowed | self.methods))
            raise HTTPException(status_code=405, headers={"Allow": allow})
        await super().handle(scope, receive, send)


# The operations built from each (router, prefix, route class), for the next app: building
# one costs FastAPI a pydantic schema of its response model (~2 ms; 200 operations are most
# of an app's start, and the test suite builds an app per test). A built operation holds no
# state of its app (watchwire sets no dependency overrides), so apps can share it.
_BUILT: dict[tuple[int, str, type[APIRoute]], list[APIRoute]] = {}


def include_flat(target: APIRouter, router: APIRouter, prefix: str = "") -> None:
    """Register every operation of `router` on `target` under `prefix`.

    An operation already carries its router's path prefix and tags; router-wide dependencies,
    responses and callbacks would need merging, and no router here declares them."""
    if router.dependencies or router.responses or router.callbacks:
        raise ValueError("include_flat takes routers without router-wide dependencies")
    key = (id(router), prefix, target.route_class)  # routers live as long as the process
    if key in _BUILT:
        target.routes.extend(_BUILT[key])
        _share_allowed(target)
        return
    first = len(target.routes)
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"include_flat takes API operations only, not {route!r}")
        target.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
            route_class_override=_flat_class(target.route_class),
        )
    _BUILT[key] = [route for route in target.routes[first:] if isinstance(route, APIRoute)]
    _share_allowed(target)


_FLAT_CLASSES: dict[type[APIRoute], type[FlatRoute]] = {}


def _flat_class(base: type[APIRoute]) -> type[FlatRoute]:
    """The target's route class (api/native/checked_route.py) with FlatRoute's `Allow`."""
    if issubclass(base, FlatRoute):
        return base
    if base not in _FLAT_CLASSES:
        _FLAT_CLASSES[base] = type(f"Flat{base.__name__}", (FlatRoute, base), {})
    return _FLAT_CLASSES[base]


def _share_allowed(target: APIRouter) -> None:
    served: dict[str, set[str]] = {}
    flat = [route for route in target.routes if isinstance(route, FlatRoute)]
    for route in flat:
        served.setdefault(route.path, set()).update(route.methods or ())
    for route in flat:
        route.allowed = frozenset(served[route.path])
