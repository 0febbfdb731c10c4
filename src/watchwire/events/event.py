"""An event as recorded: what happened, to which resource, and who is to be told (its contact
groups). The catalogue of types is catalog.py; recording one is store.py."""

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
