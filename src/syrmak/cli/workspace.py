"""Workspace commands: serve the browser workspace, manage its researchers."""

from __future__ import annotations

import click

from syrmak.cli.tools import friendly, open_study


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (a laptop study: this computer only).")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--user", help="Laptop: the one-time link signs in this researcher "
                             "(default: you, as the study's owner).")
@click.option("--tls-proxy", is_flag=True,
              help="Served behind a TLS reverse proxy: Secure cookies and HSTS.")
@click.option("--survey-only", is_flag=True,
              help="Only the public survey (OpenRosa form list and submission); nothing "
                   "of the workspace.")
@click.option("--unlock", is_flag=True,
              help="Open the vault key at start (key file, keyring or SYRMAK_PASSPHRASE) so "
                   "the transcript editor can play the encrypted recordings; the key stays "
                   "in this process's memory.")
@click.option("--identity-file", type=click.Path(),
              help="With --unlock: where the vault key file is, if it is kept as a file.")
@friendly
def serve(directory, host, port, user, tls_proxy, survey_only, unlock, identity_file):
    """Open the researcher workspace in the browser: read, code, review, translate, report.

    On a laptop (SQLite study) it prints a one-time sign-in link; on a team store
    (PostgreSQL) researchers sign in with the accounts of 'syrmak users'.

    Example: syrmak serve kz-study
    """
    from syrmak.web.app import serve as run

    study = open_study(directory)
    identity = None
    if unlock and not survey_only:
        from syrmak.cli.tools import unlock as open_key

        identity = open_key(study, identity_file)
    run(study, host=host, port=port, user=user, secure=tls_proxy,
        survey_only=survey_only, identity=identity, echo=click.echo)


@click.group()
def users() -> None:
    """Researchers who may use the workspace, and their roles (owner, coder, viewer)."""


@users.command("add")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("name")
@click.option("--role", type=click.Choice(["owner", "coder", "viewer"]), default="coder",
              show_default=True)
@click.option("--no-password", is_flag=True,
              help="No password: only a one-time link of 'syrmak serve --user' signs them in.")
@friendly
def users_add(directory, name, role, no_password):
    """Add a researcher; asks for their password (SYRMAK_USER_PASSWORD in scripts).

    Example: syrmak users add kz-study viktoriya --role coder
    """
    import os

    from syrmak.workspace.people import add_researcher

    password = None
    if not no_password:
        password = os.environ.get("SYRMAK_USER_PASSWORD") or click.prompt(
            f"Password for {name}", hide_input=True, confirmation_prompt=True, err=True)
    added = add_researcher(open_study(directory), name, role, password=password)
    click.echo(f"Added {added.name} ({added.role}).")


@users.command("role")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("name")
@click.argument("role", type=click.Choice(["owner", "coder", "viewer"]))
@friendly
def users_role(directory, name, role):
    """Change a researcher's role (their open sessions end).

    Example: syrmak users role kz-study viktoriya viewer
    """
    from syrmak.workspace.people import update_researcher

    changed = update_researcher(open_study(directory), name, role=role)
    click.echo(f"{changed.name} is now {changed.role}.")


@users.command("password")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("name")
@friendly
def users_password(directory, name):
    """Set a researcher's password (asks for it; SYRMAK_USER_PASSWORD in scripts).

    Example: syrmak users password kz-study viktoriya
    """
    import os

    from syrmak.workspace.people import update_researcher

    password = os.environ.get("SYRMAK_USER_PASSWORD") or click.prompt(
        f"New password for {name}", hide_input=True, confirmation_prompt=True, err=True)
    update_researcher(open_study(directory), name, password=password)
    click.echo(f"Set the password of {name}; their open sessions ended.")


@users.command("list")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@friendly
def users_list(directory):
    """List the researchers and their roles.

    Example: syrmak users list kz-study
    """
    from syrmak.workspace.people import list_researchers

    found = list_researchers(open_study(directory))
    if not found:
        click.echo("No researchers yet; 'syrmak users add DIR NAME' adds one.")
    for r in found:
        click.echo(f"{r.name}\t{r.role}\t{'password' if r.has_password else 'link only'}")


@users.command("remove")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("name")
@friendly
def users_remove(directory, name):
    """Remove a researcher (their codings stay, under their name).

    Example: syrmak users remove kz-study viktoriya
    """
    from syrmak.workspace.people import remove_researcher

    remove_researcher(open_study(directory), name)
    click.echo(f"Removed {name}.")


#: What ``syrmak.cli`` mounts on the ``syrmak`` group.
COMMANDS = [serve, users]
