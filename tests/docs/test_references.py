"""What the docs promise exists: the files they name, the links between them, the API paths
they document (against the app's own routes) and the event types webhooks may name."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.docs.examples import ROOT, documents
from watchwire.api.dialects.kit.routes import Claim
from watchwire.app import create_app
from watchwire.config import Settings
from watchwire.events.catalog import CATALOG

_FENCED = re.compile(r"^```.*?^```", re.M | re.S)
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
_FILE = re.compile(
    r"(?<![\w/.:-])([A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:py|md|toml|txt|sh|ini|mako|ya?ml|service))\b"
)
# A path of watchwire's own (not part of a URL of another service's).
_API_PATH = re.compile(r"(?<![\w.}/])(/(?:v1|api)/[A-Za-z0-9_{}/.-]*[A-Za-z0-9_}])")
_PARAM = re.compile(r"\{[^}]*\}")


def _prose(path: Path) -> str:
    """A document without its code blocks (examples name files of the reader's own)."""
    return _FENCED.sub("", path.read_text())


def _repository_files() -> list[str]:
    skipped = {".git", ".venv", "node_modules", "__pycache__"}
    return [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*")
        if p.is_file() and not skipped.intersection(p.relative_to(ROOT).parts)
    ]


def test_links_between_documents_resolve() -> None:
    broken = [
        f"{doc.relative_to(ROOT)}: {target}"
        for doc in documents()
        for target in _LINK.findall(_prose(doc))
        if "://" not in target and not target.startswith("mailto:")
        if not (doc.parent / target).exists()
    ]
    assert broken == []


def test_every_file_named_is_in_the_repository() -> None:
    """A name may be relative to any directory (`recorder.py`, `engine/recorder.py`)."""
    files = _repository_files()
    missing = sorted(
        {
            f"{doc.relative_to(ROOT)}: {name}"
            for doc in documents()
            for name in _FILE.findall(_prose(doc))
            if not any(f == name.lstrip("./") or f.endswith("/" + name.lstrip("./")) for f in files)
        }
    )
    assert missing == []


def _routes() -> set[str]:
    """The app's routes, and those of the dialects that claim paths at the root (Entri,
    updown), which keep their full paths."""
    app = create_app(settings=Settings(database_url="sqlite:///:memory:", secret_key="docs"))
    # A dialect that claims its paths (kit.routes.claim) serves its own app's routes.
    routes = [r for c in app.routes if isinstance(c, Claim) for r in getattr(c.app, "routes", [])]
    return {_PARAM.sub("{}", r.path) for r in [*app.routes, *routes] if hasattr(r, "path")}


def _served(path: str, routes: set[str]) -> bool:
    """`path` is a route, a route with a placeholder of the docs' own (`/v1/tools/{tool}`),
    or the prefix of routes (`/v1/rbl/…`)."""
    pattern = re.compile(re.escape(_PARAM.sub("{}", path.rstrip("/"))).replace(r"\{\}", "[^/]+"))
    return any(pattern.fullmatch(r) or r.startswith(path + "/") for r in routes)


def test_every_documented_api_path_is_served() -> None:
    """Another service's path that watchwire does not serve (yet) may be named on a line
    that says so: "not served"."""
    routes = _routes()
    unserved = sorted(
        {
            f"{doc.relative_to(ROOT)}: {path}"
            for doc in documents()
            for line in doc.read_text().splitlines()
            if "not served" not in line
            for path in _API_PATH.findall(line)
            if not _served(path, routes)
        }
    )
    assert unserved == []


def test_the_event_types_table_is_the_catalogue() -> None:
    text = (ROOT / "docs" / "webhooks.md").read_text()
    section = text.split("## Event types", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z._]+)` \| (.+?) \|$", section, re.M)
    assert listed == [(e.name, e.meaning) for e in CATALOG.values()]


def test_paths_the_code_points_to_are_served() -> None:
    """Error messages and docstrings that send a reader to a path (once: `see
    /v1/event-types`, which never existed)."""
    routes = _routes()
    named = {
        f"{source.relative_to(ROOT)}: {path}"
        for source in (ROOT / "src" / "watchwire").rglob("*.py")
        for path in _API_PATH.findall(source.read_text())
        if path.startswith("/v1/") and not _served(path, routes)
    }
    assert sorted(named) == []


async def test_an_unknown_event_type_points_to_the_list(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    answer = await client.post(
        "/v1/webhooks",
        json={"url": "https://hooks.example.test/x", "events": ["monitor.dwon"]},
        headers=auth,
    )
    assert answer.status_code == 400
    [detail] = answer.json()["error"]["details"]
    assert detail["field"] == "events[0]"
    assert "docs/webhooks.md#event-types" in detail["message"]
    assert "\n## Event types\n" in (ROOT / "docs" / "webhooks.md").read_text()
