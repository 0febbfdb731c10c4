"""The aws-cloudwatch channel against a local CloudWatch Logs stand-in that checks every
request's SigV4 signature with botocore's signer (independent of watchwire's sigv4.py)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from botocore.auth import SigV4Auth  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
from botocore.credentials import Credentials  # type: ignore[import-untyped]

from watchwire.delivery.channels import (
    CHANNELS,
    ChannelContext,
    ChannelError,
    ContactTarget,
    mask,
    normalize_args,
    render,
    send,
)
from watchwire.delivery.channels.cloudwatch import CloudWatchChannel
from watchwire.delivery.channels.sigv4 import sign, signing_key
from watchwire.errors import ValidationError
from watchwire.events.event import Event
from watchwire.target_policy import TargetPolicy

LOOPBACK = TargetPolicy(allow_private=True)
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+), "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


def botocore_signature(
    method: str, url: str, headers: dict[str, str], body: bytes, amz_date: str, region: str
) -> str:
    """The signature botocore computes over the signed headers of a received request, at the
    request's own X-Amz-Date."""
    request = AWSRequest(method=method, url=url, headers=headers, data=body)
    request.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(KEY_ID, SECRET), "logs", region)
    canonical = auth.canonical_request(request)
    return str(auth.signature(auth.string_to_sign(request, canonical), request))


@dataclass
class LogsEndpoint:
    """Records the PutLogEvents calls it accepts; answers `status` when it is not 200."""

    base: str = ""
    region: str = "eu-west-1"
    status: int = 200
    events: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _logs_app(endpoint: LogsEndpoint) -> web.Application:
    async def put_log_events(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        auth = _AUTH.match(request.headers.get("Authorization", ""))
        if auth is None:
            endpoint.problems.append("no SigV4 Authorization header")
            return web.json_response({"__type": "MissingAuthenticationToken"}, status=403)
        signed = auth["signed"].split(";")
        amz_date = request.headers.get("X-Amz-Date", "")
        expected = botocore_signature(
            request.method,
            endpoint.base + request.path_qs,
            {name: request.headers[name] for name in signed},
            body,
            amz_date,
            endpoint.region,
        )
        date = amz_date[:8]
        if auth["key"] != KEY_ID or auth["scope"] != f"{date}/{endpoint.region}/logs/aws4_request":
            endpoint.problems.append(f"wrong credential {auth['key']}/{auth['scope']}")
        if not {"host", "x-amz-date", "x-amz-target", "content-type"} <= set(signed):
            endpoint.problems.append(f"signed headers {signed}")
        if auth["signature"] != expected:
            endpoint.problems.append("signature mismatch")
        if endpoint.problems:
            return web.json_response({"__type": "InvalidSignatureException"}, status=403)
        if request.headers.get("X-Amz-Target") != "Logs_20140328.PutLogEvents":
            return web.json_response({"__type": "UnknownOperationException"}, status=400)
        if request.headers.get("Content-Type") != "application/x-amz-json-1.1":
            return web.json_response({"__type": "SerializationException"}, status=400)
        if endpoint.status != 200:
            return web.json_response({"__type": "Refused"}, status=endpoint.status)
        endpoint.events.append(json.loads(body))
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/", put_log_events)
    return app


@pytest.fixture
async def logs() -> AsyncIterator[LogsEndpoint]:
    endpoint = LogsEndpoint()
    runner = web.AppRunner(_logs_app(endpoint), shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield endpoint
    finally:
        await runner.cleanup()


def down_event() -> Event:
    return Event(
        sid="TA" + "3" * 32,
        account_sid="AC" + "0" * 32,
        type="monitor.down",
        description="https://shop.example.com is down: HTTP 503 after 3 checks",
        payload={"name": "Shop", "url": "https://shop.example.com", "status_code": 503},
        created_at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
        resource_type="monitor",
        resource_sid="MO" + "4" * 32,
    )


def args(**overrides: Any) -> dict[str, Any]:
    return {
        "region": "eu-west-1",
        "access_key_id": KEY_ID,
        "secret_access_key": SECRET,
        "log_group": "/watchwire/alerts",
        "log_stream": "production",
        **overrides,
    }


def cloudwatch_contact(endpoint: LogsEndpoint) -> ContactTarget:
    ctx = ChannelContext(policy=LOOPBACK)
    stored = normalize_args("aws-cloudwatch", "", args(endpoint=endpoint.base), ctx)
    return ContactTarget("CO" + "2" * 32, "aws-cloudwatch", stored)


async def test_an_alert_is_one_signed_log_event(logs: LogsEndpoint) -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    await send(cloudwatch_contact(logs), down_event(), ChannelContext(policy=LOOPBACK))

    assert logs.problems == []
    [call] = logs.events
    assert call["logGroupName"] == "/watchwire/alerts"
    assert call["logStreamName"] == "production"
    [log_event] = call["logEvents"]
    assert before <= log_event["timestamp"] <= int(datetime.now(UTC).timestamp() * 1000)
    rendered = render(down_event())
    assert json.loads(log_event["message"]) == {
        "event_sid": "TA" + "3" * 32,
        "event_type": "monitor.down",
        "title": rendered.title,
        "message": rendered.text,
    }


async def test_a_wrong_secret_fails_the_signature_check(logs: LogsEndpoint) -> None:
    stored = cloudwatch_contact(logs)
    forged = ContactTarget(
        stored.sid, stored.type, {**stored.args, "secret_access_key": "not-the-secret"}
    )
    with pytest.raises(ChannelError) as failure:
        await send(forged, down_event(), ChannelContext(policy=LOOPBACK))
    assert logs.problems == ["signature mismatch"]
    assert failure.value.permanent


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (503, False), (429, False)])
async def test_failures_are_sorted(logs: LogsEndpoint, status: int, permanent: bool) -> None:
    logs.status = status
    with pytest.raises(ChannelError) as failure:
        await send(cloudwatch_contact(logs), down_event(), ChannelContext(policy=LOOPBACK))
    assert failure.value.permanent is permanent
    assert str(status) in failure.value.message


async def test_the_endpoint_passes_the_target_policy(logs: LogsEndpoint) -> None:
    with pytest.raises(ChannelError) as failure:
        await send(cloudwatch_contact(logs), down_event(), ChannelContext())
    assert failure.value.permanent
    assert logs.events == []


def test_defaults_and_masking() -> None:
    stored = normalize_args("aws-cloudwatch", "", args(), ChannelContext())
    assert stored["contact"] == "/watchwire/alerts:production"
    assert "endpoint" not in stored
    channel = CHANNELS["aws-cloudwatch"]
    assert channel.secret_args == frozenset({"secret_access_key"})
    assert mask(SECRET) == "****EKEY"
    target = ContactTarget("", "aws-cloudwatch", stored)
    assert isinstance(channel, CloudWatchChannel)
    assert channel.endpoint(target) == "https://logs.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"region": None}, "args.region"),
        ({"region": "Ireland"}, "args.region"),
        ({"access_key_id": ""}, "args.access_key_id"),
        ({"access_key_id": "not a key"}, "args.access_key_id"),
        ({"secret_access_key": None}, "args.secret_access_key"),
        ({"log_group": "bad group!"}, "args.log_group"),
        ({"log_stream": "a:b"}, "args.log_stream"),
        ({"endpoint": "ftp://logs.example.com"}, "args.endpoint"),
        ({"colour": "red"}, "args.colour"),
    ],
)
def test_bad_args_are_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    given = {k: v for k, v in args(**overrides).items() if v is not None}
    with pytest.raises(ValidationError) as refused:
        normalize_args("aws-cloudwatch", "", given, ChannelContext())
    assert refused.value.details[0]["field"] == field


# -- sigv4.py against AWS's published examples --------------------------------------------

VANILLA_KEY_ID = "AKIDEXAMPLE"
VANILLA_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def test_get_vanilla() -> None:
    """AWS's SigV4 test suite, `get-vanilla`: GET / on example.amazonaws.com."""
    signed = sign(
        "GET",
        "https://example.amazonaws.com/",
        {},
        b"",
        region="us-east-1",
        service="service",
        access_key_id=VANILLA_KEY_ID,
        secret_access_key=VANILLA_SECRET,
        now=datetime(2015, 8, 30, 12, 36, tzinfo=UTC),
    )
    assert signed["X-Amz-Date"] == "20150830T123600Z"
    assert signed["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )
    # botocore, given the same request, computes the same signature.
    request = AWSRequest(
        method="GET",
        url="https://example.amazonaws.com/",
        headers={"X-Amz-Date": "20150830T123600Z"},
    )
    request.context["timestamp"] = "20150830T123600Z"
    auth = SigV4Auth(Credentials(VANILLA_KEY_ID, VANILLA_SECRET), "service", "us-east-1")
    expected = auth.signature(
        auth.string_to_sign(request, auth.canonical_request(request)), request
    )
    assert signed["Authorization"].endswith(f"Signature={expected}")


def test_signing_key_derivation() -> None:
    """The key-derivation example of AWS's documentation (IAM, us-east-1, 2012-02-15)."""
    key = signing_key(VANILLA_SECRET, "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
