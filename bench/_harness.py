"""Shared pieces of the benchmarks: free ports, Debian tools, a `watchwire serve` subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHWIRE = str(Path(sys.executable).with_name("watchwire"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_debian_tool(binary: str, package: str) -> str:
    """Path of a tool, installing its Debian package first when it is missing (root only)."""
    found = shutil.which(binary)
    if found:
        return found
    subprocess.run(
        ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-qq", package],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which(binary)
    if not found:
        raise SystemExit(f"{binary} is not available after installing {package}")
    return found


@contextlib.contextmanager
def watchwire_serve(extra_env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """Start `watchwire serve` on a fresh SQLite file; yield (base URL, API key)."""
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-") as tmp:
        port = free_port()
        env = {
            **os.environ,
            "WATCHWIRE_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "WATCHWIRE_LISTEN": f"127.0.0.1:{port}",
            "WATCHWIRE_SECRET_KEY": "bench",
            "WATCHWIRE_BOOTSTRAP_ACCOUNT": "false",
            "WATCHWIRE_LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        # The admin commands refuse a database that does not exist yet: make it first.
        subprocess.run([WATCHWIRE, "db", "upgrade"], env=env, check=True, capture_output=True)
        created = subprocess.run(
            [WATCHWIRE, "account", "create", "bench", "--plan", "unlimited", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        key = json.loads(created.stdout)["key"]
        server = subprocess.Popen([WATCHWIRE, "serve"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("watchwire serve did not start") from None
                    time.sleep(0.2)
            yield base, key
        finally:
            server.terminate()
            server.wait(timeout=15)


def ensure_python_package(module: str, requirement: str, *, no_deps: bool = False) -> None:
    """Install a benchmark-only comparison package into this interpreter when missing."""
    import importlib.util

    if importlib.util.find_spec(module) is not None:
        return
    command = [sys.executable, "-m", "pip", "install", "--quiet", requirement]
    if no_deps:
        command.append("--no-deps")
    subprocess.run(command, check=True)
