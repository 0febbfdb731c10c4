"""`/api/v4/webhooks` (scope `webhook`): list every subscription (GET), create one (POST),
change (`PUT ?id=N`) or delete (`DELETE ?id=N`) one, and send it a test event (`POST
?action=test&id=N`). Ids are the subscriptions' integer aliases; every subscription made
here is in the `enterno` delivery format (X-Enterno-Timestamp, X-Enterno-Signature-V2 and,
when `legacy_signature` is set, the body-only X-Enterno-Signature).

The plan's rules are the subscription service's: how many webhooks (Free 1, Starter 5, Pro
20, Business 50: 403 `webhook_limit_reached`), which events (Free: `monitor.down`,
`monitor.up`, `test`), https URLs unless the operator allows http.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.enterno import render
from watchwire.api.dialects.enterno.auth import admit, fields_of
from watchwire.api.dialects.enterno.envelope import V4, Envelope, success
from watchwire.api.dialects.kit.fields import Fields, invalid
from watchwire.api.dialects.kit.paging import every_item
from watchwire.services.accounts import Principal

router = APIRouter(tags=["webhooks"])
PATH = V4 + "/webhooks"
SCOPE = "webhook"
FORMAT = "enterno"


async def _sid(request: Request, fields: Fields) -> str:
    """The SID of the subscription `?id=N` names (404 when none has that id)."""
    alias = fields.text("id", max_length=32)
    if alias is None:
        raise invalid("id", "required", "id is required")
    return await runtime_of(request).aliases.sid_of("webhook", alias)


def _changes(fields: Fields) -> dict[str, Any]:
    return Fields.present(
        {
            "url": fields.text("url", max_length=2048),
            "name": fields.text("name", max_length=255),
            "events": fields.items("events", max_length=64, max_items=50),
            "is_active": fields.boolean("is_active"),
            "legacy_signature": fields.boolean("legacy_signature"),
        }
    )


@router.get(PATH)
async def list_webhooks(request: Request) -> Envelope:
    principal = await admit(request, SCOPE)
    fields = await fields_of(request)
    subscriptions = runtime_of(request).subscriptions
    if fields.has("id"):
        found = await subscriptions.get(principal.account_sid, await _sid(request, fields))
        return success(render.webhook(found))
    listed = await every_item(lambda page: subscriptions.list_page(principal.account_sid, page))
    return success([render.webhook(item) for item in listed])


async def _create(request: Request, principal: Principal, fields: Fields) -> Envelope:
    url = fields.text("url", required=True, max_length=2048) or ""
    created = await runtime_of(request).subscriptions.create(
        principal.account_sid,
        principal.plan,
        url=url,
        name=fields.text("name", max_length=255) or "",
        secret=fields.text("secret", max_length=255),
        events=fields.items("events", max_length=64, max_items=50),
        is_active=fields.boolean("is_active") is not False,
        format=FORMAT,
        legacy_signature=bool(fields.boolean("legacy_signature")),
    )
    return success(render.webhook(created), status=201)


async def _test(request: Request, principal: Principal, fields: Fields) -> Envelope:
    runtime = runtime_of(request)
    sid = await _sid(request, fields)
    sent = await runtime.subscriptions.send_test(principal.account_sid, sid)
    known = await runtime.aliases.aliases_of([sid, *filter(None, [sent.delivery_sid])])
    return success(
        {
            "webhook_id": known.get(sid),
            "event_type": sent.event.type,
            "event_id": sent.event.sid,
            "delivery_id": known.get(sent.delivery_sid or ""),
            "status": "pending",
        }
    )


@router.post(PATH)
async def create_or_test(request: Request) -> Envelope:
    principal = await admit(request, SCOPE)
    fields = await fields_of(request)
    action = fields.choice("action", ("test",))
    if action == "test":
        return await _test(request, principal, fields)
    return await _create(request, principal, fields)


@router.put(PATH)
async def update_webhook(request: Request) -> Envelope:
    principal = await admit(request, SCOPE)
    fields = await fields_of(request)
    sid = await _sid(request, fields)
    subscriptions = runtime_of(request).subscriptions
    changed = await subscriptions.update(
        principal.account_sid, sid, principal.plan, _changes(fields)
    )
    secret = fields.text("secret", max_length=255)
    if secret is not None:
        changed = await subscriptions.rotate_secret(principal.account_sid, sid, secret)
    return success(render.webhook(changed))


@router.delete(PATH)
async def delete_webhook(request: Request) -> Envelope:
    principal = await admit(request, SCOPE)
    fields = await fields_of(request)
    sid = await _sid(request, fields)
    runtime = runtime_of(request)
    alias = (await runtime.aliases.aliases_of([sid])).get(sid)
    await runtime.subscriptions.delete(principal.account_sid, sid)
    return success({"id": alias, "deleted": True})
