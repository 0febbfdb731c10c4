"""Assembly of the HTTP application: middleware, error mapping, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from watchwire import __version__, logs, web
from watchwire.api import auth, docs, errors, metrics, native
from watchwire.api.dialects import enterno, entri, generatorlabs, updown
from watchwire.api.envelope import JsonResponse
from watchwire.api.middleware.compression import CompressionMiddleware
from watchwire.api.middleware.idempotency import IdempotencyMiddleware
from watchwire.api.middleware.internal_errors import InternalErrorMiddleware
from watchwire.api.middleware.request_context import RequestContextMiddleware
from watchwire.api.native.checked_route import CheckedRoute
from watchwire.config import Settings, get_settings
from watchwire.runtime import Runtime
from watchwire.web import dashboard


async def _page_owner(request: Request) -> str | None:
    """Whose status pages a visitor may see as their owner: an API key's account, or the
    signed-in dashboard user's (the editor's preview of a private page)."""
    return await auth.page_owner(request) or await dashboard.page_owner(request)


def create_app(runtime: Runtime | None = None, settings: Settings | None = None) -> FastAPI:
    """The ASGI app. With a runtime, it is used as is (tests, `serve`); without, one is built
    from settings on startup and closed on shutdown (`watchwire api` under any ASGI server)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            yield
            return
        built = Runtime.build(settings or get_settings())
        app.state.runtime = built
        try:
            yield
        finally:
            await built.close()

    app = FastAPI(
        title="watchwire",
        version=__version__,
        summary="Self-hosted monitoring: uptime, DNS, TLS, blocklists, domains.",
        openapi_url="/v1/openapi.json",
        docs_url=None,  # api/docs.py: the same page with its assets served here
        redoc_url=None,
        default_response_class=JsonResponse,
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime
    errors.install(app)
    # The visitor routes first: status pages and heartbeat pings are the most requested
    # paths, and Starlette tries routes in order (behind the ~140 native operations a visit
    # spent ~0.5 ms matching them). No other route lives under their paths.
    # The status-page service's visits; the runtime holds it like every other service.
    web.install(
        app,
        visits_of=lambda request: request.app.state.runtime.status_pages,
        owner_of=_page_owner,
        home=dashboard.home,  # `/` where no status page has its own domain
    )
    # The operators' dashboard: sign-in, monitors, events, deliveries, keys, users.
    dashboard.install(app)
    # Heartbeat pings: public, no API key, plain text (web/pulse.py).
    web.pulse.install(app, pulses_of=lambda request: request.app.state.runtime.heartbeats)
    app.router.route_class = CheckedRoute  # every native operation: see its module
    native.install(app)
    metrics.install(app)  # GET /metrics for Prometheus (api/metrics.py)
    docs.install(app, openapi_url="/v1/openapi.json")
    generatorlabs.mount(app)
    entri.mount(app)  # claims /token and /monitor/… (nothing else lives there)
    enterno.mount(app)  # claims /api/v3/… and /api/v4/… only
    updown.mount(app)  # claims the rest of /api (the narrower claim answers first)
    # Added last = outermost: the request id wraps everything; compression wraps replays too;
    # an unexpected error inside any of them is answered without losing the connection.
    # Its 409s and 400s under a dialect's paths answer in that dialect's envelope; there, a
    # key may also come in the body.
    app.add_middleware(
        IdempotencyMiddleware,
        # Narrower prefixes first: the first that matches answers.
        error_responses=[
            *((path, enterno.error_response) for path in enterno.PATHS),
            *((path, updown.error_response) for path in updown.PATHS),
        ],
        body_keys=[(path, enterno.key_in_body) for path in enterno.PATHS],
    )
    app.add_middleware(CompressionMiddleware, minimum_size=500)
    app.add_middleware(InternalErrorMiddleware, render=errors.internal_error)
    settings = runtime.settings if runtime is not None else settings or get_settings()
    access = logs.AccessLog(settings.access_log_format) if settings.access_log else None
    app.add_middleware(RequestContextMiddleware, access_log=access)
    return app


def create_metrics_app(settings: Settings) -> Starlette:
    """The one-route app of `watchwire worker --metrics-listen`: GET /metrics with the
    worker's own counters, behind the same token as the API's (api/metrics.py)."""
    app = Starlette(routes=[Route("/metrics", metrics.process_metrics, methods=["GET"])])
    app.state.metrics_token = settings.metrics_token
    app.add_middleware(RequestContextMiddleware)
    return app
