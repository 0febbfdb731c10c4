"""watchwire as a package: the wheel built from this tree, installed into a fresh virtual
environment, runs `watchwire serve` from its own files (migrations, templates, data), and
the systemd unit under deploy/ passes `systemd-analyze verify` against that install.

The dependencies are not downloaded again: the fresh environment sees the test
environment's site-packages through a path file (which does not run that environment's
editable install of watchwire), so only the wheel's own files are under test."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest

from tests.servers.watchwire_processes import prepare, start_serve, watchwire_env

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "watchwire.service"


def _run(*argv: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{argv}: {done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` directory of a fresh environment with the built wheel installed."""
    work = tmp_path_factory.mktemp("package")
    tree = work / "tree"  # a copy, so the build leaves nothing in the checkout
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(
        ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    wheels = work / "wheels"
    pip = (sys.executable, "-m", "pip")
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", tree, "-w", wheels)
    (wheel,) = wheels.glob("watchwire-*.whl")
    env = work / "env"
    _run(sys.executable, "-m", "venv", "--without-pip", env)
    _run(*pip, "--python", env / "bin" / "python", "install", "--no-deps", "-q", wheel)
    purelib = Path(sysconfig.get_paths()["purelib"])
    (site,) = (env / "lib").glob("python3*/site-packages")
    (site / "test-dependencies.pth").write_text(f"{purelib}\n")
    return env / "bin"


def test_the_installed_package_is_its_own(installed: Path) -> None:
    where = _run(installed / "python", "-c", "import watchwire; print(watchwire.__file__)")
    assert where.strip().startswith(str(installed.parent)), where
    assert _run(installed / "watchwire", "--version").startswith("watchwire ")


async def test_the_installed_package_serves(installed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    headers = await prepare(url)
    serve = await start_serve(watchwire_env(url), tmp_path, executable=installed / "watchwire")
    try:
        async with httpx.AsyncClient(base_url=serve.base_url, timeout=5) as client:
            made = await client.post("/v1/status-pages", json={"name": "Packaged"}, headers=headers)
            assert made.status_code == 201, made.text
            page = await client.get(f"/p/{made.json()['data']['token']}")
            assert page.status_code == 200 and "Packaged" in page.text  # templates shipped
            docs = await client.get("/docs")
            assert docs.status_code == 200  # and the offline docs' assets
            login = await client.get("/login")  # the dashboard's templates
            assert login.status_code == 200 and "Sign in to watchwire" in login.text
            script = await client.get("/static/dashboard/htmx-2.0.11.min.js")
            assert script.status_code == 200  # and its vendored htmx
    finally:
        code, _ = await serve.stop()
    assert code == 0


def test_the_systemd_unit_verifies(installed: Path, tmp_path: Path) -> None:
    unit = tmp_path / "watchwire.service"
    unit.write_text(UNIT.read_text().replace("/opt/watchwire/bin/", f"{installed}/"))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    # Unknown keys and bad values are only warnings: any line about the unit is a failure.
    assert done.returncode == 0 and "watchwire.service" not in done.stdout + done.stderr, (
        done.stdout + done.stderr
    )
