"""The forms of the other things an account watches: certificate monitors, monitored domains
(the DNS records they must publish) and blocklist hosts. Each kind says which fields its
form shows, how a posted form becomes its service's raw fields, what an existing one's
values are, and which service calls create, change, pause and delete it.

The services' rules are the only rules (as for the API): the form hands them what was typed
and puts each refusal next to the field it names (`errors_by_field`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from watchwire.errors import ValidationError
from watchwire.probes.tls.tls import Protocol
from watchwire.runtime import Runtime
from watchwire.services.certs.records import CertMonitor
from watchwire.services.domains.records import DnsRecord, Domain
from watchwire.services.rbl.records import RblHost
from watchwire.web.dashboard.monitor_form import FORM_LEVEL, Field

# Records whose value starts with the priority in zone-file notation (`MX @ 10 mx.host`).
PRIORITISED = ("MX", "SRV")


def _text(form: Mapping[str, Any], name: str) -> str:
    return str(form.get(name) or "").strip()


def _words(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


# -- certificate monitors ---------------------------------------------------------------------

CERT_FIELDS = (
    Field("hostname", "Host", hint="A host name or IP address, without scheme, port or path."),
    Field("protocol", "Protocol", "select", choices=get_args(Protocol)),
    Field("port", "Port", "number", "Empty: the protocol's well-known port.", placeholder="443"),
    Field("name", "Name", hint="What the list shows; the host when empty."),
    Field(
        "interval",
        "Interval (seconds)",
        "number",
        "Between checks: 300 s (5 minutes) to a week.",
        placeholder="21600",
    ),
    Field("tags", "Tags", hint="Comma-separated.", listed=True),
)


def cert_raw(form: Mapping[str, Any], editing: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "hostname": _text(form, "hostname"),
        "protocol": _text(form, "protocol"),
        "port": _text(form, "port") or None,
        "name": _text(form, "name") or None,
        "tags": _words(_text(form, "tags")),
    }
    interval = _text(form, "interval")
    if interval:
        raw["interval"] = interval
    return raw


def cert_values(found: CertMonitor) -> dict[str, Any]:
    return {
        "hostname": found.hostname,
        "protocol": found.protocol,
        "port": found.port,
        "name": found.name,
        "interval": found.interval_seconds,
        "tags": ", ".join(found.tags),
    }


# -- monitored domains ------------------------------------------------------------------------

DOMAIN_FIELDS = (
    Field("domain", "Domain", hint="The registered domain, e.g. example.com."),
    Field(
        "records",
        "Records it must publish",
        "textarea",
        "One a line: type, host (@ for the domain itself), value; MX and SRV put the "
        "priority before the value. E.g. “A @ 192.0.2.10”, “MX @ 10 mail.example.com”, "
        "“TXT _dmarc v=DMARC1; p=none”.",
    ),
)


def record_line(record: DnsRecord) -> str:
    priority = f"{record.priority} " if record.priority is not None else ""
    return f"{record.type} {record.host} {priority}{record.value}"


def parse_records(text: str) -> list[dict[str, Any]]:
    """The records of the form's box, one a line (blank lines skipped); a line without a
    type, host and value is refused naming its number."""
    records: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            raise ValidationError.field(
                "records", "format", f"line {number}: a type, a host and a value"
            )
        rtype, host, value = parts[0].upper(), parts[1], parts[2].strip()
        record: dict[str, Any] = {"type": rtype, "host": host, "value": value}
        if rtype in PRIORITISED:
            head, _, rest = value.partition(" ")
            if head.isdigit() and rest.strip():
                record.update(priority=head, value=rest.strip())
        records.append(record)
    return records


def domain_raw(form: Mapping[str, Any], editing: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {"records": parse_records(str(form.get("records") or ""))}
    if not editing:
        raw["domain"] = _text(form, "domain")
    return raw


def domain_values(found: Domain) -> dict[str, Any]:
    return {"domain": found.domain, "records": "\n".join(map(record_line, found.records))}


# -- blocklist hosts --------------------------------------------------------------------------

RBL_FIELDS = (
    Field(
        "host",
        "Host",
        hint="An IP address, a domain, or a subnet or range (each address becomes a host).",
    ),
    Field("name", "Name", hint="What the list shows; the host when empty."),
    Field("tags", "Tags", hint="Comma-separated.", listed=True),
)


def rbl_raw(form: Mapping[str, Any], editing: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {"name": _text(form, "name") or None, "tags": _text(form, "tags")}
    if not editing:
        raw["host"] = _text(form, "host")
    return raw


def rbl_values(found: RblHost) -> dict[str, Any]:
    return {"host": found.host, "name": found.name, "tags": ", ".join(found.tags)}


# -- the kinds --------------------------------------------------------------------------------

Raw = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WatchKind:
    """One kind of watched thing as the dashboard's forms and buttons handle it. `fixed` is
    the field an existing one cannot change (shown, not editable)."""

    title: str
    fields: tuple[Field, ...]
    fixed: str
    raw: Callable[[Mapping[str, Any], bool], Raw]
    values: Callable[[Any], dict[str, Any]]
    get: Callable[[Runtime, str, str], Awaitable[Any]]
    create: Callable[[Runtime, str, Raw], Awaitable[Any]]
    update: Callable[[Runtime, str, str, Raw], Awaitable[Any]]
    pause: Callable[[Runtime, str, str, bool], Awaitable[Any]]
    delete: Callable[[Runtime, str, str], Awaitable[Any]]
    check: Callable[[Runtime, str, str], Awaitable[Any]] | None


async def _domain_pause(runtime: Runtime, account: str, sid: str, paused: bool) -> Domain:
    return await runtime.domains.update(account, sid, {"paused": paused})


KINDS: dict[str, WatchKind] = {
    "cert": WatchKind(
        title="certificate monitor",
        fields=CERT_FIELDS,
        fixed="",
        raw=cert_raw,
        values=cert_values,
        get=lambda rt, account, sid: rt.certs.get_monitor(account, sid),
        create=lambda rt, account, raw: rt.certs.create_monitor(account, raw),
        update=lambda rt, account, sid, raw: rt.certs.update_monitor(account, sid, raw),
        pause=lambda rt, account, sid, paused: rt.certs.set_paused(account, sid, paused),
        delete=lambda rt, account, sid: rt.certs.delete_monitor(account, sid),
        check=lambda rt, account, sid: rt.certs.check_now(account, sid),
    ),
    "domain": WatchKind(
        title="monitored domain",
        fields=DOMAIN_FIELDS,
        fixed="domain",
        raw=domain_raw,
        values=domain_values,
        get=lambda rt, account, sid: rt.domains.get(account, sid),
        create=lambda rt, account, raw: rt.domains.create(account, raw),
        update=lambda rt, account, sid, raw: rt.domains.update(account, sid, raw),
        pause=_domain_pause,
        delete=lambda rt, account, sid: rt.domains.delete(account, sid),
        check=lambda rt, account, sid: rt.domains.check_now(account, sid),
    ),
    "rbl": WatchKind(
        title="blocklist host",
        fields=RBL_FIELDS,
        fixed="host",
        raw=rbl_raw,
        values=rbl_values,
        get=lambda rt, account, sid: rt.rbl.get_host(account, sid),
        create=lambda rt, account, raw: rt.rbl.create_hosts(account, raw),
        update=lambda rt, account, sid, raw: rt.rbl.update_host(account, sid, raw),
        pause=lambda rt, account, sid, paused: rt.rbl.set_host_paused(account, sid, paused),
        delete=lambda rt, account, sid: rt.rbl.delete_host(account, sid),
        check=None,
    ),
}


def kind_of(name: str) -> WatchKind:
    found = KINDS.get(name)
    if found is None:
        raise ValidationError.field("kind", "enum", "kind: cert, domain or rbl")
    return found


def errors_by_field(kind: WatchKind, error: ValidationError) -> dict[str, str]:
    """Each message of the service's error next to the field it names (`records.2.value`
    goes to the records box as "line 3: …"); the rest above the form."""
    names = {f.name for f in kind.fields}
    placed: dict[str, str] = {}
    for detail in error.details or [{"field": FORM_LEVEL, "message": error.message}]:
        path = str(detail.get("field", "")).split(".")
        message = str(detail.get("message", error.message))
        target = path[0] if path[0] in names else FORM_LEVEL
        if target == "records" and len(path) > 1 and path[1].isdigit():
            message = f"record {int(path[1]) + 1}: {message.split(': ', 1)[-1]}"
        placed[target] = f"{placed[target]} {message}" if target in placed else message
    return placed
