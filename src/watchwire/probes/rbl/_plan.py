"""Which lists to ask about a kind of target: the active catalogue, or the zones the call
names (a zone the catalogue does not know becomes a custom source), each with its custom
codes, and a reason for a list that cannot answer for this kind of target."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from watchwire.probes.rbl.catalog import (
    RblSource,
    SourceType,
    active_sources,
    custom_source,
    sources_for_zone,
)

_TARGET_KINDS: dict[SourceType, str] = {
    "rbl": "IPv4 addresses",
    "rbl_v6": "IPv6 addresses",
    "uribl": "domain names",
}


def sources_for(
    target_type: SourceType, lists: Sequence[str], custom_codes: Mapping[str, Sequence[str]]
) -> list[tuple[RblSource, str | None]]:
    """The sources to ask about a kind of target, each with a reason when it cannot answer."""
    if not lists:
        return [(_with_codes(s, custom_codes), None) for s in active_sources(target_type)]
    plan: list[tuple[RblSource, str | None]] = []
    for zone in lists:
        entries = sources_for_zone(zone)
        codes = tuple(custom_codes.get(zone, ()))
        if not entries:
            plan.append((custom_source(zone, target_type, codes), None))
            continue
        fitting = [entry for entry in entries if entry.type == target_type]
        if fitting:
            plan.append((_with_codes(fitting[0], custom_codes), None))
        else:
            kinds = " and ".join(_TARGET_KINDS[entry.type] for entry in entries)
            note = f"{zone} lists {kinds}; it cannot answer for {_TARGET_KINDS[target_type]}"
            plan.append((entries[0], note))
    return plan


def _with_codes(source: RblSource, custom_codes: Mapping[str, Sequence[str]]) -> RblSource:
    codes = custom_codes.get(source.zone)
    return source.model_copy(update={"custom_codes": tuple(codes)}) if codes else source
