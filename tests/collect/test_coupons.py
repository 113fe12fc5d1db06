"""Consent, referral coupons and the recruitment they record, through the survey pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from syrmak.collect import coupons
from syrmak.errors import SyrmakError
from syrmak.store import schema
from tests.collect.conftest import GOOD, submission
from tests.collect.test_openrosa_http import client, post
from tests.collect.test_submissions import counts


@pytest.fixture
def app(published):
    from syrmak.web.app import create_survey_app

    return create_survey_app(published[0])


def respond(app, link: str, answers=GOOD):
    """A new browser: opens ``link``, consents, submits; returns (client, its coupon links)."""
    c = client(app)
    page = c.get(link)
    assert page.status_code == 200, page.text
    assert c.post("/survey/consent", data={"lang": "ru"}).status_code == 200
    assert post(c, submission(app.state.study, answers)).status_code == 201
    thanks = c.get("/survey/thanks")
    assert thanks.status_code == 200
    return c, re.findall(r'value="(http://[^"]+/survey\?c=[^"]+)"', thanks.text)


def tree(study) -> dict[int, tuple]:
    r, t = schema.respondents, schema.recruitment
    recruiter, seed = r.alias(), r.alias()
    with study.engine.connect() as connection:
        rows = connection.execute(
            sa.select(r.c.number, recruiter.c.number, seed.c.number, t.c.wave)
            .select_from(t.join(r, r.c.id == t.c.respondent_id)
                         .outerjoin(recruiter, recruiter.c.id == t.c.recruiter_id)
                         .outerjoin(seed, seed.c.id == t.c.seed_id))).all()
    return {n: (rec, s, w) for n, rec, s, w in rows}


def test_three_waves_record_recruiter_seed_and_wave(app):
    study = app.state.study
    (seed_code,) = coupons.issue_seeds(study, 1)
    _, wave1 = respond(app, f"/survey?c={seed_code}")
    assert len(wave1) == coupons.DEFAULT_COUPONS
    _, wave2 = respond(app, wave1[0].removeprefix("http://127.0.0.1:8765"))
    respond(app, wave1[1].removeprefix("http://127.0.0.1:8765"))
    respond(app, wave2[0].removeprefix("http://127.0.0.1:8765"))
    respond(app, "/survey")  # the open link: a respondent outside any tree
    assert tree(study) == {1: (None, 1, 0), 2: (1, 1, 1), 3: (1, 1, 1), 4: (2, 1, 2)}
    assert study.respondent_count == 5


def test_consent_is_a_stage_before_the_form(app):
    c = client(app)
    assert c.get("/survey").status_code == 200
    assert c.get("/survey/form").status_code == 403
    refused = post(c, submission(app.state.study, GOOD))
    assert refused.status_code == 403 and b"consent" in refused.content
    assert app.state.study.respondent_count == 0
    c.post("/survey/consent", data={"lang": "ru"})
    form = c.get("/survey/form")
    assert form.status_code == 200
    assert "'wasm-unsafe-eval'" in form.headers["content-security-policy"]
    assert "Для этой формы нужен JavaScript" in form.text  # the <noscript> notice


def _expire(study, code):
    with study.engine.begin() as connection:
        connection.execute(sa.update(schema.coupons).where(schema.coupons.c.code == code)
                           .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))


@pytest.mark.parametrize(("case", "status", "words"), [
    ("forged", 404, "не действует"),
    ("used", 410, "уже использована"),
    ("expired", 410, "истёк"),
    ("open in another browser", 409, "другом браузере"),
])
def test_bad_coupons_are_refused_and_write_nothing(app, case, status, words):
    study = app.state.study
    code, other = coupons.issue_seeds(study, 2)
    if case == "forged":
        code = "A" * 16
    elif case == "used":
        respond(app, f"/survey?c={code}")
    elif case == "expired":
        _expire(study, code)
    else:
        client(app).get(f"/survey?c={code}")
    before = counts(study)
    page = client(app).get(f"/survey?c={code}", headers={"Accept-Language": "ru"})
    assert page.status_code == status
    assert words in page.text
    assert counts(study) == before


def test_a_coupon_that_expires_after_opening_is_refused_at_submission(app):
    study = app.state.study
    (code,) = coupons.issue_seeds(study, 1)
    c = client(app)
    c.get(f"/survey?c={code}")
    c.post("/survey/consent", data={"lang": "ru"})
    _expire(study, code)
    before = counts(study)
    assert post(c, submission(study, GOOD)).status_code == 410
    assert counts(study) == before


def test_reopening_ones_own_coupon_link_keeps_the_session(app):
    (code,) = coupons.issue_seeds(app.state.study, 1)
    c = client(app)
    c.get(f"/survey?c={code}")
    assert c.get(f"/survey?c={code}").status_code == 200


def test_seed_count_is_bounded(published):
    with pytest.raises(SyrmakError) as caught:
        coupons.issue_seeds(published[0], 0)
    assert caught.value.code == "bad-argument"


def test_cli_seeds_prints_links_and_writes_qr_codes(published, tmp_path):
    from click.testing import CliRunner

    from syrmak.cli import main

    study = published[0]
    done = CliRunner().invoke(main, ["coupons", "seeds", str(study.folder), "--count", "2",
                                     "--base-url", "https://survey.example.org",
                                     "--qr", str(tmp_path / "qr")])
    assert done.exit_code == 0, done.output
    links = [line for line in done.output.splitlines() if line.startswith("https://")]
    assert len(links) == 2 and len(set(links)) == 2
    code = links[0].split("?c=")[1]
    assert len(code) >= 16  # 96 random bits, URL-safe base64
    svgs = sorted((tmp_path / "qr").glob("*.svg"))
    assert [p.name for p in svgs] == ["seed-1.svg", "seed-2.svg"]
    assert svgs[0].read_text().lstrip().startswith(("<?xml", "<svg"))
    with study.engine.connect() as connection:
        stored = connection.execute(sa.select(schema.coupons.c.code)).scalars().all()
    assert set(stored) == {link.split("?c=")[1] for link in links}


@pytest.mark.parametrize("degree_from", ["option", "syrmak.toml"])
def test_cli_rds_prints_the_tree_and_rds_ii(app, degree_from):
    from click.testing import CliRunner

    from syrmak.cli import main

    study = app.state.study
    (seed,) = coupons.issue_seeds(study, 1)
    _, wave1 = respond(app, f"/survey?c={seed}", {**GOOD, "staff": "10"})
    _, wave2 = respond(app, wave1[0].removeprefix("http://127.0.0.1:8765"),
                       {**GOOD, "kind": "independent", "staff": "2"})
    respond(app, wave2[0].removeprefix("http://127.0.0.1:8765"), {**GOOD, "staff": "5"})
    args = ["rds", str(study.folder), "-q", "kind", "--replicates", "50", "--lang", "en"]
    if degree_from == "option":
        args += ["-d", "staff"]
    else:
        with (study.folder / "syrmak.toml").open("a", encoding="utf-8") as toml:
            toml.write('\n[survey]\ndegree = "staff"\n')
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert "3 respondents from 1 seeds; deepest wave 2" in done.output
    assert "  - 1\n    - 2\n      - 3" in done.output
    # RDS-II by hand: CSO 1/10 + 1/5 = 0.3, independent 1/2 = 0.5 -> 37.5% and 62.5%
    assert "37.5%" in done.output and "62.5%" in done.output


def test_monitoring_page_shows_the_survey_as_it_comes_in(app):
    from syrmak.web.app import create_app
    from syrmak.workspace import people
    from tests.web.conftest import sign_in

    study = app.state.study
    (seed,) = coupons.issue_seeds(study, 1)
    _, wave1 = respond(app, f"/survey?c={seed}")
    respond(app, wave1[0].removeprefix("http://127.0.0.1:8765"))
    client(app).get("/survey")  # opened, never consented
    people.add_researcher(study, "vera", "viewer")
    workspace = create_app(study, laptop=True)
    assert client(workspace).get("/monitoring", follow_redirects=False).status_code == 303
    page = sign_in(workspace, "vera").get("/monitoring")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "<strong>2</strong> answers collected online" in text
    assert "(2/3)" in text and "(2/2)" in text  # consented/opened, submitted/consented
    assert "<li>1 → 2</li>" in text
