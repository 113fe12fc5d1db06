"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks (QDA-XML 1.0).

Export writes what the XSDs in this folder accept (checked on every export) and what the
REFI-QDA 1.5 specification adds: ``project.qde`` at the root of the zip, plain-text sources
as UTF-8 ``sources/<GUID>.txt`` referenced as ``internal://<GUID>.txt``, selections counted
in Unicode code points from 0 (or as the target program counts them: ``positions.py``).

What maps to what:

- documents -> ``TextSource`` (free document variables -> ``VariableValue``);
- codes -> ``Code`` (description, colour; memos -> ``NoteRef``);
- codings -> one ``PlainTextSelection`` each (guid = the coding's), holding one ``Coding``;
  coder -> ``creatingUser``; comment -> the selection's ``Description``; the weight has
  no place in QDA-XML and is written as ``weight=N`` in the selection's ``name``;
- coders and memo authors -> ``User`` (GUIDs derived from the name, stable across exports);
- memos -> ``Note`` with ``NoteRef``s from the project, source, code or selection;
- respondents -> ``Case`` (``Respondent N``) with a ``SourceRef`` per linked document.

Import is lenient where tools differ: the namespace may be missing, ``project.qde`` may sit
in a folder, source paths may be ``internal://``, relative or just the file name, text may
be inline (``PlainTextContent``), start with a BOM or use CRLF (kept as is, since the
offsets count them), and ``Coding`` may sit on the source itself (the whole text). A bare
``.qde`` imports what it holds without its sources. Notes, sets, cases and uncoded
quotations become memos and document variables (docs/qualitative.md has the table), and
whatever has no place in syrmak is listed in ``Imported.not_imported``. An import is one
transaction: anything unreadable raises ``SyrmakError`` and nothing is stored.
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import defusedxml
import defusedxml.ElementTree as SafeET
import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual.lookup import code_paths, code_rows, coder_guid, new_guid
from syrmak.qual.refi_qda.positions import CONVENTIONS, Positions, convention, for_origin
from syrmak.store import schema
from syrmak.store.db import now

if TYPE_CHECKING:
    from syrmak.study import Study

HERE = Path(__file__).parent
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_TYPES = {"text": "Text", "integer": "Integer", "float": "Float", "boolean": "Boolean",
          "date": "Date"}
_VALUE_TAGS = {"Text": "TextValue", "Integer": "IntegerValue", "Float": "FloatValue",
               "Boolean": "BooleanValue", "Date": "DateValue", "DateTime": "DateTimeValue"}
_WEIGHT = re.compile(r"^weight=(\d+)$")


@lru_cache(maxsize=2)
def schema_for(kind: str):
    import xmlschema

    return xmlschema.XMLSchema(str(HERE / ("Project.xsd" if kind == "project" else
                                           "Codebook.xsd")))


def validate(xml: bytes | str, kind: str = "project") -> list[str]:
    """Schema errors of a QDE (``kind='project'``) or QDC (``'codebook'``) document."""
    return [str(e.reason or e) for e in schema_for(kind).iter_errors(xml)]


def _guid(value: str) -> str:
    return str(uuid.UUID(value.strip("{}")))


def _time(value) -> str:
    if value is None:
        return now().replace(microsecond=0).isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0).isoformat()


def _derived(guid: str, what: str) -> str:
    return str(uuid.uuid5(uuid.UUID(guid), what))


# -- export ----------------------------------------------------------------------------

def _codes_element(parent: ET.Element, rows, note_refs: dict[int, list[str]], ns: str) -> None:
    children: dict[int | None, list] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)

    def add(into: ET.Element, parent_id: int | None) -> None:
        for r in children.get(parent_id, []):
            attrs = {"guid": r.guid, "name": r.name, "isCodable": "true"}
            if r.colour:
                attrs["color"] = r.colour
            el = ET.SubElement(into, f"{{{ns}}}Code", attrs)
            if r.description:
                ET.SubElement(el, f"{{{ns}}}Description").text = r.description
            for g in note_refs.get(r.id, []):
                ET.SubElement(el, f"{{{ns}}}NoteRef", {"targetGUID": g})
            add(el, r.id)

    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    add(codes, None)


def codebook_xml(study: Study) -> bytes:
    """The codebook as a ``.qdc`` document."""
    with study.engine.connect() as connection:
        rows = code_rows(connection)
    if not rows:
        raise SyrmakError("the codebook is empty; a .qdc needs at least one code.",
                          "add codes first.", code="empty-codebook")
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": "syrmak"})
    _codes_element(root, rows, {}, CODEBOOK_NS)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    _check(data, "codebook")
    return data


def _check(data: bytes, kind: str) -> None:
    errors = validate(data, kind)
    if errors:  # a bug in syrmak, not the user's doing; say so plainly
        raise SyrmakError(f"the exported {kind} does not validate: {errors[0]}",
                          "please report this as a bug.", code="export-invalid")


def project_xml(study: Study, target: str = "standard", redacted: bool = False
                ) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` document and the source texts by file name; selection positions
    counted as ``target`` (a program of ``positions.CONVENTIONS``) counts them. ``redacted``:
    the sources with their accepted redactions replaced (``privacy.redaction``), and each
    selection moved onto the redacted text."""
    from syrmak.privacy import redaction

    conv = convention(target)
    n = lambda tag: f"{{{PROJECT_NS}}}{tag}"  # noqa: E731
    d, k, m, v, r = (schema.documents, schema.codings, schema.memos, schema.document_variables,
                     schema.respondents)
    with study.engine.connect() as connection:
        rows = code_rows(connection)
        docs = connection.execute(sa.select(d, r.c.number).outerjoin(
            r, r.c.id == d.c.respondent_id).order_by(d.c.id)).all()
        codings = connection.execute(sa.select(k).order_by(k.c.document_id, k.c.start_offset,
                                                           k.c.id)).all()
        memos = connection.execute(sa.select(m).order_by(m.c.id)).all()
        variables = connection.execute(sa.select(v).order_by(v.c.document_id, v.c.name)).all()
        style = redaction.style(study) if redacted else None
        replaced = {x.id: redaction.replacements(connection, x.id, 0, len(x.text), x.text, style)
                    for x in docs} if redacted else {}
    code_guid = {x.id: x.guid for x in rows}
    users: dict[str, str] = {}

    def user(name: str) -> str:
        users.setdefault(name, coder_guid(name))
        return users[name]

    for c in codings:
        user(c.coder)
    for x in memos:
        user(x.author)
    for x in docs:
        user(x.created_by)

    ET.register_namespace("", PROJECT_NS)
    # The origin names the convention too, so that syrmak (or anyone reading origin as
    # syrmak does) reads the positions back the way they were written.
    origin = "syrmak" if target == "standard" else f"syrmak for {conv.label}"
    root = ET.Element(n("Project"), {"name": study.title if _has_title(study) else "syrmak",
                                     "origin": origin, "creationDateTime": _time(None)})
    users_el = ET.SubElement(root, n("Users"))
    for name, guid in sorted(users.items()):
        ET.SubElement(users_el, n("User"), {"guid": guid, "name": name})

    code_notes: dict[int, list[str]] = {}
    for x in memos:
        if x.code_id is not None and x.coding_id is None:
            code_notes.setdefault(x.code_id, []).append(x.guid)
    if rows:
        _codes_element(ET.SubElement(root, n("CodeBook")), rows, code_notes, PROJECT_NS)

    var_types: dict[str, str] = {}
    for x in variables:
        var_types.setdefault(x.name, x.type)
    var_guid = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"syrmak:variable:{name}"))
                for name in var_types}
    if var_types:
        vars_el = ET.SubElement(root, n("Variables"))
        for name, kind in var_types.items():
            ET.SubElement(vars_el, n("Variable"), {"guid": var_guid[name], "name": name,
                                                   "typeOfVariable": _TYPES[kind]})
    cases: dict[int, list[str]] = {}
    for x in docs:
        if x.number is not None:
            cases.setdefault(x.number, []).append(x.guid)
    if cases:
        cases_el = ET.SubElement(root, n("Cases"))
        for number, guids in sorted(cases.items()):
            case = ET.SubElement(cases_el, n("Case"), {
                "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"syrmak:{study.id}:case:{number}")),
                "name": f"Respondent {number}"})
            for g in guids:
                ET.SubElement(case, n("SourceRef"), {"targetGUID": g})

    memo_by = {"document": {}, "coding": {}}
    for x in memos:
        if x.coding_id is not None:
            memo_by["coding"].setdefault(x.coding_id, []).append(x.guid)
        elif x.document_id is not None:
            memo_by["document"].setdefault(x.document_id, []).append(x.guid)
    by_doc: dict[int, list] = {}
    for c in codings:
        by_doc.setdefault(c.document_id, []).append(c)
    vars_by_doc: dict[int, list] = {}
    for x in variables:
        vars_by_doc.setdefault(x.document_id, []).append(x)
    files: dict[str, str] = {}
    if docs:
        sources = ET.SubElement(root, n("Sources"))
    for x in docs:
        file_name = f"{x.guid}.txt"
        found = replaced.get(x.id, [])
        text = redaction.apply(x.text, found)
        files[file_name] = text
        src = ET.SubElement(sources, n("TextSource"), {
            "guid": x.guid, "name": x.name, "plainTextPath": f"internal://{file_name}",
            "creatingUser": user(x.created_by), "creationDateTime": _time(x.created_at)})
        positions = Positions(text, conv)
        for c in by_doc.get(x.id, []):
            start = redaction.shift(found, c.start_offset)
            end = redaction.shift(found, c.end_offset, end=True)
            attrs = {"guid": c.guid,
                     "startPosition": str(positions.from_code_point(start)),
                     "endPosition": str(positions.from_code_point(end)),
                     "creatingUser": user(c.coder),
                     "creationDateTime": _time(c.created_at)}
            if c.weight is not None:
                attrs["name"] = f"weight={c.weight}"
            sel = ET.SubElement(src, n("PlainTextSelection"), attrs)
            if c.comment:
                ET.SubElement(sel, n("Description")).text = c.comment
            coding = ET.SubElement(sel, n("Coding"), {
                "guid": _derived(c.guid, "coding"), "creatingUser": user(c.coder),
                "creationDateTime": _time(c.created_at)})
            ET.SubElement(coding, n("CodeRef"), {"targetGUID": code_guid[c.code_id]})
            for g in memo_by["coding"].get(c.id, []):
                ET.SubElement(sel, n("NoteRef"), {"targetGUID": g})
        for g in memo_by["document"].get(x.id, []):
            ET.SubElement(src, n("NoteRef"), {"targetGUID": g})
        for var in vars_by_doc.get(x.id, []):
            value = ET.SubElement(src, n("VariableValue"))
            ET.SubElement(value, n("VariableRef"), {"targetGUID": var_guid[var.name]})
            tag = _VALUE_TAGS[_TYPES[var.type]]
            text = var.value
            if var.type == "boolean" and text is not None:
                text = "true" if text.lower() in ("true", "1", "yes") else "false"
            if text is not None:
                ET.SubElement(value, n(tag)).text = text
            else:
                ET.SubElement(value, n("TextValue")).text = ""
    if memos:
        notes = ET.SubElement(root, n("Notes"))
        for x in memos:
            attrs = {"guid": x.guid, "creatingUser": user(x.author),
                     "creationDateTime": _time(x.created_at)}
            if x.title:
                attrs["name"] = x.title
            note = ET.SubElement(notes, n("Note"), attrs)
            ET.SubElement(note, n("PlainTextContent")).text = x.text
    for x in memos:
        if x.document_id is None and x.code_id is None and x.coding_id is None:
            ET.SubElement(root, n("NoteRef"), {"targetGUID": x.guid})
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    _check(data, "project")
    return data, files


def _has_title(study: Study) -> bool:
    try:
        return bool(study.title)
    except SyrmakError:
        return False


@dataclass(frozen=True)
class Exported:
    path: Path
    sources: int
    codes: int
    codings: int
    positions: str  # the program whose way of counting positions the file uses

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])


def export_qdpx(study: Study, path: str | Path, target: str = "standard",
                redacted: bool = False) -> Exported:
    """Write the study's documents, codebook, codings, coders, variables and memos, with
    selection positions counted as ``target`` counts them (default: the standard's code
    points; ``'nvivo'``: UTF-16 code units; see ``positions.CONVENTIONS``). ``redacted``:
    the documents' text with the accepted redactions replaced, codings moved to match
    (memos, comments and variables are written as stored)."""
    data, files = project_xml(study, target, redacted)
    path = Path(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", data)
        for name, text in files.items():
            archive.writestr(f"sources/{name}", text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())
    root = ET.fromstring(data)
    count = lambda tag: len(root.findall(f".//{{{PROJECT_NS}}}{tag}"))  # noqa: E731
    study.log("export-qdpx", {"file": path.name, "sources": len(files), "positions": target,
                              "redacted": redacted})
    return Exported(path, len(files), count("Code"), count("PlainTextSelection"), target)


def export_qdc(study: Study, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(codebook_xml(study))
    return path


# -- import ----------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    found = _children(el, name)
    return found[0] if found else None


def _parse_xml(data: bytes, file: str) -> ET.Element:
    # Files come from other people's machines. defusedxml refuses entity declarations: an
    # external entity could read a local file into the study, a nested one exhaust memory,
    # and no QDA program writes either.
    try:
        return SafeET.fromstring(data)
    except ET.ParseError as exc:
        raise SyrmakError(f"the file is not well-formed XML: {exc}.",
                          "export it again from the QDA program.", code="bad-qdpx",
                          file=file) from exc
    except defusedxml.DefusedXmlException as exc:
        raise SyrmakError("the file declares XML entities, which REFI-QDA files never use "
                          "and which can read local files or exhaust memory; nothing was "
                          "imported.", "export it again from the QDA program; do not import "
                          "a file of unknown origin.", code="bad-qdpx", file=file) from exc


def _bad(message: str, file: str) -> SyrmakError:
    return SyrmakError(message, "export it again from the QDA program, or report which "
                       "program wrote it.", code="bad-qdpx", file=file)


def _code_tree(codes_el: ET.Element | None, file: str) -> list[tuple]:
    """(guid, name, parent guid, description, colour, note guids) in tree order."""
    out: list[tuple] = []

    def walk(el: ET.Element, parent: str | None) -> None:
        for code in _children(el, "Code"):
            if not code.get("guid") or not code.get("name"):
                raise _bad("a Code has no guid or no name.", file)
            try:
                guid = _guid(code.get("guid"))
            except ValueError as exc:
                raise _bad(f"the code '{code.get('name')}' has a malformed guid.", file) from exc
            description = _child(code, "Description")
            colour = code.get("color")
            if colour and len(colour) == 4:  # #RGB -> #RRGGBB
                colour = "#" + "".join(ch * 2 for ch in colour[1:])
            notes = [_guid(x.get("targetGUID")) for x in _children(code, "NoteRef")
                     if x.get("targetGUID")]
            out.append((guid, code.get("name").replace("/", "∕"), parent,
                        description.text if description is not None else None,
                        colour.upper() if colour else None, notes))
            walk(code, guid)

    if codes_el is not None:
        walk(codes_el, None)
    return out


def _store_codes(study: Study, connection: sa.Connection, tree: list[tuple],
                 actor: str | None, notes: dict | None = None) -> dict[str, int]:
    """Codes by guid -> id; a code already in the study (same guid, else same path) is reused."""
    from syrmak.qual.codebook import _add_memo, _create

    rows = code_rows(connection)
    by_guid = {r.guid: r.id for r in rows}
    by_path = {p: i for i, p in code_paths(rows).items()}
    paths: dict[str, str] = {}
    out: dict[str, int] = {}
    for guid, name, parent, description, colour, note_guids in tree:
        path = name if parent is None else f"{paths[parent]}/{name}"
        paths[guid] = path
        if guid in by_guid:
            out[guid] = by_guid[guid]
            continue
        if path in by_path:
            out[guid] = by_path[path]
            continue
        out[guid] = _create(study, connection, name, out[parent] if parent else None,
                            description, colour, None, actor, guid=guid)
        by_path[path] = out[guid]
        for g in note_guids:
            if notes and g in notes:
                _add_memo(connection, notes[g]["text"], notes[g]["author"], title=notes[g]["title"],
                          code_id=out[guid], guid=g, created_at=notes[g]["at"])
                notes[g]["used"] = True
    return out


def import_qdc(study: Study, path: str | Path, actor: str | None = None):
    """Add the codes of a REFI-QDA codebook (``.qdc``)."""
    from syrmak.qual.codebook import codebook

    path = Path(path)
    root = _parse_xml(_read(path), path.name)
    if _local(root.tag) != "CodeBook":
        raise _bad(f"the root element is {_local(root.tag)}, not CodeBook.", path.name)
    tree = _code_tree(_child(root, "Codes"), path.name)
    with study.engine.begin() as connection:
        _store_codes(study, connection, tree, actor)
        study.log("import-qdc", {"file": path.name, "codes": len(tree)}, actor, connection)
    return codebook(study)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SyrmakError(f"cannot read {path}: {exc.strerror}.", "check the path.",
                          code="no-file", file=str(path)) from exc


@dataclass(frozen=True)
class Imported:
    """What an import stored, and, one line each, what the file holds that it did not."""

    sources: int
    codes: int
    codings: int
    notes: int  # memos made: the file's notes, comments of uncoded quotations, descriptions
    not_imported: tuple[str, ...]
    positions: str = "standard"  # whose way of counting selection positions was read

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{k: v for k, v in self.__dict__.items() if k != "not_imported"}])


def _when(value: str | None):
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ref(value: str | None) -> str | None:
    """A reference's GUID, normalised; None when missing or malformed (it matches nothing)."""
    try:
        return _guid(value) if value else None
    except ValueError:
        return None


def _text(el: ET.Element | None) -> str | None:
    return el.text if el is not None and el.text and el.text.strip() else None


def _source_text(src: ET.Element, archive: zipfile.ZipFile | None, names: dict[str, str],
                 file: str) -> str | None:
    """A source's (or note's) plain text; None when a bare .qde does not hold it."""
    inline = _child(src, "PlainTextContent")
    if inline is not None and inline.text is not None:
        return inline.text
    ref = src.get("plainTextPath")
    if not ref:
        raise _bad(f"the source '{src.get('name')}' has neither text nor plainTextPath.", file)
    if archive is None:
        return None
    base = ref.split("://", 1)[-1].replace("\\", "/")
    candidates = [base, f"sources/{base}", base.rsplit("/", 1)[-1],
                  f"sources/{base.rsplit('/', 1)[-1]}"]
    for c in candidates:
        if c.lower() in names:
            data = archive.read(names[c.lower()])
            try:
                return data.decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise _bad(f"the source file {c} is not UTF-8 text.", file) from exc
    raise _bad(f"the source file '{ref}' of '{src.get('name')}' is not in the archive.", file)


def _open_project(path: Path) -> tuple[ET.Element, zipfile.ZipFile | None, dict[str, str]]:
    """The Project element, the archive (None for a bare .qde) and its file names."""
    data = _read(path)
    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise SyrmakError("the .qdpx (a zip archive) is damaged.",
                              "export the project again as REFI-QDA .qdpx.", code="bad-qdpx",
                              file=path.name) from exc
        names = {i.filename.replace("\\", "/").lower(): i.filename
                 for i in archive.infolist() if not i.is_dir()}
        qde = next((names[n] for n in names if n.rsplit("/", 1)[-1].endswith(".qde")), None)
        if qde is None:
            raise _bad("the archive holds no project.qde.", path.name)
        root = _parse_xml(archive.read(qde), path.name)
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or data[:2] in (b"\xff\xfe",
                                                                                b"\xfe\xff"):
        # A bare project.qde: programs export one (the REFI test set ships one), and it holds
        # the codebook, users, notes and sets even though the sources' texts are elsewhere.
        archive, names = None, {}
        root = _parse_xml(data, path.name)
    else:
        raise SyrmakError("the file is not a .qdpx (a zip archive), nor a .qde (REFI-QDA "
                          "XML).", "export the project again as REFI-QDA .qdpx.",
                          code="bad-qdpx", file=path.name)
    if _local(root.tag) != "Project":
        raise _bad(f"the root element is {_local(root.tag)}, not Project.", path.name)
    return root, archive, names


_KINDS = {"Integer": "integer", "Float": "float", "Boolean": "boolean", "Date": "date",
          "DateTime": "date"}

#: An ATLAS.ti document group named like an attribute ("gender: male", "age::67").
_ATTRIBUTE_SET = re.compile(r"\s*([^:]+?)\s*::?\s*([^:\s].*?)\s*")


def _variable_value(value: ET.Element, variables: dict) -> tuple[str, str | None, str] | None:
    """(name, value, syrmak type) of a VariableValue; None when its Variable is unknown."""
    ref = _child(value, "VariableRef")
    target = _ref(ref.get("targetGUID")) if ref is not None else None
    if target not in variables:
        return None
    name, var_type = variables[target]
    content = next((c for c in value if _local(c.tag) != "VariableRef"), None)
    raw = content.text if content is not None else None
    return name, raw or None, _KINDS.get(var_type, "text") if raw else "text"


def _label(el: ET.Element) -> str:
    return f"{_local(el.tag)} '{el.get('name') or el.get('guid') or '?'}'"


def import_qdpx(study: Study, path: str | Path, actor: str | None = None, *,
                positions: str | None = None) -> Imported:
    """Read a REFI-QDA project (a ``.qdpx``, or a bare ``.qde`` without its sources): text
    sources, codebook, codings, users, variables, cases, sets and notes.

    Selection positions are read the way the program that wrote the file counts them,
    known from the Project's ``origin`` (NVivo: UTF-16 code units), or as ``positions``
    says (a program of ``positions.CONVENTIONS``). Whatever the file holds that syrmak has
    no place for (non-text sources, links, graphs, code sets, sources a bare ``.qde`` lacks,
    ...) is listed, one line each, in ``not_imported``.
    """
    from syrmak.qual.codebook import _add_memo
    from syrmak.qual.coding import insert_codings
    from syrmak.qual.documents import _RESERVED, ParsedText, _insert, _set_variable
    from syrmak.study import default_actor

    path = Path(path)
    file = path.name
    root, archive, names = _open_project(path)
    origin = root.get("origin")
    conv = convention(positions) if positions else for_origin(origin)
    fallback = actor or default_actor()
    missing: list[str] = []  # what is not imported, in the file's order

    def grandchildren(parent: str, name: str) -> list[ET.Element]:
        el = _child(root, parent)
        return _children(el, name) if el is not None else []

    users = {_ref(u.get("guid")): u.get("name") or u.get("id") or u.get("guid")
             for u in grandchildren("Users", "User") if _ref(u.get("guid"))}

    def who(*guids: str | None) -> str:
        return next((users[g] for g in map(_ref, guids) if g in users), fallback)

    notes: dict[str, dict] = {}
    for note in grandchildren("Notes", "Note"):
        content = _child(note, "PlainTextContent")
        text = content.text if content is not None else None
        if text is None and note.get("plainTextPath"):
            text = _source_text(note, archive, names, file)
        if text is None and note.get("plainTextPath"):
            missing.append(f"{_label(note)}: its text ({note.get('plainTextPath')}) is not "
                           "in a bare .qde; import the .qdpx that holds it")
            continue
        # A note's Description summarises it (ATLAS.ti: "day to day log"); it goes first
        # rather than being lost.
        text = "\n\n".join(t for t in (_text(_child(note, "Description")), _text_or(text)) if t)
        if not text:
            missing.append(f"{_label(note)}: it is empty")
            continue
        for _ in _children(note, "PlainTextSelection"):
            missing.append(f"{_label(note)}: the text selection it annotates (the note is "
                           "kept as a memo without it)")
        notes[_ref(note.get("guid")) or new_guid()] = {
            "text": text, "author": who(note.get("creatingUser"), note.get("modifyingUser")),
            "title": (note.get("name") or "")[:255] or None, "at": _when(note.get("creationDateTime")),
            "used": False}

    variables = {}
    for var in grandchildren("Variables", "Variable"):
        if _ref(var.get("guid")):
            variables[_ref(var.get("guid"))] = (var.get("name"), var.get("typeOfVariable"))
        if _text(_child(var, "Description")):
            missing.append(f"{_label(var)}: its description (syrmak's variables have none)")
    codebook_el = _child(root, "CodeBook")
    tree = _code_tree(_child(codebook_el, "Codes") if codebook_el is not None else None, file)
    known_codes = {t[0] for t in tree}

    case_of: dict[str, str] = {}
    case_values: dict[str, list[tuple]] = {}  # source guid -> its case's variable values
    for case in grandchildren("Cases", "Case"):
        values = [_variable_value(v, variables) for v in _children(case, "VariableValue")]
        if None in values:
            missing.append(f"{_label(case)}: {values.count(None)} variable value(s) of an "
                           "undeclared Variable")
        refs = [g for g in (_ref(x.get("targetGUID")) for x in _children(case, "SourceRef"))
                if g]
        for g in refs:
            case_of[g] = case.get("name") or ""
            case_values.setdefault(g, []).extend(v for v in values if v)
        if values and not refs:
            missing.append(f"{_label(case)}: its variables (no source belongs to the case)")
        if _text(_child(case, "Description")):
            missing.append(f"{_label(case)}: its description")
        others = len(_children(case, "CodeRef")) + len(_children(case, "SelectionRef"))
        if others:
            missing.append(f"{_label(case)}: {others} code or selection reference(s)")

    n_sources = n_codings = n_memos = 0
    doc_of: dict[str, int] = {}  # source guid -> document id, for sets
    sources_el = _child(root, "Sources")
    with study.engine.begin() as connection:

        def memo(text: str, author: str, title: str | None = None, guid: str | None = None,
                 at=None, **target) -> None:
            nonlocal n_memos
            _add_memo(connection, text, author, title=title, guid=guid, created_at=at,
                      **target)
            n_memos += 1

        def attach(guids, **target) -> None:
            """Store the referred notes as memos on ``target``, each once."""
            for g in guids:
                note = notes.get(g)
                if note and not note["used"]:
                    memo(note["text"], note["author"], note["title"], g, note["at"], **target)
                    note["used"] = True

        def note_refs(el: ET.Element) -> list[str]:
            return [g for g in (_ref(x.get("targetGUID")) for x in _children(el, "NoteRef"))
                    if g]

        code_ids = _store_codes(study, connection, tree, actor, notes)
        n_memos += sum(1 for x in notes.values() if x["used"])
        numbers = set(connection.execute(sa.select(schema.respondents.c.number)).scalars())
        for src in list(sources_el) if sources_el is not None else []:
            kind = _local(src.tag)
            if kind != "TextSource":
                missing.append(f"{_label(src)} (only text sources are imported)")
                continue
            text = _source_text(src, archive, names, file)
            if text is None:
                n_sel = len(_children(src, "PlainTextSelection"))
                lost = f", nor are its {n_sel} selection(s)" if n_sel else ""
                missing.append(f"{_label(src)}: its text ({src.get('plainTextPath')}) is not in "
                               f"a bare .qde{lost}; import the .qdpx that holds its sources")
                continue
            guid = _ref(src.get("guid")) or new_guid()
            own = guid
            if connection.execute(sa.select(schema.documents.c.id)
                                  .where(schema.documents.c.guid == guid)).first():
                guid = new_guid()  # the same project imported twice into one study
            name = src.get("name") or guid
            case = case_of.get(own, "")
            match = re.fullmatch(r"Respondent (\d+)", case)
            respondent = int(match.group(1)) if match and int(match.group(1)) in numbers else None
            doc_id = _insert(study, connection, name=name, kind="qdpx",
                             parsed=ParsedText(text), respondent=respondent, question=None,
                             source_name=file, source_bytes=None,
                             actor=who(src.get("creatingUser")), guid=guid)
            doc_of[own] = doc_id
            n_sources += 1
            if case and respondent is None:
                _set_variable(study, connection, doc_id, "case", case, "text", actor)
            if description := _text(_child(src, "Description")):
                memo(description, who(src.get("creatingUser")), "Description",
                     document_id=doc_id)
            all_selections = _children(src, "PlainTextSelection")
            selections = [(s, int(s.get("startPosition")), int(s.get("endPosition")))
                          for s in all_selections
                          if _is_int(s.get("startPosition")) and _is_int(s.get("endPosition"))]
            if len(selections) != len(all_selections):
                raise _bad(f"a selection in '{name}' has no integer start/end position.", file)
            counted = Positions(text, conv)
            whole = [(src, 0, len(text))] if _children(src, "Coding") else []
            items, memo_links, bare = [], [], 0
            for sel, start, end in selections + whole:
                desc = _text(_child(sel, "Description")) if sel is not src else None
                weight_match = _WEIGHT.match(sel.get("name") or "") if sel is not src else None
                codings = _children(sel, "Coding")
                if not codings:
                    # An uncoded quotation (ATLAS.ti keeps them): its comment and notes become
                    # memos on the document, titled with where the quotation is.
                    begin, stop = _span(sel, start, end, counted, name, origin, file)
                    title = f"Quotation {begin}-{stop}" + (f": {sel.get('name')}"
                                                          if sel.get("name") else "")
                    author = who(sel.get("creatingUser"))
                    if desc:
                        memo(desc, author, title[:255], at=_when(sel.get("creationDateTime")),
                             document_id=doc_id)
                    attach(note_refs(sel), document_id=doc_id)
                    bare += not desc and not note_refs(sel)
                    continue
                for coding in codings:
                    ref = _child(coding, "CodeRef")
                    target = _ref(ref.get("targetGUID")) if ref is not None else None
                    if target not in known_codes:
                        raise _bad(f"a coding in '{name}' refers to a code that is not in the "
                                   f"codebook ({target}).", file)
                    own_guid = sel.get("guid") if len(codings) == 1 and sel is not src else \
                        coding.get("guid")
                    # Converted after the code check, so a dangling CodeRef is named as such.
                    begin, stop = (start, end) if sel is src else _span(
                        sel, start, end, counted, name, origin, file)
                    items.append({
                        "document": doc_id, "code": code_ids[target], "start": begin,
                        "end": stop, "coder": who(coding.get("creatingUser"),
                                                  sel.get("creatingUser")),
                        "weight": int(weight_match.group(1)) if weight_match else None,
                        "comment": desc, "guid": _ref(own_guid),
                        "created_at": _when(coding.get("creationDateTime"))})
                    memo_links.append((note_refs(sel) if sel is not src else [])
                                      + note_refs(coding))
            if bare:
                missing.append(f"{_label(src)}: {bare} quotation(s) without a code, comment "
                               "or note (syrmak keeps only coded segments)")
            try:
                ids = insert_codings(study, connection, items, actor)
            except SyrmakError as exc:
                raise SyrmakError(f"'{name}': {exc.message}", exc.hint, code="bad-qdpx",
                                  file=file) from exc
            n_codings += len(ids)
            for coding_id, links in zip(ids, memo_links, strict=True):
                attach(links, coding_id=coding_id)
            attach(note_refs(src), document_id=doc_id)
            own_values = [_variable_value(v, variables) for v in _children(src, "VariableValue")]
            if None in own_values:
                missing.append(f"{_label(src)}: {own_values.count(None)} variable value(s) "
                               "of an undeclared Variable")
            own_names = {v[0] for v in own_values if v}
            # The case's variables first, so the source's own values win.
            for var_name, raw, kind_ in [v for v in case_values.get(own, [])
                                         if v[0] not in own_names] + [v for v in own_values if v]:
                _set_variable(study, connection, doc_id, var_name, raw, kind_, actor)

        _store_sets(study, connection, grandchildren("Sets", "Set"), doc_of, known_codes,
                    missing, actor, _RESERVED)
        if description := _text(_child(root, "Description")):
            memo(description, who(root.get("creatingUserGUID")), "Project description")
        attach(note_refs(root))
        for link in grandchildren("Links", "Link"):
            missing.append(f"{_label(link)} between two items (syrmak has no links)")
        for graph in grandchildren("Graphs", "Graph"):
            missing.append(f"{_label(graph)} (syrmak has no graphs)")
        # Free-standing notes (ATLAS.ti's memos), and notes whose item was not imported:
        # memos on the study, rather than lost.
        for g, note in notes.items():
            if not note["used"]:
                memo(note["text"], note["author"], note["title"], g, note["at"])
                note["used"] = True
        study.log("import-qdpx", {"file": file, "sources": n_sources, "codings": n_codings,
                                  "notes": n_memos, "positions": conv.name,
                                  "not_imported": len(missing)}, actor, connection)
    return Imported(n_sources, len(tree), n_codings, n_memos, tuple(missing), conv.name)


def _span(sel: ET.Element, start: int, end: int, positions: Positions, name: str,
          origin: str | None, file: str) -> tuple[int, int]:
    """A selection's positions, counted in the file's convention, as code points."""
    begin, stop = positions.to_code_point(start), positions.to_code_point(end)
    if begin is None or stop is None or begin >= stop:
        conv = positions.conv
        raise SyrmakError(
            f"the selection {start}-{end} ({sel.get('guid')}) does not fit '{name}': its "
            f"text has {positions.units} positions, counted as {conv.label} counts them "
            f"({conv.unit}), and a selection must start before it ends, never inside a "
            "character.",
            f"the file says it was written by '{origin or 'an unnamed program'}'; if that "
            "program counts positions differently, import with --from PROGRAM (one of "
            f"{', '.join(CONVENTIONS)}); otherwise export the project again.",
            code="bad-qdpx", file=file, value=(start, end))
    return begin, stop


def _text_or(value: str | None) -> str | None:
    return value if value and value.strip() else None


def _store_sets(study: Study, connection: sa.Connection, sets: list[ET.Element],
                doc_of: dict[str, int], known_codes: set[str], missing: list[str],
                actor: str | None, reserved: tuple[str, ...]) -> None:
    """Sets of sources as document variables: ATLAS.ti's attribute groups ("gender: male")
    as the variable ``gender`` = ``male`` (integer when every value is), other groups as a
    boolean variable named after the set, true for its members and false for the other
    imported documents. Sets of codes and notes have no place in syrmak and are listed."""
    from syrmak.qual.documents import _set_variable

    attributes: dict[str, dict[int, str]] = {}  # variable -> document id -> value
    groups: list[tuple[str, list[int]]] = []
    for group in sets:
        label = _label(group)
        members = [g for g in (_ref(x.get("targetGUID"))
                               for x in _children(group, "MemberSource")) if g]
        docs = [doc_of[g] for g in members if g in doc_of]
        codes = [x for x in _children(group, "MemberCode") if _ref(x.get("targetGUID"))
                 in known_codes]
        if codes:
            missing.append(f"{label}: a group of {len(codes)} codes (syrmak has no code "
                           "groups; the codes are imported)")
        if _children(group, "MemberNote"):
            missing.append(f"{label}: a group of {len(_children(group, 'MemberNote'))} notes "
                           "(syrmak has no memo groups; the notes are imported)")
        if _text(_child(group, "Description")):
            missing.append(f"{label}: its description")
        if members and not docs:
            missing.append(f"{label}: none of its source(s) ({len(members)}) was imported")
        if not (members or codes or _children(group, "MemberNote")):
            missing.append(f"{label}: it is empty")
        if not docs:
            continue
        name = group.get("name") or ""
        match = _ATTRIBUTE_SET.fullmatch(name)
        if match and match.group(1) not in reserved:
            values = attributes.setdefault(match.group(1), {})
            for doc in docs:
                if values.setdefault(doc, match.group(2)) != match.group(2):
                    missing.append(f"{label}: a document already has {match.group(1)} = "
                                   f"{values[doc]}, which was kept")
        elif name and len(name) <= 255 and name not in reserved:
            groups.append((name, docs))
        else:
            missing.append(f"{label}: its name cannot be a document variable")
    for variable, values in attributes.items():
        kind = "integer" if all(re.fullmatch(r"-?\d+", v) for v in values.values()) \
            else "text"
        for doc, value in values.items():
            _set_variable(study, connection, doc, variable, value, kind, actor)
    imported = sorted(set(doc_of.values()))
    for name, docs in groups:
        for doc in imported:
            _set_variable(study, connection, doc, name, doc in docs, "boolean", actor)


def _is_int(value: str | None) -> bool:
    return value is not None and re.fullmatch(r"\s*-?\d+\s*", value) is not None
