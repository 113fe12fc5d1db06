"""CLI commands of the report package; ``syrmak.cli`` mounts ``COMMANDS``."""

from __future__ import annotations

import click

from syrmak.cli.tools import friendly, open_study
from syrmak.text import plural


@click.command("report")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", "out", type=click.Path(),
              help="Folder, or file name without suffix (default: DIRECTORY/<output>.html/.docx).")
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False),
              help="Report spec (default: DIRECTORY/report.yaml).")
@click.option("--format", "formats", multiple=True, type=click.Choice(["html", "docx"]),
              help="Only this format (repeatable; default: both).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--drop-missing-quotes", "drop", is_flag=True,
              help="First remove from the spec the quotes whose document is gone (after "
                   "'syrmak withdraw'); the old spec is kept as report.yaml.bak.")
@click.option("--draft", is_flag=True,
              help="First write the spec anew from the questionnaire and the codebook (a "
                   "table and chart per closed question, a quote per code); the old one is "
                   "kept as report.yaml.bak.")
@click.option("--lang", help="With --draft: the report's language (default: en if the form "
                              "has it).")
@friendly
def report(directory, out, spec_path, formats, quiet, drop, draft, lang):
    """Build the study's report (report.yaml) as one self-contained HTML file and a DOCX.

    Example: syrmak report my-study --drop-missing-quotes
    """
    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from syrmak.report import FORMATS, build_report, drop_missing_quotes, load_spec, steps

    study = open_study(directory)
    path = Path(spec_path) if spec_path else Path(directory) / "report.yaml"
    if draft:
        from syrmak.report.draft import write_draft

        _, backup = write_draft(study, path, lang)
        click.echo(f"Wrote a draft {path.name} from the questionnaire and codebook"
                   + (f" (the old one is {backup.name})." if backup else "."))
    if drop:
        dropped = drop_missing_quotes(study, path)
        if dropped:
            click.echo(f"Removed {len(dropped)} quote{'s' if len(dropped) != 1 else ''} whose "
                       f"document is gone from {path.name} (lines "
                       f"{', '.join(map(str, dropped))}); the old spec is {path.name}.bak.")
        else:
            click.echo("No quote points at a missing document.")
    spec = load_spec(path)
    formats = tuple(formats) or FORMATS
    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description:<12}"), BarColumn(),
                   TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(), console=console,
                   disable=quiet or not console.is_terminal, transient=True)
    with bar:
        task = bar.add_task("Checking", total=steps(spec, formats))

        def progress(step: str) -> None:
            bar.update(task, advance=1, description=step)

        result = build_report(study, spec, out, formats, progress)
    for warning in result.warnings:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    click.echo(f"Wrote {result.summary()}")


@click.group("translation")
def translation() -> None:
    """Translations of quoted passages (printed above the original in reports)."""


@translation.command("set")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--document", required=True, help="Document name (or id).")
@click.option("--code", help="Quote the passage coded with this code...")
@click.option("--occurrence", type=int, help="...its N-th coded passage in the document.")
@click.option("--text", "quoted", help="...or the exact original words.")
@click.option("--start", type=int, help="...or code-point offsets START and END.")
@click.option("--end", type=int)
@click.option("--lang", required=True, help="Language of the translation, e.g. en.")
@click.argument("translated")
@friendly
def translation_set(directory, document, code, occurrence, quoted, start, end, lang,
                    translated):
    """Store the translation TRANSLATED of one passage.

    Example: syrmak translation set kz-study "Colleagues helped us." --document interview-26 --start 10 --end 60
    """
    from syrmak.report import set_translation

    locator = {"document": document}
    for key, value in (("code", code), ("occurrence", occurrence), ("text", quoted),
                       ("start", start), ("end", end)):
        if value is not None:
            locator[key] = value
    saved = set_translation(open_study(directory), locator, lang, translated)
    click.echo(f"Stored the '{lang}' translation of {saved.document} "
               f"{saved.start}-{saved.end}.")


@translation.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@friendly
def translation_import(directory, file):
    """Store the translations listed in a YAML FILE (all or none).

    Example: syrmak translation import kz-study translations.yaml
    """
    from syrmak.report import import_translations

    saved = import_translations(open_study(directory), file)
    click.echo(f"Stored {plural(len(saved), 'translation')}.")


@translation.command("list")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--lang", help="Only this language.")
@friendly
def translation_list(directory, lang):
    """List the stored translations.

    Example: syrmak translation list kz-study
    """
    from syrmak.report import list_translations

    items = list_translations(open_study(directory), lang)
    if not items:
        click.echo("No translations stored.")
        return
    for t in items:
        click.echo(f"{t.document} {t.start}-{t.end} [{t.language}, {t.translator}]")
        click.echo(f"  {t.original[:100]}")
        click.echo(f"  -> {t.text[:100]}")


COMMANDS = [report, translation]
