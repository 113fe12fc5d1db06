"""Export layouts are data with hooks: imports.py tests no tool's name, and a new format is
one entry of ``LAYOUTS``."""

from __future__ import annotations

import ast
from pathlib import Path

import syrmak.survey.imports as imports_module
from syrmak.survey import layouts
from syrmak.survey.layouts import LAYOUTS, Layout


def test_the_import_pipeline_names_no_tool():
    tree = ast.parse(Path(imports_module.__file__).read_text(encoding="utf-8"))
    names = set(LAYOUTS) - {"csv"}
    found = [node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and node.value in names]
    assert found == [], f"imports.py tests tool names: {found}"


def test_a_new_format_is_one_entry(study, tmp_path, monkeypatch):
    """A made-up tool: a banner row above the header, its own id column, a "Draft" flag
    for unfinished responses."""

    def banner(raw):
        raw.cells = raw.cells.drop(index=raw.cells.index[0])
        return "the tool's banner row was skipped."

    def drafts(cells, columns):
        flag = next(c for c in columns if c.header == "Status")
        unfinished = cells[flag.index] == "Draft"
        return unfinished, f"{int(unfinished.sum())} drafts were left out."

    tool = Layout("mytool", key_columns=("entry",), ignore=("status",),
                  detect=lambda header: "entry" in header and "status" in header,
                  header_rows=banner, unfinished=drafts)
    monkeypatch.setitem(LAYOUTS, "mytool", tool)
    monkeypatch.setattr(layouts, "FORMATS", (*layouts.FORMATS, "mytool"))
    monkeypatch.setattr(imports_module, "FORMATS", (*imports_module.FORMATS, "mytool"))
    # detection takes the first layout whose detect() accepts: put ours first
    monkeypatch.setattr(layouts, "LAYOUTS", {"mytool": tool, **{k: v for k, v in LAYOUTS.items()
                                                               if k != "mytool"}})
    path = tmp_path / "export.csv"
    path.write_text("kind,staff,Entry,Status\nMyTool export v1,,,\ncso,3,e1,Done\n"
                    "independent,5,e2,Draft\n", encoding="utf-8")
    result = imports_module.import_file(study, path)
    assert result.format == "mytool" and result.added == 1
    assert "the tool's banner row was skipped." in result.notes
    assert "1 drafts were left out." in result.notes
