"""`watchwire serve` and `watchwire worker` as real processes, for the tests that stop, kill
and restart them: each on a free loopback port (serve), its log in a file of the test's
temporary directory, stopped with a signal and timed.

    url = f"sqlite:///{tmp_path / 'w.db'}"
    env = watchwire_env(url)
    headers = await prepare(url)            # migrate, create an account: its key's header
    serve = await start_serve(env, tmp_path)
    ...
    code, seconds = await serve.stop()      # SIGTERM, then the exit code and how long it took
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.servers.plain_tls import free_port
from watchwire.config import Settings
from watchwire.runtime import Runtime

WATCHWIRE = Path(sys.executable).with_name("watchwire")
READY_TIMEOUT = 60.0
SECRET_KEY = "process-test"


def watchwire_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a watchwire process on `database_url` that may reach loopback;
    `settings` are more WATCHWIRE_* values, by lower-case name without the prefix."""
    env = {
        **os.environ,
        "WATCHWIRE_DATABASE_URL": database_url,
        "WATCHWIRE_SECRET_KEY": SECRET_KEY,
        "WATCHWIRE_BOOTSTRAP_ACCOUNT": "false",
        "WATCHWIRE_ALLOW_PRIVATE_TARGETS": "true",
        "WATCHWIRE_LOG_LEVEL": "INFO",
    }
    env.update({f"WATCHWIRE_{name.upper()}": value for name, value in settings.items()})
    return env


async def prepare(database_url: str) -> dict[str, str]:
    """Migrate the database and create an account (in this process: a process start costs
    seconds); the header that authenticates as it in the processes of `watchwire_env`."""
    runtime = Runtime.build(Settings(database_url=database_url, secret_key=SECRET_KEY))
    try:
        await runtime.migrate()
        created = await runtime.accounts.create_account("ops", plan="unlimited")
    finally:
        await runtime.close()
    return {"X-API-Key": created.key}


@dataclass
class WatchwireProcess:
    popen: subprocess.Popen[bytes]
    log: Path
    base_url: str = ""

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> tuple[int, float]:
        """Send `sig`; the exit code and the seconds until the process was gone."""
        started = time.monotonic()
        self.popen.send_signal(sig)
        try:
            code = await asyncio.to_thread(self.popen.wait, timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            await asyncio.to_thread(self.popen.wait)
            raise AssertionError(f"running {timeout} s after {sig}:\n{self.log_text()}") from None
        return code, time.monotonic() - started

    async def kill(self) -> None:
        await self.stop(signal.SIGKILL)

    def ensure_stopped(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> WatchwireProcess:
    with log.open("ab") as out:
        popen = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    return WatchwireProcess(popen, log)


async def _wait_for(process: WatchwireProcess, ready: object) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not await ready():  # type: ignore[operator]
        if process.popen.poll() is not None:
            raise AssertionError(f"exited with {process.popen.returncode}:\n{process.log_text()}")
        if time.monotonic() > deadline:
            process.ensure_stopped()
            raise AssertionError(f"not ready in {READY_TIMEOUT} s:\n{process.log_text()}")
        await asyncio.sleep(0.1)


async def start_serve(
    env: dict[str, str],
    workdir: Path,
    *,
    port: int | None = None,
    name: str = "serve",
    executable: Path = WATCHWIRE,
) -> WatchwireProcess:
    """`watchwire serve` on a free port; returns once /healthz answers."""
    port = port or free_port()
    process = _spawn(
        [str(executable), "serve"],
        {**env, "WATCHWIRE_LISTEN": f"127.0.0.1:{port}"},
        workdir / f"{name}.log",
    )
    process.base_url = f"http://127.0.0.1:{port}"

    async def answers() -> bool:
        try:
            async with httpx.AsyncClient(base_url=process.base_url, timeout=2) as client:
                return (await client.get("/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    await _wait_for(process, answers)
    return process


async def start_worker(
    env: dict[str, str], workdir: Path, *args: str, name: str = "worker"
) -> WatchwireProcess:
    """`watchwire worker ARGS`; returns once its delivery worker has started."""
    log = workdir / f"{name}.log"
    offset = log.stat().st_size if log.exists() else 0
    process = _spawn([str(WATCHWIRE), "worker", *args], env, log)

    async def started() -> bool:
        return "delivery worker" in log.read_text(errors="replace")[offset:]

    await _wait_for(process, started)
    return process
