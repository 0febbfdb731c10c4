"""`watchwire apply -f FILE` (plan, then change), `watchwire export` (the account as such a
file) and `watchwire schema` (the file's JSON Schema). The file is cli/manifest.py's; what
changes is cli/plan.py's; every change is a request to the native API (cli/client.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from watchwire.cli._common import console, error_console, fail, print_json
from watchwire.cli.client import Client
from watchwire.cli.manifest import Manifest, dump, json_schema, read
from watchwire.cli.plan import BY_NAME, SECTIONS, Change, Names, body_of, differing, exported, plan
from watchwire.cli.target import AccountOption, KeyOption, TimeoutOption, UrlOption, call, target
from watchwire.errors import ValidationError, WatchwireError

_SIGNS = {"create": "+", "update": "~", "replace": "±", "delete": "-"}


async def current_state(
    client: Client, sections: list[str], managed: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """The account's resources of `sections`, as the API renders them; a name two of them
    share in a `managed` section is an error (the file could not say which one it means)."""
    state: dict[str, list[dict[str, Any]]] = {}
    for name in sections:
        section = BY_NAME[name]
        items = await client.get_all(section.spec.path)
        if name == "status_pages":  # a monitor's own published page is the monitor's
            items = [item for item in items if item.get("published_monitor") is None]
        seen: set[str] = set()
        for item in items:
            if item["name"] in seen and name in managed:
                raise ValidationError(
                    f"two {section.spec.noun}s of the account are named {item['name']!r}: "
                    f"rename one (watchwire {section.name.replace('_', '-')} edit ID name=…)"
                )
            seen.add(item["name"])
        state[name] = items
    return state


def names_of(state: dict[str, list[dict[str, Any]]], manifest: Manifest | None) -> Names:
    names = Names()
    for section in SECTIONS:
        ids = names.of(section.name)
        for item in state.get(section.name, []):
            ids[item["name"]] = str(item[section.spec.id_field])
        entries = manifest.section(section.name) if manifest is not None else None
        names.coming[section.name] = {e["name"] for e in entries or [] if e["name"] not in ids}
    return names


def describe(changes: list[Change], counts: dict[str, int], source: str) -> list[str]:
    if not changes:
        lines = [f"No changes: the account already matches {source}."]
    else:
        lines = []
        for change in changes:
            noun = BY_NAME[change.section].spec.noun
            fields = f": {', '.join(change.fields)}" if change.fields else ""
            lines.append(
                f"{_SIGNS[change.action]} {noun} {change.name!r} ({change.action}{fields})"
            )
    kept = sum(v for k, v in counts.items() if k.startswith("kept:"))
    if kept:
        lines.append(f"{kept} resource(s) not in {source} kept (--prune deletes them)")
    return lines


async def _carry_out(
    client: Client, change: Change, entry: dict[str, Any] | None, names: Names
) -> None:
    section = BY_NAME[change.section]
    path = section.spec.path
    if change.action in ("delete", "replace"):
        await client.send_json("DELETE", f"{path}/{change.ident}")
        names.of(change.section).pop(change.name, None)
    if entry is None:
        return
    body = body_of(change.section, entry, names)
    if change.action == "update":
        record = await client.get(f"{path}/{change.ident}")
        await client.send_json("PATCH", f"{path}/{change.ident}", differing(section, body, record))
        return
    created = await client.send_json("POST", path, body)
    names.of(change.section)[change.name] = str(created[section.spec.id_field])


async def _execute(client: Client, manifest: Manifest, changes: list[Change], names: Names) -> None:
    """The changes in order: deletions (pages before monitors before what they refer to),
    then creates and updates (contacts and webhooks before monitors before pages), each
    body resolved with the SIDs the earlier ones got. The first change the API refuses
    stops the run, its error naming the entry; the changes before it stay made, and the
    next apply plans from there."""
    entries = {
        (section.name, e["name"]): e
        for section in SECTIONS
        for e in manifest.section(section.name) or []
    }
    for done, change in enumerate(changes):
        entry = None if change.action == "delete" else entries[(change.section, change.name)]
        try:
            await _carry_out(client, change, entry, names)
        except WatchwireError as exc:
            raise WatchwireError(
                f"{change.section}[{change.name}] ({change.action}): {exc.message} "
                f"({done} of {len(changes)} change(s) made before it)"
            ) from None


FileArgument = Annotated[Path, typer.Option("--file", "-f", help="The file (YAML or JSON).")]


def apply(
    file: FileArgument,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan; change nothing.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Delete resources of the file's sections it does not name."),
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    url: UrlOption = None,
    key: KeyOption = None,
    account: AccountOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Make the account's contacts, webhooks, monitors and status pages what FILE says."""
    try:
        manifest = read(file)
    except WatchwireError as exc:
        fail(exc.message)
    managed = [s.name for s in SECTIONS if manifest.section(s.name) is not None]
    wanted = {name: manifest.section(name) for name in managed}

    async def work(client: Client) -> tuple[list[Change], dict[str, int]]:
        # Every section, not only the file's: a reference may name any of the account's.
        state = await current_state(client, [s.name for s in SECTIONS], managed)
        names = names_of(state, manifest)
        try:
            changes, counts = plan(wanted, state, names, prune=prune)
        except ValidationError as exc:
            raise ValidationError(f"{file}: {exc.message}") from None
        if not json_output:
            for line in describe(changes, counts, str(file)):
                console.print(line, highlight=False, markup=False, soft_wrap=True)
        if changes and not dry_run:
            await _execute(client, manifest, changes, names)
        return changes, counts

    changes, _ = call(target(url, key, account, timeout), work)
    if json_output:
        print_json(
            {
                "applied": bool(changes) and not dry_run,
                "changes": [
                    {
                        "section": c.section,
                        "name": c.name,
                        "action": c.action,
                        "fields": list(c.fields),
                    }
                    for c in changes
                ],
            }
        )
    elif changes:
        console.print(
            "Dry run: nothing changed." if dry_run else f"Applied {len(changes)} change(s)."
        )


def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="JSON instead of YAML.")] = False,
    url: UrlOption = None,
    key: KeyOption = None,
    account: AccountOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Write the account's contacts, webhooks, monitors and status pages as an apply file."""

    async def work(client: Client) -> dict[str, Any]:
        every = [s.name for s in SECTIONS]
        state = await current_state(client, every, every)
        names = names_of(state, None)
        groups = await client.get_all("/contact-groups")
        default = next((g["sid"] for g in groups if g.get("is_default")), None)
        document: dict[str, Any] = {"version": 1}
        for section in SECTIONS:
            items = sorted(state[section.name], key=lambda item: str(item["name"]))
            document[section.name] = [exported(section, item, names, default) for item in items]
        targets = [(m["kind"], m["target"]) for m in state["monitors"]]
        for entry in document["monitors"]:
            if targets.count((entry["kind"], entry.get("target", ""))) > 1:
                entry["allow_duplicate"] = True
        return document

    document = call(target(url, key, account, timeout), work)
    text = dump(document, as_json=json_output)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
        error_console.print(f"wrote {output}", highlight=False)


def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the apply file (for editors' completion and checks)."""
    text = dump(json_schema(), as_json=True)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
