"""What every channel shares: the contact it sends to, the message it sends, the context it
sends with, the one error type, and the base class a channel overrides only where it differs.

A channel answers two questions: `normalize` — are these the arguments of a usable contact
of my type (asked once, when a contact is created or changed, so a bad token is a 400 then,
not a failed delivery later) — and `send` — deliver this message or raise ChannelError saying
whether trying again could help.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from watchwire.errors import ValidationError
from watchwire.target_policy import TargetPolicy

if TYPE_CHECKING:
    from watchwire.config import Settings


class ChannelError(Exception):
    """A delivery to a contact failed. `permanent` failures (a revoked token, a deleted
    webhook: 400/401/403/404/410) will fail again and end the delivery; the others (timeouts,
    5xx, 429) are worth retrying, `retry_after` seconds from now when the server said so."""

    def __init__(
        self, message: str, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return (
            f"ChannelError({self.message!r}, permanent={self.permanent}, "
            f"retry_after={self.retry_after})"
        )


@dataclass(frozen=True, slots=True)
class ContactTarget:
    """The contact a delivery goes to, as the delivery worker reads it from `contacts`."""

    sid: str
    type: str
    args: dict[str, Any]
    name: str = ""

    @property
    def value(self) -> str:
        """003's `contact` value: the address, phone number, key or URL."""
        return str(self.args.get("contact", ""))


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    sender: str = "watchwire@localhost"


@dataclass(frozen=True, slots=True)
class ChannelContext:
    """What channels need from the process: SMTP, the target policy, the SMS gateway, whether
    any Apprise URL may be a contact."""

    policy: TargetPolicy = field(default_factory=TargetPolicy)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    # An Apprise URL with `{phone}` in it (twilio://SID:TOKEN@FROM/{phone}); None: no SMS.
    sms_url: str | None = None
    # The operator's opt-in to `apprise` contacts: any Apprise URL, outside the target policy.
    apprise_any_url: bool = False
    timeout: float = 15.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ChannelContext:
        return cls(
            policy=TargetPolicy(
                allow_private=settings.allow_private_targets,
                allow_metadata=settings.allow_metadata_target,
            ),
            smtp=SmtpSettings(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password,
                starttls=settings.smtp_starttls,
                sender=settings.smtp_from,
            ),
            sms_url=settings.sms_apprise_url,
            apprise_any_url=settings.apprise_any_url,
        )


@dataclass(frozen=True, slots=True)
class Message:
    """One notification, rendered once from an event, sent by any channel."""

    event_sid: str
    event_type: str  # the catalogue type, e.g. monitor.down or contact.confirm
    title: str
    text: str
    # success | info | warning | failure: Apprise's notify types, Datadog's alert types
    severity: str = "info"
    url: str | None = None
    authcode: str | None = None  # set on contact.confirm only

    @property
    def is_confirmation(self) -> bool:
        return self.authcode is not None


def mask(secret: str) -> str:
    """How a stored credential is shown: enough to recognise it, not enough to use it."""
    return "****" + secret[-4:] if len(secret) > 8 else "****"


def required_arg(args: dict[str, Any], name: str, type_name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.field(
            f"args.{name}", "required", f"a {type_name} contact needs args.{name} (a string)"
        )
    return value.strip()


class Channel:
    """Base of every channel. Subclasses set `type` and override what differs."""

    type: ClassVar[str] = ""
    # Extra argument names a contact of this type may carry (besides `contact`).
    allowed_args: ClassVar[frozenset[str]] = frozenset()
    # Arguments that are credentials: the API shows them masked (see `mask`).
    secret_args: ClassVar[frozenset[str]] = frozenset()

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        """The arguments to store for a contact of this type; ValidationError when unusable."""
        unknown = sorted(set(args) - self.allowed_args)
        if unknown:
            allowed = ", ".join(sorted(self.allowed_args)) or "none"
            raise ValidationError.field(
                f"args.{unknown[0]}",
                "unknown_field",
                f"a {self.type} contact takes no argument {unknown[0]!r} (allowed: {allowed})",
            )
        if not contact.strip():
            raise ValidationError.field("contact", "required", "contact must not be empty")
        return {**args, "contact": contact.strip()}

    async def send(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> None:
        raise NotImplementedError
