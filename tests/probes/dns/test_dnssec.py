"""DNSSEC verdicts against a real signed hierarchy on knotd (the tests' trust anchor is
`watchwire.test.`), and against a real validating unbound for the resolver-AD method."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import dns.dnssec
import dns.message
import dns.name
import dns.rdatatype
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers.dns_servers import (
    DnssecTree,
    KnotServer,
    UnboundServer,
    Zone,
    dnssec_tree,
    knot_factory,
    validating_unbound,
)
from watchwire.errors import ProbeError
from watchwire.probes.base import ProbeContext
from watchwire.probes.dns import dns as dns_probe
from watchwire.probes.dns._anchors import ROOT_TRUST_ANCHORS, load_trust_anchor, parse_trust_anchor
from watchwire.probes.dns._denial import NameState, _nsec_covers, prove
from watchwire.probes.dns._dnssec import validate_answer
from watchwire.probes.dns.transport import Question, exchange

__all__ = ["dnssec_tree", "knot_factory", "validating_unbound"]


async def check(
    tree: DnssecTree, ctx: ProbeContext, name: str, rdtype: str = "A", **kwargs: object
) -> dns_probe.Result:
    opts = dns_probe.Options(
        type=rdtype,  # type: ignore[arg-type]
        server=tree.server,
        dnssec=True,
        trust_anchor=kwargs.pop("trust_anchor", tree.anchor_file),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
    return await dns_probe.probe(name, opts, ctx)


@pytest.mark.parametrize(
    ("name", "rdtype"),
    [
        ("www.good.watchwire.test", "A"),
        ("good.watchwire.test", "MX"),
        ("good.watchwire.test", "DNSKEY"),
        ("alias.good.watchwire.test", "A"),  # CNAME + target, both verified
        ("big.good.watchwire.test", "TXT"),  # over TCP
    ],
)
async def test_a_correctly_signed_zone_is_secure(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, name: str, rdtype: str
) -> None:
    result = await check(dnssec_tree, probe_ctx, name, rdtype)

    assert result.dnssec is not None
    assert result.dnssec.status == "secure", result.dnssec.reason
    assert result.dnssec.method == "chain"
    assert result.dnssec.zones == ["watchwire.test.", "good.watchwire.test."]
    assert result.outcome == "up"


async def test_the_anchor_may_be_a_dnskey(dnssec_tree: DnssecTree, probe_ctx: ProbeContext) -> None:
    result = await check(
        dnssec_tree,
        probe_ctx,
        "www.good.watchwire.test",
        trust_anchor=dnssec_tree.anchor_dnskey_file,
    )

    assert result.dnssec is not None and result.dnssec.status == "secure"


@pytest.mark.parametrize(
    ("name", "proof"),
    [
        ("nope.good.watchwire.test", "NSEC3 proves that nope.good.watchwire.test. does not exist"),
        ("nope.watchwire.test", "NSEC proves that nope.watchwire.test. does not exist"),
        ("www.good.watchwire.test", None),
    ],
)
async def test_missing_data_is_proven_missing(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, name: str, proof: str | None
) -> None:
    rdtype = "A" if proof else "MX"
    result = await check(dnssec_tree, probe_ctx, name, rdtype)

    assert result.dnssec is not None
    assert result.dnssec.status == "secure", result.dnssec.reason
    assert result.dnssec.reason == (
        proof or "NSEC3 proves that www.good.watchwire.test. has no such record"
    )
    assert result.outcome == "down"  # the record is missing, provably


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "www.unsigned.watchwire.test",
            "unsigned.watchwire.test. is an unsigned delegation from watchwire.test. "
            "(NSEC proves no DS)",
        ),
        (
            "www.plain.good.watchwire.test",
            "plain.good.watchwire.test. is an unsigned delegation from good.watchwire.test. "
            "(NSEC3 proves no DS)",
        ),
    ],
)
async def test_a_proven_unsigned_delegation_is_insecure(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, name: str, reason: str
) -> None:
    result = await check(dnssec_tree, probe_ctx, name)

    assert result.dnssec is not None
    assert (result.dnssec.status, result.dnssec.reason) == ("insecure", reason)
    assert result.outcome == "up"
    assert [f.code for f in result.findings] == ["dnssec_insecure"]


async def test_a_tampered_record_is_bogus(dnssec_tree: DnssecTree, probe_ctx: ProbeContext) -> None:
    result = await check(dnssec_tree, probe_ctx, "www.badsig.watchwire.test")

    assert result.dnssec is not None
    assert result.dnssec.status == "bogus"
    assert result.dnssec.reason == (
        "www.badsig.watchwire.test. A: signature does not verify (bad signature)"
    )
    assert result.outcome == "down"
    assert result.findings[0].code == "dnssec_bogus"
    assert result.answers[0].value == "127.0.0.66"  # the data is still shown


async def test_a_ds_matching_no_key_is_bogus(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    result = await check(dnssec_tree, probe_ctx, "www.wrongds.watchwire.test")

    assert result.dnssec is not None
    assert result.dnssec.status == "bogus"
    assert result.dnssec.reason == (
        "DS link broken: no DNSKEY of wrongds.watchwire.test. matches the DS in watchwire.test."
    )


async def test_a_wildcard_answer_is_secure_with_its_proof(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    result = await check(dnssec_tree, probe_ctx, "any.wild.good.watchwire.test")

    assert result.answers[0].value == "127.0.0.9"
    assert result.dnssec is not None
    assert (result.dnssec.status, result.dnssec.reason) == (
        "secure",
        "1 RRset(s) verified from the trust anchor down; "
        "any.wild.good.watchwire.test. expanded from a wildcard (NSEC3 proves it)",
    )


async def test_a_wildcard_answer_without_its_proof_is_bogus(dnssec_tree: DnssecTree) -> None:
    # What a middlebox that drops the authority section does.
    response = await _signed_answer(dnssec_tree, "any.wild.good.watchwire.test.")
    response.authority = []

    status, reason = await _walk(dnssec_tree, response, "any.wild.good.watchwire.test.")

    assert (status, reason) == (
        "bogus",
        "any.wild.good.watchwire.test. A was synthesised from a wildcard without proof",
    )


async def test_a_wrong_trust_anchor_makes_everything_bogus(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, tmp_path: Path
) -> None:
    anchor = tmp_path / "wrong.ds"
    anchor.write_text("watchwire.test. IN DS 12345 13 2 " + "ab" * 32 + "\n")

    result = await check(dnssec_tree, probe_ctx, "www.good.watchwire.test", trust_anchor=anchor)

    assert result.dnssec is not None
    assert result.dnssec.status == "bogus"
    assert result.dnssec.reason == "no DNSKEY of watchwire.test. matches the trust anchor"


async def test_a_name_outside_the_anchor_is_indeterminate(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, tmp_path: Path
) -> None:
    result = await check(dnssec_tree, probe_ctx, "example.com")

    assert result.dnssec is not None
    assert result.dnssec.status == "indeterminate"
    assert "outside the trust anchor" in result.dnssec.reason


async def test_a_server_that_cannot_answer_the_chain_is_indeterminate(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, tmp_path: Path
) -> None:
    # The anchor names a zone this server does not serve: its DNSKEY query is REFUSED.
    anchor = tmp_path / "other.ds"
    anchor.write_text("test. IN DS 12345 13 2 " + "ab" * 32 + "\n")

    result = await check(dnssec_tree, probe_ctx, "www.good.watchwire.test", trust_anchor=anchor)

    assert result.dnssec is not None
    assert result.dnssec.status == "indeterminate"
    assert result.dnssec.reason == (
        "test. DNSKEY: the server answered REFUSED: this server does not show the chain from "
        "the trust anchor test. (ask a resolver, or give the zone's own trust_anchor)"
    )
    assert [f.code for f in result.findings] == ["dnssec_indeterminate"]


async def _signed_answer(tree: DnssecTree, name: str) -> dns.message.Message:
    request = Question(dns.name.from_text(name), dns.rdatatype.A, dnssec=True)
    return (await exchange(request, tree.knot.address, 5.0)).response


async def _walk(
    tree: DnssecTree, response: dns.message.Message, name: str, now: float | None = None
) -> tuple[str, str]:
    async def ask(qname: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> dns.message.Message:
        request = Question(qname, rdtype, dnssec=True, checking_disabled=True)
        return (await exchange(request, tree.knot.address, 5.0)).response

    verdict = await validate_answer(
        response,
        dns.name.from_text(name),
        dns.rdatatype.A,
        ask,
        load_trust_anchor(tree.anchor_file),
        now,
    )
    return verdict.status, verdict.reason


async def test_expired_signatures_are_bogus(dnssec_tree: DnssecTree) -> None:
    response = await _signed_answer(dnssec_tree, "www.good.watchwire.test.")
    a_year_later = time.time() + 365 * 86400

    status, reason = await _walk(dnssec_tree, response, "www.good.watchwire.test.", a_year_later)

    assert (status, reason) == (
        "bogus",
        "watchwire.test. DNSKEY (trust anchor): signature does not verify (RRSIG expired)",
    )


async def test_stripped_signatures_are_bogus(dnssec_tree: DnssecTree) -> None:
    # What a middlebox that drops RRSIGs does; a real server cannot be made to do it.
    response = await _signed_answer(dnssec_tree, "www.good.watchwire.test.")
    response.answer = [r for r in response.answer if r.rdtype != dns.rdatatype.RRSIG]

    status, reason = await _walk(dnssec_tree, response, "www.good.watchwire.test.")

    assert (status, reason) == (
        "bogus",
        "www.good.watchwire.test. A has no RRSIG though every zone above it is signed",
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(label=st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True))
def test_any_missing_name_is_proven_missing(dnssec_tree: DnssecTree, label: str) -> None:
    existing = {"www", "mail", "alias", "big", "plain", "wild", "_svc", "_sip", "_tcp", "_443"}
    name = f"{label}.good.watchwire.test."
    response = asyncio.run(_signed_answer(dnssec_tree, name))
    status, reason = asyncio.run(_walk(dnssec_tree, response, name))

    if label in existing:
        return
    assert (status, reason) == ("secure", f"NSEC3 proves that {name} does not exist")


# --- the resolver's AD bit ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("www.good.watchwire.test", "secure"),
        ("www.badsig.watchwire.test", "bogus"),
        ("www.wrongds.watchwire.test", "bogus"),
        ("www.unsigned.watchwire.test", "insecure"),
    ],
)
async def test_a_validating_resolver_decides_with_its_ad_bit(
    validating_unbound: UnboundServer, probe_ctx: ProbeContext, name: str, status: str
) -> None:
    opts = dns_probe.Options(
        server=validating_unbound.server, dnssec=True, validation="resolver-ad"
    )

    result = await dns_probe.probe(name, opts, probe_ctx)

    assert result.dnssec is not None
    assert (result.dnssec.method, result.dnssec.status) == ("resolver-ad", status)
    if status == "bogus":
        assert result.rcode == "SERVFAIL"
        assert result.outcome == "down"
    else:
        assert result.answers


async def test_the_chain_walk_also_works_through_the_resolver(
    validating_unbound: UnboundServer, dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    # The walk sets CD, so unbound hands over the data it refuses and the walk says why.
    opts = dns_probe.Options(
        server=validating_unbound.server, dnssec=True, trust_anchor=dnssec_tree.anchor_file
    )
    good = await dns_probe.probe("www.good.watchwire.test", opts, probe_ctx)
    bad = await dns_probe.probe("www.badsig.watchwire.test", opts, probe_ctx)

    assert good.dnssec is not None and good.dnssec.status == "secure"
    assert bad.dnssec is not None
    assert bad.dnssec.status == "bogus"
    assert bad.dnssec.method == "chain"
    assert bad.dnssec.reason.endswith("signature does not verify (bad signature)")
    assert bad.answers[0].value == "127.0.0.66"


# --- anchors and denial logic --------------------------------------------------------------


def test_the_default_anchor_is_the_root_ksks() -> None:
    anchor = load_trust_anchor(None)

    assert anchor.zone == dns.name.root
    assert sorted(ds.key_tag for ds in anchor.ds) == [20326, 38696]
    assert parse_trust_anchor(ROOT_TRUST_ANCHORS) == anchor


@pytest.mark.parametrize(
    "text", ["", "example. IN A 192.0.2.1\n", "a. IN DS 1 13 2 00\nb. IN DS 1 13 2 00\n"]
)
def test_an_unusable_anchor_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "anchor"
    path.write_text(text)

    with pytest.raises(ProbeError, match="cannot use trust anchor"):
        load_trust_anchor(path)


def test_a_missing_anchor_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="cannot use trust anchor"):
        load_trust_anchor(tmp_path / "absent")


def test_no_denial_records_prove_nothing() -> None:
    zone = dns.name.from_text("example.")
    denial = prove([], dns.name.from_text("a.example."), dns.rdatatype.DS, zone)

    assert denial.state is NameState.UNPROVEN


labels = st.from_regex(r"[a-z]{1,8}", fullmatch=True)


@given(names=st.sets(labels, min_size=1, max_size=12), probe=labels)
def test_an_nsec_chain_covers_every_absent_name_exactly_once(names: set[str], probe: str) -> None:
    zone = dns.name.from_text("example.")
    chain = sorted([zone, *(dns.name.from_text(n, zone) for n in names)])
    links = list(zip(chain, [*chain[1:], chain[0]], strict=True))
    target = dns.name.from_text(probe, zone)

    covering = [link for link in links if _nsec_covers(link[0], link[1], target)]

    assert len(covering) == (0 if target in chain else 1)


async def test_a_sha1_ds_anchor_still_links(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, tmp_path: Path
) -> None:
    # Many parents still publish SHA-1 DS records beside SHA-256 ones (RFC 8624: validate,
    # do not create).
    keys = dnssec_tree.knot.dnskeys("watchwire.test.")
    ksk = next(key for key in keys if key.flags & 1)
    ds = dns.dnssec.make_ds(keys.name, ksk, "SHA1", policy=dns.dnssec.allow_all_policy)
    anchor = tmp_path / "sha1.ds"
    anchor.write_text(f"watchwire.test. IN DS {ds.to_text()}\n")

    result = await check(dnssec_tree, probe_ctx, "www.good.watchwire.test", trust_anchor=anchor)

    assert result.dnssec is not None and result.dnssec.status == "secure"


# -- unsigned chains: insecure and bogus told apart, the broken link named (issue 23) -------


async def _verdict(
    knot: KnotServer, ctx: ProbeContext, name: str, anchor: Path | None = None
) -> tuple[str, str, str]:
    opts = dns_probe.Options(
        type="A",
        server=knot.server,
        dnssec=True,
        **({"trust_anchor": anchor} if anchor else {}),  # type: ignore[arg-type]
    )
    result = await dns_probe.probe(name, opts, ctx)
    assert result.dnssec is not None
    return result.dnssec.status, result.dnssec.reason, result.outcome


async def test_an_unsigned_root_under_the_root_anchor_is_bogus_at_the_anchor(
    knot_factory: Callable[..., KnotServer], probe_ctx: ProbeContext
) -> None:
    """A lab root served unsigned: the root's trust anchor says it is signed, so the link
    that breaks is the anchor itself, not a DS (the root has none)."""
    knot = knot_factory(
        [
            Zone(".", "test. NS ns.test.\n", nameserver="ns.test."),
            Zone("shop.test.", "www A 127.0.0.1\n"),
        ]
    )
    status, reason, outcome = await _verdict(knot, probe_ctx, "www.shop.test")
    assert status == "bogus"
    assert reason == (
        "the trust anchor says . is signed, but . publishes no DNSKEY on this server "
        "(an unsigned copy of .?): the chain has no key to start from"
    )
    assert "has a DS" not in reason
    assert outcome == "down"


async def test_an_unsigned_zone_on_its_own_server_is_indeterminate_saying_why(
    knot_factory: Callable[..., KnotServer], probe_ctx: ProbeContext
) -> None:
    knot = knot_factory([Zone("shop.test.", "www A 127.0.0.1\n")])
    status, reason, outcome = await _verdict(knot, probe_ctx, "www.shop.test")
    assert status == "indeterminate"
    assert reason.startswith(". DNSKEY: the server answered REFUSED: this server does not show")
    assert outcome == "up"


@pytest.fixture
def signed_parent(
    knot_factory: Callable[..., KnotServer], tmp_path: Path
) -> tuple[KnotServer, Path]:
    """`lab.test.` signed, with two unsigned children: `nods` delegated without a DS
    (insecure), `ds` with a DS although it publishes no DNSKEY (a broken link)."""
    ds = "ds DS 12345 13 2 " + "00" * 32 + "\n"
    records = "nods NS ns.watchwire.test.\nds NS ns.watchwire.test.\n" + ds
    knot = knot_factory(
        [
            Zone("lab.test.", records, signing="nsec"),
            Zone("nods.lab.test.", "www A 127.0.0.1\n"),
            Zone("ds.lab.test.", "www A 127.0.0.1\n"),
        ]
    )
    anchor = tmp_path / "lab.ds"
    anchor.write_text("\n".join(knot.ds("lab.test.")) + "\n")
    return knot, anchor


async def test_an_unsigned_child_without_ds_is_insecure(
    signed_parent: tuple[KnotServer, Path], probe_ctx: ProbeContext
) -> None:
    knot, anchor = signed_parent
    status, reason, outcome = await _verdict(knot, probe_ctx, "www.nods.lab.test", anchor)
    assert (status, outcome) == ("insecure", "up")
    assert reason == "nods.lab.test. is an unsigned delegation from lab.test. (NSEC proves no DS)"


async def test_an_unsigned_child_with_a_ds_is_bogus_naming_the_link(
    signed_parent: tuple[KnotServer, Path], probe_ctx: ProbeContext
) -> None:
    knot, anchor = signed_parent
    status, reason, outcome = await _verdict(knot, probe_ctx, "www.ds.lab.test", anchor)
    assert (status, outcome) == ("bogus", "down")
    assert reason == "DS link broken: ds.lab.test. has a DS in lab.test. but publishes no DNSKEY"
