"""The OpenAPI description of the native API as the API answers: every 2xx in the
`{"data", "meta"}` envelope, every error in the `{"error", "meta"}` envelope with the status
codes an operation can answer, and no 422 (validation errors answer 400, api/errors.py).

FastAPI describes what it sees in the route signatures; the routes answer `JsonResponse`
envelopes it cannot see, so the description is completed here once, for every operation."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field, with_config

from watchwire.ids import sid_pattern
from watchwire.text import NO_NUL_PATTERN, ONE_LINE_PATTERN

_REF = "#/components/schemas/"

answer = with_config(ConfigDict(extra="forbid"))
"""Marks a renderer's TypedDict as an answer's `data`: a route names it as its
`response_model` (FastAPI describes it; the route still returns its JsonResponse), and
`additionalProperties: false` makes a field the renderer adds but the TypedDict lacks a
schemathesis failure, as mypy makes it a type error."""

RULES = "x-watchwire-rules"
"""The extension naming the rules of a body field that JSON Schema cannot state, each a
400 a request valid by the schema can still meet: `not_found` (a SID or name that must
exist in the account or on the page), `order` (a time not before another field's),
`format`, `resolves`, `allowed`, `runnable` (a one-off tool's target: its form depends on
the tool, and the probe may find it unresolvable, refused by the target policy, or not
checkable with the options given). The
400's `details` name the field and the rule; schemathesis's acceptance check knows them
(tests/api/test_schemathesis.py)."""


def beyond_schema(*rules: str) -> dict[str, Any]:
    """`json_schema_extra` of a field with rules JSON Schema cannot state (see RULES)."""
    return {RULES: list(rules)}


def sid_of(*kinds: str) -> Any:
    """The field of a SID of a resource of one of `kinds` (watchwire.ids): the metadata of
    `Annotated[str, sid_of("contact")]`."""
    patterns = "|".join(sid_pattern(kind).pattern.strip("^$") for kind in kinds)
    return Field(pattern=f"^({patterns})$")


_WRITES = frozenset({"post", "put", "patch", "delete"})
# Served without an API key (api/native/health.py, the description itself).
_PUBLIC = frozenset({"/healthz", "/readyz"})

_SCHEMAS: dict[str, Any] = {
    "Meta": {
        "type": "object",
        "required": ["request_id", "duration_ms", "api_version"],
        "properties": {
            "request_id": {"type": "string"},
            "duration_ms": {"type": "number"},
            "api_version": {"type": "string"},
            "pagination": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
    "ErrorDetail": {
        "type": "object",
        "required": ["field", "rule", "message"],
        "properties": {
            "field": {"type": "string"},
            "rule": {"type": "string"},
            "message": {"type": "string"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {
                "type": "string",
                "description": "missing_parameter, invalid_parameter, auth_required, "
                "insufficient_scope, not_found, conflict, rate_limit_exceeded, …",
            },
            "message": {"type": "string"},
            "details": {},
        },
    },
    "ErrorEnvelope": {
        "type": "object",
        "required": ["error", "meta"],
        "properties": {"error": {"$ref": _REF + "Error"}, "meta": {"$ref": _REF + "Meta"}},
    },
}

_ERRORS = {
    "400": "The request is invalid: `details` names each field and its rule (a field marked "
    "`x-watchwire-rules` also answers 400 with the rules listed there, such as a reference "
    "that does not exist, `not_found`, or times out of order, `order`)",
    "401": "No valid API key",
    "403": "The key lacks the scope, is read-only, or is not allowed from this address",
    "404": "No such resource in this account",
    "409": "The request conflicts with the resource's state",
    "413": "The body is too large",
    "415": "The body's media type is not JSON",
    "429": "Rate limit exceeded: see `Retry-After` and the `RateLimit-*` headers",
}


# The ways a key is presented (api/credentials.py), each a scheme; an operation takes any one.
_KEY = "The key as one string: its SID then its secret (or `SID:secret`)"
SECURITY_SCHEMES: dict[str, Any] = {
    "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": _KEY},
    "BearerKey": {"type": "http", "scheme": "bearer", "description": _KEY},
    "ApiKeyQuery": {"type": "apiKey", "in": "query", "name": "api-key", "description": _KEY},
    "BasicKey": {
        "type": "http",
        "scheme": "basic",
        "description": "The key's SID as the user name, its secret as the password",
    },
}
_SECURITY: list[dict[str, list[str]]] = [{name: []} for name in SECURITY_SCHEMES]

_HEALTH = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string"}, "database": {"type": "string"}},
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF + "ErrorEnvelope"}}},
    }


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "meta"],
        "properties": {"data": data, "meta": {"$ref": _REF + "Meta"}},
    }


def _errors_of(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    codes = []
    if operation.get("parameters") or "requestBody" in operation:
        codes.append("400")
    if path not in _PUBLIC:
        codes += ["401", "403", "429"]
    if "{" in path:
        codes.append("404")
    if method in _WRITES:
        codes += ["409"]
    if "requestBody" in operation:
        codes += ["413", "415"]
    return codes


def body(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    """`openapi_extra` describing a route's JSON body with `schema` (models in `$defs`)."""
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"requestBody": {"required": True, "content": {"application/json": media}}}


def no_nul_strings(schema: Any) -> Any:
    """`schema` with the rule every string follows (no NUL, watchwire/text.py) stated on
    each string schema in it that has no pattern or enum of its own."""
    if isinstance(schema, list):
        return [no_nul_strings(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: no_nul_strings(value) for key, value in schema.items()}
    if out.get("type") == "string" and not {"pattern", "enum", "const"} & out.keys():
        out["pattern"] = NO_NUL_PATTERN
    return out


def with_validated_fields(model: type[BaseModel], schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` of `model` with each field that has a validator of its own (a host name, a
    list of thresholds) marked: it can refuse what its type allows, a 400 naming the field
    with rule `value_error`."""
    validated = {
        name
        for validator in model.__pydantic_decorators__.field_validators.values()
        for name in validator.info.fields
    }
    properties = schema.get("properties", {})
    for name in validated & properties.keys():
        rules = [*properties[name].get(RULES, []), "value_error"]
        properties[name] = {**properties[name], RULES: rules}
    return schema


def model_body(
    model: type[BaseModel], example: Any = None, *, change: bool = False, by_alias: bool = True
) -> dict[str, Any]:
    """The body of a route that hands its body to a service validating it with `model`: the
    service's own model describes it. A change body (`change`) requires no field."""
    schema = with_validated_fields(
        model, model.model_json_schema(by_alias=by_alias, ref_template=_REF + "{model}")
    )
    if change:
        schema.pop("required", None)
        schema["title"] = f"{schema.get('title', model.__name__)}Change"
        schema["description"] = "The fields to change; the others stay."
    return body(schema, example)


def _one_line_parameters(operation: dict[str, Any]) -> None:
    """Path ids and query parameters hold no control character (api/native/checked_route.py)."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        options = [schema, *schema.get("anyOf", [])]
        for option in [*options, *(option.get("items", {}) for option in options)]:
            if option.get("type") == "string" and "pattern" not in option:
                option["pattern"] = ONE_LINE_PATTERN


def _hoist_body_models(operation: dict[str, Any], components: dict[str, Any]) -> None:
    """A body schema given whole in `openapi_extra` (api/native/monitor_bodies.py) carries its
    models in `$defs`: they become components. FastAPI deep-merges the extra into the schema
    it generated for a `dict` body; a union keeps only its own keys."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    body = content.get("schema", {})
    components.update(body.pop("$defs", {}))
    if "oneOf" in body:
        content["schema"] = {key: body[key] for key in ("oneOf", "discriminator") if key in body}


def _describe_health(path: str, responses: dict[str, Any]) -> None:
    """Health answers are bare objects for load balancers, not envelopes."""
    content = {"application/json": {"schema": _HEALTH}}
    responses["200"] = {
        "description": "Alive" if path == "/healthz" else "Ready",
        "content": content,
    }
    if path == "/readyz":
        responses["503"] = {"description": "The database does not answer", "content": content}


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """The description FastAPI generated, with envelopes and errors as the API answers."""
    schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    components = schema["components"].setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.update(_SCHEMAS)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            _hoist_body_models(operation, components)
            _one_line_parameters(operation)
            responses: dict[str, Any] = operation.setdefault("responses", {})
            responses.pop("422", None)
            if path in _PUBLIC:
                operation["security"] = []
                _describe_health(path, responses)
                continue
            operation["security"] = _SECURITY
            for status, response in responses.items():
                if not status.startswith("2"):
                    continue
                content = response.setdefault("content", {}).setdefault("application/json", {})
                data = content.get("schema") or {}
                if data.get("type") == "string" or not data:
                    data = {}
                content["schema"] = _envelope(data)
            for status in _errors_of(path, method, operation):
                responses.setdefault(status, _error(_ERRORS[status]))
    return schema


def install(app: FastAPI) -> None:
    """Serve the completed description at the app's openapi_url (built once, then kept)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
