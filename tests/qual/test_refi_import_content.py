"""REFI-QDA import keeps what ATLAS.ti (and others) put beside codings: free-standing notes,
sets of documents (groups and "attribute: value" groups), uncoded quotations with a
comment, case variables, notes on codings; a bare .qde imports what it holds; the rest is
listed in ``not_imported``, never dropped without a word.

The project below is written here in the shape of the ATLAS.ti 8.4 export of the interop
corpus (upper-case GUIDs, Sets of sources and of codes, Notes with a Description, a Link, a
Graph, a quotation without a code), with texts of our own.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli.qual import COMMANDS
from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.qual import refi_qda as refi
from syrmak.store import schema
from tests.shared_data import INTEROP, require


def g(n: int) -> str:
    return f"AD68FBE7-E1EE-4A82-A279-{n:012d}"


USER, MABEL, SIMON, PDF, HAPPY, SLEEPY = g(1), g(2), g(3), g(4), g(5), g(6)
MABEL_TEXT = "I'm a single mum.\r\nBreakfast is mayhem."
SIMON_TEXT = "Gluten free bread was soggy."

QDE = f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="ATLAS.ti 8.4.0 573 , macOS" name="Breakfast"
 creatingUserGUID="{USER}">
 <Users><User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B" name="ATLAS.ti"/>
  <User guid="{USER}" name="Friedrich"/></Users>
 <CodeBook><Codes>
  <Code color="#F00082" isCodable="true" name="happiness" guid="{HAPPY}"/>
  <Code color="#F00082" isCodable="true" name="sleepy" guid="{SLEEPY}"/>
 </Codes></CodeBook>
 <Variables><Variable guid="{g(40)}" name="wave" typeOfVariable="Integer"/>
  <Variable guid="{g(41)}" name="place" typeOfVariable="Text"/></Variables>
 <Cases><Case guid="{g(50)}" name="Family A">
  <VariableValue><VariableRef targetGUID="{g(40)}"/><IntegerValue>2</IntegerValue></VariableValue>
  <VariableValue><VariableRef targetGUID="{g(41)}"/><TextValue>Almaty</TextValue></VariableValue>
  <SourceRef targetGUID="{MABEL}"/></Case></Cases>
 <Sources>
  <TextSource plainTextPath="internal://{g(20)}.txt" creatingUser="{USER}" guid="{MABEL}"
   name="Mabel.txt">
   <VariableValue><VariableRef targetGUID="{g(41)}"/><TextValue>Astana</TextValue></VariableValue>
   <PlainTextSelection startPosition="18" endPosition="27" creatingUser="{USER}"
    creationDateTime="2018-03-27T18:49:32Z" guid="{g(30)}" name="Breakfast">
    <Description>Mabel is not the only one who skips breakfast!</Description>
   </PlainTextSelection>
   <PlainTextSelection startPosition="0" endPosition="16" creatingUser="{USER}" guid="{g(31)}"
    name="I'm a single mum">
    <Coding creatingUser="{USER}" guid="{g(32)}"><CodeRef targetGUID="{HAPPY}"/>
     <NoteRef targetGUID="{g(62)}"/></Coding>
    <Coding creatingUser="{USER}" guid="{g(33)}"><CodeRef targetGUID="{SLEEPY}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection startPosition="28" endPosition="30" guid="{g(34)}" name="is"/>
  </TextSource>
  <TextSource plainTextPath="internal://{g(21)}.txt" creatingUser="{USER}" guid="{SIMON}"
   name="Simon.docx"><Description>Interview in the hotel</Description>
   <PlainTextSelection startPosition="22" endPosition="27" creatingUser="{USER}" guid="{g(35)}"
    name="soggy"><Coding creatingUser="{USER}" guid="{g(36)}"><CodeRef targetGUID="{SLEEPY}"/>
    </Coding></PlainTextSelection>
  </TextSource>
  <PDFSource path="internal://{g(22)}.pdf" guid="{PDF}" name="Kellogg's.pdf"/>
 </Sources>
 <Notes>
  <Note creatingUser="{USER}" creationDateTime="2018-03-27T19:38:46Z" name="Research Plan"
   guid="{g(60)}"><Description>day to day log</Description>
   <PlainTextContent>A great project.</PlainTextContent></Note>
  <Note creatingUser="{USER}" name="My favorite Coke ad" guid="{g(61)}">
   <PlainTextContent>Better than the director's cut.</PlainTextContent></Note>
  <Note creatingUser="{USER}" name="On happiness here" guid="{g(62)}">
   <PlainTextContent>Is she happy, or coping?</PlainTextContent></Note>
 </Notes>
 <Links><Link direction="OneWay" originGUID="{g(61)}" name="Memo-Quotation Relation"
   targetGUID="{g(30)}" guid="{g(70)}"/></Links>
 <Sets>
  <Set guid="{g(80)}" name="gender: male"><MemberSource targetGUID="{SIMON}"/></Set>
  <Set guid="{g(81)}" name="gender: female"><MemberSource targetGUID="{MABEL}"/></Set>
  <Set guid="{g(82)}" name="age: 67"><MemberSource targetGUID="{SIMON}"/></Set>
  <Set guid="{g(83)}" name="age:: 25"><MemberSource targetGUID="{MABEL}"/></Set>
  <Set guid="{g(84)}" name="Text files"><MemberSource targetGUID="{SIMON}"/>
   <MemberSource targetGUID="{MABEL}"/></Set>
  <Set guid="{g(85)}" name="Simon"><MemberSource targetGUID="{SIMON}"/></Set>
  <Set guid="{g(86)}" name="PDFs"><MemberSource targetGUID="{PDF}"/></Set>
  <Set guid="{g(87)}" name="Feelings"><MemberCode targetGUID="{HAPPY}"/>
   <MemberCode targetGUID="{SLEEPY}"/></Set>
  <Set guid="{g(88)}" name="&lt;3"/>
 </Sets>
 <Graphs><Graph guid="{g(90)}" name="Netzwerk"/></Graphs>
 <Description>Breakfast habits, a test project.</Description>
</Project>"""


def _archive(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def atlas(tmp_path):
    path = tmp_path / "breakfast.qdpx"
    path.write_bytes(_archive({"project.qde": QDE, f"sources/{g(20)}.txt": MABEL_TEXT,
                               f"sources/{g(21)}.txt": SIMON_TEXT}))
    return path


@pytest.fixture
def imported(new_study, atlas):
    study = new_study()
    return study, refi.import_qdpx(study, atlas)


def test_counts_and_codings(imported):
    study, result = imported
    assert (result.sources, result.codes, result.codings, result.notes) == (2, 2, 3, 6)
    texts = {d: qd.get_document(study, d).text for d in ("Mabel.txt", "Simon.docx")}
    assert sorted((r.document, r.code, texts[r.document][r.start:r.end])
                  for r in cd.codings_frame(study).itertuples()) == [
        ("Mabel.txt", "happiness", "I'm a single mum"), ("Mabel.txt", "sleepy", "I'm a single mum"),
        ("Simon.docx", "sleepy", "soggy")]


@pytest.mark.parametrize("title, text, document, on_coding", [
    # Free-standing notes (ATLAS.ti's memos): memos on the study; a Description goes first.
    ("Research Plan", "day to day log\n\nA great project.", None, False),
    ("My favorite Coke ad", "Better than the director's cut.", None, False),
    # An uncoded quotation with a comment: a memo on its document, saying where it is
    # (in code points: ATLAS.ti's 18-27 count the CRLF once).
    ("Quotation 19-28: Breakfast", "Mabel is not the only one who skips breakfast!",
     "Mabel.txt", False),
    # A note on one coding of a quotation: a memo on that coding.
    ("On happiness here", "Is she happy, or coping?", None, True),
    # The descriptions of a source and of the project.
    ("Description", "Interview in the hotel", "Simon.docx", False),
    ("Project description", "Breakfast habits, a test project.", None, False),
])
def test_notes_comments_and_descriptions_become_memos(imported, title, text, document,
                                                      on_coding):
    study, _ = imported
    found = [m for m in cd.memos(study).memos if m.title == title]
    assert [(m.text, m.author, m.document, m.coding is not None) for m in found] == [
        (text, "Friedrich", document, on_coding)]


def test_the_quotation_memo_points_at_the_quoted_words(imported):
    study, _ = imported
    [memo] = [m for m in cd.memos(study).memos if m.title.startswith("Quotation")]
    start, end = map(int, memo.title.split()[1].rstrip(":").split("-"))
    assert qd.get_document(study, "Mabel.txt").text[start:end] == "Breakfast"


@pytest.mark.parametrize("document, variable, value", [
    # "attribute: value" sets (and ATLAS.ti's "attribute::value"): one variable per attribute.
    ("Simon.docx", "gender", "male"), ("Mabel.txt", "gender", "female"),
    ("Simon.docx", "age", 67), ("Mabel.txt", "age", 25),
    # Other document groups: true for members, false for the other imported documents.
    ("Simon.docx", "Text files", True), ("Mabel.txt", "Text files", True),
    ("Simon.docx", "Simon", True), ("Mabel.txt", "Simon", False),
    # The case's variables reach its documents; the source's own value wins over the case's.
    ("Mabel.txt", "wave", 2), ("Mabel.txt", "place", "Astana"), ("Mabel.txt", "case", "Family A"),
])
def test_sets_and_cases_become_document_variables(imported, document, variable, value):
    study, _ = imported
    assert dict(qd.get_document(study, document).variables)[variable] == value


EXPECTED_NOT_IMPORTED = [  # in the file's order
    "TextSource 'Mabel.txt': 1 quotation(s) without a code, comment or note (syrmak keeps "
    "only coded segments)",
    "PDFSource 'Kellogg's.pdf' (only text sources are imported)",
    "Set 'PDFs': none of its source(s) (1) was imported",
    "Set 'Feelings': a group of 2 codes (syrmak has no code groups; the codes are imported)",
    "Set '<3': it is empty",
    "Link 'Memo-Quotation Relation' between two items (syrmak has no links)",
    "Graph 'Netzwerk' (syrmak has no graphs)",
]


def test_what_is_not_imported_is_listed(imported):
    _, result = imported
    assert list(result.not_imported) == EXPECTED_NOT_IMPORTED


def test_cli_prints_what_was_not_imported(new_study, atlas):
    study = new_study()
    out = CliRunner().invoke(click.Group("syrmak", commands=COMMANDS),
                             ["import-qdpx", str(study.folder), str(atlas)])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0] == "Imported 2 sources, 2 codes, 3 codings, 6 memos."
    assert lines[2] == f"Not imported ({len(EXPECTED_NOT_IMPORTED)}):"
    assert lines[3:] == [f"  - {x}" for x in EXPECTED_NOT_IMPORTED]


def test_conflicting_attribute_sets_keep_the_first_value(new_study, tmp_path):
    qde = QDE.replace(f'name="gender: female"><MemberSource targetGUID="{MABEL}"/>',
                      f'name="gender: female"><MemberSource targetGUID="{SIMON}"/>')
    path = tmp_path / "both.qdpx"
    path.write_bytes(_archive({"project.qde": qde, f"sources/{g(20)}.txt": MABEL_TEXT,
                               f"sources/{g(21)}.txt": SIMON_TEXT}))
    study = new_study()
    result = refi.import_qdpx(study, path)
    assert dict(qd.get_document(study, "Simon.docx").variables)["gender"] == "male"
    assert "Set 'gender: female': a document already has gender = male, which was kept" in \
        result.not_imported


def test_bare_qde_imports_what_it_holds_and_names_the_missing_sources(new_study, tmp_path):
    """A .qde without its zip: codebook, notes and inline texts import; sources whose text
    lives in the missing sources/ folder are named, with their selections."""
    inline = QDE.replace(
        'name="Simon.docx"><Description>Interview in the hotel</Description>',
        f'name="Simon.docx"><Description>Interview in the hotel</Description>'
        f'<PlainTextContent>{SIMON_TEXT}</PlainTextContent>')
    path = tmp_path / "project.qde"
    path.write_text(inline, encoding="utf-8")
    study = new_study()
    result = refi.import_qdpx(study, path)
    assert (result.sources, result.codes, result.codings) == (1, 2, 1)
    assert cb.codebook(study).paths() == ["happiness", "sleepy"]
    titles = {m.title for m in cd.memos(study).memos}
    assert {"Research Plan", "My favorite Coke ad", "On happiness here"} <= titles
    assert result.not_imported[0] == (
        f"TextSource 'Mabel.txt': its text (internal://{g(20)}.txt) is not in a bare .qde, "
        "nor are its 3 selection(s); import the .qdpx that holds its sources")


def test_corpus_bare_qde_of_atlas_ti(new_study):
    """The ATLAS.ti 8.4 .qde of the interop corpus: no sources, but its codebook, users and
    notes (its memos) are there."""
    path = require(INTEROP / "qdpx" / "atlasti8.4-mac_Project.qde")
    study = new_study()
    result = refi.import_qdpx(study, path)
    assert (result.sources, result.codes, result.codings, result.notes) == (0, 14, 0, 2)
    assert {(m.title, m.author, m.document) for m in cd.memos(study).memos} == {
        ("Research Plan", "Friedrich Markgraf", None),
        ("My favorite Coke ad", "Friedrich Markgraf", None)}
    # NFC: the file spells "Mabêl" with a combining accent.
    missing = [unicodedata.normalize("NFC", x.split(":")[0]) for x in result.not_imported
               if x.startswith("TextSource")]
    assert missing == ["TextSource '1960s Coca Cola commercial - Audio.docx'",
                       "TextSource '1960s Coca Cola commercial - Visual.docx'",
                       "TextSource '1994 Diet Coke-Diet Coke Break.docx'",
                       "TextSource 'Mabêl 2ième.txt'", "TextSource 'Mabel.txt'",
                       "TextSource 'Simon.docx'"]
    assert sum(x.startswith(("Link", "Graph")) for x in result.not_imported) == 2


def test_a_damaged_qdpx_still_stores_nothing(new_study, tmp_path):
    """Leniency is for a bare .qde; a .qdpx that lacks a source it names is damaged."""
    path = tmp_path / "broken.qdpx"
    path.write_bytes(_archive({"project.qde": QDE, f"sources/{g(20)}.txt": MABEL_TEXT}))
    study = new_study()
    with pytest.raises(SyrmakError, match="is not in the archive"):
        refi.import_qdpx(study, path)
    with study.engine.connect() as c:
        for table in (schema.documents, schema.codes, schema.memos, schema.document_variables):
            assert c.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
