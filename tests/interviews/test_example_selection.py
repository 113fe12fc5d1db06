"""The example study: the report's interviewees are consenting candidates spread over the
report's criteria, and the CLI shows the grid, records the choice and opens only their
contacts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.examples import build_example
from syrmak.interviews.selection import candidates
from syrmak.study import Study
from tests.conftest import throwaway_keys

INTERVIEWEES = {6, 13, 15, 25, 26}
CRITERIA = ["respondent_type", "political", "region_kind"]


@pytest.fixture(scope="module")
def kz(tmp_path_factory):
    keys = tmp_path_factory.mktemp("kz-keys")
    with throwaway_keys(keys):
        folder = tmp_path_factory.mktemp("kz") / "study"
        build_example("kz-civic-2021", folder)
        yield folder, keys


def test_interviewees_consent_and_spread_over_the_strata(kz):
    kz, _ = kz
    with Study.open(kz) as study:
        grid = candidates(study, where="interview_consent = yes", strata=CRITERIA, seed=1,
                          lang="en")
    where = {n: s.values for s in grid.strata for n in s.respondents}
    assert set(where) >= INTERVIEWEES
    # every value of every criterion is met by some interviewee, as the report says
    for i, name in enumerate(CRITERIA):
        assert {where[n][i] for n in INTERVIEWEES} == {
            v[i] for v in (s.values for s in grid.strata)}, name
    assert len({where[n] for n in INTERVIEWEES}) == 4
    assert where[26] == ("Representative of an CSO", "Pursuing political activities",
                         "Big city")
    assert where[15][2] == "Region"


def test_cli_grid_selection_and_contacts(kz, monkeypatch):
    kz, keys = kz
    monkeypatch.setenv("SYRMAK_IDENTITY_FILE", str(keys))
    runner = CliRunner()
    grid = runner.invoke(main, ["interviews", "candidates", str(kz), "--where",
                                "interview_consent = yes", "--strata", ",".join(CRITERIA),
                                "--seed", "7", "--lang", "en"])
    assert grid.exit_code == 0, grid.output
    assert "12 candidates; seed 7; 4 empty strata." in grid.output
    assert "Empty: Independent activist / Pursuing non-political activities / Region" in \
        grid.output
    again = runner.invoke(main, ["interviews", "candidates", str(kz), "--where",
                                 "interview_consent = yes", "--strata", ",".join(CRITERIA),
                                 "--seed", "7", "--lang", "en"])
    assert again.output == grid.output
    chosen = runner.invoke(main, ["interviews", "select", str(kz), "6", "13", "15", "25", "26",
                                  "--reason", "the report's criteria"])
    assert chosen.exit_code == 0, chosen.output
    bad = runner.invoke(main, ["interviews", "select", str(kz), "6", "99", "--reason", "x"])
    assert bad.exit_code == 1 and "no respondent 99" in bad.output
    listed = runner.invoke(main, ["interviews", "contacts", str(kz), "--question",
                                  "interview_contact"])
    assert listed.exit_code == 0, listed.output
    numbers = [line.split()[0] for line in listed.output.splitlines()[1:]]
    assert numbers == ["6", "13", "15", "25", "26"]
    assert "snowball_contacts" not in listed.output


def test_example_guide_answers_across_interviews(kz):
    from syrmak.interviews.guide import answers, guide

    kz, _ = kz
    with Study.open(kz) as study:
        assert len(guide(study)) == 9
        coping = answers(study, 7)
    assert any(a.respondent == 26 and "групповые психологические сессии" in a.text
               for a in coping)
    assert len({a.document for a in coping}) >= 3
