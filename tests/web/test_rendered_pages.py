"""The kept renderings of status pages: made once per view, in a worker thread, and while a
new one is made visitors get the last one with its own tag."""

from __future__ import annotations

import asyncio
import gzip

from watchwire.web.pages import RenderedPages

KEY = ("token", "24h", "/p/token", "identity")


async def test_a_new_view_is_rendered_once_while_the_last_rendering_is_served() -> None:
    pages = RenderedPages()
    first = await pages.get(KEY, "tag-1", "identity", "not_found.html")  # the first one waits
    assert first.tag == "tag-1" and b"Page not found" in first.body
    assert await pages.get(KEY, "tag-1", "identity", "not_found.html") is first  # kept

    # The view changed: a crowd gets the last rendering while one new one is made.
    crowd = await asyncio.gather(
        *(pages.get(KEY, "tag-2", "identity", "not_found.html") for _ in range(20))
    )
    assert all(made is first for made in crowd)
    assert len(pages._rendering) == 1
    await asyncio.gather(*pages._rendering.values())
    fresh = await pages.get(KEY, "tag-2", "identity", "not_found.html")
    assert fresh.tag == "tag-2" and fresh.body == first.body


async def test_a_gzip_rendering_is_kept_compressed() -> None:
    pages = RenderedPages()
    made = await pages.get((*KEY[:3], "gzip"), "tag", "gzip", "not_found.html")
    assert b"Page not found" in gzip.decompress(made.body)
