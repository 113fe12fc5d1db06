"""The Word report's page layout, checked in the DOCX itself with python-docx: page numbers,
a table of contents with page numbers, tables that neither split rows nor break words,
quotes and captions kept with what follows them."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from tests.report.conftest import data_tables

from syrmak.report import build_report, model, word


@pytest.fixture(scope="module")
def document(shared_reported):
    result = build_report(shared_reported, formats=("docx",))
    return docx.Document(result.files[0])


def _instructions(element) -> list[str]:
    return [t.text.strip() for t in element.iter(qn("w:instrText"))]


def test_footer_carries_a_page_number_field(document):
    footer = document.sections[0].footer
    assert _instructions(footer._element) == ["PAGE \\* ARABIC"]


def test_contents_entries_point_at_the_headings_page(document):
    body = document.element.body
    bookmarks = {b.get(qn("w:name")): b.getparent() for b in body.iter(qn("w:bookmarkStart"))}
    toc = [docx.text.paragraph.Paragraph(p, document.part) for p in body.iter(qn("w:p"))
           if any(i.startswith("PAGEREF") for i in _instructions(p))]
    assert [p.text.split("\t")[0] for p in toc] == ["Results", "Voices"]
    for p in toc:
        (ref,) = [i for i in _instructions(p._p) if i.startswith("PAGEREF")]
        target = ref.split()[1]
        heading = docx.text.paragraph.Paragraph(bookmarks[target], document.part)
        assert heading.text == p.text.split("\t")[0]
        assert heading.style.name.startswith("Heading")
    # In Word's "Table of Contents" content control, not a TOC field, whose cached text
    # LibreOffice would print as it is.
    (sdt,) = body.iter(qn("w:sdt"))
    gallery = sdt.find(".//" + qn("w:docPartGallery"))
    assert gallery.get(qn("w:val")) == "Table of Contents"
    assert [p for p in sdt.iter(qn("w:p"))] == [p._p for p in toc]
    # The dotted leader to a right-aligned page number.
    tabs = toc[0]._p.find(qn("w:pPr")).find(qn("w:tabs"))
    assert tabs[0].get(qn("w:leader")) == "dot" and tabs[0].get(qn("w:val")) == "right"


def test_table_rows_repeat_headers_never_split_and_stay_together(document):
    assert len(data_tables(document)) == 2
    for table in data_tables(document):
        rows = table.rows
        header = [i for i, r in enumerate(rows)
                  if r._tr.trPr.find(qn("w:tblHeader")) is not None]
        assert header and header == list(range(len(header)))
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
        for r, row in enumerate(rows):
            keeps = {p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs}
            assert keeps == ({None} if r == len(rows) - 1 else {True}), r


def test_captions_and_quotes_are_kept_with_what_follows(document):
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    for p in paragraphs:
        if p.style.name == "Caption":
            assert p.paragraph_format.keep_with_next
    i = texts.index("Before the pandemic we never had enough money for the office rent.")
    # translation, attribution and "Original in Russian:" all hold on to the original.
    assert [paragraphs[k].paragraph_format.keep_with_next for k in range(i, i + 4)] == [
        True, True, True, None]
    assert texts[i + 2] == "Original in Russian:"


def _table(header: list[str], body: list[list[str]]) -> model.TableBlock:
    return model.TableBlock(
        1, "Wide", "t1",
        (tuple(model.Cell(h, header=True, kind="label" if i == 0 else "number")
               for i, h in enumerate(header)),),
        tuple(tuple(model.Cell(c, kind="label" if i == 0 else "number") for i, c in
                    enumerate(row)) for row in body))


@pytest.mark.parametrize("header", [
    ["How effective was the work of your organisation during the pandemic?",
     "Effectiveness", "collaboration", "Significantly", "Unchanged", "Decreased",
     "Difficult to answer", "Total"],
    ["Q", "Effectiveness"],
    ["Question", "a", "b", "c", "d", "e", "f", "g", "h", "Total"],
])
def test_column_widths_come_from_content_no_word_broken(header):
    body = [["Row label", *["12.90%"] * (len(header) - 1)]]
    report = model.Report("T", None, (), None, "en", (_table(header, body),),
                          "2022-01-15T00:00:00+00:00")
    table = docx.Document(io.BytesIO(word.render(report))).tables[0]
    widths = [c.width for c in table.columns]
    assert sum(widths) <= word.TEXT_WIDTH + 635 * len(widths)  # stored in twips
    assert sum(widths) >= word.TEXT_WIDTH * 0.99
    char = Pt(8.5) * 0.62
    for width, text in zip(widths, header, strict=True):
        longest = max(len(w) for w in text.split())
        assert width >= longest * char, (text, width)
    # A short label column gives its room to the numbers, a long one takes more.
    if header[0] == "Q":
        assert widths[0] < widths[1]


def test_no_figure_taller_than_twelve_centimetres():
    """A figure kept with its caption and taller than what is left of a page leaves that
    rest blank: figures are at most 12 cm tall (narrower if need be)."""
    from syrmak.report import charts as C

    tall = C.GroupedChart(tuple(f"Platform {i}" for i in range(40)), ("Before", "During"),
                          (tuple([50.0] * 40), tuple([60.0] * 40)),
                          (tuple([5.0] * 40), tuple([6.0] * 40)), "% of respondents", "n = 10")
    png = C.render(tall, "png", "t")
    block = model.FigureBlock(1, "Tall", "f1", tall, "alt", png=png)
    report = model.Report("T", None, (), None, "en", (block,), "2022-01-15T00:00:00+00:00")
    document = docx.Document(io.BytesIO(word.render(report)))
    (shape,) = document.inline_shapes
    assert shape.height <= word.FIGURE_MAX_HEIGHT
    assert shape.width < word.FIGURE_WIDTH
    # A figure last in the report still has a paragraph after its frame to anchor it.
    body = [el.tag for el in document.element.body]
    assert body[-3:] == [qn("w:tbl"), qn("w:p"), qn("w:sectPr")]


def test_figures_float_with_their_caption_in_one_unsplittable_frame(document):
    """A figure that does not fit on what is left of a page goes to the top of the next
    one while the text after it fills the gap (half a page was left blank before Figure 7
    of the example): caption, picture and note sit in one floating one-cell table whose
    row cannot split, and only the caption is kept with the picture."""
    body = document.element.body
    numbers = {t._tbl for t in data_tables(document)}
    frames = [t for t in document.tables if t._tbl not in numbers]  # the figures' frames
    blips = body.findall(".//" + qn("a:blip"))
    assert blips and len(frames) == len(blips)
    for frame in frames:
        place = frame._tbl.tblPr.find(qn("w:tblpPr"))
        assert place.get(qn("w:vertAnchor")) == "text"
        assert frame._tbl.tblPr.find(qn("w:tblOverlap")).get(qn("w:val")) == "never"
        (row,) = frame.rows
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        (cell,) = row.cells
        caption, picture = cell.paragraphs[:2]
        assert caption.style.name == "Caption" and caption.text.startswith("Figure ")
        assert caption.paragraph_format.keep_with_next
        assert picture._p.findall(".//" + qn("a:blip"))
        assert not picture.paragraph_format.keep_with_next
    # Every caption of a figure is in a frame, none loose in the body.
    loose = [p.text for p in document.paragraphs
             if p.style.name == "Caption" and p.text.startswith("Figure ")]
    assert loose == []


def _keeps(paragraph) -> bool:
    style = paragraph.style
    own = paragraph.paragraph_format.keep_with_next
    while own is None and style is not None:
        own, style = style.paragraph_format.keep_with_next, style.base_style
    return bool(own)


def test_no_long_chain_of_paragraphs_kept_with_the_next(document):
    """Keep-with-next binds a caption to its figure or table, a heading to its first
    line and a quote to its attribution, never a run of paragraphs that cannot fit on a
    page together (the whole chain would move, leaving a blank page behind)."""
    longest = run = 0
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p") and _keeps(docx.text.paragraph.Paragraph(element,
                                                                            document.part)):
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    assert 1 <= longest <= 4


NOTES_SPEC = """\
title: Notes
lang: en
footnotes:
  one: The first note.
  two: "The second, with *emphasis*."
content:
  - text: |
      A claim.[^two] Another claim.[^one] The first again.[^two]
  - references:
      - "Author, A. (2020). *A book*. <https://example.org/book>"
      - Plain entry without an address.
"""


def test_footnotes_are_word_footnotes_numbered_by_first_citation(reported):
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    from syrmak.report import parse_spec

    result = build_report(reported, parse_spec(NOTES_SPEC), formats=("docx", "html"))
    assert result.report.footnotes == ("The second, with *emphasis*.", "The first note.")
    paths = {p.suffix: p for p in result.files}
    document = docx.Document(paths[".docx"])
    body = document.element.body
    assert [r.get(qn("w:id")) for r in body.iter(qn("w:footnoteReference"))] == ["1", "2", "1"]
    notes = document.part.part_related_by(RT.FOOTNOTES).blob.decode("utf-8")
    assert 'w:id="1"><w:p>' in notes and "The second, with emphasis." in notes
    # The bibliography: hanging indents, and the address a real link.
    entries = [p for p in document.paragraphs if p.text.startswith(("Author", "Plain"))]
    assert [round(p.paragraph_format.first_line_indent / Cm(1), 2) for p in entries] == [-1, -1]
    (link,) = entries[0]._p.iter(qn("w:hyperlink"))
    assert document.part.rels[link.get(qn("r:id"))].target_ref == "https://example.org/book"
    html = paths[".html"].read_text(encoding="utf-8")
    assert html.count('<sup class="fn"><a href="#fn-1"') == 2
    assert '<li id="fn-2">The first note.' in html


@pytest.mark.parametrize(("spec", "line", "message"), [
    (NOTES_SPEC.replace("[^one]", "[^three]"), 8, "there is no footnote 'three'"),
    (NOTES_SPEC.replace("  one: The first note.", "  one: [a, b]"), 4, "must be text"),
    (NOTES_SPEC.replace("      - Plain entry without an address.", "      - {a: b}"), 11,
     "each reference is one line"),
])
def test_footnote_and_reference_mistakes_name_the_line(reported, spec, line, message):
    from syrmak.errors import SyrmakError
    from syrmak.report import parse_spec

    with pytest.raises(SyrmakError, match=message) as info:
        build_report(reported, parse_spec(spec), formats=("html",))
    assert info.value.location.line == line


def test_contents_without_headings_is_still_a_valid_control():
    report = model.Report("T", None, (), None, "en", (model.Toc("Contents", ()),),
                          "2022-01-15T00:00:00+00:00")
    body = docx.Document(io.BytesIO(word.render(report))).element.body
    (sdt,) = body.iter(qn("w:sdt"))
    assert len(list(sdt.find(qn("w:sdtContent")))) == 1
