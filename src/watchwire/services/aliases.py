"""The one place faces turn the integer ids their documents show (Enterno's webhook and
delivery `"id": 12`, `?id=12`) into SIDs and back. The aliases themselves are given when a
subscription or delivery is written (store/aliases.py); services and their records speak
SIDs, with the alias as one more field of the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from watchwire.errors import NotFoundError, ValidationError
from watchwire.ids import PREFIXES
from watchwire.store import aliases
from watchwire.store.database import Database

AliasedKind = Literal["webhook", "delivery"]
ALIASED: tuple[AliasedKind, ...] = ("webhook", "delivery")


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
