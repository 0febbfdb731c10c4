"""The one exception tree of watchwire.

Services and probes raise these; each face (native API, dialects, CLI) maps them to its own
error envelope in exactly one place.

    WatchwireError
    ├── ValidationError          bad input: names the field and the rule        (400)
    ├── AuthError                no credential / wrong credential               (401)
    ├── ForbiddenError           scope, read-only key, IP allowlist             (403)
    ├── NotFoundError            no such row for this account                   (404)
    ├── ConflictError            duplicate, idempotent request still running    (409)
    ├── LimitError               plan limit reached (webhooks, monitors)        (403/409)
    ├── RateLimitedError         per-minute or daily request budget spent       (429)
    ├── UnavailableError         the database is unreachable, or its disk full  (503)
    └── ProbeError               a probe could not run at all
        └── TargetNotAllowed     the target policy refused the address
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Pydantic's error types, renamed where a plainer word says the rule better.
_RULES = {"missing": "required", "extra_forbidden": "unknown_field"}


class WatchwireError(Exception):
    """Base of every error watchwire raises on purpose."""

    code: str = "error"
    status: int = 400

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class ValidationError(WatchwireError):
    """Input broke a rule. `details` is a list of {field, rule, message}."""

    code = "missing_parameter"
    status = 400

    @classmethod
    def field(cls, field: str, rule: str, message: str) -> ValidationError:
        return cls(message, details=[{"field": field, "rule": rule, "message": message}])

    @classmethod
    def from_pydantic(
        cls, errors: Iterable[Mapping[str, Any]], prefix: str = "", skip: Iterable[str] = ()
    ) -> ValidationError:
        """One detail per pydantic error: the field as a dotted path (`prefix` first, the
        location parts in `skip` left out), the rule as pydantic's error type."""
        details = validation_details(errors, prefix, skip)
        return cls("; ".join(d["message"] for d in details) or "invalid input", details=details)


def validation_details(
    errors: Iterable[Mapping[str, Any]], prefix: str = "", skip: Iterable[str] = ()
) -> list[dict[str, str]]:
    skipped = set(skip)
    details = []
    for err in errors:
        path = ".".join(str(p) for p in err.get("loc", ()) if p not in skipped)
        field = (prefix + path).rstrip(".") or prefix.rstrip(".") or "body"
        kind = str(err.get("type", "invalid"))
        details.append(
            {
                "field": field,
                "rule": _RULES.get(kind, kind),
                "message": f"{field}: {err.get('msg', 'invalid value')}",
            }
        )
    return details


class AuthError(WatchwireError):
    code = "invalid_api_key"
    status = 401


class ForbiddenError(WatchwireError):
    code = "insufficient_scope"
    status = 403


class NotFoundError(WatchwireError):
    code = "not_found"
    status = 404


class ConflictError(WatchwireError):
    code = "conflict"
    status = 409


class LimitError(WatchwireError):
    code = "limit_reached"
    status = 403


class RateLimitedError(WatchwireError):
    code = "rate_limit_exceeded"
    status = 429

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class UnavailableError(WatchwireError):
    """The database cannot do its part now: unreachable (`database_unavailable`) or out of
    space (`storage_full`). Nothing was written; the same request may succeed later."""

    code = "database_unavailable"
    status = 503


class ProbeError(WatchwireError):
    """A probe could not be run (bad target, missing privilege), as opposed to a target that
    answered badly, which is a normal result with findings."""

    code = "probe_error"
    status = 400


class TargetNotAllowed(ProbeError):
    """The target policy refused to connect to an address."""

    code = "target_not_allowed"
    status = 400
