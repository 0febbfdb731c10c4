"""What `watchwire apply` would change, worked out without I/O: the file's entries against
the account's resources (as the API renders them), matched by name.

An entry is created when no resource has its name, updated (PATCH of the fields that
differ) when one does, replaced (deleted, then created) when a field that cannot change
differs (a monitor's `kind`, a contact's `type`). Fields the file leaves out stay as they
are. Resources the file does not name are kept, unless `prune` is asked for and the file
has their section. References by name (a monitor's recipients, a page's components) are
resolved through `Names`; a name still to be created counts as a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from watchwire.cli.resources import CONTACTS, MONITORS, STATUS_PAGES, WEBHOOKS, ResourceSpec
from watchwire.errors import ValidationError
from watchwire.ids import is_sid

Action = Literal["create", "update", "replace", "delete"]
_RECIPIENT_KINDS = ("contact", "contact_group", "webhook")


@dataclass(frozen=True)
class Section:
    """One section of the file: its resource and how its fields are read."""

    name: str
    spec: ResourceSpec
    fields: tuple[str, ...]  # what export writes and apply compares (besides `name`)
    fixed: frozenset[str] = frozenset()  # a change here replaces the resource
    write_only: frozenset[str] = frozenset()  # sent on create; shown masked or not at all
    defaults: tuple[tuple[str, Any], ...] = ()  # export leaves these values out


SECTIONS = (
    Section(
        "contacts",
        CONTACTS,
        ("type", "contact", "args", "contact_groups", "schedule"),
        fixed=frozenset({"type"}),
        defaults=(("schedule", "every_check"),),
    ),
    Section(
        "webhooks",
        WEBHOOKS,
        ("url", "events", "format", "is_active", "legacy_signature"),
        write_only=frozenset({"secret"}),
        defaults=(("format", "standard"), ("is_active", True), ("legacy_signature", False)),
    ),
    Section(
        "monitors",
        MONITORS,
        (
            "kind",
            "target",
            "interval",
            "timeout",
            "confirmations",
            "recoveries",
            "degraded_ms",
            "apdex_t_ms",
            "ssl_expiry_days",
            "expect",
            "paused",
            "tags",
            "contact_groups",
            "mute_until",
            "recipients",
            "options",
        ),
        fixed=frozenset({"kind"}),
        write_only=frozenset({"allow_duplicate"}),
        defaults=(
            ("interval", 60),
            ("timeout", 10.0),
            ("confirmations", 2),
            ("recoveries", 1),
            ("apdex_t_ms", 500.0),
            ("ssl_expiry_days", [30, 14, 7, 1]),
            ("paused", False),
        ),
    ),
    Section(
        "status_pages",
        STATUS_PAGES,
        (
            "description",
            "components",
            "groups",
            "visibility",
            "title",
            "logo_url",
            "accent_color",
            "footer",
            "timezone",
            "custom_domain",
        ),
        write_only=frozenset({"access_key"}),
        defaults=(("visibility", "public"), ("timezone", "UTC")),
    ),
)
BY_NAME = {section.name: section for section in SECTIONS}


@dataclass
class Names:
    """name → id of each section's resources, as they are (and as apply creates them)."""

    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    coming: dict[str, set[str]] = field(default_factory=dict)  # names the file will create

    def of(self, section: str) -> dict[str, str]:
        return self.ids.setdefault(section, {})

    def names_of(self, section: str) -> dict[str, str]:
        return {ident: name for name, ident in self.of(section).items()}


@dataclass(frozen=True)
class Change:
    section: str
    name: str
    action: Action
    fields: tuple[str, ...] = ()
    ident: str | None = None  # the resource's id (None for a create)


def _pending(name: str) -> str:
    return f"(new: {name})"


def _recipient(where: str, ref: str, names: Names) -> str:
    if any(is_sid(kind, ref) for kind in _RECIPIENT_KINDS):
        return ref
    found = [
        names.of(section)[ref] for section in ("contacts", "webhooks") if ref in names.of(section)
    ]
    if len(found) > 1:
        raise ValidationError(f"{where}.recipients: {ref!r} is a contact and a webhook: give a SID")
    if found:
        return found[0]
    if any(ref in names.coming.get(section, ()) for section in ("contacts", "webhooks")):
        return _pending(ref)
    raise ValidationError(f"{where}.recipients: no contact or webhook named {ref!r}")


def _component(where: str, ref: dict[str, Any], names: Names) -> dict[str, Any]:
    sid = ref.get("sid")
    if sid is None:
        monitor = str(ref["monitor"])
        sid = names.of("monitors").get(monitor)
        if sid is None:
            if monitor not in names.coming.get("monitors", ()):
                raise ValidationError(f"{where}.components: no monitor named {monitor!r}")
            sid = _pending(monitor)
    return {"sid": sid, "group": ref.get("group")}


def body_of(section: str, entry: dict[str, Any], names: Names) -> dict[str, Any]:
    """The API body of an entry, its references by name turned into SIDs."""
    body = dict(entry)
    where = f"{section}[{entry['name']}]"
    if section == "monitors" and body.get("recipients") is not None:
        body["recipients"] = list(
            dict.fromkeys(_recipient(where, r, names) for r in body["recipients"])
        )
    if section == "monitors" and body.get("ssl_expiry_days") is not None:
        body["ssl_expiry_days"] = sorted(set(body["ssl_expiry_days"]), reverse=True)
    if section == "status_pages" and body.get("components") is not None:
        body["components"] = [_component(where, c, names) for c in body["components"]]
    return body


def same(wanted: Any, current: Any) -> bool:
    """Whether the resource already has what the file states: objects compare by the keys
    the file gives; a masked credential (`****` + its last four) by those four."""
    if isinstance(wanted, dict) and isinstance(current, dict):
        return all(same(value, current.get(key)) for key, value in wanted.items())
    if isinstance(wanted, list) and isinstance(current, list):
        return len(wanted) == len(current) and all(map(same, wanted, current))
    if isinstance(wanted, str) and isinstance(current, str) and current.startswith("****"):
        return len(wanted) > 8 and wanted[-4:] == current[4:]
    if isinstance(wanted, bool) or isinstance(current, bool):
        return wanted is current
    return bool(wanted == current)


def differing(section: Section, body: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The fields of `body` the resource does not have yet: the PATCH that makes it so."""
    return {
        key: value
        for key, value in body.items()
        if key not in section.write_only and key in record and not same(value, record[key])
    }


def plan(
    wanted: dict[str, list[dict[str, Any]] | None],
    current: dict[str, list[dict[str, Any]]],
    names: Names,
    *,
    prune: bool,
) -> tuple[list[Change], dict[str, int]]:
    """The changes, deletions first; and per section how many resources stay unchanged
    (`same:`) or are kept although the file does not name them (`kept:`)."""
    changes: list[Change] = []
    deletions: list[Change] = []
    counts: dict[str, int] = {}
    for section in SECTIONS:
        entries = wanted.get(section.name)
        if entries is None:
            continue
        by_name = {str(r["name"]): r for r in current.get(section.name, [])}
        named = {str(e["name"]) for e in entries}
        for entry in entries:
            record = by_name.get(str(entry["name"]))
            if record is None:
                body_of(section.name, entry, names)  # a name that is nowhere fails here
                changes.append(Change(section.name, entry["name"], "create"))
                continue
            ident = str(record[section.spec.id_field])
            patch = differing(section, body_of(section.name, entry, names), record)
            action: Action = "replace" if section.fixed & set(patch) else "update"
            if action == "replace":
                # It gets a new id: what refers to it (a page's component) changes as well.
                names.of(section.name).pop(str(entry["name"]), None)
                names.coming.setdefault(section.name, set()).add(str(entry["name"]))
            if patch:
                changes.append(Change(section.name, entry["name"], action, tuple(patch), ident))
            else:
                counts[f"same:{section.name}"] = counts.get(f"same:{section.name}", 0) + 1
        for name, record in by_name.items():
            if name in named:
                continue
            if prune:
                ident = str(record[section.spec.id_field])
                deletions.append(Change(section.name, name, "delete", (), ident))
            else:
                counts[f"kept:{section.name}"] = counts.get(f"kept:{section.name}", 0) + 1
    return list(reversed(deletions)) + changes, counts


def exported(
    section: Section, record: dict[str, Any], names: Names, default_group: str | None
) -> dict[str, Any]:
    """A resource as the file states it: its name, then the fields that are not defaults,
    SIDs of the file's other resources as their names."""
    entry: dict[str, Any] = {"name": record["name"]}
    defaults = dict(section.defaults)
    for key in section.fields:
        value = record.get(key)
        if value is None or value in ("", [], {}) or (key in defaults and defaults[key] == value):
            continue
        if key == "contact_groups" and default_group is not None and value == [default_group]:
            continue
        if key == "target" and value == record.get("sid"):  # a heartbeat named by its SID
            continue
        if key == "recipients":
            by_sid = names.names_of("contacts") | names.names_of("webhooks")
            value = [by_sid.get(sid, sid) for sid in value]
        if key == "components":
            monitors = names.names_of("monitors")
            value = [
                ({"monitor": monitors[c["sid"]]} if c["sid"] in monitors else {"sid": c["sid"]})
                | ({"group": c["group"]} if c.get("group") else {})
                for c in value
            ]
        entry[key] = value
    return entry
