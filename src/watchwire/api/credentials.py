"""Reading an API key from a request, every way the seed documents present one.

`X-API-Key: KEY` (000, 001), `Authorization: Bearer KEY`, `?api-key=KEY` (001) or
`?api_key=KEY`, and HTTP Basic `SID:secret` (003). KEY is the single-string form (SID then
secret) or `SID:secret`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from watchwire.errors import AuthError

SID_LENGTH = 34
SECRET_LENGTH = 64


def split_key(value: str) -> tuple[str, str]:
    value = value.strip()
    if ":" in value:
        sid, _, secret = value.partition(":")
        return sid, secret
    if len(value) == SID_LENGTH + SECRET_LENGTH:
        return value[:SID_LENGTH], value[SID_LENGTH:]
    raise AuthError("Invalid or inactive API key")


def from_basic(header: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise AuthError("Malformed HTTP Basic credentials") from None
    sid, sep, secret = decoded.partition(":")
    if not sep:
        raise AuthError("Malformed HTTP Basic credentials")
    return sid, secret


def extract(headers: Mapping[str, str], query: Mapping[str, str]) -> tuple[str, str] | None:
    """The (sid, secret) a request presents, None when it presents none; AuthError when the
    presented value cannot be a key."""
    if value := headers.get("x-api-key"):
        return split_key(value)
    if authorization := headers.get("authorization"):
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() == "bearer":
            return split_key(rest)
        if scheme.lower() == "basic":
            return from_basic(rest)
    for name in ("api-key", "api_key"):
        if value := query.get(name):
            return split_key(value)
    return None
