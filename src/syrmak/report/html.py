"""One self-contained HTML file: inline CSS and SVG, no script, no external request.

A Content-Security-Policy meta tag forbids every fetch, so even a stray URL in the
researcher's Markdown cannot make the page load anything when it is opened.
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt

from syrmak.report import i18n, model

CSS = """
:root { --ink: #1f1f1f; --muted: #555; --rule: #c8c8c8; --accent: #0b5394; --shade: #f3f5f8; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; color: var(--ink); background: #fff;
  font-family: "DejaVu Serif", Georgia, "Times New Roman", serif; line-height: 1.55; }
main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header.title-page { border-bottom: 2px solid var(--accent); margin-bottom: 2rem;
  padding-bottom: 1rem; }
h1, h2, h3, h4, h5, .caption, th, .attribution, .original-label, nav {
  font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
h1.title { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; color: var(--accent); }
.subtitle { font-size: 1.2rem; color: var(--muted); margin: 0 0 .5rem; }
.authors, .date { color: var(--muted); margin: .2rem 0; }
h2 { font-size: 1.6rem; margin: 2.2rem 0 .8rem; color: var(--accent); }
h3 { font-size: 1.3rem; margin: 1.8rem 0 .6rem; }
h4 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
h5 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p { margin: .6rem 0; }
nav.toc { background: var(--shade); padding: .8rem 1.2rem; margin: 1.5rem 0; }
nav.toc h2 { margin-top: .2rem; font-size: 1.1rem; color: var(--ink); }
nav.toc ol { list-style: none; padding-left: 0; margin: 0; }
nav.toc li { margin: .15rem 0; }
nav.toc li.level-2 { padding-left: 1.2rem; } nav.toc li.level-3 { padding-left: 2.4rem; }
nav.toc li.level-4 { padding-left: 3.6rem; }
a { color: var(--accent); }
figure { margin: 1.6rem 0; }
.caption { font-size: .92rem; font-weight: bold; margin: 0 0 .5rem; }
.caption .label { color: var(--accent); }
figure.chart svg { display: block; width: 100%; height: auto; }
.note { font-size: .8rem; color: var(--muted); margin: .3rem 0 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem;
  font-family: "DejaVu Sans", Arial, sans-serif; }
th, td { border: 1px solid var(--rule); padding: .3rem .45rem; vertical-align: top; }
thead th { background: var(--shade); font-weight: bold; text-align: center; }
td.number { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tbody th.number { text-align: right; white-space: nowrap; }
td.label, th.label { text-align: left; }
tr.total th, tr.total td { background: var(--shade); }
ul.references { list-style: none; padding-left: 0; }
ul.references li { padding-left: 2em; text-indent: -2em; margin: .3rem 0; }
ul.references a, section.footnotes a { overflow-wrap: anywhere; }
sup.fn { line-height: 0; } section.footnotes { font-size: .9em; margin-top: 2rem; }
blockquote.quote { margin: 1.2rem 0 1.2rem 1.2rem; padding: .2rem 0 .2rem 1rem;
  border-left: 4px solid var(--accent); }
blockquote.quote p { margin: .35rem 0; }
.translation { font-style: italic; }
.attribution { font-size: .85rem; color: var(--muted); }
.original-label { font-size: .8rem; font-weight: bold; color: var(--muted); margin-top: .6rem; }
.original { font-size: .92rem; }
.missing-translation { font-size: .8rem; color: #8a4b00; }
hr.page-break { border: 0; margin: 2rem 0; }
@page { size: A4; margin: 2cm 1.8cm; }
@media print {
  html { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.toc { background: none; border: 1px solid var(--rule); }
  a { color: inherit; text-decoration: none; }
  figure, blockquote.quote, table, tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4, h5, .caption { break-after: avoid; page-break-after: avoid; }
  hr.page-break { break-after: page; page-break-after: always; }
  thead { display: table-header-group; }
}
"""

_MD = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def markdown(text: str) -> str:
    return _MD.render(text)


_SVG_HEAD = re.compile(r"^.*?(<svg\b)", re.S)


def inline_svg(svg: bytes, title: str, anchor: str) -> str:
    """Matplotlib's SVG made inline: no XML prolog, scalable, labelled for screen readers."""
    text = _SVG_HEAD.sub(r"\1", svg.decode("utf-8"), count=1)
    text = re.sub(r'<svg\b([^>]*?)\swidth="[^"]*"\sheight="[^"]*"',
                  rf'<svg\1 role="img" aria-labelledby="{anchor}-alt"', text, count=1)
    text = re.sub(r"(<svg\b[^>]*>)", rf'\1<title id="{anchor}-alt">{escape(title)}</title>',
                  text, count=1)
    return text.strip()


def _cell(c: model.Cell, in_head: bool) -> str:
    tag = "th" if c.header or in_head else "td"
    attrs = [f'class="{c.kind}"']
    if c.colspan > 1:
        attrs.append(f'colspan="{c.colspan}"')
    if c.rowspan > 1:
        attrs.append(f'rowspan="{c.rowspan}"')
    if tag == "th":
        attrs.append('scope="col"' if in_head else 'scope="row"')
    return f"<{tag} {' '.join(attrs)}>{escape(c.text)}</{tag}>"


def _table(t: model.TableBlock, lang: str) -> str:
    label = f"{i18n.word(lang, 'table')} {t.number}."
    head = "".join("<tr>" + "".join(_cell(c, True) for c in row) + "</tr>" for row in t.header)
    body = []
    for row in t.body:
        cls = ' class="total"' if all(c.header for c in row) else ""
        body.append(f"<tr{cls}>" + "".join(_cell(c, False) for c in row) + "</tr>")
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    return (f'<figure class="table" id="{escape(t.anchor)}">'
            f'<figcaption class="caption"><span class="label">{escape(label)}</span> '
            f"{escape(t.caption)}</figcaption>"
            f'<div class="table-wrap"><table><thead>{head}</thead><tbody>{"".join(body)}'
            f"</tbody></table></div>{note}</figure>")


def _figure(f: model.FigureBlock, lang: str) -> str:
    label = f"{i18n.word(lang, 'figure')} {f.number}."
    svg = inline_svg(f.svg or b"<svg/>", f"{label} {f.caption}. {f.alt}", f.anchor)
    note = f'<p class="note">{escape(f.note)}</p>' if f.note else ""
    return (f'<figure class="chart" id="{escape(f.anchor)}">'
            f'<figcaption class="caption"><span class="label">{escape(label)}</span> '
            f"{escape(f.caption)}</figcaption>{svg}{note}</figure>")


def _paragraphs(text: str, cls: str, lang: str | None = None) -> str:
    attr = f' lang="{escape(lang)}"' if lang else ""
    parts = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f'<p class="{cls}"{attr}>{escape(p).replace(chr(10), "<br>")}</p>'
                   for p in parts)


def _quote(q: model.QuoteBlock) -> str:
    label = i18n.word(q.lang, "original_in", language=i18n.language_name(q.lang, q.original_lang))
    attribution = f'<p class="attribution">{escape(q.attribution)}</p>'
    if q.translation is None:
        return (f'<blockquote class="quote" id="{escape(q.anchor)}">'
                f"{_paragraphs(q.original, 'original', q.original_lang)}{attribution}"
                "</blockquote>")
    translation = _paragraphs(q.translation, "translation", q.lang)
    original = (f'<p class="original-label">{escape(label)}</p>'
                f"{_paragraphs(q.original, 'original', q.original_lang)}")
    if q.layout == "reference":
        inner = translation + attribution + original
    elif q.layout == "attribution-last":
        inner = translation + original + attribution
    else:
        inner = _paragraphs(q.original, "original", q.original_lang) + translation + attribution
    return f'<blockquote class="quote" id="{escape(q.anchor)}">{inner}</blockquote>'


def _toc(t: model.Toc) -> str:
    items = "".join(f'<li class="level-{h.level}"><a href="#{escape(h.anchor)}">'
                    f"{escape(h.text)}</a></li>" for h in t.entries)
    return f'<nav class="toc" aria-label="{escape(t.title)}"><h2>{escape(t.title)}</h2>' \
           f"<ol>{items}</ol></nav>"


def _note_marks(html: str, seen: set[int]) -> str:
    """Footnote marks -> superscript links to the notes; the first citation gets the id
    the note links back to."""
    def mark(match: re.Match) -> str:
        n = int(match.group(1))
        back = "" if n in seen else f' id="fnref-{n}"'
        seen.add(n)
        return f'<sup class="fn"><a href="#fn-{n}"{back}>{n}</a></sup>'

    return model.NOTE_RE.sub(mark, html)


def _footnotes(notes: tuple[str, ...], lang: str) -> str:
    items = "".join(f'<li id="fn-{n}">{_MD.renderInline(text)} '
                    f'<a href="#fnref-{n}" aria-label="back">\u21a9</a></li>'
                    for n, text in enumerate(notes, start=1))
    return (f'<section class="footnotes" aria-label="{escape(i18n.word(lang, "notes"))}">'
            f"<hr><ol>{items}</ol></section>")


def _references(r: model.References) -> str:
    items = "".join(f"<li>{_MD.renderInline(item)}</li>" for item in r.items)
    return f'<ul class="references">{items}</ul>'


def render(report: model.Report) -> bytes:
    lang = report.lang
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be fetched: the file is read offline, and a leak can hurt respondents.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">",
        '<meta name="referrer" content="no-referrer">',
        '<meta name="generator" content="syrmak">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body><main>",
        '<header class="title-page">',
        f'<h1 class="title">{escape(report.title)}</h1>',
    ]
    if report.subtitle:
        parts.append(f'<p class="subtitle">{escape(report.subtitle)}</p>')
    if report.authors:
        parts.append(f'<p class="authors">{escape(", ".join(report.authors))}</p>')
    if report.date:
        parts.append(f'<p class="date">{escape(report.date)}</p>')
    parts.append("</header>")
    cited: set[int] = set()
    for block in report.blocks:
        if isinstance(block, model.Heading):
            # The title is the page's one h1; spec level 1 is a section (h2).
            level = min(block.level + 1, 6)
            parts.append(f'<h{level} id="{escape(block.anchor)}">{escape(block.text)}</h{level}>')
        elif isinstance(block, model.Prose):
            parts.append(_note_marks(markdown(block.markdown), cited))
        elif isinstance(block, model.References):
            parts.append(_references(block))
        elif isinstance(block, model.TableBlock):
            parts.append(_table(block, lang))
        elif isinstance(block, model.FigureBlock):
            parts.append(_figure(block, lang))
        elif isinstance(block, model.QuoteBlock):
            parts.append(_quote(block))
        elif isinstance(block, model.Toc):
            parts.append(_toc(block))
        elif isinstance(block, model.PageBreak):
            parts.append('<hr class="page-break">')
    if report.footnotes:
        parts.append(_footnotes(report.footnotes, lang))
    parts.append("</main></body></html>")
    return ("\n".join(parts) + "\n").encode("utf-8")
