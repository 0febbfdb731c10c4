"""schemathesis over `/v1/openapi.json`: every operation, requests generated from the
description with a fixed seed, every answer checked against it with all of schemathesis's
checks. Bounded for `make test` (SQLite, a few examples per operation); the release run
with more examples and PostgreSQL is in docs/operations.md.

Every check runs on every operation, `positive_data_acceptance` (a request valid by the
description must succeed) included. One refusal of valid data is expected, because the
description says it can happen: a 400 whose every detail names a field (or query parameter)
marked `x-watchwire-rules` with one of the rules listed there (a reference that must exist,
`not_found`; an end before a start, `order`; a tool's form of target, `format`: rules JSON
Schema cannot state, api/native/openapi.py). Generated targets never leave the
machine: names resolve only to loopback (`_loopback_only`)."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.conftest import client_for
from tests.storage import open_database
from watchwire.api.native.openapi import RULES
from watchwire.app import create_app
from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.store.database import Database

# The release run raises these (docs/operations.md).
EXAMPLES = int(os.environ.get("WATCHWIRE_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("WATCHWIRE_FUZZ_SEED", "20261202"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture(autouse=True)
async def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated hosts and addresses resolve to nothing unless they are loopback."""
    loop = asyncio.get_running_loop()
    resolve = loop.getaddrinfo

    async def guarded(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        infos = await resolve(
            "127.0.0.1" if host == "localhost" else _literal(host), port, *args, **kwargs
        )
        return infos

    monkeypatch.setattr(loop, "getaddrinfo", guarded)


def _literal(host: Any) -> str:
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        if ipaddress.ip_address(text.strip("[]")).is_loopback:
            return text.strip("[]")
    except ValueError:
        pass
    raise socket.gaierror(socket.EAI_NONAME, "the fuzz run resolves loopback only")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """SQLite only in `make test`; the release run points WATCHWIRE_FUZZ_BACKEND at postgres."""
    async for db in open_database(os.environ.get("WATCHWIRE_FUZZ_BACKEND", "sqlite"), tmp_path):
        yield db


@pytest.fixture
async def app(database: Database, settings: Settings, clock: FrozenClock) -> FastAPI:
    # Lookups of dns, rbl and CAA go to the discard port of loopback: nothing answers. An SMS
    # gateway on loopback too (sms contacts need one; nothing is sent: no worker runs), and
    # `apprise` contacts allowed.
    quiet = settings.model_copy(
        update={
            "resolver": "127.0.0.1:9",
            "sms_apprise_url": "json://127.0.0.1:9/{phone}",
            "apprise_any_url": True,
        }
    )
    return create_app(Runtime.build(quiet, db=database, clock=clock))


def _resolved(described: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = described["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _rules_within(described: dict[str, Any], schema: Any, seen: frozenset[str]) -> set[str]:
    """Every rule marked `x-watchwire-rules` anywhere in `schema`."""
    if isinstance(schema, list):
        return set().union(*(_rules_within(described, item, seen) for item in schema))
    if not isinstance(schema, dict):
        return set()
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return set()
        seen = seen | {schema["$ref"]}
        schema = _resolved(described, schema)
    found = set(schema.get(RULES, []))
    for key, value in schema.items():
        if key != RULES:
            found |= _rules_within(described, value, seen)
    return found


def _beyond_schema(described: dict[str, Any], operation: dict[str, Any]) -> dict[str, set[str]]:
    """The rules beyond the schema of each query parameter and top-level body field."""
    rules: dict[str, set[str]] = {
        parameter["name"]: _rules_within(described, parameter.get("schema", {}), frozenset())
        for parameter in operation.get("parameters", [])
    }
    media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    root = _resolved(described, media.get("schema", {}))
    nested = root.get("oneOf", root.get("anyOf", root.get("allOf", [])))
    branches = [root, *(_resolved(described, branch) for branch in nested)]
    for branch in branches:
        for name, field in branch.get("properties", {}).items():
            rules.setdefault(name, set()).update(_rules_within(described, field, frozenset()))
    return rules


def _refused_as_described(response: Any, rules: dict[str, set[str]]) -> bool:
    """A 400 whose every detail is a rule the description marks on that field."""
    if response.status_code != 400 or not rules:
        return False
    details = response.json()["error"].get("details") or []
    return bool(details) and all(
        detail["rule"] in rules.get(re.split(r"[.\[]", detail["field"])[0], ())
        for detail in details
    )


async def _refuses_without_a_key(client: Any, operation: Any, kwargs: dict[str, Any]) -> list[str]:
    """An operation that declares a key answers 401 to the same request without one, or
    with a wrong one (schemathesis's `ignored_auth`, through this client)."""
    if not operation.definition.raw.get("security"):
        return []
    headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k != "X-API-Key"}
    wrong = {**headers, "X-API-Key": "AK" + "0" * 32 + "0" * 64}
    problems = []
    for label, sent in (("without a key", headers), ("with a wrong key", wrong)):
        response = await client.request(
            kwargs["method"],
            kwargs["url"],
            params=kwargs.get("params"),
            headers=sent,
            json=kwargs.get("json"),
            content=kwargs.get("data"),
        )
        if response.status_code != 401:
            problems.append(f"{operation.label}: {response.status_code} {label}")
    return problems


def _cases(operation: Any, mode: GenerationMode) -> list[Any]:
    drawn: list[Any] = []

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def collect(case: Any) -> None:
        drawn.append(case)

    try:
        collect()
    except Unsatisfiable:
        pass  # nothing to break in an operation without parameters or body (negative mode)
    return drawn


# Bounded by EXAMPLES, not by time: about a minute quiet, several on a shared machine.
@pytest.mark.timeout(600)
async def test_every_operation_conforms(app: FastAPI, auth: dict[str, str]) -> None:
    async with client_for(app) as client:
        described = (await client.get("/v1/openapi.json")).json()
        schema = schemathesis.openapi.from_dict(described)
        # The key is the fixture's, sent with every request: schemathesis generates none. Its
        # `ignored_auth` check would send its own requests through a transport of its own;
        # `_refuses_without_a_key` asks the same question through this client instead.
        schema.config.generation.update(with_security_parameters=False)
        failures: list[str] = []
        sent = operations = documented = 0
        keyed: set[str] = set()
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]
            operations += 1
            rules = _beyond_schema(
                described, described["paths"][operation.path][operation.method.lower()]
            )
            for mode in MODES:
                for case in _cases(operation, mode):
                    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=auth)
                    response = await client.request(
                        kwargs["method"],
                        kwargs["url"],
                        params=kwargs.get("params"),
                        headers=kwargs.get("headers"),
                        json=kwargs.get("json"),
                        content=kwargs.get("data"),
                    )
                    sent += 1
                    if mode == GenerationMode.POSITIVE and operation.label not in keyed:
                        keyed.add(operation.label)
                        failures += await _refuses_without_a_key(client, operation, kwargs)
                    lenient = mode == GenerationMode.POSITIVE and _refused_as_described(
                        response, rules
                    )
                    documented += lenient
                    excluded = [ignored_auth, *([positive_data_acceptance] if lenient else [])]
                    try:
                        case.validate_response(response, excluded_checks=excluded)
                    except FailureGroup as group:
                        for failure in group.exceptions:
                            failures.append(
                                f"{operation.label} [{mode.value}]: {failure.title}"
                                f" ({response.status_code} {response.text[:160]})"
                            )
                    except AssertionError as exc:
                        failures.append(f"{operation.label} [{mode.value}]: {exc}")
        print(
            f"schemathesis: {operations} operations, {sent} requests, {len(failures)} failures"
            f" ({documented} valid requests refused with a documented rule;"
            f" {len(keyed)} operations refuse a missing and a wrong key)"
        )
        assert sent > 0
        assert not failures, "\n".join(sorted(set(failures)))
