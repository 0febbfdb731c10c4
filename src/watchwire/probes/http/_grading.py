"""The security and hygiene grade of an HTTP response: a pure function of what was observed.

Twelve categories share 100 points; each check in a category may lose up to its weight. The
score is 100 minus the points lost, the grade follows `GRADE_BOUNDARIES`. The table is
documented check by check in docs/probes/health-score.md; keep the two in step.

Header values arrive as a client sees them: repeated headers joined with ", " (RFC 9110), so
several CSP policies read as one comma-separated list, and only the first HSTS value counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

Severity = Literal["info", "warning", "error", "critical"]
HttpForm = Literal["permanent_redirect", "temporary_redirect", "serves_plain", "unreachable"]

GRADE_BOUNDARIES: Final = (("A+", 95), ("A", 85), ("B", 70), ("C", 55), ("D", 40), ("F", 0))
ONE_YEAR: Final = 31_536_000
HALF_YEAR: Final = 15_768_000
_COMPRESSIBLE: Final = re.compile(
    r"^(text/|application/(json|javascript|xml|[\w.+-]*\+(json|xml))|image/svg\+xml)"
)
_VERSION: Final = re.compile(r"\d+\.\d+|/\s*\d")


@dataclass(frozen=True, slots=True)
class Observation:
    """What the grade is computed from. `headers` keys are matched case-insensitively."""

    url: str
    headers: Mapping[str, str]
    set_cookies: Sequence[str] = ()
    body_bytes: int = 0
    response_ms: float = 0.0
    # How the plain-http form of the site answered; None when it was not checked.
    http_form: HttpForm | None = None

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    @property
    def is_https(self) -> bool:
        return self.url.lower().startswith("https://")


@dataclass(frozen=True, slots=True)
class Check:
    """One graded check: points lost out of its weight, and what to do about it."""

    category: str
    code: str
    weight: int
    lost: int
    severity: Severity
    message: str
    fix: str

    @property
    def passed(self) -> bool:
        return self.lost == 0


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    weight: int
    checks: list[Check] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.weight - sum(check.lost for check in self.checks)


@dataclass(frozen=True, slots=True)
class Grade:
    score: int
    grade: str
    categories: list[Category]

    @property
    def failed(self) -> list[Check]:
        return [c for cat in self.categories for c in cat.checks if not c.passed]


class _Checks:
    """Collects the checks of one category."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Check] = []

    def add(
        self, code: str, weight: int, lost: int, severity: Severity, message: str, fix: str
    ) -> None:
        self.items.append(Check(self.name, code, weight, min(lost, weight), severity, message, fix))

    def category(self) -> Category:
        return Category(self.name, sum(c.weight for c in self.items), self.items)


def _directives(value: str) -> dict[str, str]:
    """`a=1; b; c="x"` → {"a": "1", "b": "", "c": "x"} (names lower-cased, first one wins)."""
    found: dict[str, str] = {}
    for part in value.split(";"):
        name, _, arg = part.strip().partition("=")
        if name:
            found.setdefault(name.strip().lower(), arg.strip().strip('"'))
    return found


def grade_hsts(obs: Observation) -> Category:
    checks = _Checks("HSTS")
    raw = obs.header("Strict-Transport-Security") if obs.is_https else None
    # Browsers honour only the first value and ignore the header on plain http.
    hsts = _directives(raw.split(",")[0]) if raw else {}
    age_text = hsts.get("max-age", "")
    age = int(age_text) if age_text.isdigit() else 0
    fix_header = "send Strict-Transport-Security: max-age=31536000; includeSubDomains; preload"
    if age <= 0:
        # Without HSTS its refinements mean nothing: one finding for the whole category.
        checks.add("hsts_missing", 15, 15, "error", "no valid HSTS header over HTTPS", fix_header)
        return checks.category()
    checks.add("hsts_missing", 8, 0, "error", "HSTS is sent", fix_header)
    short = 0 if age >= ONE_YEAR else 2 if age >= HALF_YEAR else 4
    checks.add(
        "hsts_short_max_age",
        4,
        short,
        "warning",
        f"HSTS max-age is {age} s (one year is {ONE_YEAR})",
        "raise HSTS max-age to at least 31536000 (one year)",
    )
    checks.add(
        "hsts_no_include_subdomains",
        2,
        0 if "includesubdomains" in hsts else 2,
        "info",
        "HSTS includeSubDomains " + ("set" if "includesubdomains" in hsts else "missing"),
        "add includeSubDomains to the HSTS header once every subdomain serves HTTPS",
    )
    checks.add(
        "hsts_no_preload",
        1,
        0 if "preload" in hsts else 1,
        "info",
        "HSTS preload " + ("set" if "preload" in hsts else "missing"),
        "add preload to the HSTS header and submit the domain at hstspreload.org",
    )
    return checks.category()


def _csp_policies(obs: Observation) -> list[dict[str, list[str]]]:
    raw = obs.header("Content-Security-Policy")
    policies: list[dict[str, list[str]]] = []
    for policy in (raw or "").split(","):
        parsed: dict[str, list[str]] = {}
        for directive in policy.split(";"):
            words = directive.split()
            if words:
                parsed.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
        if parsed:
            policies.append(parsed)
    return policies


def _script_sources(policy: dict[str, list[str]]) -> list[str] | None:
    return policy.get("script-src", policy.get("default-src"))


def _allows_inline(sources: list[str] | None) -> bool:
    if sources is None:
        return True
    # A nonce, a hash or strict-dynamic makes CSP2+ browsers ignore 'unsafe-inline'.
    guarded = any(s.startswith(("'nonce-", "'sha")) or s == "'strict-dynamic'" for s in sources)
    return "'unsafe-inline'" in sources and not guarded


def grade_csp(obs: Observation) -> Category:
    checks = _Checks("CSP")
    policies = _csp_policies(obs)
    fix = "send a Content-Security-Policy, e.g. default-src 'self'; object-src 'none'"
    if not policies:
        report_only = obs.header("Content-Security-Policy-Report-Only") is not None
        lost = 13 if report_only else 15
        message = "CSP is only report-only" if report_only else "no Content-Security-Policy"
        checks.add("csp_missing", 15, lost, "error", message, fix)
        return checks.category()
    checks.add("csp_missing", 8, 0, "error", "CSP is enforced", fix)
    # Every policy is enforced, so one that restricts scripts is enough.
    sources = [_script_sources(p) for p in policies]
    inline = all(_allows_inline(s) for s in sources)
    checks.add(
        "csp_unsafe_inline",
        4,
        4 if inline else 0,
        "warning",
        "CSP allows inline scripts" if inline else "CSP blocks inline scripts",
        "remove 'unsafe-inline' from script-src; use nonces or hashes",
    )
    evals = all(s is None or "'unsafe-eval'" in s for s in sources)
    checks.add(
        "csp_unsafe_eval",
        2,
        2 if evals else 0,
        "warning",
        "CSP allows eval()" if evals else "CSP blocks eval()",
        "remove 'unsafe-eval' from script-src",
    )
    wildcard = all(s is None or any(w in ("*", "http:", "https:") for w in s) for s in sources)
    checks.add(
        "csp_wildcard_source",
        1,
        1 if wildcard else 0,
        "info",
        "CSP scripts may come from any host" if wildcard else "CSP limits script hosts",
        "list script hosts explicitly instead of *, http: or https:",
    )
    return checks.category()


def grade_framing(obs: Observation) -> Category:
    checks = _Checks("X-Frame-Options")
    xfo = [v.strip().upper() for v in (obs.header("X-Frame-Options") or "").split(",")]
    ancestors = any("frame-ancestors" in p for p in _csp_policies(obs))
    protected = ancestors or any(v in ("DENY", "SAMEORIGIN") for v in xfo)
    checks.add(
        "frame_protection_missing",
        10,
        0 if protected else 10,
        "error",
        "framing is restricted" if protected else "pages may be framed (clickjacking)",
        "send X-Frame-Options: DENY or CSP frame-ancestors 'none'",
    )
    return checks.category()


def grade_content_type_options(obs: Observation) -> Category:
    checks = _Checks("X-Content-Type-Options")
    nosniff = "nosniff" in (obs.header("X-Content-Type-Options") or "").lower()
    checks.add(
        "xcto_missing",
        5,
        0 if nosniff else 5,
        "warning",
        "MIME sniffing is off" if nosniff else "X-Content-Type-Options: nosniff is missing",
        "send X-Content-Type-Options: nosniff",
    )
    return checks.category()


_STRONG_REFERRER: Final = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
_WEAK_REFERRER: Final = {"origin", "origin-when-cross-origin"}
_UNSAFE_REFERRER: Final = {"unsafe-url", "no-referrer-when-downgrade"}


def grade_referrer_policy(obs: Observation) -> Category:
    checks = _Checks("Referrer-Policy")
    known = _STRONG_REFERRER | _WEAK_REFERRER | _UNSAFE_REFERRER
    values = [v.strip().lower() for v in (obs.header("Referrer-Policy") or "").split(",")]
    recognised = [v for v in values if v in known]
    # Browsers apply the last value they understand.
    policy = recognised[-1] if recognised else None
    lost = 0 if policy in _STRONG_REFERRER else 2 if policy in _WEAK_REFERRER else 4
    lost = 5 if policy is None else lost
    checks.add(
        "referrer_policy_weak" if policy else "referrer_policy_missing",
        5,
        lost,
        "warning",
        f"Referrer-Policy is {policy}" if policy else "no Referrer-Policy",
        "send Referrer-Policy: strict-origin-when-cross-origin",
    )
    return checks.category()


def grade_permissions_policy(obs: Observation) -> Category:
    checks = _Checks("Permissions-Policy")
    modern = obs.header("Permissions-Policy") is not None
    legacy = obs.header("Feature-Policy") is not None
    lost = 0 if modern else 3 if legacy else 5
    message = (
        "Permissions-Policy is sent"
        if modern
        else "only the obsolete Feature-Policy is sent"
        if legacy
        else "no Permissions-Policy"
    )
    checks.add(
        "permissions_policy_missing",
        5,
        lost,
        "warning",
        message,
        "send Permissions-Policy, e.g. camera=(), microphone=(), geolocation=()",
    )
    return checks.category()


def grade_https(obs: Observation) -> Category:
    checks = _Checks("HTTPS enforcement")
    checks.add(
        "https_not_used",
        10,
        0 if obs.is_https else 10,
        "critical",
        "the page is served over HTTPS" if obs.is_https else "the page is served over plain HTTP",
        "serve the site over HTTPS (a free certificate from Let's Encrypt will do)",
    )
    form = obs.http_form
    lost = {"serves_plain": 5, "temporary_redirect": 1}.get(form or "", 0)
    if not obs.is_https:
        lost = 5  # there is no HTTPS to redirect to
    messages = {
        "permanent_redirect": "http:// redirects permanently to https://",
        "temporary_redirect": "http:// redirects to https:// only temporarily (302/307)",
        "serves_plain": "http:// serves content instead of redirecting to https://",
        "unreachable": "http:// is not served at all",
        None: "http:// was not checked",
    }
    checks.add(
        "http_not_redirected",
        5,
        lost,
        "error",
        messages[form] if obs.is_https else "no redirect to https://",
        "answer every http:// request with a 301 or 308 redirect to https://",
    )
    return checks.category()


def _cookie_flags(cookie: str) -> set[str]:
    flags = set()
    for part in cookie.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        flags.add(name.strip().lower())
        if name.strip().lower() == "samesite" and value.strip().lower() == "none":
            flags.add("samesite-none")
    return flags


def grade_cookies(obs: Observation) -> Category:
    checks = _Checks("Cookies")
    flags = [(c.split("=", 1)[0].strip(), _cookie_flags(c)) for c in obs.set_cookies]
    rules: tuple[tuple[str, int, str, str, Severity], ...] = (
        ("cookie_no_secure", 4, "secure", "Secure", "error"),
        ("cookie_no_httponly", 3, "httponly", "HttpOnly", "warning"),
        ("cookie_no_samesite", 3, "samesite", "SameSite", "warning"),
    )
    for code, weight, flag, label, severity in rules:
        missing = [name for name, have in flags if flag not in have]
        checks.add(
            code,
            weight,
            weight if missing else 0,
            severity,
            f"cookies without {label}: {', '.join(missing)}" if missing else f"{label} is set",
            f"set the {label} attribute on every cookie",
        )
    return checks.category()


def grade_leakage(obs: Observation) -> Category:
    checks = _Checks("Information leakage")
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
    checks = _Checks("Compression")
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
    checks = _Checks("Caching")
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
    checks = _Checks("Response time")
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


GRADERS: Final = (
    grade_hsts,
    grade_csp,
    grade_framing,
    grade_content_type_options,
    grade_referrer_policy,
    grade_permissions_policy,
    grade_https,
    grade_cookies,
    grade_leakage,
    grade_compression,
    grade_caching,
    grade_response_time,
)


def letter(score: int) -> str:
    return next(grade for grade, low in GRADE_BOUNDARIES if score >= low)


def grade(obs: Observation) -> Grade:
    """Score an observed response from 0 to 100 and give it a letter."""
    categories = [grader(obs) for grader in GRADERS]
    score = max(0, min(100, sum(category.score for category in categories)))
    return Grade(score, letter(score), categories)
