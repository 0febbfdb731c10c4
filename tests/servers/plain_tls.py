"""Plain TLS test servers (https, sips) and what every STARTTLS test server shares.

Shared pieces, used by mail_servers, directory_servers, ftp_servers and database_servers:

- `starttls_ca` / `starttls_cert`: one trustme CA per session and a server certificate for
  `localhost`, `127.0.0.1` and `::1`; `TlsFiles.write()` puts them on disk for a daemon.
- `free_port()`, `Daemon`: start a real daemon as a foreground subprocess on a free loopback
  port, wait until it accepts connections, and stop it (and remove its temp dir) afterwards.
- `Endpoint`: where a test server listens.

The servers of this module are asyncio TLS listeners that say one protocol-ish line after the
handshake and record the SNI names their clients sent: `https_server`, `sips_server`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme

STARTUP_TIMEOUT = 60.0  # generous: the machine is shared with other busy test runs
SERVER_NAME = "localhost"


@dataclass
class Endpoint:
    """A test server's address; `sni` collects the server names clients sent, where the
    server can tell."""

    host: str
    port: int
    sni: list[str | None] = field(default_factory=list)


@dataclass(frozen=True)
class TlsFiles:
    cert: Path  # the server certificate followed by its chain
    key: Path
    ca: Path

    @classmethod
    def write(
        cls, cert: trustme.LeafCert, ca: trustme.CA, directory: Path, owner: str | None = None
    ) -> TlsFiles:
        """Write the certificate, its key (mode 0600) and the CA into `directory`, owned by
        `owner` when a daemon runs as that user and insists on owning its key."""
        files = cls(directory / "server.crt", directory / "server.key", directory / "ca.crt")
        cert.cert_chain_pems[0].write_to_path(str(files.cert))
        for pem in cert.cert_chain_pems[1:]:
            with files.cert.open("ab") as chain:
                chain.write(pem.bytes())
        cert.private_key_pem.write_to_path(str(files.key))
        ca.cert_pem.write_to_path(str(files.ca))
        files.key.chmod(0o600)
        if owner is not None:
            for path in (files.cert, files.key, files.ca):
                shutil.chown(path, owner, owner_group(owner))
        return files


def owner_group(user: str) -> str:
    import grp
    import pwd

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def make_temp_dir(prefix: str, owner: str | None = None) -> Path:
    """A temp dir other users can traverse (daemons drop privileges), owned by `owner`."""
    path = Path(tempfile.mkdtemp(prefix=f"watchwire-{prefix}-"))
    path.chmod(0o755)
    if owner is not None:
        shutil.chown(path, owner, owner_group(owner))
    return path


class Daemon:
    """A server process in the foreground, its output in `log`, stopped by `stop()`."""

    def __init__(
        self,
        argv: Sequence[str],
        ports: Sequence[int],
        workdir: Path,
        *,
        user: str | None = None,
        env: dict[str, str] | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> None:
        self.workdir = workdir
        self.stop_signal = stop_signal
        self.log = workdir / "daemon.log"
        self.ports = list(ports)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=workdir,
                user=user,
                env={**os.environ, **(env or {})},
                start_new_session=True,
            )
        try:
            self._wait_until_listening()
        except BaseException:
            self.stop()
            raise

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        waiting = list(self.ports)
        while waiting:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.describe()} exited: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.describe()} did not listen: {self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", waiting[0]), timeout=2).close()
                waiting.pop(0)
            except OSError:
                time.sleep(0.1)

    def describe(self) -> str:
        return f"{Path(str(self.process.args[0])).name} on ports {self.ports}"  # type: ignore[index]

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Ask the daemon to stop; kill its whole process group if it has not within 20 s."""
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def starttls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def starttls_cert(starttls_ca: trustme.CA) -> trustme.LeafCert:
    return starttls_ca.issue_cert(SERVER_NAME, "127.0.0.1", "::1")


def server_context(cert: trustme.LeafCert, sni: list[str | None] | None = None) -> ssl.SSLContext:
    """A server-side SSLContext presenting `cert`, appending each client's SNI to `sni`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    if sni is not None:

        def record(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
            sni.append(name)

        context.sni_callback = record
    return context


def _serve_tls(cert: trustme.LeafCert, banner: bytes) -> Iterator[Endpoint]:
    """Serve implicit TLS from a thread with its own event loop, so that sync, async and
    uvloop tests alike can use one session-wide server."""
    endpoint = Endpoint("127.0.0.1", 0)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(banner)
            await writer.drain()
            await reader.read(65536)
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="tls-test-server", daemon=True)
    thread.start()
    start = asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_context(cert, endpoint.sni))
    server = asyncio.run_coroutine_threadsafe(start, loop).result(STARTUP_TIMEOUT)
    endpoint.port = server.sockets[0].getsockname()[1]
    try:
        yield endpoint
    finally:

        async def close() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), loop).result(STARTUP_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(STARTUP_TIMEOUT)
        loop.close()


@pytest.fixture(scope="session")
def https_server(starttls_cert: trustme.LeafCert) -> Iterator[Endpoint]:
    """An implicit-TLS listener that answers like an HTTP/1.1 server."""
    yield from _serve_tls(starttls_cert, b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="session")
def sips_server(starttls_cert: trustme.LeafCert) -> Iterator[Endpoint]:
    """An implicit-TLS listener standing in for a SIP-over-TLS registrar (RFC 3261 port 5061):
    SIP over TLS has no preamble, so the handshake is all a certificate check needs."""
    yield from _serve_tls(starttls_cert, b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n")
