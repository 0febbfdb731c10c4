"""The visitor face rendered through the real app with a fake visit service."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import httpx
import pytest

from watchwire.app import create_app
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.web.visits import PageVisits

from .factory import FakeVisits, page


def client(visits: PageVisits) -> httpx.AsyncClient:
    runtime = SimpleNamespace(status_pages=visits, settings=Settings())
    app = create_app(cast(Runtime, runtime))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_page_shows_banner_components_bars_and_chart() -> None:
    async with client(FakeVisits(page())) as http:
        answer = await http.get("/p/tok123")
    assert answer.status_code == 200
    body = answer.text
    assert "Partial outage" in body
    assert body.count("<rect class=") == 180
    assert "100.00% uptime, 144 min down" not in body
    assert "90.00% uptime, 144 min down" in body
    assert "<polyline points=" in body
    assert "Last updated" in body and "CET" in body  # Europe/Paris in December


async def test_names_and_markdown_are_escaped() -> None:
    async with client(FakeVisits(page())) as http:
        body = (await http.get("/p/tok123")).text
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "<strong>database</strong>" in body
    assert "API &lt;i&gt;v1&lt;/i&gt;" in body
    assert "Slow &lt;b&gt;checkout&lt;/b&gt;" in body


async def test_unknown_token_is_a_404_page() -> None:
    async with client(FakeVisits(page())) as http:
        answer = await http.get("/p/nope")
    assert answer.status_code == 404
    assert "text/html" in answer.headers["content-type"]
    assert "Page not found" in answer.text


async def test_protected_page_asks_for_the_key_and_the_cookie_opens_it() -> None:
    async with client(FakeVisits(page(), access_key="s3cret")) as http:
        refused = await http.get("/p/tok123")
        assert refused.status_code == 401
        assert 'name="access_key"' in refused.text and "Partial outage" not in refused.text
        wrong = await http.post("/p/tok123/access", data={"access_key": "bad"})
        assert wrong.status_code == 401 and "not right" in wrong.text
        granted = await http.post("/p/tok123/access", data={"access_key": "s3cret"})
        assert granted.status_code == 303
        opened = await http.get("/p/tok123")
        assert opened.status_code == 200 and "Partial outage" in opened.text
        assert opened.headers["cache-control"].startswith("private")
        by_query = await httpx.AsyncClient(transport=http._transport, base_url="http://t").get(
            "/p/tok123?access_key=s3cret"
        )
        assert by_query.status_code == 200


async def test_custom_domain_serves_the_root() -> None:
    async with client(FakeVisits(page())) as http:
        answer = await http.get("/", headers={"host": "status.example.test"})
    assert answer.status_code == 200 and "Example status" in answer.text


@pytest.mark.parametrize("path", ["/p/tok123", "/p/tok123.json", "/p/tok123/feed.atom"])
async def test_etag_answers_304(path: str) -> None:
    async with client(FakeVisits(page())) as http:
        first = await http.get(path)
        tag = first.headers["etag"]
        assert "max-age=30" in first.headers["cache-control"]
        again = await http.get(path, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
