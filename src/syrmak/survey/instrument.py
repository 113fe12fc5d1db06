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
#:
#: The XLSForm type a form spells (``phone number``, ``range``, ``image``,
#: ``select_one_from_file``) is resolved by pyxform and kept in ``Question.source_type``;
#: ``type`` is what the answer is: a choice (``select_one``), choices (``select_multiple``),
#: an ordering of choices (``rank``, stored as the names in rank order), a number, a text,
#: a date, a time of day (``time``, ``HH:MM:SS``), a moment (``datetime``, ISO 8601), a
#: location (``geopoint``: "latitude longitude altitude accuracy"; ``geotrace`` and
#: ``geoshape``: such points joined by ";"), an attachment (``media``: its file name), or a
#: scanned code (``barcode``).
ANSWER_TYPES = frozenset(
    {"select_one", "select_multiple", "rank", "integer", "decimal", "text", "date", "time",
     "datetime", "geopoint", "geotrace", "geoshape", "media", "barcode", "note"}
)
SELECT_TYPES = frozenset({"select_one", "select_multiple"})
#: Types whose answers name options of the question's choice list.
CHOICE_TYPES = SELECT_TYPES | {"rank"}
#: Types stored and shown as text (a location, a time, a file name), never decoded further.
TEXT_LIKE_TYPES = frozenset({"text", "time", "datetime", "geopoint", "geotrace", "geoshape",
                             "media", "barcode"})
GEO_TYPES = frozenset({"geopoint", "geotrace", "geoshape"})

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
    #: The type as the form spells it, when it says more than ``type`` (``phone number``,
    #: ``range``, ``image``, ``select_one_from_file cities.csv``).
    source_type: str | None = None
    #: The repeat group (its section path) the question is answered in, once per repeat.
    repeat: str | None = None
    #: The options live outside the form (select_one_from_file, external selects): any code
    #: is an answer, and the codes seen are the options.
    open_choices: bool = False
    #: The element's path in the form when its name was made unique (a question of a
    #: ``begin loop``, copied once per option: ``loop/option/question``).
    path: str | None = None
    #: Its role in a respondent-driven sample (``rds = degree`` on the survey sheet).
    rds: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _frozen(self.labels))
        object.__setattr__(self, "hints", _frozen(self.hints))
        object.__setattr__(self, "choices", tuple(self.choices))

    @property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES

    @property
    def has_choices(self) -> bool:
        """Whether answers name options: selects and rank."""
        return self.type in CHOICE_TYPES

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
        for key in ("source_type", "repeat", "open_choices", "path", "rds"):
            if getattr(self, key):
                data[key] = getattr(self, key)
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
    #: A repeat group: its questions are answered once per repeat (child records).
    repeat: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _frozen(self.labels))

    def label(self, lang: str | None = None) -> str:
        return _pick(self.labels, lang, self.name)

    def to_dict(self) -> dict:
        data = {"name": self.name, "labels": dict(self.labels)}
        if self.repeat:
            data["repeat"] = True
        return data


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
        """Questions that carry one answer per respondent (no notes, nothing in a repeat)."""
        return tuple(q for q in self.questions if q.has_answer and q.repeat is None)

    @property
    def repeats(self) -> tuple[Section, ...]:
        """The repeat groups, outermost first."""
        return tuple(s for s in self.sections if s.repeat)

    def in_repeat(self, repeat: str) -> tuple[Question, ...]:
        """The answered questions of one repeat group (not of the repeats inside it)."""
        return tuple(q for q in self.questions if q.has_answer and q.repeat == repeat)

    def parent_repeat(self, repeat: str) -> str | None:
        """The repeat a repeat group sits in, or None for one directly in the form."""
        inner = [s.name for s in self.repeats if repeat.startswith(s.name + "/")]
        return max(inner, key=len) if inner else None

    @property
    def personal(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.personal_data)

    @property
    def identifying(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.identifying)

    @property
    def degree(self) -> Question | None:
        """The question marked ``rds = degree`` (the network size RDS-II weights by)."""
        return next((q for q in self.questions if q.rds == "degree"), None)

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
        """Validate a language code or name; ``None`` means the default language."""
        from syrmak.survey import languages

        if lang is None:
            return self.default_language
        lang = languages.resolve(lang, self.languages) or lang
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
            "sections": [s.to_dict() for s in self.sections],
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
