"""`/docs`: Swagger UI over `/v1/openapi.json`, with its script, style sheet and icon served
from this server (the `fastapi-offline` distribution's copies of swagger-ui-dist 5), so the
page works on a machine with no way out (FastAPI's own page loads them from a CDN).

The description declares how a key is presented (api/native/openapi.py), so "Authorize" in
the page sends it."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
# swagger-ui-bundle.js, swagger-ui.css, favicon.png (and redoc.standalone.js, unused).
ASSETS = Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI, openapi_url: str) -> None:
    """Serve the page and its assets; the app is created with `docs_url=None`."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    async def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            # The key given in "Authorize" stays across reloads of the page.
            swagger_ui_parameters={"persistAuthorization": True},
        )

    app.add_route(DOCS_URL, docs, methods=["GET"], include_in_schema=False)
