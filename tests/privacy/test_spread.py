"""A contact typed as an "Other, please specify" text reaches no output: not the response
table, the frequency notes, the open-answer documents, the search index, the .qdpx or the
store file."""

from __future__ import annotations

import zipfile

from click.testing import CliRunner

from syrmak.cli import main
from tests.survey.test_import_support import store_dump, write_csv

OTHER_PHONE = "звоните 8 701 555 66 77"
OTHER_EMAIL = "пишите aigerim(at)mail.ru"
PIECES = ["701 555 66 77", "87015556677", "aigerim(at)mail", "mail.ru"]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _import(study, tmp_path):
    rows = [["kind", "sphere", "sphere_other", "story"],
            ["cso", "rights other", OTHER_PHONE, "Работаем онлайн"],
            ["independent", f"Права женщин, {OTHER_EMAIL}", "", "Выгорание"],
            ["cso", "eco other", "Волонтёры", "Нет денег"]]
    return run("import", study.folder, write_csv(tmp_path / "r.csv", rows), "--format", "csv")


def test_contact_in_other_text_reaches_no_output(study, tmp_path):
    folder = study.folder
    said = [_import(study, tmp_path).output]
    said.append(run("responses", folder, "-o", tmp_path / "responses.csv").output)
    said.append(run("freq", folder, "sphere").output)
    said.append(run("freq", folder, "sphere", "--format", "csv", "-o", tmp_path / "f.csv").output)
    said.append(run("docs", "open-answers", folder).output)
    said.append(run("search", folder, "звоните").output)
    said.append(run("search", folder, "aigerim").output)
    said.append(run("export", "qdpx", folder, tmp_path / "p.qdpx").output)
    files = [(tmp_path / name).read_bytes() for name in ("responses.csv", "f.csv")]
    with zipfile.ZipFile(tmp_path / "p.qdpx") as qdpx:
        files += [qdpx.read(member) for member in qdpx.namelist()]
    files.append(store_dump(study))
    for piece in PIECES:
        assert all(piece not in text for text in said), piece
        assert all(piece.encode("utf-8") not in data for data in files), piece
    # The rest of the "Other" answers does get through.
    assert any("Волонтёры".encode() in data for data in files[:2])
