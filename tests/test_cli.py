"""Every command has help text, and the CLI mirrors the Python API."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from storyline.cli import app

runner = CliRunner()


def _commands():
    group = typer.main.get_command(app)
    return group, sorted(group.commands)


def test_every_command_has_help():
    group, names = _commands()
    assert {"run", "stories", "version"} <= set(names)
    for name in names:
        cmd = group.commands[name]
        assert cmd.help and cmd.help.strip(), f"command {name!r} has no help text"
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0, (name, res.output)
        assert "Usage" in res.output
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for name in names:
        assert name in res.output


def test_run_reports_unreadable_inputs_and_exits_non_zero_only_when_nothing_was_read(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    res = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o1"), "--no-semantic", "--no-progress"])
    assert res.exit_code == 1
    summary = json.loads((tmp_path / "o1" / "summary.json").read_text())
    assert summary["articles"] == 0 and summary["skipped"] == 2
    (bad / "good.txt").write_text("Harbour strike ends\n\nDock workers in Port Sallow voted to end their strike.\n")
    res = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o2"), "--no-semantic", "--no-progress"])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "o2" / "summary.json").read_text())
    assert summary["articles"] == 1 and summary["skipped"] == 2
    reasons = " ".join(s["reason"] for s in summary["skipped_inputs"])
    assert "empty" in reasons and "binary" in reasons


def test_bad_field_mapping_is_a_usage_error(tmp_path):
    res = runner.invoke(app, ["run", str(tmp_path), "--field", "nonsense", "--out", str(tmp_path / "o")])
    assert res.exit_code != 0


def test_run_can_keep_its_results_in_a_store(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Harbour strike ends\n\nDock workers in Port Sallow voted to end their strike on Friday.\n")
    (src / "b.txt").write_text("Harbour strike ends\n\nDock workers in Port Sallow voted to end their strike on Friday.\n")
    db = tmp_path / "s.db"
    res = runner.invoke(app, ["run", str(src), "--out", str(tmp_path / "o"), "--store", str(db), "--no-semantic", "-q"])
    assert res.exit_code == 0, res.output
    from storyline.store import Store

    with Store(db) as store:
        assert store.counts()["articles"] == 2
        assert store.counts()["stories"] == 1


def test_run_refuses_a_shuffle_it_cannot_do(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("Harbour strike ends\n\nDock workers voted to end their strike.\n")
    res = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--shuffle", "data"])
    assert res.exit_code == 2 and "--shuffle data needs --executor ray" in res.output
    res = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--shuffle", "spark"])
    assert res.exit_code == 2 and "unknown shuffle" in res.output
    assert not (tmp_path / "o").exists()
