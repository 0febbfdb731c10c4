"""`watchwire location`: the operator's registry on the database, one command each."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.test_cli import cli_env, invoke

__all__ = ["cli_env"]


def test_location_lifecycle(cli_env: CliRunner) -> None:
    assert invoke(cli_env, "db", "upgrade")[0] == 0
    code, out, err = invoke(
        cli_env, "location", "add", "fra", "--name", "Frankfurt", "--country-code", "DE",
        "--latitude", "50.11", "--ipv4", "198.51.100.7", "--json",
    )  # fmt: skip
    assert code == 0, err
    added = json.loads(out)
    assert added["token"].startswith("wwa_") and added["ipv4"] == "198.51.100.7"
    code, out, _ = invoke(cli_env, "location", "list", "--json")
    assert [loc["code"] for loc in json.loads(out)] == ["fra", "local"]
    code, out, _ = invoke(cli_env, "location", "update", "fra", "--city", "Offenbach", "--json")
    assert json.loads(out)["city"] == "Offenbach"
    code, out, _ = invoke(cli_env, "location", "token", "fra", "--json")
    assert json.loads(out)["token"] != added["token"]
    code, _, err = invoke(cli_env, "location", "add", "fra")
    assert code == 1 and "exists" in err
    code, _, err = invoke(cli_env, "location", "add", "x", "--latitude", "95")
    assert code == 1 and "code" in err
    assert invoke(cli_env, "location", "remove", "fra")[0] == 0
    code, _, err = invoke(cli_env, "location", "remove", "local")
    assert code == 1 and "cannot be removed" in err
