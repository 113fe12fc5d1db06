"""Redaction of quotes and documents: proposed, decided by a researcher, applied on output.

A quote naming a colleague, a village or a small organisation can identify its speaker.
``propose`` finds candidates in transcripts and open answers:

* persons, places and organisations in Russian text with natasha's news NER model, which
  ships inside the natasha package (nothing is downloaded);
* Kazakh given names and Kazakhstan's places from a gazetteer (``data/kk_gazetteer.tsv``),
  which natasha misses or splits; a capitalised word right after a given name is taken as
  the surname;
* phones, e-mail addresses, handles and profile links with the linear detectors of
  ``privacy.detect``.

The researcher accepts or rejects each proposal (``decide``). Accepted ones are replaced by
a pseudonym when the study's text is published (``redact``: the report's quotes): "[Person
3]", "[Place 1]", "[Organisation 2]", the same number for the same name across the study
(names are compared by their dictionary form, so "Нурлана" and "Нурлан" are one person).
The stored text is never changed; ``reveal`` shows an original stretch and is audited.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema
from syrmak.text import morph as _morph

if TYPE_CHECKING:
    from syrmak.study import Study

#: natasha's span types -> ours.
NER_KINDS = {"PER": "person", "LOC": "place", "ORG": "organisation"}
CONTACT_KINDS = {"email": "contact", "phone": "contact", "handle": "contact",
                 "link": "contact"}
LABELS = {"person": "Person", "place": "Place", "organisation": "Organisation",
          "contact": "Contact"}
#: Documents whose words may be quoted.
KINDS = ("transcript", "open-answer", "text", "docx", "vtt", "srt")
_WORD = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІA-Z][а-яёәғқңөұүһіa-z]+(?:-[А-ЯЁӘҒҚҢӨҰҮҺІ]?[а-яёәғқңөұүһі]+)?")


@dataclass(frozen=True)
class Proposal:
    id: int
    document: str
    start: int
    end: int
    kind: str
    source: str
    status: str
    #: The stretch with a few words around it, for the researcher's decision (shown on
    #: their screen only; never logged).
    context: str
    #: What an accepted proposal prints as (its label or substitute name); None otherwise.
    pseudonym: str | None = None


@cache
def _gazetteer() -> dict[str, str]:
    """Stem (lower case) -> kind. A stem drops a final vowel or soft sign, so that Russian
    case endings (Нурлана, Караганде, Кызылорду) still match."""
    text = resources.files("syrmak.privacy").joinpath("data/kk_gazetteer.tsv").read_text(
        encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, form = line.split("\t")
        out[_stem(form)] = kind
    return out


def _stem(word: str) -> str:
    word = word.lower()
    return word[:-1] if len(word) > 4 and word[-1] in "аяыиьеуоюй" else word


def _gazetteer_spans(text: str) -> list[tuple[str, int, int]]:
    table = _gazetteer()
    found = []
    words = list(_WORD.finditer(text))
    for i, match in enumerate(words):
        word = match.group()
        kind = None
        for cut in (0, 1, 2, 3):  # the form itself, or it with a case ending of 1-3 letters
            if cut and len(word) - cut < 4:
                break
            stem = _stem(word[:len(word) - cut] if cut else word)
            if stem in table:
                kind = table[stem]
                break
        if kind is None:
            continue
        end = match.end()
        if kind == "person" and i + 1 < len(words) and words[i + 1].start() == end + 1:
            end = words[i + 1].end()  # the surname that follows a given name
        found.append((kind, match.start(), end))
    return found


@cache
def _natasha():
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    return Doc, Segmenter(), NewsNERTagger(NewsEmbedding())


def _ner_spans(text: str) -> list[tuple[str, int, int]]:
    doc_type, segmenter, tagger = _natasha()
    doc = doc_type(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    return [(NER_KINDS[s.type], s.start, s.stop) for s in doc.spans if s.type in NER_KINDS]


def find(text: str, sources: tuple[str, ...] = ("natasha", "gazetteer", "pattern")
         ) -> list[tuple[str, int, int, str]]:
    """(kind, start, end, source) of every stretch to propose, overlaps merged (the longer
    wins; natasha's kind wins over the gazetteer's on the same stretch)."""
    from syrmak.privacy import detect

    candidates = []
    if "pattern" in sources:
        candidates += [(CONTACT_KINDS[k], s, e, "pattern") for k, s, e in detect.spans(text)]
    if "natasha" in sources:
        candidates += [(k, s, e, "natasha") for k, s, e in _ner_spans(text)]
    if "gazetteer" in sources:
        candidates += [(k, s, e, "gazetteer") for k, s, e in _gazetteer_spans(text)]
    chosen: list[tuple[str, int, int, str]] = []
    for item in sorted(candidates, key=lambda c: (c[1], -(c[2] - c[1]))):
        if chosen and item[1] < chosen[-1][2]:
            last = chosen[-1]
            if item[2] > last[2]:  # overlapping and reaching further: join them
                chosen[-1] = (last[0], last[1], item[2], last[3])
            continue
        chosen.append(item)
    return chosen




def normal_form(text: str) -> str:
    """The name in the dictionary form of each word, lower case: one key per person."""
    morph = _morph()
    return " ".join(morph.parse(w)[0].normal_form for w in re.findall(r"\w+", text.lower()))


def _key_hash(study_id: str, kind: str, text: str) -> str:
    key = re.sub(r"\W", "", text.lower()) if kind == "contact" else normal_form(text)
    return hashlib.sha256(f"{study_id}\0{kind}\0{key}".encode()).hexdigest()


def propose(study: Study, document: str | int | None = None, actor: str | None = None,
            sources: tuple[str, ...] = ("natasha", "gazetteer", "pattern")) -> int:
    """Store proposals for one document or every quotable one; returns how many are new."""
    from syrmak.qual.lookup import document_row, now

    d, red = schema.documents, schema.redactions
    with study.engine.connect() as connection:
        if document is not None:
            rows = [document_row(connection, document)]
        else:
            rows = connection.execute(sa.select(d.c.id, d.c.name, d.c.text)
                                      .where(d.c.kind.in_(KINDS)).order_by(d.c.id)).all()
    found = [(row.id, item) for row in rows for item in find(row.text, sources)]
    texts = {row.id: row.text for row in rows}
    new = 0
    with db.writer(study.engine, study.id) as connection:
        known = {(r.document_id, r.start_offset, r.end_offset) for r in connection.execute(
            sa.select(red.c.document_id, red.c.start_offset, red.c.end_offset)
            .where(red.c.document_id.in_(texts)))}
        values = [{"document_id": doc, "start_offset": s, "end_offset": e, "kind": kind,
                   "source": source, "status": "proposed", "created_at": now(),
                   "key_hash": _key_hash(study.id, kind, texts[doc][s:e])}
                  for doc, (kind, s, e, source) in found if (doc, s, e) not in known]
        if values:
            connection.execute(sa.insert(red), values)
        new = len(values)
        study.log("redaction-propose", {"documents": len(rows), "proposals": new}, actor,
                  connection)
    return new


def proposals(study: Study, document: str | int | None = None,
              status: str | None = None, kind: str | None = None) -> list[Proposal]:
    """The proposals of one document or all, in document order; ``status`` and ``kind``
    (person, place, organisation, contact) filter them. Accepted ones carry their
    pseudonym, in the study's style."""
    from syrmak.qual.lookup import document_row

    d, red = schema.documents, schema.redactions
    query = sa.select(red, d.c.name, d.c.text).join(d, d.c.id == red.c.document_id)
    chosen = style(study)
    with study.engine.connect() as connection:
        if document is not None:
            query = query.where(red.c.document_id == document_row(connection, document).id)
        if status is not None:
            query = query.where(red.c.status == status)
        if kind is not None:
            query = query.where(red.c.kind == kind)
        rows = connection.execute(query.order_by(red.c.document_id, red.c.start_offset)).all()
        printed: dict[tuple[int, int], str] = {}
        for doc in {r.document_id: r.text for r in rows if r.status == "accepted"}.items():
            for item in replacements(connection, doc[0], 0, len(doc[1]), doc[1], chosen):
                printed[(doc[0], item.start)] = item.text
    return [Proposal(r.id, r.name, r.start_offset, r.end_offset, r.kind, r.source, r.status,
                     _context(r.text, r.start_offset, r.end_offset),
                     printed.get((r.document_id, r.start_offset))
                     if r.status == "accepted" else None) for r in rows]


def _context(text: str, start: int, end: int, around: int = 30) -> str:
    left = text[max(0, start - around):start].split("\n")[-1]
    right = text[end:end + around].split("\n")[0]
    return f"…{left}[[{text[start:end]}]]{right}…"


def decide(study: Study, ids: list[int], accept: bool, actor: str | None = None) -> int:
    """Accept or reject proposals; returns how many changed. Unknown ids change nothing."""
    from syrmak.qual.lookup import now
    from syrmak.study import default_actor

    red = schema.redactions
    with db.writer(study.engine, study.id) as connection:
        present = set(connection.execute(sa.select(red.c.id).where(red.c.id.in_(ids)))
                      .scalars())
        missing = sorted(set(ids) - present)
        if missing:
            raise SyrmakError(f"there is no redaction proposal {missing[0]}.",
                              "list them with 'syrmak redact DIR --list'.",
                              code="unknown-redaction", value=missing[0])
        changed = connection.execute(sa.update(red).where(red.c.id.in_(ids)).values(
            status="accepted" if accept else "rejected", decided_by=actor or default_actor(),
            decided_at=now())).rowcount
        study.log("redaction-decide", {"accepted" if accept else "rejected": sorted(ids)},
                  actor, connection)
    return changed


def _numbers(connection: sa.Connection) -> dict[tuple[str, str], int]:
    """(kind, key hash) -> pseudonym number, in order of first acceptance in the study."""
    red = schema.redactions
    rows = connection.execute(
        sa.select(red.c.kind, red.c.key_hash, sa.func.min(red.c.id).label("first"))
        .where(red.c.status == "accepted").group_by(red.c.kind, red.c.key_hash)
        .order_by("first")).all()
    counters: dict[str, int] = {}
    out = {}
    for row in rows:
        counters[row.kind] = counters.get(row.kind, 0) + 1
        out[(row.kind, row.key_hash)] = counters[row.kind]
    return out


def _genders(connection: sa.Connection) -> dict[str, str]:
    """Person key hash -> gender, read from the person's first accepted mention, so every
    mention of one person gets a substitute of one gender."""
    from syrmak.privacy.pseudonyms import gender

    red = schema.redactions
    first = (sa.select(sa.func.min(red.c.id)).where(red.c.status == "accepted",
                                                    red.c.kind == "person")
             .group_by(red.c.key_hash))
    rows = connection.execute(
        sa.select(red.c.key_hash, sa.func.substr(schema.documents.c.text,
                                                 red.c.start_offset + 1,
                                                 red.c.end_offset - red.c.start_offset))
        .join(schema.documents, schema.documents.c.id == red.c.document_id)
        .where(red.c.id.in_(first))).all()
    return {key: gender(name) for key, name in rows}


#: The ``[privacy] pseudonyms`` settings: numbered labels, or substitute names for persons.
STYLES = ("labels", "names")


def style(study: Study) -> str:
    """The study's choice of pseudonyms (``[privacy] pseudonyms`` in syrmak.toml)."""
    value = study.config.get("privacy", {}).get("pseudonyms", "labels")
    if value not in STYLES:
        raise SyrmakError(f"syrmak.toml, [privacy] pseudonyms: '{value}' is not a kind of "
                          "pseudonym.",
                          'write pseudonyms = "labels" ("[Person 3]") or "names" (a '
                          "substitute name declined like the original).",
                          code="bad-setting", value=value)
    return value


@dataclass(frozen=True)
class Replacement:
    """One accepted redaction inside a stretch of text: ``[start, end)`` of the stretch
    (offsets relative to it) is printed as ``text``."""
    start: int
    end: int
    text: str


def replacements(connection: sa.Connection, document_id: int, start: int, end: int,
                 text: str, pseudonyms: str = "labels") -> list[Replacement]:
    """The accepted redactions within ``text`` (the document's ``[start, end)``), in order."""
    from syrmak.privacy import pseudonyms as names

    red = schema.redactions
    rows = connection.execute(
        sa.select(red.c.start_offset, red.c.end_offset, red.c.kind, red.c.key_hash)
        .where(red.c.document_id == document_id, red.c.status == "accepted",
               red.c.start_offset < end, red.c.end_offset > start)
        .order_by(red.c.start_offset)).all()
    if not rows:
        return []
    numbers = _numbers(connection)
    sexes = _genders(connection) if pseudonyms == "names" else {}
    out: list[Replacement] = []
    for row in rows:
        a, b = max(row.start_offset, start) - start, min(row.end_offset, end) - start
        if out and a < out[-1].end:  # overlapping decisions: the first one covers it
            continue
        number = numbers[(row.kind, row.key_hash)]
        whole = row.start_offset >= start and row.end_offset <= end
        if pseudonyms == "names" and row.kind == "person" and whole:
            label = names.substitute(text[a:b], number, text[:a], sexes.get(row.key_hash))
        else:
            label = f"[{LABELS[row.kind]} {number}]"
        out.append(Replacement(a, b, label))
    return out


def apply(text: str, found: list[Replacement]) -> str:
    """``text`` with the replacements made."""
    for item in reversed(found):  # from the end, so earlier offsets stay valid
        text = text[:item.start] + item.text + text[item.end:]
    return text


def shift(found: list[Replacement], offset: int, end: bool = False) -> int:
    """Where ``offset`` of the original text lands in the redacted one. An offset inside a
    replaced stretch goes to the replacement's start (or, for the ``end`` of a range, its
    end), so a coding that covered part of a name covers all of its pseudonym."""
    delta = 0
    for item in found:
        if offset <= item.start:
            break
        if offset < item.end:
            return item.start + delta + (len(item.text) if end else 0)
        delta += len(item.text) - (item.end - item.start)
    return offset + delta


def redact(connection: sa.Connection, document_id: int, start: int, end: int, text: str,
           pseudonyms: str = "labels") -> str:
    """``text`` (the document's ``[start, end)``) with accepted redactions replaced."""
    return apply(text, replacements(connection, document_id, start, end, text, pseudonyms))


def redacted_document(study: Study, document: str | int) -> tuple[str, str]:
    """(name, whole text with the accepted redactions replaced) of one document, in the
    study's pseudonym style."""
    from syrmak.qual.lookup import document_row

    chosen = style(study)
    with study.engine.connect() as connection:
        row = document_row(connection, document)
        return row.name, redact(connection, row.id, 0, len(row.text), row.text, chosen)


def reveal(study: Study, proposal: int, actor: str | None = None) -> str:
    """The original stretch behind a redaction (audited: who looked at which one)."""
    d, red = schema.documents, schema.redactions
    with study.engine.begin() as connection:
        row = connection.execute(sa.select(red, d.c.text).join(d, d.c.id == red.c.document_id)
                                 .where(red.c.id == proposal)).first()
        if row is None:
            raise SyrmakError(f"there is no redaction proposal {proposal}.",
                              "list them with 'syrmak redact DIR --list'.",
                              code="unknown-redaction", value=proposal)
        study.log("redaction-reveal", {"document": row.document_id, "redaction": proposal},
                  actor, connection)
    return row.text[row.start_offset:row.end_offset]
