"""The layout rules of `watchwire/probes/` written in its package docstring hold: each kind's
module is named after the kind inside its family package, and a module whose name starts with
an underscore is imported only from inside the package it sits in."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import watchwire
from watchwire.probes import PROBE_MODULES, get_probe

SRC = Path(watchwire.__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Every watchwire module a file imports (a `from package import module` counts as the
    module)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _private_package(module: str) -> str | None:
    """The package a private module belongs to, or None for a public one."""
    parts = module.split(".")
    for depth, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:depth])
    return None


def test_every_kind_is_a_module_named_after_it_in_its_family_package() -> None:
    for kind, module in PROBE_MODULES.items():
        root, family, name = module.rsplit(".", 2)
        assert root == "watchwire.probes", module
        assert name == kind, module
        assert (SRC / "watchwire" / "probes" / family / f"{name}.py").is_file(), module
        probe, options = get_probe(kind)
        assert callable(probe) and options.__name__ == "Options"


def test_private_probe_modules_are_imported_only_inside_their_package() -> None:
    known = {_module_name(p) for p in (SRC / "watchwire").rglob("*.py")}
    misplaced = []
    for path in sorted((SRC / "watchwire").rglob("*.py")):
        importer = _module_name(path)
        for imported in _imports(path):
            if imported not in known or not imported.startswith("watchwire.probes."):
                continue
            package = _private_package(imported)
            if package is not None and not (importer + ".").startswith(package + "."):
                misplaced.append(f"{importer} imports {imported}")
    assert misplaced == []
