"""Bounded caches for the tls probe's chain analysis.

Monitors see the same certificates again and again, and the work a certificate needs that does
not depend on the time or on the name asked for (parsing, names, key, fingerprint, whether it
signed itself) costs more than the TLS handshake that fetched it. These caches keep that work,
keyed by what decides it:

- `CertificateCache`: per certificate, keyed by its exact DER bytes (and, for the parsed
  object that the cache handed out, by identity, so a lookup needs no re-encoding); the
  identity index is trimmed less often and without recency, which only costs a re-encoding;
- `VerdictCache`: a path validation result, keyed by (chain DER, trust store identity, host
  name) and valid only for validation times inside a window in which no certificate that can
  take part starts or ends its validity: inside it the verifier's answer cannot change.

Nothing here knows what the facts or verdicts are; `certificate` and `_trust` build and read
them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Generic, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

_F = TypeVar("_F")
_V = TypeVar("_V")
_K = TypeVar("_K", bound=Hashable)
_E = TypeVar("_E")

CERTIFICATES_KEPT: Final = 4096
VERDICTS_KEPT: Final = 2048


def _forget_oldest(data: dict[_K, _E], size: int) -> None:
    """Drop the oldest entries past `size`: dicts keep insertion order, and the caches
    re-insert a key on each hit, so the oldest is the least recently used."""
    while len(data) > size:
        try:
            del data[next(iter(data))]
        except (KeyError, RuntimeError, StopIteration):  # another thread got there first
            return


class CertificateCache(Generic[_F]):
    """Facts about certificates, built once per distinct DER encoding by `build`."""

    def __init__(
        self, build: Callable[[x509.Certificate, bytes], _F], size: int = CERTIFICATES_KEPT
    ) -> None:
        self._build = build
        self._size = size
        self._by_der: dict[bytes, tuple[x509.Certificate, _F]] = {}
        # id(cert) -> (cert, facts): the entry holds the certificate, so its id cannot be
        # reused by another object while the entry exists.
        self._by_id: dict[int, tuple[x509.Certificate, _F]] = {}

    def from_der(self, der: bytes) -> tuple[x509.Certificate, _F]:
        """The parsed certificate for these bytes (the same object every time it is cached)
        and its facts. ValueError when the bytes are no certificate."""
        entry = self._by_der.pop(der, None)
        if entry is None:
            cert = x509.load_der_x509_certificate(der)
            entry = (cert, self._build(cert, der))
            self._by_id[id(cert)] = entry
        self._by_der[der] = entry
        self._trim()
        return entry

    def of(self, cert: x509.Certificate) -> _F:
        """The facts of a certificate object: by identity for objects this cache handed out
        (or saw before), else by its DER encoding."""
        entry = self._by_id.get(id(cert))
        if entry is not None and entry[0] is cert:
            return entry[1]
        der = cert.public_bytes(Encoding.DER)
        known = self._by_der.pop(der, None)
        facts = known[1] if known is not None else self._build(cert, der)
        self._by_der[der] = known or (cert, facts)
        self._by_id[id(cert)] = (cert, facts)
        self._trim()
        return facts

    def _trim(self) -> None:
        if len(self._by_der) > self._size:
            _forget_oldest(self._by_der, self._size)
        if len(self._by_id) > 2 * self._size:
            _forget_oldest(self._by_id, self._size)


@dataclass(frozen=True, slots=True)
class _Verdict(Generic[_V]):
    # A weak reference: the entry must not keep a replaced trust store alive, and a dead one
    # (whose id may be reused) no longer matches.
    store: weakref.ref[object]
    valid_from: datetime
    valid_until: datetime
    verdict: _V


class VerdictCache(Generic[_V]):
    """Path validation results; an entry answers only for times inside its window."""

    def __init__(self, size: int = VERDICTS_KEPT) -> None:
        self._size = size
        self._data: dict[tuple[tuple[bytes, ...], int, str], _Verdict[_V]] = {}

    def get(
        self, chain: tuple[bytes, ...], store: object, hostname: str, at: datetime
    ) -> _V | None:
        key = (chain, id(store), hostname)
        entry = self._data.pop(key, None)
        if entry is None or entry.store() is not store:
            return None  # (a dead store's entry is dropped)
        self._data[key] = entry
        if not entry.valid_from <= at <= entry.valid_until:
            return None  # time has left the window: validate again
        return entry.verdict

    def put(
        self,
        chain: tuple[bytes, ...],
        store: object,
        hostname: str,
        window: tuple[datetime, datetime],
        verdict: _V,
    ) -> None:
        key = (chain, id(store), hostname)
        self._data.pop(key, None)
        self._data[key] = _Verdict(weakref.ref(store), window[0], window[1], verdict)
        if len(self._data) > self._size:
            _forget_oldest(self._data, self._size)
