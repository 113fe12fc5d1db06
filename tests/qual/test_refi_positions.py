"""Selection positions as each QDA program counts them (qual/refi_qda/positions.py).

The texts hold emoji (two UTF-16 code units, one code point) and CRLF line breaks (two code
points, one position in ATLAS.ti), so every convention gives different numbers for the
same words.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from syrmak.cli.qual import _PROGRAMS, COMMANDS
from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.qual import refi_qda as refi
from syrmak.qual.refi_qda.positions import CONVENTIONS, Positions, for_origin
from syrmak.store import schema

NS = {"q": refi.PROJECT_NS}
S, C, K, U = (f"0d4f6c5e-1b2a-4c3d-8e9f-0000000000{i:02d}" for i in range(1, 5))
#  code points: М0 ы1 _2 😷3 _4 в5 ... и12 .13 \r14 \n15 Д16 е17 н18 е19 г20 _21 😷22 _23 н24 е25 т26
TEXT = "Мы 😷 выгорали.\r\nДенег 😷 нет"


def _qdpx(tmp_path, origin: str | None, start: int, end: int) -> bytes:
    """A project whose one source (a file, so its CRLF survives) has one coded selection."""
    origin_attr = f' origin="{origin}"' if origin else ""
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{refi.PROJECT_NS}" name="p"{origin_attr}>
<Users><User guid="{U}" name="Zhanar"/></Users>
<CodeBook><Codes><Code guid="{C}" name="Fear" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{S}" name="int" plainTextPath="internal://{S}.txt">
<PlainTextSelection guid="{K}" startPosition="{start}" endPosition="{end}" creatingUser="{U}">
<Coding guid="{U[:-1]}9"><CodeRef targetGUID="{C}"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr(f"Sources/{S}.txt", "\ufeff".encode() + TEXT.encode("utf-8"))
    path = tmp_path / "p.qdpx"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("origin, override, start, end, words, read_as", [
    # NVivo: UTF-16 code units; each emoji before the words counts twice.
    ("NVivo for Windows 12.6", None, 6, 14, "выгорали", "nvivo"),
    ("NVivo for Windows 12.6", None, 17, 22, "Денег", "nvivo"),
    ("NVivo 12 for Mac", None, 26, 29, "нет", "nvivo"),
    # ATLAS.ti: code points, but a CRLF is one position.
    ("ATLAS.ti 8.4.0 573 , macOS", None, 5, 13, "выгорали", "atlasti"),
    ("ATLAS.ti for Windows 23.2.3.27778", None, 15, 20, "Денег", "atlasti"),
    ("ATLAS.ti for Windows 23.2.3.27778", None, 23, 26, "нет", "atlasti"),
    ("ATLAS.ti for Windows 23.2.3.27778", None, 5, 20, "выгорали.\r\nДенег", "atlasti"),
    # MAXQDA, QualCoder, syrmak and unknown programs: the standard's code points.
    ("MAXQDA 2022 (Release 22.2.0)", None, 16, 21, "Денег", "maxqda"),
    ("QualCoder 3.5", None, 24, 27, "нет", "qualcoder"),
    ("syrmak", None, 16, 21, "Денег", "standard"),
    (None, None, 5, 13, "выгорали", "standard"),
    # --from overrides the origin, both ways.
    ("NVivo for Windows 12.6", "standard", 16, 21, "Денег", "standard"),
    (None, "nvivo", 17, 22, "Денег", "nvivo"),
])
def test_import_reads_each_programs_positions(new_study, tmp_path, origin, override, start,
                                              end, words, read_as):
    study = new_study()
    result = refi.import_qdpx(study, _qdpx(tmp_path, origin, start, end), positions=override)
    assert result.positions == read_as
    [row] = cd.codings_frame(study).itertuples()
    assert qd.get_document(study, "int").text[row.start:row.end] == words


@pytest.mark.parametrize("origin, start, end, message", [
    # Half an emoji: a UTF-16 position between the two halves of a surrogate pair.
    ("NVivo for Windows 12.6", 4, 14, "never inside a character"),
    # Past the end of the text as code points: the hint names --from.
    ("Some QDA tool", 17, 30, "--from PROGRAM"),
    ("NVivo for Windows 12.6", 6, 31, "29 positions"),
])
def test_positions_that_do_not_fit_store_nothing(new_study, tmp_path, origin, start, end,
                                                  message):
    study = new_study()
    with pytest.raises(SyrmakError, match="does not fit") as error:
        refi.import_qdpx(study, _qdpx(tmp_path, origin, start, end))
    assert message in str(error.value)
    with study.engine.connect() as c:
        for table in (schema.documents, schema.codes, schema.codings):
            assert c.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


EMOJI_TEXT = "Мы 😷 выгорали.\nДенег 😷 не было."


@pytest.mark.parametrize("target, origin, expected", [
    ("standard", "syrmak", [(5, 13), (15, 20)]),
    ("nvivo", "syrmak for NVivo", [(6, 14), (16, 21)]),
    ("atlasti", "syrmak for ATLAS.ti", [(5, 13), (15, 20)]),
    ("maxqda", "syrmak for MAXQDA", [(5, 13), (15, 20)]),
    ("qualcoder", "syrmak for QualCoder", [(5, 13), (15, 20)]),
])
def test_export_counts_as_the_target_program_and_reads_back(new_study, other_study, tmp_path,
                                                            target, origin, expected):
    study = new_study()
    cb.add_code(study, "Fear")
    qd.add_text(study, "int", EMOJI_TEXT)
    cd.code_quote(study, "int", "выгорали", "Fear", "anna")
    cd.code_quote(study, "int", "Денег", "Fear", "anna")
    out = refi.export_qdpx(study, tmp_path / "out.qdpx", target)
    assert out.positions == target
    with zipfile.ZipFile(out.path) as z:
        root = ET.fromstring(z.read("project.qde"))
    assert root.get("origin") == origin
    spans = sorted((int(s.get("startPosition")), int(s.get("endPosition")))
                   for s in root.iterfind(".//q:PlainTextSelection", NS))
    assert spans == expected
    # The origin tells syrmak (and any reader that goes by it) how to read them back.
    again = other_study("again")
    assert refi.import_qdpx(again, out.path).positions == target
    text = qd.get_document(again, "int").text
    assert sorted(text[r.start:r.end] for r in cd.codings_frame(again).itertuples()) == [
        "Денег", "выгорали"]


@pytest.mark.parametrize("origin, name", [
    ("NVivo for Windows 12.6", "nvivo"), ("NVivo 12 For Mac", "nvivo"),
    ("ATLAS.ti 8.4.0 573 , macOS Version 10.14.3", "atlasti"),
    ("ATLAS.ti for Windows 23.2.3.27778", "atlasti"), ("MAXQDA 2020", "maxqda"),
    ("QualCoder 3.6", "qualcoder"), ("syrmak", "standard"), ("Quirkos", "standard"),
    ("", "standard"), (None, "standard"),
])
def test_origin_names_the_convention(origin, name):
    assert for_origin(origin).name == name


def test_cli_offers_exactly_the_known_programs():
    assert set(_PROGRAMS) == set(CONVENTIONS)


texts = st.lists(st.sampled_from(["a", "é", "😷", "\r\n", "\n", "\r", "\U0001F1F0", "д"]),
                max_size=30).map("".join)


@given(texts, st.sampled_from(sorted(CONVENTIONS)))
def test_positions_round_trip_at_every_character_boundary(text, name):
    positions = Positions(text, CONVENTIONS[name])
    for i in range(len(text) + 1):
        back = positions.to_code_point(positions.from_code_point(i))
        # Only between the \r and \n of a CRLF, where ATLAS.ti has no position of its own,
        # does a code point offset come back as the one before the line break.
        if back != i:
            assert name == "atlasti" and text[i - 1:i + 1] == "\r\n" and back == i - 1
    assert positions.to_code_point(positions.units) == len(text)
    assert positions.to_code_point(positions.units + 1) is None


def test_cli_export_for_and_import_from(new_study, other_study, tmp_path):
    group = click.Group("syrmak", commands=COMMANDS)
    run = CliRunner().invoke
    study = new_study()
    cb.add_code(study, "Fear")
    qd.add_text(study, "int", EMOJI_TEXT)
    cd.code_quote(study, "int", "Денег", "Fear", "anna")
    out = run(group, ["export", "qdpx", str(study.folder), str(tmp_path / "n.qdpx"),
                      "--for", "nvivo"])
    assert out.exit_code == 0 and "UTF-16 code units, as NVivo counts them" in out.output
    # Read as code points on purpose: the NVivo positions then land one character late.
    again = other_study("again")
    out = run(group, ["import-qdpx", str(again.folder), str(tmp_path / "n.qdpx"),
                      "--from", "standard"])
    assert out.exit_code == 0, out.output
    assert "Positions read as the REFI-QDA standard counts them" in out.output
    [row] = cd.codings_frame(again).itertuples()
    assert (row.start, row.end) == (16, 21)
