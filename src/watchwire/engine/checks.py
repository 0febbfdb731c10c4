"""Running one monitor's check: its kind's probe (engine/kinds) under the kind's time limit,
the result read by the kind as pass/fail, response time, timing phases and the error."""

from __future__ import annotations

import asyncio
from typing import Any

from watchwire.engine.kinds import get_kind
from watchwire.engine.kinds.base import CheckResult, CheckSpec
from watchwire.errors import ProbeError
from watchwire.probes.base import ProbeContext


async def run_check(spec: CheckSpec, ctx: ProbeContext) -> CheckResult:
    """Run the probe; a probe that cannot run (unresolvable name, refused target) is a failed
    check with its reason, not an engine error."""
    kind = get_kind(spec.kind)
    probe = kind.probe_function()
    try:
        options = kind.probe_options(spec.options, spec.timeout)
        async with asyncio.timeout(kind.time_limit(spec, options)):
            result = await probe(spec.target, options, ctx)
    except TimeoutError:
        return CheckResult(False, None, f"no answer within {spec.timeout:g} s", status="timeout")
    except ProbeError as exc:
        return CheckResult(False, None, exc.message, status="error")
    return kind.interpret(spec, result)


def monitor_payload(row: Any) -> dict[str, Any]:
    """The monitor as every monitor event carries it (under the payload's `monitor`)."""
    return {"sid": row.sid, "name": row.name, "kind": row.kind, "target": row.target}
