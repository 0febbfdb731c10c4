"""The kit's error mapping on a small app: every kind of failure reaches the dialect's own
`render` as one Problem, field names renamed, and an unexpected exception answers 500
without escaping the app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import JSONResponse, Response

from watchwire.api.dialects.kit import errors
from watchwire.api.dialects.kit.errors import Problem
from watchwire.errors import NotFoundError, RateLimitedError, ValidationError


def render(problem: Problem) -> Response:
    body = {
        "status": problem.status,
        "code": problem.code,
        "message": problem.message,
        "details": problem.details,
        "cause": type(problem.cause).__name__,
    }
    return JSONResponse(body, status_code=problem.status, headers=problem.headers)


def dialect_app() -> FastAPI:
    app = FastAPI()
    errors.install(app, render, {"contact_groups": "contact_group"})

    @app.get("/invalid")
    async def invalid() -> None:
        raise ValidationError.field(
            "contact_groups[0]", "not_found", "contact_groups[0]: no such group"
        )

    @app.get("/missing")
    async def missing() -> None:
        raise NotFoundError("Contact not found")

    @app.get("/limited")
    async def limited() -> None:
        raise RateLimitedError("slow down", retry_after=7)

    @app.get("/typed/{number}")
    async def typed(number: int) -> None:
        return None

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions: an exception that escaped the app would fail the test here.
    transport = httpx.ASGITransport(app=dialect_app(), raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as client:
        yield client


async def test_validation_errors_in_the_dialects_field_names(client: httpx.AsyncClient) -> None:
    body = (await client.get("/invalid")).json()
    assert body["status"] == 400 and body["code"] == "missing_parameter"
    assert body["message"] == "contact_group[0]: no such group"
    assert body["details"] == [
        {"field": "contact_group[0]", "rule": "not_found", "message": body["message"]}
    ]


async def test_other_errors_keep_status_code_and_headers(client: httpx.AsyncClient) -> None:
    missing = await client.get("/missing")
    assert missing.status_code == 404
    assert missing.json() == {
        "status": 404,
        "code": "not_found",
        "message": "Contact not found",
        "details": [],
        "cause": "NotFoundError",
    }
    limited = await client.get("/limited")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"


async def test_framework_errors(client: httpx.AsyncClient) -> None:
    typed = (await client.get("/typed/x")).json()
    assert typed["status"] == 400 and typed["details"][0]["field"] == "number"
    unknown = await client.get("/nowhere")
    assert unknown.json()["code"] == "not_found" and unknown.status_code == 404
    method = await client.post("/missing")
    assert method.json()["code"] == "method_not_allowed" and "GET" in method.headers["Allow"]


async def test_unexpected_errors_answer_500_and_stop_there(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/bug")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert response.json()["cause"] == "RuntimeError"
    assert "unhandled error" in caplog.text and "a bug" in caplog.text
    assert (await client.get("/missing")).status_code == 404  # the client goes on
