"""The coding desk: views, acts, roles checked in the library, blind mode, review."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual.coding import codings_frame
from syrmak.store import schema
from syrmak.workspace import codes as codes_ws
from syrmak.workspace import desk, review
from tests.workspace.conftest import TEXT


def _span(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def test_code_passage_stores_exact_text_and_an_event(desk_study):
    study, team = desk_study
    start, end = _span("Мы 😀 выгорели, қ ғ ә ү")
    change = desk.code_passage(study, team["anna"], "talk", start, end, code="Burnout")
    assert change.coding.text == "Мы 😀 выгорели, қ ғ ә ү"
    assert (change.coding.start, change.coding.end, change.coding.coder) == (start, end, "anna")
    # Only the touched paragraph is redrawn, and it holds the new coding.
    assert [t.start for t in change.view.turns] == [TEXT.index("Респондент")]
    assert any(change.coding.id in p.marks for p in change.view.turns[0].pieces)
    with study.engine.connect() as connection:
        events = connection.execute(sa.select(schema.events.c.action, schema.events.c.actor)
                                    .where(schema.events.c.action == "code")).all()
    assert events == [("code", "anna")]


def test_viewer_cannot_code_in_the_library(desk_study):
    study, team = desk_study
    with pytest.raises(SyrmakError) as info:
        desk.code_passage(study, team["viewer"], "talk", 0, 5, code="Funding")
    assert info.value.code == "forbidden"
    with pytest.raises(SyrmakError):
        desk.memo(study, team["viewer"], "note", document="talk")
    assert codings_frame(study).empty


def test_new_and_in_vivo_codes(desk_study):
    study, team = desk_study
    start, end = _span("закрыли")
    change = desk.code_passage(study, team["anna"], "talk", start, end, in_vivo=True)
    assert change.coding.code == "закрыли"
    change = desk.code_passage(study, team["anna"], "notes", 0, 8, new_code="Notes",
                               parent="Difficulties")
    assert change.coding.code == "Difficulties/Notes"
    # In-vivo twice with the same words reuses the code.
    again = desk.code_passage(study, team["bob"], "talk", start, end, in_vivo=True)
    assert again.coding.code == "закрыли"


def test_coders_change_only_their_own_codings(desk_study):
    study, team = desk_study
    mine = desk.code_passage(study, team["anna"], "talk", 0, 10, code="Funding").coding
    with pytest.raises(SyrmakError) as info:
        desk.uncode(study, team["bob"], mine.id)
    assert info.value.code == "forbidden"
    with pytest.raises(SyrmakError):
        desk.resize(study, team["bob"], mine.id, 0, 12)
    resized = desk.resize(study, team["anna"], mine.id, 2, 12).coding
    assert (resized.start, resized.end) == (2, 12)
    desk.uncode(study, team["owner"], mine.id)  # an owner may
    assert codings_frame(study).empty


def test_coder_may_not_reshape_the_codebook(desk_study):
    study, team = desk_study
    with pytest.raises(SyrmakError) as info:
        codes_ws.merge(study, team["anna"], "Funding", "Difficulties")
    assert info.value.code == "forbidden"
    with pytest.raises(SyrmakError):
        codes_ws.update(study, team["anna"], "Funding", name="Money")
    assert codes_ws.add(study, team["anna"], "Hope").path == "Hope"
    assert codes_ws.update(study, team["owner"], "Funding", name="Money", colour="#00AA00",
                           parent="Difficulties").path == "Difficulties/Money"


def test_blind_mode_hides_other_coders(desk_study):
    from syrmak.workspace import people

    study, team = desk_study
    desk.code_passage(study, team["anna"], "talk", 0, 10, code="Funding")
    desk.code_passage(study, team["bob"], "talk", 12, 20, code="Funding")
    assert {m.coder for m in desk.document_view(study, team["bob"], "talk").marks} == {
        "anna", "bob"}
    bob = people.set_preferences(study, team["bob"], blind=True)
    view = desk.document_view(study, bob, "talk")
    assert {m.coder for m in view.marks} == {"bob"} and view.blind
    assert view.coders == ("anna", "bob")  # he knows others coded, not what
    from syrmak.workspace import analysis

    assert set(analysis.segments(study, bob, "Funding").to_frame()["coders"]) == {"bob"}


def test_pieces_cover_the_text_and_overlaps(desk_study):
    study, team = desk_study
    a = desk.code_passage(study, team["anna"], "talk", 40, 60, code="Funding").coding
    b = desk.code_passage(study, team["anna"], "talk", 50, 70, code="Burnout").coding
    view = desk.document_view(study, team["anna"], "talk")
    text = "".join(view.piece_text(p) for t in view.turns for p in t.pieces)
    assert text == TEXT.replace("\n", "")
    covering = {(p.start, p.end): p.marks for t in view.turns for p in t.pieces}
    assert covering[(50, 60)] == tuple(sorted((a.id, b.id)))
    transcript = view.turns[1]
    assert transcript.speaker == "Респондент" and transcript.time_ms == 9000
    assert TEXT[transcript.start:transcript.label_end] == "Респондент: "


def test_review_pairs_segments_and_adjudicates(desk_study):
    study, team = desk_study
    a1 = desk.code_passage(study, team["anna"], "talk", 40, 60, code="Burnout").coding
    desk.code_passage(study, team["bob"], "talk", 41, 60, code="Burnout")
    a2 = desk.code_passage(study, team["anna"], "talk", 0, 10, code="Funding").coding
    result = review.review(study, team["owner"], "talk", "anna", "bob")
    assert [(p.code, p.agree) for p in result.pairings] == [("Funding", False),
                                                            ("Difficulties/Burnout", True)]
    assert len(result.disagreements) == 1
    from syrmak.qual.agreement import document_agreement

    expected = document_agreement(study, coders=["anna", "bob"]).table
    assert result.document_table.equals(expected)
    with pytest.raises(SyrmakError):
        review.adjudicate(study, team["anna"], "talk", [a1.id])
    added = review.adjudicate(study, team["owner"], "talk", [a1.id, a2.id])
    assert len(added) == 2
    assert review.adjudicate(study, team["owner"], "talk", [a1.id]) == []  # already there
    after = review.review(study, team["owner"], "talk", "anna", "bob")
    assert all(p.settled for p in after.pairings)


def test_fifty_concurrent_codings_all_land_once(desk_study):
    """Writes queue on the store's lock: none fails with "database is locked"."""
    study, team = desk_study
    errors: list = []
    barrier = threading.Barrier(50)

    def work(i: int) -> None:
        try:
            barrier.wait()
            desk.code_passage(study, team["anna" if i % 2 else "bob"], "talk", i, i + 3,
                              code="Funding")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    frame = codings_frame(study)
    assert sorted(frame["start"]) == list(range(50))
    with study.engine.connect() as connection:
        n = connection.execute(sa.select(sa.func.count()).select_from(schema.events)
                               .where(schema.events.c.action == "code")).scalar()
    assert n == 50


def test_the_same_coding_fifty_times_at_once_lands_once(desk_study):
    """The duplicate check and the insert happen under one lock, so a double-click (or
    fifty) cannot store the same coding twice."""
    study, team = desk_study
    outcomes: list = []
    barrier = threading.Barrier(50)

    def work() -> None:
        barrier.wait()
        try:
            desk.code_passage(study, team["anna"], "talk", 5, 15, code="Funding")
            outcomes.append("coded")
        except SyrmakError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=work) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["coded"] + ["duplicate-coding"] * 49
    assert len(codings_frame(study)) == 1
