"""Real DNS servers for tests: Knot DNS (authoritative, signs zones itself) and unbound
(a validating resolver), each started on a free loopback port with its own temporary
configuration and stopped afterwards.

Reusable pieces:

- `KnotServer`: start knotd serving `Zone`s, `serve()` a new or changed zone (reloaded in
  place), `ds()` the DS records of a signed zone's KSK, `query()` it synchronously, `stop()`.
- `knot_factory`: a fixture returning a function that starts a `KnotServer` (stopped after
  the test).
- `dnssec_tree`: one session-wide knotd serving a signed test hierarchy under
  `watchwire.test.` (the tests' root) with good, broken and unsigned delegations, and a
  trust-anchor file pointing at it. See `DnssecTree` for what each zone demonstrates.
- `UnboundServer` / `unbound_for`: a validating unbound forwarding the tree's zones to knot.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import dns.dnssec
import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

KNOTD = shutil.which("knotd") or "/usr/sbin/knotd"
KNOTC = shutil.which("knotc") or "/usr/sbin/knotc"
UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
STARTUP_TIMEOUT = 30.0

Signing = Literal["off", "nsec", "nsec3"]


@dataclass(frozen=True)
class Zone:
    """A zone to serve. `records` are zone-file lines relative to the origin; the SOA and the
    apex NS are added. `signing` "nsec"/"nsec3" lets knot sign it with its own keys; "off"
    serves the records exactly as written (also how a pre-signed zone is served)."""

    name: str
    records: str = ""
    signing: Signing = "off"
    nameserver: str = "ns.watchwire.test."

    @property
    def origin(self) -> str:
        return self.name if self.name.endswith(".") else self.name + "."


def free_port(host: str = "127.0.0.1") -> int:
    """A port free for both UDP and TCP on host (DNS needs both)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = int(udp.getsockname()[1])
            try:
                with socket.socket(family, socket.SOCK_STREAM) as tcp:
                    tcp.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for DNS")


def _wait_for(check: Callable[[], bool], what: str, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, dns.exception.DNSException):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


class KnotServer:
    """One knotd on a free loopback port, its config, zones, keys and logs in `workdir`."""

    def __init__(self, workdir: Path, host: str = "127.0.0.1") -> None:
        self.workdir = workdir
        self.host = host
        self.port = free_port(host)
        self.zones: dict[str, Zone] = {}
        self._serials: dict[str, int] = {}
        self._process: subprocess.Popen[bytes] | None = None
        for sub in ("zones", "db", "run"):
            (workdir / sub).mkdir(parents=True, exist_ok=True)

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def server(self) -> str:
        """HOST:PORT as the dns probe's `server` option takes it."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.workdir / "knot.conf"

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, zones: list[Zone]) -> KnotServer:
        for zone in zones:
            self.zones[zone.origin] = zone
            self._write_zone_file(zone)
        self._write_config()
        log = (self.workdir / "knotd.log").open("ab")
        self._process = subprocess.Popen(
            [KNOTD, "-c", str(self.config_path)], stdout=log, stderr=subprocess.STDOUT
        )
        for zone in zones:
            self._wait_loaded(zone)
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=15)
        self._process = None

    def serve(self, zone: Zone) -> None:
        """Serve a new zone, or replace a served zone's contents, and wait until it is live."""
        new = zone.origin not in self.zones
        self.zones[zone.origin] = zone
        self._write_zone_file(zone)
        if new:
            self._write_config()
            self._knotc("reload")
        else:
            self._knotc("zone-reload", zone.origin)
        self._wait_loaded(zone, min_serial=self._serials[zone.origin])

    def log(self) -> str:
        path = self.workdir / "knotd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- queries ---------------------------------------------------------------------------

    def query(
        self, name: str, rdtype: str | dns.rdatatype.RdataType, dnssec: bool = True
    ) -> dns.message.Message:
        request = dns.message.make_query(name, rdtype, want_dnssec=dnssec)
        return dns.query.tcp(request, self.host, port=self.port, timeout=5)

    def dnskeys(self, zone: str) -> dns.rrset.RRset:
        name = dns.name.from_text(zone)
        answer = self.query(zone, "DNSKEY").find_rrset(
            dns.message.ANSWER, name, dns.rdataclass.IN, dns.rdatatype.DNSKEY
        )
        return answer

    def ds(self, zone: str) -> list[str]:
        """The DS records (SHA-256) of the zone's key-signing keys, as zone-file lines."""
        keys = self.dnskeys(zone)
        return [
            f"{zone} 300 IN DS {dns.dnssec.make_ds(keys.name, key, 'SHA256').to_text()}"
            for key in keys
            if key.flags & 0x0001  # SEP: the KSK the parent points at
        ]

    # --- internals -------------------------------------------------------------------------

    def _knotc(self, *args: str) -> None:
        subprocess.run(
            [KNOTC, "-c", str(self.config_path), "-t", "30", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def _serial(self, zone: str) -> int:
        answer = self.query(zone, "SOA", dnssec=False)
        soa = answer.find_rrset(
            dns.message.ANSWER, dns.name.from_text(zone), dns.rdataclass.IN, dns.rdatatype.SOA
        )
        return int(soa[0].serial)

    def _wait_loaded(self, zone: Zone, min_serial: int = 0) -> None:
        def ready() -> bool:
            answer = self.query(zone.origin, "SOA")
            if answer.rcode() != 0 or not answer.answer:
                return False
            serial = self._serial(zone.origin)
            if serial < min_serial:
                return False
            if zone.signing != "off":
                keys = self.query(zone.origin, "DNSKEY")
                if not keys.answer:
                    return False
                if zone.signing == "nsec3" and not self.query(zone.origin, "NSEC3PARAM").answer:
                    return False
            return True

        try:
            _wait_for(ready, f"knot to serve {zone.origin}")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n--- knotd log ---\n{self.log()}") from exc

    def _write_zone_file(self, zone: Zone) -> None:
        # Each version gets a higher serial so a reload is never refused as "not newer".
        serial = max(self._serials.get(zone.origin, 0) + 1, int(time.time()))
        if zone.origin in self._serials and self._process is not None:
            serial = max(serial, self._served_serial(zone.origin) + 1)
        self._serials[zone.origin] = serial
        text = (
            f"$ORIGIN {zone.origin}\n$TTL 300\n"
            f"@ IN SOA {zone.nameserver} hostmaster.{zone.origin.lstrip('.')} "
            f"{serial} 3600 600 86400 60\n"
            f"@ IN NS {zone.nameserver}\n{zone.records}\n"
        )
        (self.workdir / "zones" / f"{zone.origin}zone").write_text(text)

    def _served_serial(self, zone: str) -> int:
        try:
            return self._serial(zone)
        except (OSError, KeyError, dns.exception.DNSException):
            return 0

    def _write_config(self) -> None:
        zones = "\n".join(
            f"  - domain: {zone.origin}\n"
            # knot's "%s.zone" has no name for the root: its file is named here.
            + (f'    file: "{self.workdir / "zones" / ".zone"}"\n' if zone.origin == "." else "")
            + (
                f"    dnssec-signing: on\n    dnssec-policy: {zone.signing}\n"
                if zone.signing != "off"
                else ""
            )
            for zone in self.zones.values()
        )
        self.config_path.write_text(
            f"""server:
    rundir: "{self.workdir / "run"}"
    listen: {self.host}@{self.port}
    udp-max-payload: 1232
log:
  - target: stderr
    any: info
database:
    storage: "{self.workdir / "db"}"
control:
    listen: "{self.workdir / "run" / "knot.sock"}"
policy:
  - id: nsec
    algorithm: ecdsap256sha256
    nsec3: off
  - id: nsec3
    algorithm: ecdsap256sha256
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
template:
  - id: default
    storage: "{self.workdir / "zones"}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    serial-policy: increment
zone:
{zones}
"""
        )


@pytest.fixture
def knot_factory(tmp_path: Path) -> Iterator[Callable[..., KnotServer]]:
    """Start knotd instances for one test: `knot_factory([Zone(...), ...])`."""
    servers: list[KnotServer] = []

    def start(zones: list[Zone], host: str = "127.0.0.1") -> KnotServer:
        server = KnotServer(tmp_path / f"knot{len(servers)}", host=host)
        servers.append(server)
        return server.start(zones)

    yield start
    for server in servers:
        server.stop()


# --- the DNSSEC test hierarchy -------------------------------------------------------------

ROOT = "watchwire.test."

GOOD_RECORDS = """\
www A 127.0.0.1
www AAAA ::1
alias CNAME www
mail A 127.0.0.2
@ MX 10 mail
@ TXT "v=spf1 -all"
@ CAA 0 issue "letsencrypt.org"
_sip._tcp SRV 10 5 5060 www
_443._tcp.www TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
@ HTTPS 1 . alpn="h2,h3"
_svc SVCB 1 www port=8443
*.wild A 127.0.0.9
plain NS ns.watchwire.test.
"""


def _big_txt() -> str:
    # Enough text to exceed a 1232-byte UDP answer, so the server sets TC and the client
    # must retry over TCP.
    return "\n".join(f'big TXT "{i:03d}-{"x" * 200}"' for i in range(12)) + "\n"


@dataclass
class DnssecTree:
    """A signed test hierarchy on one knotd, its trust anchor at `watchwire.test.`:

    - `good.watchwire.test.`   knot-signed (NSEC3), DS in the parent: secure (also a
      wildcard `*.wild`, and `big` TXT records too large for UDP)
    - `plain.good.watchwire.test.` unsigned, no DS, proven by NSEC3: insecure
    - `unsigned.watchwire.test.`   unsigned, no DS, proven by NSEC: insecure
    - `wrongds.watchwire.test.`    knot-signed, the parent's DS matches none of its keys: bogus
    - `badsig.watchwire.test.`     pre-signed, `www` A tampered after signing: bogus
    - `127.in-addr.arpa.`          unsigned reverse zone for PTR lookups
    """

    knot: KnotServer
    anchor_file: Path
    anchor_dnskey_file: Path
    zones: dict[str, Zone] = field(default_factory=dict)

    @property
    def server(self) -> str:
        return self.knot.server


def presigned_zone_with_tampered_record(origin: str, records: str) -> tuple[str, list[str]]:
    """Sign a zone with fresh keys (dnspython, NSEC), then change `www`'s A address so its
    RRSIG no longer verifies. Returns (the zone-file records, the DS lines for the parent)."""
    ksk_private = ec.generate_private_key(ec.SECP256R1())
    zsk_private = ec.generate_private_key(ec.SECP256R1())
    ksk = dns.dnssec.make_dnskey(ksk_private.public_key(), "ECDSAP256SHA256", flags=257)
    zsk = dns.dnssec.make_dnskey(zsk_private.public_key(), "ECDSAP256SHA256", flags=256)
    text = (
        f"$ORIGIN {origin}\n$TTL 300\n"
        f"@ IN SOA ns.watchwire.test. hostmaster.{origin} 1 3600 600 86400 60\n"
        f"@ IN NS ns.watchwire.test.\n{records}"
    )
    zone = dns.zone.from_text(text, origin=origin, relativize=False)
    dns.dnssec.sign_zone(zone, keys=[(ksk_private, ksk), (zsk_private, zsk)], lifetime=86400 * 30)
    lines = []
    for name, ttl, rdata in zone.iterate_rdatas():
        if rdata.rdtype == dns.rdatatype.SOA or (
            rdata.rdtype == dns.rdatatype.NS and name == zone.origin
        ):
            continue  # KnotServer writes the apex SOA/NS; their signatures stay valid
        value = rdata.to_text()
        if rdata.rdtype == dns.rdatatype.A and name.labels[0] == b"www":
            value = "127.0.0.66"
        lines.append(f"{name} {ttl} IN {dns.rdatatype.to_text(rdata.rdtype)} {value}")
    ds = dns.dnssec.make_ds(origin, ksk, "SHA256")
    return "\n".join(lines) + "\n", [f"{origin} 300 IN DS {ds.to_text()}"]


def build_dnssec_tree(workdir: Path) -> DnssecTree:
    """Start knot with the hierarchy described on `DnssecTree`."""
    knot = KnotServer(workdir)
    badsig_records, badsig_ds = presigned_zone_with_tampered_record(
        "badsig.watchwire.test.", "www A 127.0.0.1\n"
    )
    children = [
        Zone("good.watchwire.test.", GOOD_RECORDS + _big_txt(), signing="nsec3"),
        Zone("plain.good.watchwire.test.", "www A 127.0.0.3\n"),
        Zone("unsigned.watchwire.test.", "www A 127.0.0.4\n"),
        Zone("wrongds.watchwire.test.", "www A 127.0.0.5\n", signing="nsec"),
        Zone("badsig.watchwire.test.", badsig_records),
        Zone("127.in-addr.arpa.", "1.0.0 PTR localhost.watchwire.test.\n"),
    ]
    root_base = "ns A 127.0.0.1\nlocalhost A 127.0.0.1\n" + "".join(
        f"{label} NS ns.watchwire.test.\n" for label in ("good", "unsigned", "wrongds", "badsig")
    )
    # The parent starts without DS records: the children's keys exist only once knot has
    # signed them; then the parent is reloaded with their DS.
    knot.start([Zone(ROOT, root_base, signing="nsec"), *children])
    good_ds = knot.ds("good.watchwire.test.")
    wrong_ds = [
        line.rsplit(" ", 1)[0] + " " + "00" * 32 for line in knot.ds("wrongds.watchwire.test.")
    ]
    root = Zone(ROOT, root_base + "\n".join(good_ds + wrong_ds + badsig_ds) + "\n", "nsec")
    knot.serve(root)
    anchor = workdir / "anchor.ds"
    anchor.write_text("\n".join(knot.ds(ROOT)) + "\n")
    anchor_dnskey = workdir / "anchor.dnskey"
    keys = knot.dnskeys(ROOT)
    anchor_dnskey.write_text(
        "".join(f"{ROOT} 300 IN DNSKEY {key.to_text()}\n" for key in keys if key.flags & 1)
    )
    return DnssecTree(knot, anchor, anchor_dnskey, {z.origin: z for z in [root, *children]})


@pytest.fixture(scope="session")
def dnssec_tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnssecTree]:
    tree = build_dnssec_tree(tmp_path_factory.mktemp("dnssec-tree"))
    yield tree
    tree.knot.stop()


# --- unbound -------------------------------------------------------------------------------


class UnboundServer:
    """A validating unbound on a free loopback port that sends every query for `zones` to
    one authoritative server and trusts `anchor_file`."""

    def __init__(self, workdir: Path, upstream: tuple[str, int], anchor_file: Path) -> None:
        self.workdir = workdir
        self.upstream = upstream
        self.anchor_file = anchor_file
        self.host = "127.0.0.1"
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, zones: list[str]) -> UnboundServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        host, port = self.upstream
        stubs = "".join(
            f'stub-zone:\n    name: "{zone}"\n    stub-addr: {host}@{port}\n' for zone in zones
        )
        config = self.workdir / "unbound.conf"
        config.write_text(
            f"""server:
    interface: {self.host}@{self.port}
    port: {self.port}
    do-daemonize: no
    use-syslog: no
    logfile: ""
    username: ""
    chroot: ""
    directory: "{self.workdir}"
    pidfile: "{self.workdir / "unbound.pid"}"
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    trust-anchor-file: "{self.anchor_file}"
    domain-insecure: "127.in-addr.arpa."
    # unbound answers these special-use names itself unless told not to (RFC 6761).
    local-zone: "test." nodefault
    local-zone: "127.in-addr.arpa." nodefault
    val-log-level: 2
    verbosity: 1
    num-threads: 1
    module-config: "validator iterator"
{stubs}"""
        )
        log = (self.workdir / "unbound.log").open("ab")
        self._process = subprocess.Popen(
            [UNBOUND, "-d", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )

        def ready() -> bool:
            request = dns.message.make_query(zones[0], "SOA")
            return dns.query.udp(request, self.host, port=self.port, timeout=1).rcode() == 0

        try:
            _wait_for(ready, "unbound to answer")
        except RuntimeError as exc:
            log_text = (self.workdir / "unbound.log").read_text(errors="replace")
            raise RuntimeError(f"{exc}\n--- unbound log ---\n{log_text}") from exc
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=15)
        self._process = None


@pytest.fixture
def validating_unbound(dnssec_tree: DnssecTree, tmp_path: Path) -> Iterator[UnboundServer]:
    """unbound validating the test hierarchy with the tests' trust anchor."""
    unbound = UnboundServer(tmp_path / "unbound", dnssec_tree.knot.address, dnssec_tree.anchor_file)
    unbound.start(list(dnssec_tree.zones))
    yield unbound
    unbound.stop()
