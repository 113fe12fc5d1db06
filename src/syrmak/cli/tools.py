"""What every CLI command shares: plain error messages, opening a study, the vault-key options."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from syrmak.errors import SyrmakError

keyring_option = click.option(
    "--keyring", is_flag=True,
    help="Keep the vault key in the operating system's keyring instead of behind a passphrase.")
identity_file_option = click.option(
    "--identity-file", type=click.Path(dir_okay=True),
    help="Keep the vault key as a plain file (e.g. on removable media) instead of behind a "
         "passphrase: a folder (one key file per study) or a file name ending in .key.")

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


#: The study the running command opened, so that writing its output can be audited.
_opened = None


def audit_export(output: str | None, fmt: str) -> None:
    """Record in the audit trail that the running command wrote a file (name and format only).

    Every command that writes a table or a text of the study to a file calls this after
    writing, whatever library function made the content.
    """
    if output and _opened is not None:
        _opened.log("export", {"file": Path(output).name, "format": fmt})


def publishable(result):
    """The running command's result as it may be written to a file (privacy.disclosure)."""
    if _opened is None:
        return result
    from syrmak.privacy.disclosure import for_export

    return for_export(_opened, result)


def open_study(directory: str):
    """Open a study, saying so when an older store was backed up and upgraded."""
    from syrmak.study import Study

    global _opened
    study = _opened = Study.open(directory)
    if study.backup is not None:
        click.echo(f"Upgraded the study store; the old one was backed up to {study.backup}", err=True)
    return study


def _interactive() -> bool:
    return sys.stdin.isatty()


def _passphrase_missing(action: str) -> SyrmakError:
    return SyrmakError(f"{action} needs a passphrase and there is no terminal to ask for it.",
                       "run it in a terminal, or set SYRMAK_PASSPHRASE for scripts (less safe: "
                       "other programs of your user may read the environment).",
                       code="vault-passphrase-missing")


def new_keeper(keyring: bool = False, identity_file: str | None = None):
    """How to keep a new vault key: from the options, the environment, or a prompt.

    The passphrase is never a command-line option: it would sit in the shell history and
    in every process listing.
    """

    from syrmak.store.vault import Keeper, check_passphrase

    if keyring and identity_file:
        raise click.UsageError("give --keyring or --identity-file, not both.")
    if keyring:
        return Keeper("keyring")
    if identity_file:
        return Keeper("file", identity_file=Path(identity_file))
    if env := Keeper.from_env():
        return env
    if not _interactive():
        raise _passphrase_missing("locking the vault key")
    click.echo("Choose a passphrase for the study's contact vault. It protects the key that "
               "opens contacts; without it they are lost, so write it down somewhere safe.",
               err=True)
    while True:
        passphrase = click.prompt("Vault passphrase", hide_input=True,
                                  confirmation_prompt=True, err=True)
        try:
            check_passphrase(passphrase)
        except SyrmakError as exc:
            click.secho(str(exc), fg="yellow", err=True)
            continue
        return Keeper("passphrase", passphrase=passphrase)


def unlock(study, identity_file: str | None = None):
    """The study's private key, asking for the passphrase in a terminal when it needs one."""
    import os

    passphrase = os.environ.get("SYRMAK_PASSPHRASE")
    keeper = None
    if study.vault_is_legacy:
        if study.meta("vault_mode") != "passphrase":
            click.echo("This study's contacts are in the old vault, whose key file sits "
                       "unprotected on this machine. They are re-sealed now; the new key is "
                       "locked with a passphrase (or use 'syrmak vault upgrade --keyring / "
                       "--identity-file').", err=True)
            keeper = new_keeper(identity_file=identity_file)
        elif not passphrase:
            passphrase = _ask_passphrase()
    elif study.meta("vault_keeper") == "passphrase" and not passphrase:
        passphrase = _ask_passphrase()
    identity = study.unlock(passphrase=passphrase, new_keeper=keeper,
                            identity_file=Path(identity_file) if identity_file else None)
    return identity


def _ask_passphrase() -> str:
    if not _interactive():
        raise _passphrase_missing("opening the vault")
    return click.prompt("Vault passphrase", hide_input=True, err=True)
