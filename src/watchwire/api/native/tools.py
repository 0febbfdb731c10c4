"""`/v1/tools/{tool}`: the one-off tools, one route per tool, generated from the tool table.

`GET /v1/tools/dns?target=example.com&type=MX` (options as query parameters; lists
comma-separated or repeated) or `POST` with a JSON body `{"target": …, "<option>": …}`.
"""

# No `from __future__ import annotations` here: FastAPI must evaluate the endpoint's
# annotations, which refer to the closure's `tool`.

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.errors import ValidationError
from watchwire.probes import get_probe, probe_module
from watchwire.services.accounts import Principal
from watchwire.services.tools import TOOLS, Tool, parse_options, run_tool

router = APIRouter(tags=["tools"])


def _list_fields(model: type[Any]) -> set[str]:
    return {
        name
        for name, field in model.model_fields.items()
        if getattr(field.annotation, "__origin__", None) in (list, tuple, set)
        or str(field.annotation).startswith(("list[", "tuple[", "set["))
    }


def _query_options(request: Request, options_model: type[Any]) -> tuple[str, dict[str, Any]]:
    lists = _list_fields(options_model)
    raw: dict[str, Any] = {}
    target = ""
    for key in request.query_params:
        if key in ("api-key", "api_key"):
            continue
        values = request.query_params.getlist(key)
        if key == "target":
            target = values[-1]
        elif key in lists:
            raw[key] = [part for value in values for part in value.split(",") if part]
        else:
            raw[key] = values[-1]
    return target, raw


async def _body_options(request: Request) -> tuple[str, dict[str, Any]]:
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError:
        raise ValidationError.field("body", "json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValidationError.field("body", "object", "the body must be a JSON object")
    target = body.pop("target", "")
    if not isinstance(target, str):
        raise ValidationError.field("target", "string", "target must be a string")
    return target, body


def _endpoint(tool: Tool) -> Callable[..., Awaitable[JsonResponse]]:
    _, options_model = get_probe(tool.probe_kind)

    async def endpoint(
        request: Request,
        principal: Annotated[Principal, Depends(require(tool.scope))],
        target: Annotated[str | None, Query(description="Host, URL or address to check")] = None,
    ) -> JsonResponse:
        if request.method == "GET":
            target_text, raw = _query_options(request, options_model)
        else:
            target_text, raw = await _body_options(request)
        options = parse_options(tool, raw)
        result = await run_tool(tool, target_text, options, runtime_of(request).probe_ctx)
        return ok(request, result.to_json())

    return endpoint


for _tool in TOOLS.values():
    _options_model = get_probe(_tool.probe_kind)[1]
    # The probe's own result model: `data` is exactly its JSON dump (ProbeResult.to_json).
    _result_model = probe_module(_tool.probe_kind).Result
    _description = (
        f"Scope `{_tool.scope}`. Options (query parameters for GET, JSON fields beside "
        f"`target` for POST): {', '.join(_options_model.model_fields)}."
    )
    _endpoint_function = _endpoint(_tool)
    router.add_api_route(
        f"/tools/{_tool.name}",
        _endpoint_function,
        methods=["GET"],
        summary=_tool.summary,
        description=_description,
        operation_id=f"tool_{_tool.name}_get",
        response_model=_result_model,
    )
    router.add_api_route(
        f"/tools/{_tool.name}",
        _endpoint_function,
        methods=["POST"],
        summary=_tool.summary,
        description=_description,
        operation_id=f"tool_{_tool.name}_post",
        response_model=_result_model,
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "allOf": [
                                {
                                    "type": "object",
                                    "properties": {"target": {"type": "string"}},
                                    "required": ["target"],
                                },
                                _options_model.model_json_schema(),
                            ]
                        }
                    }
                }
            }
        },
    )
