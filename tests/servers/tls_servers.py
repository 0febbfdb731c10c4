"""TLS servers presenting every kind of certificate trouble, and the revocation endpoints
(CRL and OCSP) those certificates point at.

- `Pki` / `build_cert`: a small certificate factory on cryptography's x509 builder, for the
  cases trustme does not make (expired intermediates, SHA-1, RSA-1024, long validity, CRL and
  OCSP URLs). `tls_cases` builds one chain per bad case once per session; `CASES` names them.
- `tls_server`: a fixture returning `start(case or (chain, key), legacy=False)` that serves
  the chain exactly in the given order from an asyncio TLS listener on 127.0.0.1; `legacy=True`
  also accepts TLS 1.0 and 1.1 (OpenSSL security level 0 on both sides allows them).
- `revocation_server`: an aiohttp server on 127.0.0.1 serving CRLs by path and answering OCSP
  requests for one issuer.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import tempfile
import threading
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
NOW = datetime.now(UTC)
DAY = timedelta(days=1)
HOST_NAMES = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def new_key(rsa_bits: int | None = None) -> PrivateKey:
    if rsa_bits:
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    return ec.generate_private_key(ec.SECP256R1())


def build_cert(
    common_name: str,
    issuer: Issued | None = None,
    *,
    ca: bool = False,
    names: Sequence[str] = HOST_NAMES,
    not_before: datetime = NOW - DAY,
    not_after: datetime = NOW + 90 * DAY,
    key: PrivateKey | None = None,
    organisation: str = "watchwire tests",
    crl_url: str | None = None,
    ocsp_url: str | None = None,
) -> Issued:
    """A certificate shaped like a public CA's (the extensions a strict verifier wants);
    `issuer=None` makes it self-signed."""
    import ipaddress

    key = key or new_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    signer = issuer.key if issuer else key
    signer_public = issuer.cert.public_key() if issuer else key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=not ca and isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_public),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if not ca:
        sans: list[x509.GeneralName] = []
        for name in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                sans.append(x509.DNSName(name))
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp_url:
        access = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    cert = builder.sign(signer, hashes.SHA256())
    return Issued(cert, key)


def resign_with_sha1(leaf: Issued, issuer: Issued) -> Issued:
    """The same certificate signed with SHA-1, which cryptography refuses to do: the openssl
    command line still will."""
    request = x509.CertificateSigningRequestBuilder().subject_name(leaf.cert.subject)
    for ext in leaf.cert.extensions:
        if not isinstance(ext.value, x509.AuthorityKeyIdentifier):
            request = request.add_extension(ext.value, ext.critical)
    csr = request.sign(leaf.key, hashes.SHA256())
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        (work / "leaf.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
        (work / "ca.pem").write_bytes(issuer.pem)
        (work / "ca.key").write_bytes(issuer.key_pem)
        (work / "ext").write_text("authorityKeyIdentifier=keyid\n")
        subprocess.run(
            [
                "openssl",
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-sha1",
                "-days",
                "60",
                "-copy_extensions",
                "copyall",
                "-extfile",
                "ext",
                "-out",
                "leaf.pem",
            ],
            cwd=work,
            check=True,
            capture_output=True,
        )
        cert = x509.load_pem_x509_certificate((work / "leaf.pem").read_bytes())
    return Issued(cert, leaf.key)


@dataclass(frozen=True)
class Case:
    """A chain to serve (in this order, leaf first) and the root a client should trust."""

    chain: tuple[Issued, ...]
    root: Issued

    @property
    def leaf(self) -> Issued:
        return self.chain[0]


@dataclass
class Pki:
    """A root and an intermediate, the usual two-level public-CA shape."""

    root: Issued = field(
        default_factory=lambda: build_cert(
            "Test Root CA", ca=True, not_before=NOW - 3000 * DAY, not_after=NOW + 3650 * DAY
        )
    )
    intermediate: Issued = field(init=False)

    def __post_init__(self) -> None:
        self.intermediate = build_cert(
            "Test Intermediate CA",
            self.root,
            ca=True,
            not_before=NOW - 900 * DAY,
            not_after=NOW + 1000 * DAY,
        )

    def leaf(self, **kwargs: Any) -> Issued:
        return build_cert(kwargs.pop("common_name", "localhost"), self.intermediate, **kwargs)

    def case(self, leaf: Issued, *extra: Issued, send_intermediate: bool = True) -> Case:
        chain = (leaf, self.intermediate, *extra) if send_intermediate else (leaf, *extra)
        return Case(chain=chain, root=self.root)


def _build_cases() -> dict[str, Case]:
    pki = Pki()
    other = Pki()
    second = build_cert("Second Intermediate CA", pki.intermediate, ca=True)
    expired_intermediate = build_cert(
        "Expired Intermediate CA",
        pki.root,
        ca=True,
        not_before=NOW - 400 * DAY,
        not_after=NOW - DAY,
    )
    self_signed = build_cert("localhost")
    return {
        "good": pki.case(pki.leaf()),
        "expired": pki.case(pki.leaf(not_before=NOW - 60 * DAY, not_after=NOW - 2 * DAY)),
        "not_yet_valid": pki.case(pki.leaf(not_before=NOW + 2 * DAY, not_after=NOW + 60 * DAY)),
        "expiring": pki.case(pki.leaf(not_after=NOW + 5 * DAY + timedelta(hours=2))),
        "mismatch": pki.case(pki.leaf(names=("other.example",))),
        "wildcard": pki.case(pki.leaf(common_name="*.example.test", names=("*.example.test",))),
        "self_signed": Case(chain=(self_signed,), root=pki.root),
        "untrusted": Case(chain=other.case(other.leaf()).chain, root=pki.root),
        "missing_intermediate": pki.case(pki.leaf(), send_intermediate=False),
        "wrong_order": Case(
            chain=(build_cert("localhost", second), pki.intermediate, second), root=pki.root
        ),
        "expired_intermediate": Case(
            chain=(
                build_cert("localhost", expired_intermediate, not_before=NOW - 100 * DAY),
                expired_intermediate,
            ),
            root=pki.root,
        ),
        "weak_rsa": pki.case(pki.leaf(key=new_key(rsa_bits=1024))),
        "sha1": pki.case(resign_with_sha1(pki.leaf(), pki.intermediate)),
        "too_long": pki.case(pki.leaf(not_after=NOW + 300 * DAY)),
    }


CASES = (
    "good",
    "expired",
    "not_yet_valid",
    "expiring",
    "mismatch",
    "wildcard",
    "self_signed",
    "untrusted",
    "missing_intermediate",
    "wrong_order",
    "expired_intermediate",
    "weak_rsa",
    "sha1",
    "too_long",
)


@pytest.fixture(scope="session")
def tls_cases() -> dict[str, Case]:
    cases = _build_cases()
    assert set(cases) == set(CASES)
    return cases


@pytest.fixture(scope="session")
def trustme_ca() -> trustme.CA:
    return trustme.CA()


def write_pem(path: Path, *certs: Issued) -> Path:
    path.write_bytes(b"".join(c.pem for c in certs))
    return path


def server_context(case: Case, directory: Path, legacy: bool = False) -> ssl.SSLContext:
    """A server context presenting the case's chain in its order."""
    chain = write_pem(directory / "chain.pem", *case.chain)
    key = directory / "key.pem"
    key.write_bytes(case.leaf.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # Level 0 so that OpenSSL agrees to serve a 1024-bit key, SHA-1 and TLS 1.0.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 on purpose
        context.minimum_version = ssl.TLSVersion.TLSv1 if legacy else ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(chain, key)
    return context


@dataclass
class TlsEndpoint:
    """A listening test server; `sni` collects the server names its clients sent."""

    host: str
    port: int
    sni: list[str | None] = field(default_factory=list)

    @property
    def target(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


async def serve(context: ssl.SSLContext, host: str = "127.0.0.1") -> tuple[asyncio.Server, int]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read(65536)
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, host, 0, ssl=context)
    return server, server.sockets[0].getsockname()[1]


@pytest.fixture
async def tls_server(
    tls_cases: dict[str, Case], tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[TlsEndpoint]]]:
    """`await tls_server("expired")`, `await tls_server(case, legacy=True)`: serve on 127.0.0.1."""
    servers: list[asyncio.Server] = []

    async def start(case: str | Case, legacy: bool = False, host: str = "127.0.0.1") -> TlsEndpoint:
        chosen = tls_cases[case] if isinstance(case, str) else case
        directory = tmp_path / f"server{len(servers)}"
        directory.mkdir()
        context = server_context(chosen, directory, legacy)
        endpoint = TlsEndpoint(host, 0)

        def record(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
            endpoint.sni.append(name)

        context.sni_callback = record
        server, endpoint.port = await serve(context, host)
        servers.append(server)
        return endpoint

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


# --- revocation endpoints --------------------------------------------------------------------


def build_crl(issuer: Issued, revoked_serials: Sequence[int] = ()) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(NOW - DAY)
        .next_update(NOW + 7 * DAY)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(NOW - DAY)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    crl = builder.sign(issuer.key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


@dataclass
class RevocationServer:
    """Serves `files[path]` on GET and answers OCSP POSTs at /ocsp for `ocsp_issuer`."""

    base_url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    ocsp_issuer: Issued | None = None
    ocsp_revoked: set[int] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def ocsp_answer(self, request_der: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(request_der)
        assert self.ocsp_issuer is not None
        issuer = self.ocsp_issuer
        # The responder needs the subject certificate only for its serial and hashes: a stand-in
        # with the asked-for serial is built so the server keeps no certificate list.
        stand_in = build_cert("stand-in", issuer)
        revoked = request.serial_number in self.ocsp_revoked
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=_with_serial(stand_in, issuer, request.serial_number),
            issuer=issuer.cert,
            algorithm=hashes.SHA1(),
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=NOW - DAY,
            next_update=NOW + DAY,
            revocation_time=NOW - DAY if revoked else None,
            revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
        )
        response = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.cert).sign(
            issuer.key, hashes.SHA256()
        )
        return response.public_bytes(serialization.Encoding.DER)


def _with_serial(template: Issued, issuer: Issued, serial: int) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(template.cert.subject)
        .issuer_name(issuer.cert.subject)
        .public_key(template.key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + DAY)
        .sign(issuer.key, hashes.SHA256())
    )


@pytest.fixture
async def revocation_server() -> AsyncIterator[RevocationServer]:
    state = RevocationServer()

    async def get_file(request: web.Request) -> web.Response:
        state.requests.append(request.path)
        body = state.files.get(request.match_info["name"])
        if body is None:
            raise web.HTTPNotFound()
        return web.Response(body=body, content_type="application/pkix-crl")

    async def post_ocsp(request: web.Request) -> web.Response:
        state.requests.append(request.path)
        answer = state.ocsp_answer(await request.read())
        return web.Response(body=answer, content_type="application/ocsp-response")

    app = web.Application()
    app.router.add_post("/ocsp", post_ocsp)
    app.router.add_get("/{name}", get_file)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.base_url = f"http://127.0.0.1:{port}"
    yield state
    await runner.cleanup()


@contextmanager
def tls_server_in_thread(case: Case, directory: Path) -> Iterator[TlsEndpoint]:
    """A TLS server on its own event loop in a thread, for callers that run their own loop
    (the CLI under test)."""
    context = server_context(case, directory)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    endpoint = TlsEndpoint("127.0.0.1", 0)
    holder: list[asyncio.Server] = []

    async def main() -> None:
        server, endpoint.port = await serve(context)
        holder.append(server)
        started.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(main(), loop).result(timeout=30)
    started.wait(30)
    try:
        yield endpoint
    finally:
        loop.call_soon_threadsafe(holder[0].close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
