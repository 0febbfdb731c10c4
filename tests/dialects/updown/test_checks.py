"""`/api/checks` as updown's clients drive it: Rails-style forms and JSON bodies, the check
object with every field of 001, updown's validation lists and sentences."""

from __future__ import annotations

from typing import Any

import httpx

from tests.dialects.updown.conftest import TIME

CHECK_FIELDS = {
    "token", "url", "alias", "last_status", "uptime", "down", "down_since", "up_since",
    "error", "period", "apdex_t", "string_match", "enabled", "published",
    "disabled_locations", "recipients", "last_check_at", "next_check_at", "created_at",
    "mute_until", "favicon_url", "custom_headers", "http_verb", "http_body", "ssl", "domain",
    "type",
}  # fmt: skip


def _times_are_updowns(check: dict[str, Any]) -> None:
    for name in ("down_since", "up_since", "last_check_at", "next_check_at", "created_at"):
        assert check[name] is None or TIME.fullmatch(check[name]), (name, check[name])


async def test_a_form_create_answers_201_with_every_field(updown: httpx.AsyncClient) -> None:
    form = (
        "url=https%3A%2F%2Fshop.example%2F&alias=Shop&period=30&apdex_t=0.25"
        "&enabled=true&published=false&string_match=Welcome&http_verb=POST"
        "&http_body=ping&custom_headers[X-Token]=abc&custom_headers[Accept]=text%2Fhtml"
        "&mute_until=forever&recipients[]="
    )
    response = await updown.post(
        "/api/checks",
        content=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 201, response.text
    check = response.json()
    assert set(check) == CHECK_FIELDS
    assert check["token"].startswith("MO")
    assert (check["url"], check["alias"], check["type"]) == (
        "https://shop.example/",
        "Shop",
        "https",
    )
    assert (check["period"], check["apdex_t"], check["enabled"]) == (30, 0.25, True)
    assert (check["string_match"], check["http_verb"], check["http_body"]) == (
        "Welcome",
        "POST",
        "ping",
    )
    assert check["custom_headers"] == {"X-Token": "abc", "Accept": "text/html"}
    assert (check["mute_until"], check["recipients"], check["published"]) == ("forever", [], False)
    assert check["last_status"] is None and check["uptime"] == 100.0 and check["down"] is False
    assert check["ssl"] == {"tested_at": None, "expires_at": None, "valid": None, "error": None}
    assert set(check["domain"]) == {"tested_at", "expires_at", "remaining_days", "source"}
    _times_are_updowns(check)


async def test_json_bodies_name_for_alias_and_the_other_types(updown: httpx.AsyncClient) -> None:
    made = await updown.post(
        "/api/checks", json={"url": "http://a.example/", "name": "Old spelling", "enabled": False}
    )
    assert made.status_code == 201, made.text
    assert (made.json()["alias"], made.json()["enabled"], made.json()["type"]) == (
        "Old spelling", False, "http",
    )  # fmt: skip
    tcp = (await updown.post("/api/checks", json={"url": "tcp://db.example:5432"})).json()
    assert (tcp["type"], tcp["url"], tcp["alias"], tcp["http_verb"]) == (
        "tcp", "tcp://db.example:5432", None, None,
    )  # fmt: skip
    icmp = (await updown.post("/api/checks", data={"url": "gw.example", "type": "icmp"})).json()
    assert (icmp["type"], icmp["url"]) == ("icmp", "icmp://gw.example")
    pulse = await updown.post("/api/checks", data={"type": "pulse", "period": "3600"})
    assert pulse.status_code == 201, pulse.text
    assert pulse.json()["url"].startswith("http://watchwire.test/pulse/")
    assert pulse.json()["type"] == "pulse"


async def test_list_show_update_delete(updown: httpx.AsyncClient) -> None:
    token = (await updown.post("/api/checks", data={"url": "https://b.example/"})).json()["token"]
    listed = (await updown.get("/api/checks")).json()
    assert [c["token"] for c in listed] == [token]
    shown = (await updown.get(f"/api/checks/{token}", params={"metrics": "true"})).json()
    assert shown["metrics"]["requests"]["samples"] == 0 and "apdex" not in shown["metrics"]
    assert set(shown["metrics"]["timings"]) == {
        "redirect", "namelookup", "connection", "handshake", "response", "total",
    }  # fmt: skip
    changed = await updown.put(
        f"/api/checks/{token}",
        data={"period": "300", "alias": "B", "published": "true", "custom_headers[A]": "1"},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["period"], body["alias"], body["published"], body["custom_headers"]) == (
        300, "B", True, {"A": "1"},
    )  # fmt: skip
    assert (await updown.put(f"/api/checks/{token}", data={"string_match": ""})).json()[
        "string_match"
    ] == ""
    assert (await updown.delete(f"/api/checks/{token}")).json() == {"deleted": True}
    gone = await updown.get(f"/api/checks/{token}")
    assert (gone.status_code, gone.json()) == (404, {"error": "Check not found"})


async def test_updowns_lists_and_sentences(updown: httpx.AsyncClient) -> None:
    async def error(**form: str) -> tuple[int, str]:
        response = await updown.post("/api/checks", data=form)
        assert set(response.json()) == {"error"}
        return response.status_code, response.json()["error"]

    assert await error(url="https://c.example/", period="45") == (
        400, "Period is not included in the list (given: 45)",
    )  # fmt: skip
    assert await error(url="https://c.example/", apdex_t="0.3") == (
        400, "Apdex t is not included in the list (given: 0.3)",
    )  # fmt: skip
    assert await error(url="x", type="ftp") == (
        400,
        "Type is not included in the list (given: ftp)",
    )
    assert await error(period="60") == (400, "URL can't be blank")
    assert (await updown.post("/api/checks", data={"url": "https://c.example/"})).status_code == 201
    assert await error(url="https://c.example/") == (
        400, 'URL is already registered (given: "https://c.example/")',
    )  # fmt: skip
    status, message = await error(url="https://c.example/x", recipients=["nobody"])
    assert status == 400 and message.startswith("Recipients[0]")
