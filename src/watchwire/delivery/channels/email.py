"""The `email` channel: plain-text mail over SMTP (aiosmtplib) through the configured relay.

Written by hand rather than through Apprise's mailto:// so that the relay is the operator's
one server (WATCHWIRE_SMTP_*), shared by every contact, and so that SMTP reply codes keep
their meaning: a 5xx refusal of the recipient is permanent, a 4xx or a relay that is down is
retried.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, ClassVar

import aiosmtplib

from watchwire.delivery.channels._base import (
    Channel,
    ChannelContext,
    ChannelError,
    ContactTarget,
    Message,
)
from watchwire.errors import ValidationError


def valid_address(value: str) -> str:
    """The address if it is a single plain address, else ValidationError."""
    address = value.strip()
    _, parsed = parseaddr(address)
    local, _, domain = parsed.rpartition("@")
    if parsed != address or not local or "." not in domain or any(c.isspace() for c in address):
        raise ValidationError.field("contact", "email", f"{value!r} is not an email address")
    return address


def build_email(to: str, message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = message.title
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["X-Watchwire-Event"] = f"{message.event_type} {message.event_sid}"
    # Alerts are machine mail: ask vacation responders not to answer them.
    mail["Auto-Submitted"] = "auto-generated"
    body = message.text if not message.url else f"{message.text}\n\n{message.url}"
    mail.set_content(body + "\n")
    return mail


def _smtp_failure(exc: aiosmtplib.SMTPException) -> ChannelError:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [e.code for e in exc.recipients]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return ChannelError(f"the mail server refused the recipient: {exc}", permanent=permanent)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # The operator's relay credentials are wrong: not the contact's fault, and fixable.
        return ChannelError(f"the mail server refused our login: {exc}")
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return ChannelError(
            f"the mail server refused the message: {exc}", permanent=exc.code >= 500
        )
    return ChannelError(f"cannot send mail: {exc}")


class EmailChannel(Channel):
    type: ClassVar[str] = "email"

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        return super().normalize(valid_address(contact), args, ctx)

    async def send(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> None:
        smtp = ctx.smtp
        mail = build_email(contact.value, message, smtp.sender)
        try:
            await aiosmtplib.send(
                mail,
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.username,
                password=smtp.password,
                start_tls=smtp.starttls,
                timeout=ctx.timeout,
            )
        except aiosmtplib.SMTPException as exc:
            raise _smtp_failure(exc) from None
        except OSError as exc:
            raise ChannelError(
                f"cannot reach the mail server {smtp.host}:{smtp.port}: {exc}"
            ) from None
