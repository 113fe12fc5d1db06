"""Survey table commands: freq, crosstab, banner, likert."""

from __future__ import annotations

import click

from syrmak.cli.tools import audit_export, friendly, open_study, publishable
from syrmak.errors import SyrmakError


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
    from syrmak.render.results import render

    if fmt == "xlsx" and not output:
        raise SyrmakError("the xlsx format writes a file.", "add -o TABLE.xlsx.", code="bad-argument")
    if output:
        # What leaves the screen hides small cells of tables over identifying questions.
        result = publishable(result)
    rendered = render(result, fmt, output)
    audit_export(output, fmt)
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
    return study.analysis_questionnaire, frame, design


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("question")
@analysis_options
@friendly
def freq(directory, question, lang, ci, where, weight, fmt, output):
    """Frequencies of one question (multiple-response table for select_multiple, rank-frequency
    table for rank). A question of a repeat group counts its records.

    Example: syrmak freq kz-study respondent_type --lang en --ci
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


@click.command("crosstab")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("row")
@click.argument("column")
@click.option("--percent", type=click.Choice(["total", "row", "column"]), default="column",
              show_default=True,
              help="Percent of each column (the usual reading), of each row, or of the total.")
@analysis_options
@friendly
def crosstab_(directory, row, column, percent, lang, ci, where, weight, fmt, output):
    """Crosstab of two questions with chi-square / Fisher tests and Cramér's V.

    Example: syrmak crosstab kz-study adaptation effectiveness_change --lang en
    """
    from syrmak.analysis import crosstab

    form, frame, weight = study_frame(directory, lang, [row, column], where, weight)
    emit(crosstab(form, frame, row, column, percent=percent, lang=lang, ci=ci,
                  where=list(where) or None, weight=weight), fmt, output)


@click.command("banner")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("row")
@click.argument("columns", nargs=-1, required=True)
@analysis_options
@friendly
def banner_(directory, row, columns, lang, ci, where, weight, fmt, output):
    """One row question against several column questions, with column-proportion letters.

    Example: syrmak banner kz-study adaptation respondent_type regions --lang en
    """
    from syrmak.analysis import banner

    form, frame, weight = study_frame(directory, lang, [row, *columns], where, weight)
    emit(banner(form, frame, row, list(columns), lang=lang, ci=ci, where=list(where) or None,
                weight=weight), fmt, output)


@click.command("likert")
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
    """A Likert battery: items sharing one choice list, in one table.

    Example: syrmak likert kz-study difficulty --lang en
    """
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


#: What ``syrmak.cli`` mounts on the ``syrmak`` group.
COMMANDS = [freq, crosstab_, banner_, likert_]
