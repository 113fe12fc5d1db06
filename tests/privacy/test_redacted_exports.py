"""Redacted text leaves the study in document exports and (on request) in .qdpx; each
coding's text in the redacted project is the redacted version of what was coded."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.privacy import audit, redaction
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import refi_qda as refi
from syrmak.qual.documents import add_text, export_text

TEXT = ("Мы с Ерланом ездили в Атырау. Потом Ерлан вернулся один.\n"
        "Айгерим сказала, что в Атырау всех знают.")


@pytest.fixture
def coded(study):
    add_text(study, "interview-01", TEXT)
    cb.add_code(study, "Поездки")
    cb.add_code(study, "Страх")
    cd.code_quote(study, "interview-01", "Мы с Ерланом ездили в Атырау.", "Поездки", "anna")
    cd.code_quote(study, "interview-01", "Потом Ерлан вернулся", "Поездки", "anna")
    cd.code_quote(study, "interview-01", "вернулся один", "Страх", "bob")  # no name in it
    cd.code_quote(study, "interview-01", "ланом ездили", "Страх", "bob")  # cuts a name
    cd.code_quote(study, "interview-01", "Айгерим сказала, что в Атырау всех знают.",
                  "Страх", "anna")
    redaction.propose(study, sources=("gazetteer",))
    found = redaction.proposals(study)
    redaction.decide(study, [p.id for p in found if "[[Айгерим]]" not in p.context], True)
    redaction.decide(study, [p.id for p in found if "[[Айгерим]]" in p.context], False)
    return study


def _project(path):
    ns = {"q": refi.PROJECT_NS}
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        sources = {n[len("sources/"):]: archive.read(n).decode("utf-8")
                   for n in archive.namelist() if n.startswith("sources/")}
    out = []
    for src in root.iterfind(".//q:TextSource", ns):
        text = sources[src.get("plainTextPath").removeprefix("internal://")]
        for sel in src.iterfind("q:PlainTextSelection", ns):
            out.append((sel.get("guid"), text[int(sel.get("startPosition")):
                                              int(sel.get("endPosition"))]))
    return dict(out), list(sources.values())


@pytest.mark.parametrize("style", ["labels", "names"])
def test_each_coding_in_the_redacted_qdpx_is_the_redacted_coded_text(coded, tmp_path, style):
    coded.config.setdefault("privacy", {})["pseudonyms"] = style
    refi.export_qdpx(coded, tmp_path / "r.qdpx", redacted=True)
    selections, texts = _project(tmp_path / "r.qdpx")
    assert "Ерлан" not in texts[0] and "Атырау" not in texts[0] and "Айгерим" in texts[0]
    frame = cd.codings_frame(coded)
    assert len(selections) == len(frame) == 5
    for row in cd.codings_frame(coded).itertuples():
        guid = next(c.guid for c in _codings(coded) if c.id == row.id)
        original = TEXT[row.start:row.end]
        with coded.engine.connect() as connection:
            doc_id = next(c.document_id for c in _codings(coded) if c.id == row.id)
            expected = redaction.redact(connection, doc_id, row.start, row.end, original,
                                        style)
        if row.start == TEXT.index("ланом ездили"):
            # A coding that cut a name covers all of its pseudonym in the export.
            assert selections[guid].endswith(" ездили")
            assert "ланом" not in selections[guid]
            continue
        assert selections[guid] == expected, original
    if style == "names":
        assert selections[next(c.guid for c in _codings(coded) if c.start_offset == 0)] == (
            "Мы с Маратом ездили в [Place 1].")


def _codings(study):
    import sqlalchemy as sa

    from syrmak.store import schema
    with study.engine.connect() as connection:
        return connection.execute(sa.select(schema.codings)).all()


def test_the_plain_qdpx_export_is_unchanged_and_both_are_audited(coded, tmp_path):
    run = CliRunner().invoke(main, ["export", "qdpx", str(coded.folder),
                                    str(tmp_path / "r.qdpx"), "--redacted"],
                             catch_exceptions=False)
    assert run.exit_code == 0, run.output
    refi.export_qdpx(coded, tmp_path / "plain.qdpx")
    _, plain = _project(tmp_path / "plain.qdpx")
    assert plain == [TEXT]
    entries = audit.entries(coded, action="export-qdpx")
    assert [(e.detail["file"], e.detail["redacted"]) for e in entries] == [
        ("r.qdpx", True), ("plain.qdpx", False)]
    assert audit.verify(coded).ok


def test_a_document_export_is_redacted_and_audited(coded, tmp_path):
    out = tmp_path / "interview.txt"
    run = CliRunner().invoke(main, ["docs", "show", str(coded.folder), "interview-01",
                                    "-o", str(out)], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert out.read_text(encoding="utf-8") == (
        "Мы с [Person 1] ездили в [Place 1]. Потом [Person 1] вернулся один.\n"
        "Айгерим сказала, что в [Place 1] всех знают.")
    entry = audit.entries(coded, action="export")[-1]
    assert entry.detail == {"file": "interview.txt", "format": "text",
                            "document": "interview-01", "redacted": True}
    # On screen the stored text, unless asked; the stored text never changes.
    shown = CliRunner().invoke(main, ["docs", "show", str(coded.folder), "interview-01"])
    assert shown.output.strip() == TEXT
    assert export_text(coded, "interview-01") != TEXT
    assert export_text(coded, "interview-01", redacted=False) == TEXT
