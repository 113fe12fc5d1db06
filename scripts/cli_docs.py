"""Write docs/cli.md, the command-line reference, from the commands' own ``--help``.

Run it after changing a command: ``python scripts/cli_docs.py``. tests/test_cli_docs.py
fails while docs/cli.md differs from what this prints, so the reference cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

HEADER = """# Command-line reference

Generated from `syrmak --help` by `scripts/cli_docs.py`; do not edit by hand (the test suite
checks that it is current). The guides (surveys.md, analysis.md, qualitative.md, reports.md,
workspace.md) explain when to use what.
"""


def commands(group: click.Group, path: tuple[str, ...] = ()):
    """Every command under ``group``, depth first in name order, with its command path."""
    ctx = click.Context(group, info_name="syrmak")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def render() -> str:
    from syrmak.cli import main

    runner = CliRunner()
    parts = [HEADER]
    for path, _command in [((), main), *commands(main)]:
        # A fixed width keeps the text the same on every terminal.
        result = runner.invoke(main, [*path, "--help"], prog_name="syrmak", terminal_width=88)
        if result.exit_code != 0:
            raise SystemExit(f"syrmak {' '.join(path)} --help failed:\n{result.output}")
        title = "syrmak " + " ".join(path) if path else "syrmak"
        level = "#" * min(2 + len(path) - 1, 4) if path else "##"
        parts.append(f"{level} {title.strip()}\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def main() -> int:
    DOC.write_text(render(), encoding="utf-8")
    print(f"Wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
