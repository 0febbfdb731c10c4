"""The Generator Labs API 4.0 (seed document 003) served at `/4.0/…` over watchwire's
services: HTTP Basic keys, 003's rate limits, form bodies, its envelope and its messages.

    app.py         the mounted sub-application and its routers
    auth.py        credentials, IP allowlist, scopes and 003's rate-limit windows
    envelope.py    {status_code, status_message, data} and 003's wording of the kit's errors
    pagination.py  page/page_size in, paging fields and double-keyed lists out
    render.py      the objects 003 shows as `{ }`
    rbl_checks.py, rbl_hosts.py (and listings), rbl_profiles.py, rbl_sources.py,
    cert_monitors.py (and errors), cert_profiles.py, contacts.py, groups.py
                   one module per resource group

Requests are read, ids checked, errors mapped and routes shaped by the dialect kit
(`api/dialects/kit/`); what is here is only 003's translation.
"""

from watchwire.api.dialects.generatorlabs.app import PREFIX, mount

__all__ = ["PREFIX", "mount"]
