"""001's check fields, read from a request and translated into the monitor service's:

    url + type        kind and target: http/https → `http` (the URL as given), icmp → `ping`,
                      tcp/tcps → `tcp`/`tcps` (`tcp://host:port` → `host:port`), pulse →
                      `heartbeat` (no URL: its ping URL is made for it); without `type`, the
                      URL's scheme says which
    alias (or name)   name            period            interval (15 … 3600, updown's list)
    apdex_t           apdex_t_ms      enabled           not paused
    string_match      options.keyword http_verb         options.method (`GET/HEAD` → GET)
    http_body         options.body    custom_headers    options.headers
    mute_until        mute_until      recipients[]      recipients (`type:SID` or SID)
    disabled_locations[]              disabled_locations (location codes, /api/nodes)

Rules updown states as lists are checked here, in its words ("is not included in the list
(given: 45)"); every other rule is the service's, whose errors name 001's fields.
"""

from __future__ import annotations

from typing import Any

from watchwire.api.dialects.kit.fields import Fields, invalid
from watchwire.events import updown_check
from watchwire.ids import is_sid
from watchwire.services.monitor_records import Monitor

PERIODS = (15, 30, 60, 120, 300, 600, 1800, 3600)
APDEX_TS = (0.125, 0.25, 0.5, 1.0, 2.0)
# updown's check types → watchwire's monitor kinds.
TYPES = {
    "http": "http",
    "https": "http",
    "icmp": "ping",
    "tcp": "tcp",
    "tcps": "tcps",
    "pulse": "heartbeat",
}
HTTP_VERBS = ("GET/HEAD", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# The schemes a URL names its type by; `tcp://`, `tcps://` and `icmp://` wrap a host[:port].
_WRAPPED = ("tcp", "tcps", "icmp")
_URL_LENGTH = 2048
RECIPIENT_KINDS = ("contact", "contact_group", "webhook")


def not_in_list(field: str, given: object) -> Exception:
    return invalid(field, "enum", f"{field} is not included in the list (given: {given})")


def _scheme(url: str) -> str | None:
    scheme, sep, _ = url.partition("://")
    return scheme.lower() if sep else None


def check_type(fields: Fields, url: str | None) -> str:
    """The check's updown type: `type` as given, else the URL's scheme (http by default)."""
    given = fields.text("type", max_length=64)
    if given is not None:
        if given.lower() not in TYPES:
            raise not_in_list("type", given)
        return given.lower()
    scheme = _scheme(url or "")
    return scheme if scheme in TYPES else "http"


def target_of(kind_type: str, url: str) -> str:
    """The monitor's target for a check URL of `kind_type`."""
    if kind_type in _WRAPPED:
        scheme = _scheme(url)
        return url.partition("://")[2].rstrip("/") if scheme in _WRAPPED else url
    if _scheme(url) is None:
        # updown takes `example.com/` and means the web page.
        return f"{'https' if kind_type == 'https' else 'http'}://{url}"
    return url


def period(fields: Fields) -> int | None:
    text = fields.text("period", max_length=32)
    if text is None:
        return None
    if not text.isdigit() or int(text) not in PERIODS:
        raise not_in_list("period", text)
    return int(text)


def apdex_t_ms(fields: Fields) -> float | None:
    text = fields.text("apdex_t", max_length=32)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise not_in_list("apdex_t", text) from None
    if value not in APDEX_TS:
        raise not_in_list("apdex_t", text)
    return value * 1000


def recipient_sid(field: str, value: str) -> str:
    """The SID a recipient id names: `email:CO…`, `webhook:WH…` or the SID alone."""
    sid = value.rpartition(":")[2]
    if not any(is_sid(kind, sid) for kind in RECIPIENT_KINDS):
        raise invalid(field, "pattern", f"{field} is not a recipient id (given: {value})")
    return sid


def recipients(fields: Fields) -> list[str] | None:
    given = fields.items("recipients", max_items=100)
    if given is None:
        return None
    return [recipient_sid(f"recipients[{i}]", value) for i, value in enumerate(given)]


def _http_options(fields: Fields, current: dict[str, Any]) -> dict[str, Any]:
    options = dict(current)
    if fields.has("string_match"):
        keyword = fields.text("string_match", max_length=1024)
        if keyword is None:
            options.pop("keyword", None)
        else:
            options["keyword"] = keyword
    verb = fields.text("http_verb", max_length=16)
    if verb is not None:
        if verb.upper() not in HTTP_VERBS:
            raise not_in_list("http_verb", verb)
        # `GET/HEAD` is updown's default: a GET (watchwire reads the body it may match).
        options["method"] = "GET" if verb.upper() == "GET/HEAD" else verb.upper()
    if fields.has("http_body"):
        body = fields.text("http_body", max_length=65_536, lines=True)
        if body is None:
            options.pop("body", None)
        else:
            options["body"] = body
    if fields.has("custom_headers"):
        headers = fields.mapping("custom_headers") or {}
        for name, value in headers.items():
            if not isinstance(value, str):
                raise invalid(
                    f"custom_headers.{name}", "string", f"custom_headers.{name} must be a string"
                )
        options["headers"] = headers
    return options


def _alias(fields: Fields) -> str | None:
    name = "alias" if fields.has("alias") else "name"
    return fields.text(name, max_length=255) if fields.has(name) else None


def _common(fields: Fields, values: dict[str, Any]) -> None:
    if fields.has("alias") or fields.has("name"):
        values["name"] = _alias(fields) or ""
    chosen = period(fields)
    if chosen is not None:
        values["interval"] = chosen
    apdex = apdex_t_ms(fields)
    if apdex is not None:
        values["apdex_t_ms"] = apdex
    enabled = fields.boolean("enabled")
    if enabled is not None:
        values["paused"] = not enabled
    if fields.has("mute_until"):
        values["mute_until"] = fields.text("mute_until", max_length=64)
    chosen_recipients = recipients(fields)
    if chosen_recipients is not None:
        values["recipients"] = chosen_recipients
    disabled = fields.items("disabled_locations", max_length=16, max_items=50)
    if disabled is not None:
        values["disabled_locations"] = disabled


def create_fields(fields: Fields) -> dict[str, Any]:
    """The monitor service's fields of a new check."""
    url = fields.text("url", max_length=_URL_LENGTH)
    kind_type = check_type(fields, url)
    values: dict[str, Any] = {"kind": TYPES[kind_type]}
    if kind_type != "pulse":
        if url is None:
            raise invalid("url", "required", "url can't be blank")
        values["target"] = target_of(kind_type, url)
    _common(fields, values)
    if values["kind"] == "http":
        values["options"] = _http_options(fields, {})
    return values


def update_fields(fields: Fields, current: Monitor) -> dict[str, Any]:
    """The changes to an existing check (its kind stays)."""
    values: dict[str, Any] = {}
    url = fields.text("url", max_length=_URL_LENGTH)
    if fields.has("type") and TYPES[check_type(fields, url)] != current.kind:
        raise invalid("type", "immutable", "type cannot be changed")
    if url is not None and current.kind != "heartbeat":
        values["target"] = target_of(rendered_type(current), url)
    _common(fields, values)
    if current.kind == "http":
        options = _http_options(fields, current.options)
        if options != current.options:
            values["options"] = options
    return values


def published(fields: Fields) -> bool | None:
    return fields.boolean("published")


def rendered_type(monitor: Monitor) -> str:
    """The updown type of a monitor (watchwire's other kinds keep their own names)."""
    return updown_check.check_type(monitor.kind, monitor.target)
