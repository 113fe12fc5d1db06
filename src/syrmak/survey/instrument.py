"""The questionnaire as frozen dataclasses.

A ``Questionnaire`` is what an XLSForm means once pyxform has checked it: sections,
questions, choices and their labels in every language of the form. It is stored in
the study as JSON (``to_dict``/``from_dict``) so reading a study never needs the
original workbook.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from syrmak.errors import SyrmakError

#: Question types syrmak stores answers for. ``note`` has no answer.
ANSWER_TYPES = frozenset(
    {"select_one", "select_multiple", "integer", "decimal", "text", "date", "note"}
)
SELECT_TYPES = frozenset({"select_one", "select_multiple"})

#: The choice name ODK uses for "or_other", and the suffix of its free-text field.
OTHER = "other"
OTHER_SUFFIX = "_other"


def _frozen(labels: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(labels or {}))


def _pick(labels: Mapping[str, str], lang: str | None, fallback: str) -> str:
    if lang and lang in labels and labels[lang]:
        return labels[lang]
    for text in labels.values():
        if text:
            return text
    return fallback


@dataclass(frozen=True)
class Choice:
    name: str
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _frozen(self.labels))

    def label(self, lang: str | None = None) -> str:
        return _pick(self.labels, lang, self.name)


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    choices: tuple[Choice, ...] = ()
    list_name: str | None = None
    section: str | None = None
    required: bool = False
    relevant: str | None = None
    constraint: str | None = None
    or_other: bool = False
    personal_data: bool = False
    hints: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: Identifies in combination with the other identifying questions (region, type of
    #: organisation, ...): disclosure checks and cell suppression use these
    #: (``identifying = yes`` on the survey sheet; privacy/disclosure.py).
    identifying: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _frozen(self.labels))
        object.__setattr__(self, "hints", _frozen(self.hints))
        object.__setattr__(self, "choices", tuple(self.choices))

    @property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES

    @property
    def has_answer(self) -> bool:
        return self.type != "note"

    def label(self, lang: str | None = None) -> str:
        return _pick(self.labels, lang, self.name)

    def choice(self, name: str) -> Choice:
        for choice in self.choices:
            if choice.name == name:
                return choice
        raise SyrmakError(
            f"question '{self.name}' has no option '{name}'.",
            f"use one of: {', '.join(c.name for c in self.choices)}.",
            code="unknown-option",
        )

    def to_dict(self) -> dict:
        data = {
            "name": self.name,
            "type": self.type,
            "labels": dict(self.labels),
            "choices": [{"name": c.name, "labels": dict(c.labels)} for c in self.choices],
            "list_name": self.list_name,
            "section": self.section,
            "required": self.required,
            "relevant": self.relevant,
            "constraint": self.constraint,
            "or_other": self.or_other,
            "personal_data": self.personal_data,
            "hints": dict(self.hints),
        }
        if self.identifying:  # absent when false, so stored forms of before stay equal
            data["identifying"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> Question:
        fields = dict(data)
        fields["choices"] = tuple(Choice(**c) for c in fields.get("choices", ()))
        return cls(**fields)


@dataclass(frozen=True)
class Section:
    """A ``begin_group`` … ``end_group`` of the form; nested groups use a ``/`` path."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _frozen(self.labels))

    def label(self, lang: str | None = None) -> str:
        return _pick(self.labels, lang, self.name)


@dataclass(frozen=True)
class Questionnaire:
    form_id: str
    title: str
    version: str | None
    default_language: str | None
    languages: tuple[str, ...]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    #: Names of fields the form computes or fills itself (calculate, start, deviceid, ...):
    #: no answer is stored for them, but Kobo and ODK exports carry them as columns.
    hidden_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden_fields", tuple(self.hidden_fields))
        object.__setattr__(self, "languages", tuple(self.languages))
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "questions", tuple(self.questions))

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def answered(self) -> tuple[Question, ...]:
        """Questions that carry an answer (no notes)."""
        return tuple(q for q in self.questions if q.has_answer)

    @property
    def personal(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.personal_data)

    @property
    def identifying(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.identifying)

    def has(self, name: str) -> bool:
        return any(q.name == name for q in self.questions)

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        names = [q.name for q in self.questions]
        close = difflib.get_close_matches(name, names, n=3)
        hint = (
            f"did you mean {', '.join(repr(c) for c in close)}?"
            if close
            else "run 'syrmak questionnaire show DIR' to list the question names."
        )
        raise SyrmakError(
            f"the questionnaire has no question '{name}'.",
            hint,
            code="unknown-question",
            value=name,
        )

    def language(self, lang: str | None) -> str | None:
        """Validate a language code; ``None`` means the default language."""
        if lang is None:
            return self.default_language
        if lang not in self.languages:
            raise SyrmakError(
                f"the questionnaire has no language '{lang}'.",
                f"use one of: {', '.join(self.languages) or '(no labelled language)'}.",
                code="unknown-language",
                value=lang,
            )
        return lang

    def section(self, name: str) -> Section:
        for s in self.sections:
            if s.name == name:
                return s
        raise SyrmakError(f"the questionnaire has no section '{name}'.", code="unknown-section")

    def to_dict(self) -> dict:
        return {
            "form_id": self.form_id,
            "title": self.title,
            "version": self.version,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "sections": [{"name": s.name, "labels": dict(s.labels)} for s in self.sections],
            "questions": [q.to_dict() for q in self.questions],
            "hidden_fields": list(self.hidden_fields),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Questionnaire:
        return cls(
            form_id=data["form_id"],
            title=data["title"],
            version=data.get("version"),
            default_language=data.get("default_language"),
            languages=tuple(data.get("languages", ())),
            sections=tuple(Section(**s) for s in data.get("sections", ())),
            questions=tuple(Question.from_dict(q) for q in data["questions"]),
            hidden_fields=tuple(data.get("hidden_fields", ())),
        )
