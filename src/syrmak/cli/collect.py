"""Commands for collecting the survey online: publish, close, status."""

from __future__ import annotations

import click

from syrmak.cli.tools import audit_export, friendly, open_study


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


@click.group()
def coupons() -> None:
    """Referral coupons: seed links for the researchers to hand out."""


@coupons.command("seeds")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--count", default=5, show_default=True, type=int, help="How many seed links.")
@click.option("--base-url", required=True,
              help="The survey server's public address, e.g. https://survey.example.org.")
@click.option("--expires-days", type=int, help="Links stop working after this many days.")
@click.option("--qr", "qr_folder", type=click.Path(file_okay=False),
              help="Also write one QR code per link (SVG) into this folder.")
@friendly
def coupons_seeds(directory, count, base_url, expires_days, qr_folder):
    """Issue seed coupons: one link per seed, each works once.

    Example: syrmak coupons seeds kz-study --count 5 --base-url https://survey.example.org --qr seeds
    """
    from syrmak.collect import coupons as library

    codes = library.issue_seeds(open_study(directory), count, expires_days=expires_days)
    links = [library.link(base_url, code) for code in codes]
    for url in links:
        click.echo(url)
    if qr_folder:
        paths = library.write_qr_codes(links, qr_folder)
        click.echo(f"QR codes: {len(paths)} SVG files in {qr_folder}", err=True)





@click.command("rds")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--question", "-q", help="A categorical question to estimate with RDS-II.")
@click.option("--degree", "-d", help="The degree question (each respondent's network size "
                                     "in the target population); default: [survey] degree "
                                     "in syrmak.toml, else the question marked rds = degree "
                                     "on the XLSForm's survey sheet.")
@click.option("--replicates", default=1000, show_default=True, type=int,
              help="Tree-bootstrap replicates for the intervals.")
@click.option("--random-seed", default=2026, show_default=True, type=int,
              help="Seed of the bootstrap's random generator (same seed, same intervals).")
@click.option("--lang", help="Label language.")
@click.option("--chart", type=click.Choice(["tree", "convergence", "bottleneck"]),
              help="Draw a chart of --question instead of printing: the recruitment tree "
                   "coloured by its answers, or the convergence or bottleneck plot of its "
                   "RDS-II estimate.")
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="The chart's file, .svg or .png (with --chart).")
@friendly
def rds(directory, question, degree, replicates, random_seed, lang, chart, out):
    """The recruitment tree of a coupon-referred survey, and RDS-II estimates.

    Example: syrmak rds kz-study --question respondent_type --degree network_size
    Example: syrmak rds kz-study -q respondent_type --chart tree --out tree.svg
    """
    import pandas as pd

    from syrmak.analysis import rds as library
    from syrmak.collect.tree import recruitment

    study = open_study(directory)
    if chart or out:
        from syrmak.report import rds_report

        if not (chart and out and question):
            raise click.UsageError("a chart needs --chart KIND, --question QUESTION and "
                                   "--out FILE.svg (or .png).")
        drawn = rds_report.chart(study, chart, question, degree=degree, lang=lang,
                                 replicates=replicates, random_seed=random_seed)
        written = rds_report.write_chart(drawn, out)
        audit_export(str(written), f"rds-{chart}")  # respondents' numbers and answers
        click.echo(f"Wrote {written}")
        return
    tree = recruitment(study)
    found = library.summary(tree)
    click.echo(f"{found.respondents} respondents from {found.seeds} seeds; deepest wave "
               f"{found.depth}; coupon return {found.coupon_return_rate:.0%}; recruits per "
               f"recruiter {found.recruits_per_recruiter:.2f}; largest tree "
               f"{found.seed_dominance:.0%} of the sample.")
    click.echo("Waves: " + ", ".join(f"{w}: {n}" for w, n in found.per_wave))
    click.echo("Tree:")
    children: dict = {}
    for number, row in tree.iterrows():
        recruiter = None if pd.isna(row["recruiter"]) else int(row["recruiter"])
        children.setdefault(recruiter, []).append(number)

    def show(node, depth):
        click.echo("  " * depth + f"- {node}")
        for child in children.get(node, []):
            show(child, depth + 1)

    for root in children.get(None, []):
        show(root, 1)
    if not question:
        return
    from syrmak.report import rds_report

    form = study.questionnaire
    result = rds_report.estimate(study, question, degree=degree, lang=lang,
                                 replicates=replicates, random_seed=random_seed)
    click.echo(f"\nRDS-II of '{form.question(question).label(lang)}' (n={result.n}; "
               f"{result.level:.0%} tree-bootstrap interval, {replicates} replicates, "
               f"seed {random_seed}):")
    for i, category in enumerate(result.categories):
        click.echo(f"  {category:<40} sample {result.sample[i]:6.1%}   RDS-II "
                   f"{result.estimate[i]:6.1%}   [{result.lower[i]:6.1%}, "
                   f"{result.upper[i]:6.1%}]")
    if result.homophily is not None:
        click.echo(f"Recruitment homophily: {result.homophily:.2f} (1 = none)")


COMMANDS = [survey, coupons, rds]
