"""One list's answer about one name: the A (and TXT) lookups, and the status the list's
documented codes make of them. The RFC 5782 test points are judged the same way, without
the custom codes of the call."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import pycares

from watchwire.probes.rbl._resolver import LoopResolver
from watchwire.probes.rbl.catalog import RblSource
from watchwire.probes.rbl.query import query_name, test_point_target

Status = Literal["listed", "not_listed", "blocked", "error", "unknown"]


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    codes: tuple[str, ...] = ()
    note: str | None = None


NOT_LISTED: Final = Verdict("not_listed")  # most answers of a sweep: shared, it is frozen


async def query_a(resolver: LoopResolver, name: str) -> tuple[list[str], int | None]:
    """The A records of a name, or the c-ares error number."""
    result, errno = await resolver.query(name, pycares.QUERY_TYPE_A)
    if result is None:
        return [], errno
    codes = [r.data.addr for r in result.answer if isinstance(r.data, pycares.ARecordData)]
    return codes, None if codes else pycares.errno.ARES_ENODATA


async def query_txt(resolver: LoopResolver, name: str) -> str | None:
    result, _ = await resolver.query(name, pycares.QUERY_TYPE_TXT)
    if result is None:
        return None
    texts = [
        r.data.data.decode("utf-8", "replace")
        for r in result.answer
        if isinstance(r.data, pycares.TXTRecordData)
    ]
    return " | ".join(texts) or None


def judge(
    source: RblSource, codes: list[str], errno: int | None, timeout: float, *, custom: bool = True
) -> Verdict:
    """Turn one DNS answer into a status, following the list's documented codes."""
    if errno is not None:
        return _judge_error(errno, timeout)
    outside = [c for c in codes if not c.startswith("127.")]
    if outside:
        return Verdict(
            "blocked",
            tuple(codes),
            f"answer {', '.join(outside)} is outside 127.0.0.0/8, so it is no listing: the "
            "zone is parked or wildcarded, or the resolver rewrites unknown names",
        )
    refused = [c for c in codes if c in source.refusal_codes]
    if refused:
        return Verdict("blocked", tuple(codes), source.refusal_codes[refused[0]])
    if custom and source.custom_codes:
        counted = tuple(c for c in codes if c in source.custom_codes)
        if not counted:
            return Verdict(
                "not_listed",
                (),
                f"answered {', '.join(codes)}, which is not one of the custom codes "
                f"{', '.join(source.custom_codes)}",
            )
        ignored = [c for c in codes if c not in counted]
        note = f"ignored {', '.join(ignored)} (not a custom code)" if ignored else None
        return Verdict("listed", counted, note)
    return Verdict("listed", tuple(codes))


def _judge_error(errno: int, timeout: float) -> Verdict:
    if errno in (pycares.errno.ARES_ENOTFOUND, pycares.errno.ARES_ENODATA):
        return NOT_LISTED
    if errno == pycares.errno.ARES_ETIMEOUT:
        return Verdict("unknown", (), f"no answer within {timeout:g} s")
    if errno == pycares.errno.ARES_ECONNREFUSED:
        return Verdict("unknown", (), "the resolver is not answering (connection refused)")
    if errno == pycares.errno.ARES_ESERVFAIL:
        return Verdict(
            "error", (), "SERVFAIL: the resolver could not get an answer from the list's servers"
        )
    if errno == pycares.errno.ARES_EREFUSED:
        return Verdict("error", (), "REFUSED: the server refuses to answer this query")
    message = pycares.errno.strerror(errno)
    text = message.decode() if isinstance(message, bytes) else message
    return Verdict("error", (), f"DNS error: {text}")


async def _test_point(
    resolver: LoopResolver, source: RblSource, value: str, timeout: float
) -> Verdict:
    """The list's answer for one of its RFC 5782 test points."""
    name = query_name(test_point_target(value, source.type), source.zone)
    codes, errno = await query_a(resolver, name)
    return judge(source, codes, errno, timeout, custom=False)


def self_test_calls(
    resolver: LoopResolver, sources: Sequence[RblSource], timeout: float
) -> list[Callable[[], Awaitable[Verdict]]]:
    """Two lookups per source: its listed test point, then its unlisted one."""
    return [
        functools.partial(_test_point, resolver, source, value, timeout)
        for source in sources
        for value in (source.test_points.listed, source.test_points.unlisted)
    ]
