"""The security categories of the HTTP grade: HSTS, CSP, framing, MIME sniffing, referrer and
permissions policies, HTTPS enforcement and cookie flags. Each grader reads an Observation and
returns its Category; the weights are documented in docs/probes/health-score.md.

Header values arrive as a client sees them: repeated headers joined with ", " (RFC 9110), so
several CSP policies read as one comma-separated list, and only the first HSTS value counts.
"""

from __future__ import annotations

from typing import Final

from watchwire.probes.http._scorecard import Category, Checks, Observation, Severity

ONE_YEAR: Final = 31_536_000
HALF_YEAR: Final = 15_768_000


def _directives(value: str) -> dict[str, str]:
    """`a=1; b; c="x"` → {"a": "1", "b": "", "c": "x"} (names lower-cased, first one wins)."""
    found: dict[str, str] = {}
    for part in value.split(";"):
        name, _, arg = part.strip().partition("=")
        if name:
            found.setdefault(name.strip().lower(), arg.strip().strip('"'))
    return found


def grade_hsts(obs: Observation) -> Category:
    checks = Checks("HSTS")
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
    checks = Checks("CSP")
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
    checks = Checks("X-Frame-Options")
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
    checks = Checks("X-Content-Type-Options")
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
    checks = Checks("Referrer-Policy")
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
    checks = Checks("Permissions-Policy")
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
    checks = Checks("HTTPS enforcement")
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
    checks = Checks("Cookies")
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
