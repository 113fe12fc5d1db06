"""Bad input: every case is a SyrmakError that says where (file, row, column), what (the
value) and how to fix it, and the study is left exactly as it was (one transaction)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from syrmak.errors import SyrmakError
from syrmak.store import schema
from tests.survey.test_import_support import RU, snapshot, write_csv

GOOD = [["kind", "trust"], ["cso", "agree"]]
G_HEADER = ["Отметка времени", RU["kind"], RU["staff"], RU["founded"], "Мнения [Я доверяю власти]"]
G_OK = ["20.09.2021 10:23:45", "Независимый активист", "3", "01.02.2015", "Согласен"]


def google(*changes):
    """A Google Forms export whose second answer row has ``changes`` (column, value)."""
    bad = list(G_OK)
    for column, value in changes:
        bad[G_HEADER.index(column)] = value
    return [G_HEADER, G_OK, bad]


def rows_file(rows, **kwargs):
    def build(tmp_path):
        return write_csv(tmp_path / "answers.csv", rows, **kwargs)
    return build


def bytes_file(data: bytes, name: str = "answers.csv"):
    def build(tmp_path):
        path = tmp_path / name
        path.write_bytes(data)
        return path
    return build


def truncated_xlsx(tmp_path):
    workbook = Workbook()
    workbook.active.append(["kind"])
    for _ in range(200):
        workbook.active.append(["cso"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "answers.xlsx"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


def damaged_sheet_xlsx(tmp_path):
    """A real zip whose sheet XML is cut off in the middle."""
    workbook = Workbook()
    workbook.active.append(["kind"])
    workbook.active.append(["cso"])
    good = io.BytesIO()
    workbook.save(good)
    path = tmp_path / "answers.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return path


def kobo_split(tmp_path):
    header = ["_uuid", "_submission_time", "about/kind", "about/sphere/rights", "about/sphere/eco"]
    rows = [header, ["u1", "2021-09-15T10:00:00", "cso", "1", "0"],
            ["u2", "2021-09-15T11:00:00", "cso", "2", "0"]]
    return write_csv(tmp_path / "answers.csv", rows, delimiter=";", quoting=csv.QUOTE_ALL)


def kobo_unknown_multi(tmp_path):
    header = ["_uuid", "_submission_time", "about/kind", "about/sphere"]
    rows = [header, ["u1", "2021-09-15T10:00:00", "cso", "rights nature"]]
    return write_csv(tmp_path / "answers.csv", rows, delimiter=";", quoting=csv.QUOTE_ALL)


# (case, build(tmp_path) -> path, --format, error code, row, column, value)
CASES = [
    ("unknown option", rows_file(google(("Мнения [Я доверяю власти]", "Очень согласен"))),
     "auto", "unknown-option", 3, "Мнения [Я доверяю власти]", "Очень согласен"),
    ("unknown option of a multiple answer", kobo_unknown_multi, "auto", "unknown-option", 2,
     "about/sphere", "rights nature"),
    ("neither ticked nor unticked", kobo_split, "kobo", "unknown-option", 3,
     "about/sphere/rights", "2"),
    ("unknown column", rows_file([["kind", "trust", "colour"], ["cso", "agree", "red"]]), "csv",
     "unknown-column", 1, "colour", "colour"),
    ("column with no header", rows_file([["kind", "trust", ""], ["cso", "agree", "red"]]), "csv",
     "unknown-column", 1, "#3", ""),
    ("duplicate column", rows_file([["kind", "trust", RU["kind"]], ["cso", "agree", "cso"]]),
     "csv", "duplicate-column", 1, RU["kind"], RU["kind"]),
    ("missing required answer", rows_file(google((RU["kind"], ""))), "google-forms",
     "missing-required", 3, RU["kind"], ""),
    ("bad number", rows_file(google((RU["staff"], "двенадцать"))), "auto", "bad-number", 3,
     RU["staff"], "двенадцать"),
    ("bad date", rows_file(google((RU["founded"], "31.02.2015"))), "auto", "bad-date", 3,
     RU["founded"], "31.02.2015"),
    ("bad submission time", rows_file(google(("Отметка времени", "вчера"))), "auto", "bad-time",
     3, "Отметка времени", "вчера"),
    ("more fields than the header", rows_file([["kind", "trust"], ["cso", "agree"],
                                               ["cso", "agree", "лишнее"]]),
     "csv", "bad-csv", 3, "#3", "лишнее"),
    ("unclosed quote", bytes_file(b'kind,story\ncso,ok\ncso,"never closed\nindependent,x\n'),
     "csv", "bad-csv", 3, None, None),
    ("undecodable bytes", bytes_file("kind,story\ncso,мы ".encode() + b"\xff\xfe\x98 x\n"),
     "csv", "bad-encoding", None, None, "0xff"),
    ("binary data", bytes_file("kind\ncso\n".encode("utf-16-le")), "csv", "bad-encoding",
     None, None, None),
    ("workbook that is not a zip", bytes_file(b"kind\ncso\n", "answers.xlsx"), "auto",
     "corrupt-workbook", None, None, None),
    ("truncated workbook", truncated_xlsx, "auto", "corrupt-workbook", None, None, None),
    ("workbook with a damaged sheet", damaged_sheet_xlsx, "auto", "corrupt-workbook", None,
     None, None),
    ("file for another questionnaire",
     rows_file([["Timestamp", "Your age", "Your city", "Favourite colour"],
                ["2021/09/20 10:23:45 AM GMT+6", "31", "Almaty", "red"]]),
     "auto", "wrong-questionnaire", 1, "Your age", None),
    ("damaged SPSS file", bytes_file(b"$FL2@(#) not really", "answers.sav"), "auto",
     "corrupt-file", None, None, None),
    ("old Excel workbook", bytes_file(b"\xd0\xcf\x11\xe0", "answers.xls"), "auto",
     "unsupported-file", None, None, None),
]


@pytest.fixture
def used_study(study, tmp_path):
    """A study that already holds a respondent, so "unchanged" means something."""
    study.import_responses(write_csv(tmp_path / "good.csv", GOOD))
    return study


@pytest.mark.parametrize("case, build, fmt, code, row, column, value", CASES,
                         ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_changes_nothing(used_study, tmp_path, case, build, fmt, code,
                                                  row, column, value):
    folder = tmp_path / "in"
    folder.mkdir()
    path = build(folder)
    before = snapshot(used_study)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path, format=fmt)
    error = caught.value
    where = error.location
    assert error.code == code, str(error)
    assert where.file == path.name and path.name in str(error)
    assert error.hint and "Fix:" in str(error)
    assert (where.row, where.column) == (row, column), str(error)
    if value is not None:
        assert where.value == value
    assert snapshot(used_study) == before
    assert used_study.respondent_count == 1


def test_several_problems_are_reported_together(used_study, tmp_path):
    rows = google((RU["staff"], "много"), ("Мнения [Я доверяю власти]", "Никак"))
    path = write_csv(tmp_path / "answers.csv", rows)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path)
    text = str(caught.value)
    assert "2 problems found" in text and "'много'" in text and "'Никак'" in text


@pytest.mark.parametrize("fmt, path_name, code", [("sps", "x.csv", "unknown-format"),
                                                  ("csv", "missing.csv", "not-found")])
def test_bad_arguments(used_study, tmp_path, fmt, path_name, code):
    before = snapshot(used_study)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(tmp_path / path_name, format=fmt)
    assert caught.value.code == code and caught.value.hint
    assert snapshot(used_study) == before


def test_a_vault_that_cannot_seal_fails_before_writing(used_study, tmp_path):
    """An old AES vault has no public key until it is re-sealed: nothing half-written."""
    rows = [["kind", "contact"], ["independent", "+7 701 000 00 00"]]
    path = write_csv(tmp_path / "answers.csv", rows)
    m = schema.study_meta
    with used_study.engine.begin() as connection:
        connection.execute(sa.delete(m).where(m.c.key.in_(["vault_format", "vault_recipient"])))
    used_study.__dict__.pop("recipient", None)
    before = snapshot(used_study)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path)
    assert caught.value.code == "vault-legacy" and "vault upgrade" in caught.value.hint
    assert snapshot(used_study) == before


MIXED = ["kind,story", "cso,Нет денег на аренду", "independent,Давление властей",
         "cso,Работали онлайн", "cso,Выгорание команды"]


@pytest.mark.parametrize("most, odd, odd_line, says", [
    # An export re-saved in Excel (Windows-1251) with one row pasted from a UTF-8 file:
    # read whole as Windows-1251, that row's Cyrillic used to come out as "Р Р°Р±РѕС‚".
    ("cp1251", "utf-8", 4, "line 4 is UTF-8, but the rest of the file is Windows-1251"),
    ("utf-8", "cp1251", 3, "line 3 is not UTF-8, but the rest of the file is"),
])
def test_mixed_encodings_are_refused_at_the_first_odd_line(used_study, tmp_path, most, odd,
                                                             odd_line, says):
    lines = [line.encode(odd if n == odd_line else most)
             for n, line in enumerate(MIXED, start=1)]
    path = tmp_path / "answers.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    before = snapshot(used_study)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path)
    error = caught.value
    assert error.code == "mixed-encoding", str(error)
    assert error.location.file == "answers.csv" and error.location.line == odd_line
    assert says in str(error) and "re-save the file as UTF-8" in error.hint
    assert MIXED[odd_line - 1].split(",")[1] not in str(error)
    assert snapshot(used_study) == before


def workbook_bytes(rows, title: str = "Sheet") -> bytes:
    workbook = Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(data: bytes, path, change) -> None:
    """Write the workbook ``data`` to ``path`` with its first sheet's XML passed through
    ``change(xml) -> xml``."""
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item.filename, content)


def bomb(path, megabytes: int, data: bytes | None = None) -> None:
    """A zip bomb in miniature: the sheet XML padded with megabytes of identical rows,
    which deflate compresses about a thousandfold."""
    row = b'<row><c t="inlineStr"><is><t>cso</t></is></c></row>'
    padding = row * (megabytes * 2**20 // len(row))
    with_sheet_xml(data or workbook_bytes([["kind"], ["cso"]]), path,
                   lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml)  # no row bound
                   .replace(b"</sheetData>", padding + b"</sheetData>"))


def test_zip_bomb_responses_are_refused_before_reading(used_study, tmp_path):
    path = tmp_path / "answers.xlsx"
    bomb(path, 8)
    assert path.stat().st_size < 200_000
    before = snapshot(used_study)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path)
    error = caught.value
    assert error.code == "workbook-too-large", str(error)
    assert error.location.file == "answers.xlsx" and "compress" in str(error)
    assert snapshot(used_study) == before


def test_workbook_size_limit_is_configurable(used_study, tmp_path, monkeypatch):
    monkeypatch.setenv("SYRMAK_XLSX_MAX_MB", "1")
    path = tmp_path / "answers.xlsx"
    bomb(path, 2)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path)
    assert caught.value.code == "workbook-too-large"
    assert "1 MB" in str(caught.value) and "SYRMAK_XLSX_MAX_MB" in caught.value.hint


def test_rows_are_capped(used_study, tmp_path, monkeypatch):
    monkeypatch.setenv("SYRMAK_XLSX_MAX_ROWS", "50")
    path = tmp_path / "answers.xlsx"
    path.write_bytes(workbook_bytes([["kind"]] + [["cso"]] * 60))
    before = snapshot(used_study)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path)
    assert caught.value.code == "workbook-too-large" and "50 rows" in str(caught.value)
    assert snapshot(used_study) == before
    path.write_bytes(workbook_bytes([["kind"]] + [["cso"]] * 50))
    assert used_study.import_responses(path).added == 50


def test_zip_bomb_questionnaire_is_refused(new_study, form_path, tmp_path):
    path = tmp_path / "form.xlsx"
    bomb(path, 8, form_path.read_bytes())
    with pytest.raises(SyrmakError) as caught:
        new_study().load_questionnaire(path)
    assert caught.value.code == "workbook-too-large" and caught.value.location.file == "form.xlsx"


def test_formula_without_saved_value_is_refused(used_study, tmp_path):
    # openpyxl, like other programs that write but never calculate, saves "=..." with an
    # empty value: read as data, the cell used to be an empty answer without a word.
    path = tmp_path / "answers.xlsx"
    path.write_bytes(workbook_bytes([["kind", "staff"], ["cso", "5"], ["cso", "=2+1"]],
                                    title="Ответы"))
    before = snapshot(used_study)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path)
    error = caught.value
    assert error.code == "formula-without-value", str(error)
    where = error.location
    assert (where.file, where.sheet, where.row, where.column) == ("answers.xlsx", "Ответы", 3,
                                                                "staff")
    assert "B3" in str(error) and "save" in error.hint and "CSV" in error.hint
    assert snapshot(used_study) == before


def test_formula_with_saved_value_is_read(used_study, tmp_path):
    path = tmp_path / "answers.xlsx"
    data = workbook_bytes([["kind", "staff"], ["cso", "=2+1"]])
    with_sheet_xml(data, path, lambda xml: xml.replace(b"<v></v>", b"<v>3</v>")
                   .replace(b"<v />", b"<v>3</v>").replace(b"<v/>", b"<v>3</v>"))
    used_study.import_responses(path)
    assert used_study.responses()["staff"].tolist()[-1] == 3


def test_a_line_past_the_first_megabyte_in_another_encoding_is_still_found(used_study,
                                                                           tmp_path):
    """UTF-8 is decided on the first megabyte and the rest is parsed from disk: a Windows-1251
    line far down the file must still be found, not read as garbage or a CSV error."""
    rows = [MIXED[0]] + [MIXED[1 + n % 4] for n in range(40_000)]
    lines = [line.encode("utf-8") for line in rows]
    lines[30_000] = rows[30_000].encode("cp1251")
    path = tmp_path / "answers.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert path.stat().st_size > 2**20
    before = snapshot(used_study)
    with pytest.raises(SyrmakError) as caught:
        used_study.import_responses(path)
    assert caught.value.code == "mixed-encoding"
    assert caught.value.location.line == 30_001
    assert snapshot(used_study) == before
