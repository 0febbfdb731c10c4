"""Real mail servers for the STARTTLS tests.

- aiosmtpd (in its own thread and event loop): `smtp_server` (EHLO + STARTTLS),
  `smtp_without_starttls` (no STARTTLS offered), `lmtp_server` (LHLO + STARTTLS),
  `smtps_server` (implicit TLS). Each records the SNI names its clients sent.
- dovecot (a foreground master process with its own config, base_dir and state_dir in a temp
  dir): `dovecot_tls` serving IMAP and POP3 with STARTTLS/STLS plus IMAPS and POP3S;
  `dovecot_without_tls` serving IMAP and POP3 with `ssl = no`.

Import every fixture a test uses, and the `starttls_ca`/`starttls_cert` fixtures of
tests.servers.plain_tls they depend on.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP

from tests.servers.plain_tls import (
    Daemon,
    Endpoint,
    TlsFiles,
    free_port,
    make_temp_dir,
    server_context,
)

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DH_PARAMS = Path("/usr/share/dovecot/dh.pem")


class _Sink:
    """An aiosmtpd handler that accepts every message and keeps none."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


class _LmtpController(Controller):
    def factory(self) -> LMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def _run_aiosmtpd(controller_class: type[Any], **kwargs: Any) -> Iterator[Endpoint]:
    endpoint = Endpoint("127.0.0.1", free_port())
    controller = controller_class(
        _Sink(), hostname=endpoint.host, port=endpoint.port, ready_timeout=30, **kwargs
    )
    controller.start()
    try:
        yield endpoint
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def smtp_server(starttls_cert: trustme.LeafCert) -> Iterator[Endpoint]:
    sni: list[str | None] = []
    for endpoint in _run_aiosmtpd(Controller, tls_context=server_context(starttls_cert, sni)):
        endpoint.sni = sni
        yield endpoint


@pytest.fixture(scope="session")
def smtp_without_starttls() -> Iterator[Endpoint]:
    yield from _run_aiosmtpd(Controller)


@pytest.fixture(scope="session")
def lmtp_server(starttls_cert: trustme.LeafCert) -> Iterator[Endpoint]:
    sni: list[str | None] = []
    context = server_context(starttls_cert, sni)
    for endpoint in _run_aiosmtpd(_LmtpController, tls_context=context):
        endpoint.sni = sni
        yield endpoint


@pytest.fixture(scope="session")
def smtps_server(starttls_cert: trustme.LeafCert) -> Iterator[Endpoint]:
    sni: list[str | None] = []
    for endpoint in _run_aiosmtpd(Controller, ssl_context=server_context(starttls_cert, sni)):
        endpoint.sni = sni
        yield endpoint


@dataclass(frozen=True)
class DovecotServer:
    imap: Endpoint
    pop3: Endpoint
    imaps: Endpoint | None
    pop3s: Endpoint | None


def _dovecot_config(workdir: Path, ports: dict[str, int], tls: TlsFiles | None) -> str:
    if tls is None:
        ssl = "ssl = no"
    else:
        ssl = f"ssl = yes\nssl_cert = <{tls.cert}\nssl_key = <{tls.key}\nssl_min_protocol = TLSv1.2"
        if DH_PARAMS.exists():
            ssl += f"\nssl_dh = <{DH_PARAMS}"
    # Port 0 disables a listener that dovecot's built-in defaults would otherwise open.
    return f"""
base_dir = {workdir}/run
state_dir = {workdir}/state
instance_name = watchwire-test-{workdir.name}
log_path = {workdir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
{ssl}
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:{workdir}/mail/%u
passdb {{
  driver = static
  args = password=unused
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={workdir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {ports["imap"]}
  }}
  inet_listener imaps {{
    port = {ports["imaps"]}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {ports["pop3"]}
  }}
  inet_listener pop3s {{
    port = {ports["pop3s"]}
    ssl = yes
  }}
}}
"""


def _run_dovecot(cert: trustme.LeafCert | None, ca: trustme.CA | None) -> Iterator[DovecotServer]:
    workdir = make_temp_dir("dovecot")
    tls = TlsFiles.write(cert, ca, workdir) if cert is not None and ca is not None else None
    names = ["imap", "pop3"] + (["imaps", "pop3s"] if tls else [])
    ports = {"imaps": 0, "pop3s": 0} | {name: free_port() for name in names}
    config = workdir / "dovecot.conf"
    config.write_text(_dovecot_config(workdir, ports, tls))
    daemon = Daemon([DOVECOT, "-F", "-c", str(config)], [ports[n] for n in names], workdir)
    try:

        def endpoint(name: str) -> Endpoint | None:
            return Endpoint("127.0.0.1", ports[name]) if ports[name] else None

        yield DovecotServer(
            imap=Endpoint("127.0.0.1", ports["imap"]),
            pop3=Endpoint("127.0.0.1", ports["pop3"]),
            imaps=endpoint("imaps"),
            pop3s=endpoint("pop3s"),
        )
    finally:
        daemon.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_tls(
    starttls_cert: trustme.LeafCert, starttls_ca: trustme.CA
) -> Iterator[DovecotServer]:
    yield from _run_dovecot(starttls_cert, starttls_ca)


@pytest.fixture(scope="session")
def dovecot_without_tls() -> Iterator[DovecotServer]:
    yield from _run_dovecot(None, None)
