"""Real database servers for the STARTTLS and crash tests, each our own instance on a free
loopback port with a temporary data directory, never the system PostgreSQL (5432) or
MariaDB (3306).

- `postgres_tls` / `postgres_without_tls`: a cluster made by initdb, run as the `postgres`
  user (initdb refuses root) with `ssl=on` / `ssl=off` given on the postgres command line.
- `postgres_cluster`: a cluster of one test's own (`PostgresCluster`), which the test stops
  and starts again.
- `mariadb_tls` / `mariadb_without_tls`: a datadir made by mariadb-install-db, mariadbd run as
  the `mysql` user with / without `--ssl-cert`/`--ssl-key` (MariaDB 10.11 offers no TLS
  without a certificate: no CLIENT_SSL flag in its greeting).

Import every fixture a test uses, and the `starttls_ca`/`starttls_cert` fixtures of
tests.servers.plain_tls they depend on.
"""

from __future__ import annotations

import glob
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.servers.plain_tls import Daemon, Endpoint, TlsFiles, free_port, make_temp_dir

POSTGRES_BIN = Path(
    sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:][0]
    if glob.glob("/usr/lib/postgresql/*/bin")
    else "/usr/lib/postgresql/15/bin"
)
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
MARIADB_INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"


def _setup(argv: list[str], user: str, workdir: Path) -> None:
    """Run a one-shot setup command as `user`; fail with its output when it fails."""
    done = subprocess.run(argv, user=user, cwd=workdir, capture_output=True, timeout=120)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace")[-2000:]
        raise RuntimeError(f"{Path(argv[0]).name} failed: {output}")


class PostgresCluster:
    """A PostgreSQL cluster of our own: initdb into a temporary directory, the server on a
    free loopback port, run as the `postgres` user. `stop()` and `start()` again keep its
    data and port (a test restarts it under load); `remove()` deletes it."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.workdir = make_temp_dir("postgres", owner="postgres")
        self.data = self.workdir / "data"
        _setup(
            [
                str(POSTGRES_BIN / "initdb"),
                f"--pgdata={self.data}",
                "--username=postgres",
                "--auth=trust",
                "--no-sync",
                "--encoding=UTF8",
            ],
            "postgres",
            self.workdir,
        )
        self.endpoint = Endpoint("127.0.0.1", free_port())
        self.settings = {
            "listen_addresses": self.endpoint.host,
            "port": str(self.endpoint.port),
            "unix_socket_directories": str(self.workdir),
            "fsync": "off",
            "ssl": "off",
        } | (settings or {})
        self.daemon: Daemon | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{self.endpoint.host}:{self.endpoint.port}/postgres"

    def start(self) -> None:
        argv = [str(POSTGRES_BIN / "postgres"), "-D", str(self.data)]
        for name, value in self.settings.items():
            argv += ["-c", f"{name}={value}"]
        # SIGINT is postgres' "fast" shutdown: it does not wait for clients to disconnect.
        self.daemon = Daemon(
            argv, [self.endpoint.port], self.workdir, user="postgres", stop_signal=signal.SIGINT
        )

    def stop(self) -> None:
        if self.daemon is not None:
            self.daemon.stop()
            self.daemon = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _run_postgres(cert: trustme.LeafCert | None, ca: trustme.CA | None) -> Iterator[Endpoint]:
    cluster = PostgresCluster()
    try:
        if cert is not None and ca is not None:
            # postgres insists on owning its key, with no access for anyone else.
            tls = TlsFiles.write(cert, ca, cluster.workdir, owner="postgres")
            cluster.settings |= {
                "ssl": "on",
                "ssl_cert_file": str(tls.cert),
                "ssl_key_file": str(tls.key),
            }
        cluster.start()
        yield cluster.endpoint
    finally:
        cluster.remove()


@pytest.fixture
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A running cluster of the test's own, to stop and start at will."""
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def _run_mariadb(cert: trustme.LeafCert | None, ca: trustme.CA | None) -> Iterator[Endpoint]:
    workdir = make_temp_dir("mariadb", owner="mysql")
    data = workdir / "data"
    _setup(
        [
            MARIADB_INSTALL_DB,
            "--no-defaults",
            f"--datadir={data}",
            "--skip-test-db",
            "--auth-root-authentication-method=normal",
            "--skip-name-resolve",
        ],
        "mysql",
        workdir,
    )
    endpoint = Endpoint("127.0.0.1", free_port())
    argv = [
        MARIADBD,
        "--no-defaults",
        f"--datadir={data}",
        f"--socket={workdir}/mariadb.sock",
        f"--pid-file={workdir}/mariadb.pid",
        f"--log-error={workdir}/mariadb.err",
        f"--bind-address={endpoint.host}",
        f"--port={endpoint.port}",
        "--innodb-buffer-pool-size=8M",
        "--skip-log-bin",
        "--skip-name-resolve",
    ]
    if cert is not None and ca is not None:
        tls = TlsFiles.write(cert, ca, workdir, owner="mysql")
        argv += [f"--ssl-cert={tls.cert}", f"--ssl-key={tls.key}", f"--ssl-ca={tls.ca}"]
    daemon = Daemon(argv, [endpoint.port], workdir, user="mysql")
    try:
        yield endpoint
    finally:
        daemon.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_tls(starttls_cert: trustme.LeafCert, starttls_ca: trustme.CA) -> Iterator[Endpoint]:
    yield from _run_postgres(starttls_cert, starttls_ca)


@pytest.fixture(scope="session")
def postgres_without_tls() -> Iterator[Endpoint]:
    yield from _run_postgres(None, None)


@pytest.fixture(scope="session")
def mariadb_tls(starttls_cert: trustme.LeafCert, starttls_ca: trustme.CA) -> Iterator[Endpoint]:
    yield from _run_mariadb(starttls_cert, starttls_ca)


@pytest.fixture(scope="session")
def mariadb_without_tls() -> Iterator[Endpoint]:
    yield from _run_mariadb(None, None)
