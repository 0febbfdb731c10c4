"""`Crud` registers exactly the routes of one resource, with the handlers unchanged."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from watchwire.api.dialects.kit.routes import Crud, claim, mount


async def handler() -> None:
    return None


def routes(router: APIRouter) -> list[tuple[str, str, int | None]]:
    return [
        (next(iter(r.methods)), r.path, r.status_code)
        for r in router.routes
        if isinstance(r, APIRoute)
    ]


def test_the_five_routes_and_actions() -> None:
    router = APIRouter()
    hosts = Crud(router, "/rbl/hosts", suffix=".json")
    for register in (hosts.list, hosts.create, hosts.get, hosts.update, hosts.delete):
        assert register(handler) is handler
    hosts.action("pause")(handler)
    hosts.action("count", "GET")(handler)
    assert routes(router) == [
        ("GET", "/rbl/hosts.json", None),
        ("POST", "/rbl/hosts.json", None),
        ("GET", "/rbl/hosts/{id}.json", None),
        ("PUT", "/rbl/hosts/{id}.json", None),
        ("DELETE", "/rbl/hosts/{id}.json", None),
        ("POST", "/rbl/hosts/{id}/pause.json", None),
        ("GET", "/rbl/hosts/{id}/count.json", None),
    ]


def test_other_documents_shapes() -> None:
    router = APIRouter()
    checks = Crud(router, "/api/checks", id_name="token", create_status=201)
    checks.create(handler)
    checks.update(handler)
    webhooks = Crud(router, "/api/v4/webhooks", item="/api/v4/webhooks", update_method="PUT")
    webhooks.update(handler)
    webhooks.delete(handler)
    assert routes(router) == [
        ("POST", "/api/checks", 201),
        ("PUT", "/api/checks/{token}", None),
        ("PUT", "/api/v4/webhooks", None),
        ("DELETE", "/api/v4/webhooks", None),
    ]


async def test_mounted_dialects_answer_every_path_under_their_prefix() -> None:
    parent, dialect = FastAPI(), FastAPI()

    @dialect.get("/{name}")
    async def translated(name: str) -> dict[str, str]:
        return {"face": "dialect"}

    mount(parent, "/4.0", dialect)

    @parent.get("/{anything:path}")  # after the mount: what the mount does not match
    async def native(anything: str) -> dict[str, str]:
        return {"face": "native"}

    transport = httpx.ASGITransport(app=parent)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as client:
        for path in ("/4.0/a.json", "/4.0/a%0A.json", "/4.0/%0D%0Ab", "/4.0/x%00"):
            assert (await client.get(path)).json() == {"face": "dialect"}, path
        assert (await client.get("/v1/a%0A")).json() == {"face": "native"}


async def test_claimed_paths_reach_the_dialect_unchanged() -> None:
    parent, dialect = FastAPI(), FastAPI()

    @dialect.api_route("/{anything:path}", methods=["GET", "POST"])
    async def translated(anything: str) -> dict[str, str]:
        return {"face": "dialect", "path": "/" + anything}

    claim(parent, ("/token", "/monitor"), dialect)

    @parent.get("/{anything:path}")
    async def native(anything: str) -> dict[str, str]:
        return {"face": "native"}

    transport = httpx.ASGITransport(app=parent)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as client:
        for path in ("/token", "/monitor", "/monitor/"):
            assert (await client.get(path)).json()["face"] == "dialect", path
        # A line break in the path is still the dialect's to answer (here, its own 404).
        assert (await client.get("/monitor/a%0Ab")).json() == {"detail": "Not Found"}
        assert (await client.get("/monitor/domains")).json()["path"] == "/monitor/domains"
        for path in ("/tokens", "/monitoring", "/v1/monitor", "/"):
            assert (await client.get(path)).json() == {"face": "native"}, path


async def test_the_narrower_claim_answers_whatever_the_mount_order() -> None:
    """Enterno claims `/api/v3` and `/api/v4`, updown the rest of `/api`: mounted in either
    order, each prefix reaches its own dialect."""

    def dialect(name: str) -> FastAPI:
        app = FastAPI()

        @app.api_route("/{anything:path}", methods=["GET"])
        async def answer(anything: str) -> dict[str, str]:
            return {"face": name}

        return app

    for order in ("broad first", "narrow first"):
        parent = FastAPI()
        broad, narrow = (("/api",), dialect("updown")), (("/api/v3", "/api/v4"), dialect("enterno"))
        for paths, app in (broad, narrow) if order == "broad first" else (narrow, broad):
            claim(parent, paths, app)
        transport = httpx.ASGITransport(app=parent)
        async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as client:
            for path, face in (
                ("/api/v3/check.php", "enterno"),
                ("/api/v4", "enterno"),
                ("/api/v4/nowhere", "enterno"),
                ("/api/checks", "updown"),
                ("/api/v5/x", "updown"),
                ("/api", "updown"),
            ):
                assert (await client.get(path)).json() == {"face": face}, (order, path)
