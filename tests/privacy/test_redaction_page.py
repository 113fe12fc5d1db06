"""The redaction page over the workspace's small study: coders decide, viewers read, the
original comes back only through an audited reveal, and the page sends CSRF-checked posts."""

from __future__ import annotations

import pytest

from syrmak.privacy import audit, redaction
from syrmak.qual.documents import add_text
from tests.web.conftest import app, post, sign_in  # noqa: F401 - fixtures and helpers
from tests.workspace.conftest import desk_study  # noqa: F401 - a fixture

ANSWER = "Спасибо Ерлану за помощь в Атырау, позвоните ему: +7 701 234 56 78."


@pytest.fixture
def proposed(app):  # noqa: F811
    study = app.state.study
    add_text(study, "answer-07", ANSWER, kind="open-answer")
    redaction.propose(study, "answer-07", sources=("gazetteer", "pattern"))
    return app


def _ids(study):
    return {ANSWER[p.start:p.end]: p.id for p in redaction.proposals(study)}


def test_a_coder_accepts_and_rejects_and_the_store_says_so(proposed):
    study = proposed.state.study
    ids = _ids(study)
    c = sign_in(proposed, "anna")
    page = c.get("/redaction")
    assert page.status_code == 200
    assert "Ерлану" in page.text and "Атырау" in page.text and 'data-testid="accept"' in page.text
    accepted = post(c, f"/redaction/{ids['Ерлану']}/decide", {"decision": "accept"})
    assert accepted.status_code == 200
    assert "[Person 1]" in accepted.text and "Ерлану" not in accepted.text
    rejected = post(c, f"/redaction/{ids['Атырау']}/decide", {"decision": "reject"})
    assert rejected.status_code == 200
    states = {ANSWER[p.start:p.end]: (p.status, p.pseudonym) for p in redaction.proposals(study)}
    assert states["Ерлану"] == ("accepted", "[Person 1]")
    assert states["Атырау"] == ("rejected", None)
    document = c.get("/documents/answer-07")
    assert 'href="/redaction/text/answer-07"' in document.text
    text = c.get("/redaction/text/answer-07")
    assert "Спасибо [Person 1] за помощь в Атырау" in text.text


def test_filters_by_kind_and_state(proposed):
    study = proposed.state.study
    ids = _ids(study)
    redaction.decide(study, [ids["Атырау"]], accept=True)
    c = sign_in(proposed, "vera")
    contacts = c.get("/redaction?kind=contact").text
    assert "+7 701 234 56 78" in contacts and "Ерлану</mark>" not in contacts
    accepted = c.get("/redaction?status=accepted&document=answer-07").text
    assert "[Place 1]" in accepted and "Ерлану</mark>" not in accepted
    bad = c.get("/redaction?kind=village")
    assert bad.status_code == 400 and "village" in bad.text


def test_a_viewer_reads_but_may_not_decide_or_reveal(proposed):
    study = proposed.state.study
    ids = _ids(study)
    redaction.decide(study, [ids["Ерлану"]], accept=True)
    c = sign_in(proposed, "vera")
    page = c.get("/redaction")
    assert page.status_code == 200 and 'data-testid="accept"' not in page.text
    assert 'data-testid="reveal"' not in page.text
    assert post(c, f"/redaction/{ids['Атырау']}/decide", {"decision": "accept"}).status_code == 403
    assert post(c, f"/redaction/{ids['Ерлану']}/reveal").status_code == 403
    assert [p.status for p in redaction.proposals(study) if p.id == ids["Атырау"]] == ["proposed"]
    assert audit.entries(study, action="redaction-reveal") == []


def test_a_reveal_is_audited_with_who_looked(proposed):
    study = proposed.state.study
    ids = _ids(study)
    redaction.decide(study, [ids["Ерлану"]], accept=True)
    c = sign_in(proposed, "anna")
    page = c.get("/redaction?status=accepted").text
    assert "[Person 1]" in page and "Ерлану" not in page  # accepted: the pseudonym only
    shown = post(c, f"/redaction/{ids['Ерлану']}/reveal")
    assert shown.status_code == 200 and "Ерлану" in shown.text
    entry = audit.entries(study, action="redaction-reveal")[-1]
    assert entry.actor == "anna" and entry.detail["redaction"] == ids["Ерлану"]
    assert "Ерлан" not in str(entry.detail)


def test_posts_without_the_csrf_token_are_refused(proposed):
    study = proposed.state.study
    ids = _ids(study)
    c = sign_in(proposed, "anna")
    refused = c.post(f"/redaction/{ids['Ерлану']}/decide", data={"decision": "accept"},
                     headers={"HX-Request": "true"})
    assert refused.status_code == 403
    assert {p.status for p in redaction.proposals(study)} == {"proposed"}


def test_a_coder_finds_new_proposals_from_the_page(app):  # noqa: F811
    study = app.state.study
    add_text(study, "answer-08", "Мы с Нурланом были в Шымкенте.", kind="open-answer")
    c = sign_in(app, "anna")
    found = post(c, "/redaction/propose", {"document": "answer-08"})
    assert found.status_code == 204
    assert len(redaction.proposals(study, "answer-08")) >= 2
