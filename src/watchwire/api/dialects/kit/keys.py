"""An API key sent as a request field rather than a header: Enterno's clients may put
`api_key` in the query or in a form or JSON body (GAPS.md), which `api.credentials` (headers
and query only) cannot see once the body is parsed."""

from __future__ import annotations

from watchwire.api.credentials import split_key
from watchwire.api.dialects.kit.fields import Fields

# A key is a 34-character SID and a 64-character secret, with or without a colon.
_MAX_KEY_LENGTH = 128


def key_in_fields(fields: Fields, names: tuple[str, ...] = ("api_key",)) -> tuple[str, str] | None:
    """The (sid, secret) the first present field of `names` carries, None when none is
    present; AuthError when the value cannot be a key."""
    for name in names:
        if (value := fields.text(name, max_length=_MAX_KEY_LENGTH)) is not None:
            return split_key(value)
    return None
