"""The interview guide: stored with the study, printable, matched to interviewer turns.

The reference study's guide (its Appendix 1) is nine numbered questions in Russian. Stored
with the study, each interviewer turn of a transcript can be matched to the guide question
it asks (by the overlap of their lemmas: interviewers paraphrase, shorten and merge), so
that the answers to one question can be read across all interviews.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema

if TYPE_CHECKING:
    from syrmak.study import Study

META_KEY = "interview_guide"
#: Share of a guide question's words (lemmas) an interviewer turn must contain to ask it.
MATCH_THRESHOLD = 0.5
_NUMBERED = re.compile(r"^\s*[-–•]?\s*(\d{1,2})\s*[.)]?\s+(\S.*)$")
_INTERVIEWER = re.compile(r"interview|интервью", re.IGNORECASE)


@dataclass(frozen=True)
class GuideQuestion:
    number: int
    text: str


def parse_guide(text: str) -> tuple[GuideQuestion, ...]:
    """Numbered questions (``- 1 ...``, ``1. ...``, ``1) ...``); a line right below a
    question, with no blank line between, continues it; other text is left out."""
    questions: list[GuideQuestion] = []
    current: list[str] | None = None
    number = 0
    for line in text.splitlines():
        found = _NUMBERED.match(line)
        if found:
            if current:
                questions.append(GuideQuestion(number, " ".join(current)))
            number, current = int(found.group(1)), [found.group(2).strip()]
        elif current is not None and line.strip():
            current.append(line.strip())
        else:
            if current:
                questions.append(GuideQuestion(number, " ".join(current)))
            current = None
    if current:
        questions.append(GuideQuestion(number, " ".join(current)))
    numbers = [q.number for q in questions]
    if not questions:
        raise SyrmakError("the guide holds no numbered question.",
                          "number each question: '1. ...' or '- 1 ...', one per line.",
                          code="bad-guide")
    if len(set(numbers)) != len(numbers):
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        raise SyrmakError(f"question number(s) {', '.join(map(str, twice))} appear twice.",
                          "number the questions once each.", code="bad-guide")
    return tuple(questions)


def set_guide(study: Study, path: str | Path, actor: str | None = None
              ) -> tuple[GuideQuestion, ...]:
    path = Path(path)
    try:
        questions = parse_guide(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SyrmakError("the guide is not UTF-8 text.", "save it as UTF-8 text.",
                          code="bad-guide", file=path.name) from exc
    except SyrmakError as exc:
        raise SyrmakError(exc.message, exc.hint, code=exc.code, file=path.name) from None
    value = json.dumps([[q.number, q.text] for q in questions], ensure_ascii=False)
    m = schema.study_meta
    with db.writer(study.engine, study.id) as connection:
        connection.execute(sa.delete(m).where(m.c.key == META_KEY))
        connection.execute(sa.insert(m), {"key": META_KEY, "value": value})
        study.log("guide-set", {"questions": len(questions), "file": path.name}, actor,
                  connection)
    return questions


def guide(study: Study) -> tuple[GuideQuestion, ...]:
    stored = study.meta(META_KEY)
    if stored is None:
        raise SyrmakError("the study has no interview guide yet.",
                          "store one with 'syrmak interviews guide set DIR GUIDE.txt'.",
                          code="no-guide")
    return tuple(GuideQuestion(n, t) for n, t in json.loads(stored))


def _lemmas(text: str) -> set[str]:
    from syrmak.qual.search import tokens

    # Short words (в, на, ли) say nothing about which question was asked.
    return {lem for _s, _e, form, lem in tokens(text) if len(form) > 2}


@dataclass(frozen=True)
class Answer:
    question: int
    document: str
    respondent: int | None
    start: int
    end: int
    text: str


def answers(study: Study, number: int | None = None) -> tuple[Answer, ...]:
    """What respondents said after each interviewer turn that asks a guide question (all
    questions, or question ``number``): the turns up to the next interviewer turn."""
    from syrmak.qual.documents import get_document

    questions = guide(study)
    if number is not None and number not in {q.number for q in questions}:
        raise SyrmakError(f"the guide has no question {number}.",
                          f"use one of {', '.join(str(q.number) for q in questions)}.",
                          code="unknown-guide-question", value=number)
    wanted = [(q.number, _lemmas(q.text)) for q in questions]
    d = schema.documents
    with study.engine.connect() as connection:
        ids = connection.execute(sa.select(d.c.id).where(d.c.kind.in_(("transcript", "vtt",
                                                                        "srt")))
                                 .order_by(d.c.name)).scalars().all()
    found = []
    for doc_id in ids:
        doc = get_document(study, doc_id)
        interviewer = dict(doc.variables).get("interviewer")
        asked = None
        for segment in doc.segments:
            words = doc.text[segment.start:segment.end]
            if segment.speaker is not None and (
                    segment.speaker == interviewer
                    or (interviewer is None and _INTERVIEWER.search(segment.speaker))):
                said = _lemmas(words)
                scores = [(len(said & lem) / len(lem), n) for n, lem in wanted if lem]
                best = max(scores, default=(0.0, None))
                asked = best[1] if best[0] >= MATCH_THRESHOLD else None
            elif asked is not None and (number is None or asked == number):
                found.append(Answer(asked, doc.name, doc.respondent, segment.start,
                                    segment.end, words))
    return tuple(found)
