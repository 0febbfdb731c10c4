"""POSTing JSON to a contact's HTTP service under the target policy, with failures sorted
into permanent and retryable.

Every address connected to passes the target policy: names through `PolicyResolver` (the
check is on the resolved address, so DNS rebinding is refused too), literal addresses before
the request (aiohttp never hands those to a resolver). Redirects are not followed: a receiver
that moved answers 3xx, which is a permanent failure the owner must fix.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson

from watchwire.delivery.channels._base import ChannelError
from watchwire.delivery.webhook import url_syntax_problem
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.target_policy import TargetPolicy
from watchwire.target_policy.http import PolicyResolver, check_literal_host

USER_AGENT = "watchwire-notifications/1"
# Client errors that a retry can fix: the receiver timed out reading, or asks us to slow down.
_RETRYABLE_4XX = frozenset({408, 425, 429})


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds (the HTTP-date form is rare from
    APIs; without a number the worker's own schedule applies)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds)


def classify_status(status: int, reason: str, retry_after_header: str | None = None) -> None:
    """Raise the ChannelError an HTTP status means; return for 2xx."""
    if 200 <= status < 300:
        return
    message = f"the receiver answered HTTP {status} {reason}".strip()
    if status in _RETRYABLE_4XX:
        raise ChannelError(message, retry_after=retry_after(retry_after_header))
    if status >= 500:
        raise ChannelError(message, retry_after=retry_after(retry_after_header))
    raise ChannelError(message, permanent=True)


def check_url(url: str, policy: TargetPolicy) -> None:
    """Refuse a URL that is not http(s) or that the client refuses outright (both for good),
    and a literal address the policy refuses."""
    problem = url_syntax_problem(url)
    if problem is not None:
        raise ChannelError(problem, permanent=True)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChannelError(f"{url!r} is not an http(s) URL", permanent=True)
    try:
        check_literal_host(parts.hostname, policy)
    except TargetNotAllowed as exc:
        raise ChannelError(exc.message, permanent=True) from None


async def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    policy: TargetPolicy,
    timeout: float,
    headers: dict[str, str] | None = None,
) -> None:
    """POST `payload` as JSON; raise ChannelError unless the receiver answers 2xx."""
    check_url(url, policy)
    connector = aiohttp.TCPConnector(resolver=PolicyResolver(policy), force_close=True)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    sent_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
    try:
        async with (
            aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session,
            session.post(
                url, data=orjson.dumps(payload), headers=sent_headers, allow_redirects=False
            ) as response,
        ):
            classify_status(
                response.status, response.reason or "", response.headers.get("Retry-After")
            )
    except ChannelError:
        raise
    except TargetNotAllowed as exc:
        raise ChannelError(exc.message, permanent=True) from None
    except ProbeError as exc:  # the name does not resolve (now): may be a DNS outage
        raise ChannelError(exc.message) from None
    except TimeoutError:
        raise ChannelError(f"no answer from {urlsplit(url).hostname} within {timeout:g}s") from None
    except aiohttp.InvalidURL as exc:  # refused before any request: no retry can help
        raise ChannelError(f"the URL is refused: {exc}", permanent=True) from None
    except (aiohttp.ClientError, OSError) as exc:
        raise ChannelError(f"cannot reach {urlsplit(url).hostname}: {exc}") from None
