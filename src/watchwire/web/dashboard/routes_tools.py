"""The one-off tools (services/tools.py, the probes of `/v1/tools`): HTTP, the header check
with its score, ports, ping, traceroute, DNS with DNSSEC, IP lookup, TLS and blocklists, run
now under the server's target policy; the result shown as its outcome, findings and the
whole result. A run is charged to the account's request budget like an API call."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from watchwire.errors import ProbeError, ValidationError
from watchwire.ratelimit import minute_and_day
from watchwire.services.tools import TOOLS, parse_options, run_tool
from watchwire.web.dashboard import session
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)


@router.get("/tools")
async def tools_page(request: Request, tool: str | None = None) -> Response:
    current = await session.visit(request)
    chosen = tool if tool in TOOLS else "headers"
    return _page(current, chosen, target="", options="")


@router.post("/tools")
async def run(request: Request) -> Response:
    # Reading only, so every role may; still a form of this session (CSRF).
    current, form = await session.posted(request, None)
    name = str(form.get("tool") or "")
    if name not in TOOLS:
        raise ValidationError.field("tool", "enum", f"tool: one of {', '.join(TOOLS)}")
    tool = TOOLS[name]
    target = str(form.get("target") or "")
    options_text = str(form.get("options") or "").strip()
    runtime = session.runtime_of(request)
    plan = current.account.plan
    await runtime.limiter.hit(
        current.account.sid, minute_and_day(plan.requests_per_minute, plan.requests_per_day)
    )
    try:
        raw: Any = json.loads(options_text) if options_text else {}
        if not isinstance(raw, dict):
            raise ValidationError.field("options", "json", "options: a JSON object")
        result = await run_tool(tool, target, parse_options(tool, raw), runtime.probe_ctx)
    except json.JSONDecodeError as exc:
        return _page(current, name, target, options_text, error=f"options: not JSON ({exc.msg})")
    except (ValidationError, ProbeError) as exc:
        return _page(current, name, target, options_text, error=exc.message)
    whole = result.to_json()
    return _page(
        current,
        name,
        target,
        options_text,
        result=whole,
        shown=json.dumps(whole, indent=2, ensure_ascii=False),
    )


def _page(
    current: session.Visit,
    tool: str,
    target: str,
    options: str,
    *,
    error: str | None = None,
    result: dict[str, Any] | None = None,
    shown: str = "",
) -> Response:
    return render(
        "tools.html",
        400 if error else 200,
        visit=current,
        section="/tools",
        tools=TOOLS,
        tool=tool,
        target=target,
        options=options,
        error=error,
        result=result,
        shown=shown,
    )
