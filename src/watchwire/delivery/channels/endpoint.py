"""The `endpoint` channel: a JSON summary POSTed to the contact's URL (003).

Written by hand rather than through Apprise because the body is 003's own shape —
`{event_sid, event_type: "contact.trigger", title, message, url}`, and on creation
`{…, event_type: "contact.confirm", authcode}` — which no Apprise service produces, and
because the URL is the user's: it must go through the target policy like a webhook.
"""

from __future__ import annotations

from typing import Any, ClassVar

from watchwire.delivery.channels._base import Channel, ChannelContext, ContactTarget, Message
from watchwire.delivery.channels._http import post_json
from watchwire.delivery.webhook import url_syntax_problem
from watchwire.errors import ValidationError


def summary(message: Message) -> dict[str, Any]:
    """The body 003's endpoint contacts receive."""
    body: dict[str, Any] = {
        "event_sid": message.event_sid,
        "event_type": "contact.confirm" if message.is_confirmation else "contact.trigger",
        "title": message.title,
        "message": message.text,
        "url": message.url or "",
    }
    if message.is_confirmation:
        body["authcode"] = message.authcode
    return body


class EndpointChannel(Channel):
    type: ClassVar[str] = "endpoint"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"url"})

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        # 003 puts the endpoint URL in args; a URL given as the contact value is accepted too.
        url = str(args.get("url") or contact).strip()
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationError.field(
                "args.url", "url", "an endpoint contact needs an http:// or https:// URL"
            )
        problem = url_syntax_problem(url)
        if problem is not None:
            raise ValidationError.field("args.url", "url", problem)
        return super().normalize(contact or url, {**args, "url": url}, ctx)

    async def send(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> None:
        url = str(contact.args.get("url") or contact.value)
        await post_json(url, summary(message), policy=ctx.policy, timeout=ctx.timeout)
