"""`watchwire apply`, `export` and `schema` against a running server on loopback: a plan
first, idempotent, updates in place, prunes only when asked, round trips through export,
and a bad file is one line naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Caller, write
from watchwire.services.monitor_spec import MIN_INTERVAL

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"

FILE = """\
version: 1
contacts:
  - name: On call
    type: email
    contact: ops@example.com
webhooks:
  - name: ci
    url: http://127.0.0.1:9/hook
    events: [monitor.down, monitor.up]
monitors:
  - name: site
    kind: http
    target: http://127.0.0.1:9/health
    interval: 60
    options: {keyword: ok}
    recipients: [On call, ci]
    tags: [web]
  - name: beat
    kind: heartbeat
    interval: 300
status_pages:
  - name: Public
    groups: [Web]
    components:
      - {monitor: site, group: Web}
      - {monitor: beat}
"""


def _names(caller: Caller, noun: str) -> list[str]:
    code, out, err = caller.remote(noun, "list", "--json")
    assert code == 0, err
    return sorted(item["name"] for item in json.loads(out))


def test_apply_creates_then_changes_nothing(caller: Caller, tmp_path: Path) -> None:
    file = write(tmp_path / "watchwire.yaml", FILE)
    code, out, err = caller.remote("apply", "-f", str(file), "--dry-run")
    assert code == 0, err
    assert "+ monitor 'site' (create)" in out and "Dry run: nothing changed." in out
    assert _names(caller, "monitors") == []

    code, out, err = caller.remote("apply", "-f", str(file))
    assert code == 0, err
    assert out.count("(create)") == 5 and "Applied 5 change(s)." in out
    assert _names(caller, "monitors") == ["beat", "site"]
    code, out, _ = caller.remote("monitors", "show", "site", "--json")
    site = json.loads(out)
    _, webhook, _ = caller.remote("webhooks", "show", "ci", "--json")
    _, contact, _ = caller.remote("contacts", "show", "On call", "--json")
    assert site["recipients"] == [json.loads(contact)["sid"], json.loads(webhook)["sid"]]
    code, out, _ = caller.remote("status-pages", "show", "Public", "--json")
    assert json.loads(out)["components"][0] == {
        "sid": site["sid"],
        "kind": "monitor",
        "group": "Web",
    }

    code, out, err = caller.remote("apply", "-f", str(file))
    assert code == 0, err
    assert out.strip() == f"No changes: the account already matches {file}."
    code, out, _ = caller.remote("apply", "-f", str(file), "--json")
    assert json.loads(out) == {"applied": False, "changes": []}


def test_an_edited_file_updates_in_place_and_prunes_only_when_asked(
    caller: Caller, tmp_path: Path
) -> None:
    file = write(tmp_path / "watchwire.yaml", FILE)
    caller.remote("apply", "-f", str(file))
    code, out, _ = caller.remote("monitors", "show", "site", "--json")
    sid = json.loads(out)["sid"]

    edited = (
        FILE.replace("interval: 60", "interval: 120")
        .replace("recipients: [On call, ci]", "recipients: [ci]")
        .replace("  - name: beat\n    kind: heartbeat\n    interval: 300\n", "")
        .replace("      - {monitor: beat}\n", "")
    )
    write(file, edited)
    code, out, err = caller.remote("apply", "-f", str(file))
    assert code == 0, err
    assert "~ monitor 'site' (update: interval, recipients)" in out
    assert "~ status page 'Public' (update: components)" in out
    assert "1 resource(s) not in" in out and "--prune" in out
    code, out, _ = caller.remote("monitors", "show", "site", "--json")
    site = json.loads(out)
    assert site["sid"] == sid and site["interval"] == 120 and len(site["recipients"]) == 1
    assert _names(caller, "monitors") == ["beat", "site"]  # kept: not in the file, no --prune

    code, out, _ = caller.remote("apply", "-f", str(file), "--prune", "--json")
    assert json.loads(out)["changes"] == [
        {"section": "monitors", "name": "beat", "action": "delete", "fields": []}
    ]
    assert _names(caller, "monitors") == ["site"]
    code, out, _ = caller.remote("apply", "-f", str(file), "--prune")
    assert out.startswith("No changes")

    # A section the file leaves out is not managed: --prune keeps its resources.
    write(file, "monitors:\n" + edited.split("monitors:\n")[1].split("status_pages:")[0])
    code, out, err = caller.remote("apply", "-f", str(file), "--prune")
    assert out.startswith("No changes"), err
    assert _names(caller, "status-pages") == ["Public"]

    # A kind cannot change in place: the monitor is replaced, and the page showing it
    # follows it to its new SID in the same apply.
    replaced = edited.replace(
        "    kind: http\n    target: http://127.0.0.1:9/health\n",
        "    kind: tcp\n    target: 127.0.0.1:9\n",
    ).replace("    options: {keyword: ok}\n", "")
    write(file, replaced)
    code, out, err = caller.remote("apply", "-f", str(file))
    assert "± monitor 'site' (replace: kind, target" in out, err
    assert "~ status page 'Public' (update: components)" in out
    code, out, _ = caller.remote("monitors", "show", "site", "--json")
    site = json.loads(out)
    assert site["kind"] == "tcp" and site["sid"] != sid
    code, out, _ = caller.remote("status-pages", "show", "Public", "--json")
    assert [c["sid"] for c in json.loads(out)["components"]] == [site["sid"]]
    code, out, _ = caller.remote("apply", "-f", str(file))
    assert out.startswith("No changes")


def test_export_then_apply_changes_nothing(caller: Caller, tmp_path: Path) -> None:
    caller.remote("apply", "-f", str(write(tmp_path / "in.yaml", FILE)))
    caller.remote("monitors", "add", "tcp", "127.0.0.1:9", "--name", "by hand")
    code, exported, err = caller.remote("export")
    assert code == 0, err
    assert "recipients:\n  - On call\n  - ci" in exported  # names, not SIDs
    assert "- monitor: site" in exported and "name: by hand" in exported
    file = write(tmp_path / "out.yaml", exported)
    code, out, _ = caller.remote("apply", "-f", str(file), "--prune")
    assert code == 0 and out.startswith("No changes")

    code, out, _ = caller.remote("export", "--json", "-o", str(tmp_path / "out.json"))
    assert code == 0
    assert json.loads((tmp_path / "out.json").read_text())["monitors"][0]["name"] == "beat"
    code, out, _ = caller.remote("apply", "-f", str(tmp_path / "out.json"))
    assert out.startswith("No changes")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "monitors:\n  - name: x\n    kind: http\n    target: http://127.0.0.1:9/\n    interval: 5\n",
            f"monitors[0].interval: Input should be greater than or equal to {MIN_INTERVAL}",
        ),
        (
            "monitors:\n  - kind: http\n    target: http://127.0.0.1:9/\n",
            "monitors[0].name: required",
        ),
        ("monitor:\n  - name: x\n", "monitor: Extra inputs are not permitted"),
        ("version: 2\n", "version: Input should be 1"),
        (
            "webhooks:\n  - name: x\n    url: http://127.0.0.1:9/\n    format: xml\n",
            "webhooks[0].format",
        ),
        (
            "monitors:\n  - name: x\n    kind: http\n    target: http://127.0.0.1:9/\n    recipients: [nobody]\n",
            "monitors[x].recipients: no contact or webhook named 'nobody'",
        ),
        ("status_pages:\n  - name: p\n    components: [{monitor: a, sid: b}]\n", "components[0]"),
        ("monitors: [\n", "line 2"),
        (
            "contacts:\n  - {name: a, type: email, contact: a@example.com}\n  - {name: a, type: email, contact: b@example.com}\n",
            "contacts[1].name: 'a' is in contacts twice",
        ),
    ],
)
def test_a_bad_file_is_one_line_naming_the_field(
    caller: Caller, tmp_path: Path, text: str, message: str
) -> None:
    file = write(tmp_path / "bad.yaml", text)
    code, out, err = caller.remote("apply", "-f", str(file))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {file}: ") and message in lines[0], err
    assert _names(caller, "monitors") == []  # nothing was sent


def test_the_schema_describes_the_file(caller: Caller) -> None:
    code, out, _ = caller.local("schema")
    assert code == 0
    schema = json.loads(out)
    assert set(schema["properties"]) == {
        "version",
        "contacts",
        "webhooks",
        "monitors",
        "status_pages",
    }
    assert schema["additionalProperties"] is False
    monitors = schema["properties"]["monitors"]["items"]["allOf"]
    assert monitors[1]["required"] == ["name"]
    http = schema["$defs"]["HttpMonitorCreate"]["properties"]
    assert http["interval"]["minimum"] == MIN_INTERVAL and http["recipients"]["items"] == {
        "type": "string"
    }
    page = schema["properties"]["status_pages"]["items"]["allOf"][0]
    assert "monitor" in page["properties"]["components"]["items"]["properties"]


def test_the_documented_example_file_plans_and_its_schema_is_current(caller: Caller) -> None:
    example = DOCS / "watchwire.yaml"
    code, out, err = caller.remote("apply", "-f", str(example), "--dry-run")
    assert code == 0, err
    assert out.count("(create)") == 5 and "Dry run: nothing changed." in out
    code, out, _ = caller.local("schema")
    assert json.loads(out) == json.loads((DOCS / "watchwire.schema.json").read_text()), (
        "docs/examples/watchwire.schema.json is stale: watchwire schema -o it"
    )


def test_a_change_the_api_refuses_stops_the_run_naming_the_entry(
    caller: Caller, tmp_path: Path
) -> None:
    twice = "monitors:\n" + "".join(
        f"  - {{name: {name}, kind: tcp, target: '127.0.0.1:9'{extra}}}\n"
        for name, extra in (("a", ""), ("b", ""))
    )
    file = write(tmp_path / "twice.yaml", twice)
    code, out, err = caller.remote("apply", "-f", str(file))
    assert code == 1 and "+ monitor 'b' (create)" in out  # the plan came first
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: monitors[b] (create): ") and line.endswith(
        "(1 of 2 change(s) made before it)"
    ), err
    assert _names(caller, "monitors") == ["a"]
    write(
        file,
        twice.replace(
            "name: b, kind: tcp, target: '127.0.0.1:9'",
            "name: b, kind: tcp, target: '127.0.0.1:9', allow_duplicate: true",
        ),
    )
    code, out, err = caller.remote("apply", "-f", str(file))
    assert code == 0, err
    assert out.splitlines()[0] == "+ monitor 'b' (create)" and _names(caller, "monitors") == [
        "a",
        "b",
    ]
