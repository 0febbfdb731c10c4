"""`make serve` sets up only what the service runs on; the development tools come with the
targets that use them. The package metadata builds without deprecation warnings."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dry_run(target: str, tmp_path: Path) -> str:
    """The commands `make TARGET` would run on a machine without a virtualenv yet."""
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={tmp_path / 'venv'}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout


def test_make_serve_installs_only_the_runtime(tmp_path: Path) -> None:
    commands = _dry_run("serve", tmp_path)
    assert "pip install --quiet -e ." in commands
    assert "[dev]" not in commands
    assert "watchwire serve" in commands


def test_the_test_targets_install_the_dev_extra(tmp_path: Path) -> None:
    for target in ("pytest", "lint", "typecheck"):
        assert "-e '.[dev]'" in _dry_run(target, tmp_path), target


def test_the_dev_extra_holds_the_development_tools() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    for tool in ("ruff", "mypy", "pytest"):
        assert tool not in runtime
        assert any(dep.startswith(tool) for dep in project["optional-dependencies"]["dev"])


def test_the_licence_is_an_spdx_expression() -> None:
    """setuptools ≥ 77 warns (three times per build) about a `license = { text = … }` table;
    the SPDX string is the form it accepts silently, and it needs that setuptools."""
    document = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert document["project"]["license"] == "Apache-2.0"
    assert "setuptools>=77" in document["build-system"]["requires"]
    classifiers = document["project"].get("classifiers", [])
    assert not [c for c in classifiers if c.startswith("License ::")]
