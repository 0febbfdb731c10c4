"""Real LDAP servers for the STARTTLS tests: OpenLDAP's slapd in the foreground with a temporary
slapd.conf (no database: the root DSE and the StartTLS extended operation need none).

- `slapd_tls`: ldap:// (StartTLS) and ldaps:// (implicit TLS) on two free loopback ports.
- `slapd_without_tls`: ldap:// only, no TLS configured, so StartTLS is refused.

Import every fixture a test uses, and the `starttls_ca`/`starttls_cert` fixtures of
tests.servers.plain_tls they depend on.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import trustme

from tests.servers.plain_tls import Daemon, Endpoint, TlsFiles, free_port, make_temp_dir

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
CORE_SCHEMA = "/etc/ldap/schema/core.schema"


@dataclass(frozen=True)
class SlapdServer:
    ldap: Endpoint
    ldaps: Endpoint | None


def _run_slapd(cert: trustme.LeafCert | None, ca: trustme.CA | None) -> Iterator[SlapdServer]:
    workdir = make_temp_dir("slapd")
    lines = [
        f"include {CORE_SCHEMA}",
        f"pidfile {workdir}/slapd.pid",
        f"argsfile {workdir}/slapd.args",
    ]
    ldap = Endpoint("127.0.0.1", free_port())
    ldaps = None
    urls = [f"ldap://{ldap.host}:{ldap.port}/"]
    if cert is not None and ca is not None:
        tls = TlsFiles.write(cert, ca, workdir)
        lines += [
            f"TLSCertificateFile {tls.cert}",
            f"TLSCertificateKeyFile {tls.key}",
            f"TLSCACertificateFile {tls.ca}",
            "TLSProtocolMin 3.3",  # TLS 1.2
        ]
        ldaps = Endpoint("127.0.0.1", free_port())
        urls.append(f"ldaps://{ldaps.host}:{ldaps.port}/")
    config = workdir / "slapd.conf"
    config.write_text("\n".join(lines) + "\n")
    ports = [ldap.port] + ([ldaps.port] if ldaps else [])
    # -d keeps slapd in the foreground (level 0: no debug output).
    daemon = Daemon([SLAPD, "-d", "0", "-h", " ".join(urls), "-f", str(config)], ports, workdir)
    try:
        yield SlapdServer(ldap=ldap, ldaps=ldaps)
    finally:
        daemon.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def slapd_tls(starttls_cert: trustme.LeafCert, starttls_ca: trustme.CA) -> Iterator[SlapdServer]:
    yield from _run_slapd(starttls_cert, starttls_ca)


@pytest.fixture(scope="session")
def slapd_without_tls() -> Iterator[SlapdServer]:
    yield from _run_slapd(None, None)
