"""Assembly of the HTTP application: middleware, error mapping, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from watchwire import __version__, logs, web
from watchwire.api import auth, docs, errors, native
from watchwire.api.dialects import entri, generatorlabs, updown
from watchwire.api.envelope import JsonResponse
from watchwire.api.middleware.compression import CompressionMiddleware
from watchwire.api.middleware.idempotency import IdempotencyMiddleware
from watchwire.api.middleware.internal_errors import InternalErrorMiddleware
from watchwire.api.middleware.request_context import RequestContextMiddleware
from watchwire.api.native.checked_route import CheckedRoute
from watchwire.config import Settings, get_settings
from watchwire.runtime import Runtime


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
    app.router.route_class = CheckedRoute  # every native operation: see its module
    native.install(app)
    docs.install(app, openapi_url="/v1/openapi.json")
    generatorlabs.mount(app)
    entri.mount(app)  # claims /token and /monitor/… (nothing else lives there)
    updown.mount(app)  # claims /api/… but Enterno's /api/v3 and /api/v4
    # The status-page service's visits; the runtime holds it like every other service.
    web.install(
        app,
        visits_of=lambda request: request.app.state.runtime.status_pages,
        owner_of=auth.page_owner,
    )
    # Heartbeat pings: public, no API key, plain text (web/pulse.py).
    web.pulse.install(app, pulses_of=lambda request: request.app.state.runtime.heartbeats)
    # Added last = outermost: the request id wraps everything; compression wraps replays too;
    # an unexpected error inside any of them is answered without losing the connection.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(CompressionMiddleware, minimum_size=500)
    app.add_middleware(InternalErrorMiddleware, render=errors.internal_error)
    settings = runtime.settings if runtime is not None else settings or get_settings()
    access = logs.AccessLog(settings.access_log_format) if settings.access_log else None
    app.add_middleware(RequestContextMiddleware, access_log=access)
    return app
