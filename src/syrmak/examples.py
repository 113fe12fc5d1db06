"""Example studies shipped with syrmak, built into a fresh study folder in one step."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from syrmak.errors import SyrmakError

EXAMPLES = ("kz-civic-2021",)


def example_source(name: str) -> Path:
    """The example's files: inside the installed wheel, or in the source checkout."""
    if name not in EXAMPLES:
        raise SyrmakError(f"there is no example '{name}'.", f"use one of: {', '.join(EXAMPLES)}.",
                          code="unknown-example")
    packaged = resources.files("syrmak") / "_examples" / name
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "examples" / name
    if checkout.is_dir():
        return checkout
    raise SyrmakError(f"the files of example '{name}' are missing from this installation.",
                      "reinstall syrmak.", code="example-missing")


def build_example(name: str, folder: Path, keeper=None) -> list[str]:
    """Create the study, load its questionnaire and import its responses."""
    from syrmak.study import Study

    source = example_source(name)
    if folder.exists() and any(folder.iterdir()):
        raise SyrmakError(f"{folder} is not empty.", "give a new or empty folder.", code="folder-not-empty")
    study = Study.create(folder, keeper=keeper,
                         title="The impact of COVID-19 pandemic on civic activism in Kazakhstan")
    lines = [f"Created study in {folder}"]
    form = study.load_questionnaire(source / "questionnaire.xlsx")
    lines.append(f"Loaded questionnaire '{form.form_id}': {len(form.answered)} questions")
    result = study.import_responses(source / "responses.csv", format="google-forms")
    lines.append(result.summary())
    lines.extend(f"Warning: {w}" for w in result.warnings)
    derived = source / "derived.yaml"
    if derived.exists():
        from syrmak.survey.derived import derive_from_yaml

        names = derive_from_yaml(study, derived)
        lines.append(f"Derived variables: {', '.join(names)}")
    guide = source / "guide.txt"
    if guide.exists():
        from syrmak.interviews.guide import set_guide

        lines.append(f"Interview guide: {len(set_guide(study, guide))} questions")
    interviews = source / "interviews" / "load_interviews.py"
    if interviews.exists():
        lines.append(_run_loader(interviews, study))
    translations = source / "translations.yaml"
    if translations.exists():
        from syrmak.report import import_translations

        added = import_translations(study, translations)
        lines.append(f"Stored {len(added)} English translations of quotes")
    spec = source / "report.yaml"
    if spec.exists():
        shutil.copyfile(spec, folder / "report.yaml")
        lines.append(f"Report spec: {folder / 'report.yaml'} (build it with: syrmak report {folder})")
    study.close()
    return lines


def _run_loader(path: Path, study) -> str:
    """Run an example's own loader (its data-specific steps live beside its data)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"syrmak_example_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    summary = module.load(study)
    return "Interviews and open answers: " + ", ".join(f"{k} {v}" for k, v in summary.items())
