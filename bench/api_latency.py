"""Requests/s and p99 latency of `GET /v1/account` against one `watchwire serve` process.

wrk (Debian's package, installed when missing) holds 50 keep-alive connections for each run;
the figure is the median of three runs. Everything stays on loopback.

    .venv/bin/python bench/api_latency.py [--seconds 10] [--connections 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess

from _harness import ensure_debian_tool, watchwire_serve

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> tuple[float, float, int]:
    """(requests/s, p99 ms, non-2xx count) from wrk --latency output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rps, float(value) * UNITS[unit], int(errors.group(1)) if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    wrk = ensure_debian_tool("wrk", "wrk")
    with watchwire_serve() as (base, key):
        # Warm-up: connection pool, caches, first-request imports.
        subprocess.run(
            [wrk, "-t1", "-c10", "-d2s", "-H", f"X-API-Key: {key}", base + "/v1/account"],
            check=True,
            capture_output=True,
        )
        results = []
        for run in range(1, args.runs + 1):
            out = subprocess.run(
                [
                    wrk,
                    "-t1",
                    f"-c{args.connections}",
                    f"-d{args.seconds}s",
                    "--latency",
                    "-H",
                    f"X-API-Key: {key}",
                    base + "/v1/account",
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            rps, p99, errors = parse_wrk(out)
            if errors:
                raise SystemExit(f"run {run}: {errors} non-2xx responses")
            print(f"run {run}: {rps:,.0f} req/s, p99 {p99:.1f} ms")
            results.append((rps, p99))
    rps = statistics.median(r for r, _ in results)
    p99 = statistics.median(p for _, p in results)
    print(
        f"GET /v1/account, {args.connections} connections, median of {args.runs}: {rps:,.0f} req/s, p99 {p99:.1f} ms"
    )


if __name__ == "__main__":
    main()
