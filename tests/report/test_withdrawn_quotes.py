"""Quotes from a respondent who withdrew: named by the withdrawal, all listed at once by
the report build."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from tests.report.conftest import SPEC

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.report import drop_missing_quotes, resolve_report


def _quote_lines() -> list[int]:
    return [i for i, line in enumerate(SPEC.splitlines(), start=1) if "- quote:" in line]


def test_withdrawal_names_the_quotes_of_the_respondent(reported):
    done = reported.withdraw(1)
    lines = _quote_lines()
    assert len(done.quotes) == len(lines) == 3
    for line, named in zip(lines, done.quotes, strict=True):
        assert f"report.yaml, line {line}" in named


def test_report_lists_every_broken_quote_at_once(reported):
    reported.withdraw(1)
    with pytest.raises(SyrmakError) as info:
        resolve_report(reported)
    message = str(info.value)
    assert "3 problems" in message
    for line in _quote_lines():
        assert f"line {line}]" in message


def test_cli_withdraw_names_the_quotes(reported):
    done = CliRunner().invoke(main, ["withdraw", str(reported.folder), "1", "--yes"])
    assert done.exit_code == 0, done.output
    assert "report.yaml, line" in done.output


def test_report_drops_the_missing_quotes_and_builds(reported):
    """The offer: --drop-missing-quotes removes the three quotes of respondent 1 (and only
    those blocks' lines), keeps the old spec, and the report builds."""
    spec = reported.folder / "report.yaml"
    before = spec.read_text(encoding="utf-8")
    reported.withdraw(1)
    out = CliRunner().invoke(main, ["report", str(reported.folder), "--format", "html",
                                    "--quiet", "--drop-missing-quotes"])
    assert out.exit_code == 0, out.output
    assert "Removed 3 quotes" in out.output
    assert ", ".join(map(str, _quote_lines())) in out.output
    after = spec.read_text(encoding="utf-8")
    assert (reported.folder / "report.yaml.bak").read_text(encoding="utf-8") == before
    assert after.splitlines() == [line for line in before.splitlines()
                                  if "- quote:" not in line]
    assert (reported.folder / "report.html").exists()


def test_drop_keeps_quotes_that_are_merely_wrong(reported):
    """A quote whose words are not found is a spec error to fix, not a withdrawal: kept."""
    spec = reported.folder / "report.yaml"
    text = spec.read_text(encoding="utf-8").replace(
        '- quote: {document: interview-01, starts: "Было сложно"',
        '- quote: {document: interview-01, starts: "Было НЕ сложно"')
    spec.write_text(text, encoding="utf-8")
    assert drop_missing_quotes(reported, spec) == ()
    assert spec.read_text(encoding="utf-8") == text
    assert not (reported.folder / "report.yaml.bak").exists()


def test_drop_removes_a_multiline_block_and_nothing_after_it(reported):
    spec = reported.folder / "report.yaml"
    text = spec.read_text(encoding="utf-8").replace(
        '  - quote: {document: interview-01, code: Funding}\n',
        '  - quote:\n      document: interview-01\n      code: Funding\n\n'
        '  - text: After the quote.\n'
        '  - quote:\n      document: story/1\n      text: "Нет денег на аренду офиса."\n')
    spec.write_text(text, encoding="utf-8")
    reported.withdraw(1)
    dropped = drop_missing_quotes(reported, spec)
    assert len(dropped) == 4
    after = spec.read_text(encoding="utf-8")
    assert "document: interview-01" not in after and "code: Funding" not in after
    assert "  - text: After the quote.\n" in after
    assert "- quote" not in after


def test_the_error_offers_the_drop(reported):
    reported.withdraw(1)
    out = CliRunner().invoke(main, ["report", str(reported.folder), "--quiet"])
    assert out.exit_code == 1
    assert "--drop-missing-quotes" in out.output
