"""The ``syrmak`` command: one thin command per library call."""

from __future__ import annotations

from pathlib import Path

import click

from syrmak.clitools import friendly, open_study
from syrmak.errors import SyrmakError


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
    from syrmak.store.db import url_has_password
    from syrmak.store.vault import key_path
    from syrmak.study import Study

    if db_url and url_has_password(db_url):
        click.secho("Warning: the URL holds a password, and syrmak.toml will too. Prefer "
                    "PGPASSWORD or ~/.pgpass, which PostgreSQL's client reads.", fg="yellow",
                    err=True)
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
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write CSV here (a workbook if the name ends in .xlsx) instead of printing.")
@friendly
def responses(directory, lang, output):
    """Print or save the responses as a table (no personal data)."""
    from syrmak.exports import write_table

    frame = open_study(directory).responses(lang=lang)
    if output:
        write_table(frame, output, sheet_name="responses")
        click.echo(f"Wrote {len(frame)} respondents to {output}")
    else:
        click.echo(frame.to_string())


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("number", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly
def withdraw(directory, number, yes):
    """Erase respondent NUMBER: answers, contacts and linked documents (cannot be undone)."""
    if not yes:
        click.confirm(f"Erase respondent {number} and every document linked to them?", abort=True)
    done = open_study(directory).withdraw(number)
    click.echo(f"Respondent {done.respondent} withdrawn: answers erased, {done.contacts_deleted} "
               f"contact entries and {done.documents_deleted} documents deleted. Delete old "
               "backups of the study too.")


def analysis_options(func):
    """The options every table command shares."""
    options = [
        click.option("--lang", help="Label language code (e.g. en)."),
        click.option("--ci", is_flag=True, help="Add 95% Wilson intervals to every percentage."),
        click.option("--where", "where", multiple=True,
                     help="Only respondents matching, e.g. \"respondent_type = independent\"; repeatable."),
        click.option("--weight", help="A numeric column to weight by."),
        click.option("--format", "fmt", default="table", show_default=True,
                     type=click.Choice(["table", "csv", "xlsx", "json", "markdown"])),
        click.option("-o", "--output", type=click.Path(dir_okay=False),
                     help="Write to this file (needed for xlsx)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def emit(result, fmt: str, output: str | None) -> None:
    from syrmak.analysis.formats import render

    if fmt == "xlsx" and not output:
        raise SyrmakError("the xlsx format writes a file.", "add -o TABLE.xlsx.", code="bad-argument")
    rendered = render(result, fmt, output)
    click.echo(f"Wrote {output}" if output else rendered)


def study_frame(directory: str, lang: str | None):
    study = open_study(directory)
    return study.questionnaire, study.responses(lang=lang)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("question")
@analysis_options
@friendly
def freq(directory, question, lang, ci, where, weight, fmt, output):
    """Frequencies of one question (multiple-response table for select_multiple)."""
    from syrmak.analysis import frequencies, multiple_response

    form, frame = study_frame(directory, lang)
    analyse = multiple_response if form.question(question).type == "select_multiple" else frequencies
    emit(analyse(form, frame, question, lang=lang, ci=ci, where=list(where) or None, weight=weight),
         fmt, output)


@main.command("crosstab")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("row")
@click.argument("column")
@click.option("--percent", type=click.Choice(["total", "row", "column"]), default="total",
              show_default=True)
@analysis_options
@friendly
def crosstab_(directory, row, column, percent, lang, ci, where, weight, fmt, output):
    """Crosstab of two questions with chi-square / Fisher tests and Cramér's V."""
    from syrmak.analysis import crosstab

    form, frame = study_frame(directory, lang)
    emit(crosstab(form, frame, row, column, percent=percent, lang=lang, ci=ci,
                  where=list(where) or None, weight=weight), fmt, output)


@main.command("banner")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("row")
@click.argument("columns", nargs=-1, required=True)
@analysis_options
@friendly
def banner_(directory, row, columns, lang, ci, where, weight, fmt, output):
    """One row question against several column questions, with column-proportion letters."""
    from syrmak.analysis import banner

    form, frame = study_frame(directory, lang)
    emit(banner(form, frame, row, list(columns), lang=lang, ci=ci, where=list(where) or None,
                weight=weight), fmt, output)


@main.command("likert")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("questions", nargs=-1, required=True)
@click.option("--collapse", multiple=True, metavar="LABEL=opt1,opt2",
              help="Merge scale options into one column, e.g. 'Agree=agree,rather_agree'; repeatable.")
@click.option("--sort", type=click.Choice(["net", "top", "bottom"]), help="Sort items.")
@click.option("--base", type=click.Choice(["all", "valid", "scale"]), default="all", show_default=True,
              help="Percent of all respondents, of those who answered, or of on-scale answers.")
@analysis_options
@friendly
def likert_(directory, questions, collapse, sort, base, lang, ci, where, weight, fmt, output):
    """A Likert battery: items sharing one choice list, in one table."""
    from syrmak.analysis import likert

    merged = {}
    for spec in collapse:
        label, sep, names = spec.partition("=")
        if not sep or not names.strip():
            raise SyrmakError(f"--collapse '{spec}' is not LABEL=option1,option2.",
                              "write e.g. --collapse 'Agree=agree,rather_agree'.", code="bad-argument")
        merged[label.strip()] = [n.strip() for n in names.split(",") if n.strip()]
    form, frame = study_frame(directory, lang)
    items = questions[0] if len(questions) == 1 else list(questions)
    emit(likert(form, frame, items, collapse=merged or None, sort=sort, base=base, lang=lang, ci=ci,
                where=list(where) or None, weight=weight), fmt, output)


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


def _register_plugins() -> None:
    """Command groups that live beside their library code (qualitative, reports)."""
    from syrmak.qual.commands import COMMANDS as QUAL
    from syrmak.report.commands import COMMANDS as REPORT

    for command in (*QUAL, *REPORT):
        main.add_command(command)


_register_plugins()

if __name__ == "__main__":  # pragma: no cover
    main()
