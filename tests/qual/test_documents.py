import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual import documents as qd
from syrmak.store import schema

VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.500
Анна Климченко: Расскажите, пожалуйста, о работе.

2
00:00:05.000 --> 00:00:09.000
Респондент 26: Мы выгорали 😩 очень сильно.

3
00:00:09.000 --> 00:01:02.250
Респондент 26: Финансирования не было.
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
Ёлка: Привет

2
00:00:03,500 --> 00:00:06,000
просто текст без говорящего
"""

TRANSCRIPT = """[00:00:05] Интервьюер: Как вы работали?
[00:01:10] Р26: Онлайн. Было тяжело.
Очень тяжело.
[00:02:00] Интервьюер: Спасибо.
"""


def test_vtt_segments_offsets_are_code_points(new_study, tmp_path):
    path = tmp_path / "zoom.vtt"
    path.write_bytes(VTT.replace("\n", "\r\n").encode("utf-8"))
    study = new_study()
    doc = qd.add_document(study, path)
    assert doc.kind == "vtt" and doc.name == "zoom"
    assert doc.text.split("\n") == [
        "Анна Климченко: Расскажите, пожалуйста, о работе.",
        "Респондент 26: Мы выгорали 😩 очень сильно. Финансирования не было.",
    ]
    speakers = [(s.speaker, s.start_ms, s.end_ms, doc.text[s.start:s.end]) for s in doc.segments]
    assert speakers == [
        ("Анна Климченко", 1000, 4500, "Расскажите, пожалуйста, о работе."),
        ("Респондент 26", 5000, 9000, "Мы выгорали 😩 очень сильно."),
        ("Респондент 26", 9000, 62250, "Финансирования не было."),
    ]
    # The emoji is one code point (two UTF-16 units, four UTF-8 bytes).
    assert doc.text.index("Финансирования") == doc.segments[2].start
    stored = qd.get_document(study, doc.name)
    assert stored.text == doc.text and stored.segments == doc.segments


def test_srt_and_transcript(new_study, tmp_path):
    study = new_study()
    (tmp_path / "a.srt").write_text(SRT, encoding="utf-8")
    srt = qd.add_document(study, tmp_path / "a.srt")
    assert srt.text == "Ёлка: Привет\nпросто текст без говорящего"
    assert [s.speaker for s in srt.segments] == ["Ёлка", None]
    (tmp_path / "t.txt").write_text(TRANSCRIPT, encoding="utf-8")
    tr = qd.add_document(study, tmp_path / "t.txt")
    assert tr.kind == "transcript"
    got = [(s.speaker, s.start_ms, s.end_ms, tr.text[s.start:s.end]) for s in tr.segments]
    assert got == [("Интервьюер", 5000, 70000, "Как вы работали?"),
                   ("Р26", 70000, 120000, "Онлайн. Было тяжело.\nОчень тяжело."),
                   ("Интервьюер", 120000, None, "Спасибо.")]


def test_plain_text_is_normalised(new_study, tmp_path):
    study = new_study()
    path = tmp_path / "note.txt"
    # BOM, CRLF, and a decomposed "й" (и + combining breve) become one NFC code point.
    path.write_bytes("\ufeffМой текст\r\nвторая строка".replace("й", "и\u0306").encode())
    doc = qd.add_document(study, path, name="заметка")
    assert doc.text == "Мой текст\nвторая строка" and doc.kind == "text" and not doc.segments
    cp1251 = tmp_path / "old.txt"
    cp1251.write_bytes("Гражданское общество и пандемия в Казахстане".encode("cp1251"))
    assert qd.add_document(study, cp1251).text.startswith("Гражданское общество")


def test_docx(new_study, tmp_path):
    import docx

    word = docx.Document()
    word.add_paragraph("Первый абзац.")
    word.add_paragraph("Второй — с тире.")
    word.save(tmp_path / "i.docx")
    doc = qd.add_document(new_study(), tmp_path / "i.docx")
    assert doc.kind == "docx" and doc.text == "Первый абзац.\nВторой — с тире."


@pytest.mark.parametrize("content", [b"this is not a zip", b"PK\x03\x04garbage"])
def test_not_a_docx_changes_nothing(new_study, tmp_path, content):
    study = new_study()
    path = tmp_path / "fake.docx"
    path.write_bytes(content)
    with pytest.raises(SyrmakError, match="not a readable Word"):
        qd.add_document(study, path)
    assert qd.list_documents(study).to_frame().empty


def test_bad_inputs(new_study, tmp_path):
    study = new_study()
    (tmp_path / "x.vtt").write_text("WEBVTT\n\nno cues here\n", encoding="utf-8")
    with pytest.raises(SyrmakError, match="no timed cues"):
        qd.add_document(study, tmp_path / "x.vtt")
    qd.add_text(study, "a", "text")
    with pytest.raises(SyrmakError, match="already exists"):
        qd.add_text(study, "a", "other")
    with pytest.raises(SyrmakError, match="no respondent 9"):
        qd.add_text(study, "b", "text", respondent=9)
    with pytest.raises(SyrmakError, match="no document"):
        qd.get_document(study, "nope")
    assert list(qd.list_documents(study).to_frame()["name"]) == ["a"]


def test_open_answers_and_variables(surveyed):
    result = qd.import_open_answers(surveyed)
    assert result.added == ("story/1", "story/3", "story/4")
    assert qd.import_open_answers(surveyed).added == ()  # idempotent
    doc = qd.get_document(surveyed, "story/3")
    assert doc.respondent == 3 and doc.question == "story" and doc.text == "Работали онлайн, сложно"
    qd.add_text(surveyed, "interview 2", "Интервью", respondent=2, variables={"wave": 1})
    qd.set_variable(surveyed, "story/1", "political", True)
    with pytest.raises(SyrmakError):
        qd.set_variable(surveyed, "story/1", "wave", "x", kind="integer")
    frame = qd.document_variables(surveyed, "en")
    assert frame.loc["interview 2", "doc_kind"] == "text"
    assert frame.loc["interview 2", "kind"] == "Independent activist"
    assert frame.loc["story/1", "sphere/eco"] and not frame.loc["story/4", "sphere/eco"]
    assert frame.loc["story/4", "respondent"] == 4
    assert frame.loc["interview 2", "staff"] == 1
    assert frame.loc["story/3", "staff"] == 12
    assert frame.loc["interview 2", "wave"] == 1 and frame.loc["story/1", "political"] is True
    with surveyed.engine.connect() as c:
        actions = c.execute(sa.select(schema.events.c.action)).scalars().all()
    assert actions.count("document-add") == 4 and "variable-set" in actions


def _zoom(timing_lines: dict[int, str]) -> str:
    """The VTT above with some lines replaced ({line number: new line})."""
    lines = VTT.split("\n")
    for number, line in timing_lines.items():
        lines[number - 1] = line
    return "\n".join(lines)


@pytest.mark.parametrize("lines, line, value", [
    ({8: "00:00:05.000 --> 00:00:0x.000"}, 8, "00:00:0x.000"),      # the cue used to vanish
    ({8: "00:00:75.000 --> 00:00:79.000"}, 8, "00:00:75.000"),      # 75 seconds
    ({8: "00:00:09.000 --> 00:00:05.000"}, 8, "00:00:05.000"),      # ends before it starts
    ({12: "00:00:09.000 - 00:01:02.250"}, 12, "00:00:09.000 - 00:01:02.250"),  # no arrow
    ({13: "Респондент 26: Финансирования\n\nне было."}, 15, "не было."),  # words after a gap
    ({4: "00:00:01.000 --> 00:00:04.500 align:start",
      8: "00:00:05 000 --> 00:00:09.000"}, 8, "00:00:05 000 --> 00:00:09.000"),
])
def test_broken_vtt_timings_are_refused_by_line(new_study, tmp_path, lines, line, value):
    study = new_study()
    path = tmp_path / "zoom.vtt"
    path.write_text(_zoom(lines), encoding="utf-8")
    with pytest.raises(SyrmakError) as caught:
        qd.add_document(study, path)
    error = caught.value
    assert error.code == "bad-transcript", str(error)
    assert error.location.file == "zoom.vtt" and error.location.line == line, str(error)
    assert error.location.value == value and "Fix:" in str(error)
    assert "zoom.vtt" in str(error) and f"line {line}" in str(error)
    assert qd.list_documents(study).to_frame().empty


def test_vtt_cue_settings_and_notes_are_fine(new_study, tmp_path):
    path = tmp_path / "zoom.vtt"
    path.write_text(_zoom({4: "00:00:01.000 --> 00:00:04.500 align:start position:10%"})
                    + "\nNOTE edited by hand\n\nSTYLE\n::cue { color: red }\n", encoding="utf-8")
    doc = qd.add_document(new_study(), path)
    assert len(doc.segments) == 3 and doc.segments[0].end_ms == 4500



def _broken_docx(tmp_path, name="broken.docx"):
    import io
    import zipfile

    import docx

    buffer = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("Первый абзац.")
    word.save(buffer)
    path = tmp_path / name
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut off mid-element: not well-formed XML
            target.writestr(item, data)
    return path


def test_docx_with_broken_xml_is_a_clear_error(new_study, tmp_path):
    study = new_study()
    with pytest.raises(SyrmakError) as caught:
        qd.add_document(study, _broken_docx(tmp_path))
    assert caught.value.code == "bad-docx" and caught.value.location.file == "broken.docx"
    assert "broken.docx" in str(caught.value) and caught.value.hint
    assert qd.list_documents(study).to_frame().empty



def test_adding_several_files_is_all_or_nothing(new_study, tmp_path):
    from click.testing import CliRunner

    from syrmak.cli import main

    study = new_study()
    good = tmp_path / "good.txt"
    good.write_text("Хороший текст.", encoding="utf-8")
    bad = _broken_docx(tmp_path, "bad.docx")
    result = CliRunner().invoke(main, ["docs", "add", str(study.folder), str(good), str(bad)])
    assert result.exit_code == 1 and "bad.docx" in result.output, result.output
    assert "Traceback" not in result.output
    assert qd.list_documents(study).to_frame().empty
    # A failure while storing (the second file's name is taken by the first) undoes all.
    other = tmp_path / "again"
    other.mkdir()
    (other / "good.txt").write_text("Другой текст.", encoding="utf-8")
    with pytest.raises(SyrmakError, match="already exists") as caught:
        qd.add_documents(study, [good, other / "good.txt"])
    assert caught.value.location.file == "good.txt"
    assert qd.list_documents(study).to_frame().empty
    with study.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(
            schema.events).where(schema.events.c.action == "document-add")).scalar() == 0



def test_one_document_lookup_names_before_ids(study):
    # report/quotes.py once looked numbers up as ids first, qual as names first: the same
    # number named different documents in a report spec and on the command line.
    from syrmak.qual.documents import add_text
    from syrmak.qual.lookup import find_document

    first = add_text(study, "interview-a", "Первый текст.")
    second = add_text(study, str(first.id), "Документ, названный числом.")
    with study.engine.connect() as connection:
        assert find_document(connection, first.id).id == second.id       # what a user typed
        assert find_document(connection, str(first.id)).id == second.id
        assert find_document(connection, first.id, by_id=True).id == first.id  # a held id
        assert find_document(connection, second.id).id == second.id      # no such name: id
        assert find_document(connection, "missing") is None
