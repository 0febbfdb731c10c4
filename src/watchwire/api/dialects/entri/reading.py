"""002's request bodies: a domain (`domain`, `dnsRecords`, `user_id`), its records
(`dnsRecords: [{type, host, value, ttl, priority}]`) and batches of domains. 002 marks
`type`, `host`, `value` and `ttl` of every record as required (watchwire's own API defaults
`host` and `ttl`); their values' rules (types, ranges, names) are the domain service's.
Errors name the field as the request spelled it: `dnsRecords[1].ttl`, `domains[3].domain`."""

from __future__ import annotations

from typing import Any

from watchwire.api.dialects.kit.fields import Fields, invalid
from watchwire.errors import ValidationError

RECORDS = "dnsRecords"
REQUIRED = ("type", "host", "value", "ttl")
OPTIONAL = ("priority",)
# More than the service accepts, so its own bound (100) is the one a client meets.
_MAX_LIST = 1000
_MAX_DOMAIN = 253


def domain_name(value: str, field: str = "domain_name") -> str:
    """A domain named in the path, free of control characters and of sane length."""
    return Fields({field: value}).text(field, required=True, max_length=_MAX_DOMAIN) or ""


def _list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(field, "list", f"{field} must be a list")
    if len(value) > _MAX_LIST:
        raise invalid(field, "max_items", f"{field} must have at most {_MAX_LIST} items")
    return value


def dns_records(values: Any, field: str = RECORDS) -> list[dict[str, Any]]:
    """The records of a body, each with 002's required keys present, as the service takes
    them."""
    if values is None:
        raise invalid(field, "required", f"{field} is required")
    items = _list(values, field)
    if not items:
        raise invalid(field, "min_items", f"{field} must hold at least one record")
    records = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if not isinstance(item, dict):
            raise invalid(where, "object", f"{where} must be an object")
        for name in REQUIRED:
            if item.get(name) is None or item.get(name) == "":
                raise invalid(f"{where}.{name}", "required", f"{where}.{name} is required")
        records.append({k: item[k] for k in (*REQUIRED, *OPTIONAL) if item.get(k) is not None})
    return records


def domain_body(fields: Fields) -> dict[str, Any]:
    """A domain as `POST /monitor/domains` (and each batch item) sends it."""
    body: dict[str, Any] = {"domain": fields.text("domain", required=True, max_length=_MAX_DOMAIN)}
    body["records"] = dns_records(fields.values.get(RECORDS))
    user_id = fields.text("user_id", max_length=255)
    if user_id is not None:
        body["user_id"] = user_id
    return body


def batch_body(fields: Fields) -> dict[str, Any]:
    """`{"domains": [{domain, dnsRecords, user_id}, …]}` as the service's batch."""
    values = fields.values.get("domains")
    if values is None:
        raise invalid("domains", "required", "domains is required")
    items = []
    for index, item in enumerate(_list(values, "domains")):
        where = f"domains[{index}]"
        if not isinstance(item, dict):
            raise invalid(where, "object", f"{where} must be an object")
        try:
            items.append(domain_body(Fields(item)))
        except ValidationError as exc:
            raise _within(where, exc) from None
    return {"domains": items}


def _within(prefix: str, exc: ValidationError) -> ValidationError:
    """A validation error of a nested object, its field named from the top of the body."""
    if not isinstance(exc.details, list) or len(exc.details) != 1:
        return exc
    [detail] = exc.details
    field = f"{prefix}.{detail['field']}"
    message = str(detail["message"])
    if message.startswith(str(detail["field"])):
        message = prefix + "." + message
    return invalid(field, str(detail["rule"]), message)
