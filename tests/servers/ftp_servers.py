"""Real FTP servers for the STARTTLS tests: vsftpd in the foreground (`background=NO`) with a
temporary config, one instance per listening port.

- `ftp_server`: explicit FTPS, `AUTH TLS` on a plain control connection (RFC 4217).
- `ftps_server`: implicit FTPS, TLS from the first byte (`implicit_ssl=YES`).
- `ftp_without_tls`: `ssl_enable=NO`, so AUTH TLS is not offered.

Import every fixture a test uses, and the `starttls_ca`/`starttls_cert` fixtures of
tests.servers.plain_tls they depend on.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Literal

import pytest
import trustme

from tests.servers.plain_tls import Daemon, Endpoint, TlsFiles, free_port, make_temp_dir

VSFTPD = shutil.which("vsftpd") or "/usr/sbin/vsftpd"

Mode = Literal["explicit", "implicit", "off"]


def _run_vsftpd(
    mode: Mode, cert: trustme.LeafCert | None = None, ca: trustme.CA | None = None
) -> Iterator[Endpoint]:
    workdir = make_temp_dir("vsftpd")
    # vsftpd chroots its unprivileged helper into an empty root-owned directory.
    (workdir / "empty").mkdir(mode=0o755)
    endpoint = Endpoint("127.0.0.1", free_port())
    settings = {
        "listen": "YES",
        "listen_ipv6": "NO",
        "listen_address": endpoint.host,
        "listen_port": str(endpoint.port),
        "background": "NO",
        "anonymous_enable": "NO",
        "local_enable": "YES",
        "secure_chroot_dir": str(workdir / "empty"),
        # The seccomp sandbox kills vsftpd under some container runtimes.
        "seccomp_sandbox": "NO",
        "xferlog_enable": "NO",
        "pam_service_name": "vsftpd",
        "ssl_enable": "NO",
    }
    if mode != "off":
        assert cert is not None and ca is not None
        tls = TlsFiles.write(cert, ca, workdir)
        settings |= {
            "ssl_enable": "YES",
            "implicit_ssl": "YES" if mode == "implicit" else "NO",
            "rsa_cert_file": str(tls.cert),
            "rsa_private_key_file": str(tls.key),
        }
    config = workdir / "vsftpd.conf"
    config.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    daemon = Daemon([VSFTPD, str(config)], [endpoint.port], workdir)
    try:
        yield endpoint
    finally:
        daemon.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def ftp_server(starttls_cert: trustme.LeafCert, starttls_ca: trustme.CA) -> Iterator[Endpoint]:
    yield from _run_vsftpd("explicit", starttls_cert, starttls_ca)


@pytest.fixture(scope="session")
def ftps_server(starttls_cert: trustme.LeafCert, starttls_ca: trustme.CA) -> Iterator[Endpoint]:
    yield from _run_vsftpd("implicit", starttls_cert, starttls_ca)


@pytest.fixture(scope="session")
def ftp_without_tls() -> Iterator[Endpoint]:
    yield from _run_vsftpd("off")
