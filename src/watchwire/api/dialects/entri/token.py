"""`POST /token`: `{"applicationId", "secret"}` (an API key's SID and secret) → `{"auth_token":
"<JWT>"}`, valid 60 minutes (GAPS.md). JSON as 002's clients send it; a form body works too."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.entri.auth import charge
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.envelope import JsonResponse

router = APIRouter(tags=["token"])
# A key's SID is 34 characters and its secret 64: more is not a key.
_MAX = 128


@router.post("/token")
async def create_token(request: Request) -> JsonResponse:
    fields = await read_fields(request)
    # Both required: text() raises naming the field when either is absent.
    application_id = fields.text("applicationId", required=True, max_length=_MAX) or ""
    secret = fields.text("secret", required=True, max_length=_MAX) or ""
    client = request.client.host if request.client else None
    issued = await runtime_of(request).tokens.issue(application_id, secret, client)
    await charge(request, issued.principal)
    return JsonResponse({"auth_token": issued.token})
