"""001's wire rules: the key as `?api-key=` or `X-API-KEY` in any case, read-only keys on GET
only, bare JSON, `{"error": …}` for every failure under `/api` (Enterno's `/api/v3` and
`/api/v4` excepted), gzip when asked."""

from __future__ import annotations

import gzip

import httpx
from fastapi import FastAPI

from tests.dialects.updown.conftest import asgi_client
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey


async def test_the_key_in_a_header_of_any_case_or_the_query(
    app: FastAPI, account: CreatedKey
) -> None:
    async with asgi_client(app) as client:
        for header in ("X-API-KEY", "X-Api-Key", "x-api-key"):
            response = await client.get("/api/checks", headers={header: account.key})
            assert (response.status_code, response.json()) == (200, []), header
        assert (await client.get("/api/checks", params={"api-key": account.key})).json() == []
        missing = await client.get("/api/checks")
        assert (missing.status_code, missing.json()) == (401, {"error": "Missing API key"})
        wrong = await client.get("/api/checks", params={"api-key": account.key[:-4] + "0000"})
        assert wrong.status_code == 401 and set(wrong.json()) == {"error"}


async def test_a_read_only_key_reads_and_writes_nothing(
    app: FastAPI, runtime: Runtime, account: CreatedKey, updown: httpx.AsyncClient
) -> None:
    token = (await updown.post("/api/checks", data={"url": "https://r.example/"})).json()["token"]
    reader, _ = await runtime.accounts.create_key(account.account_sid, read_only=True)
    async with asgi_client(app, reader.key) as client:
        assert [c["token"] for c in (await client.get("/api/checks")).json()] == [token]
        assert (await client.get(f"/api/checks/{token}/downtimes")).status_code == 200
        for call in (
            client.post("/api/checks", data={"url": "https://s.example/"}),
            client.put(f"/api/checks/{token}", data={"period": "60"}),
            client.delete(f"/api/checks/{token}"),
            client.post("/api/recipients", data={"type": "webhook", "value": "http://x/"}),
            client.delete("/api/webhooks/WH" + "0" * 32),
            client.post("/api/status_pages", data={"name": "P"}),
        ):
            refused = await call
            assert refused.status_code == 403
            assert refused.json() == {
                "error": "This API key is read-only: only GET requests are allowed"
            }


async def test_unknown_paths_under_api_answer_updowns_error(updown: httpx.AsyncClient) -> None:
    for path in ("/api/nothing", "/api/checks/MO" + "0" * 32 + "/nothing", "/api"):
        response = await updown.get(path)
        assert (response.status_code, response.json()) == (404, {"error": "Not found"}), path
    wrong_method = await updown.patch("/api/webhooks")
    assert (wrong_method.status_code, wrong_method.json()) == (
        405, {"error": "Method not allowed"},
    )  # fmt: skip
    # Enterno's versions are not updown's: whoever serves them answers (here: the native
    # face's 404 until the Enterno dialect claims them), never updown's bare sentence.
    for path in ("/api/v3/monitors.php", "/api/v4/webhooks"):
        answered = (await updown.get(path)).json()
        assert not isinstance(answered.get("error"), str), path


async def test_bad_tokens_and_gzip(updown: httpx.AsyncClient) -> None:
    bad = await updown.get("/api/checks/nope")
    assert bad.status_code == 400 and bad.json()["error"].startswith("Token")
    for n in range(4):
        await updown.post("/api/checks", data={"url": f"https://g{n}.example/"})
    zipped = await updown.get("/api/checks", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert len(zipped.json()) == 4
    raw = await updown.get("/api/checks", headers={"Accept-Encoding": "identity"})
    assert len(gzip.compress(raw.content)) < len(raw.content)
