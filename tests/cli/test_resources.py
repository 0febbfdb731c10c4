"""`watchwire monitors|webhooks|contacts|status-pages|events` against a running server on
loopback (--url, --key) and against its database directly (--account)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time

import httpx

from tests.cli.conftest import Caller
from tests.servers.plain_tls import free_port
from tests.servers.watchwire_processes import WATCHWIRE
from watchwire.services.monitor_spec import MIN_INTERVAL

CLOSED = "http://127.0.0.1:9/health"  # discard: nothing listens, the checks fail fast


def test_a_monitor_added_listed_edited_paused_and_removed(caller: Caller) -> None:
    code, out, err = caller.remote(
        "monitors", "add", "http", CLOSED, "--name", "site", "--interval", "60",
        "options.keyword=ok", "confirmations:=3", "--json",
    )  # fmt: skip
    assert code == 0, err
    created = json.loads(out)
    assert created["name"] == "site" and created["options"]["keyword"] == "ok"
    assert created["confirmations"] == 3 and created["sid"].startswith("MO")

    code, out, _ = caller.remote("monitors", "list", "--json")
    assert [m["sid"] for m in json.loads(out)] == [created["sid"]]

    code, out, _ = caller.remote("monitors", "edit", "site", "interval:=120", "--json")
    assert code == 0 and json.loads(out)["interval"] == 120

    code, out, _ = caller.remote("monitors", "pause", created["sid"], "--json")
    assert code == 0 and json.loads(out)["paused"] is True
    code, out, _ = caller.remote("monitors", "list")
    assert "site" in out and "yes" in out  # the table: name and paused

    code, out, _ = caller.remote("monitors", "resume", "site", "--json")
    assert json.loads(out)["paused"] is False

    code, out, _ = caller.remote("monitors", "rm", "site")
    assert code == 0 and "deleted" in out
    code, out, _ = caller.remote("monitors", "list", "--json")
    assert json.loads(out) == []


def test_bad_input_is_one_line_naming_the_field(caller: Caller) -> None:
    caller.remote("monitors", "add", "http", CLOSED, "--name", "site")
    code, out, err = caller.remote("monitors", "edit", "site", "interval:=5")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f"error: interval: Input should be greater than or equal to {MIN_INTERVAL}"
    ]
    code, _, err = caller.remote("monitors", "edit", "site", "interval:=sixty")
    assert code == 1 and "interval: 'sixty' is not JSON" in err
    code, _, err = caller.remote("monitors", "pause", "nothing-by-this-name")
    assert code == 1 and "no monitor named 'nothing-by-this-name'" in err


def test_the_local_database_is_the_servers(caller: Caller) -> None:
    """Without --url the commands work on the database `serve` uses (its settings), as the
    account's operator: what they write, the server shows."""
    code, out, err = caller.local(
        "monitors", "add", "tcp", "127.0.0.1:9", "--name", "port", "--account", caller.account,
        "--json",
    )  # fmt: skip
    assert code == 0, err
    assert "database: SQLite" in err  # which database, on stderr, as `account create` says
    sid = json.loads(out)["sid"]
    code, out, _ = caller.remote("monitors", "show", "port", "--json")
    assert code == 0 and json.loads(out)["sid"] == sid

    code, _, err = caller.local("monitors", "list")
    assert code == 1 and "which account?" in err
    code, out, _ = caller.local("monitors", "list", "--key", caller.key, "--json")
    assert [m["name"] for m in json.loads(out)] == ["port"]


def test_webhooks_contacts_and_status_pages(caller: Caller) -> None:
    code, out, err = caller.remote(
        "webhooks", "add", "url=http://127.0.0.1:9/hook", "name=ci", "events:=[\"monitor.down\"]",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["events"] == ["monitor.down"]
    code, out, _ = caller.remote("webhooks", "edit", "ci", "is_active:=false", "--json")
    assert json.loads(out)["is_active"] is False

    code, out, err = caller.remote(
        "contacts", "add", "type=email", "contact=ops@example.com", "name=On call", "--json"
    )
    assert code == 0, err
    code, out, _ = caller.remote("contacts", "pause", "On call", "--json")
    assert code == 0 and json.loads(out)["status"] == "paused"

    caller.remote("monitors", "add", "http", CLOSED, "--name", "site")
    code, out, _ = caller.remote("monitors", "show", "site", "--json")
    monitor = json.loads(out)["sid"]
    code, out, err = caller.remote(
        "status-pages", "add", "name=Public", f'components:=[{{"sid": "{monitor}"}}]', "--json"
    )
    assert code == 0, err
    page = json.loads(out)
    assert [c["sid"] for c in page["components"]] == [monitor]
    code, out, _ = caller.remote("status-pages", "list")
    assert page["token"][:12] in out and "Public" in out  # folded, never cut short
    code, out, _ = caller.remote("status-pages", "rm", "Public")
    assert code == 0
    for noun in ("webhooks", "contacts", "status-pages"):
        code, out, _ = caller.remote(noun, "list", "--json")
        assert len(json.loads(out)) == (0 if noun == "status-pages" else 1)


def test_events_tail_shows_the_latest_oldest_first(caller: Caller) -> None:
    code, out, _ = caller.remote("webhooks", "add", "url=http://127.0.0.1:9/hook", "--json")
    webhook = json.loads(out)["sid"]
    for _ in range(2):  # a test event each: recorded like any other
        answer = httpx.post(
            f"{caller.server.base_url}/v1/webhooks/{webhook}/test",
            headers={"X-API-Key": caller.key},
            timeout=30,
        )
        assert answer.status_code < 300, answer.text
    code, out, err = caller.remote(
        "events", "tail", "-n", "5", "--json", "--follow", "--for", "0.5", "--every", "0.2"
    )
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["type"] for e in events] == ["test", "test"]
    assert events[0]["created_at"] <= events[1]["created_at"]
    code, out, _ = caller.remote("events", "tail", "-n", "1")
    assert out.count(" test ") == 1


def test_where_to_go_is_checked_before_anything_is_sent(caller: Caller) -> None:
    code, _, err = caller.local("monitors", "list", "--url", caller.server.base_url)
    assert code == 1 and err.strip() == "error: --key (or WATCHWIRE_KEY) is needed with --url"
    port = free_port()  # nothing listens there
    code, _, err = caller.local(
        "monitors", "list", "--url", f"http://127.0.0.1:{port}", "--key", caller.key
    )
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: http://127.0.0.1:{port}: ")
    code, _, err = caller.local(
        "monitors", "list", "--url", caller.server.base_url, "--key", "AK" + "0" * 96
    )
    assert code == 1 and err.strip() == "error: Invalid or inactive API key"
    code, _, err = caller.local("monitors", "list", "--account", "AC" + "0" * 32)
    assert code == 1 and err.strip().splitlines()[-1] == "error: Resource not found"


def test_names_are_shown_as_written(caller: Caller) -> None:
    """A name is the user's text, never markup for the terminal."""
    code, out, err = caller.remote("monitors", "add", "tcp", "127.0.0.1:9", "--name", "[b]x[/]")
    assert code == 0, err
    assert "([b]x[/]) created" in out
    code, out, _ = caller.remote("monitors", "list")
    assert "[b]x[/]" in out


def test_events_tail_follow_prints_new_events_as_they_come(caller: Caller) -> None:
    """A real `watchwire events tail --follow` process; test events are sent while it runs
    (one a second, since the moment it starts polling is not known from outside)."""
    _, out, _ = caller.remote("webhooks", "add", "url=http://127.0.0.1:9/hook", "--json")
    webhook = json.loads(out)["sid"]
    env = {**os.environ, "WATCHWIRE_URL": caller.server.base_url, "WATCHWIRE_KEY": caller.key}
    argv = [str(WATCHWIRE), "events", "tail", "-n", "0", "--follow", "--for", "40"]
    lines: list[str] = []
    with subprocess.Popen(
        [*argv, "--every", "0.3", "--json"], env=env, stdout=subprocess.PIPE, text=True
    ) as tail:
        stream = tail.stdout
        assert stream is not None
        reader = threading.Thread(target=lambda: lines.extend(stream), daemon=True)
        reader.start()
        deadline = time.monotonic() + 60
        while not lines and time.monotonic() < deadline and tail.poll() is None:
            httpx.post(
                f"{caller.server.base_url}/v1/webhooks/{webhook}/test",
                headers={"X-API-Key": caller.key},
                timeout=30,
            ).raise_for_status()
            time.sleep(1)
        tail.terminate()
    reader.join(10)
    assert lines, "no event printed while following"
    first = json.loads(lines[0])
    assert first["type"] == "test" and first["resource_sid"] == webhook
