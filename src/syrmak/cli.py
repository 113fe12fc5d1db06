"""The ``syrmak`` command: one thin command per library call."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

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
    from syrmak.study import Study

    study = Study.open(directory, passphrase=passphrase)
    if study.backup is not None:
        click.echo(f"Upgraded the study store; the old one was backed up to {study.backup}", err=True)
    return study


@click.group()
@click.version_option(package_name="syrmak")
def main() -> None:
    """syrmak: an offline, privacy-first workbench for mixed-methods social research."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--db", "db_url", help="Put the store on this database (postgresql://...) instead of study.db.")
@click.option("--title", help="Study title (default: the folder name).")
@click.option("--passphrase", envvar="SYRMAK_PASSPHRASE",
              help="Lock the contact vault with a passphrase instead of a key file.")
@friendly
def init(directory, db_url, title, passphrase):
    """Create a study folder: syrmak.toml, the store, and the contact-vault key."""
    from syrmak.store.vault import key_path
    from syrmak.study import Study

    study = Study.create(directory, db_url=db_url, title=title, passphrase=passphrase)
    click.echo(f"Created study {study.id} in {directory} ({study.engine.dialect.name} store).")
    if not passphrase:
        click.echo(f"Contact-vault key: {key_path(study.id)} -- back it up; without it contacts are lost.")


@main.group()
def questionnaire() -> None:
    """Load and show the questionnaire (XLSForm)."""


@questionnaire.command("load")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("form", type=click.Path(dir_okay=False))
@friendly
def questionnaire_load(directory, form):
    """Read an XLSForm and make it the study's questionnaire."""
    study = open_study(directory)
    loaded = study.load_questionnaire(form)
    click.echo(f"Loaded '{loaded.title}' ({loaded.form_id}): {len(loaded.answered)} questions in "
               f"{len(loaded.sections)} sections, languages {', '.join(loaded.languages)}.")


@questionnaire.command("show")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--lang", help="Label language code (e.g. en); default: the form's default language.")
@friendly
def questionnaire_show(directory, lang):
    """Print the questionnaire: sections, questions, types, options."""
    from syrmak.survey.show import describe

    click.echo(describe(open_study(directory).questionnaire, lang))


@main.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(["auto", "google-forms", "kobo", "odk", "limesurvey", "spss", "csv"]))
@friendly
def import_(directory, file, fmt):
    """Import survey responses (idempotent: a submission already stored is skipped)."""
    result = open_study(directory).import_responses(file, format=fmt)
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    for warning in result.warnings:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    click.echo(result.summary())


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--passphrase", envvar="SYRMAK_PASSPHRASE", help="The vault passphrase, if it has one.")
@friendly
def contacts(directory, passphrase):
    """List the contact details in the vault (needs the vault key)."""
    frame = open_study(directory, passphrase).contacts()
    if frame.empty:
        click.echo("The vault holds no contacts.")
        return
    click.echo(frame.to_string(index=False))


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--lang", help="Label language code.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write CSV here instead of printing.")
@friendly
def responses(directory, lang, output):
    """Print or save the responses as a table (no personal data)."""
    frame = open_study(directory).responses(lang=lang)
    if output:
        frame.to_csv(output)
        click.echo(f"Wrote {len(frame)} respondents to {output}")
    else:
        click.echo(frame.to_string())


@main.command()
@click.argument("name", type=click.Choice(["kz-civic-2021"]))
@click.argument("directory", type=click.Path(file_okay=False))
@friendly
def example(name, directory):
    """Build an example study into a fresh folder DIRECTORY."""
    from syrmak.examples import build_example

    summary = build_example(name, Path(directory))
    for line in summary:
        click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    main()
