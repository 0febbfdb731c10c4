"""Where a tls probe's trust anchors come from: PEM text or a bundle named by the check, the
context's CA file, else the system store; each parsed once (a file again when it changes)."""

from __future__ import annotations

import functools
import os
import ssl
from pathlib import Path
from typing import Final

from watchwire.errors import ProbeError
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls._trust import TrustRoots

SYSTEM_CA_BUNDLE: Final = Path(
    ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
)


@functools.lru_cache(maxsize=16)
def _roots_from_file(path: Path, mtime_ns: int, source: str) -> TrustRoots:
    return TrustRoots.from_pem(path.read_bytes(), source=source)


def trust_roots(ca_pem: str | None, ca_file: Path | None, ctx: ProbeContext) -> TrustRoots:
    """The trust anchors: the probe's CA (`ca_pem`, else `ca_file`), else the context's, else
    the system store."""
    if ca_pem:
        return _roots_from_pem(ca_pem)
    path = ca_file or ctx.ca_file or SYSTEM_CA_BUNDLE
    source = "system" if path == SYSTEM_CA_BUNDLE else "configured CA"
    try:
        return _roots_from_file(path, os.stat(path).st_mtime_ns, source)
    except (OSError, ValueError) as exc:
        raise ProbeError(f"cannot read the CA bundle {path}: {exc}", code="bad_ca_file") from exc


@functools.lru_cache(maxsize=16)
def _roots_from_pem(pem: str) -> TrustRoots:
    try:
        return TrustRoots.from_pem(pem.encode(), source="configured CA")
    except ValueError as exc:
        raise ProbeError(f"ca_pem holds no PEM certificate: {exc}", code="bad_ca_file") from exc
