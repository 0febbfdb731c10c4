"""`watchwire check KIND TARGET`: the one-off tools, calling the probes directly (no server).

Each kind's command lives in its own module `check_<kind>.py` as a plain typer-annotated
function named `command`; this is the one place that registers them.
"""

from __future__ import annotations

import importlib

import typer

check_app = typer.Typer(help="Run a one-off check from this machine (no server needed).")

# CLI name -> module under watchwire.cli
COMMANDS: dict[str, str] = {
    "dns": "check_dns",
    "headers": "check_headers",
    "http": "check_http",
    "ip": "check_ip",
    "ping": "check_ping",
    "port": "check_port",
    "rbl": "check_rbl",
    "ssl": "check_ssl",
    "tcps": "check_tcps",
    "trace": "check_trace",
    "udp": "check_udp",
}

for _name, _module in COMMANDS.items():
    check_app.command(_name)(importlib.import_module(f"watchwire.cli.{_module}").command)
