"""`GET /p/{token}/feed.atom`: the page's incidents and maintenance as an Atom feed
(RFC 4287), one entry per notice, updated at its latest update."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from watchwire.clock import isoformat
from watchwire.services.status_pages.view import NoticeView, PageView
from watchwire.web import render

ATOM = "http://www.w3.org/2005/Atom"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def _entry(feed: ET.Element, notice: NoticeView, page_url: str) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", f"{page_url}#{notice.sid}")
    _text(entry, "title", f"{notice.title} ({render.NOTICE_WORDS[notice.state]})")
    latest = max([notice.starts_at, *(update.at for update in notice.updates)])
    _text(entry, "updated", isoformat(latest))
    _text(entry, "published", isoformat(notice.starts_at))
    ET.SubElement(entry, f"{{{ATOM}}}link", {"href": f"{page_url}#{notice.sid}"})
    parts = [str(render.markdown(notice.message))]
    for update in notice.updates:
        parts.append(
            f"<p><strong>{render.NOTICE_WORDS[update.state]}</strong> "
            f"{isoformat(update.at)}</p>{render.markdown(update.message)}"
        )
    # The content is HTML escaped as text inside the XML: readers render it, none runs it.
    _text(entry, "content", "".join(parts), type="html")


def atom(page: PageView, page_url: str) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", page_url)
    _text(feed, "title", f"{page.title}: incidents")
    _text(feed, "updated", isoformat(page.updated_at))
    ET.SubElement(feed, f"{{{ATOM}}}link", {"href": page_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": f"{page_url}/feed.atom"})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", page.name)
    seen: set[str] = set()
    for notice in (*page.active_incidents, *page.maintenance, *page.history):
        if notice.sid not in seen:
            seen.add(notice.sid)
            _entry(feed, notice, page_url)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
