"""Correcting a transcript keeps its codings on the same words; a coding whose words were
deleted is reported, never silently moved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from syrmak.errors import SyrmakError
from syrmak.interviews.editing import Remap, edit_text
from syrmak.qual.coding import code_quote, codings_frame, get_coding
from syrmak.qual.documents import add_text, get_document
from syrmak.qual.search import search
from syrmak.store import schema

TEXT = ("Interviewer: Как изменирус ваша работа?\n"
        "Respondent: Мы перешли в онлайн. Было трудно, выгорание у коллег.")


@pytest.fixture
def coded(study):
    from syrmak.qual.codebook import add_code

    add_code(study, "Online")
    add_code(study, "Burnout")
    add_code(study, "Question")
    doc = add_text(study, "iv", TEXT, kind="transcript")
    code_quote(study, "iv", "перешли в онлайн", "Online", "anna")
    code_quote(study, "iv", "выгорание у коллег", "Burnout", "anna")
    code_quote(study, "iv", "Как изменирус ваша работа?", "Question", "viktoriya")
    return study, doc


def _coded_texts(study):
    doc = get_document(study, "iv")
    frame = codings_frame(study)
    return {row.code: doc.text[row.start:row.end] for row in frame.itertuples()}


@pytest.mark.parametrize(("old", "new", "expected"), [
    # a word corrected before the coded words: they move, unchanged
    ("изменирус", "изменилась", {"Online": "перешли в онлайн", "Burnout": "выгорание у коллег",
                                 "Question": "Как изменилась ваша работа?"}),
    # a word corrected inside a coding: the coding covers the corrected word
    ("в онлайн", "в онлайн-режим", {"Online": "перешли в онлайн-режим",
                                     "Burnout": "выгорание у коллег",
                                     "Question": "Как изменирус ваша работа?"}),
    # words deleted inside a coding: it shrinks to the words left
    (" у коллег", "", {"Online": "перешли в онлайн", "Burnout": "выгорание",
                       "Question": "Как изменирус ваша работа?"}),
    # text added at a coding's edge stays outside it
    ("Было трудно", "Было очень трудно", {"Online": "перешли в онлайн",
                                           "Burnout": "выгорание у коллег",
                                           "Question": "Как изменирус ваша работа?"}),
])
def test_codings_follow_their_words(coded, old, new, expected):
    study, _ = coded
    result = edit_text(study, "iv", TEXT.replace(old, new), editor="anna")
    assert result.lost == ()
    assert result.kept == 3
    assert _coded_texts(study) == expected


def test_a_coding_whose_words_were_deleted_is_reported_and_nothing_changes(coded):
    study, doc = coded
    new = TEXT.replace(" Было трудно, выгорание у коллег.", "")
    with pytest.raises(SyrmakError) as caught:
        edit_text(study, "iv", new, editor="anna")
    assert caught.value.code == "edit-loses-codings"
    assert "coding 'Burnout' by anna" in str(caught.value)
    assert get_document(study, "iv").text == TEXT  # nothing written
    assert len(codings_frame(study)) == 3


def test_dropping_lost_codings_is_explicit_and_reported(coded):
    study, _ = coded
    burnout = next(r.id for r in codings_frame(study).itertuples() if r.code == "Burnout")
    result = edit_text(study, "iv", TEXT.replace(" Было трудно, выгорание у коллег.", ""),
                       editor="anna", drop_lost=True)
    assert [(x.table, x.id) for x in result.lost] == [("codings", burnout)]
    assert set(_coded_texts(study)) == {"Online", "Question"}
    with pytest.raises(SyrmakError):
        get_coding(study, burnout)
    e = schema.events
    with study.engine.connect() as connection:
        actions = list(connection.execute(sa.select(e.c.action)).scalars())
    assert "document-edit" in actions


def test_segments_follow_and_search_sees_the_correction(coded):
    study, doc = coded
    before = [doc.text[s.start:s.end] for s in doc.segments]
    assert any("изменирус" in b for b in before)
    assert search(study, "изменирус").total == 1
    edit_text(study, "iv", TEXT.replace("изменирус", "изменилась"), editor="anna")
    doc = get_document(study, "iv")
    assert [doc.text[s.start:s.end] for s in doc.segments] == [
        b.replace("изменирус", "изменилась") for b in before]
    assert search(study, "изменирус").total == 0
    assert search(study, "изменилась").total == 1


def test_edit_from_a_stale_text_is_refused(coded):
    study, _ = coded
    edit_text(study, "iv", TEXT.replace("трудно", "тяжело"), editor="anna")
    with pytest.raises(SyrmakError) as caught:
        edit_text(study, "iv", TEXT.replace("онлайн", "онлайн."), editor="viktoriya",
                  base_text=TEXT)
    assert caught.value.code == "edit-conflict"


words = st.lists(st.sampled_from(["мы", "перешли", "в", "онлайн", "было", "трудно", ",", "."]),
                 min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(old=words, new=words, data=st.data())
def test_remap_keeps_spans_inside_the_text_and_in_order(old, new, data):
    old_text, new_text = " ".join(old), " ".join(new)
    remap = Remap(old_text, new_text)
    start = data.draw(st.integers(0, len(old_text) - 1))
    end = data.draw(st.integers(start + 1, len(old_text)))
    span = remap.span(start, end)
    if span is None:
        return
    a, b = span
    assert 0 <= a < b <= len(new_text)
    # a span the diff left untouched keeps its characters (a word that grew at its edge
    # is taken whole)
    if any(tag == "equal" and i1 <= start and end <= i2 for tag, i1, i2, *_ in remap.ops):
        assert old_text[start:end] in new_text[a:b]


def test_remap_of_an_unchanged_text_is_the_identity():
    text = "Мы перешли в онлайн."
    remap = Remap(text, text)
    assert [remap.span(i, j) for i, j in [(0, 2), (3, 10), (0, len(text))]] == [
        (0, 2), (3, 10), (0, len(text))]


@pytest.mark.store("sqlite")  # the CLI opens the study folder
def test_cli_edit_reports_and_refuses(coded, tmp_path):
    from click.testing import CliRunner

    from syrmak.cli import main

    study, _ = coded
    new = tmp_path / "new.txt"
    new.write_text(TEXT.replace(" Было трудно, выгорание у коллег.", ""), encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(main, ["interviews", "edit", str(study.folder), "iv", str(new)])
    assert refused.exit_code == 1 and "coding 'Burnout' by anna" in refused.output
    done = runner.invoke(main, ["interviews", "edit", str(study.folder), "iv", str(new),
                                "--drop-lost"])
    assert done.exit_code == 0, done.output
    assert "2 codings kept" in done.output and "Dropped: coding 'Burnout'" in done.output
