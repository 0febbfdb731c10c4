"""One webhook request: render, sign and POST an event to a subscription's URL.

The request runs under the target policy: a name is resolved by `PolicyResolver`, so the
address actually connected to is checked (DNS rebinding included), and a literal address is
checked before connecting. Plain http is refused unless the operator allows it. Redirects are
not followed: a receiver that moved answers 3xx, which counts as a failed attempt.

One `WebhookSender` per worker keeps one pooled aiohttp session: reusing connections to the
same receiver is most of a delivery's cost on a busy endpoint.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from watchwire.delivery import signing
from watchwire.delivery.formats import FORMATS
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.events.event import Event
from watchwire.target_policy import TargetPolicy
from watchwire.target_policy.http import PolicyResolver
from watchwire.text import control_character

_NUMBER = re.compile(r"[0-9]+|0x[0-9a-f]*", re.ASCII | re.IGNORECASE)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}", re.ASCII)
EXCERPT_BYTES = 512
# A 410 says the endpoint is gone for good (the subscription is disabled); 429 and 503 may
# say when to come back.
GONE = 410
HONOURS_RETRY_AFTER = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class Subscription:
    """What the sender needs of a webhook subscription row."""

    sid: str
    url: str
    format: str
    secrets: tuple[str, ...]  # current first, then a rotated one still in its grace period
    legacy_signature: bool = False


@dataclass(frozen=True, slots=True)
class AttemptResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    excerpt: str | None = None
    permanent: bool = False
    retry_after: float | None = None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def non_canonical_host(host: str) -> str | None:
    """Why the HTTP client refuses `host` outright, or None.

    A host whose last label is a number (decimal, or 0x hex) is read as an IPv4 address by
    URL parsers and resolvers alike, and only the dotted quad is sent: aiohttp refuses
    `2130706433`, `127.1` and `0177.0.0.1` before connecting, and the resolver would map
    `0x7f.1` onto an address the URL does not show. Accepting them only bought 25 retries."""
    if ":" in host:  # an IPv6 literal (urlsplit has checked its brackets)
        return None
    labels = host.split(".")
    last = labels[-2] if len(labels) > 1 and not labels[-1] else labels[-1]  # a trailing dot
    if not _NUMBER.fullmatch(last) or _DOTTED_QUAD.fullmatch(host):
        return None
    return f"{host} is not a canonical IPv4 address: write it as four decimal numbers (192.0.2.1)"


def url_syntax_problem(url: str) -> str | None:
    """Why the HTTP client would refuse `url` outright, whatever the receiver does, or None:
    a control character (urlsplit drops tabs and newlines that the request would keep), a
    URL its parser (yarl) refuses, no host, a port out of range, a host that is not a
    canonical address."""
    character = control_character(url)
    if character is not None:
        return f"the URL holds a control character ({character})"
    try:
        URL(url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if not parts.hostname:
        return f"{url!r} has no host"
    return non_canonical_host(parts.hostname)


def url_problem(url: str, policy: TargetPolicy, allow_http: bool) -> str | None:
    """Why `url` may not receive webhooks, or None. Names are checked later, when resolved."""
    problem = url_syntax_problem(url)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{url!r} is not an https URL"
    if parts.scheme == "http" and not allow_http:
        return "webhook URLs must use https (plain http needs WATCHWIRE_WEBHOOK_ALLOW_HTTP=true)"
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None
    try:
        policy.check(literal)
    except TargetNotAllowed as exc:
        return exc.message
    return None


class WebhookSender:
    def __init__(
        self,
        policy: TargetPolicy,
        *,
        timeout: float = 10.0,
        allow_http: bool = False,
        limit: int = 100,
    ) -> None:
        self.policy = policy
        self.timeout = timeout
        self.allow_http = allow_http
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None
        # URL -> its problem (None: fine); the check is pure, and costs a tenth of a request.
        self._checked: dict[str, str | None] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=PolicyResolver(self.policy), limit=self._limit, limit_per_host=0
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def request(
        self, subscription: Subscription, event: Event, now: datetime
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the request delivering `event` (signed at `now`)."""
        format = FORMATS[subscription.format]
        body = format.render(event)
        headers = signing.signature_headers(
            subscription.format,
            subscription.secrets,
            msg_id=event.sid,
            timestamp=int(now.timestamp()),
            body=body,
            legacy_signature=subscription.legacy_signature,
        )
        headers["Content-Type"] = "application/json"
        headers["User-Agent"] = format.rules.user_agent
        return body, headers

    async def send(self, subscription: Subscription, event: Event, now: datetime) -> AttemptResult:
        """POST the event; never raises for what the receiver or the network does."""
        url = subscription.url
        if url not in self._checked:
            if len(self._checked) > 10_000:
                self._checked.clear()
            self._checked[url] = url_problem(url, self.policy, self.allow_http)
        problem = self._checked[url]
        if problem is not None:
            return AttemptResult(ok=False, error=problem, permanent=True)
        body, headers = self.request(subscription, event, now)
        host = urlsplit(subscription.url).hostname
        try:
            async with self._client().post(
                subscription.url, data=body, headers=headers, allow_redirects=False
            ) as response:
                excerpt = (await response.content.read(EXCERPT_BYTES)).decode(errors="replace")
                status = response.status
                if FORMATS[subscription.format].rules.succeeded(status):
                    return AttemptResult(ok=True, status_code=status, excerpt=excerpt)
                retry_after = None
                if status in HONOURS_RETRY_AFTER:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"), now)
                return AttemptResult(
                    ok=False,
                    status_code=status,
                    error=f"HTTP {status} {response.reason or ''}".strip(),
                    excerpt=excerpt,
                    permanent=status == GONE,
                    retry_after=retry_after,
                )
        except TargetNotAllowed as exc:
            return AttemptResult(ok=False, error=exc.message, permanent=True)
        except ProbeError as exc:  # the name does not resolve now: may be a passing DNS outage
            return AttemptResult(ok=False, error=exc.message)
        except TimeoutError:
            return AttemptResult(ok=False, error=f"no answer from {host} within {self.timeout:g} s")
        except aiohttp.InvalidURL as exc:  # refused before any request: no retry can help
            return AttemptResult(ok=False, error=f"the URL is refused: {exc}", permanent=True)
        except (aiohttp.ClientError, OSError) as exc:
            return AttemptResult(ok=False, error=f"cannot reach {host}: {exc}")
