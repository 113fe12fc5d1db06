"""``syrmak audit``, ``purge``, ``archive`` and ``unarchive``: the privacy toolkit's commands.

Each command parses, calls one function of ``syrmak.privacy``, and prints.
"""

from __future__ import annotations

import json

import click

from syrmak.cli.tools import friendly, open_study


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--verify", is_flag=True, help="Check the hash chain; name the first broken entry.")
@click.option("--action", help="Only entries of this action (e.g. contacts-read, export).")
@click.option("--actor", help="Only entries by this person.")
@click.option("--since", help="Only entries at or after this UTC date or time (2026-11-29).")
@click.option("--until", help="Only entries before this UTC date or time.")
@friendly
def audit(directory, verify, action, actor, since, until):
    """List the audit trail of sensitive acts, or check that nobody edited it.

    Example: syrmak audit my-study --verify
    """
    from syrmak.privacy import audit as trail

    study = open_study(directory)
    if verify:
        result = trail.verify(study)
        if result.ok:
            click.echo(f"The audit trail is intact: {result.entries} entries, each chained to "
                       f"the one before. Newest hash: {result.head}")
            return
        entry = result.broken
        click.secho(f"The audit trail is broken at entry {entry.id} ({entry.at}, {entry.actor}, "
                    f"{entry.action}): {result.reason}. Entries from there on cannot be "
                    "trusted.", fg="red", err=True)
        raise SystemExit(2)
    found = trail.entries(study, action=action, actor=actor, since=since, until=until)
    if not found:
        click.echo("No audit entries match.")
        return
    for entry in found:
        detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
        target = f" {entry.target}" if entry.target else ""
        click.echo(f"{entry.id:>6}  {entry.at[:19]}Z  {entry.actor:<14} {entry.action}{target}"
                   f"  {detail}")


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--contacts", is_flag=True, help="Delete the vault's entries (contacts, quarantined answers).")
@click.option("--before", help="With --contacts: only of respondents who answered before this date.")
@click.option("--recordings", is_flag=True, help="Delete the recordings in the study's media/ folder.")
@click.option("--backups", is_flag=True, help="Delete the store's backups (study.*.bak.db).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly
def purge(directory, contacts, before, recordings, backups, yes):
    """Delete for good what the study no longer needs: contacts, recordings, old backups.

    Example: syrmak purge my-study --contacts --before 2026-06-01
    """
    from syrmak.privacy import retention

    if not (contacts or recordings or backups):
        raise click.UsageError("say what to purge: --contacts, --recordings and/or --backups.")
    if before and not contacts:
        raise click.UsageError("--before goes with --contacts.")
    study = open_study(directory)
    files = {"backups": retention.backups(study) if backups else (),
             "recordings": retention.recordings(study) if recordings else ()}
    for kind, found in files.items():
        for path in found:
            click.echo(f"{kind[:-1]}: {path}")
    if not yes:
        what = [w for w, on in (("every contact" + (f" given before {before}" if before else ""),
                                 contacts), (f"{len(files['recordings'])} recording(s)", recordings),
                                (f"{len(files['backups'])} backup(s)", backups)) if on]
        click.confirm(f"Delete {', '.join(what)} for good (this cannot be undone)?", abort=True)
    done = []
    if contacts:
        done.append(retention.purge_contacts(study, before))
    if recordings:
        done.append(retention.purge_recordings(study))
    if backups:
        done.append(retention.purge_backups(study))
    for result in done:
        click.echo(result.summary())
        for problem in result.residue:
            click.secho(f"Warning: {problem}", fg="yellow", err=True)


COMMANDS = [audit, purge]


def _archive_passphrase(confirm: bool) -> str:
    """The archive's passphrase: SYRMAK_ARCHIVE_PASSPHRASE for scripts, else asked for.

    Never an option: it would sit in the shell history and in every process listing.
    """
    import os

    from syrmak.cli.tools import _interactive

    if os.environ.get("SYRMAK_ARCHIVE_PASSPHRASE"):
        return os.environ["SYRMAK_ARCHIVE_PASSPHRASE"]
    if not _interactive():
        raise click.UsageError("no terminal to ask for the archive's passphrase: run it in a "
                               "terminal, or set SYRMAK_ARCHIVE_PASSPHRASE (less safe).")
    return click.prompt("Archive passphrase", hide_input=True, confirmation_prompt=confirm,
                        err=True)


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--to", "recipients", multiple=True,
              help="Encrypt to this age public key (age1...) instead of a passphrase; repeatable.")
@friendly
def archive(directory, out, recipients):
    """Write the whole study (store, media, settings; not the key) as one encrypted file.

    Example: syrmak archive my-study my-study.syrmak.age
    """
    from syrmak.privacy.archive import create

    study = open_study(directory)
    passphrase = None if recipients else _archive_passphrase(confirm=True)
    done = create(study, out, passphrase=passphrase, recipients=tuple(recipients))
    click.echo(f"Wrote {done.path} ({done.files} files, {done.size:,} bytes, encrypted to "
               f"{'the passphrase' if passphrase else 'the given keys'}). The vault key is not "
               "in it: hand it over separately to whoever must read contacts.")
    for line in done.left_out:
        click.secho(f"Not archived: {line}", fg="yellow", err=True)


@click.command()
@click.argument("archive_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--identity", type=click.Path(exists=True, dir_okay=False),
              help="The age key file the archive was encrypted to (instead of a passphrase).")
@friendly
def unarchive(archive_file, directory, identity):
    """Restore a study from an encrypted archive into a new folder.

    Example: syrmak unarchive my-study.syrmak.age restored-study
    """
    from syrmak.privacy.archive import restore

    passphrase = None if identity else _archive_passphrase(confirm=False)
    folder = restore(archive_file, directory, passphrase=passphrase, identity=identity)
    click.echo(f"Restored the study into {folder}.")


COMMANDS += [archive, unarchive]


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("-k", "k", type=click.IntRange(min=2),
              help="Smallest group size that is safe to publish (default: [privacy] k, or 3).")
@friendly
def disclosure(directory, k):
    """Check before publishing: who is unique on the identifying questions, which quote
    attributions and map regions point at few people.

    Example: syrmak disclosure my-study -k 3
    """
    from syrmak.privacy.disclosure import check

    for line in check(open_study(directory), k).lines():
        click.echo(line)


COMMANDS += [disclosure]


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--document", help="Only this document (name or id).")
@click.option("--list", "list_", is_flag=True, help="List the proposals (with their context) instead of finding new ones.")
@click.option("--status", type=click.Choice(["proposed", "accepted", "rejected"]),
              help="With --list: only proposals in this state.")
@click.option("--kind", type=click.Choice(["person", "place", "organisation", "contact"]),
              help="With --list: only proposals of this kind.")
@click.option("--accept", type=int, multiple=True, help="Accept proposal ID (repeatable).")
@click.option("--reject", type=int, multiple=True, help="Reject proposal ID (repeatable).")
@click.option("--reveal", type=int, help="Show the original text behind redaction ID (audited).")
@friendly
def redact(directory, document, list_, status, kind, accept, reject, reveal):
    """Propose redactions of names, places, organisations and contacts; accept or reject them.

    Example: syrmak redact my-study --document interview-26
    """
    from syrmak.privacy import redaction

    study = open_study(directory)
    if reveal is not None:
        click.echo(redaction.reveal(study, reveal))
        return
    if accept or reject:
        if accept:
            redaction.decide(study, list(accept), True)
        if reject:
            redaction.decide(study, list(reject), False)
        click.echo(f"Accepted {len(accept)}, rejected {len(reject)}. Accepted ones are "
                   "pseudonymised in the report's quotes, document exports and "
                   "'export qdpx --redacted'.")
        return
    if not list_:
        new = redaction.propose(study, document)
        click.echo(f"{new} new proposal(s). Review them with 'syrmak redact {directory} --list'.")
        return
    for p in redaction.proposals(study, document, status, kind):
        shown = f"  -> {p.pseudonym}" if p.pseudonym else ""
        click.echo(f"{p.id:>5}  {p.status:<9} {p.kind:<12} {p.document}:{p.start}-{p.end}  "
                   f"{p.context}{shown}")


COMMANDS += [redact]


@click.group("db")
def db_group() -> None:
    """The study's PostgreSQL store: the app role that runs the workspace."""


@db_group.command("grant")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--app-role", "role", required=True,
              help="The PostgreSQL role the workspace connects as (not the tables' owner).")
@click.option("--create", is_flag=True, help="Create the role (LOGIN, no password) if missing.")
@click.option("--check", is_flag=True, help="Only check the role's rights; change nothing.")
@friendly
def db_grant(directory, role, create, check):
    """Let the app role use the study but only read and append to the audit trail (run as
    the tables' owner, after each 'syrmak migrate').

    Example: syrmak db grant my-study --app-role syrmak_app --create
    """
    from syrmak.privacy import grants

    study = open_study(directory)
    result = (grants.check_app_role(study, role) if check
              else grants.grant_app_role(study, role, create=create))
    if not check:
        click.echo(f"{'Created and granted' if result.created else 'Granted'} {result.role} on "
                   f"schema {result.schema} (tables owned by {result.owner}): read and write "
                   "the study, SELECT and INSERT only on audit_log.")
    for problem in result.problems:
        click.secho(f"Problem: {problem}.", fg="red", err=True)
    if result.problems:
        raise SystemExit(2)
    click.echo(f"{result.role} cannot update, delete or truncate the audit trail, nor drop "
               "its triggers.")


COMMANDS += [db_group]
