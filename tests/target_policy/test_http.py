"""The target policy on outgoing HTTP: aiohttp reaches a name only through the policy resolver,
and an IP literal only after the literal check."""

from __future__ import annotations

import aiohttp
import pytest

from tests.servers.http_servers import Server, http_server
from watchwire.errors import TargetNotAllowed
from watchwire.target_policy import TargetPolicy
from watchwire.target_policy.http import PolicyResolver, check_literal_host, literal_address

__all__ = ["http_server"]  # the fixture is used by name


def _session(policy: TargetPolicy) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=PolicyResolver(policy)))


async def test_a_name_that_resolves_to_loopback_is_refused_before_connecting(
    http_server: Server,
) -> None:
    async with _session(TargetPolicy()) as session:
        with pytest.raises(TargetNotAllowed) as caught:
            await session.get(f"http://localhost:{http_server.port}/ok")
    assert caught.value.details["category"] == "loopback"
    assert http_server.hits == []


async def test_a_name_the_policy_allows_is_reached(http_server: Server) -> None:
    async with (
        _session(TargetPolicy(allow_private=True)) as session,
        session.get(f"http://localhost:{http_server.port}/ok") as response,
    ):
        assert response.status == 200
    assert http_server.hits == [("GET", "/ok")]


async def test_the_resolver_answers_with_the_allowed_addresses_as_numeric_hosts() -> None:
    answers = await PolicyResolver(TargetPolicy(allow_private=True)).resolve("localhost", 80)
    assert answers
    for answer in answers:
        assert answer["hostname"] == "localhost"
        assert literal_address(answer["host"]) is not None
        assert answer["port"] == 80


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "169.254.169.254", "10.1.2.3"])
def test_a_refused_literal_is_caught_before_the_request(host: str) -> None:
    with pytest.raises(TargetNotAllowed):
        check_literal_host(host, TargetPolicy())


def test_names_are_left_to_the_resolver_and_allowed_literals_pass() -> None:
    check_literal_host("localhost", TargetPolicy())  # a name: checked when it resolves
    check_literal_host("127.0.0.1", TargetPolicy(allow_private=True))
    check_literal_host("93.184.216.34", TargetPolicy())
