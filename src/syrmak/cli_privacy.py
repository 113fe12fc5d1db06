"""``syrmak audit``, ``purge``, ``archive`` and ``unarchive``: the privacy toolkit's commands.

Each command parses, calls one function of ``syrmak.privacy``, and prints.
"""

from __future__ import annotations

import json

import click

from syrmak.clitools import friendly, open_study


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
                       "the one before.")
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


COMMANDS = [audit]
