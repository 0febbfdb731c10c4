"""`/v1/agent/…`: what `watchwire agent` asks of the central service (decision 0032),
authenticated by its location's agent token (`Authorization: Bearer wwa_…`), not an API key.

    POST /v1/agent/heartbeat   {instance, version}              → {location, timeout_minutes}
    POST /v1/agent/work        {instance, limit}                → [work …], leased to it
    POST /v1/agent/results     {instance, batch_id, results}    → {written, discarded, duplicate}

A batch id names one batch for good: sent again (the answer was lost in an outage), it is
answered `duplicate: true` and written no second time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from typing_extensions import TypedDict

from watchwire.api.auth import runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native.openapi import answer
from watchwire.clock import as_utc
from watchwire.engine.kinds.base import CheckResult
from watchwire.engine.location_runs import LocationResult
from watchwire.errors import AuthError
from watchwire.text import SingleLine

router = APIRouter(tags=["agent"])

Instance = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


async def agent_location(request: Request) -> str:
    """The location whose agent token the request carries."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError(
            "an agent token is required (Authorization: Bearer …)", code="auth_required"
        )
    return await runtime_of(request).locations.authenticate(token.strip())


Location = Annotated[str, Depends(agent_location)]


class HeartbeatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instance: Instance
    version: SingleLine = Field(default="", max_length=32)
    # The instance has just (re)started: the checks leased to it before are given back.
    started: bool = False


class WorkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instance: Instance
    limit: int = Field(default=100, ge=0, le=1000)


class ResultBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sid: SingleLine = Field(max_length=34)
    due: datetime
    started_at: datetime
    checked_at: datetime
    ok: bool
    response_ms: float | None = Field(default=None, ge=0)
    error: str | None = Field(default=None, max_length=10_000)
    status: int | SingleLine | None = None
    phases: dict[str, float] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)

    def to_result(self) -> LocationResult:
        return LocationResult(
            self.sid,
            as_utc(self.due),
            as_utc(self.started_at),
            as_utc(self.checked_at),
            CheckResult(
                self.ok,
                self.response_ms,
                self.error,
                phases=self.phases,
                details=self.details,
                status=self.status,
            ),
        )


class ResultsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instance: Instance
    batch_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    results: list[ResultBody] = Field(max_length=2000)


@answer
class HeartbeatJson(TypedDict):
    location: str
    timeout_minutes: int


@answer
class WorkJson(TypedDict):
    sid: str
    kind: str
    target: str
    options: dict[str, Any]
    timeout: float
    interval: int
    expect: list[str]
    due: str


@answer
class WrittenJson(TypedDict):
    written: int
    discarded: int
    duplicate: bool


@router.post("/agent/heartbeat", summary="An agent instance is alive", response_model=HeartbeatJson)
async def heartbeat(request: Request, body: HeartbeatBody, location: Location) -> JsonResponse:
    beat = await runtime_of(request).agents.heartbeat(
        location, body.instance, body.version, started=body.started
    )
    return ok(request, {"location": beat.location, "timeout_minutes": beat.timeout_minutes})


@router.post(
    "/agent/work",
    summary="Lease the location's due checks to this instance",
    response_model=list[WorkJson],
)
async def work(request: Request, body: WorkBody, location: Location) -> JsonResponse:
    runtime = runtime_of(request)
    await runtime.agents.heartbeat(location, body.instance, "")
    found = await runtime.agents.claim(location, body.instance, body.limit)
    return ok(request, [w.to_json() for w in found])


@router.post(
    "/agent/results",
    summary="Write a batch of this location's results (once per batch id)",
    response_model=WrittenJson,
)
async def results(request: Request, body: ResultsBody, location: Location) -> JsonResponse:
    written = await runtime_of(request).agents.record(
        location, body.instance, body.batch_id, [r.to_result() for r in body.results]
    )
    return ok(
        request,
        {
            "written": written.written,
            "discarded": written.discarded,
            "duplicate": written.duplicate,
        },
    )
