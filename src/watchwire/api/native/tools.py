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
from watchwire.api.native.openapi import (
    beyond_schema,
    body,
    no_nul_strings,
    with_validated_fields,
)
from watchwire.errors import ValidationError
from watchwire.probes import get_probe, probe_module
from watchwire.services.accounts import Principal
from watchwire.services.tools import TARGET_RULES, TOOLS, Tool, parse_options, run_tool
from watchwire.text import ONE_LINE_PATTERN

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


async def _answer(request: Request, tool: Tool, target: str, raw: dict[str, Any]) -> JsonResponse:
    options = parse_options(tool, raw)
    result = await run_tool(tool, target, options, runtime_of(request).probe_ctx)
    return ok(request, result.to_json())


# The target's form depends on the tool (a URL, a host, a host:port, an address), and a
# probe can find it unresolvable or refused by the target policy: the service answers a
# 400 naming `target` with one of these rules, as stated here.
_TARGET_RULES = beyond_schema(*TARGET_RULES)
_TARGET_DESCRIPTION = "Host, URL or address to check, in the form the tool takes"


def _body_schema(tool: Tool) -> dict[str, Any]:
    """The POST body: `target` beside the probe's options, minus those that name files on
    the server (refused over the API)."""
    options_model = get_probe(tool.probe_kind)[1]
    schema = with_validated_fields(options_model, options_model.model_json_schema())
    properties = {
        name: no_nul_strings(field)
        for name, field in schema["properties"].items()
        if name not in tool.local_only
    }
    target = {
        "type": "string",
        "minLength": 1,
        "maxLength": 2048,
        "pattern": ONE_LINE_PATTERN,
        "description": _TARGET_DESCRIPTION,
        **_TARGET_RULES,
    }
    required = ["target", *schema.get("required", [])]
    return {**schema, "properties": {"target": target, **properties}, "required": required}


def _get_endpoint(tool: Tool) -> Callable[..., Awaitable[JsonResponse]]:
    _, options_model = get_probe(tool.probe_kind)

    async def endpoint(
        request: Request,
        principal: Annotated[Principal, Depends(require(tool.scope))],
        target: Annotated[
            str,
            Query(
                min_length=1,
                max_length=2048,
                pattern=ONE_LINE_PATTERN,
                description=_TARGET_DESCRIPTION,
                json_schema_extra=_TARGET_RULES,
            ),
        ],
    ) -> JsonResponse:
        target_text, raw = _query_options(request, options_model)
        return await _answer(request, tool, target_text, raw)

    return endpoint


def _post_endpoint(tool: Tool) -> Callable[..., Awaitable[JsonResponse]]:
    async def endpoint(
        request: Request, principal: Annotated[Principal, Depends(require(tool.scope))]
    ) -> JsonResponse:
        target_text, raw = await _body_options(request)
        return await _answer(request, tool, target_text, raw)

    return endpoint


for _tool in TOOLS.values():
    _options_model = get_probe(_tool.probe_kind)[1]
    # The probe's own result model: `data` is exactly its JSON dump (ProbeResult.to_json).
    _result_model = probe_module(_tool.probe_kind).Result
    _description = (
        f"Scope `{_tool.scope}`. Options (query parameters for GET, JSON fields beside "
        f"`target` for POST): {', '.join(_options_model.model_fields)}."
    )
    router.add_api_route(
        f"/tools/{_tool.name}",
        _get_endpoint(_tool),
        methods=["GET"],
        summary=_tool.summary,
        description=_description,
        operation_id=f"tool_{_tool.name}_get",
        response_model=_result_model,
    )
    router.add_api_route(
        f"/tools/{_tool.name}",
        _post_endpoint(_tool),
        methods=["POST"],
        summary=_tool.summary,
        description=_description,
        operation_id=f"tool_{_tool.name}_post",
        response_model=_result_model,
        openapi_extra=body(_body_schema(_tool)),
    )
