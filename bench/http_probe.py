"""Full http probes per second against a local nginx, next to a bare aiohttp loop.

Starts its own nginx (installing the Debian package if it is missing) with a temporary
config on a free loopback port, then runs for `--duration` seconds each, at `--concurrency`:

  1. bare:  one aiohttp session with force_close (a new connection per request), GET, read;
  2. probe: `watchwire.probes.http.http.probe` — policy check, fresh connector, per-phase timings,
            body cap, result object — a new connection per probe, as monitors run it.

The two loops alternate in `--rounds` slices, so a neighbour's load on a shared machine hits
both alike. Prints both rates and their ratio on the last line; the target is a ratio of at
least 0.8. Traffic goes to 127.0.0.1 only, and every loop is bounded by the duration.

    .venv/bin/python bench/http_probe.py --duration 20 --concurrency 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import uvloop

from watchwire.probes.base import ProbeContext
from watchwire.probes.http import http
from watchwire.target_policy import TargetPolicy

NGINX_CONF = """
{user}
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{
            default_type text/plain;
            return 200 "watchwire benchmark page: ok\\n";
        }}
    }}
}}
"""


def nginx_binary() -> str:
    """nginx's path, installing the package first when it is missing."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "-o", "DPkg::Lock::Timeout=900", "install", "-y", "-q"]
    command += ["--no-install-recommends", "nginx"]
    if os.geteuid() != 0:
        command = ["sudo", *command]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_nginx() -> Iterator[str]:
    """A private nginx on 127.0.0.1:<free port>; yields its URL and stops it afterwards."""
    binary = nginx_binary()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-nginx-") as directory:
        os.chmod(directory, 0o755)
        user = "user root;" if os.geteuid() == 0 else ""
        conf = Path(directory) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(user=user, dir=directory, port=port))
        process = subprocess.Popen(
            [binary, "-c", str(conf), "-p", directory, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                with socket.socket() as probe_socket:
                    if probe_socket.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"nginx did not start: {error}")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}/"
        finally:
            process.terminate()
            process.wait(10)


async def run_for(seconds: float, concurrency: int, once: Callable[[], Awaitable[bool]]) -> int:
    """Run `once` from `concurrency` workers until the time is up; count the successes."""
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            if await once():
                done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


async def compare(url: str, seconds: float, concurrency: int, rounds: int) -> tuple[float, float]:
    """Rates (per second) of the bare loop and of the probe loop, alternating slices."""
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True))
    options = http.Options(keyword="ok")
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def bare() -> bool:
            async with session.get(url) as response:
                body = await response.read()
                return response.status == 200 and b"ok" in body

        async def probe() -> bool:
            result = await http.probe(url, options, ctx)
            return result.outcome == "up"

        totals = {bare: [0, 0.0], probe: [0, 0.0]}
        for _ in range(rounds):
            for once, total in totals.items():
                started = time.perf_counter()
                total[0] += await run_for(seconds / rounds, concurrency, once)
                total[1] += time.perf_counter() - started
    return totals[bare][0] / totals[bare][1], totals[probe][0] / totals[probe][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per loop")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=4, help="alternating slices per loop")
    args = parser.parse_args()
    if not 0 < args.duration <= 600 or not 0 < args.concurrency <= 2000 or args.rounds < 1:
        parser.error("duration in (0, 600] s, concurrency in (0, 2000], rounds >= 1")
    with local_nginx() as url:
        bare, probes = uvloop.run(compare(url, args.duration, args.concurrency, args.rounds))
    print(f"bare aiohttp force_close GET: {bare:,.0f} req/s")
    print(f"watchwire http probe:         {probes:,.0f} probes/s")
    print(
        f"http probe {probes:,.0f}/s vs bare aiohttp {bare:,.0f}/s at concurrency "
        f"{args.concurrency}: ratio {probes / bare:.2f} (target >= 0.80)"
    )


if __name__ == "__main__":
    main()
