"""The translate interface: off by default, a local model folder only, drafts stored nowhere."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.interviews.translate import configured_translator, suggest
from syrmak.qual.documents import add_text
from syrmak.store import schema


class Upper:
    def translate(self, texts):
        return [t.upper() for t in texts]


def test_off_by_default(study):
    with pytest.raises(SyrmakError) as caught:
        configured_translator(study)
    assert caught.value.code == "translate-off"


@pytest.mark.parametrize("files", [(), ("model.bin",), ("model.bin", "source.spm")])
def test_an_incomplete_model_folder_is_named(study, tmp_path, files):
    folder = tmp_path / "model"
    folder.mkdir()
    for name in files:
        (folder / name).write_bytes(b"x")
    study.config["translate"] = {"model": str(folder)}
    with pytest.raises(SyrmakError) as caught:
        configured_translator(study)
    assert caught.value.code == "translate-model-missing"
    assert "target.spm" in str(caught.value)


def test_a_suggestion_is_a_draft_stored_nowhere(study):
    add_text(study, "iv", "Мы перешли в онлайн.")
    assert suggest(study, "iv", 3, 10, translator=Upper()) == "ПЕРЕШЛИ"
    with study.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count())
                                  .select_from(schema.translations)).scalar() == 0
    with pytest.raises(SyrmakError) as caught:
        suggest(study, "iv", 5, 99, translator=Upper())
    assert caught.value.code == "bad-span"
