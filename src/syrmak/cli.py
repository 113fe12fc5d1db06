"""The ``syrmak`` command: one thin command per library call."""

from __future__ import annotations

from pathlib import Path

import click

from syrmak.clitools import friendly, open_study
from syrmak.errors import SyrmakError
from syrmak.survey.layouts import FORMATS


@click.group()
@click.version_option(package_name="syrmak")
def main() -> None:
    """syrmak: an offline, privacy-first workbench for mixed-methods social research."""


_keyring_option = click.option(
    "--keyring", is_flag=True,
    help="Keep the vault key in the operating system's keyring instead of behind a passphrase.")
_identity_file_option = click.option(
    "--identity-file", type=click.Path(dir_okay=True),
    help="Keep the vault key as a plain file (e.g. on removable media) instead of behind a "
         "passphrase: a folder (one key file per study) or a file name ending in .key.")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--db", "db_url", help="Put the store on this database (postgresql://...) instead of study.db.")
@click.option("--title", help="Study title (default: the folder name).")
@_keyring_option
@_identity_file_option
@friendly
def init(directory, db_url, title, keyring, identity_file):
    """Create a study folder: syrmak.toml, the store, and the contact-vault key pair.

    The vault key is locked with a passphrase you are asked for (scripts: SYRMAK_PASSPHRASE).

    Example: syrmak init my-study
    """
    from syrmak.clitools import new_keeper
    from syrmak.store.db import url_has_password
    from syrmak.study import Study

    if db_url and url_has_password(db_url):
        click.secho("Warning: the URL holds a password, and syrmak.toml will too. Prefer "
                    "PGPASSWORD or ~/.pgpass, which PostgreSQL's client reads.", fg="yellow",
                    err=True)
    keeper = new_keeper(keyring, identity_file)
    study = Study.create(directory, db_url=db_url, title=title, keeper=keeper)
    click.echo(f"Created study {study.id} in {directory} ({study.engine.dialect.name} store).")
    click.echo(vault_note(study))


def vault_note(study) -> str:
    from syrmak.store.vault import locked_identity_path

    mode = study.meta("vault_keeper")
    if mode == "passphrase":
        return (f"Contact vault: key locked with your passphrase in "
                f"{locked_identity_path(study.id)} -- back up that file and remember the "
                "passphrase; without both, contacts are lost.")
    if mode == "keyring":
        return "Contact vault: key in the system keyring of this user account."
    return (f"Contact vault: key in {study.meta('vault_identity_hint')} -- keep it on removable "
            "media, unplugged when not in use, and back it up.")


@main.group()
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
    click.echo(f"Loaded '{loaded.title}' ({loaded.form_id}): {len(loaded.answered)} questions in "
               f"{len(loaded.sections)} sections, languages {', '.join(loaded.languages)}.")
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
    """Print the questionnaire: sections, questions, types, options."""
    from syrmak.survey.show import describe

    click.echo(describe(open_study(directory).questionnaire, lang))


@main.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(list(FORMATS)))
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
@click.option("--identity-file", type=click.Path(),
              help="Where the vault key file is, if it is kept as a file.")
@friendly
def contacts(directory, identity_file):
    """List the contact details in the vault (asks for the vault passphrase).

    Example: syrmak contacts my-study
    """
    from syrmak.clitools import unlock

    study = open_study(directory)
    found = study.contacts(unlock(study, identity_file))
    for problem in found.damaged:
        click.secho(f"Warning: {problem}", fg="yellow", err=True)
    if not len(found):
        click.echo("The vault holds no contacts.")
        return
    click.echo(found.table.fillna("").to_string(index=False))


@main.group()
def quarantine() -> None:
    """Answers held in the vault because they look like contact details."""


@quarantine.command("list")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--identity-file", type=click.Path(),
              help="Where the vault key file is, if it is kept as a file.")
@friendly
def quarantine_list(directory, identity_file):
    """Show the quarantined answers: respondent, question, where from, value (needs the key).

    Example: syrmak quarantine list my-study
    """
    from syrmak.clitools import unlock
    from syrmak.privacy.quarantine import held

    study = open_study(directory)
    found = held(study, unlock(study, identity_file))
    for problem in found.damaged:
        click.secho(f"Warning: {problem}", fg="yellow", err=True)
    click.echo(found.table.fillna("").to_string(index=False) if len(found)
               else "Nothing is in quarantine.")


@quarantine.command("release")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("respondent", type=int)
@click.argument("question")
@click.option("--identity-file", type=click.Path(),
              help="Where the vault key file is, if it is kept as a file.")
@friendly
def quarantine_release(directory, respondent, question, identity_file):
    """Store a quarantined answer as the answer again and drop it from the vault (needs the key).

    Example: syrmak quarantine release my-study 4 story
    """
    from syrmak.clitools import unlock
    from syrmak.privacy.quarantine import release

    study = open_study(directory)
    done = release(study, unlock(study, identity_file), respondent, question)
    click.echo(f"Released respondent {done.respondent}'s answer to '{done.question}': stored "
               f"again ({', '.join(done.answers)}), no longer in the vault.")


@main.group()
def vault() -> None:
    """The contact vault: its state, and re-sealing an old one."""


@vault.command("status")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@friendly
def vault_status(directory):
    """Say how the vault key is kept and how many entries are sealed (needs no key).

    Example: syrmak vault status my-study
    """
    from syrmak.store.vault import describe

    click.echo(describe(open_study(directory)))


@vault.command("upgrade")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@_keyring_option
@_identity_file_option
@friendly
def vault_upgrade(directory, keyring, identity_file):
    """Re-seal a syrmak 0.1 vault (AES key file) to a new key pair, then destroy the old key.

    Example: syrmak vault upgrade my-study
    """
    import os

    from syrmak.clitools import new_keeper

    study = open_study(directory)
    if not study.vault_is_legacy:
        click.echo("The vault is already sealed to the study's public key; nothing to do.")
        return
    old = os.environ.get("SYRMAK_PASSPHRASE")
    if study.meta("vault_mode") == "passphrase" and not old:
        from syrmak.clitools import _ask_passphrase
        old = _ask_passphrase()
    study.unlock(passphrase=old, new_keeper=new_keeper(keyring, identity_file))
    click.echo("Re-sealed the vault; the old key file and the pre-upgrade backup were "
               "overwritten and deleted.")
    click.echo(vault_note(study))


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
    """Erase respondent NUMBER: answers, contacts and linked documents (cannot be undone).

    Example: syrmak withdraw my-study 12
    """
    from syrmak.store.erasure import ErasureIncomplete

    if not yes:
        click.confirm(f"Erase respondent {number} and every document linked to them?", abort=True)
    try:
        done = open_study(directory).withdraw(number)
    except ErasureIncomplete as exc:
        _withdrawn(exc.result)
        raise
    _withdrawn(done)


def _withdrawn(done) -> None:
    click.echo(f"Respondent {done.respondent} withdrawn: answers erased, {done.contacts_deleted} "
               f"contact entries and {done.documents_deleted} documents deleted.")
    for line in done.leftovers():
        click.secho(f"Still to do: {line}", fg="yellow", err=True)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("question")
@friendly
def seal(directory, question):
    """Make QUESTION personal data: move its stored answers into the vault, out of the answers.

    Mark it personal_data = yes in your XLSForm too, or loading that file again makes it an
    ordinary question for later imports.

    Example: syrmak seal my-study colleagues_contacts
    """
    from syrmak.store.erasure import ErasureIncomplete
    from syrmak.survey.sealing import seal_question

    try:
        done = seal_question(open_study(directory), question)
    except ErasureIncomplete as exc:
        click.echo(exc.result.summary())
        raise
    click.echo(done.summary())
    for problem in done.residue:
        click.secho(f"Warning: {problem}", fg="yellow", err=True)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@friendly
def scrub(directory):
    """Overwrite what withdrawals and sealing freed, when a program had the study open then.

    Example: syrmak scrub my-study
    """
    from syrmak.store.erasure import finish

    study = open_study(directory)
    for problem in finish(study):
        click.secho(f"Warning: {problem}", fg="yellow", err=True)
    click.echo("The store's files no longer hold erased data"
               + (" (see docs/privacy.md for what PostgreSQL keeps elsewhere)."
                  if study.engine.dialect.name == "postgresql" else "."))


def analysis_options(func):
    """The options every table command shares."""
    options = [
        click.option("--lang", help="Label language code (e.g. en)."),
        click.option("--ci", is_flag=True, help="Add 95% intervals to every percentage (Wilson; "
                     "design-based logit when weighted)."),
        click.option("--where", "where", multiple=True,
                     help="Only respondents matching, e.g. \"respondent_type = independent\"; repeatable."),
        click.option("--weight", help="A numeric column to weight by (overrides [design] "
                     "in syrmak.toml); weighted tests and intervals are design-based."),
        click.option("--strata", help="The column of sampling strata (design-based variance)."),
        click.option("--cluster", help="The column of primary sampling units (clusters)."),
        click.option("--fpc", help="The column of population PSU counts per stratum."),
        click.option("--unweighted", is_flag=True,
                     help="Ignore the design declared in syrmak.toml."),
        click.option("--format", "fmt", default="table", show_default=True,
                     type=click.Choice(["table", "csv", "xlsx", "json", "markdown"])),
        click.option("-o", "--output", type=click.Path(dir_okay=False),
                     help="Write to this file (needed for xlsx)."),
    ]
    import functools

    @functools.wraps(func)
    def run(*args, weight, strata, cluster, fpc, unweighted, **kwargs):
        # Commands receive one ``weight``: the design parts, resolved with the study's
        # [design] by study_frame.
        return func(*args, weight=(weight, strata, cluster, fpc, unweighted), **kwargs)

    for option in reversed(options):
        run = option(run)
    return run


def emit(result, fmt: str, output: str | None) -> None:
    from syrmak.analysis.formats import render

    if fmt == "xlsx" and not output:
        raise SyrmakError("the xlsx format writes a file.", "add -o TABLE.xlsx.", code="bad-argument")
    rendered = render(result, fmt, output)
    click.echo(f"Wrote {output}" if output else rendered)


def study_frame(directory: str, lang: str | None, names, where=(), weight=(None,) * 4 + (False,)):
    """The questionnaire, the frame of just what the analysis reads (its questions, its
    filter's and its design's columns) and the sampling design: [design] of syrmak.toml
    with --weight/--strata/--cluster/--fpc over it (None: unweighted)."""
    from syrmak.analysis.design import from_config
    from syrmak.survey.responses import analysis_frame

    study = open_study(directory)
    weight_, strata, cluster, fpc, unweighted = weight
    config = {} if unweighted else study.config
    design = from_config(config, weight=weight_, strata=strata, cluster=cluster, fpc=fpc)
    frame = analysis_frame(study, list(names), where=list(where), weight=design, lang=lang)
    return study.questionnaire, frame, design


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("question")
@analysis_options
@friendly
def freq(directory, question, lang, ci, where, weight, fmt, output):
    """Frequencies of one question (multiple-response table for select_multiple, rank-frequency
    table for rank). A question of a repeat group counts its records.

    Example: syrmak freq my-study kind --lang en
    """
    from syrmak.analysis import frequencies, multiple_response, rank_frequencies

    form, frame, weight = study_frame(directory, lang, [question], where, weight)
    kind = form.question(question).type
    if kind == "rank":
        emit(rank_frequencies(form, frame, question, lang=lang, where=list(where) or None,
                              weight=weight), fmt, output)
        return
    analyse = multiple_response if kind == "select_multiple" else frequencies
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

    form, frame, weight = study_frame(directory, lang, [row, column], where, weight)
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

    form, frame, weight = study_frame(directory, lang, [row, *columns], where, weight)
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
    form, frame, weight = study_frame(directory, lang, questions, where, weight)
    items = questions[0] if len(questions) == 1 else list(questions)
    emit(likert(form, frame, items, collapse=merged or None, sort=sort, base=base, lang=lang, ci=ci,
                where=list(where) or None, weight=weight), fmt, output)


@main.command()
@click.argument("name", type=click.Choice(["kz-civic-2021"]))
@click.argument("directory", type=click.Path(file_okay=False))
@_keyring_option
@_identity_file_option
@friendly
def example(name, directory, keyring, identity_file):
    """Build an example study into a fresh folder DIRECTORY (asks for a vault passphrase).

    Example: syrmak example kz-civic-2021 kz-study
    """
    from syrmak.clitools import new_keeper
    from syrmak.examples import build_example

    if Path(directory).exists() and any(Path(directory).iterdir()):
        raise SyrmakError(f"{directory} is not empty.", "give a new or empty folder.",
                          code="folder-not-empty")
    summary = build_example(name, Path(directory), keeper=new_keeper(keyring, identity_file))
    for line in summary:
        click.echo(line)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (a laptop study: this computer only).")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--user", help="Laptop: the one-time link signs in this researcher "
                             "(default: you, as the study's owner).")
@click.option("--tls-proxy", is_flag=True,
              help="Served behind a TLS reverse proxy: Secure cookies and HSTS.")
@friendly
def serve(directory, host, port, user, tls_proxy):
    """Open the researcher workspace in the browser: read, code, review, translate, report.

    On a laptop (SQLite study) it prints a one-time sign-in link; on a team store
    (PostgreSQL) researchers sign in with the accounts of 'syrmak users'.

    Example: syrmak serve kz-study
    """
    from syrmak.web.app import serve as run

    run(open_study(directory), host=host, port=port, user=user, secure=tls_proxy,
        echo=click.echo)


@main.group()
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


def _register_plugins() -> None:
    """Command groups that live beside their library code (qualitative, reports)."""
    from syrmak.qual.commands import COMMANDS as QUAL
    from syrmak.report.commands import COMMANDS as REPORT

    for command in (*QUAL, *REPORT):
        main.add_command(command)


_register_plugins()

if __name__ == "__main__":  # pragma: no cover
    main()
