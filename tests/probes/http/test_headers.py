"""The headers probe: the pure grading table, and the probe against real local servers."""

from __future__ import annotations

import json
import socket

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.servers.http_servers import (
    SECURE_HEADERS,
    Server,
    http_server,
    https_redirector,
    https_server,
    test_ca,
    test_ca_file,
    threaded_http_server,
)
from watchwire.errors import TargetNotAllowed
from watchwire.probes.base import ProbeContext
from watchwire.probes.http import headers
from watchwire.probes.http._grading import GRADE_BOUNDARIES, grade, letter
from watchwire.probes.http._scorecard import HttpForm, Observation
from watchwire.target_policy import TargetPolicy

__all__ = [  # fixtures used by name
    "http_server",
    "https_redirector",
    "https_server",
    "test_ca",
    "test_ca_file",
    "threaded_http_server",
]

GOOD_COOKIE = "sid=1; Secure; HttpOnly; SameSite=Lax; Path=/"
BEST = Observation(
    url="https://site.test/",
    headers={
        **SECURE_HEADERS,
        "Content-Type": "text/html",
        "Content-Encoding": "br",
        "Server": "nginx",
    },
    set_cookies=[GOOD_COOKIE],
    body_bytes=50_000,
    response_ms=120,
    http_form="permanent_redirect",
)
BARE = Observation(url="http://site.test/", headers={"Content-Type": "text/html"}, body_bytes=5000)


def with_header(obs: Observation, name: str, value: str) -> Observation:
    """The observation as a client would see it with one more header line."""
    merged = dict(obs.headers)
    existing = next((key for key in merged if key.lower() == name.lower()), None)
    if existing is None:
        merged[name] = value
    else:
        merged[existing] = f"{merged[existing]}, {value}"
    return Observation(
        obs.url, merged, obs.set_cookies, obs.body_bytes, obs.response_ms, obs.http_form
    )


def checks_failed(obs: Observation) -> set[str]:
    return {check.code for check in grade(obs).failed}


# ---- the table ------------------------------------------------------------------------------


def test_the_best_response_scores_100_a_plus() -> None:
    result = grade(BEST)
    assert (result.score, result.grade) == (100, "A+")
    assert result.failed == []


def test_categories_share_exactly_100_points() -> None:
    categories = grade(BARE).categories
    assert sum(category.weight for category in categories) == 100
    assert [c.name for c in categories] == [
        "HSTS",
        "CSP",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "HTTPS enforcement",
        "Cookies",
        "Information leakage",
        "Compression",
        "Caching",
        "Response time",
    ]


def test_a_bare_http_page_fails() -> None:
    result = grade(BARE)
    assert result.grade == "F"
    assert {"https_not_used", "hsts_missing", "csp_missing", "frame_protection_missing"} <= {
        c.code for c in result.failed
    }
    assert all(check.fix for check in result.failed)


def test_hsts_counts_only_over_https_and_only_the_first_value() -> None:
    hsts = "max-age=31536000; includeSubDomains; preload"
    plain = with_header(BARE, "Strict-Transport-Security", hsts)
    assert "hsts_missing" in checks_failed(plain)
    secure = Observation("https://site.test/", {"Strict-Transport-Security": "max-age=300"})
    assert "hsts_short_max_age" in checks_failed(secure)
    second = with_header(secure, "Strict-Transport-Security", hsts)
    assert "hsts_short_max_age" in checks_failed(second)


@pytest.mark.parametrize(
    ("csp", "failed", "passed"),
    [
        ("default-src 'self'", set(), {"csp_unsafe_inline", "csp_unsafe_eval"}),
        ("script-src 'self' 'unsafe-inline'", {"csp_unsafe_inline"}, {"csp_unsafe_eval"}),
        ("script-src 'unsafe-inline' 'nonce-abc'", set(), {"csp_unsafe_inline"}),
        ("script-src 'unsafe-eval' https:", {"csp_unsafe_eval", "csp_wildcard_source"}, set()),
        ("img-src 'self'", {"csp_unsafe_inline", "csp_unsafe_eval"}, {"csp_missing"}),
        ("img-src *, script-src 'self'", set(), {"csp_unsafe_inline", "csp_wildcard_source"}),
    ],
)
def test_csp_grading(csp: str, failed: set[str], passed: set[str]) -> None:
    codes = checks_failed(Observation(BEST.url, {**BEST.headers, "Content-Security-Policy": csp}))
    assert failed <= codes
    assert not passed & codes


@pytest.mark.parametrize(
    ("xfo", "csp", "protected"),
    [
        ("DENY", None, True),
        ("sameorigin", None, True),
        ("ALLOW-FROM https://a.test", None, False),
        (None, "frame-ancestors 'self'", True),
        (None, "default-src 'self'", False),
    ],
)
def test_framing_protection(xfo: str | None, csp: str | None, protected: bool) -> None:
    found = {"X-Frame-Options": xfo, "Content-Security-Policy": csp}
    obs = Observation(BARE.url, {k: v for k, v in found.items() if v is not None})
    assert ("frame_protection_missing" not in checks_failed(obs)) is protected


def test_referrer_policy_last_understood_value_wins() -> None:
    obs = Observation(BARE.url, {"Referrer-Policy": "unsafe-url, bogus, no-referrer, bogus2"})
    referrer = next(c for c in grade(obs).categories if c.name == "Referrer-Policy")
    assert referrer.score == 5
    weak = Observation(BARE.url, {"Referrer-Policy": "no-referrer, unsafe-url"})
    assert "referrer_policy_weak" in checks_failed(weak)


def test_cookie_flags_name_the_cookies_missing_them() -> None:
    obs = Observation(
        BEST.url, BEST.headers, [GOOD_COOKIE, "tracker=1; Path=/", "pref=2; Secure; HttpOnly"]
    )
    failed = {check.code: check for check in grade(obs).failed}
    assert set(failed) == {"cookie_no_secure", "cookie_no_httponly", "cookie_no_samesite"}
    assert "tracker" in failed["cookie_no_secure"].message
    assert "pref" not in failed["cookie_no_secure"].message
    assert "pref" in failed["cookie_no_samesite"].message


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"Server": "Apache/2.4.62 (Debian)"}, "server_version_disclosed"),
        ({"Server": "nginx/1.22.1"}, "server_version_disclosed"),
        ({"X-Powered-By": "Express"}, "x_powered_by"),
        ({"X-AspNet-Version": "4.0.30319"}, "framework_version_header"),
    ],
)
def test_information_leakage(extra: dict[str, str], code: str) -> None:
    assert code in checks_failed(Observation(BEST.url, {**BEST.headers, **extra}))


def test_compression_is_asked_only_of_sizeable_compressible_bodies() -> None:
    plain = {k: v for k, v in BEST.headers.items() if k != "Content-Encoding"}
    big_html = Observation(BEST.url, plain, body_bytes=20_000)
    assert "compression_missing" in checks_failed(big_html)
    small = Observation(BEST.url, plain, body_bytes=500)
    assert "compression_missing" not in checks_failed(small)
    image = Observation(BEST.url, {**plain, "Content-Type": "image/png"}, body_bytes=20_000)
    assert "compression_missing" not in checks_failed(image)


@pytest.mark.parametrize(
    ("form", "lost"),
    [
        ("permanent_redirect", 0),
        ("temporary_redirect", 1),
        ("serves_plain", 5),
        ("unreachable", 0),
        (None, 0),
    ],
)
def test_http_form_of_an_https_site(form: HttpForm | None, lost: int) -> None:
    obs = Observation(BEST.url, BEST.headers, BEST.set_cookies, 0, 0, form)
    https = next(c for c in grade(obs).categories if c.name == "HTTPS enforcement")
    assert https.score == 15 - lost


@pytest.mark.parametrize(("ms", "points"), [(100, 5), (700, 4), (1500, 2), (4000, 0)])
def test_response_time_points(ms: float, points: int) -> None:
    obs = Observation(BEST.url, BEST.headers, response_ms=ms)
    assert next(c for c in grade(obs).categories if c.name == "Response time").score == points


@pytest.mark.parametrize(
    ("score", "expected"),
    [(100, "A+"), (95, "A+"), (94, "A"), (85, "A"), (84, "B"), (55, "C"), (40, "D"), (39, "F")],
)
def test_grade_boundaries(score: int, expected: str) -> None:
    assert letter(score) == expected


# ---- properties -----------------------------------------------------------------------------

HEADER_NAMES = [
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Feature-Policy",
    "Server",
    "X-Powered-By",
    "X-AspNet-Version",
    "Content-Type",
    "Content-Encoding",
    "Cache-Control",
    "ETag",
]
GOOD_HEADERS = [
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("Content-Security-Policy", "script-src 'nonce-r4nd0m' 'strict-dynamic'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=()"),
    ("Content-Encoding", "gzip"),
    ("Cache-Control", "no-store"),
    ("ETag", '"abc"'),
]
FORMS: list[HttpForm | None] = [
    None,
    "serves_plain",
    "temporary_redirect",
    "permanent_redirect",
    "unreachable",
]
values = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789 =;,'*:/.-"), max_size=60
)
keywords = st.sampled_from(
    [
        "max-age=",
        "includeSubDomains",
        "preload",
        "'unsafe-inline'",
        "'unsafe-eval'",
        "default-src",
        "script-src",
        "frame-ancestors",
        "DENY",
        "nosniff",
        "unsafe-url",
        "no-referrer",
        "nginx/1.2",
        "gzip",
        "text/html",
        "31536000",
    ]
)
header_values = st.lists(st.one_of(values, keywords), max_size=5).map(" ".join)
cookie_lines = st.lists(
    st.sampled_from(["Secure", "HttpOnly", "SameSite=Lax", "SameSite=None", "Path=/"]),
    max_size=4,
).map(lambda flags: "; ".join(["c=1", *flags]))

observations = st.builds(
    Observation,
    url=st.sampled_from(["https://site.test/", "http://site.test/"]),
    headers=st.dictionaries(st.sampled_from(HEADER_NAMES), header_values, max_size=10),
    set_cookies=st.lists(cookie_lines, max_size=3),
    body_bytes=st.integers(0, 10**7),
    response_ms=st.floats(0, 60_000),
    http_form=st.sampled_from(FORMS),
)


@given(observations)
def test_score_is_within_0_and_100_and_matches_its_parts(obs: Observation) -> None:
    result = grade(obs)
    assert 0 <= result.score <= 100
    assert result.score == sum(category.score for category in result.categories)
    assert all(0 <= category.score <= category.weight for category in result.categories)
    assert result.grade == letter(result.score)
    assert all(check.weight > 0 and check.fix for check in result.failed)


@given(observations, st.sampled_from(GOOD_HEADERS))
def test_adding_a_good_header_never_lowers_the_score(
    obs: Observation, header: tuple[str, str]
) -> None:
    assert grade(with_header(obs, *header)).score >= grade(obs).score


@given(observations, st.sampled_from(["Secure", "HttpOnly", "SameSite=Strict"]))
def test_adding_a_cookie_flag_never_lowers_the_score(obs: Observation, flag: str) -> None:
    better = Observation(
        obs.url,
        obs.headers,
        [f"{cookie}; {flag}" for cookie in obs.set_cookies],
        obs.body_bytes,
        obs.response_ms,
        obs.http_form,
    )
    assert grade(better).score >= grade(obs).score


@given(observations, st.floats(0, 60_000))
def test_a_faster_answer_never_scores_lower(obs: Observation, faster_ms: float) -> None:
    faster = Observation(
        obs.url, obs.headers, obs.set_cookies, obs.body_bytes, min(faster_ms, obs.response_ms)
    )
    slower = Observation(obs.url, obs.headers, obs.set_cookies, obs.body_bytes, obs.response_ms)
    assert grade(faster).score >= grade(slower).score


@given(observations)
def test_a_permanent_https_redirect_never_scores_lower(obs: Observation) -> None:
    redirected = Observation(
        obs.url,
        obs.headers,
        obs.set_cookies,
        obs.body_bytes,
        obs.response_ms,
        "permanent_redirect",
    )
    assert grade(redirected).score >= grade(obs).score


def test_boundaries_are_descending() -> None:
    lows = [low for _, low in GRADE_BOUNDARIES]
    assert lows == sorted(lows, reverse=True) and lows[-1] == 0


# ---- the probe against real servers ---------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_well_configured_https_site_gets_a_plus(
    https_server: Server, https_redirector: Server
) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=https_server.ca_file)
    options = headers.Options(http_port=https_redirector.port)
    result = await headers.probe(https_server.url("/secure"), options, ctx)
    assert result.outcome == "up", result.reason
    assert (result.score, result.grade) == (100, "A+"), result.findings
    assert result.http_form == "permanent_redirect"
    assert result.findings == []
    assert result.response is not None and result.response.tls_version is not None
    body = result.to_json()
    assert body["categories"][0]["name"] == "HSTS" and body["categories"][0]["score"] == 15


async def test_https_site_whose_http_port_is_closed_loses_nothing_for_it(
    https_server: Server,
) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=https_server.ca_file)
    result = await headers.probe(
        https_server.url("/secure"), headers.Options(http_port=_closed_port()), ctx
    )
    assert result.http_form == "unreachable"
    assert result.score == 100


async def test_https_site_whose_http_form_serves_plain_text_loses_points(
    https_server: Server, http_server: Server
) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=https_server.ca_file)
    result = await headers.probe(
        https_server.url("/secure"), headers.Options(http_port=http_server.port), ctx
    )
    assert result.http_form == "serves_plain"
    assert result.score == 95
    assert [f.code for f in result.findings] == ["http_not_redirected"]
    assert result.findings[0].details is not None
    assert result.findings[0].details["fix"].startswith("answer every http:// request")


async def test_an_http_target_that_redirects_to_https_is_graded_on_the_https_answer(
    https_server: Server, https_redirector: Server
) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=https_server.ca_file)
    result = await headers.probe(https_redirector.url("/secure"), headers.Options(), ctx)
    assert result.http_form == "permanent_redirect"
    assert result.final_url == https_server.url("/secure")
    assert result.score == 100


async def test_a_poorly_configured_site_fails_with_a_fix_per_finding(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    result = await headers.probe(http_server.url("/insecure"), headers.Options(), probe_ctx)
    assert result.outcome == "up"
    assert result.grade == "F" and result.score is not None and result.score < 40
    codes = {finding.code for finding in result.findings}
    assert {
        "https_not_used",
        "http_not_redirected",
        "server_version_disclosed",
        "x_powered_by",
        "cookie_no_httponly",
        "compression_missing",
        "caching_headers_missing",
    } <= codes
    for finding in result.findings:
        assert finding.details is not None
        assert finding.details["weight"] > 0 and finding.details["fix"]


async def test_an_unreachable_site_is_down_and_not_graded(probe_ctx: ProbeContext) -> None:
    result = await headers.probe(
        f"http://127.0.0.1:{_closed_port()}/", headers.Options(), probe_ctx
    )
    assert result.outcome == "down"
    assert result.score is None and result.grade is None
    assert result.findings[0].code == "connection_failed"


async def test_the_target_policy_applies(http_server: Server) -> None:
    with pytest.raises(TargetNotAllowed):
        await headers.probe(http_server.url("/secure"), headers.Options(), ProbeContext())
    assert http_server.hits == []


def test_cli_prints_the_score_grade_and_fixes(
    threaded_http_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from watchwire.cli import check_headers
    from watchwire.config import get_settings

    monkeypatch.setenv("WATCHWIRE_ALLOW_PRIVATE_TARGETS", "true")
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(check_headers.command)
    try:
        shown = CliRunner().invoke(app, [threaded_http_server.url("/insecure")])
        as_json = CliRunner().invoke(app, [threaded_http_server.url("/insecure"), "--json"])
    finally:
        get_settings.cache_clear()
    assert shown.exit_code == 0, shown.output
    assert "grade F" in shown.output
    assert "x_powered_by" in shown.output and "expose_php = Off" in shown.output
    data = json.loads(as_json.stdout)
    assert data["grade"] == "F" and data["score"] < 40
    assert len(data["categories"]) == 12
