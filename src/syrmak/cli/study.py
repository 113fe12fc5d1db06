"""Study and survey commands: create a study, load its questionnaire, import and show responses."""

from __future__ import annotations

from pathlib import Path

import click

from syrmak.cli.tools import (
    audit_export,
    friendly,
    identity_file_option,
    keyring_option,
    open_study,
)
from syrmak.errors import SyrmakError
from syrmak.survey.layouts import FORMATS
from syrmak.text import plural


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--db", "db_url", help="Put the store on this database (postgresql://...) instead of study.db.")
@click.option("--title", help="Study title (default: the folder name).")
@keyring_option
@identity_file_option
@friendly
def init(directory, db_url, title, keyring, identity_file):
    """Create a study folder: syrmak.toml, the store, and the contact-vault key pair.

    The vault key is locked with a passphrase you are asked for (scripts: SYRMAK_PASSPHRASE).

    Example: syrmak init my-study
    """
    from syrmak.cli.tools import new_keeper
    from syrmak.cli.vault import vault_note
    from syrmak.store.db import url_has_password
    from syrmak.study import Study

    if db_url and url_has_password(db_url):
        click.secho("Warning: the URL holds a password, and syrmak.toml will too. Prefer "
                    "PGPASSWORD or ~/.pgpass, which PostgreSQL's client reads.", fg="yellow",
                    err=True)
    from syrmak.report.draft import write_starter

    keeper = new_keeper(keyring, identity_file)
    study = Study.create(directory, db_url=db_url, title=title, keeper=keeper)
    click.echo(f"Created study {study.id} in {directory} ({study.engine.dialect.name} store).")
    click.echo(vault_note(study))
    if write_starter(study):
        click.echo(f"Report spec: {Path(directory) / 'report.yaml'} (a starter; after loading "
                   f"the questionnaire, 'syrmak report {directory} --draft' fills it in).")


@click.group()
def questionnaire() -> None:
    """Load and show the questionnaire (XLSForm)."""


@questionnaire.command("load")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("form", type=click.Path(dir_okay=False))
@friendly
def questionnaire_load(directory, form):
    """Read an XLSForm and make it the study's questionnaire.

    Questions it newly marks personal_data = yes have their stored answers sealed in the vault.

    Example: syrmak questionnaire load my-study questionnaire.xlsx
    """
    from syrmak.survey.sealing import newly_personal

    study = open_study(directory)
    try:
        before = study.questionnaire
    except SyrmakError:
        before = None
    loaded = study.load_questionnaire(form)
    click.echo(f"Loaded '{loaded.title}' ({loaded.form_id}): {plural(len(loaded.answered), 'question')} in "
               f"{plural(len(loaded.sections), 'section')}, languages {', '.join(loaded.languages)}.")
    for name in newly_personal(before, loaded):
        click.echo(f"'{name}' is personal data now: its stored answers were moved to the vault.")


@questionnaire.command("draft")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("export", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(list(FORMATS)), help="The tool that wrote the export.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Where to write the draft (default: DIR/questionnaire-draft.xlsx).")
@friendly
def questionnaire_draft(directory, export, fmt, output):
    """Write a draft XLSForm from an export that came without one (Google Forms, SPSS,
    LimeSurvey, Qualtrics, Kobo, ODK, CSV): one question per column, typed from the answers.

    Review the draft (its 'guess' column says what was guessed), then load it.

    Example: syrmak questionnaire draft my-study responses.csv
    """
    from syrmak.survey.draft import draft_questionnaire

    out = Path(output) if output else Path(directory) / "questionnaire-draft.xlsx"
    draft = draft_questionnaire(export, out, fmt)
    for note in draft.notes:
        click.echo(f"Note: {note}", err=True)
    guessed = sum(1 for row in draft.survey if row.get("guess"))
    click.echo(f"Wrote {out}: {guessed} questions guessed from the answers. Review it (the "
               "'guess' column says what to check), then load it:")
    click.echo(f"  syrmak questionnaire load {directory} {out}")


@questionnaire.command("show")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--lang", help="Label language: a code (es) or a name (Spanish, Español); "
              "default: the form's default language.")
@friendly
def questionnaire_show(directory, lang):
    """Print the questionnaire: groups and repeat groups, questions, types, options.

    Example: syrmak questionnaire show kz-study --lang en
    """
    from syrmak.survey.show import describe

    click.echo(describe(open_study(directory).questionnaire, lang))


@click.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(list(FORMATS)))
@friendly
def import_(directory, file, fmt):
    """Import survey responses (idempotent: a submission already stored is skipped).

    Example: syrmak import kz-study responses.csv
    """
    result = open_study(directory).import_responses(file, format=fmt)
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    for warning in result.warnings:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    click.echo(result.summary())


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--lang", help="Label language code.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write CSV here (a workbook if the name ends in .xlsx) instead of printing.")
@friendly
def responses(directory, lang, output):
    """Print or save the responses as a table (no personal data).

    Example: syrmak responses kz-study -o responses.csv
    """
    from syrmak.exports import write_table

    frame = open_study(directory).responses(lang=lang)
    if output:
        write_table(frame, output, sheet_name="responses")
        audit_export(output, Path(output).suffix.lstrip(".") or "csv")
        click.echo(f"Wrote {plural(len(frame), 'respondent')} to {output}")
    else:
        from syrmak.render.frames import render_frame

        click.echo(render_frame(frame, "table", empty="No responses yet; 'syrmak import DIR "
                                                      "FILE' imports some."))


@click.command()
@click.argument("name", type=click.Choice(["kz-civic-2021"]))
@click.argument("directory", type=click.Path(file_okay=False))
@keyring_option
@identity_file_option
@friendly
def example(name, directory, keyring, identity_file):
    """Build an example study into a fresh folder DIRECTORY (asks for a vault passphrase).

    Example: syrmak example kz-civic-2021 kz-study
    """
    from syrmak.cli.tools import new_keeper
    from syrmak.examples import build_example

    if Path(directory).exists() and any(Path(directory).iterdir()):
        raise SyrmakError(f"{directory} is not empty.", "give a new or empty folder.",
                          code="folder-not-empty")
    summary = build_example(name, Path(directory), keeper=new_keeper(keyring, identity_file))
    for line in summary:
        click.echo(line)


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly
def migrate(directory, yes):
    """Upgrade the study store to this syrmak's schema (a shared PostgreSQL store needs this).

    A SQLite study is backed up and upgraded on every open anyway; a PostgreSQL store that
    others use is upgraded only by this command, once, after a backup.

    Example: syrmak migrate my-study
    """
    from syrmak.study import Study

    click.echo("Back up the store first: for PostgreSQL, pg_dump the database (or schema); "
               "a SQLite study.db is copied beside itself before the upgrade.", err=True)
    if not yes:
        click.confirm("Upgrade the study store now?", abort=True, err=True)
    study = Study.migrate(directory)
    if study.upgraded_from is None and study.backup is None:
        click.echo("The study store is already current; nothing to do.")
    else:
        click.echo(f"Upgraded the study store from schema revision "
                   f"{study.upgraded_from or 'none'}."
                   + (f" The old one was backed up to {study.backup}" if study.backup else ""))
    study.close()


#: What ``syrmak.cli`` mounts on the ``syrmak`` group.
COMMANDS = [init, questionnaire, import_, responses, example, migrate]
