"""The syntax of probe targets, checked before a probe runs: each kind's module exposes
`check_target(target) -> str` built from these (the registry's `target_check(kind)` finds
it), and the faces apply it to a tool's target and a monitor's, so a malformed target is a
400 naming `target` instead of a failure deep inside a lookup.

Each returns the target as the probe takes it and raises ValueError saying what is wrong.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from watchwire.errors import ProbeError
from watchwire.hostport import host_name_problem
from watchwire.probes._target import split_host_port


def host(target: str) -> str:
    """An IP address or a host name, without port, scheme or path."""
    text = target.strip()
    if any(c in text for c in "/?#@") or " " in text:
        raise ValueError(f"expected a host name or IP address, got {target!r}")
    problem = host_name_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def split(target: str) -> tuple[str, int | None]:
    """(host, port or None) of `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6
    address, read as the probes read it, the host checked and the port 1-65535."""
    try:
        name, port = split_host_port(target)
    except ProbeError as exc:
        raise ValueError(str(exc)) from None
    host(name)
    return name, port


def host_port(target: str, *, port_required: bool = False) -> str:
    """`host` or `host:port` (`[v6]:port`); with `port_required`, the port must be there."""
    _, port = split(target)
    if port_required and port is None:
        raise ValueError(f"expected HOST:PORT with a port 1-65535, got {target!r}")
    return target.strip()


def url(target: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute URL with one of `schemes`, a valid host and, if given, a port 1-65535."""
    text = target.strip()
    if any(ord(c) < 0x21 or c == "\x7f" for c in text):
        raise ValueError("a URL holds no spaces or control characters")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in schemes or not text.lower().startswith(f"{scheme}://"):
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise ValueError(f"expected a URL starting with {allowed}, got {target!r}")
    if not parts.hostname:
        raise ValueError(f"the URL {target!r} has no host")
    problem = host_name_problem(parts.hostname)
    if problem:
        raise ValueError(problem)
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        raise ValueError(f"the URL's port must be 1-65535 ({target!r})") from None
    return text
