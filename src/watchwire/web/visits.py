"""What the visitor face asks of the status-page service: one visit, as a Protocol, so the
routes depend on the method's shape and not on the service's module."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from starlette.requests import Request

from watchwire.services.status_pages.view import PageView


class PageVisits(Protocol):
    async def visit(
        self,
        token: str | None,
        *,
        access_key: str | None,
        host: str | None,
        owner_account: str | None,
    ) -> PageView:
        """The page as this visitor may see it. `token` None means "the page whose custom
        domain is `host`". Raises NotFoundError for an unknown token or domain (and for a
        private page seen by a stranger), ForbiddenError or AuthError when the page is
        protected and the access key is missing or wrong."""
        ...


# How the routes find the service for a request (the runtime's, or a test's).
VisitsOf = Callable[[Request], PageVisits]
# The account whose valid API key the request presents, or None: the owner sees a private
# page and needs no access key. Given by the app, since reading keys is the API's business.
OwnerOf = Callable[[Request], Awaitable[str | None]]
