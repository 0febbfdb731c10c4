"""Every shell example of README.md and docs/ runs, against a fresh server on loopback,
so a doc that drifts from the code fails the suite (the convention: examples.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.docs.examples import (
    ROOT,
    blocks,
    curl_commands,
    foreign_hosts,
    json_body_without_type,
)

# A floor, not a target: the examples must not quietly stop being collected.
MIN_RUNNABLE = 12


def _netns_works() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, timeout=10)
    return probe.returncode == 0


def test_runnable_examples_name_only_loopback() -> None:
    named = {b.where: foreign_hosts(b.script()) for b in blocks() if b.runnable}
    assert {where: hosts for where, hosts in named.items() if hosts} == {}


def test_every_json_body_says_it_is_json() -> None:
    untyped = [
        (b.where, command)
        for b in blocks()
        for command in curl_commands(b.script())
        if json_body_without_type(command)
    ]
    assert untyped == []


def test_every_example_runs(tmp_path: Path) -> None:
    found = blocks()
    runnable = [b for b in found if b.runnable]
    skipped = [b.where for b in found if not b.runnable]
    assert len(runnable) >= MIN_RUNNABLE
    payload = [{"where": b.where, "script": b.script()} for b in runnable]
    (tmp_path / "blocks.json").write_text(json.dumps(payload))
    command = [
        sys.executable,
        "-m",
        "tests.docs.sandbox",
        str(tmp_path / "blocks.json"),
        str(tmp_path / "results.json"),
        str(tmp_path),
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    if _netns_works():
        # A network of its own with only loopback: nothing an example does can leave.
        command = ["unshare", "--net", *command]
        env["WATCHWIRE_EXAMPLES_NETNS"] = "1"
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    failed = [f"{r['where']} exited {r['rc']}:\n{r['output']}" for r in results if r["rc"] != 0]
    print(f"{len(results)} examples run, {len(skipped)} marked no-run: {', '.join(skipped)}")
    assert not failed, "\n\n".join(failed)
