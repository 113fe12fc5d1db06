"""Six respondents of the small bilingual form (tests/forms.py), three of them with a
colleague's contact in the vault."""

from __future__ import annotations

import socket

import pytest

RESPONSES = """kind,sphere,staff,trust,hope,story,contact
cso,rights eco,5,agree,agree,,colleague.one@example.org
independent,women,1,disagree,neutral,,
cso,eco,12,neutral,agree,,+7 700 000 11 22
independent,rights,2,agree,disagree,,
cso,women,3,agree,agree,,colleague.five@example.org
cso,,4,disagree,agree,,
"""


@pytest.fixture
def surveyed(study, tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text(RESPONSES, encoding="utf-8")
    study.import_responses(path)
    return study


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
