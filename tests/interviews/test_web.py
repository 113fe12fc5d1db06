"""The interviewees page: the grid and draw for everyone, the shortlist for owners only,
and no contact detail on any page."""

from __future__ import annotations

import pytest

from tests.web.conftest import post, sign_in


@pytest.fixture
def app(surveyed):
    from syrmak.web.app import create_app
    from syrmak.workspace import people

    people.add_researcher(surveyed, "olga", "owner")
    people.add_researcher(surveyed, "vera", "viewer")
    return create_app(surveyed, laptop=True)


def test_grid_draw_and_shortlist(app):
    olga = sign_in(app, "olga")
    page = olga.get("/interviewees", params={"where": "trust = agree", "strata": "kind",
                                             "seed": "5", "lang": "en"})
    assert page.status_code == 200, page.text
    assert "Registered CSO" in page.text and "Independent activist" in page.text
    assert "3 candidates; seed 5" in page.text
    again = olga.get("/interviewees", params={"where": "trust = agree", "strata": "kind",
                                              "seed": "5", "lang": "en"})
    assert again.text == page.text
    chosen = post(olga, "/interviewees/select", {"numbers": "1 4", "reason": "one each",
                                                 "strata": "kind", "seed": "5"})
    assert chosen.status_code == 200, chosen.text
    assert "one each" in chosen.text and "olga" in chosen.text
    shown = olga.get("/interviewees").text
    assert "colleague.one@example.org" not in shown and "example.org" not in shown


def test_viewer_sees_but_cannot_shortlist(app):
    vera = sign_in(app, "vera")
    page = vera.get("/interviewees", params={"strata": "kind", "seed": "1"})
    assert page.status_code == 200 and "hx-post=\"/interviewees/select\"" not in page.text
    refused = post(vera, "/interviewees/select", {"numbers": "1", "reason": "x"})
    assert refused.status_code == 403
    from syrmak.interviews.selection import shortlist

    assert shortlist(app.state.study) == ()


@pytest.mark.parametrize(("params", "status"), [
    ({"strata": "sphere"}, 400), ({"strata": "kind", "seed": "abc"}, 400),
    ({"strata": "nope"}, 400)])
def test_bad_queries_are_errors(app, params, status):
    page = sign_in(app, "olga").get("/interviewees", params=params)
    assert page.status_code == status
