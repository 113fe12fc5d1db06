"""The codebook: a tree of codes with description, colour and memos.

Codes are addressed by path (``funding/grants``), by a unique name, or by id. Rename, move
and merge keep every coding: codings point at the code's id, and merge re-points them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa
import yaml

from syrmak.errors import SyrmakError
from syrmak.qual.lookup import code_paths, code_rows, descendants, new_guid, now, resolve_code
from syrmak.store import schema

if TYPE_CHECKING:
    from syrmak.study import Study

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Code:
    id: int
    guid: str
    name: str
    path: str
    parent: str | None
    description: str | None
    colour: str | None
    memos: tuple[str, ...]
    codings: int
    depth: int


@dataclass(frozen=True)
class Codebook:
    codes: tuple[Code, ...]

    def to_frame(self) -> pd.DataFrame:
        columns = ["id", "path", "name", "parent", "description", "colour", "codings"]
        return pd.DataFrame([{k: getattr(c, k) for k in columns} for c in self.codes],
                            columns=columns)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, path: str) -> Code:
        for code in self.codes:
            if code.path == path:
                return code
        raise KeyError(path)

    def paths(self) -> list[str]:
        return [c.path for c in self.codes]

    def to_dict(self) -> dict:
        """Nested ``{'codes': [{'name', 'description', 'colour', 'memo', 'codes'}]}``."""
        nodes: dict[str | None, list[dict]] = {}
        for code in self.codes:
            node: dict = {"name": code.name}
            if code.description:
                node["description"] = code.description
            if code.colour:
                node["colour"] = code.colour
            if code.memos:
                node["memo"] = "\n\n".join(code.memos)
            nodes.setdefault(code.parent, []).append(node)
            node["_path"] = code.path
        for siblings in nodes.values():
            for node in siblings:
                children = nodes.get(node.pop("_path"))
                if children:
                    node["codes"] = children
        return {"codes": nodes.get(None, [])}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)


def codebook(study: Study) -> Codebook:
    """The codebook in tree order (parents before their children)."""
    m = schema.memos
    with study.engine.connect() as connection:
        rows = code_rows(connection)
        counts = dict(connection.execute(sa.select(schema.codings.c.code_id, sa.func.count())
                                         .group_by(schema.codings.c.code_id)).all())
        memo_rows = connection.execute(sa.select(m.c.code_id, m.c.text)
                                       .where(m.c.code_id.is_not(None), m.c.coding_id.is_(None))
                                       .order_by(m.c.id)).all()
    paths = code_paths(rows)
    memos: dict[int, list[str]] = {}
    for r in memo_rows:
        memos.setdefault(r.code_id, []).append(r.text)
    children: dict[int | None, list] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)
    ordered: list[Code] = []

    def walk(parent: int | None, depth: int) -> None:
        for r in children.get(parent, []):
            ordered.append(Code(r.id, r.guid, r.name, paths[r.id],
                                paths.get(r.parent_id) if r.parent_id else None, r.description,
                                r.colour, tuple(memos.get(r.id, [])), int(counts.get(r.id, 0)),
                                depth))
            walk(r.id, depth + 1)

    walk(None, 0)
    return Codebook(tuple(ordered))


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or "/" in name or len(name) > 255:
        raise SyrmakError(f"'{name}' is not a valid code name.",
                          "use 1-255 characters without '/' (the '/' separates parent and "
                          "child in code paths).", code="bad-code-name", value=name)
    return name


def _check_colour(colour: str | None) -> str | None:
    if colour is None or colour == "":
        return None
    if not _COLOUR.match(colour):
        raise SyrmakError(f"'{colour}' is not a colour.", "write it as #RRGGBB, e.g. #1f77b4.",
                          code="bad-colour", value=colour)
    return colour.upper()


def _check_free(connection: sa.Connection, name: str, parent_id: int | None,
                except_id: int | None = None) -> None:
    c = schema.codes
    parent = c.c.parent_id.is_(None) if parent_id is None else c.c.parent_id == parent_id
    query = sa.select(c.c.id).where(c.c.name == name, parent)
    if except_id is not None:
        query = query.where(c.c.id != except_id)
    if connection.execute(query).first():
        raise SyrmakError(f"there is already a code '{name}' at that place in the codebook.",
                          "choose another name, or merge the codes.", code="duplicate-code",
                          value=name)


def _create(study: Study, connection: sa.Connection, name: str, parent_id: int | None,
            description: str | None, colour: str | None, memo: str | None, actor: str | None,
            guid: str | None = None) -> int:
    name = _check_name(name)
    colour = _check_colour(colour)
    _check_free(connection, name, parent_id)
    position = connection.execute(sa.select(sa.func.count()).select_from(schema.codes)).scalar()
    code_id = connection.execute(sa.insert(schema.codes).returning(schema.codes.c.id), {
        "guid": guid or new_guid(), "parent_id": parent_id, "name": name,
        "description": description or None, "colour": colour, "position": position,
        "created_at": now()}).scalar_one()
    if memo:
        _add_memo(connection, memo, actor, code_id=code_id)
    study.log("code-add", {"code": code_id, "name": name, "parent": parent_id}, actor,
              connection)
    return code_id


def _add_memo(connection: sa.Connection, text: str, actor: str | None, *,
              guid: str | None = None, created_at=None, **target) -> int:
    from syrmak.study import default_actor

    m = schema.memos
    if guid and connection.execute(sa.select(m.c.id).where(m.c.guid == guid)).first():
        guid = None  # the same memo imported twice: keep both, under distinct ids
    return connection.execute(sa.insert(m).returning(m.c.id), {
        "guid": guid or new_guid(), "text": text, "author": actor or default_actor(),
        "created_at": created_at or now(), **target}).scalar_one()


def add_code(study: Study, name: str, *, parent: str | int | None = None,
             description: str | None = None, colour: str | None = None,
             memo: str | None = None, actor: str | None = None) -> Code:
    """Add a code; ``name`` may be a path ('funding/grants') whose parents must exist."""
    if parent is None and "/" in name.strip("/"):
        parent, name = name.strip("/").rsplit("/", 1)
    with study.engine.begin() as connection:
        parent_id = resolve_code(connection, parent).id if parent is not None else None
        code_id = _create(study, connection, name, parent_id, description, colour, memo, actor)
    return _get(study, code_id)


def _get(study: Study, code_id: int) -> Code:
    return next(c for c in codebook(study).codes if c.id == code_id)


def get_code(study: Study, ref: str | int) -> Code:
    with study.engine.connect() as connection:
        row = resolve_code(connection, ref)
    return _get(study, row.id)


_UNSET = object()


def update_code(study: Study, code: str | int, *, name: str | None = None,
                description: object = _UNSET, colour: object = _UNSET,
                actor: str | None = None) -> Code:
    """Rename a code or change its description or colour; codings stay where they are."""
    with study.engine.begin() as connection:
        row = resolve_code(connection, code)
        values: dict = {}
        if name is not None:
            values["name"] = _check_name(name)
            _check_free(connection, values["name"], row.parent_id, row.id)
        if description is not _UNSET:
            values["description"] = description or None
        if colour is not _UNSET:
            values["colour"] = _check_colour(colour)  # type: ignore[arg-type]
        if values:
            connection.execute(sa.update(schema.codes).where(schema.codes.c.id == row.id)
                               .values(**values))
            study.log("code-update", {"code": row.id, **{k: v for k, v in values.items()}},
                      actor, connection)
    return _get(study, row.id)


def rename_code(study: Study, code: str | int, name: str, actor: str | None = None) -> Code:
    return update_code(study, code, name=name, actor=actor)


def move_code(study: Study, code: str | int, parent: str | int | None,
              actor: str | None = None) -> Code:
    """Put a code (with its subcodes) under ``parent``, or at the top level for None."""
    with study.engine.begin() as connection:
        rows = code_rows(connection)
        row = resolve_code(connection, code, rows)
        parent_id = None
        if parent is not None and str(parent) not in ("", "/"):
            parent_id = resolve_code(connection, parent, rows).id
            if parent_id in descendants(rows, row.id):
                raise SyrmakError("a code cannot move under itself or one of its subcodes.",
                                  "choose a parent outside the code's branch.",
                                  code="code-cycle", value=parent)
        _check_free(connection, row.name, parent_id, row.id)
        connection.execute(sa.update(schema.codes).where(schema.codes.c.id == row.id)
                           .values(parent_id=parent_id))
        study.log("code-move", {"code": row.id, "parent": parent_id}, actor, connection)
    return _get(study, row.id)


def merge_codes(study: Study, source: str | int, target: str | int,
                actor: str | None = None) -> Code:
    """Fold ``source`` into ``target``: its codings, memos and subcodes move; it goes away.

    A coding that would duplicate one the target already has (same document, span and
    coder) is dropped rather than doubled.
    """
    c, k = schema.codes, schema.codings
    with study.engine.begin() as connection:
        rows = code_rows(connection)
        src = resolve_code(connection, source, rows)
        dst = resolve_code(connection, target, rows)
        if src.id == dst.id or dst.id in descendants(rows, src.id):
            raise SyrmakError("a code cannot be merged into itself or one of its subcodes.",
                              "choose a target outside the source's branch.",
                              code="code-cycle", value=target)
        have = {(r.document_id, r.start_offset, r.end_offset, r.coder) for r in connection.execute(
            sa.select(k.c.document_id, k.c.start_offset, k.c.end_offset, k.c.coder)
            .where(k.c.code_id == dst.id))}
        moved = dropped = 0
        for r in connection.execute(sa.select(k).where(k.c.code_id == src.id)).all():
            if (r.document_id, r.start_offset, r.end_offset, r.coder) in have:
                connection.execute(sa.delete(schema.memos).where(schema.memos.c.coding_id == r.id))
                connection.execute(sa.delete(k).where(k.c.id == r.id))
                dropped += 1
            else:
                connection.execute(sa.update(k).where(k.c.id == r.id).values(code_id=dst.id))
                have.add((r.document_id, r.start_offset, r.end_offset, r.coder))
                moved += 1
        connection.execute(sa.update(schema.memos).where(schema.memos.c.code_id == src.id)
                           .values(code_id=dst.id))
        for child in [r for r in rows if r.parent_id == src.id]:
            _check_free(connection, child.name, dst.id, child.id)
            connection.execute(sa.update(c).where(c.c.id == child.id).values(parent_id=dst.id))
        connection.execute(sa.delete(c).where(c.c.id == src.id))
        study.log("code-merge", {"source": src.id, "target": dst.id, "moved": moved,
                                 "dropped": dropped}, actor, connection)
    return _get(study, dst.id)


def delete_code(study: Study, code: str | int, *, force: bool = False,
                actor: str | None = None) -> None:
    """Remove a code and its subcodes; with codings only when ``force``."""
    k = schema.codings
    with study.engine.begin() as connection:
        rows = code_rows(connection)
        row = resolve_code(connection, code, rows)
        ids = descendants(rows, row.id)
        n = connection.execute(sa.select(sa.func.count()).select_from(k)
                               .where(k.c.code_id.in_(ids))).scalar()
        if n and not force:
            raise SyrmakError(f"the code '{code}' (with its subcodes) has {n} codings.",
                              "merge it into another code, or delete with --force to drop "
                              "the codings too.", code="code-in-use", value=code)
        coding_ids = sa.select(k.c.id).where(k.c.code_id.in_(ids))
        connection.execute(sa.delete(schema.memos).where(schema.memos.c.coding_id.in_(coding_ids)))
        connection.execute(sa.delete(k).where(k.c.code_id.in_(ids)))
        connection.execute(sa.delete(schema.memos).where(schema.memos.c.code_id.in_(ids)))
        depth = {r.id: 0 for r in rows}
        for r in rows:  # children first, so the parent foreign key never dangles
            p, d = r.parent_id, 0
            while p is not None:
                d += 1
                p = next(x.parent_id for x in rows if x.id == p)
            depth[r.id] = d
        for cid in sorted(ids, key=lambda i: -depth[i]):
            connection.execute(sa.delete(schema.codes).where(schema.codes.c.id == cid))
        study.log("code-delete", {"code": row.id, "codes": len(ids), "codings": n}, actor,
                  connection)


# -- YAML ------------------------------------------------------------------------------

def _walk_yaml(nodes, where: str, out: list, parent: str | None) -> None:
    if not isinstance(nodes, list):
        raise SyrmakError(f"{where}: 'codes' must be a list of codes.",
                          "write each code as '- name: ...'.", code="bad-codebook")
    for i, node in enumerate(nodes, 1):
        if isinstance(node, str):
            node = {"name": node}
        if not isinstance(node, dict) or "name" not in node:
            raise SyrmakError(f"{where}, code {i}: every code needs a 'name'.",
                              "write '- name: Funding'.", code="bad-codebook")
        unknown = set(node) - {"name", "description", "colour", "color", "memo", "codes"}
        if unknown:
            raise SyrmakError(f"{where}, code '{node['name']}': unknown keys "
                              f"{', '.join(sorted(unknown))}.",
                              "use name, description, colour, memo, codes.", code="bad-codebook")
        name = _check_name(str(node["name"]))
        colour = _check_colour(node.get("colour", node.get("color")))
        path = name if parent is None else f"{parent}/{name}"
        out.append((path, parent, name, node.get("description"), colour, node.get("memo")))
        if node.get("codes"):
            _walk_yaml(node["codes"], f"{where} > {name}", out, path)


def import_yaml(study: Study, source: str | Path, actor: str | None = None) -> Codebook:
    """Add the codes of a YAML codebook; codes already there (same path) get updated texts."""
    name = "codebook"
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                    and Path(source).suffix in (".yaml", ".yml")):
        path = Path(source)
        name = path.name
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SyrmakError(f"cannot read {path}: {exc.strerror}.", "check the path.",
                              code="no-file", file=str(path)) from exc
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise SyrmakError(f"the codebook is not valid YAML: {exc}", "fix the YAML syntax.",
                          code="bad-codebook", file=name) from exc
    if isinstance(data, list):
        data = {"codes": data}
    if not isinstance(data, dict) or "codes" not in data:
        raise SyrmakError("the codebook needs a top-level 'codes:' list.",
                          "see docs/qualitative.md for the format.", code="bad-codebook",
                          file=name)
    entries: list = []
    _walk_yaml(data["codes"], name, entries, None)
    seen = set()
    for entry in entries:
        if entry[0] in seen:
            raise SyrmakError(f"the code '{entry[0]}' appears twice in {name}.",
                              "give sibling codes different names.", code="duplicate-code")
        seen.add(entry[0])
    with study.engine.begin() as connection:
        rows = code_rows(connection)
        by_path = {p: i for p, i in ((v, k) for k, v in code_paths(rows).items())}
        for path, parent, cname, description, colour, memo in entries:
            if path in by_path:
                values = {k: v for k, v in (("description", description), ("colour", colour))
                          if v is not None}
                if values:
                    connection.execute(sa.update(schema.codes)
                                       .where(schema.codes.c.id == by_path[path]).values(**values))
                continue
            by_path[path] = _create(study, connection, cname,
                                    by_path[parent] if parent else None, description, colour,
                                    memo, actor)
        study.log("codebook-import", {"file": name, "codes": len(entries)}, actor, connection)
    return codebook(study)


def export_yaml(study: Study, path: str | Path | None = None) -> str:
    text = codebook(study).to_yaml()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
