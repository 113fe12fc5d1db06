"""The ``syrmak`` command: one thin command per library call.

Command modules import only click at module level (their library code loads inside each
command), and they are mounted when the group is first asked for a command, so
``syrmak --help`` and every small command start without pandas or SQLAlchemy
(docs/benchmarks.md, "CLI start-up").
"""

from __future__ import annotations

import importlib

import click

#: The modules whose ``COMMANDS`` list makes up ``syrmak``. A new command module
#: (``syrmak.cli.AREA`` exporting ``COMMANDS``) is mounted by adding its name here: one line.
COMMAND_MODULES = [
    "syrmak.cli.study",
    "syrmak.cli.analysis",
    "syrmak.cli.vault",
    "syrmak.cli.workspace",
    "syrmak.cli.qual",
    "syrmak.cli.report",
    "syrmak.cli.privacy",
    "syrmak.cli.interviews",
    "syrmak.cli.collect",
]


class _LazyGroup(click.Group):
    """A group that mounts ``COMMAND_MODULES`` the first time a command is looked up."""

    _mounted = False

    def _mount(self) -> None:
        if not self._mounted:
            self._mounted = True
            _register_plugins(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._mount()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._mount()
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup)
@click.version_option(package_name="syrmak")
def main() -> None:
    """syrmak: an offline, privacy-first workbench for mixed-methods social research."""


def _register_plugins(group: click.Group) -> None:
    """Mount every command of ``COMMAND_MODULES`` on ``group``."""
    for name in COMMAND_MODULES:
        for command in importlib.import_module(name).COMMANDS:
            group.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()
