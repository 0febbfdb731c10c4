"""An event as recorded: what happened, to which resource, and who is to be told (its contact
groups, or its resource's own `recipients`; `held` when its resource is muted). The catalogue of types is catalog.py; recording one is store.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    sid: str
    account_sid: str
    type: str
    description: str
    payload: dict[str, Any]
    created_at: datetime
    resource_type: str | None = None
    resource_sid: str | None = None
    contact_groups: list[str] = field(default_factory=list)
    # Contact, contact group and webhook SIDs that alone are told (None: the default routing).
    recipients: tuple[str, ...] | None = None
    # The resource is muted: deliveries are recorded `held` and never sent.
    held: bool = False
