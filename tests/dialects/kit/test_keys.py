"""An API key read from request fields (Enterno's `api_key` body parameter)."""

from __future__ import annotations

import pytest

from watchwire.api.dialects.kit.fields import Fields
from watchwire.api.dialects.kit.keys import key_in_fields
from watchwire.errors import AuthError

SID = "AK" + "0" * 32
SECRET = "f" * 64


def test_a_key_in_either_form() -> None:
    assert key_in_fields(Fields({"api_key": SID + SECRET})) == (SID, SECRET)
    assert key_in_fields(Fields({"key": f"{SID}:{SECRET}"}), ("api_key", "key")) == (SID, SECRET)
    assert key_in_fields(Fields({"other": "x"})) is None


def test_a_value_that_cannot_be_a_key() -> None:
    with pytest.raises(AuthError):
        key_in_fields(Fields({"api_key": "short"}))
