import json

import click
import pytest
from click.testing import CliRunner

from syrmak.cli.qual import COMMANDS

TRANSCRIPT = """[00:00:05] Интервьюер: Как вы работали?
[00:01:10] Р3: Онлайн. Мы выгорали, денег не было.
[00:02:00] Интервьюер: Спасибо.
"""


@pytest.fixture
def cli():
    group = click.Group("syrmak")
    for command in COMMANDS:
        group.add_command(command)
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(group, [str(a) for a in args], catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    return run


def test_cli_end_to_end(cli, surveyed, tmp_path):
    d = surveyed.folder
    path = tmp_path / "r3.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    assert "3 segments" in cli("docs", "add", d, path, "--respondent", 3, "--var", "wave=1")
    assert "Added 3 documents" in cli("docs", "open-answers", d)
    rows = json.loads(cli("docs", "list", d, "--format", "json"))
    assert [r["name"] for r in rows] == ["r3", "story/1", "story/3", "story/4"]
    assert "Р3" in cli("docs", "show", d, "r3", "--segments")
    (tmp_path / "book.yaml").write_text("codes: [{name: Трудности, codes: [Выгорание]}]",
                                        encoding="utf-8")
    assert "2 codes" in cli("codes", "import", d, tmp_path / "book.yaml")
    text = cli("docs", "show", d, "r3")
    start = text.index("Мы выгорали")
    out = cli("code", d, "r3", start, start + len("Мы выгорали"), "Выгорание", "--coder", "anna")
    assert "«Мы выгорали»" in out
    assert "Fix:" in cli("code", d, "r3", 5, 2, "Выгорание", "--coder", "anna", ok=False)
    assert "no code" in cli("code", d, "r3", 0, 2, "Nope", "--coder", "anna", ok=False)
    assert "[выгорание]" in cli("search", d, "выгорание")
    assert "2 hits" in cli("search", d, "выгор*")
    assert "added 2 codings" in cli("autocode", d, "выгор*", "Выгорание", "--coder", "auto")
    md = cli("segments", d, "Трудности", "--format", "md")
    assert "> Мы выгорали" in md
    csv_out = cli("segments", d, "Трудности", "--where", "kind=Зарегистрированная организация",
                  "--format", "csv")
    assert "r3" in csv_out and "story/1" in csv_out
    assert "Трудности" in cli("matrix", "codes", d, "kind", "--unit", "respondents")
    assert "Выгорание" in cli("matrix", "cooccurrence", d, "--jaccard")
    assert "Выгорание" in cli("agreement", d, "--level", "segment", "--threshold", "0.5")
    cli("export", "qdpx", d, tmp_path / "p.qdpx")
    cli("export", "qdc", d, tmp_path / "p.qdc")
    cli("codes", "export", d, tmp_path / "again.yaml")
    assert "Выгорание" in (tmp_path / "again.yaml").read_text(encoding="utf-8")
    assert "not a .qdpx" in cli("import-qdpx", d, tmp_path / "again.yaml", ok=False)
