"""Splitting, merging and relabelling a transcript's segments keeps every coding on the
same words; a coding whose words go away is reported, never silently moved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.interviews import segments
from syrmak.qual.coding import code_quote, codings_frame
from syrmak.qual.documents import _assemble, _insert, get_document
from syrmak.store import schema

TURNS = [
    ("Speaker 1", 0, 2000, "Как изменилась ваша работа?"),
    ("Speaker 2", 2500, 9000, "Мы перешли в онлайн. Было трудно, выгорание у коллег."),
    ("Speaker 2", 9000, 12000, "Потом стало легче."),
    ("Speaker 1", 12500, 14000, "Спасибо."),
]


def add_transcript(study, name="iv", turns=TURNS):
    parsed = _assemble([list(t) for t in turns], merge=True)
    with study.engine.begin() as connection:
        return _insert(study, connection, name=name, kind="transcript", parsed=parsed,
                       respondent=None, question=None, source_name=None, source_bytes=None,
                       actor="anna")


@pytest.fixture
def coded(study):
    from syrmak.qual.codebook import add_code

    for code in ("Online", "Burnout", "Question", "Relief", "Whole"):
        add_code(study, code)
    add_transcript(study)
    code_quote(study, "iv", "перешли в онлайн", "Online", "anna")
    code_quote(study, "iv", "выгорание у коллег", "Burnout", "anna")
    code_quote(study, "iv", "Как изменилась ваша работа?", "Question", "viktoriya")
    code_quote(study, "iv", "Потом стало легче", "Relief", "anna")
    # one coding across a segment boundary and a paragraph break
    code_quote(study, "iv", "у коллег. Потом стало легче.\nSpeaker 1: Спасибо", "Whole", "anna")
    return study


def coded_texts(study):
    doc = get_document(study, "iv")
    return {row.code: doc.text[row.start:row.end] for row in codings_frame(study).itertuples()}


def lines(study):
    view = segments.transcript(study, "iv")
    return [(x.speaker, x.start_ms, x.end_ms, x.text) for x in view.lines]


def events(study, action):
    with study.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(schema.events)
                                  .where(schema.events.c.action == action)).scalar()


BEFORE = {"Online": "перешли в онлайн", "Burnout": "выгорание у коллег",
          "Question": "Как изменилась ваша работа?", "Relief": "Потом стало легче",
          "Whole": "у коллег. Потом стало легче.\nSpeaker 1: Спасибо"}


def test_the_transcript_view(coded):
    view = segments.transcript(coded, "iv")
    assert view.speakers == ("Speaker 1", "Speaker 2")
    assert [x.opens_paragraph for x in view.lines] == [True, True, False, True]
    assert view.timed and view.recordings == ()
    assert coded_texts(coded) == BEFORE


def test_split_at_the_cursor_divides_the_time_in_proportion(coded):
    text = get_document(coded, "iv").text
    at = text.index("Было трудно")
    segments.split(coded, "iv", 1, at, actor="anna")
    assert lines(coded)[1:3] == [
        ("Speaker 2", 2500, 2500 + round(6500 * 21 / 53), "Мы перешли в онлайн."),
        ("Speaker 2", 2500 + round(6500 * 21 / 53), 9000,
         "Было трудно, выгорание у коллег.")]
    assert get_document(coded, "iv").text == text  # no text changes
    assert coded_texts(coded) == BEFORE
    assert events(coded, "transcript-split") == 1


def test_split_inside_a_word_goes_to_its_start_and_takes_the_playback_time(coded):
    text = get_document(coded, "iv").text
    at = text.index("онлайн") + 3
    segments.split(coded, "iv", 1, at, at_ms=4100)
    assert lines(coded)[1:3] == [("Speaker 2", 2500, 4100, "Мы перешли в"),
                                 ("Speaker 2", 4100, 9000,
                                  "онлайн. Было трудно, выгорание у коллег.")]
    assert coded_texts(coded) == BEFORE


@pytest.mark.parametrize("where", ["Мы", "Как"])
def test_a_split_with_no_words_on_one_side_is_refused(coded, where):
    text = get_document(coded, "iv").text
    position = 1 if where == "Мы" else 0
    with pytest.raises(SyrmakError) as caught:
        segments.split(coded, "iv", position, text.index(where))
    assert caught.value.code == "bad-split"
    assert len(lines(coded)) == 4


def test_merge_within_a_paragraph_changes_no_text(coded):
    text = get_document(coded, "iv").text
    segments.merge(coded, "iv", 1)
    assert lines(coded)[1] == ("Speaker 2", 2500, 12000,
                               "Мы перешли в онлайн. Было трудно, выгорание у коллег. "
                               "Потом стало легче.")
    assert get_document(coded, "iv").text == text
    assert coded_texts(coded) == BEFORE


def test_merge_across_speakers_drops_the_label_and_keeps_codings_on_their_words(coded):
    segments.merge(coded, "iv", 2)
    doc = get_document(coded, "iv")
    assert doc.text == ("Speaker 1: Как изменилась ваша работа?\nSpeaker 2: Мы перешли в "
                        "онлайн. Было трудно, выгорание у коллег. Потом стало легче. Спасибо.")
    assert lines(coded)[2] == ("Speaker 2", 9000, 14000, "Потом стало легче. Спасибо.")
    assert coded_texts(coded) == {**BEFORE, "Whole": "у коллег. Потом стало легче. Спасибо"}
    assert events(coded, "transcript-merge") == 1


def test_merge_that_deletes_a_coded_label_is_refused_then_reported(coded):
    code_quote(coded, "iv", "Speaker 1", "Question", "anna", occurrence=2)
    with pytest.raises(SyrmakError) as caught:
        segments.merge(coded, "iv", 2)
    assert caught.value.code == "edit-loses-codings"
    assert "coding 'Question' by anna" in str(caught.value)
    assert len(lines(coded)) == 4 and len(codings_frame(coded)) == 6  # nothing written
    change = segments.merge(coded, "iv", 2, drop_lost=True)
    assert [x.what for x in change.lost] == ["coding 'Question' by anna"]
    assert len(codings_frame(coded)) == 5


def test_the_last_segment_merges_with_nothing(coded):
    with pytest.raises(SyrmakError) as caught:
        segments.merge(coded, "iv", 3)
    assert caught.value.code == "bad-merge"


def test_rename_a_speaker_everywhere(coded):
    segments.mark_interviewer(coded, "iv", "Speaker 1")
    segments.rename_speaker(coded, "iv", "Speaker 1", "Интервьюер")
    doc = get_document(coded, "iv")
    assert doc.text == ("Интервьюер: Как изменилась ваша работа?\nSpeaker 2: Мы перешли в "
                        "онлайн. Было трудно, выгорание у коллег. Потом стало легче.\n"
                        "Интервьюер: Спасибо.")
    assert [x[0] for x in lines(coded)] == ["Интервьюер", "Speaker 2", "Speaker 2",
                                            "Интервьюер"]
    assert coded_texts(coded) == {**BEFORE,
                                  "Whole": "у коллег. Потом стало легче.\nИнтервьюер: Спасибо"}
    assert segments.transcript(coded, "iv").interviewer == "Интервьюер"


def test_relabel_one_segment_makes_it_a_paragraph_of_its_own(coded):
    segments.relabel_segment(coded, "iv", 2, "Speaker 3")
    doc = get_document(coded, "iv")
    assert doc.text == ("Speaker 1: Как изменилась ваша работа?\nSpeaker 2: Мы перешли в "
                        "онлайн. Было трудно, выгорание у коллег.\nSpeaker 3: Потом стало "
                        "легче.\nSpeaker 1: Спасибо.")
    assert [x[0] for x in lines(coded)] == ["Speaker 1", "Speaker 2", "Speaker 3", "Speaker 1"]
    assert coded_texts(coded) == {
        **BEFORE, "Whole": "у коллег.\nSpeaker 3: Потом стало легче.\nSpeaker 1: Спасибо"}


def test_relabel_a_segment_in_the_middle_of_a_paragraph(coded):
    text = get_document(coded, "iv").text
    segments.split(coded, "iv", 1, text.index("Было"))
    segments.relabel_segment(coded, "iv", 2, "Speaker 1")
    assert get_document(coded, "iv").text == (
        "Speaker 1: Как изменилась ваша работа?\nSpeaker 2: Мы перешли в онлайн.\n"
        "Speaker 1: Было трудно, выгорание у коллег.\nSpeaker 2: Потом стало легче.\n"
        "Speaker 1: Спасибо.")
    assert [x[0] for x in lines(coded)] == ["Speaker 1", "Speaker 2", "Speaker 1",
                                            "Speaker 2", "Speaker 1"]
    assert coded_texts(coded) == {
        **BEFORE, "Whole": "у коллег.\nSpeaker 2: Потом стало легче.\nSpeaker 1: Спасибо"}


def test_split_then_merge_round_trips(coded):
    text = get_document(coded, "iv").text
    before = lines(coded)
    segments.split(coded, "iv", 1, text.index("выгорание"))
    segments.merge(coded, "iv", 1)
    assert lines(coded) == before and get_document(coded, "iv").text == text
    assert coded_texts(coded) == BEFORE


def test_correct_a_segment_keeps_codings_and_reports_lost_ones(coded):
    segments.correct(coded, "iv", 1, "Мы перешли в онлайн. Было трудно, выгорание у коллег.",
                     "Мы перешли в онлайн-режим. Было тяжело, выгорание у коллег.",
                     editor="anna")
    assert coded_texts(coded)["Online"] == "перешли в онлайн-режим"
    assert coded_texts(coded)["Burnout"] == "выгорание у коллег"
    corrected = "Мы перешли в онлайн-режим. Было тяжело, выгорание у коллег."
    with pytest.raises(SyrmakError) as caught:
        segments.correct(coded, "iv", 1, corrected, "Мы перешли в онлайн-режим. Было тяжело.",
                         editor="anna")
    assert caught.value.code == "edit-loses-codings"
    assert "coding 'Burnout' by anna" in str(caught.value)
    assert coded_texts(coded)["Burnout"] == "выгорание у коллег"  # nothing written
    result = segments.correct(coded, "iv", 1, corrected,
                              "Мы перешли в онлайн-режим. Было тяжело.", editor="anna",
                              drop_lost=True)
    assert [x.what for x in result.lost] == ["coding 'Burnout' by anna"]
    assert "Burnout" not in coded_texts(coded)
    assert coded_texts(coded)["Whole"] == ". Потом стало легче.\nSpeaker 1: Спасибо"
    with pytest.raises(SyrmakError) as stale:
        segments.correct(coded, "iv", 1, "Мы перешли в онлайн.", "x", editor="anna")
    assert stale.value.code == "edit-conflict"


@pytest.mark.parametrize("name", ["", "Who: me", "One. Two", "a b c d e", "x" * 41])
def test_bad_speaker_labels_are_refused(coded, name):
    text = get_document(coded, "iv").text
    with pytest.raises(SyrmakError) as caught:
        segments.rename_speaker(coded, "iv", "Speaker 1", name)
    assert caught.value.code == "bad-speaker"
    assert get_document(coded, "iv").text == text


def test_unknown_speaker_segment_and_plain_documents(coded):
    from syrmak.qual.documents import add_text

    with pytest.raises(SyrmakError) as caught:
        segments.mark_interviewer(coded, "iv", "Speaker 9")
    assert caught.value.code == "unknown-speaker"
    with pytest.raises(SyrmakError) as caught:
        segments.split(coded, "iv", 7, 3)
    assert caught.value.code == "unknown-segment"
    add_text(coded, "notes", "Plain notes without segments.")
    with pytest.raises(SyrmakError) as caught:
        segments.transcript(coded, "notes")
    assert caught.value.code == "not-a-transcript"


def test_the_cli_splits_merges_and_relabels(coded):
    from click.testing import CliRunner

    from syrmak.cli import main

    folder = str(coded.folder)
    run = CliRunner().invoke
    result = run(main, ["interviews", "split", folder, "iv", "1", "--before", "выгорание",
                        "--at", "6.1"])
    assert result.exit_code == 0, result.output
    assert lines(coded)[2] == ("Speaker 2", 6100, 9000, "выгорание у коллег.")
    result = run(main, ["interviews", "merge", folder, "iv", "1"])
    assert result.exit_code == 0, result.output
    result = run(main, ["interviews", "speaker", folder, "iv", "Speaker 1", "Интервьюер",
                        "--interviewer"])
    assert result.exit_code == 0, result.output
    assert segments.transcript(coded, "iv").interviewer == "Интервьюер"
    result = run(main, ["interviews", "speaker", folder, "iv", "Speaker 9", "X", "--segment",
                        "1"])
    assert result.exit_code != 0 and "Speaker 2's, not Speaker 9's" in result.output
    result = run(main, ["interviews", "split", folder, "iv", "1", "--before", "нет таких"])
    assert result.exit_code != 0 and "does not contain" in result.output
    assert coded_texts(coded) == {**BEFORE,
                                  "Whole": "у коллег. Потом стало легче.\nИнтервьюер: Спасибо"}


def test_a_correction_diffs_only_the_changed_stretch():
    """A one-hour transcript repeats its letters everywhere, so a character diff of the whole
    text costs minutes; the shared start and end are equal as they stand."""
    from syrmak.interviews.editing import Remap

    words = ["мы", "перешли", "в", "онлайн", "было", "трудно", "выгорание", "у", "коллег",
             "потом", "стало", "легче"]
    old = " ".join(words[i * 7 % len(words)] for i in range(12000))
    at = old.index(" ", len(old) // 2)
    new = old[:at] + " очень" + old[at:]
    remap = Remap(old, new)
    # two equal stretches around the insertion (where exactly is the diff's choice)
    assert [op[0] for op in remap.ops] == ["equal", "equal"]
    assert at <= remap.ops[0][2] <= at + 6 and remap.ops[1][3] - remap.ops[1][1] == 6
    assert remap.span(at - 20, at - 5) == (at - 20, at - 5)
    assert remap.span(at + 10, at + 20) == (at + 16, at + 26)
