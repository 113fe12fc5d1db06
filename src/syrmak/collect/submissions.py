"""OpenRosa submissions: parsed with a hardened parser, checked against their form version,
stored as one respondent each, personal answers sealed at the door.

Nothing from a submission is stored as it came: the XML is parsed in memory, its
non-personal answers go to the answer arrays, its personal-data answers (and any
contact-looking text typed elsewhere) are sealed to the study's public key, and the XML
itself is dropped. No address, user agent or device id is read or kept.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from syrmak.errors import SyrmakError
from syrmak.privacy import detect
from syrmak.store import db, schema
from syrmak.store.vault import ContactValue
from syrmak.survey.instrument import Question, Questionnaire

if TYPE_CHECKING:
    from syrmak.study import Study

#: Limits a submission must keep (a questionnaire of a few hundred questions is far below).
MAX_XML_BYTES = 512 * 1024
MAX_ELEMENTS = 5000
MAX_DEPTH = 16
MAX_FIELD_CHARS = 20_000
MAX_KEY = 128

#: The SyrmakError code of each refusal, and the HTTP status the OpenRosa route answers.
STATUS = {
    "submission-too-large": 413,
    "bad-submission": 400,
    "unknown-form": 404,
    "form-closed": 403,
    "duplicate-submission": 409,
    "no-consent": 403,
    "coupon-used": 410,
    "coupon-expired": 410,
}

_INTEGER = re.compile(r"-?\d{1,18}")


@dataclass(frozen=True)
class Receipt:
    """What the server acknowledges (no answer in it)."""

    respondent: int
    instance_id: str
    form_version: int
    contacts_sealed: int


@dataclass(frozen=True)
class Parsed:
    form_id: str
    version: str
    instance_id: str
    answers: dict  # question -> stored value (None: not answered)
    personal: dict  # question -> text for the vault
    held: dict  # question -> (kind, text): contact-looking text of a non-personal question


def _refuse(message: str, hint: str, code: str = "bad-submission", **where) -> SyrmakError:
    return SyrmakError(message, hint, code=code, **where)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xml(data: bytes):
    """The submission's root element; no DTD, no entity, nothing fetched, bounded in size."""
    if len(data) > MAX_XML_BYTES:
        raise _refuse(f"the submission is larger than {MAX_XML_BYTES // 1024} KiB.",
                      "a survey answer is a few KiB; send the form's XML only.",
                      "submission-too-large")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _refuse("the submission declares a DTD or entities, which syrmak refuses.",
                      "send the plain XML the form produced.") from exc
    except Exception as exc:  # ParseError and expat errors: the XML is malformed
        raise _refuse("the submission is not well-formed XML.",
                      "send the XML the form produced, unchanged.") from exc
    count = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_ELEMENTS:
            raise _refuse("the submission is nested too deeply or has too many elements.",
                          "send the XML the form produced, unchanged.",
                          "submission-too-large")
        stack.extend((child, depth + 1) for child in element)
    return root


def _value(q: Question, text: str):
    """The stored value of one answer, or a refusal that never echoes the value."""
    if len(text) > MAX_FIELD_CHARS:
        raise _refuse(f"the answer to '{q.name}' is longer than {MAX_FIELD_CHARS} characters.",
                      "shorten the answer.", "submission-too-large", column=q.name)
    text = text.replace("\x00", "").strip()
    if not text:
        return None
    if q.type == "select_one":
        if text not in {c.name for c in q.choices}:
            raise _refuse(f"the answer to '{q.name}' is not one of its choices.",
                          "submit with the published form, which offers only its choices.",
                          column=q.name)
        return text
    if q.type == "select_multiple":
        chosen = text.split()
        names = {c.name for c in q.choices}
        if any(c not in names for c in chosen):
            raise _refuse(f"an answer to '{q.name}' is not one of its choices.",
                          "submit with the published form, which offers only its choices.",
                          column=q.name)
        return " ".join(dict.fromkeys(chosen))
    if q.type == "integer":
        if not _INTEGER.fullmatch(text):
            raise _refuse(f"the answer to '{q.name}' is not a whole number.",
                          "enter digits only, e.g. 12.", column=q.name)
        return int(text)
    if q.type == "decimal":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise _refuse(f"the answer to '{q.name}' is not a number.",
                          "enter a number, e.g. 3.5.", column=q.name)
        return number
    if q.type == "date":
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError as exc:
            raise _refuse(f"the answer to '{q.name}' is not a date.",
                          "dates are sent as 2021-09-15.", column=q.name) from exc
    return text


def parse(form: Questionnaire, root) -> Parsed:
    """Check every field of a submission against its questionnaire."""
    questions = {q.name: q for q in form.answered}
    groups = {s.name.rsplit("/", 1)[-1] for s in form.sections}
    hidden = set(form.hidden_fields)
    notes = {q.name for q in form.questions if not q.has_answer}
    found: dict[str, str] = {}
    instance_id = ""

    def walk(element, path: str) -> None:
        nonlocal instance_id
        for child in element:
            name = _local(child.tag)
            if name == "meta" and path == "":
                for meta in child:
                    if _local(meta.tag) == "instanceID":
                        instance_id = (meta.text or "").strip()
                continue
            if len(child):
                if name not in groups:
                    raise _refuse(f"the submission has a group '{name[:64]}' the form does "
                                  "not have.", "submit with the published form.")
                walk(child, f"{path}/{name}")
            elif name in questions:
                if name in found:
                    raise _refuse(f"the submission answers '{name}' twice.",
                                  "submit with the published form.", column=name)
                found[name] = child.text or ""
            elif name in hidden or name in groups or name in notes:
                continue  # computed by the form (start, end, ...), a note, an empty group
            else:
                raise _refuse(f"the submission has a field '{name[:64]}' the form does not "
                              "have.", "submit with the published form.")

    walk(root, "")
    if not instance_id:
        raise _refuse("the submission has no meta/instanceID.",
                      "every OpenRosa submission names itself in meta/instanceID.")
    key = "uuid:" + instance_id.removeprefix("uuid:")
    if len(key) > MAX_KEY or not key[5:].isprintable():
        raise _refuse("the submission's instanceID is not a valid id.",
                      "use the uuid the form made.")
    answers, personal, held = {}, {}, {}
    for name, q in questions.items():
        value = _value(q, found.get(name, ""))
        if value is None:
            if q.required and not q.relevant:
                raise _refuse(f"question '{name}' is required but has no answer.",
                              "answer it in the form and submit again.", column=name)
            answers.setdefault(name, None)
            continue
        if q.personal_data:
            personal[name] = str(value)
            continue
        if not q.is_select and (kind := detect.contact_kind(found[name])):
            # A contact typed where no contact was asked for is held back, sealed.
            held[name] = (kind, found[name].strip())
            answers[name] = None
            continue
        answers[name] = value
    return Parsed(form.form_id, root.get("version") or "", key, answers, personal, held)


def _form_version(connection: sa.Connection, form_id: str, version: str):
    f = schema.form_versions
    row = connection.execute(sa.select(f.c.number, f.c.questionnaire_id, f.c.closed_at).where(
        f.c.form_id == form_id, f.c.version == version)).first()
    if row is None:
        raise _refuse("the submission is for a form or form version this server does not have.",
                      "download the current form (Get Blank Form) and fill it again.",
                      "unknown-form")
    if row.closed_at is not None:
        raise _refuse("this form version no longer takes answers.",
                      "the survey is closed, or a newer version is published: download it.",
                      "form-closed")
    return row


def receive(study: Study, data: bytes, actor: str = "openrosa",
            session_id: str | None = None) -> Receipt:
    """Store one OpenRosa submission (the XML of ``xml_submission_file``) as a respondent.

    All or nothing, in one writing transaction; a refusal (``SyrmakError`` with one of the
    codes of ``STATUS``) writes nothing. A second submission with the same instanceID is
    refused as a duplicate and changes nothing. ``session_id`` (the browser's survey
    session) links the respondent to their consent and coupon (``coupons.attach``).
    """
    from syrmak.collect import coupons
    from syrmak.collect.forms import questionnaire_of

    root = parse_xml(data)
    form_id, version = root.get("id") or "", root.get("version") or ""
    with study.engine.connect() as connection:
        found = _form_version(connection, form_id, version)
        form = questionnaire_of(connection, found.questionnaire_id)
    parsed = parse(form, root)
    if parsed.personal or parsed.held:
        study.recipient  # noqa: B018 -- fail before writing if the vault cannot seal
    r = schema.respondents
    with db.writer(study.engine, study.id) as connection:
        found = _form_version(connection, form_id, version)  # closed meanwhile?
        if connection.execute(sa.select(r.c.id).where(
                r.c.submission_key == parsed.instance_id)).first() is not None:
            raise _refuse("this submission (its instanceID) was received before; nothing "
                          "changed.", "nothing to do: the answers are stored.",
                          "duplicate-submission")
        number = (connection.execute(sa.select(sa.func.max(r.c.number))).scalar() or 0) + 1
        now = datetime.now(UTC)
        import_id = connection.execute(
            sa.insert(schema.imports).returning(schema.imports.c.id),
            # The hash is of the instanceID, not of the XML: a hash of a body holding a
            # contact would let anyone who guesses the contact confirm it.
            {"file_name": "openrosa", "format": "openrosa",
             "file_sha256": hashlib.sha256(parsed.instance_id.encode()).hexdigest(),
             "questionnaire_id": found.questionnaire_id, "rows_read": 1, "rows_added": 1,
             "imported_at": now,
             "row_key_sets": json.dumps([sorted(parsed.answers)], ensure_ascii=False)},
        ).scalar_one()
        respondent_id = connection.execute(
            sa.insert(r).returning(r.c.id),
            {"number": number, "submission_key": parsed.instance_id, "row_key": None,
             "submitted_at": now, "import_id": import_id, "position": 0}).scalar_one()
        connection.execute(sa.insert(schema.answer_columns), [
            {"import_id": import_id, "question": name,
             "data": json.dumps([value], ensure_ascii=False)}
            for name, value in parsed.answers.items()])
        wave = (coupons.attach(study, connection, session_id, respondent_id)
                if session_id else None)
        sealed = study.seal(connection, [
            *(ContactValue(respondent_id, number, parsed.instance_id, name, value)
              for name, value in parsed.personal.items()),
            *(ContactValue(respondent_id, number, parsed.instance_id, name, text,
                           kind="quarantine", note=f"[online submission, field '{name}']")
              for name, (_, text) in parsed.held.items())])
        study.log("survey-submission", {"respondent": number, "form_version": found.number,
                                        "sealed": sealed, "quarantined": len(parsed.held),
                                        "browser": session_id is not None, "wave": wave},
                  actor, connection)
    return Receipt(number, parsed.instance_id, found.number, sealed)
