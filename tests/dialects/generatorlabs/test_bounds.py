"""Fixed cases of the hostile-input campaign (test_hostile.py holds the properties): every
/4.0 list refuses a huge `page`/`page_size` naming it (issue: a 500 from the database's
integer overflowing), 10 MB bodies answer 413, and NUL answers 400 naming its field on
PostgreSQL as on SQLite — all in 003's envelope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx

from tests.dialects.generatorlabs.hostile import LISTS, is_003s_answer

TEN_MB = 10 * 1024 * 1024


async def test_ten_megabyte_bodies_answer_413(gl: httpx.AsyncClient) -> None:
    big = "x" * TEN_MB

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"name=" + b"x" * (TEN_MB // 10)

    path = "/contact/groups.json"
    for response in (
        await gl.post(path, data={"name": big}),
        await gl.post(path, json={"name": big}),
        await gl.post(path, files={"name": (None, big.encode())}),
        await gl.post(path, content=chunks()),  # no Content-Length: refused while reading
    ):
        is_003s_answer(response)
        assert response.status_code == 413
        assert "body" in response.json()["status_message"]


PAGING_REFUSALS = [
    ({"page": "18446744073709551616"}, "page"),
    ({"page_size": "18446744073709551616"}, "page_size"),
    ({"page": "9" * 5000}, "page"),
    ({"page": "1000001"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page_size": "1.5"}, "page_size"),
    ({"page[]": "1"}, "page"),
]


async def test_every_list_refuses_huge_paging_numbers(gl: httpx.AsyncClient) -> None:
    for path in LISTS:
        for params, field in PAGING_REFUSALS:
            response = await gl.get(path, params=params)
            is_003s_answer(response)
            assert response.status_code == 400, (path, params)
            assert response.json()["errors"][0]["field"] == field
        last = await gl.get(path, params={"page": "1000000", "page_size": "100"})
        is_003s_answer(last)
        assert last.status_code == 200 and last.json()["data"] == []


NUL_REFUSALS = [
    ("/contact/groups.json", {"name": "ops\x00"}, "name"),
    ("/contact/contacts.json", {"contact": "a@example.com\x00", "type": "email"}, "contact"),
    ("/rbl/hosts.json", {"host": "192.0.2.1\x00", "name": "mail"}, "host"),
    ("/rbl/hosts.json", {"host": "192.0.2.1", "name": "m", "tags": "a\x00"}, "tags[0]"),
    ("/rbl/sources.json", {"host": "bl.example.net\x00", "type": "rbl"}, "host"),
    ("/rbl/check/start.json", {"host": "192.0.2.1", "callback": "https://\x00"}, "callback"),
    ("/cert/monitors.json", {"hostname": "h\x00", "protocol": "https", "name": "m"}, "hostname"),
    ("/cert/profiles.json", {"name": "\x00"}, "name"),
]


async def test_nul_is_refused_naming_the_field(gl: httpx.AsyncClient) -> None:
    for path, body, field in NUL_REFUSALS:
        for response in (await gl.post(path, data=body), await gl.post(path, json=body)):
            is_003s_answer(response)
            assert response.status_code == 400, (path, body)
            error = response.json()["errors"][0]
            assert (error["field"], error["rule"]) == (field, "control")
    listed = await gl.get("/rbl/hosts.json", params={"ids": "HT" + "0" * 32 + "\x00"})
    assert listed.json()["errors"][0]["field"] == "ids[0]"


async def test_nul_in_path_ids_and_nested_objects(gl: httpx.AsyncClient) -> None:
    response = await gl.get("/contact/contacts/" + quote("CO" + "0" * 31 + "\x00") + ".json")
    is_003s_answer(response)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "id"
    nested = {"contact": "https://127.0.0.1/x", "type": "endpoint", "args": {"k": "v\x00"}}
    response = await gl.post("/contact/contacts.json", json=nested)
    is_003s_answer(response)
    assert response.json()["errors"][0]["field"] == "args.k"
