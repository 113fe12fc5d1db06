"""The qdpx cases of the real-world corpus (../shared/data/interop/manifest.tsv), in-process.

Each ``qdpx`` row of the manifest is imported into a fresh study with the library call the
``syrmak import-qdpx`` command makes; its ``qdpx=SOURCES/CODES/CODINGS`` check is compared
with what the import reports, and each ``py:NAME:ARG`` check is the corpus's own check.py
function (the one run.sh runs), loaded from the corpus and called on the study.
"""

from __future__ import annotations

import csv
import importlib.util
import xml.etree.ElementTree as ET
import zipfile

import pytest

from syrmak.qual import refi_qda as refi
from tests.shared_data import INTEROP, require

MANIFEST = INTEROP / "manifest.tsv"


def _cases():
    if not MANIFEST.is_file():  # no corpus: one case that skips, or fails in CI
        return [pytest.param(None, id="corpus-missing")]
    with MANIFEST.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    cases = [dict(zip(("expect", "kind", "form", "data", "format", "check", "note"), r,
                      strict=False)) for r in rows if r[1] == "qdpx"]
    assert cases, "the manifest lists no qdpx case"
    return [pytest.param(c, id=c["data"].rsplit("/", 1)[-1]) for c in cases]


def _checks(case):
    return [c for c in (case.get("check") or "-").split(";") if c and c != "-"]


def _corpus_check(name: str):
    spec = importlib.util.spec_from_file_location("interop_check", INTEROP / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHECKS[name]


@pytest.mark.parametrize("case", _cases())
def test_manifest_qdpx_case(case, new_study):
    require(MANIFEST)
    assert case["expect"] == "ok", "only importable qdpx cases are listed so far"
    study = new_study()
    result = refi.import_qdpx(study, INTEROP / case["data"])
    for check in _checks(case):
        kind, _, spec = check.partition("=") if check.startswith("qdpx=") else \
            check.partition(":")
        if kind == "qdpx":
            assert f"{result.sources}/{result.codes}/{result.codings}" == spec
        elif kind == "py":
            name, _, arg = spec.partition(":")
            problem = _corpus_check(name)(study.folder, str(INTEROP), arg or None)
            # The sources are real people's comments (PROVENANCE.md): report the counts
            # check.py gives, not the example text it quotes after them.
            held = problem is None
            assert held, f"check.py {name}: {problem.split(', e.g.')[0]}"
        else:
            pytest.fail(f"unknown check {check!r} in manifest.tsv")


@pytest.mark.parametrize("target, same", [("nvivo", True), ("standard", False)])
def test_nvivo_sample_exported_for_nvivo_has_nvivos_positions(new_study, tmp_path, target,
                                                              same):
    """Imported and exported again --for nvivo, the 303 selections of the NVivo sample carry
    the very positions NVivo wrote; as the standard's code points, most differ."""
    path = require(INTEROP / "qdpx" / "nvivo12.6-win_oltas0517.qdpx")

    def spans(qdpx) -> list[tuple[str, str]]:
        with zipfile.ZipFile(qdpx) as z:
            root = ET.fromstring(z.read("project.qde"))
        return sorted((s.get("startPosition"), s.get("endPosition"))
                      for s in root.iter(f"{{{refi.PROJECT_NS}}}PlainTextSelection"))

    study = new_study()
    refi.import_qdpx(study, path)
    out = refi.export_qdpx(study, tmp_path / "again.qdpx", target)
    assert (spans(out.path) == spans(path)) is same
