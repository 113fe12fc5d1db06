"""The package's layers, checked on the source: who may import whom.

Read with ``ast`` (nothing is imported), the way great-tables checks that its optional
pandas import stays optional. Imports under ``if TYPE_CHECKING:`` are annotations only and
do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "syrmak"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(source: str, module: str) -> set[str]:
    """Every module ``source`` imports at run time (relative imports resolved)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    # ``module`` names a file, not a package: one dot is its own package.
                    package = module.split(".")[: len(module.split(".")) - child.level]
                    base = ".".join([*package, base] if base else package)
                found.add(base)
                # ``from syrmak import web`` imports the subpackage.
                found.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(source))
    return found


def _library() -> dict[str, set[str]]:
    return {_module(p): imports_of(p.read_text(encoding="utf-8"), _module(p))
            for p in sorted(SRC.rglob("*.py"))}


LIBRARY = _library()


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _is_cli(module: str) -> bool:
    return _under(module, "syrmak.cli")


def _breaches(importers: str, forbidden, allowed=lambda importer: False) -> list[str]:
    return sorted(f"{importer} imports {name}" for importer, names in LIBRARY.items()
                  if _under(importer, importers) and not allowed(importer)
                  for name in names if any(_under(name, f) for f in forbidden))


# Everything of syrmak except these sits above the store.
_STORE_MAY_USE = ("syrmak.store", "syrmak.errors")
_ABOVE_STORE = sorted({".".join(m.split(".")[:2]) for m in LIBRARY} - {"syrmak", *_STORE_MAY_USE})


@pytest.mark.parametrize(("importers", "forbidden", "allowed"), [
    # The store is the bottom layer: it knows tables, not studies, analyses or pages.
    pytest.param("syrmak.store", _ABOVE_STORE, None, id="store-imports-nothing-above-it"),
    # Analyses are functions of frames: they never read the store or build a report.
    pytest.param("syrmak.analysis", ("syrmak.store", "syrmak.study", "syrmak.report"), None,
                 id="analysis-reads-no-store-or-report"),
    # The qualitative core is below reports and the workspace: translations, passages and
    # documents are stored by qual/, which the report reads (never the other way round).
    pytest.param("syrmak.qual", ("syrmak.report", "syrmak.workspace", "syrmak.web"), None,
                 id="qual-below-report-and-workspace"),
    # Renderers lay out what they are given: they never read the store, and the report
    # and the web pages use them (one layer that lays results out as tables).
    pytest.param("syrmak.render", ("syrmak.store", "syrmak.study", "syrmak.report",
                                   "syrmak.workspace", "syrmak.web", "syrmak.qual"), None,
                 id="render-reads-no-store"),
    # The web workspace sits on top: only the command that serves it loads it.
    pytest.param("syrmak", ("syrmak.web",), lambda m: _under(m, "syrmak.web") or _is_cli(m),
                 id="nothing-imports-web"),
    # The command line is a shell around the library, never a part of it.
    pytest.param("syrmak", ("syrmak.cli",), _is_cli, id="nothing-imports-cli"),
    # click belongs to the CLI: qual/, report/ and the rest of the library take arguments.
    pytest.param("syrmak", ("click",), _is_cli, id="only-cli-imports-click"),
])
def test_layer(importers, forbidden, allowed):
    assert _breaches(importers, forbidden, allowed or (lambda m: False)) == []


@pytest.mark.parametrize(("source", "module", "expected"), [
    ("from syrmak.store import db", "syrmak.analysis.x", {"syrmak.store", "syrmak.store.db"}),
    ("from ..report import build", "syrmak.analysis.x", {"syrmak.report", "syrmak.report.build"}),
    ("from . import y", "syrmak.analysis.x", {"syrmak.analysis", "syrmak.analysis.y"}),
    ("def f():\n    import syrmak.web.app", "syrmak.qual.x", {"syrmak.web.app"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from syrmak.study import Study",
     "syrmak.store.x", {"typing", "typing.TYPE_CHECKING"}),
])
def test_imports_of_sees_every_kind_of_import(source, module, expected):
    # The check above is only as good as this reader: a nested, relative or
    # from-package import that it missed would let a breach through.
    assert imports_of(source, module) == expected


def test_a_breach_is_reported():
    LIBRARY["syrmak.store.fake"] = {"syrmak.report.build"}
    try:
        assert _breaches("syrmak.store", _ABOVE_STORE) == [
            "syrmak.store.fake imports syrmak.report.build"]
    finally:
        del LIBRARY["syrmak.store.fake"]
