"""Machine-translation suggestions for quotes: off by default, local model only.

Translation stays human-first: no offline Russian-to-English model of research quality is
on the registries syrmak may use, so syrmak ships none and stores no machine output on its
own. A team that has a CTranslate2 conversion of a Marian (OPUS-MT) model can point
syrmak at its folder in ``syrmak.toml``::

    [translate]
    model = "/path/to/opus-mt-ru-en-ct2"   # model.bin, source.spm, target.spm

``suggest`` then offers a draft for a span; the researcher edits it and stores it with
``report.quotes.set_translation`` (the workspace's translate page), attributed to them.
Nothing is downloaded; the model folder must already be on the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from syrmak.errors import SyrmakError

if TYPE_CHECKING:
    from syrmak.study import Study

NEEDED = ("model.bin", "source.spm", "target.spm")


class Translator(Protocol):
    def translate(self, texts: list[str]) -> list[str]: ...


class MarianTranslator:
    """A CTranslate2 Marian model with its SentencePiece vocabularies, on the CPU."""

    def __init__(self, folder: Path):
        try:
            import ctranslate2
            import sentencepiece
        except ImportError as exc:
            raise SyrmakError("machine translation needs ctranslate2 and sentencepiece.",
                              'install them: pip install "syrmak[transcribe]" sentencepiece.',
                              code="translate-missing") from exc
        self._model = ctranslate2.Translator(str(folder), device="cpu")
        self._source = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        self._target = sentencepiece.SentencePieceProcessor(model_file=str(folder / "target.spm"))

    def translate(self, texts: list[str]) -> list[str]:
        pieces = [self._source.encode(t, out_type=str) for t in texts]
        results = self._model.translate_batch(pieces)
        return [self._target.decode(r.hypotheses[0]) for r in results]


def configured_translator(study: Study) -> Translator:
    """The model of ``[translate] model`` in syrmak.toml; an error when none is set."""
    setting = (study.config.get("translate") or {}).get("model")
    if not setting:
        raise SyrmakError("machine translation is off for this study.",
                          "translate quotes yourself in the workspace, or set "
                          "[translate] model = \"FOLDER\" in syrmak.toml to a local "
                          "CTranslate2 Marian model (docs/interviews.md).",
                          code="translate-off")
    folder = Path(setting).expanduser()
    if study.folder is not None and not folder.is_absolute():
        folder = study.folder / folder
    missing = [name for name in NEEDED if not (folder / name).is_file()]
    if missing:
        raise SyrmakError(f"the translation model folder lacks {', '.join(missing)}.",
                          "point [translate] model at a CTranslate2 conversion of a Marian "
                          "model (ct2-transformers-converter writes these files).",
                          code="translate-model-missing", file=str(folder))
    return MarianTranslator(folder)


def suggest(study: Study, document: int | str, start: int, end: int, *,
            translator: Translator | None = None) -> str:
    """A draft translation of ``[start, end)`` of a document, for a person to correct;
    stored nowhere."""
    from syrmak.qual.documents import get_document

    doc = get_document(study, document)
    if not 0 <= start < end <= len(doc.text):
        raise SyrmakError(f"[{start}, {end}) is not a span of '{doc.name}' "
                          f"(length {len(doc.text)}).", "give offsets inside the document.",
                          code="bad-span", value=f"{start}-{end}")
    translator = translator or configured_translator(study)
    (draft,) = translator.translate([doc.text[start:end]])
    study.log("translate-suggest", {"document": doc.id, "start": start, "end": end})
    return draft
