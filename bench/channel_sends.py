"""Notifications per second through the hand-written channels, against local receivers.

`endpoint`: JSON summaries POSTed to an aiohttp receiver in another process (each send is a
fresh policy-checked connection, as in service). `email`: messages to an aiosmtpd server in
another process. Bounded in count and in time; prints both rates and, on the last line, the
endpoint rate.

    .venv/bin/python bench/channel_sends.py [--sends 400] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from datetime import UTC, datetime
from typing import Any

import uvloop

from _harness import free_port
from watchwire.delivery.channels import ChannelContext, ContactTarget, SmtpSettings, send
from watchwire.events.event import Event
from watchwire.target_policy import TargetPolicy

TIME_LIMIT_S = 60.0
EVENT = Event(
    sid="TA" + "1" * 32,
    account_sid="AC" + "0" * 32,
    type="monitor.down",
    description="https://shop.example.com is down: HTTP 503",
    payload={"name": "Shop", "url": "https://shop.example.com"},
    created_at=datetime(2026, 11, 24, tzinfo=UTC),
)


def serve_http(port: int) -> None:
    from aiohttp import web

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", ok)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def serve_smtp(port: int) -> None:
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    while True:
        time.sleep(3600)


async def rate(contact: ContactTarget, ctx: ChannelContext, sends: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)
    deadline = time.monotonic() + TIME_LIMIT_S

    async def one() -> None:
        async with gate:
            if time.monotonic() < deadline:
                await send(contact, EVENT, ctx)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(sends)))
    return sends / (time.perf_counter() - started)


async def wait_for_port(port: int) -> None:
    for _ in range(300):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise SystemExit(f"receiver on port {port} did not start")


async def main(sends: int, concurrency: int) -> None:
    http_port, smtp_port = free_port(), free_port()
    servers = [
        multiprocessing.Process(target=serve_http, args=(http_port,), daemon=True),
        multiprocessing.Process(target=serve_smtp, args=(smtp_port,), daemon=True),
    ]
    for server in servers:
        server.start()
    try:
        await wait_for_port(http_port)
        await wait_for_port(smtp_port)
        ctx = ChannelContext(
            policy=TargetPolicy(allow_private=True),
            smtp=SmtpSettings(host="127.0.0.1", port=smtp_port),
        )
        url = f"http://127.0.0.1:{http_port}/hook"
        endpoint = ContactTarget("CO" + "2" * 32, "endpoint", {"contact": url, "url": url})
        mail = ContactTarget("CO" + "3" * 32, "email", {"contact": "ops@example.com"})
        email_rate = await rate(mail, ctx, sends, concurrency)
        endpoint_rate = await rate(endpoint, ctx, sends, concurrency)
        print(f"email (SMTP to aiosmtpd): {email_rate:.0f} sends/s")
        print(f"endpoint channel: {endpoint_rate:.0f} sends/s")
    finally:
        for server in servers:
            server.kill()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sends", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    arguments = parser.parse_args()
    uvloop.run(main(arguments.sends, arguments.concurrency))
