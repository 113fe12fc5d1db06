"""Quotes from a respondent who withdrew: named by the withdrawal, all listed at once by
the report build."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from tests.report.conftest import SPEC

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.report import resolve_report


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
