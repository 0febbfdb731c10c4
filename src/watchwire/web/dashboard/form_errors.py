"""Where a service's refusal goes on a form: each detail next to the field it names (its
first part: `args.url` goes to the `args` box, `components[2].group` to `components`), the rest above the form."""

from __future__ import annotations

import re
from collections.abc import Iterable

from watchwire.errors import WatchwireError
from watchwire.web.dashboard.monitor_form import FORM_LEVEL


def placed(error: WatchwireError, names: Iterable[str]) -> dict[str, str]:
    known = set(names)
    out: dict[str, str] = {}
    details = error.details if isinstance(error.details, list) and error.details else []
    details = details or [{"field": FORM_LEVEL, "message": error.message}]
    for detail in details:
        head = re.split(r"[.\[]", str(detail.get("field", "")))[0]
        target = head if head in known else FORM_LEVEL
        message = str(detail.get("message", error.message))
        out[target] = f"{out[target]} {message}" if target in out else message
    return out
