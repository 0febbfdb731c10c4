"""STARTTLS dances and implicit TLS against real servers for all 15 certificate-monitor
protocols, and the refusals a user sees when a server does not offer TLS."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import trustme
import uvloop
from hypothesis import given
from hypothesis import strategies as st

from tests.servers.database_servers import (
    mariadb_tls,
    mariadb_without_tls,
    postgres_tls,
    postgres_without_tls,
)
from tests.servers.directory_servers import SlapdServer, slapd_tls, slapd_without_tls
from tests.servers.ftp_servers import ftp_server, ftp_without_tls, ftps_server
from tests.servers.mail_servers import (
    DovecotServer,
    dovecot_tls,
    dovecot_without_tls,
    lmtp_server,
    smtp_server,
    smtp_without_starttls,
    smtps_server,
)
from tests.servers.plain_tls import (
    SERVER_NAME,
    Endpoint,
    https_server,
    sips_server,
    starttls_ca,
    starttls_cert,
)
from watchwire.errors import ProbeError
from watchwire.probes.tls._binary_dances import _ber_elements
from watchwire.probes.tls.starttls import (
    DANCES,
    DEFAULT_PORTS,
    IMPLICIT_TLS,
    open_tls,
)

__all__ = [
    "dovecot_tls",
    "dovecot_without_tls",
    "ftp_server",
    "ftp_without_tls",
    "ftps_server",
    "https_server",
    "lmtp_server",
    "mariadb_tls",
    "mariadb_without_tls",
    "postgres_tls",
    "postgres_without_tls",
    "sips_server",
    "slapd_tls",
    "slapd_without_tls",
    "smtp_server",
    "smtp_without_starttls",
    "smtps_server",
    "starttls_ca",
    "starttls_cert",
]

TIMEOUT = 30.0  # generous: the servers share two cores with other test runs

# The 15 protocols of the certificate monitor enum -> (fixture, attribute of its result).
REAL_SERVERS: dict[str, tuple[str, str | None]] = {
    "https": ("https_server", None),
    "smtps": ("smtps_server", None),
    "smtp": ("smtp_server", None),
    "imaps": ("dovecot_tls", "imaps"),
    "imap": ("dovecot_tls", "imap"),
    "pops": ("dovecot_tls", "pop3s"),
    "pop": ("dovecot_tls", "pop3"),
    "lmtp": ("lmtp_server", None),
    "ftps": ("ftps_server", None),
    "ftp": ("ftp_server", None),
    "ldaps": ("slapd_tls", "ldaps"),
    "ldap": ("slapd_tls", "ldap"),
    "mysql": ("mariadb_tls", None),
    "postgresql": ("postgres_tls", None),
    "sips": ("sips_server", None),
}


def endpoint_of(request: pytest.FixtureRequest, fixture: str, attribute: str | None) -> Endpoint:
    server = request.getfixturevalue(fixture)
    endpoint = getattr(server, attribute) if attribute else server
    assert isinstance(endpoint, Endpoint)
    return endpoint


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def der_of(cert: trustme.LeafCert) -> bytes:
    return ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())


async def peer_certificate(endpoint: Endpoint, protocol: str, ca: trustme.CA) -> bytes:
    """The DER certificate the server presented after open_tls (verified against `ca`)."""
    _, writer = await open_tls(
        endpoint.host, endpoint.port, protocol, client_context(ca), SERVER_NAME, TIMEOUT
    )
    try:
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
        assert der is not None
        return bytes(der)
    finally:
        writer.close()


async def refusal(endpoint: Endpoint, protocol: str, ca: trustme.CA) -> ProbeError:
    with pytest.raises(ProbeError) as info:
        await open_tls(endpoint.host, endpoint.port, protocol, client_context(ca), "x", TIMEOUT)
    print(f"{protocol}: {info.value.code}: {info.value.message}")  # shown with pytest -s
    return info.value


def test_every_protocol_of_the_enum_has_a_port_a_dance_and_a_real_server() -> None:
    assert set(DEFAULT_PORTS) == set(REAL_SERVERS)
    assert set(DANCES) | IMPLICIT_TLS == set(DEFAULT_PORTS)
    assert not set(DANCES) & IMPLICIT_TLS
    assert DEFAULT_PORTS["smtp"] == 25 and DEFAULT_PORTS["ldaps"] == 636
    assert DEFAULT_PORTS["postgresql"] == 5432 and DEFAULT_PORTS["sips"] == 5061


@pytest.mark.parametrize("protocol", list(REAL_SERVERS))
async def test_open_tls_reaches_the_servers_certificate(
    protocol: str,
    request: pytest.FixtureRequest,
    starttls_ca: trustme.CA,
    starttls_cert: trustme.LeafCert,
) -> None:
    endpoint = endpoint_of(request, *REAL_SERVERS[protocol])
    assert await peer_certificate(endpoint, protocol, starttls_ca) == der_of(starttls_cert)


@pytest.mark.parametrize("fixture", ["https_server", "sips_server", "smtps_server"])
async def test_sni_is_sent_on_implicit_tls(
    fixture: str, request: pytest.FixtureRequest, starttls_ca: trustme.CA
) -> None:
    endpoint = endpoint_of(request, fixture, None)
    protocol = fixture.removesuffix("_server")
    await peer_certificate(endpoint, protocol, starttls_ca)
    assert endpoint.sni[-1] == SERVER_NAME


@pytest.mark.parametrize(
    ("fixture", "protocol"), [("smtp_server", "smtp"), ("lmtp_server", "lmtp")]
)
async def test_sni_is_sent_after_starttls(
    fixture: str, protocol: str, request: pytest.FixtureRequest, starttls_ca: trustme.CA
) -> None:
    endpoint = endpoint_of(request, fixture, None)
    await peer_certificate(endpoint, protocol, starttls_ca)
    assert endpoint.sni[-1] == SERVER_NAME


# After the upgrade the server must still speak its protocol: a harmless command over TLS.
CONVERSATION_AFTER_TLS: dict[str, tuple[bytes, bytes]] = {
    "smtp": (b"EHLO client.test\r\n", b"250"),
    "lmtp": (b"LHLO client.test\r\n", b"250"),
    "imap": (b"A1 NOOP\r\n", b"A1 OK"),
    "pop": (b"CAPA\r\n", b"+OK"),
    "ftp": (b"PBSZ 0\r\n", b"200"),
}


@pytest.mark.parametrize("protocol", list(CONVERSATION_AFTER_TLS))
async def test_the_upgraded_connection_still_speaks_the_protocol(
    protocol: str, request: pytest.FixtureRequest, starttls_ca: trustme.CA
) -> None:
    endpoint = endpoint_of(request, *REAL_SERVERS[protocol])
    reader, writer = await open_tls(
        endpoint.host, endpoint.port, protocol, client_context(starttls_ca), SERVER_NAME, TIMEOUT
    )
    command, expected = CONVERSATION_AFTER_TLS[protocol]
    try:
        writer.write(command)
        answer = await asyncio.wait_for(reader.readline(), TIMEOUT)
    finally:
        writer.close()
    assert answer.startswith(expected), answer


async def test_a_certificate_from_another_ca_fails_verification_as_ssl_error(
    smtp_server: Endpoint,
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        await peer_certificate(smtp_server, "smtp", trustme.CA())


async def test_smtp_server_without_starttls(
    smtp_without_starttls: Endpoint, starttls_ca: trustme.CA
) -> None:
    error = await refusal(smtp_without_starttls, "smtp", starttls_ca)
    assert error.code == "starttls_unsupported"
    assert "does not offer STARTTLS" in error.message
    assert "8BITMIME" in error.message  # the server's own EHLO extensions, quoted


@pytest.mark.parametrize(
    ("protocol", "attribute", "command", "servers_words"),
    [("imap", "imap", "STARTTLS", "IMAP4REV1"), ("pop", "pop3", "STLS", "UIDL")],
)
async def test_dovecot_with_tls_disabled(
    protocol: str,
    attribute: str,
    command: str,
    servers_words: str,
    dovecot_without_tls: DovecotServer,
    starttls_ca: trustme.CA,
) -> None:
    error = await refusal(getattr(dovecot_without_tls, attribute), protocol, starttls_ca)
    assert error.code == "starttls_unsupported"
    assert f"does not offer {command}" in error.message
    assert servers_words in error.message


async def test_postgresql_with_ssl_off_answers_n(
    postgres_without_tls: Endpoint, starttls_ca: trustme.CA
) -> None:
    error = await refusal(postgres_without_tls, "postgresql", starttls_ca)
    assert error.code == "starttls_unsupported"
    assert "does not accept TLS" in error.message


async def test_mariadb_without_ssl(mariadb_without_tls: Endpoint, starttls_ca: trustme.CA) -> None:
    error = await refusal(mariadb_without_tls, "mysql", starttls_ca)
    assert error.code == "starttls_unsupported"
    assert "CLIENT_SSL" in error.message
    assert "MariaDB" in error.message  # the version from the server's greeting


async def test_ldap_server_without_tls(
    slapd_without_tls: SlapdServer, starttls_ca: trustme.CA
) -> None:
    error = await refusal(slapd_without_tls.ldap, "ldap", starttls_ca)
    assert error.code == "starttls_unsupported"
    assert "does not offer StartTLS" in error.message
    assert "unsupported extended operation" in error.message  # slapd's own words


async def test_ftp_server_without_tls(ftp_without_tls: Endpoint, starttls_ca: trustme.CA) -> None:
    error = await refusal(ftp_without_tls, "ftp", starttls_ca)
    assert error.code == "starttls_unsupported"
    assert "AUTH TLS" in error.message


# --- faults no real server here produces on demand: scripted plaintext servers ----------------

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
StartScripted = Callable[[Script], Awaitable[Endpoint]]


@pytest.fixture
async def scripted() -> AsyncIterator[StartScripted]:
    servers: list[asyncio.Server] = []

    async def start(script: Script) -> Endpoint:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await script(reader, writer)
            except ConnectionError:
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        return Endpoint("127.0.0.1", server.sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def test_smtp_server_refusing_starttls_is_quoted(
    scripted: StartScripted, starttls_ca: trustme.CA
) -> None:
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 mx.test ESMTP\r\n")
        await reader.readline()
        writer.write(b"250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        await reader.readline()
        writer.write(b"454 4.7.0 TLS not available due to local problem\r\n")
        await writer.drain()
        await reader.read(100)

    endpoint = await scripted(refuse)
    error = await refusal(endpoint, "smtp", starttls_ca)
    assert error.code == "starttls_failed"
    assert "TLS not available due to local problem" in error.message


async def test_server_that_hangs_up_mid_dance(
    scripted: StartScripted, starttls_ca: trustme.CA
) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"* OK IMAP4rev1 ready\r\n")
        await writer.drain()

    endpoint = await scripted(hang_up)
    error = await refusal(endpoint, "imap", starttls_ca)
    assert error.code == "starttls_failed"
    assert "closed the connection" in error.message


async def test_silent_server_times_out(scripted: StartScripted, starttls_ca: trustme.CA) -> None:
    async def silence(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)

    endpoint = await scripted(silence)
    started = time.monotonic()
    with pytest.raises(ProbeError) as info:
        await open_tls(
            endpoint.host, endpoint.port, "ftp", client_context(starttls_ca), "x", timeout=0.5
        )
    assert info.value.code == "timeout"
    assert "the STARTTLS preamble did not finish" in info.value.message
    assert time.monotonic() - started < 10


async def test_mysql_greeting_with_an_error_packet_is_quoted(
    scripted: StartScripted, starttls_ca: trustme.CA
) -> None:
    async def blocked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        message = b"Host '127.0.0.1' is blocked because of many connection errors"
        payload = b"\xff" + (1129).to_bytes(2, "little") + message
        writer.write(len(payload).to_bytes(3, "little") + b"\x00" + payload)
        await writer.drain()

    endpoint = await scripted(blocked)
    error = await refusal(endpoint, "mysql", starttls_ca)
    assert error.code == "starttls_failed"
    assert "1129 Host '127.0.0.1' is blocked" in error.message


async def test_postgresql_error_response_is_quoted(
    scripted: StartScripted, starttls_ca: trustme.CA
) -> None:
    async def too_many(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(8)
        fields = b"SFATAL\0C53300\0Msorry, too many clients already\0\0"
        writer.write(b"E" + (len(fields) + 4).to_bytes(4, "big") + fields)
        await writer.drain()

    endpoint = await scripted(too_many)
    error = await refusal(endpoint, "postgresql", starttls_ca)
    assert error.code == "starttls_failed"
    assert error.message.endswith('"sorry, too many clients already"')


async def test_unknown_protocol_is_refused(smtp_server: Endpoint, starttls_ca: trustme.CA) -> None:
    error = await refusal(smtp_server, "gopher", starttls_ca)
    assert error.code == "unknown_protocol"


@pytest.mark.parametrize("protocol", ["smtp", "ldap", "mysql"])
def test_dances_work_on_uvloop(
    protocol: str,
    request: pytest.FixtureRequest,
    starttls_ca: trustme.CA,
    starttls_cert: trustme.LeafCert,
) -> None:
    """The CLI and the workers run on uvloop, whose start_tls is its own implementation."""
    endpoint = endpoint_of(request, *REAL_SERVERS[protocol])
    der = uvloop.run(peer_certificate(endpoint, protocol, starttls_ca))
    assert der == der_of(starttls_cert)


# --- the hand-rolled BER reader (LDAP) --------------------------------------------------------


def ber_encode(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


@given(st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=400)), max_size=8))
def test_ber_elements_reads_back_what_was_encoded(elements: list[tuple[int, bytes]]) -> None:
    encoded = b"".join(ber_encode(tag, content) for tag, content in elements)
    assert _ber_elements(encoded) == elements
