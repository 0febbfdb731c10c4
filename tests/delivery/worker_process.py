"""A delivery worker as its own process, for the crash test: `python -m
tests.delivery.worker_process DATABASE_URL`. Short leases so a killed worker's rows come due
again within seconds; SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import signal
import sys

from watchwire.background import delivery_worker
from watchwire.config import Settings
from watchwire.delivery.worker import WorkerOptions
from watchwire.runtime import Runtime


async def main(database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key="crash-test",
        allow_private_targets=True,
        bootstrap_account=False,
    )
    runtime = Runtime.build(settings)
    worker = delivery_worker(runtime, concurrency=16)
    worker.options = WorkerOptions(
        concurrency=16, per_endpoint=8, timeout=2.0, allow_http=True, lease_margin=1.0
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    try:
        await worker.run(stop)
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
