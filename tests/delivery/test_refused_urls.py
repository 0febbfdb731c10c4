"""URLs the HTTP client refuses outright (non-canonical numeric hosts, unparsable URLs): each
delivery to one already stored fails at once as permanent instead of retrying 25 times."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.delivery.helpers import add_contact, attempts, emit, rows, subscribe, worker
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.delivery.webhook import non_canonical_host, url_syntax_problem
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_webhooks import webhook_subscriptions

__all__ = ["webhook_receiver"]

REFUSED = ["http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://0177.0.0.1/"]


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f.1", "127.1", "017700000001", "0177.0.0.1", "1.2.3", "127.0.0.1.",
     "256.1.1.1", "foo.123", "0x"],
)  # fmt: skip
def test_non_canonical_numeric_hosts_are_named(host: str) -> None:
    assert non_canonical_host(host) == (
        f"{host} is not a canonical IPv4 address: write it as four decimal numbers (192.0.2.1)"
    )


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.0.0.255", "example.com", "example.com.", "a1.b2", "::1", "1e2.com"]
)
def test_names_and_canonical_addresses_pass(host: str) -> None:
    assert non_canonical_host(host) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://h\tst.test/", "control character (U+0009)"),
        ("http://[::1]x/", "is not a valid URL"),
        ("http://127.0.0.1:99999/", "is not a valid URL"),
        ("http:///path", "has no host"),
        ("http://127.1:9/", "not a canonical IPv4 address"),
    ],
)
def test_url_syntax_problems(url: str, problem: str) -> None:
    assert problem in (url_syntax_problem(url) or "")
    assert url_syntax_problem("http://127.0.0.1:9/hook?a=b") is None


@pytest.mark.parametrize("url", REFUSED)
async def test_a_stored_webhook_url_the_client_refuses_fails_at_once(
    runtime: Runtime,
    account: CreatedKey,
    webhook_receiver: Receiver,
    clock: FrozenClock,
    url: str,
) -> None:
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url())
    async with runtime.db.transaction() as conn:  # stored before creation refused such URLs
        await conn.execute(
            sa.update(webhook_subscriptions)
            .where(webhook_subscriptions.c.sid == hook.sid)
            .values(url=url)
        )
    await emit(runtime, account.account_sid)
    delivery = worker(runtime)
    assert await delivery.run_once() == 1
    [row] = await rows(runtime)
    assert (row.status, row.attempts) == ("failed", 1), row.last_error
    assert "not a canonical IPv4 address" in row.last_error
    clock.advance(86_400)
    assert await delivery.run_once() == 0  # nothing left to retry
    assert len(await attempts(runtime, row.sid)) == 1
    assert not webhook_receiver.requests()


async def test_a_stored_endpoint_contact_url_the_client_refuses_fails_at_once(
    runtime: Runtime, account: CreatedKey, clock: FrozenClock
) -> None:
    _, group = await add_contact(
        runtime, account.account_sid, type="endpoint", args={"url": "http://127.1:9/ops"}
    )
    await emit(runtime, account.account_sid, groups=[group])
    delivery = worker(runtime)
    assert await delivery.run_once() == 1
    [row] = await rows(runtime, target_type="contact")
    assert (row.status, row.attempts) == ("failed", 1), row.last_error
    clock.advance(86_400)
    assert await delivery.run_once() == 0
