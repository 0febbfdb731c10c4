"""The shell examples of README.md and docs/: extracted, checked, and run on loopback.

The convention (stated in README.md, "Running the examples"):

- Every ```sh, ```bash, ```shell and ```console block is an example. In a console block
  the lines after `$ ` are the commands (and their `\\` continuations); the rest is output.
- An example reaches the server through `$WATCHWIRE_URL` (http://127.0.0.1:8080 by
  default) with the key `$KEY`; the test sets both for a server of its own.
- A block that cannot run here (it needs a public host, PostgreSQL tools, root, minutes)
  says so in its info string: ```sh no-run. The test counts those.
- A runnable block names no host but loopback: the test refuses one that does, and runs
  every block in a network namespace with only a loopback interface, so an example that
  drifts towards a public host fails instead of sending traffic anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHELL_LANGS = ("sh", "bash", "shell", "console")
NO_RUN = "no-run"
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
# Host names in a runnable block: URLs' hosts and bare names with a dot and a letter TLD.
_URL_HOST = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^/@\s\"']*@)?(\[[^\]]+\]|[^/\s\"'$:@?#]+)", re.I)
_TLDS = "com|org|net|io|dev|app|info|co|uk|de|eu|example|test|invalid|internal|local|cloud"
_NAME = re.compile(rf"(?<![@\w./-])((?:[a-z0-9-]+\.)+(?:{_TLDS}))\b(?![./-]?\w)", re.I)
_IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?:/\d+)?(?![\w.])")
# 0.0.0.0 is where a server listens, never a destination.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "0.0.0.0"})
# RFC 5737's documentation ranges: addresses in a key's allowlist or blocklist lookups
# (asked of the resolver, on loopback), never connected to.
_DOCUMENTATION = ("192.0.2.", "198.51.100.", "203.0.113.")
# RFC 2606's reserved names: never in the public DNS (example.com is, so it is not here).
_RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost")
# Names that are not hosts: files and modules an example mentions.
_NOT_HOSTS = re.compile(
    r"\.(py|db|json|md|toml|pem|csv|dump|secret|tgz|txt|log|yaml|yml|sh|mmdb)$", re.I
)


@dataclass(frozen=True)
class Block:
    path: str  # relative to the repository
    line: int
    lang: str
    runnable: bool
    text: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def script(self) -> str:
        """The commands of the block (a console block without its output lines)."""
        if self.lang != "console":
            return self.text
        commands: list[str] = []
        continuing = False
        for line in self.text.splitlines():
            if line.startswith("$ "):
                commands.append(line[2:])
            elif continuing:
                commands.append(line)
            else:
                continue
            continuing = line.rstrip().endswith(("\\", "|"))
        return "\n".join(commands) + "\n"


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks() -> list[Block]:
    found: list[Block] = []
    for path in documents():
        text = path.read_text()
        for match in _FENCE.finditer(text):
            info = match.group(1).split()
            if not info or info[0] not in SHELL_LANGS:
                continue
            found.append(
                Block(
                    path=str(path.relative_to(ROOT)),
                    line=text.count("\n", 0, match.start()) + 1,
                    lang=info[0],
                    runnable=NO_RUN not in info[1:],
                    text=match.group(2),
                )
            )
    return found


def foreign_hosts(script: str) -> list[str]:
    """The hosts other than loopback a script names (comments included: a comment that
    shows a public host is a hint a reader will follow)."""
    script = _without_answers(script)
    hosts = [m.group(1) for m in _URL_HOST.finditer(script)]
    hosts += [m.group(1) for m in _NAME.finditer(_URL_HOST.sub(" ", script))]
    hosts += [m.group(1) for m in _IPV4.finditer(script)]
    foreign = []
    for host in hosts:
        if (
            host.lower() in LOOPBACK_HOSTS
            or host.startswith(("127.", *_DOCUMENTATION))
            or _NOT_HOSTS.search(host)
            or host.lower().endswith(_RESERVED_TLDS)
        ):
            continue
        foreign.append(host)
    return sorted(set(foreign))


def _without_answers(script: str) -> str:
    """The script without the answers it shows: a `# →` comment and the comment lines that
    continue it are output, not something to connect to."""
    kept, answer = [], False
    for line in script.splitlines():
        stripped = line.lstrip()
        answer = stripped.startswith("# →") or (answer and stripped.startswith("#"))
        if not answer:
            kept.append(line)
    return "\n".join(kept)


def curl_commands(script: str) -> list[str]:
    """Each curl command of a script, its continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [line.strip() for line in joined.splitlines() if re.search(r"(^|[\s;(|$])curl\s", line)]


def json_body_without_type(command: str) -> bool:
    """A curl that sends a JSON body (`-d '{…'`) without saying it is JSON."""
    sends_json = re.search(r"(-d|--data(-raw|-binary)?)\s+'?\s*[\[{]", command) is not None
    typed = re.search(r"content-type:\s*application/json", command, re.I) is not None
    return sends_json and not typed
