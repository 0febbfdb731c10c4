"""The Entri Monitor API (seed document 002) served at its documented root paths (`/token`,
`/monitor/…`) over watchwire's domain and token services: JWT access tokens, JSON bodies,
002's field names and the response shapes GAPS.md proposes.

    app.py         the sub-application, claiming `/token` and `/monitor`, and its routers
    auth.py        `applicationId` + `Authorization: [Bearer] <token>`, IP allowlist, the
                   plan's budget, scope `domains`, read-only keys
    envelope.py    the one error shape `{message, code, errors: [{field, rule, message}]}`
    reading.py     002's request bodies: a domain with its `dnsRecords`, batches of them
    render.py      the objects 002 collapses to `{ }`
    token.py, domains.py, records.py, batch.py, health.py
                   one module per resource group

Requests are read, errors mapped and routes shaped by the dialect kit (`api/dialects/kit/`).
"""

from watchwire.api.dialects.entri.app import PATHS, mount

__all__ = ["PATHS", "mount"]
