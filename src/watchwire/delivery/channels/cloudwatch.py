"""The `aws-cloudwatch` channel: each notification is one log event in the contact's
CloudWatch Logs stream (`PutLogEvents`, JSON protocol, signed with SigV4).

Written by hand: Apprise has no CloudWatch service. The log group and stream must exist (the
channel does not create them); the message of the log event is a JSON object
`{event_sid, event_type, title, message}` so Logs Insights and metric filters can pick
fields. The endpoint defaults to `https://logs.{region}.amazonaws.com`; an override (a VPC
endpoint, a test server) is checked by the target policy like every other URL.
"""

from __future__ import annotations

import re
import time
from typing import Any, ClassVar

import orjson

from watchwire.delivery.channels._base import (
    Channel,
    ChannelContext,
    ContactTarget,
    Message,
    required_arg,
)
from watchwire.delivery.channels._http import post_json
from watchwire.delivery.channels.sigv4 import sign
from watchwire.delivery.webhook import url_syntax_problem
from watchwire.errors import ValidationError

TARGET = "Logs_20140328.PutLogEvents"
CONTENT_TYPE = "application/x-amz-json-1.1"
SERVICE = "logs"

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_ACCESS_KEY_ID = re.compile(r"^[A-Z0-9]{16,128}$")
_LOG_GROUP = re.compile(r"^[A-Za-z0-9_\-/.#]{1,512}$")
_LOG_STREAM = re.compile(r"^[^:*]{1,512}$")


def log_message(message: Message) -> str:
    """The log event's message: the alert as a JSON object."""
    return orjson.dumps(
        {
            "event_sid": message.event_sid,
            "event_type": message.event_type,
            "title": message.title,
            "message": message.text,
        }
    ).decode()


class CloudWatchChannel(Channel):
    """contact: a label (default `{log_group}:{log_stream}`); args: AWS credentials, region,
    log group and stream, optional endpoint."""

    type: ClassVar[str] = "aws-cloudwatch"
    allowed_args: ClassVar[frozenset[str]] = frozenset(
        {"region", "access_key_id", "secret_access_key", "log_group", "log_stream", "endpoint"}
    )
    secret_args: ClassVar[frozenset[str]] = frozenset({"secret_access_key"})

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        checks = (
            ("region", _REGION, "an AWS region such as eu-west-1"),
            ("access_key_id", _ACCESS_KEY_ID, "an AWS access key id (AKIA…)"),
            ("secret_access_key", None, ""),
            ("log_group", _LOG_GROUP, "a log group name (letters, digits, _-/.#)"),
            ("log_stream", _LOG_STREAM, "a log stream name (no ':' or '*')"),
        )
        normalized = dict(args)
        for name, pattern, what in checks:
            value = required_arg(args, name, self.type)
            if pattern is not None and not pattern.match(value):
                raise ValidationError.field(f"args.{name}", "format", f"{name} must be {what}")
            normalized[name] = value
        endpoint = args.get("endpoint")
        if endpoint is not None:
            if not isinstance(endpoint, str) or not endpoint.strip().lower().startswith(
                ("http://", "https://")
            ):
                raise ValidationError.field(
                    "args.endpoint", "url", "endpoint must be an http:// or https:// URL"
                )
            problem = url_syntax_problem(endpoint.strip())
            if problem is not None:
                raise ValidationError.field("args.endpoint", "url", problem)
            normalized["endpoint"] = endpoint.strip().rstrip("/") or endpoint.strip()
        label = contact.strip() or f"{normalized['log_group']}:{normalized['log_stream']}"
        return super().normalize(label, normalized, ctx)

    def endpoint(self, contact: ContactTarget) -> str:
        configured = contact.args.get("endpoint")
        if configured:
            return str(configured)
        return f"https://logs.{contact.args.get('region', '')}.amazonaws.com"

    async def send(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> None:
        args = contact.args
        payload = {
            "logGroupName": str(args.get("log_group", "")),
            "logStreamName": str(args.get("log_stream", "")),
            "logEvents": [{"timestamp": int(time.time() * 1000), "message": log_message(message)}],
        }
        url = self.endpoint(contact)
        if not url.endswith("/") and url.count("/") == 2:
            url += "/"  # POST / : the path is part of the signature
        # post_json sends orjson.dumps(payload): the same bytes as signed here.
        headers = sign(
            "POST",
            url,
            {"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET},
            orjson.dumps(payload),
            region=str(args.get("region", "")),
            service=SERVICE,
            access_key_id=str(args.get("access_key_id", "")),
            secret_access_key=str(args.get("secret_access_key", "")),
        )
        await post_json(url, payload, policy=ctx.policy, timeout=ctx.timeout, headers=headers)
