"""The hygiene categories of the HTTP grade: what the server gives away about its software,
compression, caching headers and response time. Each grader reads an Observation and returns
its Category; the weights are documented in docs/probes/health-score.md."""

from __future__ import annotations

import re
from typing import Final

from watchwire.probes.http._scorecard import Category, Checks, Observation

_COMPRESSIBLE: Final = re.compile(
    r"^(text/|application/(json|javascript|xml|[\w.+-]*\+(json|xml))|image/svg\+xml)"
)
_VERSION: Final = re.compile(r"\d+\.\d+|/\s*\d")


def grade_leakage(obs: Observation) -> Category:
    checks = Checks("Information leakage")
    server = obs.header("Server") or ""
    versioned = bool(_VERSION.search(server))
    checks.add(
        "server_version_disclosed",
        4,
        4 if versioned else 0,
        "warning",
        f"Server header reveals a version: {server}" if versioned else "no server version shown",
        "hide the version (nginx: server_tokens off; Apache: ServerTokens Prod)",
    )
    powered = obs.header("X-Powered-By")
    checks.add(
        "x_powered_by",
        3,
        3 if powered else 0,
        "warning",
        f"X-Powered-By reveals {powered}" if powered else "no X-Powered-By",
        "stop sending X-Powered-By (PHP: expose_php = Off)",
    )
    names = ("X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Runtime")
    framework = [name for name in names if obs.header(name)]
    checks.add(
        "framework_version_header",
        1,
        1 if framework else 0,
        "info",
        f"framework headers sent: {', '.join(framework)}" if framework else "no framework header",
        "remove framework and version headers in the server configuration",
    )
    return checks.category()


def grade_compression(obs: Observation) -> Category:
    checks = Checks("Compression")
    content_type = (obs.header("Content-Type") or "").lower()
    encoding = (obs.header("Content-Encoding") or "").lower()
    needed = obs.body_bytes >= 1024 and bool(_COMPRESSIBLE.match(content_type))
    compressed = any(e in encoding for e in ("gzip", "br", "zstd", "deflate"))
    lost = 4 if needed and not compressed else 0
    checks.add(
        "compression_missing",
        4,
        lost,
        "warning",
        "a compressible response is sent uncompressed"
        if lost
        else f"compressed ({encoding})"
        if compressed
        else "nothing worth compressing",
        "enable gzip or brotli for text, JSON, JavaScript and SVG responses",
    )
    return checks.category()


def grade_caching(obs: Observation) -> Category:
    checks = Checks("Caching")
    names = ("Cache-Control", "Expires", "ETag", "Last-Modified")
    present = [name for name in names if obs.header(name)]
    checks.add(
        "caching_headers_missing",
        3,
        0 if present else 3,
        "info",
        f"caching headers: {', '.join(present)}" if present else "no caching headers",
        "send Cache-Control (and ETag or Last-Modified for revalidation)",
    )
    return checks.category()


def grade_response_time(obs: Observation) -> Category:
    checks = Checks("Response time")
    ms = obs.response_ms
    lost = 0 if ms < 500 else 1 if ms < 1000 else 3 if ms < 2000 else 5
    checks.add(
        "slow_response",
        5,
        lost,
        "warning" if lost < 5 else "error",
        f"the response took {ms:.0f} ms",
        "cache or speed up the page until it answers within 500 ms",
    )
    return checks.category()
