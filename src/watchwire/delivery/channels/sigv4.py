"""AWS Signature Version 4, written out from AWS's documentation ("Create a signed AWS API
request"): canonical request, string to sign, HMAC-SHA256 key derivation, Authorization.

Only what a JSON-protocol POST needs: headers-based signing (no presigned URLs), the payload
hash computed from the body (no `UNSIGNED-PAYLOAD`, no S3 rules). Tests check it against
AWS's published `get-vanilla` example and against botocore's own signer.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
_SPACES = re.compile(r"\s+")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service),
    "aws4_request")."""
    k_date = _hmac(("AWS4" + secret_access_key).encode("utf-8"), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "aws4_request")


def canonical_uri(path: str) -> str:
    """The URI-encoded path ("/" when empty); `/` and unreserved characters kept."""
    return quote(path or "/", safe="/~")


def canonical_query(query: str) -> str:
    """Parameters sorted by name then value, names and values URI-encoded, joined with `&`."""
    pairs = [
        (quote(name, safe="-_.~"), quote(value, safe="-_.~"))
        for name, value in parse_qsl(query, keep_blank_values=True)
    ]
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """(canonical headers, signed headers): lowercase names sorted, values trimmed with runs
    of spaces collapsed, each line ending in a newline."""
    cleaned = {
        name.lower().strip(): _SPACES.sub(" ", value.strip()) for name, value in headers.items()
    }
    names = sorted(cleaned)
    return "".join(f"{name}:{cleaned[name]}\n" for name in names), ";".join(names)


def canonical_request(
    method: str, path: str, query: str, headers: Mapping[str, str], payload_hash: str
) -> str:
    canonical, signed = canonical_headers(headers)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            canonical,
            signed,
            payload_hash,
        ]
    )


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    return "\n".join([ALGORITHM, amz_date, scope, sha256_hex(canonical.encode("utf-8"))])


def host_header(url: str) -> str:
    """The Host header for `url`: the host, with the port only when it is not the default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is not None and parts.port != default:
        host = f"{host}:{parts.port}"
    return host


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    region: str,
    service: str,
    access_key_id: str,
    secret_access_key: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """`headers` plus `Host`, `X-Amz-Date` and `Authorization`, signing every header given.

    The caller must send exactly these headers (and may add unsigned ones such as
    User-Agent) with exactly `body`.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    parts = urlsplit(url)
    signed = {
        **{k: v for k, v in headers.items() if k.lower() not in ("host", "x-amz-date")},
        "Host": host_header(url),
        "X-Amz-Date": amz_date,
    }
    canonical = canonical_request(method, parts.path, parts.query, signed, sha256_hex(body))
    scope = f"{date}/{region}/{service}/aws4_request"
    signature = hmac.new(
        signing_key(secret_access_key, date, region, service),
        string_to_sign(amz_date, scope, canonical).encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()
    _, signed_names = canonical_headers(signed)
    authorization = (
        f"{ALGORITHM} Credential={access_key_id}/{scope}, "
        f"SignedHeaders={signed_names}, Signature={signature}"
    )
    return {**signed, "Authorization": authorization}
