"""Documents: files and open answers turned into canonical plain text plus timed segments.

The canonical text is what every offset counts in (Unicode code points). Import normalises
line ends to ``\\n``, drops a byte-order mark and applies NFC, so the same words typed on
Windows or macOS give the same offsets. Transcripts become one paragraph per speaker turn,
written ``Speaker: words``; a segment row covers the words only (not the label) and keeps
the cue's times.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.errors import ErrorList, SyrmakError
from syrmak.privacy import detect
from syrmak.qual.lookup import document_row, new_guid, now
from syrmak.store import schema

if TYPE_CHECKING:
    from syrmak.study import Study

KINDS = ("text", "docx", "vtt", "srt", "transcript")
VARIABLE_TYPES = ("text", "integer", "float", "boolean", "date")


@dataclass(frozen=True)
class Segment:
    """A timed, attributed stretch of a document: [start, end) in code points."""

    position: int
    start: int
    end: int
    speaker: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass(frozen=True)
class ParsedText:
    text: str
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class Document:
    id: int
    name: str
    kind: str
    text: str
    respondent: int | None
    question: str | None
    source_name: str | None
    segments: tuple[Segment, ...]
    variables: tuple[tuple[str, object], ...] = ()
    #: Set when the document was just added: lines that look like contact details.
    warnings: tuple[str, ...] = ()

    @property
    def length(self) -> int:
        return len(self.text)

    def segments_frame(self) -> pd.DataFrame:
        columns = ["position", "speaker", "start_ms", "end_ms", "start", "end", "text"]
        return pd.DataFrame(
            [(s.position, s.speaker, s.start_ms, s.end_ms, s.start, s.end,
              self.text[s.start:s.end]) for s in self.segments], columns=columns)


@dataclass(frozen=True)
class DocumentList:
    rows: tuple[dict, ...]

    def to_frame(self) -> pd.DataFrame:
        columns = ["id", "name", "kind", "length", "respondent", "question", "codings"]
        return pd.DataFrame(list(self.rows), columns=columns)


@dataclass(frozen=True)
class OpenAnswerImport:
    added: tuple[str, ...]
    skipped: int
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"document": list(self.added)})


# -- parsing ---------------------------------------------------------------------------

def canonical(text: str) -> str:
    """The one normal form stored: NFC, ``\\n`` line ends, no BOM, no NUL."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise SyrmakError("the text contains NUL characters; it looks like a binary file.",
                          "import a plain-text, .docx, .vtt or .srt file.", code="bad-document")
    return unicodedata.normalize("NFC", text)


def decode(data: bytes, name: str = "") -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise SyrmakError("cannot tell the text encoding of the file.",
                          "save it as UTF-8 and import it again.", code="bad-encoding", file=name)
    return str(best)


def read_docx(path: Path) -> str:
    """The paragraphs (and table cells) of a .docx, one per line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(str(path))
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append("\t".join(cell.text for cell in row.cells))
    # A damaged .docx fails in whichever layer meets the damage first: the zip (BadZipFile,
    # zlib.error, EOFError), the package (KeyError) or the XML inside (lxml).
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError,
            ValueError, LxmlError) as exc:
        raise SyrmakError("the file is not a readable Word .docx document (damaged or not "
                          f"a .docx: {type(exc).__name__}).",
                          "open it in Word or LibreOffice and save it as .docx (not .doc, "
                          "not renamed).", code="bad-docx", file=path.name) from None
    return "\n".join(lines)


_TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
_CUE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
# A speaker label: a short name, no sentence punctuation, at most four words.
_SPEAKER = re.compile(r"^([^\s:.!?,;][^:.!?;]{0,39}?)\s*:\s+(.*)$", re.S)
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]+)>(.*?)(?:</v>)?$", re.S)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_TURN = [
    # [00:01:02] Name: words   or   00:01:02 Name: words
    re.compile(rf"^\[?{_TIME}\]?\s+([^:\[\]]{{1,40}}?)\s*:\s*(.*)$"),
    # Name (00:01:02): words   or   Name [00:01:02] words
    re.compile(rf"^([^:\[\]()]{{1,40}}?)\s*[\[(]{_TIME}[\])]\s*:?\s*(.*)$"),
]


def _ms(h, m, s, frac) -> int:
    frac = (frac or "0").ljust(3, "0")
    return ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac)


def _speaker(text: str) -> tuple[str | None, str]:
    voice = _VOICE.match(text)
    if voice:
        return voice.group(1).strip(), _TAG.sub("", voice.group(2)).strip()
    text = _TAG.sub("", text).strip()
    match = _SPEAKER.match(text)
    if match and len(match.group(1).split()) <= 4:
        return match.group(1).strip(), match.group(2).strip()
    return None, text


def _assemble(turns: list[tuple[str | None, int | None, int | None, str]],
              merge: bool) -> ParsedText:
    """Write turns as paragraphs; consecutive cues of one speaker share a paragraph."""
    parts: list[str] = []
    segments: list[Segment] = []
    length = 0
    previous: object = object()
    for speaker, start_ms, end_ms, words in turns:
        words = " ".join(words.split()) if merge else words
        if not words:
            continue
        same = merge and speaker is not None and speaker == previous
        if same:
            parts.append(" ")
            length += 1
        else:
            if parts:
                parts.append("\n")
                length += 1
            if speaker:
                label = f"{speaker}: "
                parts.append(label)
                length += len(label)
        segments.append(Segment(len(segments), length, length + len(words), speaker,
                                start_ms, end_ms))
        parts.append(words)
        length += len(words)
        previous = speaker
    return ParsedText("".join(parts), tuple(segments))


_TIMING = re.compile(r"^\s*(\S*?)\s*-->\s*(\S*)(?:\s.*)?$")
_TIME_ONLY = re.compile(rf"^{_TIME}$")
# A line that was meant as a cue timing: it holds a clock time such as 00:05 or 1:02:03.
_CLOCK = re.compile(r"\d:\d\d")
_TIMING_HINT = ("correct it in a text editor (hh:mm:ss.mmm --> hh:mm:ss.mmm, minutes and "
                "seconds below 60, the end not before the start), or export the transcript "
                "again.")


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its number in the file (from 1)."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _shown(line: str) -> str | None:
    """A line of a transcript as an error may repeat it: never contact details."""
    return None if detect.looks_like_contact(line) else line[:80]


def _cue_time(token: str, number: int, name: str, errors: ErrorList) -> int | None:
    match = _TIME_ONLY.match(token)
    if match is None or int(match[2]) >= 60 or int(match[3]) >= 60:
        errors.add(SyrmakError(f"'{token}' is not a cue time.", _TIMING_HINT,
                               code="bad-transcript", file=name, line=number, value=token))
        return None
    return _ms(*match.groups())


def _cue_timing(line: str, number: int, name: str,
                errors: ErrorList) -> tuple[int, int] | None:
    timing = _TIMING.match(line)
    if timing is None:
        errors.add(SyrmakError("the cue timing line cannot be read.", _TIMING_HINT,
                               code="bad-transcript", file=name, line=number,
                               value=_shown(line.strip())))
        return None
    start, end = (_cue_time(token, number, name, errors) for token in timing.groups())
    if start is None or end is None:
        return None
    if end < start:
        errors.add(SyrmakError(f"the cue ends at {timing[2]}, before it starts at {timing[1]}.",
                               _TIMING_HINT, code="bad-transcript", file=name, line=number,
                               value=timing[2]))
        return None
    return start, end


def _special_block(first: str, block: list) -> bool:
    """The WebVTT header, comments, style and region blocks, or a lone cue number."""
    word = first.split(maxsplit=1)[0]
    return (first.startswith("WEBVTT") or word in ("NOTE", "STYLE", "REGION")
            or (len(block) == 1 and first.isdigit()))


def parse_cues(text: str, name: str = "") -> ParsedText:
    """WebVTT (Zoom's transcript) and SubRip: numbered/timed cues, optional speaker prefix.

    A cue whose timing cannot be read, or ends before it starts, and words outside any
    cue are errors naming the line: dropping them would silently lose what was said.
    """
    text = canonical(text)
    errors = ErrorList()
    turns = []
    timed = False
    stray: list[tuple[int, str, bool]] = []
    for block in _blocks(text):
        at = next((k for k, (_, line) in enumerate(block) if "-->" in line), None)
        if at is None:
            first = block[0][1].strip()
            if not _special_block(first, block):
                clock = next(((n, line) for n, line in block if _CLOCK.search(line)), None)
                number, line = clock or block[0]
                stray.append((number, line.strip(), clock is not None))
            continue
        timed = True
        number, line = block[at]
        times = _cue_timing(line, number, name, errors)
        if times is not None:
            speaker, words = _speaker(" ".join(line for _, line in block[at + 1:]))
            turns.append((speaker, *times, words))
    if not timed:
        raise SyrmakError("found no timed cues ('00:00:01.000 --> 00:00:04.000') in the file.",
                          "check that it is a .vtt or .srt subtitle/transcript file.",
                          code="bad-transcript", file=name or None)
    for number, line, clock in stray:
        message = ("this line looks like a cue timing but has no '-->' between its times."
                   if clock else "these words stand outside any cue (no timing line "
                   "'00:00:01.000 --> 00:00:04.000' above them), so they would be lost.")
        errors.add(SyrmakError(message, _TIMING_HINT if clock else
                               "add the cue's timing line above them, or join them to the "
                               "cue before (a cue's text has no blank lines).",
                               code="bad-transcript", file=name, line=number,
                               value=_shown(line)))
    errors.errors.sort(key=lambda e: e.location.line or 0)
    errors.raise_if_any()
    return _assemble(turns, merge=True)


def _turn(line: str):
    for i, pattern in enumerate(_TURN):
        m = pattern.match(line)
        if m:
            g = m.groups()
            if i == 0:
                return g[4].strip(), _ms(*g[:4]), g[5]
            return g[0].strip(), _ms(*g[1:5]), g[5]
    return None


def looks_like_transcript(text: str) -> bool:
    lines = [line for line in canonical(text).split("\n") if line.strip()]
    hits = sum(1 for line in lines if _turn(line.strip()))
    return bool(lines) and hits >= max(2, len(lines) // 2)


def parse_transcript(text: str) -> ParsedText:
    """Timestamped turns (``[00:01:02] Name: words``); other lines continue the turn."""
    text = canonical(text)
    turns: list[list] = []
    for line in text.split("\n"):
        stripped = line.strip()
        turn = _turn(stripped) if stripped else None
        if turn:
            speaker, start_ms, words = turn
            turns.append([speaker, start_ms, None, words.strip()])
        elif stripped and turns:
            turns[-1][3] += "\n" + stripped
        elif stripped:
            speaker, words = _speaker(stripped)
            turns.append([speaker, None, None, words])
    for this, following in zip(turns, turns[1:], strict=False):
        this[2] = following[1]
    return _assemble([tuple(t) for t in turns], merge=False)


def parse_file(path: Path, kind: str = "auto") -> tuple[str, ParsedText]:
    suffix = path.suffix.lower()
    if kind == "auto":
        kind = {".docx": "docx", ".vtt": "vtt", ".srt": "srt"}.get(suffix, "text")
    if kind not in KINDS:
        raise SyrmakError(f"unknown document kind '{kind}'.", f"use one of {', '.join(KINDS)}.",
                          code="bad-kind", value=kind)
    if not path.is_file():
        raise SyrmakError(f"there is no file {path}.", "check the path.", code="no-file",
                          file=str(path))
    if kind == "docx":
        raw = read_docx(path)
    else:
        data = path.read_bytes()
        if data[:2] == b"PK" and suffix == ".docx":
            return parse_file(path, "docx")
        raw = decode(data, path.name)
    if kind in ("vtt", "srt"):
        return kind, parse_cues(raw, path.name)
    if kind == "transcript" or looks_like_transcript(raw):
        parsed = parse_transcript(raw)
        return ("transcript" if kind == "text" else kind), parsed
    return kind, ParsedText(canonical(raw))


_SHOWN_CONTACT_LINES = 10


def contact_warnings(text: str, source: str) -> tuple[str, ...]:
    """Lines of a document that look like contact details: where and what kind, no value.

    Documents are not quarantined, since their text must stay codable and its offsets
    fixed; the researcher is told where to redact.
    """
    found = detect.findings(text)
    warnings = [
        f"[{source}, line {f.line}] the text looks like it holds {detect.KINDS[f.kind]}; "
        "documents are stored as they are, so if it identifies someone, redact the file "
        "and add it again." for f in found[:_SHOWN_CONTACT_LINES]]
    if len(found) > _SHOWN_CONTACT_LINES:
        warnings.append(f"[{source}] ... and {len(found) - _SHOWN_CONTACT_LINES} more lines "
                        "that look like contact details.")
    return tuple(warnings)


# -- storing ---------------------------------------------------------------------------

def _respondent_id(connection: sa.Connection, number: int | None) -> int | None:
    if number is None:
        return None
    rid = connection.execute(sa.select(schema.respondents.c.id)
                             .where(schema.respondents.c.number == int(number))).scalar()
    if rid is None:
        raise SyrmakError(f"there is no respondent {number}.",
                          "import the survey responses first, or check the number.",
                          code="unknown-respondent", value=number)
    return rid


def _insert(study: Study, connection: sa.Connection, *, name: str, kind: str, parsed: ParsedText,
            respondent: int | None, question: str | None, source_name: str | None,
            source_bytes: bytes | None, actor: str | None, guid: str | None = None) -> int:
    if not name or len(name) > 255:
        raise SyrmakError("a document needs a name of 1 to 255 characters.", "pass --name.",
                          code="bad-name", value=name)
    d = schema.documents
    if connection.execute(sa.select(d.c.id).where(d.c.name == name)).first():
        raise SyrmakError(f"a document named '{name}' already exists.",
                          "choose another --name or remove the old document.",
                          code="duplicate-document", value=name)
    from syrmak.study import default_actor

    actor = actor or default_actor()
    doc_id = connection.execute(sa.insert(d).returning(d.c.id), {
        "guid": guid or new_guid(), "name": name, "kind": kind, "text": parsed.text,
        "length": len(parsed.text), "respondent_id": _respondent_id(connection, respondent),
        "question": question, "source_name": source_name,
        "source_sha256": hashlib.sha256(source_bytes).hexdigest() if source_bytes else None,
        "created_at": now(), "created_by": actor,
    }).scalar_one()
    if parsed.segments:
        connection.execute(sa.insert(schema.document_segments), [
            {"document_id": doc_id, "position": s.position, "speaker": s.speaker,
             "start_ms": s.start_ms, "end_ms": s.end_ms, "start_offset": s.start,
             "end_offset": s.end} for s in parsed.segments])
    study.log("document-add", {"document": doc_id, "name": name, "kind": kind,
                               "length": len(parsed.text), "segments": len(parsed.segments)},
              actor, connection)
    return doc_id


def add_document(study: Study, path: str | Path, *, name: str | None = None, kind: str = "auto",
                 respondent: int | None = None, variables: dict | None = None,
                 actor: str | None = None) -> Document:
    """Import a file (.txt, .docx, .vtt, .srt, timestamped transcript) as one document."""
    (document,) = add_documents(study, [path], name=name, kind=kind, respondent=respondent,
                                variables=variables, actor=actor)
    return document


def add_documents(study: Study, paths: list[str | Path], *, name: str | None = None,
                  kind: str = "auto", respondent: int | None = None,
                  variables: dict | None = None,
                  actor: str | None = None) -> tuple[Document, ...]:
    """Import several files as one batch (``syrmak docs add a.txt b.docx``): every file is
    read first and all are stored in one transaction, so a bad file stores none of them."""
    paths = [Path(p) for p in paths]
    if name is not None and len(paths) > 1:
        raise SyrmakError("a name works with one file only.", "import the files one by one.",
                          code="bad-argument")
    read = []
    for path in paths:
        with _naming(path):
            read.append((path, *parse_file(path, kind), path.read_bytes()))
    ids = []
    with study.engine.begin() as connection:
        for path, file_kind, parsed, data in read:
            with _naming(path):
                doc_id = _insert(study, connection, name=name or path.stem, kind=file_kind,
                                 parsed=parsed, respondent=respondent, question=None,
                                 source_name=path.name, source_bytes=data, actor=actor)
                for key, value in (variables or {}).items():
                    _set_variable(study, connection, doc_id, key, value, None, actor)
            ids.append((doc_id, parsed.text, path.name))
    return tuple(replace(get_document(study, doc_id), warnings=contact_warnings(text, source))
                 for doc_id, text, source in ids)


@contextmanager
def _naming(path: Path):
    """In a batch of files, an error must say which file it is about."""
    try:
        yield
    except SyrmakError as error:
        if error.location.file:
            raise
        raise SyrmakError(error.message, error.hint, code=error.code,
                          location=replace(error.location, file=path.name)) from None


def add_text(study: Study, name: str, text: str, *, kind: str = "text",
             respondent: int | None = None, variables: dict | None = None,
             actor: str | None = None) -> Document:
    """Store a text given in code (tests, the web app, pasted notes)."""
    parsed = parse_transcript(text) if kind == "transcript" else ParsedText(canonical(text))
    with study.engine.begin() as connection:
        doc_id = _insert(study, connection, name=name, kind=kind, parsed=parsed,
                         respondent=respondent, question=None, source_name=None,
                         source_bytes=None, actor=actor)
        for key, value in (variables or {}).items():
            _set_variable(study, connection, doc_id, key, value, None, actor)
    return replace(get_document(study, doc_id), warnings=contact_warnings(parsed.text, name))


def import_open_answers(study: Study, questions: list[str] | None = None,
                        actor: str | None = None) -> OpenAnswerImport:
    """One document per respondent and open (text) question; re-running adds only new ones."""
    form = study.questionnaire
    texts = [q for q in form.answered if q.type == "text" and not q.personal_data]
    if questions:
        known = {q.name: q for q in texts}
        for name in questions:
            if name not in known:
                raise SyrmakError(f"'{name}' is not an open (text) question of the questionnaire.",
                                  "choose one of: " + ", ".join(known) + ".",
                                  code="not-open-question", value=name)
        texts = [known[n] for n in questions]
    if not texts:
        return OpenAnswerImport((), 0)
    frame = study.responses(questions=[q.name for q in texts])
    added: list[str] = []
    warnings: list[str] = []
    skipped = 0
    d = schema.documents
    with study.engine.begin() as connection:
        have = {(r.respondent_id, r.question) for r in connection.execute(
            sa.select(d.c.respondent_id, d.c.question).where(d.c.question.is_not(None)))}
        ids = dict(connection.execute(sa.select(schema.respondents.c.number,
                                                schema.respondents.c.id)).all())
        for q in texts:
            for number, value in frame[q.name].items():
                if pd.isna(value) or not str(value).strip():
                    continue
                if (ids[number], q.name) in have:
                    skipped += 1
                    continue
                name = f"{q.name}/{number}"
                parsed = ParsedText(canonical(str(value)))
                _insert(study, connection, name=name, kind="open-answer", parsed=parsed,
                        respondent=int(number), question=q.name, source_name=None,
                        source_bytes=None, actor=actor)
                added.append(name)
                warnings.extend(contact_warnings(parsed.text, name))
    return OpenAnswerImport(tuple(added), skipped, tuple(warnings))


def get_document(study: Study, ref: int | str) -> Document:
    with study.engine.connect() as connection:
        row = document_row(connection, ref)
        segs = connection.execute(
            sa.select(schema.document_segments)
            .where(schema.document_segments.c.document_id == row.id)
            .order_by(schema.document_segments.c.position)).all()
        number = None
        if row.respondent_id is not None:
            number = connection.execute(sa.select(schema.respondents.c.number).where(
                schema.respondents.c.id == row.respondent_id)).scalar()
        variables = connection.execute(
            sa.select(schema.document_variables.c.name, schema.document_variables.c.type,
                      schema.document_variables.c.value)
            .where(schema.document_variables.c.document_id == row.id)
            .order_by(schema.document_variables.c.name)).all()
    return Document(
        row.id, row.name, row.kind, row.text, number, row.question, row.source_name,
        tuple(Segment(s.position, s.start_offset, s.end_offset, s.speaker, s.start_ms, s.end_ms)
              for s in segs),
        tuple((v.name, typed_value(v.type, v.value)) for v in variables))


def export_text(study: Study, ref: int | str, path: str | Path | None = None, *,
                redacted: bool = True, actor: str | None = None) -> str:
    """A document's text as it may leave the study: with its accepted redactions replaced
    by pseudonyms (``privacy.redaction``; ``redacted=False``: as stored). Written to
    ``path`` when given, and the export audited (file name and format, never the text)."""
    from syrmak.privacy import redaction

    if redacted:
        name, text = redaction.redacted_document(study, ref)
    else:
        doc = get_document(study, ref)
        name, text = doc.name, doc.text
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
        study.log("export", {"file": Path(path).name, "format": "text", "document": name,
                             "redacted": redacted}, actor)
    return text


def list_documents(study: Study) -> DocumentList:
    d, c, r = schema.documents, schema.codings, schema.respondents
    counts = (sa.select(c.c.document_id, sa.func.count().label("n"))
              .group_by(c.c.document_id).subquery())
    query = (sa.select(d.c.id, d.c.name, d.c.kind, d.c.length, r.c.number, d.c.question,
                       counts.c.n)
             .outerjoin(r, r.c.id == d.c.respondent_id)
             .outerjoin(counts, counts.c.document_id == d.c.id).order_by(d.c.id))
    with study.engine.connect() as connection:
        rows = connection.execute(query).all()
    return DocumentList(tuple(
        {"id": x.id, "name": x.name, "kind": x.kind, "length": x.length, "respondent": x.number,
         "question": x.question, "codings": int(x.n or 0)} for x in rows))


def link_respondent(study: Study, document: int | str, respondent: int | None,
                    actor: str | None = None) -> None:
    with study.engine.begin() as connection:
        row = document_row(connection, document)
        rid = _respondent_id(connection, respondent)
        connection.execute(sa.update(schema.documents).where(schema.documents.c.id == row.id)
                           .values(respondent_id=rid))
        study.log("document-link", {"document": row.id, "respondent": respondent}, actor,
                  connection)


def remove_document(study: Study, document: int | str, actor: str | None = None) -> None:
    with study.engine.begin() as connection:
        row = document_row(connection, document)
        delete_document_rows(connection, row.id)
        study.log("document-remove", {"document": row.id, "name": row.name}, actor, connection)


def delete_document_rows(connection: sa.Connection, document_id: int) -> None:
    """Delete a document and all that hangs on it, inside the caller's transaction."""
    # Delete dependants explicitly: SQLite cascades only with foreign_keys on.
    for table in (schema.memos, schema.codings, schema.document_segments,
                  schema.document_variables, schema.search_tokens, schema.search_chunks,
                  schema.search_indexed, schema.translations, schema.redactions):
        if table is schema.memos:
            coding_ids = sa.select(schema.codings.c.id).where(
                schema.codings.c.document_id == document_id)
            connection.execute(sa.delete(table).where(table.c.coding_id.in_(coding_ids)))
        connection.execute(sa.delete(table).where(table.c.document_id == document_id))
    connection.execute(sa.delete(schema.documents).where(schema.documents.c.id == document_id))


# -- variables -------------------------------------------------------------------------

def _infer_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if hasattr(value, "isoformat"):
        return "date"
    return "text"


def typed_value(kind: str, value: str | None) -> object:
    if value is None:
        return None
    if kind == "integer":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "boolean":
        return value.lower() in ("true", "1", "yes")
    return value


def _set_variable(study: Study, connection: sa.Connection, doc_id: int, name: str,
                  value: object, kind: str | None, actor: str | None) -> None:
    kind = kind or _infer_type(value)
    if kind not in VARIABLE_TYPES:
        raise SyrmakError(f"unknown variable type '{kind}'.",
                          f"use one of {', '.join(VARIABLE_TYPES)}.", code="bad-variable-type")
    if not name or len(name) > 255 or name in _RESERVED:
        raise SyrmakError(f"'{name}' cannot be a document variable name.",
                          "choose another name (not one of " + ", ".join(_RESERVED) + ").",
                          code="bad-variable", value=name)
    if value is not None:
        try:
            typed_value(kind, str(value))
        except ValueError as exc:
            raise SyrmakError(f"'{value}' is not a valid {kind} for variable '{name}'.",
                              "give a value of that type or choose the type 'text'.",
                              code="bad-variable", value=value) from exc
    text = None if value is None else (value.isoformat() if hasattr(value, "isoformat")
                                       else str(value))
    v = schema.document_variables
    connection.execute(sa.delete(v).where(v.c.document_id == doc_id, v.c.name == name))
    connection.execute(sa.insert(v), {"document_id": doc_id, "name": name, "type": kind,
                                      "value": text})
    study.log("variable-set", {"document": doc_id, "variable": name}, actor, connection)


_RESERVED = ("document", "respondent", "doc_id", "doc_kind", "doc_question")


def set_variable(study: Study, document: int | str, name: str, value: object,
                 kind: str | None = None, actor: str | None = None) -> None:
    """Set a free document variable (type inferred from the Python value unless given)."""
    with study.engine.begin() as connection:
        row = document_row(connection, document)
        _set_variable(study, connection, row.id, name, value, kind, actor)


def document_variables(study: Study, lang: str | None = None) -> pd.DataFrame:
    """One row per document (index ``document``, its name): ``doc_id``, ``doc_kind``,
    ``doc_question``, ``respondent``, the respondent's answers (as ``study.responses(lang)``)
    and the free document variables (which win over an answer of the same name)."""
    d, r, v = schema.documents, schema.respondents, schema.document_variables
    with study.engine.connect() as connection:
        docs = connection.execute(sa.select(d.c.id, d.c.name, d.c.kind, d.c.question, r.c.number)
                                  .outerjoin(r, r.c.id == d.c.respondent_id)
                                  .order_by(d.c.id)).all()
        free = connection.execute(sa.select(v)).all()
        has_form = connection.execute(sa.select(sa.func.count())
                                      .select_from(schema.questionnaires)).scalar()
    frame = pd.DataFrame(
        {"doc_id": [x.id for x in docs], "doc_kind": [x.kind for x in docs],
         "doc_question": [x.question for x in docs],
         "respondent": pd.array([x.number for x in docs], dtype="Int64")},
        index=pd.Index([x.name for x in docs], name="document"))
    if has_form and frame["respondent"].notna().any():
        answers = study.responses(lang)
        linked = answers.reindex(frame["respondent"].fillna(-1).astype("int64").to_numpy())
        linked.index = frame.index
        frame = frame.join(linked.drop(columns=[c for c in linked.columns if c in frame]))
    if free:
        names = {x.id: x.name for x in docs}
        values: dict[str, dict[str, object]] = {}
        for x in free:
            values.setdefault(x.name, {})[names[x.document_id]] = typed_value(x.type, x.value)
        for column, mapping in values.items():
            frame[column] = pd.Series(mapping).reindex(frame.index)
    return frame
