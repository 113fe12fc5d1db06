"""Contact-vault and erasure commands: contacts, quarantine, vault, withdraw, seal, scrub."""

from __future__ import annotations

import click

from syrmak.cli.tools import friendly, identity_file_option, keyring_option, open_study
from syrmak.text import plural


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


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--identity-file", type=click.Path(),
              help="Where the vault key file is, if it is kept as a file.")
@friendly
def contacts(directory, identity_file):
    """List the contact details in the vault (asks for the vault passphrase).

    Example: syrmak contacts my-study
    """
    from syrmak.cli.tools import unlock

    study = open_study(directory)
    found = study.contacts(unlock(study, identity_file))
    for problem in found.damaged:
        click.secho(f"Warning: {problem}", fg="yellow", err=True)
    if not len(found):
        click.echo("The vault holds no contacts.")
        return
    click.echo(found.table.fillna("").to_string(index=False))


@click.group()
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
    from syrmak.cli.tools import unlock
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
    from syrmak.cli.tools import unlock
    from syrmak.privacy.quarantine import release

    study = open_study(directory)
    done = release(study, unlock(study, identity_file), respondent, question)
    click.echo(f"Released respondent {done.respondent}'s answer to '{done.question}': stored "
               f"again ({', '.join(done.answers)}), no longer in the vault.")


@click.group()
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
@keyring_option
@identity_file_option
@friendly
def vault_upgrade(directory, keyring, identity_file):
    """Re-seal a syrmak 0.1 vault (AES key file) to a new key pair, then destroy the old key.

    Example: syrmak vault upgrade my-study
    """
    import os

    from syrmak.cli.tools import new_keeper

    study = open_study(directory)
    if not study.vault_is_legacy:
        click.echo("The vault is already sealed to the study's public key; nothing to do.")
        return
    old = os.environ.get("SYRMAK_PASSPHRASE")
    if study.meta("vault_mode") == "passphrase" and not old:
        from syrmak.cli.tools import _ask_passphrase
        old = _ask_passphrase()
    study.unlock(passphrase=old, new_keeper=new_keeper(keyring, identity_file))
    click.echo("Re-sealed the vault; the old key file and the pre-upgrade backup were "
               "overwritten and deleted.")
    click.echo(vault_note(study))


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("number", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly
def withdraw(directory, number, yes):
    """Erase respondent NUMBER: answers, contacts and linked documents (cannot be undone).

    Example: syrmak withdraw my-study 12
    """
    from syrmak.privacy.erasure import ErasureIncomplete

    if not yes:
        click.confirm(f"Erase respondent {number} and every document linked to them?", abort=True)
    try:
        done = open_study(directory).withdraw(number)
    except ErasureIncomplete as exc:
        _withdrawn(exc.result)
        raise
    _withdrawn(done)


def _withdrawn(done) -> None:
    entries = plural(done.contacts_deleted, "contact entry", "contact entries")
    click.echo(f"Respondent {done.respondent} withdrawn: answers erased, {entries} "
               f"and {plural(done.documents_deleted, 'document')} deleted.")
    for line in done.leftovers():
        click.secho(f"Still to do: {line}", fg="yellow", err=True)


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("question")
@friendly
def seal(directory, question):
    """Make QUESTION personal data: move its stored answers into the vault, out of the answers.

    Mark it personal_data = yes in your XLSForm too, or loading that file again makes it an
    ordinary question for later imports.

    Example: syrmak seal my-study colleagues_contacts
    """
    from syrmak.privacy.erasure import ErasureIncomplete
    from syrmak.survey.sealing import seal_question

    try:
        done = seal_question(open_study(directory), question)
    except ErasureIncomplete as exc:
        click.echo(exc.result.summary())
        raise
    click.echo(done.summary())
    for problem in done.residue:
        click.secho(f"Warning: {problem}", fg="yellow", err=True)


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@friendly
def scrub(directory):
    """Overwrite what withdrawals and sealing freed, when a program had the study open then.

    Example: syrmak scrub my-study
    """
    from syrmak.privacy.erasure import finish

    study = open_study(directory)
    for problem in finish(study):
        click.secho(f"Warning: {problem}", fg="yellow", err=True)
    click.echo("The store's files no longer hold erased data"
               + (" (see docs/privacy.md for what PostgreSQL keeps elsewhere)."
                  if study.engine.dialect.name == "postgresql" else "."))


#: What ``syrmak.cli`` mounts on the ``syrmak`` group.
COMMANDS = [contacts, quarantine, vault, withdraw, seal, scrub]
