"""The Enterno.io API v3/v4 (seed document 000) served at its documented paths under
`/api/v3` and `/api/v4` over watchwire's services: API keys with scopes and plans, the
`{data, meta}` envelope with 000's error codes, the one-off tools, monitors and status
pages, webhook subscriptions with integer ids and their delivery history.

    app.py         the sub-application, claiming `/api/v3` and `/api/v4` only (another
                   dialect may claim the rest of `/api`), and its routers
    auth.py        the key from `X-API-Key`, `api_key` in the query or the body; IP allowlist,
                   the plan's minute and daily budgets, the scope, read-only keys
    envelope.py    `{data, meta}` / `{error, meta}` with `api_version` "3.0" or "4.0" by path
    tools.py       check.php, dns.php, ssl.php, ip.php, ping.php (v3, and v4: "Use v3")
    monitors.py    monitors.php: monitor CRUD and status pages by `action=`
    webhooks.py    /api/v4/webhooks (integer ids, `?id=N`, `?action=test`)
    events.py      /api/v4/events: the delivery history with `meta.pagination`
    render.py      services' records → 000's object shapes

Requests are read, errors mapped and routes shaped by the dialect kit (`api/dialects/kit/`).
"""

from watchwire.api.dialects.enterno.app import PATHS, error_response, key_in_body, mount

__all__ = ["PATHS", "error_response", "key_in_body", "mount"]
