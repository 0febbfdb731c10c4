"""A real rbldnsd (Debian package `rbldnsd`) on a free loopback port, serving test zones
from temporary files.

    server = rbldnsd_factory({"bl.test": ("ip4set", [":127.0.0.2:Listed $", "192.0.2.1"])})
    server.address            # "127.0.0.1:PORT", the resolver for the rbl probe
    server.write_zone("bl.test", [...]); server.reload()   # list → delist in a monitor test

Zones are `{zone: (dataset, lines)}`, or `{zone: [(dataset, lines), …]}` for a zone built
from several datasets, with rbldnsd's own dataset types: ip4set, ip4trie, ip4tset, ip6trie,
ip6tset, dnset, generic, acl (e.g. `["127.0.0.0/8 :refuse"]` answers REFUSED, `:ignore` never
answers). Each zone gets the RFC 5782 test entries
unless `rfc5782=False` (127.0.0.2 / ::ffff:7f00:2 / TEST listed, so health checks pass).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

RBLDNSD = shutil.which("rbldnsd") or "/usr/sbin/rbldnsd"
ZoneSpec = tuple[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]]

_TEST_ENTRIES = {
    "ip4set": ["127.0.0.2 :127.0.0.2:RFC 5782 test entry"],
    "ip4trie": ["127.0.0.2/32 :127.0.0.2:RFC 5782 test entry"],
    "ip4tset": ["127.0.0.2"],
    "ip6trie": ["::ffff:7f00:2/128 :127.0.0.2:RFC 5782 test entry"],
    "dnset": ["test :127.0.0.2:RFC 5782 test entry"],
}


def _free_udp_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class RbldnsdServer:
    """One rbldnsd process; stop() ends it and removes its files."""

    def __init__(
        self, zones: Mapping[str, ZoneSpec], host: str = "127.0.0.1", rfc5782: bool = True
    ) -> None:
        if not os.path.exists(RBLDNSD):
            pytest.fail("rbldnsd is not installed: apt-get install rbldnsd (scripts/apt/rbl.txt)")
        self.host = host
        self.rfc5782 = rfc5782
        self.workdir = Path(tempfile.mkdtemp(prefix="rbldnsd-"))
        self.workdir.chmod(0o755)  # rbldnsd drops to its own user and must read the files
        self._mtime = time.time() - 100
        self.datasets: dict[str, list[str]] = {}
        for zone, spec in zones.items():
            parts = [spec] if isinstance(spec[0], str) else spec
            for dataset, lines in parts:  # type: ignore[misc]
                self.datasets.setdefault(zone, []).append(dataset)
                self.write_zone(zone, lines, dataset)
        self.log = self.workdir / "rbldnsd.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        try:
            self._start()
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise

    @property
    def address(self) -> str:
        """HOST:PORT for WATCHWIRE_RESOLVER / the probe's `resolver` option."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def _start(self) -> None:
        for _ in range(5):  # the free port may be taken between probing and binding
            self.port = _free_udp_port(self.host)
            command = [RBLDNSD, "-n", "-c", "0", "-t", "1", "-b", f"{self.host}/{self.port}"]
            if os.geteuid() == 0:
                command += ["-u", "rbldns"]  # rbldnsd refuses to run as root
            command += [
                f"{zone}:{dataset}:{self._path(zone, dataset)}"
                for zone, datasets in self.datasets.items()
                for dataset in datasets
            ]
            with self.log.open("wb") as log:
                self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            if self._wait_for("started", count=1, timeout=10):
                return
            self.process.kill()
            self.process.wait()
        raise RuntimeError(f"rbldnsd did not start: {self.log.read_text(errors='replace')}")

    def _path(self, zone: str, dataset: str) -> Path:
        return self.workdir / f"{zone}.{dataset}.zone"

    def write_zone(self, zone: str, lines: Sequence[str], dataset: str | None = None) -> None:
        """Replace a zone's data (atomically, as rbldnsd's manual asks); call reload() after.
        `dataset` picks one when the zone is built from several."""
        dataset = dataset or self.datasets[zone][0]
        entries = [*(_TEST_ENTRIES.get(dataset, []) if self.rfc5782 else []), *lines]
        path = self._path(zone, dataset)
        temporary = path.with_suffix(".tmp")
        temporary.write_text("\n".join(entries) + "\n")
        temporary.chmod(0o644)
        # rbldnsd notices changes by mtime in whole seconds: move it forward every time.
        self._mtime += 1
        os.utime(temporary, (self._mtime, self._mtime))
        temporary.replace(path)

    def reload(self, timeout: float = 10) -> None:
        """Make rbldnsd re-read changed zone files (SIGHUP) and wait until it has."""
        assert self.process is not None
        before = self.log.read_text(errors="replace").count("zones reloaded")
        self.process.send_signal(signal.SIGHUP)
        if not self._wait_for("zones reloaded", count=before + 1, timeout=timeout):
            raise RuntimeError("rbldnsd did not reload its zones")

    def _wait_for(self, marker: str, count: int, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.read_text(errors="replace").count(marker) >= count:
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


RbldnsdFactory = Callable[..., RbldnsdServer]


@pytest.fixture
def rbldnsd_factory() -> Iterator[RbldnsdFactory]:
    """Start rbldnsd instances: factory(zones, host="127.0.0.1", rfc5782=True)."""
    servers: list[RbldnsdServer] = []

    def start(
        zones: Mapping[str, ZoneSpec], host: str = "127.0.0.1", rfc5782: bool = True
    ) -> RbldnsdServer:
        server = RbldnsdServer(zones, host=host, rfc5782=rfc5782)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
