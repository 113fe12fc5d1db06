"""CLI commands of the qualitative core; ``syrmak.cli`` mounts ``COMMANDS``.

Each command parses its arguments, calls one library function and prints the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from syrmak.cli.tools import audit_export, friendly, open_study
from syrmak.errors import SyrmakError
from syrmak.render import FORMATS
from syrmak.text import plural

if TYPE_CHECKING:  # pandas loads when a command runs, not for --help
    import pandas as pd

class _Format(click.Choice):
    """The one ``--format`` vocabulary (render.FORMATS); "md" is still read as "markdown"."""

    def convert(self, value, param, ctx):
        return super().convert("markdown" if value == "md" else value, param, ctx)


def emit(frame: pd.DataFrame, fmt: str, output: str | None = None, **layout) -> None:
    """Print or write a result frame in the asked format (render.frames.render_frame)."""
    from syrmak.render.frames import render_frame

    text = render_frame(frame, fmt, output, **layout)
    audit_export(output, fmt)
    click.echo(f"Wrote {output}" if text is None else text)


def _format_options(func):
    func = click.option("--output", "-o", help="Write to this file instead of the terminal.")(func)
    return click.option("--format", "fmt", type=_Format(FORMATS), default="table",
                        show_default=True, help="Output format.")(func)


def _pairs(values: tuple[str, ...]) -> dict:
    out: dict = {}
    for item in values:
        if "=" not in item:
            raise SyrmakError(f"'{item}' is not NAME=VALUE.", "write e.g. --where kind=cso.",
                              code="bad-argument", value=item)
        key, value = item.split("=", 1)
        out.setdefault(key, []).append(value)
    return out


# -- documents -------------------------------------------------------------------------

@click.group("docs")
def docs() -> None:
    """Documents: interviews, transcripts, open answers."""


@docs.command("add")
@click.argument("directory")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--name", help="Document name (default: the file name without extension).")
@click.option("--kind", type=click.Choice(["auto", "text", "docx", "vtt", "srt", "transcript"]),
              default="auto", show_default=True)
@click.option("--respondent", type=int, help="Link the document to this respondent number.")
@click.option("--var", "variables", multiple=True, help="A document variable NAME=VALUE.")
@friendly
def docs_add(directory, files, name, kind, respondent, variables):
    """Import .txt, .docx, .vtt, .srt or timestamped transcripts.

    Example: syrmak docs add kz-study interview-07.vtt --respondent 7
    """
    from syrmak.qual.documents import add_documents

    if name and len(files) > 1:
        raise SyrmakError("--name works with one file only.", "import the files one by one.")
    values = {k: v[-1] for k, v in _pairs(variables).items()}
    added = add_documents(open_study(directory), list(files), name=name, kind=kind,
                          respondent=respondent, variables=values)
    for doc in added:
        for warning in doc.warnings:
            click.secho(f"Warning: {warning}", fg="yellow", err=True)
        click.echo(f"Added '{doc.name}' ({doc.kind}, {plural(doc.length, 'character')}, "
                   f"{plural(len(doc.segments), 'segment')}).")


@docs.command("open-answers")
@click.argument("directory")
@click.option("--question", "questions", multiple=True, help="Only these text questions.")
@friendly
def docs_open_answers(directory, questions):
    """Turn the survey's open answers into documents linked to their respondents.

    Example: syrmak docs open-answers kz-study
    """
    from syrmak.qual.documents import import_open_answers

    result = import_open_answers(open_study(directory), list(questions) or None)
    for warning in result.warnings:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    click.echo(f"Added {plural(len(result.added), 'document')}; {result.skipped} "
               f"{'was' if result.skipped == 1 else 'were'} already there.")


@docs.command("list")
@click.argument("directory")
@_format_options
@friendly
def docs_list(directory, fmt, output):
    """List the documents.

    Example: syrmak docs list kz-study
    """
    from syrmak.qual.documents import list_documents

    emit(list_documents(open_study(directory)).to_frame(), fmt, output,
         empty="No documents yet; 'syrmak docs add DIR FILE' adds one.")


@docs.command("show")
@click.argument("directory")
@click.argument("document")
@click.option("--segments", is_flag=True, help="Show the timed speaker segments instead.")
@click.option("--text", "as_", type=click.Choice(["stored", "redacted"]),
              help="The text as stored, or with the accepted redactions replaced by pseudonyms "
                   "(default: stored on screen, redacted in a file written with -o).")
@_format_options
@friendly
def docs_show(directory, document, segments, as_, fmt, output):
    """Print a document's text (or its segments), or export it to a file.

    Example: syrmak docs show kz-study interview-26 -o interview-26.txt
    """
    from syrmak.qual.documents import export_text, get_document

    study = open_study(directory)
    if segments:
        emit(get_document(study, document).segments_frame(), fmt, output,
             passage={"text": "text"}, empty="This document has no segments.")
        return
    redacted = (as_ or ("redacted" if output else "stored")) == "redacted"
    text = export_text(study, document, output, redacted=redacted)
    click.echo(f"Wrote {output}" + (" (redacted)" if redacted else " (as stored)")
               if output else text)


@docs.command("link")
@click.argument("directory")
@click.argument("document")
@click.argument("respondent", type=int)
@friendly
def docs_link(directory, document, respondent):
    """Link a document to a respondent (its variables then include their answers).

    Example: syrmak docs link kz-study interview-26 26
    """
    from syrmak.qual.documents import link_respondent

    link_respondent(open_study(directory), document, respondent)
    click.echo(f"Linked '{document}' to respondent {respondent}.")


@docs.command("set")
@click.argument("directory")
@click.argument("document")
@click.argument("assignment")
@click.option("--type", "kind", type=click.Choice(["text", "integer", "float", "boolean",
                                                   "date"]), default="text", show_default=True)
@friendly
def docs_set(directory, document, assignment, kind):
    """Set a free document variable: NAME=VALUE.

    Example: syrmak docs set kz-study interview-26 political=yes
    """
    from syrmak.qual.documents import set_variable

    ((name, values),) = _pairs((assignment,)).items()
    set_variable(open_study(directory), document, name, values[-1], kind)
    click.echo(f"Set {name} of '{document}'.")


@docs.command("variables")
@click.argument("directory")
@click.option("--lang", help="Language of answer labels.")
@_format_options
@friendly
def docs_variables(directory, lang, fmt, output):
    """Each document's variables: its respondent's answers and free variables.

    Example: syrmak docs variables kz-study --lang en
    """
    from syrmak.qual.documents import document_variables

    emit(document_variables(open_study(directory), lang), fmt, output)


# -- codebook --------------------------------------------------------------------------

@click.group("codes")
def codes() -> None:
    """The codebook."""


@codes.command("list")
@click.argument("directory")
@_format_options
@friendly
def codes_list(directory, fmt, output):
    """List the codebook: each code, its parent, description, colour and number of codings.

    Example: syrmak codes list kz-study
    """
    from syrmak.qual.codebook import codebook

    emit(codebook(open_study(directory)).to_frame(), fmt, output,
         empty="The codebook is empty; 'syrmak codes add DIR NAME' adds a code.")


@codes.command("add")
@click.argument("directory")
@click.argument("path")
@click.option("--description")
@click.option("--colour", help="#RRGGBB")
@click.option("--memo")
@friendly
def codes_add(directory, path, description, colour, memo):
    """Add a code; PATH may be 'parent/child'.

    Example: syrmak codes add kz-study "Difficulties/Burnout"
    """
    from syrmak.qual.codebook import add_code

    code = add_code(open_study(directory), path, description=description, colour=colour, memo=memo)
    click.echo(f"Added code '{code.path}'.")


@codes.command("rename")
@click.argument("directory")
@click.argument("code")
@click.argument("name")
@friendly
def codes_rename(directory, code, name):
    """Rename a code; its codings keep it.

    Example: syrmak codes rename kz-study Burnout "Burnout, fatigue"
    """
    from syrmak.qual.codebook import rename_code

    click.echo(f"Renamed to '{rename_code(open_study(directory), code, name).path}'.")


@codes.command("move")
@click.argument("directory")
@click.argument("code")
@click.argument("parent")
@friendly
def codes_move(directory, code, parent):
    """Move a code under PARENT ('/' for the top level).

    Example: syrmak codes move kz-study Funding /
    """
    from syrmak.qual.codebook import move_code

    click.echo(f"Moved to '{move_code(open_study(directory), code, parent).path}'.")


@codes.command("merge")
@click.argument("directory")
@click.argument("source")
@click.argument("target")
@friendly
def codes_merge(directory, source, target):
    """Merge SOURCE into TARGET; codings follow.

    Example: syrmak codes merge kz-study "Lack of money" Funding
    """
    from syrmak.qual.codebook import merge_codes

    code = merge_codes(open_study(directory), source, target)
    click.echo(f"Merged into '{code.path}' ({plural(code.codings, 'coding')}).")


@codes.command("delete")
@click.argument("directory")
@click.argument("code")
@click.option("--force", is_flag=True, help="Also delete the code's codings.")
@friendly
def codes_delete(directory, code, force):
    """Delete a code and its subcodes (if they have codings, only with --force).

    Example: syrmak codes delete kz-study Burnout
    """
    from syrmak.qual.codebook import delete_code

    delete_code(open_study(directory), code, force=force)
    click.echo(f"Deleted '{code}'.")


@codes.command("import")
@click.argument("directory")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@friendly
def codes_import(directory, file):
    """Import a codebook from YAML or REFI-QDA .qdc.

    Example: syrmak codes import kz-study codebook.yaml
    """
    study = open_study(directory)
    if file.lower().endswith(".qdc"):
        from syrmak.qual.refi_qda import import_qdc

        book = import_qdc(study, file)
    else:
        from syrmak.qual.codebook import import_yaml

        book = import_yaml(study, Path(file))
    click.echo(f"The codebook now has {plural(len(book), 'code')}.")


@codes.command("export")
@click.argument("directory")
@click.argument("file", type=click.Path(dir_okay=False))
@friendly
def codes_export(directory, file):
    """Export the codebook as YAML (.yaml) or REFI-QDA (.qdc).

    Example: syrmak codes export kz-study codebook.yaml
    """
    study = open_study(directory)
    if file.lower().endswith(".qdc"):
        from syrmak.qual.refi_qda import export_qdc

        export_qdc(study, file)
    else:
        from syrmak.qual.codebook import export_yaml

        export_yaml(study, file)
    click.echo(f"Wrote {file}")


# -- coding ----------------------------------------------------------------------------

@click.command("code")
@click.argument("directory")
@click.argument("document")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("code")
@click.option("--coder", required=True, envvar="SYRMAK_USER", help="Who codes (or SYRMAK_USER).")
@click.option("--weight", type=int)
@click.option("--comment")
@friendly
def code(directory, document, start, end, code, coder, weight, comment):
    """Code characters START..END (code points, END excluded) of DOCUMENT with CODE.

    Example: syrmak code kz-study interview-07 120 480 Burnout --coder anna
    """
    from syrmak.qual.coding import code_span

    coding = code_span(open_study(directory), document, start, end, code, coder, weight=weight,
                       comment=comment)
    click.echo(f"Coding {coding.id}: «{coding.text[:80]}» -> {coding.code}")


@click.command("memo")
@click.argument("directory")
@click.argument("text")
@click.option("--document")
@click.option("--code", "code_")
@click.option("--coding", type=int)
@click.option("--title")
@click.option("--author", envvar="SYRMAK_USER")
@friendly
def memo(directory, text, document, code_, coding, title, author):
    """Write a memo on the study, a document, a code or a coding.

    Example: syrmak memo kz-study "Compare with Table 3" --code Burnout --author anna
    """
    from syrmak.qual.coding import add_memo

    m = add_memo(open_study(directory), text, document=document, code=code_, coding=coding,
                 title=title, author=author)
    click.echo(f"Memo {m.id} saved.")


@click.command("segments")
@click.argument("directory")
@click.argument("query")
@click.option("--coder", "coders", multiple=True, help="Only codings by these coders.")
@click.option("--where", "where", multiple=True,
              help="Only documents whose variables match, in the filter language of freq and "
                   "crosstab, e.g. \"respondent_type = cso\"; repeatable.")
@click.option("--context", default="100", show_default=True,
              help="Characters of context each side, or 'paragraph'.")
@click.option("--lang")
@_format_options
@friendly
def segments(directory, query, coders, where, context, lang, fmt, output):
    """Coded segments: QUERY is e.g. 'burnout AND funding', 'a NEAR/200 b', 'a NOT b'.

    Example: syrmak segments kz-study "=Burnout"
    """
    from syrmak.qual.retrieval import retrieve

    result = retrieve(open_study(directory), query, coders=list(coders) or None,
                      where=list(where) or None, lang=lang,
                      context=context if context == "paragraph" else int(context))
    frame = result.to_frame()
    emit(frame, fmt, output, markdown=result.to_markdown() if fmt == "markdown" else None,
         passage={"text": "text", "before": "before", "after": "after"},
         empty="No coded segments match.")
    if fmt == "table" and not output and len(frame):
        click.echo(f"{plural(len(frame), 'segment')}.")


# -- search ----------------------------------------------------------------------------

@click.command("search")
@click.argument("directory")
@click.argument("query")
@click.option("--context", type=int, default=40, show_default=True)
@click.option("--where", "where", multiple=True,
              help="Only documents whose variables match, in the filter language of freq and "
                   "crosstab, e.g. \"respondent_type = cso\"; repeatable.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="Hits shown on the terminal (a file gets them all).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many hits.")
@_format_options
@friendly
def search(directory, query, context, where, limit, offset, fmt, output):
    """Search words (any form), wildcards (выгор*) and phrases; shows keywords in context.

    Example: syrmak search kz-study "выгор*"
    """
    from syrmak.qual.search import search as run

    # A page on the terminal; every hit when writing a file or for a machine format.
    paged = fmt == "table" and not output
    hits = run(open_study(directory), query, context=context, where=list(where) or None,
               limit=limit if paged else None, offset=offset if paged else 0)
    if paged:
        click.echo(hits.kwic(context) or "No hits.")
        if hits.complete:
            click.echo(f"{plural(hits.total, 'hit')}.")
        else:
            shown = f"{hits.offset + 1}-{hits.offset + len(hits)}" if len(hits) else "none"
            click.echo(f"Hits {shown} of {hits.total} (--offset {hits.offset + len(hits)} "
                       "for more, or -o FILE for all).")
        return
    emit(hits.to_frame(), fmt, output)


@click.command("autocode")
@click.argument("directory")
@click.argument("query")
@click.argument("code")
@click.option("--coder", required=True, envvar="SYRMAK_USER")
@click.option("--unit", type=click.Choice(["hit", "sentence", "paragraph"]), default="sentence",
              show_default=True)
@friendly
def autocode(directory, query, code, coder, unit):
    """Code every search hit (or its sentence or paragraph) with CODE.

    Example: syrmak autocode kz-study "выгор*" Burnout --coder auto --unit sentence
    """
    from syrmak.qual.search import autocode as run

    result = run(open_study(directory), query, code, coder, unit=unit)
    click.echo(f"{plural(result.hits, 'hit')}; added {plural(len(result.added), 'coding')}, "
               f"{result.skipped} already there.")


# -- matrices --------------------------------------------------------------------------

@click.group("matrix")
def matrix() -> None:
    """Mixed-methods matrices: codes by survey variables, co-occurrence, quotes."""


@matrix.command("codes")
@click.argument("directory")
@click.argument("variable")
@click.option("--code", "codes_", multiple=True)
@click.option("--unit", type=click.Choice(["documents", "respondents"]), default="documents",
              show_default=True)
@click.option("--lang")
@_format_options
@friendly
def matrix_codes(directory, variable, codes_, unit, lang, fmt, output):
    """How many documents/respondents of each VARIABLE group carry each code.

    Example: syrmak matrix codes kz-study political --unit respondents --lang en
    """
    from syrmak.qual.matrices import code_matrix

    result = code_matrix(open_study(directory), variable, list(codes_) or None, unit=unit, lang=lang)
    emit(result.to_frame(), fmt, output)


@matrix.command("cooccurrence")
@click.argument("directory")
@click.option("--code", "codes_", multiple=True)
@click.option("--level", type=click.Choice(["document", "segment"]), default="document",
              show_default=True)
@click.option("--jaccard", is_flag=True, help="Show Jaccard coefficients instead of counts.")
@_format_options
@friendly
def matrix_cooccurrence(directory, codes_, level, jaccard, fmt, output):
    """Which codes occur together: on the same documents, or overlapping segments.

    Example: syrmak matrix cooccurrence kz-study --level segment --jaccard
    """
    from syrmak.qual.matrices import cooccurrence

    result = cooccurrence(open_study(directory), list(codes_) or None, level=level)
    emit(result.jaccard.round(3) if jaccard else result.counts, fmt, output)


@matrix.command("quotes")
@click.argument("directory")
@click.argument("variable")
@click.option("--code", "codes_", multiple=True)
@click.option("--lang")
@_format_options
@friendly
def matrix_quotes(directory, variable, codes_, lang, fmt, output):
    """The coded segments in a code x VARIABLE-group grid.

    Example: syrmak matrix quotes kz-study political --format markdown -o quotes.md
    """
    from syrmak.qual.matrices import quote_matrix

    result = quote_matrix(open_study(directory), variable, list(codes_) or None, lang=lang)
    emit(result.to_frame(), fmt, output, markdown=result.to_markdown() if fmt == "markdown" else None)


# -- agreement -------------------------------------------------------------------------

@click.command("agreement")
@click.argument("directory")
@click.option("--coder", "coders", multiple=True, help="Coders to compare (default: all).")
@click.option("--code", "codes_", multiple=True)
@click.option("--level", type=click.Choice(["document", "segment"]), default="document",
              show_default=True)
@click.option("--threshold", type=float, default=0.9, show_default=True,
              help="Segment level: least overlap (intersection / union) to agree.")
@click.option("--disagreements", is_flag=True, help="List the disagreements instead.")
@click.option("--documents", "documents", multiple=True, metavar="NAME[,NAME...]",
              help="Documents every coder was given (default: all documents); repeatable "
                   "or comma-separated. An assigned document a coder left uncoded counts "
                   "as 'code absent'.")
@_format_options
@friendly
def agreement(directory, coders, codes_, level, threshold, disagreements, documents, fmt,
              output):
    """Intercoder agreement: percent, Cohen's and Brennan-Prediger kappa, Krippendorff's alpha.

    Example: syrmak agreement kz-study --coder anna --coder viktoriya
    """
    from syrmak.qual import agreement as ag

    study = open_study(directory)
    names = [n.strip() for item in documents for n in item.split(",") if n.strip()] or None
    if level == "document":
        result = ag.document_agreement(study, coders=list(coders) or None,
                                       codes=list(codes_) or None, documents=names)
        click.echo(f"Note: {result.units_from}", err=True)
        for warning in result.warnings:
            click.secho(f"Warning: {warning}", fg="yellow", err=True)
    else:
        result = ag.segment_agreement(study, coders=list(coders) or None,
                                      codes=list(codes_) or None, threshold=threshold,
                                      documents=names)
    emit(result.disagreements if disagreements else result.table.round(3), fmt, output)


# -- REFI-QDA --------------------------------------------------------------------------

@click.group("export")
def export() -> None:
    """Export for other QDA programs (REFI-QDA)."""


_PROGRAMS = ("standard", "nvivo", "atlasti", "maxqda", "qualcoder")  # positions.CONVENTIONS


@export.command("qdpx")
@click.argument("directory")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--for", "target", type=click.Choice(_PROGRAMS), default="standard",
              show_default=True, help="Count selection positions as this program does "
              "(nvivo: UTF-16 code units; standard: code points).")
@click.option("--redacted", is_flag=True, help="Sources with the accepted redactions replaced "
              "by pseudonyms (syrmak redact); codings moved to match.")
@friendly
def export_qdpx(directory, file, target, redacted):
    """The whole qualitative project as REFI-QDA .qdpx (validated against the XSD).

    Example: syrmak export qdpx kz-study project.qdpx --for nvivo
    """
    from syrmak.qual.refi_qda import export_qdpx as run
    from syrmak.qual.refi_qda.positions import convention

    result = run(open_study(directory), file, target, redacted=redacted)
    conv = convention(result.positions)
    click.echo(f"Wrote {file}: {plural(result.sources, 'source')}, {plural(result.codes, 'code')}, "
               f"{plural(result.codings, 'coding')}; positions in {conv.unit}, as {conv.label} "
               "counts them.")


@export.command("qdc")
@click.argument("directory")
@click.argument("file", type=click.Path(dir_okay=False))
@friendly
def export_qdc(directory, file):
    """The codebook as REFI-QDA .qdc.

    Example: syrmak export qdc kz-study codebook.qdc
    """
    from syrmak.qual.refi_qda import export_qdc as run

    run(open_study(directory), file)
    click.echo(f"Wrote {file}")


@click.command("import-qdpx")
@click.argument("directory")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--from", "source", type=click.Choice(_PROGRAMS), default=None,
              help="Read selection positions as this program counts them "
              "[default: the program the file names as its origin].")
@friendly
def import_qdpx(directory, file, source):
    """Import a REFI-QDA .qdpx project, or a bare .qde (MAXQDA, NVivo, ATLAS.ti...).

    Prints what was imported, how selection positions were read, and everything in the
    file that was not imported.

    Example: syrmak import-qdpx kz-study project.qdpx
    """
    from syrmak.qual.refi_qda import import_qdpx as run
    from syrmak.qual.refi_qda.positions import convention

    result = run(open_study(directory), file, positions=source)
    conv = convention(result.positions)
    click.echo(f"Imported {plural(result.sources, 'source')}, {plural(result.codes, 'code')}, "
               f"{plural(result.codings, 'coding')}, {plural(result.notes, 'memo')}.")
    click.echo(f"Positions read as {conv.label} counts them ({conv.unit}).")
    if result.not_imported:
        click.echo(f"Not imported ({len(result.not_imported)}):")
        for item in result.not_imported:
            click.echo(f"  - {item}")


COMMANDS = [docs, codes, code, memo, segments, search, autocode, matrix, agreement, export,
            import_qdpx]
