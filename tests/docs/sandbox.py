"""Runs the runnable examples against a fresh `watchwire serve` (see examples.py).

    python -m tests.docs.sandbox BLOCKS.json RESULTS.json WORKDIR

The test starts it inside a network namespace with only loopback (`unshare --net`), so
it brings `lo` up first; the server and every example run in there with it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.servers.plain_tls import free_port
from tests.servers.watchwire_processes import WATCHWIRE, prepare, start_serve, watchwire_env

BLOCK_TIMEOUT = 60.0  # a loaded machine takes seconds to start each `watchwire` command
TOTAL_TIMEOUT = 75.0

# Every example runs under this: stop at the first failing command, and a curl that
# fails on an HTTP error or names a host other than loopback.
PREAMBLE = r"""set -euo pipefail
curl() {
  local arg url
  for arg in "$@"; do
    for url in $(grep -oE '[a-zA-Z][a-zA-Z0-9+.-]*://[^/"'"'"' ]+' <<<"$arg" || true); do
      case "$url" in
        http://127.0.0.1|http://127.0.0.1:*|http://localhost|http://localhost:*) ;;
        *) echo "example names a host other than loopback: $url" >&2; return 99 ;;
      esac
    done
  done
  command curl --silent --show-error --fail-with-body --max-time 20 "$@"
}
"""


def _loopback_up() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


async def _run(blocks: list[dict[str, str]], workdir: Path) -> list[dict[str, object]]:
    url = f"sqlite:///{workdir / 'examples.db'}"
    headers = await prepare(url)
    env = watchwire_env(
        url,
        # Lookups go to a resolver on loopback that is not there: fast failures, no traffic.
        resolver=f"127.0.0.1:{free_port()}",
        smtp_host="127.0.0.1",
        smtp_port=str(free_port()),
        log_level="WARNING",
    )
    serve = await start_serve(env, workdir)
    bin_dir = workdir / ".venv"
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "bin").exists():
        (bin_dir / "bin").symlink_to(WATCHWIRE.parent)
    shell_env = {
        **env,
        "KEY": headers["X-API-Key"],
        "WATCHWIRE_URL": serve.base_url,
        "PATH": f"{WATCHWIRE.parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(workdir),
    }
    results: list[dict[str, object]] = []
    deadline = time.monotonic() + TOTAL_TIMEOUT
    try:
        for block in blocks:
            left = deadline - time.monotonic()
            if left <= 0:
                results.append({"where": block["where"], "rc": -1, "output": "out of time"})
                continue
            script = workdir / "example.sh"
            script.write_text(PREAMBLE + block["script"])
            try:
                done = await asyncio.to_thread(
                    subprocess.run,
                    ["bash", str(script)],
                    env=shell_env,
                    cwd=workdir,
                    capture_output=True,
                    text=True,
                    timeout=min(BLOCK_TIMEOUT, left),
                )
                rc, output = done.returncode, done.stdout[-2000:] + done.stderr[-2000:]
            except subprocess.TimeoutExpired:
                rc, output = -2, f"did not finish in {BLOCK_TIMEOUT} s"
            results.append({"where": block["where"], "rc": rc, "output": output})
    finally:
        await serve.stop()
    return results


def main() -> None:
    blocks_file, results_file, workdir = (Path(a) for a in sys.argv[1:4])
    if os.environ.get("WATCHWIRE_EXAMPLES_NETNS") == "1":
        _loopback_up()
    blocks = json.loads(blocks_file.read_text())
    results = asyncio.run(_run(blocks, workdir))
    results_file.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
