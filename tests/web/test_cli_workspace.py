"""The workspace's commands: syrmak serve and syrmak users."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from syrmak.cli import main

STRONG = "correct horse battery staple 7"


@pytest.fixture
def folder(new_study):
    return str(new_study().folder)


def run(*args, **env):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def test_users_add_list_role_remove(folder):
    added = run("users", "add", folder, "anna", "--role", "owner", SYRMAK_USER_PASSWORD=STRONG)
    assert added.exit_code == 0 and "Added anna (owner)" in added.output
    assert run("users", "add", folder, "vera", "--role", "viewer", "--no-password").exit_code == 0
    listed = run("users", "list", folder).output
    assert "anna\towner\tpassword" in listed and "vera\tviewer\tlink only" in listed
    assert "now coder" in run("users", "role", folder, "vera", "coder").output
    weak = run("users", "add", folder, "bob", SYRMAK_USER_PASSWORD="short")
    assert weak.exit_code == 1 and "Error:" in weak.output and "Traceback" not in weak.output
    last = run("users", "role", folder, "anna", "viewer")
    assert last.exit_code == 1 and "only owner" in last.output
    assert run("users", "remove", folder, "vera").exit_code == 0
    assert "vera" not in run("users", "list", folder).output


def test_serve_prints_a_one_time_link(folder, monkeypatch, db_url):
    import uvicorn

    ran = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: ran.update(app=app, **kw))
    out = run("serve", folder, "--port", "8799")
    assert out.exit_code == 0, out.output
    assert ran["host"] == "127.0.0.1" and ran["port"] == 8799
    if db_url is None:
        assert "one-time link" in out.output and "http://127.0.0.1:8799/login/link?token=" in \
            out.output
        refused = run("serve", folder, "--host", "0.0.0.0")
        assert refused.exit_code == 1 and "this computer only" in refused.output
    else:
        assert "sign in with their password" in out.output


def test_serve_help_has_an_example():
    assert "Example: syrmak serve" in run("serve", "--help").output
    assert "Example: syrmak users add" in run("users", "add", "--help").output
