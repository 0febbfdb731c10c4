"""The one place faces turn the integer ids their documents show (Enterno's webhook,
delivery and monitor `"id": 12`, `?id=12`) into SIDs and back. A subscription's or
delivery's alias is given when it is written (store/aliases.py); a monitor's the first time
a face with integer ids shows it (`given`), so the monitor service, which every face
shares, stays without a notion of a dialect's ids. Services and their records speak SIDs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sqlalchemy.exc import IntegrityError

from watchwire.errors import NotFoundError, ValidationError
from watchwire.ids import PREFIXES
from watchwire.store import aliases
from watchwire.store.database import Database

AliasedKind = Literal["webhook", "delivery", "monitor"]
ALIASED: tuple[AliasedKind, ...] = ("webhook", "delivery", "monitor")


class AliasResolver:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def sid_of(self, kind: AliasedKind, alias: int | str, *, field: str = "id") -> str:
        """The SID of the `kind` that `alias` names. A text alias must be digits (a face's
        query parameter); `field` names it in the 400. Raises NotFoundError when no `kind`
        has that alias (the caller's own read then checks the account)."""
        if isinstance(alias, str):
            if not alias.isascii() or not alias.isdigit() or len(alias) > 18:
                raise ValidationError.field(field, "integer", f"{field} must be a whole number")
            alias = int(alias)
        sid = None
        if alias > 0:
            async with self._db.connect() as conn:
                sid = await aliases.sid_of(conn, alias, PREFIXES[kind])
        if sid is None:
            raise NotFoundError("Resource not found")
        return sid

    async def aliases_of(self, sids: Iterable[str]) -> dict[str, int]:
        """The alias of each SID that has one."""
        async with self._db.connect() as conn:
            return await aliases.aliases_of(conn, sids)

    async def given(self, sids: Iterable[str]) -> dict[str, int]:
        """The alias of each of `sids`, giving one to each that has none yet. Each is given
        in a transaction of its own: two faces showing a new monitor at once both try, the
        unique SID lets one win, and the other reads the winner's."""
        wanted = sorted(set(sids))
        known = await self.aliases_of(wanted)
        missing = [sid for sid in wanted if sid not in known]
        for sid in missing:
            try:
                async with self._db.transaction() as conn:
                    await aliases.assign(conn, [sid])
            except IntegrityError:
                continue
        return await self.aliases_of(wanted) if missing else known
