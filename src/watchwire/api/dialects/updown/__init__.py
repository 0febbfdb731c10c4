"""The updown.io API (seed document 001) served at its paths under `/api` over watchwire's
monitor, status-page, contact and webhook services: `?api-key=` or `X-API-KEY`, Rails-style
forms or JSON bodies, bare JSON answers and `{"error": "…"}`.

    app.py           the sub-application, claiming `/api/…` (not Enterno's `/api/v3`, `/api/v4`)
    auth.py          the key, the IP allowlist, the plan's budget, scopes, read-only keys
    errors.py        `{"error": "<one sentence naming the fields>"}` in updown's wording
    reading.py       001's check fields (`url`, `type`, `period`, `apdex_t`, …) → the service's
    render.py        the check, downtime, metrics, recipient, status-page and webhook objects
    checks.py, history.py (downtimes, metrics), recipients.py, webhooks.py, status_pages.py,
    nodes.py         one module per resource group

Requests are read, errors mapped and routes shaped by the dialect kit (`api/dialects/kit/`).
"""

from watchwire.api.dialects.updown.app import PATHS, error_response, mount

__all__ = ["PATHS", "error_response", "mount"]
