"""`/v1/status-pages` and its incidents over HTTP: shapes, errors naming the field, paging."""

from __future__ import annotations

import httpx


async def test_page_and_incident_lifecycle(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    monitor = await client.post(
        "/v1/monitors", json={"kind": "tcp", "target": "127.0.0.1:9", "paused": True}, headers=auth
    )
    sid = monitor.json()["data"]["sid"]
    created = await client.post(
        "/v1/status-pages",
        json={
            "name": "Acme",
            "groups": ["Core"],
            "components": [{"sid": sid, "group": "Core"}],
            "visibility": "protected",
            "access_key": "open-sesame",
            "accent_color": "#AA0033",
            "timezone": "Europe/Paris",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    page = created.json()["data"]
    assert page["has_access_key"] and "access_key" not in page
    assert page["components"] == [{"sid": sid, "kind": "monitor", "group": "Core"}]
    assert page["accent_color"] == "#aa0033"
    token = page["token"]
    listed = await client.get("/v1/status-pages?per_page=1", headers=auth)
    assert listed.json()["meta"]["pagination"]["total"] == 1
    assert (await client.get("/v1/status-pages?per_page=1000", headers=auth)).status_code == 400
    incident = await client.post(
        f"/v1/status-pages/{token}/incidents",
        json={"title": "<script>x</script>", "message": "**slow**", "components": [sid]},
        headers=auth,
    )
    assert incident.status_code == 201, incident.text
    isid = incident.json()["data"]["sid"]
    update = await client.post(
        f"/v1/status-pages/{token}/incidents/{isid}/updates",
        json={"state": "resolved", "message": "ok"},
        headers=auth,
    )
    assert update.status_code == 201
    body = update.json()["data"]
    assert body["state"] == "resolved" and body["ends_at"] is not None
    assert [u["state"] for u in body["updates"]] == ["resolved", "investigating"]
    bad_state = await client.post(
        f"/v1/status-pages/{token}/incidents/{isid}/updates",
        json={"state": "completed"},
        headers=auth,
    )
    assert bad_state.status_code == 400
    assert bad_state.json()["error"]["details"][0]["field"] == "state"
    deleted = await client.delete(f"/v1/status-pages/{token}", headers=auth)
    assert deleted.status_code == 200
    assert (await client.get(f"/v1/status-pages/{token}", headers=auth)).status_code == 404


async def test_bad_input_names_the_field(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    cases = [
        ({"name": "p", "accent_color": "blue"}, "accent_color"),
        ({"name": "p", "timezone": "Nowhere/Land"}, "timezone"),
        ({"name": "p", "components": [{"sid": "MO" + "0" * 32}]}, "components[0].sid"),
        ({"name": "p", "visibility": "protected"}, "access_key"),
        ({"name": "p", "description": "x" * 20_001}, "description"),
        ({"name": "p", "unknown": 1}, "unknown"),
    ]
    for body, field in cases:
        response = await client.post("/v1/status-pages", json=body, headers=auth)
        assert response.status_code == 400, (body, response.text)
        fields = [d["field"] for d in response.json()["error"]["details"]]
        assert any(field in f for f in fields), (field, fields)
    page = (await client.post("/v1/status-pages", json={"name": "p"}, headers=auth)).json()
    huge = await client.post(
        f"/v1/status-pages/{page['data']['token']}/incidents",
        json={"title": "t", "message": "x" * 20_001},
        headers=auth,
    )
    assert huge.status_code == 400
    assert "message" in huge.json()["error"]["details"][0]["field"]
