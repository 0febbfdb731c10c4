"""PageView values for the visitor face's tests, and a fake service answering visits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from watchwire.errors import ForbiddenError, NotFoundError
from watchwire.services.status_pages.view import (
    ComponentView,
    DayBar,
    GroupView,
    NoticeView,
    PageView,
    ResponsePoint,
    UpdateView,
)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def component(sid: str, name: str, state: str = "up", down_day: int | None = None) -> ComponentView:
    days = tuple(
        DayBar(
            day=(NOW - timedelta(days=89 - index)).date(),
            uptime=None if index < 3 else (90.0 if index == down_day else 100.0),
            down_minutes=144.0 if index == down_day else 0.0,
            maintenance_minutes=0.0,
        )
        for index in range(90)
    )
    points = tuple(
        ResponsePoint(at=NOW - timedelta(hours=23 - hour), ms=100.0 + 10 * (hour % 5))
        for hour in range(24)
    )
    return ComponentView(
        sid=sid,
        kind="monitor",
        name=name,
        state=state,  # type: ignore[arg-type]
        uptime={"24h": 100.0, "7d": 99.95, "30d": 99.5, "90d": 99.8},
        days=days,
        response_times={"24h": points, "7d": points[::2], "30d": points[::4]},
        last_checked_at=NOW,
    )


def page(**changes: object) -> PageView:
    incident = NoticeView(
        sid="IN" + "1" * 32,
        type="incident",
        title="Slow <b>checkout</b>",
        state="identified",
        message="The **database** is slow. <script>alert(1)</script>",
        starts_at=NOW - timedelta(hours=2),
        ends_at=None,
        components=("MO" + "a" * 32,),
        updates=(UpdateView(at=NOW - timedelta(hours=1), state="identified", message="Found it."),),
    )
    view = PageView(
        token="tok123",
        name="Example",
        title="Example status",
        description="Everything Example runs.",
        logo_url=None,
        accent_color="#0a58ca",
        footer="Example Ltd",
        timezone="Europe/Paris",
        overall="partial_outage",
        groups=(
            GroupView(
                name="Web",
                components=(
                    component("MO" + "a" * 32, "Website", "up", down_day=80),
                    component("MO" + "b" * 32, "API <i>v1</i>", "down"),
                ),
            ),
        ),
        active_incidents=(incident,),
        maintenance=(),
        history=(incident,),
        updated_at=NOW,
        etag="v1",
    )
    return replace(view, **changes)  # type: ignore[arg-type]


class FakeVisits:
    """Answers the one page it holds like the service: unknown token, wrong key."""

    def __init__(self, view: PageView, access_key: str | None = None) -> None:
        self.view = view
        self.access_key = access_key

    async def visit(
        self,
        token: str | None,
        *,
        access_key: str | None,
        host: str | None,
        owner_account: str | None,
    ) -> PageView:
        if token != self.view.token and not (token is None and host == "status.example.test"):
            raise NotFoundError("no such page")
        if self.access_key is not None and access_key != self.access_key:
            raise ForbiddenError("access key needed")
        return self.view
