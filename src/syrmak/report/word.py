"""The Word (.docx) report: real heading styles, numbered captions (SEQ fields), native
tables, PNG figures, a table-of-contents field. Researchers finish reports in Word.

Output is byte-for-byte reproducible: core-property dates come from the study (or the
spec's ``date``), and the zip entries get a fixed timestamp.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from markdown_it import MarkdownIt

from syrmak.report import i18n, model

_MD = MarkdownIt("commonmark", {"html": False, "typographer": False})
FIGURE_WIDTH = Cm(16)
#: A taller figure is drawn narrower: one that needs most of a page, kept with its caption,
#: left the rest of the page before it blank.
FIGURE_MAX_HEIGHT = Cm(12)
TEXT_WIDTH = Cm(17)
MUTED = RGBColor(0x55, 0x55, 0x55)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- low-level XML


def _field(paragraph, instruction: str, cached: str, bold: bool = False) -> None:
    """A complex field (e.g. ``SEQ Table \\* ARABIC``) showing ``cached`` until Word updates
    it; complex rather than simple so that the cached text is an ordinary run."""
    _fld_char(paragraph.add_run(), "begin")
    _instr(paragraph.add_run(), f" {instruction} ")
    _fld_char(paragraph.add_run(), "separate")
    run = paragraph.add_run(cached)
    run.bold = bold or None
    _fld_char(paragraph.add_run(), "end")


def _fld_char(run, kind: str) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    run._r.append(el)


def _instr(run, text: str) -> None:
    el = OxmlElement("w:instrText")
    el.set(qn("xml:space"), "preserve")
    el.text = text
    run._r.append(el)


def _keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _set_lang(run, lang: str) -> None:
    rpr = run._r.get_or_add_rPr()
    el = OxmlElement("w:lang")
    el.set(qn("w:val"), _locale(lang))
    rpr.append(el)


def _locale(lang: str) -> str:
    return {"en": "en-GB", "ru": "ru-RU", "kk": "kk-KZ", "uz": "uz-Latn-UZ",
            "ky": "ky-KG", "de": "de-DE"}.get(i18n.base(lang), lang)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cant_split(row) -> None:
    """A row is never broken across two pages (a number must sit beside its label)."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def _column_widths(grid_text: list[list[str]], width: int) -> list[int]:
    """Column widths from content: each column gets at least its longest word (so no word
    is broken mid-word, "collab|oration"), the rest of the text width is shared in
    proportion to each column's longest text. Widths in EMU, summing to TEXT_WIDTH."""
    # A character of the 8.5 pt table font: digits and bold capitals of DejaVu Sans (what
    # LibreOffice puts in Calibri's place) are ~0.62 em; LibreOffice broke "12.90|%" at 0.56.
    char = Pt(8.5) * 0.62
    pad = Cm(0.5)           # the cell's left and right margins, and a little air
    words = [0] * width
    lines = [0] * width
    for row in grid_text:
        for c, text in enumerate(row):
            if text is None:
                continue
            words[c] = max([words[c], *(len(w) for w in text.split())])
            lines[c] = max(lines[c], len(text))
    floor = [int(w * char * 1.1 + pad) for w in words]
    if sum(floor) >= TEXT_WIDTH:
        return [int(TEXT_WIDTH * f / sum(floor)) for f in floor]
    want = [max(f, int(n * char + pad)) for f, n in zip(floor, lines, strict=True)]
    if sum(want) <= TEXT_WIDTH:
        # Everything fits on one line: spread the spare width evenly.
        spare = (TEXT_WIDTH - sum(want)) // width
        return [w + spare for w in want]
    # Share what is left above the floors in proportion to how much more each column wants.
    spare = TEXT_WIDTH - sum(floor)
    extra = [w - f for w, f in zip(want, floor, strict=True)]
    total = sum(extra) or 1
    return [f + int(spare * e / total) for f, e in zip(floor, extra, strict=True)]


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    el = OxmlElement("w:shd")
    el.set(qn("w:val"), "clear")
    el.set(qn("w:color"), "auto")
    el.set(qn("w:fill"), fill)
    tcpr.append(el)


# --------------------------------------------------------------------------- blocks


def _inline(paragraph, children, lang: str) -> None:
    bold = italic = code = False
    link = None  # the w:hyperlink element runs go into, for a web address
    internal = False
    for tok in children or []:
        t = tok.type
        if t == "strong_open":
            bold = True
        elif t == "strong_close":
            bold = False
        elif t == "em_open":
            italic = True
        elif t == "em_close":
            italic = False
        elif t == "link_open":
            href = str(tok.attrs.get("href", ""))
            if href.startswith(("http://", "https://", "mailto:")):
                link = _hyperlink(paragraph, href)
            else:
                internal = True
        elif t == "link_close":
            link, internal = None, False
        elif t in ("text", "code_inline"):
            for k, piece in enumerate(model.NOTE_RE.split(tok.content)):
                if k % 2:
                    _footnote_mark(paragraph, int(piece))
                    continue
                if not piece:
                    continue
                run = paragraph.add_run(piece)
                run.bold = bold or None
                run.italic = italic or None
                if t == "code_inline" or code:
                    run.font.name = "DejaVu Sans Mono"
                if link is not None or internal:
                    run.font.color.rgb = RGBColor(0x0B, 0x53, 0x94)
                    run.underline = True
                if link is not None:
                    link.append(run._r)  # moved from the paragraph into the link
        elif t == "softbreak":
            paragraph.add_run(" ")
        elif t == "hardbreak":
            paragraph.add_run().add_break()
        elif t == "image":
            paragraph.add_run(tok.content)


def _hyperlink(paragraph, href: str):
    """A clickable web address (a w:hyperlink to an external relationship)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    rid = paragraph.part.relate_to(href, RT.HYPERLINK, is_external=True)
    el = OxmlElement("w:hyperlink")
    el.set(qn("r:id"), rid)
    paragraph._p.append(el)
    return el


def _footnote_mark(paragraph, number: int) -> None:
    run = paragraph.add_run()
    rpr = run._r.get_or_add_rPr()
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    rpr.append(align)
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(number))
    run._r.append(ref)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _footnotes_part(doc, notes: tuple[str, ...]) -> None:
    """The footnotes part (word/footnotes.xml) python-docx does not make: Word's two
    separators, then note N with id N, its text in 9 pt after a superscript number."""
    from xml.sax.saxutils import escape

    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    def run(text: str) -> str:
        return (f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr>'
                f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')

    body = ['<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
            '</w:footnote>',
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
            "<w:continuationSeparator/></w:r></w:p></w:footnote>"]
    for n, text in enumerate(notes, start=1):
        body.append(f'<w:footnote w:id="{n}"><w:p><w:r><w:rPr><w:vertAlign '
                    'w:val="superscript"/><w:sz w:val="18"/></w:rPr><w:footnoteRef/></w:r>'
                    f'{run(" " + _plain(text))}</w:p></w:footnote>')
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<w:footnotes xmlns:w="{_W}">{"".join(body)}</w:footnotes>').encode()
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml, doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)


def _plain(markdown: str) -> str:
    """A footnote's Markdown as plain text (its emphasis dropped)."""
    tokens = _MD.parseInline(markdown)
    return "".join(c.content for t in tokens for c in (t.children or [])
                   if c.type in ("text", "code_inline"))


def _references(doc, r: model.References, lang: str) -> None:
    """A bibliography: each entry a paragraph with a hanging indent, web addresses links."""
    for item in r.items:
        paragraph = doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.left_indent = Cm(1)
        fmt.first_line_indent = Cm(-1)
        fmt.space_after = Pt(4)
        for tok in _MD.parseInline(item):
            _inline(paragraph, tok.children, lang)


def _prose(doc, text: str, lang: str) -> None:
    tokens = _MD.parse(text)
    lists: list[str] = []
    quote = 0
    style_next = None
    for i, tok in enumerate(tokens):
        t = tok.type
        if t == "bullet_list_open":
            lists.append("List Bullet")
        elif t == "ordered_list_open":
            lists.append("List Number")
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t == "blockquote_open":
            quote += 1
        elif t == "blockquote_close":
            quote -= 1
        elif t == "heading_open":
            style_next = f"Heading {min(int(tok.tag[1]), 4)}"
        elif t == "inline":
            if style_next:
                style = style_next
            elif lists:
                depth = min(len(lists), 3)
                style = lists[-1] + (f" {depth}" if depth > 1 else "")
            elif quote:
                style = "Quote"
            else:
                style = None
            paragraph = _add(doc, style)
            _inline(paragraph, tok.children, lang)
            style_next = None
        elif t in ("fence", "code_block"):
            paragraph = doc.add_paragraph()
            run = paragraph.add_run(tok.content.rstrip("\n"))
            run.font.name = "DejaVu Sans Mono"
            run.font.size = Pt(9)
        elif t == "hr":
            doc.add_paragraph("* * *").alignment = WD_ALIGN_PARAGRAPH.CENTER
        del i


def _style_id(doc, style: str) -> str:
    """A style's id, looked up once per document (python-docx scans every style for each
    styled paragraph: half the example's Word rendering time)."""
    ids = doc.__dict__.get("_syrmak_style_ids")
    if ids is None:
        ids = doc.__dict__["_syrmak_style_ids"] = {s.name: s.style_id for s in doc.styles}
    return ids[style]


def _add(doc, style: str | None = None, text: str | None = None):
    """``doc.add_paragraph(text, style)``, the style found by ``_style_id``."""
    paragraph = doc.add_paragraph(text or "")
    if style is not None:
        paragraph._p.style = _style_id(doc, style)
    return paragraph


def _caption_text(paragraph, kind: str, number: int, caption: str, lang: str) -> None:
    run = paragraph.add_run(f"{i18n.word(lang, kind)} ")
    run.bold = True
    _field(paragraph, f"SEQ {'Table' if kind == 'table' else 'Figure'} \\* ARABIC",
           str(number), bold=True)
    tail = paragraph.add_run(".")
    tail.bold = True
    paragraph.add_run(f" {caption}")


def _caption(doc, kind: str, number: int, caption: str, lang: str):
    paragraph = _add(doc, "Caption")
    _caption_text(paragraph, kind, number, caption, lang)
    _keep_with_next(paragraph)
    return paragraph


def _note(doc, text: str) -> None:
    _note_in(doc.add_paragraph(), text)


def _note_in(paragraph, text: str) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(8)
    run.font.color.rgb = MUTED


def _table(doc, t: model.TableBlock, lang: str) -> None:
    _caption(doc, "table", t.number, t.caption, lang)
    rows = list(t.header) + list(t.body)
    width = max(sum(c.colspan for c in row) for row in rows)
    # Lay the cells on a grid, accounting for row spans from rows above.
    grid: list[list] = []
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        placed = []
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
        grid.append(placed)
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Only cells spanning one column say how wide that column must be.
    texts: list[list] = [[None] * width for _ in rows]
    for r, placed in enumerate(grid):
        for c, cell in placed:
            if cell.colspan == 1:
                texts[r][c] = cell.text
    widths = _column_widths(texts, width)
    # table.cell() walks the whole table each time: fetch the grid once, merge at the end.
    cells = table._cells
    for c, column in enumerate(table.columns):
        column.width = widths[c]  # the grid LibreOffice lays out by
    for i, cell in enumerate(cells):
        cell.width = widths[i % width]
    n_head = len(t.header)
    for r in range(n_head):
        _repeat_header(table.rows[r])
    for row in table.rows:
        _cant_split(row)
    merges = []
    for r, placed in enumerate(grid):
        for c, cell in placed:
            target = cells[r * width + c]
            if cell.colspan > 1 or cell.rowspan > 1:
                merges.append((r, c, r + cell.rowspan - 1, c + cell.colspan - 1))
            paragraph = target.paragraphs[0]
            run = paragraph.add_run(cell.text)
            run.font.size = Pt(8.5)
            if cell.header or r < n_head:
                run.bold = True
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        _shade(cells[(r + dr) * width + c + dc], "F3F5F8")
            if cell.kind == "number":
                paragraph.alignment = (WD_ALIGN_PARAGRAPH.CENTER if r < n_head
                                       else WD_ALIGN_PARAGRAPH.RIGHT)
            # Keep-with-next on every row but the last keeps a table that fits on a page
            # on one page (Word's and LibreOffice's way); a longer one breaks between rows,
            # its header rows repeated.
            if r < len(rows) - 1:
                _keep_with_next(paragraph)
    for r, c, r2, c2 in merges:
        table.cell(r, c).merge(table.cell(r2, c2))
    if t.note:
        _note(doc, t.note)
    doc.add_paragraph()


def _float(table) -> None:
    """Make ``table`` a float: placed where its text is if it fits there, else at the top
    of the next page while the text after it fills the rest of this one (what a typesetter
    does with a figure). Word and LibreOffice both move a floating table whose one row may
    not split; an inline figure kept with its caption moved that way too but left the rest
    of its page blank (half a page before Figure 7 of the example)."""
    tbl_pr = table._tbl.tblPr
    place = OxmlElement("w:tblpPr")
    for name, value in (("leftFromText", "0"), ("rightFromText", "0"),
                        ("topFromText", "113"), ("bottomFromText", "170"),
                        ("vertAnchor", "text"), ("horzAnchor", "margin"),
                        ("tblpXSpec", "center"), ("tblpY", "1")):
        place.set(qn(f"w:{name}"), value)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")  # two figures in a row stack, never overlap
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    # CT_TblPr's children have a fixed order: tblStyle, tblpPr, tblOverlap, ..., tblBorders.
    style = tbl_pr.find(qn("w:tblStyle"))
    if style is not None:
        style.addnext(place)
    else:
        tbl_pr.insert(0, place)
    place.addnext(overlap)
    tbl_pr.append(borders)


def _figure(doc, f: model.FigureBlock, lang: str) -> None:
    """Caption, picture and note in one floating, unsplittable frame (a one-cell table):
    they stay together, and only the caption holds on to the picture below it."""
    table = doc.add_table(rows=1, cols=1)
    table.autofit = False
    _float(table)
    table.columns[0].width = TEXT_WIDTH
    row = table.rows[0]
    _cant_split(row)
    cell = row.cells[0]
    cell.width = TEXT_WIDTH
    caption = cell.paragraphs[0]
    _caption_text(caption, "figure", f.number, f.caption, lang)
    caption._p.style = _style_id(doc, "Caption")
    _keep_with_next(caption)
    paragraph = cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    shape = run.add_picture(io.BytesIO(f.png or b""), width=FIGURE_WIDTH)
    if shape.height > FIGURE_MAX_HEIGHT:
        shape.width = int(shape.width * FIGURE_MAX_HEIGHT / shape.height)
        shape.height = FIGURE_MAX_HEIGHT
    # Alt text for screen readers (Word shows it as the picture's description).
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", f"{i18n.word(lang, 'figure')} {f.number}. {f.caption}. {f.alt}")
    if f.note:
        _note_in(cell.add_paragraph(), f.note)


def _paragraph_texts(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _quote(doc, q: model.QuoteBlock) -> None:
    def quoted(text: str, lang: str, italic: bool, keep: bool = True) -> None:
        for part in _paragraph_texts(text):
            paragraph = _add(doc, "Quote")
            paragraph.paragraph_format.left_indent = Cm(1)
            paragraph.paragraph_format.right_indent = Cm(0.5)
            run = paragraph.add_run(part)
            run.italic = italic
            _set_lang(run, lang)
            if keep:
                _keep_with_next(paragraph)

    def attribution(keep: bool = False) -> None:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(1)
        paragraph.paragraph_format.space_after = Pt(10)
        run = paragraph.add_run(q.attribution)
        run.font.size = Pt(9)
        run.font.color.rgb = MUTED
        if keep:
            # The reference layout prints "Original in Russian:" after the attribution:
            # without this the original could start the next page, alone.
            _keep_with_next(paragraph)

    def original() -> None:
        label = i18n.word(q.lang, "original_in",
                          language=i18n.language_name(q.lang, q.original_lang))
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(1)
        run = paragraph.add_run(label)
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = MUTED
        _keep_with_next(paragraph)
        quoted(q.original, q.original_lang, False, keep=q.layout != "reference")

    if q.translation is None:
        quoted(q.original, q.original_lang, False)
        attribution()
        return
    if q.layout == "reference":
        quoted(q.translation, q.lang, True)
        attribution(keep=True)
        original()
    elif q.layout == "attribution-last":
        quoted(q.translation, q.lang, True)
        original()
        attribution()
    else:
        quoted(q.original, q.original_lang, False)
        quoted(q.translation, q.lang, True)
        attribution()


def _bookmark_name(index: int) -> str:
    # Word's own name for the targets of a table of contents (hidden from its bookmark list).
    return f"_Toc{index:08d}"


def _heading(doc, h: model.Heading, index: int) -> None:
    """A heading, wrapped in the bookmark its table-of-contents entry points at."""
    paragraph = _add(doc, f"Heading {min(h.level, 4)}")
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(index))
    start.set(qn("w:name"), _bookmark_name(index))
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(index))
    paragraph._p.append(start)
    paragraph.add_run(h.text)
    paragraph._p.append(end)


def _toc(doc, toc: model.Toc, numbers: dict) -> None:
    """The contents: one line per heading ending in a PAGEREF field to the heading's
    bookmark, inside a "Table of Contents" content control (Word's own wrapper).

    Not a TOC field: LibreOffice keeps a TOC field's cached text as it is, so a PDF made
    with it showed no page numbers (or wrong ones), whereas it computes PAGEREF fields when
    it lays the pages out; Word updates them on opening (settings ask for it).
    """
    title = _add(doc, "TOC Heading", toc.title)
    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    part = OxmlElement("w:docPartObj")
    gallery = OxmlElement("w:docPartGallery")
    gallery.set(qn("w:val"), "Table of Contents")
    part.append(gallery)
    part.append(OxmlElement("w:docPartUnique"))
    pr.append(part)
    sdt.append(pr)
    content = OxmlElement("w:sdtContent")
    sdt.append(content)
    for h in toc.entries:
        paragraph = doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.left_indent = Cm(0.6 * (h.level - 1))
        fmt.space_after = Pt(2)
        fmt.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        paragraph.add_run(h.text)
        paragraph.add_run("\t")
        _field(paragraph, f"PAGEREF {_bookmark_name(numbers[h.anchor])} \\h", "1")
        content.append(paragraph._p)  # moves it from the body into the control
    if not toc.entries:
        content.append(OxmlElement("w:p"))  # a content control may not be empty
    title._p.addnext(sdt)


def _footer(doc) -> None:
    """Page numbers, centred in the footer: "3" as a PAGE field every viewer computes."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE \\* ARABIC", "1")
    for run in paragraph.runs:
        run.font.size = Pt(9)


def _settings(doc) -> None:
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _defaults(doc, lang: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    rpr = doc.styles.element.find(qn("w:docDefaults"))
    if rpr is not None:
        run_defaults = rpr.find(qn("w:rPrDefault"))
        if run_defaults is not None:
            props = run_defaults.find(qn("w:rPr"))
            if props is not None:
                for old in props.findall(qn("w:lang")):
                    props.remove(old)
                el = OxmlElement("w:lang")
                el.set(qn("w:val"), _locale(lang))
                props.append(el)


def _core(doc, report: model.Report) -> None:
    props = doc.core_properties
    stamp = datetime.fromisoformat(report.timestamp.replace("Z", "+00:00"))
    stamp = stamp.replace(microsecond=0)
    props.title = report.title
    props.subject = report.subtitle or ""
    props.author = ", ".join(report.authors) or "syrmak"
    props.last_modified_by = "syrmak"
    props.comments = "Built by syrmak from the study's data."
    props.language = _locale(report.lang)
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.keywords = ""
    props.category = ""
    props.content_status = ""
    props.identifier = ""
    props.version = ""


def _fixed_zip(data: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01, in the same order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def render(report: model.Report) -> bytes:
    doc = Document()
    lang = report.lang
    _defaults(doc, lang)
    _core(doc, report)
    _settings(doc)
    _add(doc, "Title", report.title)
    if report.subtitle:
        _add(doc, "Subtitle", report.subtitle)
    if report.authors:
        doc.add_paragraph(", ".join(report.authors))
    if report.date:
        doc.add_paragraph(report.date)
    _footer(doc)
    # The table of contents points at headings by bookmark, numbered by the headings'
    # anchors (unique in a report).
    numbers = {b.anchor: i for i, b in enumerate(
        (b for b in report.blocks if isinstance(b, model.Heading)), start=1)}
    for block in report.blocks:
        if isinstance(block, model.Heading):
            _heading(doc, block, numbers[block.anchor])
        elif isinstance(block, model.Prose):
            _prose(doc, block.markdown, lang)
        elif isinstance(block, model.TableBlock):
            _table(doc, block, lang)
        elif isinstance(block, model.FigureBlock):
            _figure(doc, block, lang)
        elif isinstance(block, model.QuoteBlock):
            _quote(doc, block)
        elif isinstance(block, model.Toc):
            _toc(doc, block, numbers)
        elif isinstance(block, model.PageBreak):
            doc.add_page_break()
        elif isinstance(block, model.References):
            _references(doc, block, lang)
    body = doc.element.body
    last = body[-2] if len(body) > 1 and body[-1].tag == qn("w:sectPr") else body[-1]
    if last.tag == qn("w:tbl"):
        # A floating table is anchored to the paragraph after it, and Word wants the
        # body to end with a paragraph.
        doc.add_paragraph()
    if report.footnotes:
        _footnotes_part(doc, report.footnotes)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())
