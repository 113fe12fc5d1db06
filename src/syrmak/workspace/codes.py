"""The code tree as the workspace shows and edits it; reshaping it is the owner's act."""

from __future__ import annotations

from typing import TYPE_CHECKING

from syrmak.qual import codebook as cb
from syrmak.store.writelock import serialized
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.study import Study


def codebook(study: Study, who: Researcher) -> cb.Codebook:
    require(who, "read")
    return cb.codebook(study)


def add(study: Study, who: Researcher, name: str, *, parent: str | int | None = None,
        colour: str | None = None, description: str | None = None) -> cb.Code:
    require(who, "add-code")
    with serialized(study.engine):
        return cb.add_code(study, name, parent=parent or None, colour=colour or None,
                           description=description or None, actor=who.name)


def update(study: Study, who: Researcher, code: int | str, *, name: str | None = None,
           colour: str | None = None, description: str | None = None,
           parent: str | int | None = ...) -> cb.Code:
    """Rename, recolour, describe and/or move (``parent=None``: to the top) a code."""
    require(who, "codebook")
    with serialized(study.engine):
        fields: dict = {}
        if colour is not None:
            fields["colour"] = colour
        if description is not None:
            fields["description"] = description
        result = cb.update_code(study, code, name=name or None, actor=who.name, **fields)
        if parent is not ...:
            result = cb.move_code(study, result.id, parent, actor=who.name)
        return result


def merge(study: Study, who: Researcher, source: int | str, target: int | str) -> cb.Code:
    require(who, "codebook")
    with serialized(study.engine):
        return cb.merge_codes(study, source, target, actor=who.name)


def delete(study: Study, who: Researcher, code: int | str) -> None:
    """Delete an unused code (one with codings is merged, not deleted, from the page)."""
    require(who, "codebook")
    with serialized(study.engine):
        cb.delete_code(study, code, actor=who.name)
