"""Every command explains itself, with an example, and docs/cli.md is its current --help
(as sqlite-utils' test_docs.py checks its own reference)."""

from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from syrmak.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cli_docs = _script()
COMMANDS = list(cli_docs.commands(main))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help(path, command):
    assert (command.help or "").strip(), f"syrmak {' '.join(path)} has no help text"


LEAVES = [(p, c) for p, c in COMMANDS if not isinstance(c, click.Group)]


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_command_help_has_an_example(path, command):
    examples = [line.strip() for line in (command.help or "").splitlines()
                if line.strip().startswith("Example:")]
    assert examples, f"syrmak {' '.join(path)}: no 'Example:' line in its help"
    # The example runs this very command, so it stays true when a command is renamed.
    assert all(e.startswith("Example: syrmak " + " ".join(path) + " ") for e in examples), examples
    # ... and every option it shows exists.
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for example in examples:
        shown = {word.split("=")[0] for word in shlex.split(example) if word.startswith("-")}
        assert shown <= known, f"{example}: no option {sorted(shown - known)}"


def test_every_command_is_listed():
    # A module in COMMAND_MODULES that failed to mount would shrink the list silently.
    names = {p[0] for p, _ in COMMANDS}
    assert {"init", "crosstab", "docs", "codes", "report", "serve", "vault", "users"} <= names


def test_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli_docs.render(), (
        "docs/cli.md is stale: run python scripts/cli_docs.py")


@pytest.mark.parametrize("args", [["--help"], ["crosstab", "--help"], ["docs", "list", "--help"]])
def test_help_loads_no_data_stack(args):
    # What made 'syrmak --help' take 1.7 s: command modules importing pandas and SQLAlchemy
    # at load. A fresh interpreter, since this test process has them loaded already.
    code = ("import sys; from syrmak.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'sqlalchemy', 'numpy', 'scipy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
