"""The end-to-end test of locations: a central `watchwire serve` in one network namespace,
three `watchwire agent`s in three more, checking a site in a fifth over links delayed with
`tc netem` (tests/servers/agent_netns.py).

One agent's link to the site cut → `partial`, not down; all cut → down; mended → up. An
agent killed → `agent.timeout`; restarted → `agent.timeout.resolve`. The central service
restarted while the agents keep checking → every check each agent made is recorded once.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.servers.agent_netns import HUB_PORT, SITE, SITE_PORT, Locations, locations_netns
from tests.servers.watchwire_processes import SECRET_KEY, WATCHWIRE, watchwire_env
from watchwire.config import Settings
from watchwire.engine.agent_watch import check_agents
from watchwire.runtime import Runtime
from watchwire.store.database import Database

pytestmark = pytest.mark.root
__all__ = ["locations_netns"]

CODES = ("a1", "a2", "a3")


def _spawn(ns: str, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            ["ip", "netns", "exec", ns, str(WATCHWIRE), *argv],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    process.send_signal(sig)
    process.wait(timeout=30)


async def _until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.2)


class Db:
    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, sql: str, *args: Any) -> list[Any]:
        with sqlite3.connect(self.path, timeout=10) as conn:
            return conn.execute(sql, args).fetchall()

    def state(self) -> str:
        return str(self.rows("SELECT state FROM monitors")[0][0])

    def open_downtimes(self) -> list[tuple[int, list[str]]]:
        found = self.rows("SELECT partial, locations FROM downtimes WHERE ended_at IS NULL")
        return [(int(partial), json.loads(where or "null")) for partial, where in found]

    def events(self, type: str) -> list[dict[str, Any]]:
        return [
            json.loads(p) for (p,) in self.rows("SELECT payload FROM events WHERE type = ?", type)
        ]

    def results(self, code: str) -> int:
        return int(self.rows("SELECT count(*) FROM monitor_results WHERE location = ?", code)[0][0])


async def _setup(url: str) -> dict[str, str]:
    """Three locations with their tokens and one http monitor run from them, every 2 s (below
    the API's 15 s minimum, set on the row, so the test takes seconds, not minutes)."""
    runtime = Runtime.build(Settings(database_url=url, secret_key=SECRET_KEY))
    try:
        await runtime.migrate()
        account = (await runtime.accounts.create_account("ops", plan="unlimited")).account_sid
        await runtime.locations.ensure_own()
        tokens: dict[str, str] = {}
        for code in CODES:
            _, token = await runtime.locations.create(
                {"code": code, "name": code, "timeout_minutes": 1}
            )
            assert token is not None
            tokens[code] = token
        await runtime.monitors.create(
            account,
            {
                "kind": "http",
                "target": f"http://{SITE}:{SITE_PORT}/",
                "name": "site",
                "locations": list(CODES),
                "confirmations": 1,
                "timeout": 1,
            },
            min_interval=15,
        )
    finally:
        await runtime.close()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE monitors SET interval_seconds = 2")
    return tokens


def _checks_logged(log: Path) -> int:
    """What the agent says it handed on: checks made, less those still buffered."""
    found = re.findall(
        r"stopped after (\d+) checks \((\d+) results still buffered\)", log.read_text()
    )
    return sum(int(made) - int(left) for made, left in found)


async def test_three_agents_across_cut_links_and_restarts(
    locations_netns: Locations, tmp_path: Path
) -> None:
    net = locations_netns
    path = tmp_path / "central.db"
    url = f"sqlite:///{path}"
    tokens = await _setup(url)
    db = Db(path)
    env = watchwire_env(url, listen=f"0.0.0.0:{HUB_PORT}", stop_grace_seconds="2")
    processes: list[subprocess.Popen[bytes]] = []

    def central() -> subprocess.Popen[bytes]:
        process = _spawn(net.hub, ["serve"], env, tmp_path / "central.log")
        processes.append(process)
        return process

    def agent(i: int) -> subprocess.Popen[bytes]:
        code = CODES[i - 1]
        argv = ["agent", "--url", net.hub_url(i), "--token", tokens[code], "--location", code,
                "--buffer", str(tmp_path / code), "--heartbeat", "1"]  # fmt: skip
        process = _spawn(net.agents[i - 1], argv, env, tmp_path / f"{code}.log")
        processes.append(process)
        return process

    def started(times: int) -> Callable[[], bool]:
        return lambda: (tmp_path / "central.log").read_text().count("listening on") >= times

    try:
        hub = central()
        await _until(started(1), "central up")
        agents = {i: agent(i) for i in (1, 2, 3)}
        # Three agent processes start here (each a Python start-up, seconds on a busy machine).
        ready = lambda: db.state() == "up" and all(db.results(c) for c in CODES)  # noqa: E731
        await _until(ready, "up", timeout=90)

        # Each location's own response times: the farther, the slower (netem).
        fast, slow = (
            db.rows("SELECT avg(response_ms) FROM monitor_results WHERE location = ?", code)[0][0]
            for code in ("a1", "a3")
        )
        assert slow > fast + 20

        net.cut(1)
        await _until(lambda: db.open_downtimes() == [(1, ["a1"])], "a partial downtime")
        assert db.state() == "up" and db.events("monitor.down") == []

        net.cut(2)
        net.cut(3)
        await _until(lambda: db.state() == "down", "down")
        [(partial, seen)] = db.open_downtimes()
        assert partial == 0 and len(seen) >= 2
        assert len(db.events("monitor.down")) == 1

        for i in (1, 2, 3):
            net.mend(i)
        await _until(lambda: db.state() == "up" and not db.open_downtimes(), "up again")

        # An agent killed: once its timeout has passed, agent.timeout; back, the resolve.
        killed_at = datetime.now(UTC)
        _stop(agents[3], signal.SIGKILL)
        await asyncio.sleep(2.5)  # the others heartbeat meanwhile
        watch = Database(url)
        try:
            await check_agents(watch, killed_at + timedelta(seconds=61))
        finally:
            await watch.close()
        [timeout] = db.events("agent.timeout")
        assert timeout["agent"]["code"] == "a3" and timeout["timeout_minutes"] == 1
        assert len(timeout["instances"]) == 1
        assert db.state() == "up"  # two locations answer, both see it up
        agents[3] = agent(3)
        await _until(lambda: len(db.events("agent.timeout.resolve")) == 1, "resolved", 60)
        # (the central service's own watch resolves it within 10 s; or this look does)

        # The central service restarted while the agents keep checking.
        _stop(hub)
        down_from = datetime.now(UTC)
        await asyncio.sleep(4)
        down_to = datetime.now(UTC)
        hub = central()
        await _until(started(2), "central back")
        await asyncio.sleep(3)
        for i in (1, 2, 3):
            _stop(agents[i])
        _stop(hub)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    for i, code in enumerate(CODES, start=1):
        duplicates = db.rows(
            "SELECT count(*) FROM (SELECT monitor_sid, checked_at FROM monitor_results"
            " WHERE location = ? GROUP BY 1, 2 HAVING count(*) > 1)",
            code,
        )[0][0]
        assert duplicates == 0, code
        passed = int(
            db.rows(
                "SELECT count(*) FROM monitor_results WHERE location = ? AND outcome != 'down'",
                code,
            )[0][0]
        )
        # Every check that passed reached the site; a killed agent may lose the results of
        # the checks it had in hand (a3), never one it had buffered.
        assert passed <= net.hits_from(i), code
        if code != "a3":
            assert net.hits_from(i) <= db.results(code), code
    # The agents never killed: every check they made is there, once.
    for code in ("a1", "a2"):
        assert db.results(code) == _checks_logged(tmp_path / f"{code}.log"), code
    during = db.rows(
        "SELECT count(*) FROM monitor_results WHERE location = 'a1' AND checked_at > ? AND checked_at < ?",
        down_from.strftime("%Y-%m-%d %H:%M:%S"),
        down_to.strftime("%Y-%m-%d %H:%M:%S"),
    )[0][0]
    assert during >= 1  # checked while the central service was away, sent when it was back
