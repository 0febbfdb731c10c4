"""Logging setup from settings: plain text for people, one JSON object per line for machines.

What happens to the things watchwire watches is logged at INFO with structured fields
(`note`): a monitor going down or up, a delivery attempt failing, an endpoint disabled, and
one access-log line per HTTP request (`AccessLog`). In text the fields follow the message as
`key=value`; in JSON they are keys of the line's object beside `message`.

Every line also names the work it was logged for, from context variables set where that
work starts (`bound`): `request_id` inside an HTTP request (api/middleware), `check_id` (the
monitor's or scheduled row's SID) inside a check, `delivery_id` inside a delivery attempt.
Context variables follow asyncio tasks, so concurrent checks never see each other's ids.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from watchwire.config import ACCESS_FIELDS, DEFAULT_ACCESS_FORMAT, Settings, check_access_format

REQUEST_ID: ContextVar[str | None] = ContextVar("watchwire_request_id", default=None)
CHECK_ID: ContextVar[str | None] = ContextVar("watchwire_check_id", default=None)
DELIVERY_ID: ContextVar[str | None] = ContextVar("watchwire_delivery_id", default=None)
_IDS = (("request_id", REQUEST_ID), ("check_id", CHECK_ID), ("delivery_id", DELIVERY_ID))


@contextmanager
def bound(variable: ContextVar[str | None], value: str | None) -> Iterator[None]:
    """Lines logged inside the block carry `value` under `variable`'s name."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def context_ids() -> dict[str, str]:
    """The ids of the work the current task is doing (see the module doc)."""
    return {name: value for name, variable in _IDS if (value := variable.get()) is not None}


def note(logger: logging.Logger, message: str, **fields: Any) -> None:
    """Log `message` at INFO with `fields` kept apart from the text (see the module doc)."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(message, extra={"fields": fields})


def _text_value(value: Any) -> str:
    text = "-" if value is None else str(value)
    # Quoted when a reader could not tell where the value ends.
    return json.dumps(text) if not text or any(c in text for c in ' "=\n') else text


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields: dict[str, Any] = getattr(record, "fields", None) or {}
        if getattr(record, "fields_in_message", False):
            return line  # the access log's template already says what it wants shown
        shown = {**fields, **{k: v for k, v in context_ids().items() if k not in fields}}
        if not shown:
            return line
        return line + " " + " ".join(f"{k}={_text_value(v)}" for k, v in shown.items())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in (getattr(record, "fields", None) or {}).items():
            entry.setdefault(key, value)
        for key, value in context_ids().items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class AccessLog:
    """One INFO line per HTTP request on the `watchwire.access` logger."""

    def __init__(self, template: str) -> None:
        self.template = check_access_format(template)
        self.logger = logging.getLogger("watchwire.access")

    def __call__(self, **fields: Any) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        shown = {name: fields.get(name) for name in ACCESS_FIELDS}
        values = {k: "-" if v is None else v for k, v in shown.items()}
        try:
            message = self.template.format(**values)
        except (ValueError, TypeError):  # a spec like {account:>10d} that "-" does not fit
            message = DEFAULT_ACCESS_FORMAT.format(**values)
        # The text line is the template; the JSON line has the fields as keys besides.
        self.logger.info(message, extra={"fields": shown, "fields_in_message": True})


def configure(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Alembic narrates every migration step at INFO; the revision reached is logged by us.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
