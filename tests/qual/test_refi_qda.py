import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
import sqlalchemy as sa
import xmlschema

from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.qual import refi_qda as refi
from syrmak.store import schema

NS = {"q": refi.PROJECT_NS}
TEXT = "Мы 😷 выгорали.\nДенег не было — совсем."


@pytest.fixture
def project(surveyed):
    s = surveyed
    cb.import_yaml(s, """codes:
  - name: Трудности
    description: Что мешало
    colour: "#AA0000"
    memo: Главная тема
    codes: [Выгорание, Деньги]
  - name: Карантин
""")
    qd.add_text(s, "int26", TEXT, respondent=3, variables={"wave": 2, "political": True})
    qd.add_text(s, "notes", "Заметка без респондента", variables={"place": "Алматы"})
    c1 = cd.code_quote(s, "int26", "выгорали", "Выгорание", "anna", weight=70, comment="ярко")
    cd.code_quote(s, "int26", "выгорали.\nДенег", "Деньги", "bob")
    cd.code_quote(s, "notes", "Заметка", "Карантин", "anna")
    cd.add_memo(s, "Про выгорание", coding=c1.id, author="anna", title="m1")
    cd.add_memo(s, "Интервью по Zoom", document="int26", author="bob")
    cd.add_memo(s, "Проектная заметка", author="anna")
    return s


def snapshot(study):
    """Everything a round trip must keep, independent of ids and guids."""
    docs = {d["name"]: qd.get_document(study, d["name"]) for d in qd.list_documents(study).rows}
    frame = cd.codings_frame(study)
    return {
        "sources": {n: d.text for n, d in docs.items()},
        "variables": {n: dict(d.variables) for n, d in docs.items()},
        "codes": cb.codebook(study).to_dict(),
        "codings": sorted((r.document, r.code, r.start, r.end, r.coder,
                           r.weight if r.weight == r.weight else None, r.comment)
                          for r in frame.itertuples()),
        "notes": sorted((m.text, m.author, m.title, m.document, m.code,
                         m.coding is not None) for m in cd.memos(study).memos),
    }


def test_export_validates_and_round_trips(project, other_study, tmp_path):
    out = refi.export_qdpx(project, tmp_path / "a.qdpx")
    assert (out.sources, out.codes, out.codings) == (2, 4, 3)
    with zipfile.ZipFile(out.path) as z:
        qde = z.read("project.qde")
        root = ET.fromstring(qde)
        src = root.find(".//q:TextSource[@name='int26']", NS)
        assert src.get("plainTextPath") == f"internal://{src.get('guid')}.txt"
        assert z.read(f"sources/{src.get('guid')}.txt").decode("utf-8") == TEXT
    xmlschema.XMLSchema(str(refi.HERE / "Project.xsd")).validate(qde)
    sel = root.find(".//q:TextSource[@name='int26']/q:PlainTextSelection", NS)
    # Code points: the emoji counts once.
    assert (sel.get("startPosition"), sel.get("endPosition")) == ("5", "13")
    assert {u.get("name") for u in root.findall(".//q:User", NS)} >= {"anna", "bob"}
    case = root.find(".//q:Case", NS)
    assert case.get("name") == "Respondent 3"

    fresh = other_study("copy")
    result = refi.import_qdpx(fresh, out.path)
    assert (result.sources, result.codings, result.notes) == (2, 3, 4)
    before, after = snapshot(project), snapshot(fresh)
    # Respondent 3 does not exist in the fresh study: the case is kept as a variable.
    assert after["variables"]["int26"].pop("case") == "Respondent 3"
    assert after == before
    again = refi.export_qdpx(fresh, tmp_path / "b.qdpx")
    third = other_study("third")
    refi.import_qdpx(third, again.path)
    final = snapshot(third)
    final["variables"]["int26"].pop("case")
    assert final == before


def test_qdc_with_entities_is_refused(new_study, tmp_path):
    path = tmp_path / "book.qdc"
    path.write_text('<!DOCTYPE CodeBook [<!ENTITY a "Fear">]><CodeBook xmlns="'
                    f'{refi.CODEBOOK_NS}"><Codes><Code guid="{C}" name="&a;" '
                    'isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    study = new_study()
    with pytest.raises(SyrmakError, match="declares XML entities"):
        refi.import_qdc(study, path)
    assert cb.codebook(study).paths() == []


def test_qdc(project, other_study, tmp_path):
    path = refi.export_qdc(project, tmp_path / "book.qdc")
    xmlschema.XMLSchema(str(refi.HERE / "Codebook.xsd")).validate(path.read_bytes())
    other = other_study("other")
    book = refi.import_qdc(other, path)
    assert book.paths() == cb.codebook(project).paths()
    assert book["Трудности"].description == "Что мешало"
    assert book["Трудности"].colour == "#AA0000"


def _zip(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


G = "0d4f6c5e-1b2a-4c3d-8e9f-000000000001"
C = "0d4f6c5e-1b2a-4c3d-8e9f-000000000002"
U = "0d4f6c5e-1b2a-4c3d-8e9f-000000000003"


def test_tolerates_real_tool_quirks(new_study, tmp_path):
    """No namespace, a folder, {braced} GUIDs, #RGB colours, a BOM, a plain relative path and a
    coding on the whole source, as various tools write them."""
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="x"><Users><User guid="{{{U}}}" name="Zhanar"/></Users>
<CodeBook><Codes><Code guid="{C}" name="Fear" isCodable="true" color="#f00"/></Codes></CodeBook>
<Sources><TextSource guid="{G}" name="Интервью" plainTextPath="sources\\{G}.txt">
<PlainTextSelection guid="{G[:-1]}9" startPosition="0" endPosition="5" creatingUser="{U}">
<Coding guid="{G[:-1]}8"><CodeRef targetGUID="{C}"/></Coding></PlainTextSelection>
<Coding guid="{G[:-1]}7" creatingUser="{U}"><CodeRef targetGUID="{C}"/></Coding>
</TextSource><PDFSource guid="{G[:-1]}6" name="scan.pdf"/></Sources></Project>"""
    path = tmp_path / "quirky.qdpx"
    path.write_bytes(_zip({"export/project.qde": qde,
                           f"sources/{G}.txt": "\ufeffСтрах заразиться".encode()}))
    study = new_study()
    result = refi.import_qdpx(study, path)
    assert result.not_imported == ("PDFSource 'scan.pdf' (only text sources are imported)",)
    frame = cd.codings_frame(study)
    assert sorted(zip(frame.start, frame.end, frame.coder, strict=True)) == [
        (0, 5, "Zhanar"), (0, 16, "Zhanar")]
    assert cb.get_code(study, "Fear").colour == "#FF0000"


@pytest.mark.parametrize("files, message", [
    (None, "not a .qdpx"),
    ({"readme.txt": "x"}, "no project.qde"),
    ({"project.qde": "<Project"}, "not well-formed"),
    ({"project.qde": "<CodeBook/>"}, "not Project"),
    ({"project.qde": f'<Project name="x"><Sources><TextSource guid="{G}" name="a" '
                     f'plainTextPath="internal://{G}.txt"/></Sources></Project>'},
     "not in the archive"),
    ({"project.qde": f'<Project name="x"><Sources><TextSource guid="{G}" name="a">'
                     f'<PlainTextContent>abc</PlainTextContent><PlainTextSelection guid="{C}" '
                     f'startPosition="1" endPosition="99"><Coding guid="{U}"><CodeRef '
                     f'targetGUID="{C}"/></Coding></PlainTextSelection></TextSource></Sources>'
                     '</Project>'}, "not in the codebook"),
    ({"project.qde": f'<Project name="x"><CodeBook><Codes><Code guid="{C}" name="c" '
                     f'isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{G}" '
                     f'name="a"><PlainTextContent>abc</PlainTextContent><PlainTextSelection '
                     f'guid="{U}" startPosition="1" endPosition="99"><Coding guid="{C}">'
                     f'<CodeRef targetGUID="{C}"/></Coding></PlainTextSelection></TextSource>'
                     '</Sources></Project>'}, "does not fit"),
    # Entities: an external one would read a local file into a memo, nested ones (billion
    # laughs) exhaust memory; both are refused before anything is read.
    ({"project.qde": '<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
                     '<Project name="x"><Notes><Note guid="' + G + '"><PlainTextContent>&x;'
                     '</PlainTextContent></Note></Notes><NoteRef targetGUID="' + G + '"/>'
                     '</Project>'}, "declares XML entities"),
    ({"project.qde": '<!DOCTYPE Project [<!ENTITY a "Fear"><!ENTITY b "&a;&a;&a;&a;">]>'
                     f'<Project name="x"><CodeBook><Codes><Code guid="{C}" name="&b;" '
                     'isCodable="true"/></Codes></CodeBook></Project>'},
     "declares XML entities"),
])
def test_malformed_qdpx_changes_nothing(new_study, tmp_path, files, message):
    study = new_study()
    path = tmp_path / "bad.qdpx"
    path.write_bytes(b"garbage" if files is None else _zip(files))
    with pytest.raises(SyrmakError, match=message):
        refi.import_qdpx(study, path)
    with study.engine.connect() as c:
        for table in (schema.documents, schema.codes, schema.codings, schema.memos):
            assert c.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
