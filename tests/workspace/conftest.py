"""A small coding study: two documents (one with emoji, Kazakh letters and a combining
accent), a codebook, and a team of owner, two coders and a viewer."""

from __future__ import annotations

import pytest

RAW = ("[00:00:05] Интервьюер: Как вы справлялись?\n"
       "[00:00:09] Респондент: Мы 😀 выгорели, қ ғ ә ү; мы\u0301 закрыли.\n"
       "[00:01:02] Интервьюер: Спасибо.")
#: The text as stored: the times move to the segments, the speaker labels stay.
TEXT = ("Интервьюер: Как вы справлялись?\n"
        "Респондент: Мы 😀 выгорели, қ ғ ә ү; мы\u0301 закрыли.\n"
        "Интервьюер: Спасибо.")


@pytest.fixture
def desk_study(new_study):
    from syrmak.qual import codebook, documents
    from syrmak.workspace import people

    study = new_study()
    documents.add_text(study, "talk", RAW, kind="transcript")
    assert documents.get_document(study, "talk").text == TEXT
    documents.add_text(study, "notes", "Короткая заметка о финансировании.")
    codebook.add_code(study, "Difficulties", colour="#AA0000")
    codebook.add_code(study, "Difficulties/Burnout", colour="#CC3333")
    codebook.add_code(study, "Funding")
    team = {
        "owner": people.add_researcher(study, "olga", "owner"),
        "anna": people.add_researcher(study, "anna", "coder"),
        "bob": people.add_researcher(study, "bob", "coder"),
        "viewer": people.add_researcher(study, "vera", "viewer"),
    }
    return study, team
