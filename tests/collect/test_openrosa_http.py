"""The OpenRosa routes as ODK Collect speaks to them, on the survey-only server and on the
workspace server; no address or user agent reaches the store or a log."""

from __future__ import annotations

import logging
import warnings

import pytest
from defusedxml.ElementTree import fromstring

from syrmak.web import survey
from tests.collect.conftest import GOOD, submission
from tests.collect.test_submissions import counts, store_text

OR = "{http://openrosa.org/xforms/xformsList}"
MARK_UA = "Mozilla/5.0 (syrmak-test-agent-7c1f)"
MARK_IP = "203.0.113.77"


def client(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(app, base_url="http://127.0.0.1:8765", client=(MARK_IP, 50000),
                          headers={"User-Agent": MARK_UA})


@pytest.fixture(params=["survey-only", "workspace"])
def app(request, published):
    from syrmak.web.app import create_app, create_survey_app

    study, _ = published
    return (create_survey_app(study) if request.param == "survey-only"
            else create_app(study, laptop=True))


def post(c, xml: bytes, name: str = "xml_submission_file"):
    return c.post("/submission", files={name: ("submission.xml", xml, "text/xml")},
                  headers={"X-OpenRosa-Version": "1.0"})


def test_form_list_and_download(app):
    c = client(app)
    listed = c.get("/formList", headers={"X-OpenRosa-Version": "1.0"})
    assert listed.status_code == 200
    assert listed.headers["x-openrosa-version"] == "1.0"
    item = fromstring(listed.content).find(f"{OR}xform")
    assert item.find(f"{OR}formID").text == "test_form"
    assert item.find(f"{OR}version").text == "1"
    assert item.find(f"{OR}hash").text.startswith("md5:")
    url = item.find(f"{OR}downloadUrl").text
    assert url.endswith("/forms/1.xml")
    form = c.get(url)
    assert form.status_code == 200 and b'id="test_form"' in form.content
    assert c.get("/forms/9.xml").status_code == 404


def test_submission_head_then_post_without_session_or_csrf(app, caplog):
    study = app.state.study
    c = client(app)
    head = c.head("/submission", headers={"X-OpenRosa-Version": "1.0"})
    assert head.status_code == 204 and head.headers["x-openrosa-version"] == "1.0"
    with caplog.at_level(logging.DEBUG):
        done = post(c, submission(study, GOOD, "http-1"))
    assert done.status_code == 201, done.text
    assert b"OpenRosaResponse" in done.content and b"submit_success" in done.content
    assert study.respondent_count == 1
    again = post(c, submission(study, GOOD, "http-1"))
    assert again.status_code == 409 and b"received before" in again.content
    assert study.respondent_count == 1
    # Neither the respondent's address nor their browser is kept anywhere.
    text = store_text(study) + caplog.text
    if study.folder is not None and (study.folder / "study.db").exists():
        text += (study.folder / "study.db").read_bytes().decode("latin-1")
    for mark in (MARK_IP, "syrmak-test-agent-7c1f", GOOD["contact"]):
        assert mark not in text


@pytest.mark.parametrize(("case", "send", "status", "words"), [
    ("no xml part", lambda c, s: post(c, submission(s, GOOD), name="other"), 400,
     b"no xml_submission_file"),
    ("not multipart", lambda c, s: c.post("/submission", content=b"<data/>",
                                          headers={"Content-Type": "text/xml"}), 400,
     b"no xml_submission_file"),
    ("body too large", lambda c, s: post(c, b"<data>" + b"x" * (survey.MAX_BODY + 10)
                                         + b"</data>"), 413, b"larger than"),
    ("wrong choice", lambda c, s: post(c, submission(s, {**GOOD, "kind": "x"})), 400,
     b"not one of its choices"),
    ("unknown form", lambda c, s: post(c, submission(s, GOOD).replace(b"test_form", b"zz")),
     404, b"does not have"),
    ("entity attack", lambda c, s: post(c, b'<!DOCTYPE d [<!ENTITY a "b">]><data>&a;</data>'),
     400, b"DTD"),
])
def test_bad_requests_get_a_clear_openrosa_error_and_write_nothing(app, case, send, status,
                                                                   words):
    study = app.state.study
    c = client(app)
    before = counts(study)
    answer = send(c, study)
    assert answer.status_code == status, answer.text
    assert b"OpenRosaResponse" in answer.content and words in answer.content
    assert counts(study) == before


def test_survey_only_exposes_nothing_of_the_workspace(published):
    from syrmak.web.app import create_survey_app

    c = client(create_survey_app(published[0]))
    for path in ("/", "/login", "/codes", "/documents", "/report", "/static/workspace.js"):
        assert c.get(path, follow_redirects=False).status_code == 404, path
    assert "content-security-policy" in c.get("/formList").headers


def test_a_closed_survey_lists_no_form(published):
    from syrmak.collect import forms
    from syrmak.web.app import create_survey_app

    study, _ = published
    forms.close(study)
    listed = client(create_survey_app(study)).get("/formList")
    assert fromstring(listed.content).find(f"{OR}xform") is None


@pytest.mark.parametrize("survey_only", [True, False])
def test_the_server_runs_without_an_access_log(published, monkeypatch, survey_only):
    import uvicorn

    from syrmak.web.app import serve

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, app=app))
    serve(published[0], survey_only=survey_only, echo=lambda *_: None)
    assert seen["access_log"] is False
    assert any(getattr(r, "path", None) == "/submission" for r in seen["app"].routes)


@pytest.mark.parametrize(("path", "open_"), [
    ("/formList", True), ("/survey", True), ("/survey/thanks", True),
    ("/formListing", False), ("/surveys", False), ("/submissions", False), ("/monitoring", False),
])
def test_only_the_survey_paths_are_open_on_the_workspace(published, path, open_):
    from syrmak.web.app import create_app

    answer = client(create_app(published[0], laptop=True)).get(path, follow_redirects=False)
    assert (answer.status_code != 303) == open_, answer.status_code
