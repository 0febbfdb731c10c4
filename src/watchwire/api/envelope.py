"""The native API's JSON envelope: `{"data", "meta"}` and `{"error", "meta"}` (000's format)."""

from __future__ import annotations

import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse

API_VERSION = "1.0"


class JsonResponse(JSONResponse):
    """JSON rendered with orjson (datetimes, UUIDs and dataclasses included). A JSONResponse,
    so FastAPI describes a route's `response_model` as its answer (api/native/openapi.py)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def meta(request: Request, api_version: str = API_VERSION) -> dict[str, Any]:
    started = getattr(request.state, "started", None)
    duration = (time.perf_counter() - started) * 1000 if started else 0.0
    return {
        "request_id": getattr(request.state, "request_id", ""),
        "duration_ms": round(duration, 2),
        "api_version": api_version,
    }


def ok(
    request: Request,
    data: Any,
    *,
    status: int = 200,
    pagination: dict[str, int] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body_meta = meta(request)
    if pagination is not None:
        body_meta["pagination"] = pagination
    return JsonResponse({"data": data, "meta": body_meta}, status_code=status, headers=headers)


def error_payload(
    request_id: str, code: str, message: str, details: Any = None, duration_ms: float = 0.0
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {
        "error": error,
        "meta": {
            "request_id": request_id,
            "duration_ms": round(duration_ms, 2),
            "api_version": API_VERSION,
        },
    }


def error(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    m = meta(request)
    return JsonResponse(
        error_payload(m["request_id"], code, message, details, m["duration_ms"]),
        status_code=status,
        headers=headers,
    )
