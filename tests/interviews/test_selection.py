"""Derived variables and choosing interviewees: the grid, the draw, the shortlist, contacts."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from syrmak.analysis import crosstab
from syrmak.analysis.where import mask
from syrmak.errors import SyrmakError
from syrmak.interviews.selection import candidates, contacts, select, shortlist
from syrmak.store import schema
from syrmak.survey.derived import derive, parse_categories

# sphere (multiple answers) -> focus: the first category any ticked option belongs to.
FOCUS = [("rights", ["rights"]), ("gender", ["women"])]


@pytest.fixture
def focused(surveyed):
    derive(surveyed, "focus", "sphere", FOCUS, otherwise="other",
           labels={"en": "Focus"}, category_labels={"rights": {"en": "Rights"}})
    return surveyed


def _events(study, action):
    e = schema.events
    with study.engine.connect() as connection:
        return [json.loads(d) for d in connection.execute(
            sa.select(e.c.detail).where(e.c.action == action).order_by(e.c.id)).scalars()]


def test_derived_variable_is_a_column_of_the_frame(focused):
    frame = focused.responses(lang="en")
    # respondent 6 skipped 'sphere', so stays unanswered rather than falling into 'other'
    assert list(frame["focus"].astype(object).where(frame["focus"].notna(), None)) == [
        "Rights", "gender", "other", "Rights", "gender", None]


def test_derived_variable_filters_and_crosstabs(focused):
    form = focused.analysis_questionnaire
    frame = focused.responses()
    assert list(frame.index[mask(form, frame, "focus = rights")]) == [1, 4]
    table = crosstab(form, frame, "focus", "kind")
    assert [list(map(int, row)) for row in table.counts] == [[1, 1], [1, 1], [1, 0]]


def test_derived_variable_leaves_the_stored_questionnaire_alone(focused):
    assert not focused.questionnaire.has("focus")
    assert focused.analysis_questionnaire.has("focus")


@pytest.mark.parametrize(("name", "source", "categories", "code"), [
    ("focus", "nope", FOCUS, "unknown-question"),
    ("focus", "staff", FOCUS, "derived-bad-source"),
    ("focus", "contact", FOCUS, "derived-bad-source"),
    ("focus", "sphere", [("rights", ["rightz"])], "derived-unknown-choice"),
    ("focus", "sphere", [("a", ["rights"]), ("a", ["women"])], "bad-argument"),
    ("kind", "sphere", FOCUS, "derived-name-taken"),
    ("1focus", "sphere", FOCUS, "bad-argument"),
])
def test_bad_derived_variable_writes_nothing(surveyed, name, source, categories, code):
    with pytest.raises(SyrmakError) as caught:
        derive(surveyed, name, source, categories)
    assert caught.value.code == code
    assert surveyed.derived_variables == ()


@pytest.mark.parametrize(("specs", "expected"), [
    (["big=KZ-ALA,KZ-AST"], [("big", ["KZ-ALA", "KZ-AST"])]),
    (["a = x", "b=y,"], [("a", ["x"]), ("b", ["y"])]),
])
def test_category_specs(specs, expected):
    assert parse_categories(specs) == expected


@pytest.mark.parametrize("spec", ["big", "=x", "big="])
def test_bad_category_spec(spec):
    with pytest.raises(SyrmakError):
        parse_categories([spec])


def test_candidates_grid_names_empty_strata(focused):
    result = candidates(focused, where="trust = agree", strata=["kind", "focus"], seed=1,
                        lang="en")
    cells = {s.values: s.respondents for s in result.strata}
    # trust = agree: respondents 1, 4, 5
    assert cells == {("Registered CSO", "Rights"): (1,), ("Registered CSO", "gender"): (5,),
                     ("Registered CSO", "other"): (),
                     ("Independent activist", "Rights"): (4,),
                     ("Independent activist", "gender"): (),
                     ("Independent activist", "other"): ()}
    assert len(result.empty) == 3
    assert result.shortlist == (1, 4, 5)
    assert result.total == 3


def test_draw_is_reproducible_from_its_seed(focused):
    draws = {candidates(focused, strata=["kind"], seed=seed).shortlist for seed in range(20)}
    assert all(len(d) == 2 for d in draws)
    assert len(draws) > 1  # the seed matters
    first = candidates(focused, strata=["kind"], seed=3)
    assert candidates(focused, strata=["kind"], seed=3).shortlist == first.shortlist
    unseeded = candidates(focused, strata=["kind"])
    assert candidates(focused, strata=["kind"], seed=unseeded.seed).shortlist == \
        unseeded.shortlist


@pytest.mark.parametrize(("per", "drawn"), [(0, 0), (2, 4), (10, 6)])
def test_per_stratum(surveyed, per, drawn):
    assert len(candidates(surveyed, strata=["kind"], per_stratum=per, seed=0).shortlist) == drawn


@pytest.mark.parametrize(("strata", "code"), [
    (["sphere"], "bad-stratum"), (["staff"], "bad-stratum"), (["nope"], "unknown-question"),
    ([], "bad-argument")])
def test_bad_strata(surveyed, strata, code):
    with pytest.raises(SyrmakError) as caught:
        candidates(surveyed, strata=strata)
    assert caught.value.code == code


def test_withdrawn_respondents_are_no_candidates(surveyed):
    surveyed.withdraw(1)
    result = candidates(surveyed, strata=["kind"], per_stratum=10, seed=0)
    assert 1 not in {n for s in result.strata for n in s.respondents}


def test_select_records_who_why_and_criteria(surveyed):
    select(surveyed, [3, 1], reason="one CSO each", criteria={"strata": ["kind"], "seed": 4},
           actor="anna")
    chosen = shortlist(surveyed)
    assert [(s.number, s.reason, s.selected_by, s.criteria["seed"]) for s in chosen] == [
        (1, "one CSO each", "anna", 4), (3, "one CSO each", "anna", 4)]
    assert _events(surveyed, "interview-select") == [{"respondents": [3, 1]}]


@pytest.mark.parametrize(("numbers", "reason", "code"), [
    ([1, 99], "why", "unknown-respondent"),
    ([2, 1], "why", "withdrawn-respondent"),
    ([1], "  ", "bad-argument"),
    ([], "why", "bad-argument"),
])
def test_bad_selection_writes_nothing(surveyed, numbers, reason, code):
    surveyed.withdraw(2)
    with pytest.raises(SyrmakError) as caught:
        select(surveyed, numbers, reason=reason)
    assert caught.value.code == code
    assert shortlist(surveyed) == ()


def test_contacts_of_the_shortlisted_only_each_read_logged(surveyed):
    select(surveyed, [1, 2, 3], reason="r")
    table = contacts(surveyed, surveyed.unlock())
    # 2 left no contact; 5's contact is in the vault but 5 is not shortlisted
    assert list(table["respondent"]) == [1, 3]
    assert "colleague.five@example.org" not in table.to_string()
    logged = _events(surveyed, "interview-contact-read")
    assert logged == [{"respondent": 1, "question": "contact"},
                      {"respondent": 3, "question": "contact"}]
    assert "@" not in json.dumps(logged) and "700" not in json.dumps(logged)


def test_contacts_need_a_shortlist(surveyed):
    with pytest.raises(SyrmakError) as caught:
        contacts(surveyed, surveyed.unlock())
    assert caught.value.code == "empty-shortlist"


def test_withdrawal_takes_a_respondent_off_the_shortlist(surveyed):
    select(surveyed, [1, 3], reason="r")
    surveyed.withdraw(1)
    assert [s.number for s in shortlist(surveyed)] == [3]


@pytest.mark.parametrize(("questions", "code"), [(["story"], "unknown-question"),
                                                 (["nope"], "unknown-question")])
def test_contacts_of_a_question_that_is_not_personal(surveyed, questions, code):
    select(surveyed, [1], reason="r")
    with pytest.raises(SyrmakError) as caught:
        contacts(surveyed, surveyed.unlock(), questions=questions)
    assert caught.value.code == code
    assert _events(surveyed, "interview-contact-read") == []
