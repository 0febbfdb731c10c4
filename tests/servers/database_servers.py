"""Real database servers for the STARTTLS tests, each our own instance on a free loopback port
with a temporary data directory, never the system PostgreSQL (5432) or MariaDB (3306).

- `postgres_tls` / `postgres_without_tls`: a cluster made by initdb, run as the `postgres`
  user (initdb refuses root) with `ssl=on` / `ssl=off` given on the postgres command line.
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


def _run_postgres(cert: trustme.LeafCert | None, ca: trustme.CA | None) -> Iterator[Endpoint]:
    workdir = make_temp_dir("postgres", owner="postgres")
    data = workdir / "data"
    _setup(
        [
            str(POSTGRES_BIN / "initdb"),
            f"--pgdata={data}",
            "--username=postgres",
            "--auth=trust",
            "--no-sync",
            "--encoding=UTF8",
        ],
        "postgres",
        workdir,
    )
    endpoint = Endpoint("127.0.0.1", free_port())
    settings = {
        "listen_addresses": endpoint.host,
        "port": str(endpoint.port),
        "unix_socket_directories": str(workdir),
        "fsync": "off",
        "ssl": "off",
    }
    if cert is not None and ca is not None:
        # postgres insists on owning its key, with no access for anyone else.
        tls = TlsFiles.write(cert, ca, workdir, owner="postgres")
        settings |= {"ssl": "on", "ssl_cert_file": str(tls.cert), "ssl_key_file": str(tls.key)}
    argv = [str(POSTGRES_BIN / "postgres"), "-D", str(data)]
    for name, value in settings.items():
        argv += ["-c", f"{name}={value}"]
    # SIGINT is postgres' "fast" shutdown: it does not wait for clients to disconnect.
    daemon = Daemon(argv, [endpoint.port], workdir, user="postgres", stop_signal=signal.SIGINT)
    try:
        yield endpoint
    finally:
        daemon.stop()
        shutil.rmtree(workdir, ignore_errors=True)


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
