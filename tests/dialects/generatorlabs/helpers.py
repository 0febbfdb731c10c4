"""Steps shared by the dialect tests: read a contact's code, replay a curl sample."""

from __future__ import annotations

import shlex
from typing import Any

import httpx
import sqlalchemy as sa

from watchwire.runtime import Runtime
from watchwire.store.tables_contacts import contacts

BASE = "https://api.generatorlabs.com/4.0"


async def sent_code(runtime: Runtime, contact_sid: str) -> str:
    """The code the contact was last sent (the one that confirms it)."""
    async with runtime.db.connect() as conn:
        code = (
            await conn.execute(
                sa.select(contacts.c.confirmation_code).where(contacts.c.sid == contact_sid)
            )
        ).scalar_one()
    return str(code)


async def replay(
    client: httpx.AsyncClient, curl: str, replacements: dict[str, str]
) -> httpx.Response:
    """Send a `curl` request sample of 003 as written, with its placeholder ids (and codes)
    replaced by real ones. Understands the options 003's samples use: -X, -G, -u, -d."""
    for placeholder, real in replacements.items():
        curl = curl.replace(placeholder, real)
    words = shlex.split(curl.replace("\\\n", " "))
    method: str | None = None
    as_query, url = False, ""
    data: list[tuple[str, str]] = []
    iterator = iter(words[1:])
    for word in iterator:
        if word == "-X":
            method = next(iterator)
        elif word == "-G":
            as_query = True
        elif word == "-u":
            next(iterator)  # the client carries the real credentials
        elif word == "-d":
            name, _, value = next(iterator).partition("=")
            data.append((name, value))
        else:
            url = word
    path = url.removeprefix(BASE)
    if as_query or (method is None and not data):
        return await client.request("GET", path, params=tuple(data))
    method = method or "POST"
    kwargs: dict[str, Any] = {"data": dict(data)} if data else {}
    return await client.request(method, path, **kwargs)
