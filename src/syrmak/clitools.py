"""What every CLI command shares: plain error messages and opening a study."""

from __future__ import annotations

import functools
import sys

import click

from syrmak.errors import SyrmakError


def friendly(func):
    """Print a SyrmakError as a message (no traceback) and exit with status 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except SyrmakError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)

    return wrapper


def open_study(directory: str, passphrase: str | None = None):
    """Open a study, saying so when an older store was backed up and upgraded."""
    from syrmak.study import Study

    study = Study.open(directory, passphrase=passphrase)
    if study.backup is not None:
        click.echo(f"Upgraded the study store; the old one was backed up to {study.backup}", err=True)
    return study
