"""The vault from the command line: passphrases are asked for, never taken as options."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.store import vault
from tests.store.test_vault import STRONG, _make_legacy

CSV = "kind,sphere,contact\ncso,rights,+7 700 000 00 01\n"


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stdin is a terminal, so the CLI asks instead of refusing."""
    monkeypatch.setattr("syrmak.cli.tools._interactive", lambda: True)
    monkeypatch.delenv("SYRMAK_IDENTITY_FILE")


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_init_asks_for_a_strong_passphrase_then_contacts_ask_for_it(tmp_path, form_path, terminal):
    folder = tmp_path / "s"
    weak = "summer2024\nsummer2024\n"
    result = run("init", folder, input=weak + f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "too weak" in result.output or "shorter than 12" in result.output
    assert "locked with your passphrase" in result.output and STRONG not in result.output
    run("questionnaire", "load", folder, form_path)
    (tmp_path / "r.csv").write_text(CSV, encoding="utf-8")
    assert run("import", folder, tmp_path / "r.csv").exit_code == 0  # no passphrase needed
    wrong = run("contacts", folder, input="not the passphrase\n")
    assert wrong.exit_code == 1 and "does not open" in wrong.output
    right = run("contacts", folder, input=f"{STRONG}\n")
    assert right.exit_code == 0 and "+7 700 000 00 01" in right.output


def test_without_a_terminal_the_passphrase_comes_only_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SYRMAK_IDENTITY_FILE")
    result = run("init", tmp_path / "s")
    assert result.exit_code == 1 and "SYRMAK_PASSPHRASE" in result.output
    assert not (tmp_path / "s").exists()
    refused = run("init", tmp_path / "s", "--passphrase", STRONG)
    assert refused.exit_code == 2 and "No such option" in refused.output
    monkeypatch.setenv("SYRMAK_PASSPHRASE", STRONG)
    assert run("init", tmp_path / "s").exit_code == 0


def test_status_and_upgrade_of_an_old_vault(study, key_dir, tmp_path, terminal):
    vault.identity_file_for(key_dir, study.id).unlink()
    _make_legacy(study, key_dir)
    status = run("vault", "status", study.folder)
    assert "Old AES vault" in status.output and "vault upgrade" in status.output
    usb = tmp_path / "usb"
    usb.mkdir()
    done = run("vault", "upgrade", study.folder, "--identity-file", usb)
    assert done.exit_code == 0, done.output
    assert "Re-sealed" in done.output and not (key_dir / f"{study.id}.key").exists()
    status = run("vault", "status", study.folder)
    assert "age vault holding 1 personal-data entries" in status.output
    listed = run("contacts", study.folder, "--identity-file", usb)
    assert "+7 700 000 00 01" in listed.output
