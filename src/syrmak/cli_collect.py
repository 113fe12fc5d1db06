"""Commands for collecting the survey online: publish, close, status."""

from __future__ import annotations

import click

from syrmak.clitools import friendly, open_study


@click.group()
def survey() -> None:
    """Collect the survey online: publish the questionnaire, close it, see its versions."""


@survey.command("publish")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--form", "form_path", type=click.Path(exists=True, dir_okay=False),
              help="The XLSForm (default: the study's questionnaire file in its folder).")
@friendly
def survey_publish(directory, form_path):
    """Publish the study's questionnaire as the next form version; it takes answers at once.

    Example: syrmak survey publish kz-study
    """
    from syrmak.collect.forms import publish

    done = publish(open_study(directory), form_path)
    click.echo(f"Published '{done.title}' ({done.form_id}) as form version {done.number}; "
               "it takes answers now ('syrmak serve DIR --survey-only').")


@survey.command("close")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@friendly
def survey_close(directory):
    """Stop taking answers: the open form version is closed.

    Example: syrmak survey close kz-study
    """
    from syrmak.collect.forms import close

    done = close(open_study(directory))
    click.echo(f"Closed form version {done.number}; the survey takes no more answers.")


@survey.command("status")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@friendly
def survey_status(directory):
    """List the published form versions and which one takes answers.

    Example: syrmak survey status kz-study
    """
    from syrmak.collect.forms import versions

    found = versions(open_study(directory))
    if not found:
        click.echo("Not published yet: 'syrmak survey publish DIR'.")
    for v in found:
        state = "open" if v.is_open else f"closed {v.closed_at:%Y-%m-%d %H:%M}"
        click.echo(f"version {v.number}  published {v.published_at:%Y-%m-%d %H:%M}  {state}")


COMMANDS = [survey]
