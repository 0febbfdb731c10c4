"""Contacts (003's `/contact/contacts…`): who is told about events, and how.

A contact is one destination of one channel type (delivery.channels.NATIVE_TYPES: 003's eleven
and watchwire's own; an email address, a Slack webhook, an endpoint URL, an ntfy topic …). It starts `pending`: a 6-character code is sent to it (a `contact.confirm`
event addressed to that contact alone, delivered through the outbox like any event), and it
receives alerts only once `confirm` is called with that code and it is `active`. Pausing stops
alerts; resuming makes it `active` again — or `pending` again if it was never confirmed.
Changing where a contact points (its value or its arguments) asks for a new confirmation.

Contacts belong to groups (services/contact_groups.py); a resource names groups, and its
events fan out to the groups' active contacts. `resolve_groups` is the one rule for which
groups a new resource (a contact, monitor, certificate, domain or blocklist host) names.
"""

from __future__ import annotations

import hmac
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import sqlalchemy as sa

from watchwire.clock import Clock, SystemClock
from watchwire.delivery.channels import CHANNELS, ChannelContext, mask, normalize_args
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.events.store import record_event
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.services.failing import Failing, failing_of, state_filter
from watchwire.store.database import Connection, Database
from watchwire.store.tables_contacts import contact_group_members, contacts
from watchwire.store.tables_contacts import contact_groups as groups_table

ContactStatus = Literal["pending", "active", "paused"]
Schedule = Literal["every_check", "start_and_end", "while_listed"]
SCHEDULES: tuple[Schedule, ...] = get_args(Schedule)
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 6
_NOT_FOUND = "Resource not found"
# Keys of the stored args that are not the channel's own settings.
_META_ARGS = ("contact", "schedule")


def new_confirmation_code() -> str:
    """Six random letters and digits, like 003's `3Kx3se`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _secret_args(type: str) -> frozenset[str]:
    channel = CHANNELS.get(type)
    return channel.secret_args if channel else frozenset()


def _shown_args(type: str, args: dict[str, Any]) -> dict[str, Any]:
    """The channel settings as the API shows them: credentials masked."""
    secrets_ = _secret_args(type)
    return {k: mask(str(v)) if k in secrets_ else v for k, v in args.items() if k not in _META_ARGS}


def _unmask(type: str, given: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """`given` with masked credentials (sent back as shown) replaced by the stored ones."""
    restored = dict(given)
    for key in _secret_args(type):
        if key in stored and restored.get(key) == mask(str(stored[key])):
            restored[key] = stored[key]
    return restored


@dataclass(frozen=True, slots=True)
class Contact:
    """One destination of one channel type. `value` is where it points (an address, a phone
    number, a URL …); `args` are the channel's settings with credentials masked."""

    sid: str
    name: str
    type: str
    value: str
    status: ContactStatus
    schedule: Schedule
    args: dict[str, Any]
    contact_groups: tuple[str, ...]
    confirmed_at: datetime | None
    created_at: datetime
    # The run of failed deliveries going on now (services/failing.py); None: none.
    failing: Failing | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


def _contact(row: Any, groups: Sequence[str]) -> Contact:
    args = dict(row.args)
    return Contact(
        sid=row.sid,
        name=row.name,
        type=row.type,
        value=args.get("contact", ""),
        status=row.status,
        schedule=args.get("schedule", "every_check"),
        args=_shown_args(row.type, args),
        contact_groups=tuple(groups),
        confirmed_at=row.confirmed_at,
        created_at=row.created_at,
        failing=failing_of(row),
    )


def default_name(value: str) -> str:
    """A contact's label when none is given: its value, or a URL's host (the rest of a
    webhook URL is a credential)."""
    if "://" in value:
        return urlsplit(value).hostname or "webhook"
    return value[:255]


def _check_schedule(schedule: str | None) -> None:
    if schedule is not None and schedule not in SCHEDULES:
        raise ValidationError.field(
            "schedule", "enum", f"schedule must be one of {', '.join(SCHEDULES)}"
        )


async def owned_sids(
    conn: Connection, table: sa.Table, account_sid: str, sids: Sequence[str], field: str
) -> list[str]:
    """`sids` without duplicates, after checking every one belongs to the account."""
    wanted = list(dict.fromkeys(sids))
    if not wanted:
        return []
    found = set(
        (
            await conn.execute(
                sa.select(table.c.sid).where(
                    table.c.account_sid == account_sid, table.c.sid.in_(wanted)
                )
            )
        ).scalars()
    )
    for index, sid in enumerate(wanted):
        if sid not in found:
            raise ValidationError.field(f"{field}[{index}]", "not_found", f"no such {field}: {sid}")
    return wanted


async def resolve_groups(
    conn: Connection, account_sid: str, sids: Sequence[str] | None
) -> list[str]:
    """The contact groups a new resource is told through: `sids` checked against the account,
    or the account's default group when `sids` is None (none when there is no default).
    For any service that stores `contact_groups` (contacts, monitors)."""
    if sids is not None:
        return await owned_sids(conn, groups_table, account_sid, sids, "contact_groups")
    default = (
        await conn.execute(
            sa.select(groups_table.c.sid).where(
                groups_table.c.account_sid == account_sid,
                groups_table.c.is_default == sa.true(),
            )
        )
    ).scalar()
    return [default] if default else []


class ContactService:
    def __init__(
        self, db: Database, channel_ctx: ChannelContext, clock: Clock | None = None
    ) -> None:
        self._db = db
        self._channel_ctx = channel_ctx
        self._clock = clock or SystemClock()

    # -- reading -------------------------------------------------------------------------

    async def _groups_of(
        self, conn: Connection, contact_sids: Sequence[str]
    ) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {sid: [] for sid in contact_sids}
        if contact_sids:
            rows = await conn.execute(
                sa.select(contact_group_members.c.contact_sid, contact_group_members.c.group_sid)
                .where(contact_group_members.c.contact_sid.in_(list(contact_sids)))
                .order_by(contact_group_members.c.group_sid)
            )
            for row in rows:
                result[row.contact_sid].append(row.group_sid)
        return result

    async def _contact_row(self, conn: Connection, account_sid: str, sid: str) -> Any:
        row = (
            await conn.execute(
                sa.select(contacts).where(
                    contacts.c.sid == sid, contacts.c.account_sid == account_sid
                )
            )
        ).first()
        if row is None:
            raise NotFoundError(_NOT_FOUND)
        return row

    async def _read_contact(self, conn: Connection, account_sid: str, sid: str) -> Contact:
        row = await self._contact_row(conn, account_sid, sid)
        return _contact(row, (await self._groups_of(conn, [sid]))[sid])

    async def get_contact(self, account_sid: str, sid: str) -> Contact:
        async with self._db.connect() as conn:
            return await self._read_contact(conn, account_sid, sid)

    async def list_contacts(
        self, account_sid: str, page: PageRequest, *, failing: bool = False
    ) -> Page[Contact]:
        """The account's contacts; with `failing`, only those whose deliveries keep failing."""
        where = sa.and_(
            contacts.c.account_sid == account_sid,
            state_filter(contacts, "failing" if failing else None),
        )
        async with self._db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(contacts).where(where))
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(contacts)
                    .where(where)
                    .order_by(contacts.c.created_at, contacts.c.sid)
                    .limit(page.per_page)
                    .offset(page.offset)
                )
            ).all()
            groups = await self._groups_of(conn, [r.sid for r in rows])
        return Page([_contact(r, groups[r.sid]) for r in rows], int(total), page)

    # -- writing -------------------------------------------------------------------------

    async def _send_code(
        self, conn: Connection, account_sid: str, sid: str, name: str, type: str
    ) -> None:
        """A fresh code for the contact, and the event that carries it to the contact alone.
        The event names the contact, never its value: a webhook URL is a credential."""
        code = new_confirmation_code()
        await conn.execute(
            contacts.update().where(contacts.c.sid == sid).values(confirmation_code=code)
        )
        await record_event(
            conn,
            account_sid=account_sid,
            type="contact.confirm",
            description=f"Confirmation code for the {type} contact {name}",
            payload={"contact_sid": sid, "type": type, "name": name, "authcode": code},
            now=self._clock.now(),
            resource_type="contact",
            resource_sid=sid,
        )

    async def _set_members_of_contact(
        self, conn: Connection, sid: str, groups: Sequence[str]
    ) -> None:
        await conn.execute(
            contact_group_members.delete().where(contact_group_members.c.contact_sid == sid)
        )
        if groups:
            await conn.execute(
                contact_group_members.insert(),
                [{"group_sid": g, "contact_sid": sid} for g in groups],
            )

    async def create_contact(
        self,
        account_sid: str,
        *,
        type: str,
        contact: str,
        name: str | None = None,
        args: dict[str, Any] | None = None,
        contact_groups: Sequence[str] | None = None,
        schedule: str | None = None,
    ) -> Contact:
        """Create a pending contact and send it its confirmation code. `contact_groups` None:
        the account's default group."""
        _check_schedule(schedule)
        stored = normalize_args(type, contact, dict(args or {}), self._channel_ctx)
        if schedule is not None:
            stored["schedule"] = schedule
        sid = new_sid("contact")
        label = (name or "").strip() or default_name(stored["contact"])
        async with self._db.transaction() as conn:
            groups = await resolve_groups(conn, account_sid, contact_groups)
            await conn.execute(
                contacts.insert().values(
                    sid=sid,
                    account_sid=account_sid,
                    name=label,
                    type=type,
                    args=stored,
                    status="pending",
                    created_at=self._clock.now(),
                )
            )
            await self._set_members_of_contact(conn, sid, groups)
            await self._send_code(conn, account_sid, sid, label, type)
        return await self.get_contact(account_sid, sid)

    async def update_contact(
        self,
        account_sid: str,
        sid: str,
        *,
        contact: str | None = None,
        name: str | None = None,
        args: dict[str, Any] | None = None,
        contact_groups: Sequence[str] | None = None,
        schedule: str | None = None,
    ) -> Contact:
        """Change a contact. A new destination (value or arguments) needs a new confirmation."""
        _check_schedule(schedule)
        async with self._db.connect() as conn:
            row = await self._contact_row(conn, account_sid, sid)
        current = dict(row.args)
        channel_args = {k: v for k, v in current.items() if k not in _META_ARGS}
        new_value = contact if contact is not None else current.get("contact", "")
        given = _unmask(row.type, args, channel_args) if args is not None else channel_args
        stored = normalize_args(row.type, new_value, given, self._channel_ctx)
        moved = stored != {k: v for k, v in current.items() if k != "schedule"}
        if schedule is not None or "schedule" in current:
            stored["schedule"] = schedule if schedule is not None else current["schedule"]
        async with self._db.transaction() as conn:
            values: dict[str, Any] = {"args": stored}
            if name is not None and name.strip():
                values["name"] = name.strip()
            if moved:
                values.update(status="pending", confirmed_at=None)
            result = await conn.execute(
                contacts.update()
                .where(contacts.c.sid == sid, contacts.c.account_sid == account_sid)
                .values(**values)
            )
            if result.rowcount == 0:
                raise NotFoundError(_NOT_FOUND)
            if contact_groups is not None:
                groups = await owned_sids(
                    conn, groups_table, account_sid, contact_groups, "contact_groups"
                )
                await self._set_members_of_contact(conn, sid, groups)
            if moved:
                label = values.get("name", row.name)
                await self._send_code(conn, account_sid, sid, label, row.type)
        return await self.get_contact(account_sid, sid)

    async def delete_contact(self, account_sid: str, sid: str) -> Contact:
        async with self._db.transaction() as conn:
            gone = await self._read_contact(conn, account_sid, sid)
            await conn.execute(
                contact_group_members.delete().where(contact_group_members.c.contact_sid == sid)
            )
            await conn.execute(contacts.delete().where(contacts.c.sid == sid))
        return gone

    async def pause_contact(self, account_sid: str, sid: str) -> Contact:
        async with self._db.transaction() as conn:
            await self._contact_row(conn, account_sid, sid)
            await conn.execute(
                contacts.update().where(contacts.c.sid == sid).values(status="paused")
            )
        return await self.get_contact(account_sid, sid)

    async def resume_contact(self, account_sid: str, sid: str) -> Contact:
        """Paused -> active (or back to pending if it was never confirmed)."""
        async with self._db.transaction() as conn:
            row = await self._contact_row(conn, account_sid, sid)
            if row.status == "pending":
                raise ConflictError(
                    "The contact is pending confirmation: confirm it with the code sent to it",
                    code="contact_pending",
                )
            status = "active" if row.confirmed_at is not None else "pending"
            await conn.execute(contacts.update().where(contacts.c.sid == sid).values(status=status))
        return await self.get_contact(account_sid, sid)

    async def confirm_contact(self, account_sid: str, sid: str, authcode: str) -> Contact:
        """Activate a pending contact with the code it was sent."""
        async with self._db.transaction() as conn:
            row = await self._contact_row(conn, account_sid, sid)
            if row.status != "pending" or not row.confirmation_code:
                raise ConflictError("The contact is already confirmed", code="contact_confirmed")
            if not hmac.compare_digest(row.confirmation_code.encode(), authcode.strip().encode()):
                raise ValidationError.field(
                    "authcode", "mismatch", "authcode is not the code sent to this contact"
                )
            await conn.execute(
                contacts.update()
                .where(contacts.c.sid == sid)
                .values(status="active", confirmed_at=self._clock.now(), confirmation_code=None)
            )
        return await self.get_contact(account_sid, sid)

    async def resend_confirmation(self, account_sid: str, sid: str) -> Contact:
        """Send a pending contact a new code (the old one stops working)."""
        async with self._db.transaction() as conn:
            row = await self._contact_row(conn, account_sid, sid)
            if row.status != "pending":
                raise ConflictError(
                    "Only a pending contact is sent a confirmation code", code="contact_confirmed"
                )
            await self._send_code(conn, account_sid, sid, row.name, row.type)
        return await self.get_contact(account_sid, sid)

    async def send_test(self, account_sid: str, sid: str) -> str:
        """Send an active contact a `test` event (to that contact alone, through the outbox,
        like its confirmation code); returns the event's SID. A pending or paused contact is
        a conflict: it would not be sent alerts either."""
        async with self._db.transaction() as conn:
            row = await self._contact_row(conn, account_sid, sid)
            if row.status != "active":
                raise ConflictError(
                    f"The contact is {row.status}: only an active contact is sent a test",
                    code="contact_not_active",
                )
            event = await record_event(
                conn,
                account_sid=account_sid,
                type="test",
                description=f"Test message for the {row.type} contact {row.name}",
                payload={"contact_sid": sid, "type": row.type, "name": row.name},
                now=self._clock.now(),
                resource_type="contact",
                resource_sid=sid,
                recipients=[sid],
            )
        return event.sid
