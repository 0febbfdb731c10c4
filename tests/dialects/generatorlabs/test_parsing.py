"""The dialect's request reading: comma lists, boolean spellings, SID patterns — and, over
arbitrary form bodies sent to every write endpoint, never a 5xx."""

from __future__ import annotations

import string

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchwire.api.dialects.generatorlabs.parsing import Fields
from watchwire.errors import ValidationError

TOKEN = st.text(string.ascii_letters + string.digits + "._-@", min_size=1, max_size=20)


@given(st.lists(TOKEN, max_size=10), st.sampled_from([",", ", ", " ,"]))
def test_comma_lists_round_trip(items: list[str], separator: str) -> None:
    assert Fields({"tags": separator.join(items)}).items("tags") == items
    assert Fields({"tags": items}).items("tags") == items


@given(st.text(max_size=12))
def test_booleans_are_read_or_refused_by_name(value: str) -> None:
    spelled = value.strip().lower()
    try:
        result = Fields({"flag": value}).boolean("flag")
    except ValidationError as exc:
        assert exc.details[0]["field"] == "flag" and exc.details[0]["rule"] == "boolean"
        assert spelled not in ("true", "false", "1", "0", "")
    else:
        assert result is (spelled in ("true", "1", "yes", "on"))


@given(st.text(max_size=40))
def test_sid_lists_accept_only_the_pattern(value: str) -> None:
    try:
        sids = Fields({"contact_group": value}).sids("contact_group", "contact_group")
    except ValidationError as exc:
        assert exc.details[0]["field"].startswith("contact_group[")
        assert exc.details[0]["rule"] == "pattern"
    else:
        assert all(s.startswith("CG") and len(s) == 34 for s in sids or [])


WRITES = [
    ("POST", "/contact/contacts.json"),
    ("POST", "/contact/groups.json"),
    ("POST", "/rbl/hosts.json"),
    ("POST", "/rbl/profiles.json"),
    ("POST", "/rbl/sources.json"),
    ("POST", "/rbl/check/start.json"),
    ("POST", "/cert/monitors.json"),
    ("POST", "/cert/profiles.json"),
]
FIELD_NAMES = st.sampled_from(
    "host name type contact schedule contact_group args profile tags entries frequency "
    "sync_method is_default custom_codes callback details hostname protocol port "
    "expiration_thresholds alert_on_changes page page_size".split()
)
VALUES = st.one_of(st.text(max_size=30), st.sampled_from(["true", "0", "RP" + "0" * 32, "{}"]))


@pytest.mark.parametrize(("method", "path"), WRITES)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.dictionaries(FIELD_NAMES, VALUES, max_size=6))
async def test_arbitrary_form_bodies_never_answer_5xx(
    gl: httpx.AsyncClient, method: str, path: str, body: dict[str, str]
) -> None:
    response = await gl.request(method, path, data=body)
    assert response.status_code < 500, response.text
    assert response.json()["status_code"] == response.status_code
