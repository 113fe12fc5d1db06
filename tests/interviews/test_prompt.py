"""The speech model's prompt (Whisper's initial prompt): the study's topic and words, from
``--prompt`` or ``[transcribe] prompt`` in syrmak.toml, reach faster-whisper unchanged."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.interviews import transcribe as tr
from tests.interviews.audio import tone, write_wav
from tests.interviews.test_transcribe import Fake

TOPIC = "Интервью с активисткой общественной организации о работе во время пандемии."


class Model:
    """Stands in for faster_whisper.WhisperModel: keeps what ``transcribe`` was given."""

    def __init__(self):
        self.kwargs = None

    def transcribe(self, audio, **kwargs):
        self.kwargs = kwargs
        return iter(()), None


@pytest.mark.parametrize("prompt", [TOPIC, None])
def test_the_engine_passes_its_prompt_to_whisper(prompt):
    engine = tr.WhisperEngine(prompt=prompt)
    engine._model = Model()
    assert engine.transcribe(tone(0.5), "ru", lambda _: None) == []
    assert engine._model.kwargs["initial_prompt"] == prompt
    assert engine._model.kwargs["language"] == "ru"


def _engines(monkeypatch) -> list:
    """Every WhisperEngine the command makes, as a Fake that remembers its prompt."""
    made = []

    class Recording(Fake):
        def __init__(self, prompt=None, **_):
            super().__init__()
            self.prompt = prompt
            made.append(self)

    monkeypatch.setattr(tr, "WhisperEngine", Recording)
    return made


@pytest.mark.store("sqlite")  # the CLI opens the study folder
def test_prompt_from_the_command_line_then_from_syrmak_toml(surveyed, tmp_path, monkeypatch):
    made = _engines(monkeypatch)
    folder = str(surveyed.folder)
    first = write_wav(tmp_path / "first.wav")
    run = CliRunner().invoke(main, ["transcribe", folder, str(first), "--respondent", "2",
                                    "--prompt", TOPIC])
    assert run.exit_code == 0, run.output
    assert made[-1].prompt == TOPIC and made[-1].calls == 1
    toml = surveyed.folder / "syrmak.toml"
    toml.write_text(toml.read_text(encoding="utf-8")
                    + '\n[transcribe]\nprompt = "О пандемии и НКО."\n', encoding="utf-8")
    second = write_wav(tmp_path / "second.wav")
    run = CliRunner().invoke(main, ["transcribe", folder, str(second), "--respondent", "2"])
    assert run.exit_code == 0, run.output
    assert made[-1].prompt == "О пандемии и НКО."


def test_a_prompt_that_is_not_text_is_refused_and_nothing_is_written(surveyed, tmp_path,
                                                                      monkeypatch):
    _engines(monkeypatch)
    monkeypatch.setitem(surveyed.config, "transcribe", {"prompt": 7})
    with pytest.raises(SyrmakError) as caught:
        tr.transcribe(surveyed, [write_wav(tmp_path / "a.wav")], respondent=2)
    assert caught.value.code == "bad-setting"
    assert "[transcribe] prompt" in str(caught.value)
    assert tr.list_recordings(surveyed) == ()
