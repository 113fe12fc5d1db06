"""Derived variables: a recode of one question, defined once in the store.

The reference study chose interviewees by "big city or region", which no question asks: it
follows from the regions a respondent works in. A derived variable names such a recode
once (``derive(study, "region_kind", "regions", [...])``) and then behaves as a
single-answer question everywhere the questionnaire is read for analysis: ``--where``
filters, frequencies, crosstabs, report tables and interview strata. Stored answers are
never touched; the column is computed from the source question each time, so a corrected
import shows at once.

A category lists source choices; a respondent falls into the *first* category that holds
their answer (for a multiple-answer source, the first category any ticked option belongs
to). ``otherwise`` names the category of everyone else who answered the source question;
respondents who did not answer it stay unanswered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema
from syrmak.survey.instrument import Choice, Question, Questionnaire

if TYPE_CHECKING:
    from syrmak.study import Study

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Category:
    name: str
    labels: dict
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class DerivedVariable:
    name: str
    source: str
    categories: tuple[Category, ...]
    otherwise: str | None
    labels: dict

    def question(self) -> Question:
        """The variable as a select_one question analyses can read like any other."""
        return Question(self.name, "select_one", labels=self.labels,
                        choices=[Choice(c.name, c.labels) for c in self.categories],
                        list_name=f"derived:{self.name}")

    def to_json(self) -> str:
        return json.dumps({
            "source": self.source, "otherwise": self.otherwise, "labels": self.labels,
            "categories": [{"name": c.name, "labels": c.labels, "values": list(c.values)}
                           for c in self.categories]}, ensure_ascii=False)

    @classmethod
    def from_json(cls, name: str, text: str) -> DerivedVariable:
        data = json.loads(text)
        return cls(name, data["source"],
                   tuple(Category(c["name"], c.get("labels") or {}, tuple(c["values"]))
                         for c in data["categories"]),
                   data.get("otherwise"), data.get("labels") or {})

    def recode(self, stored: pd.Series) -> pd.Series:
        """Stored source values (choice names; ``"a b"`` for several) to category names."""
        def one(value):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                return None
            ticked = str(value).split()
            for category in self.categories:
                if any(t in category.values for t in ticked):
                    return category.name
            return self.otherwise
        return stored.astype(object).map(one)


def parse_categories(specs: list[str]) -> list[tuple[str, list[str]]]:
    """``big_city=KZ-ALA,KZ-AST`` -> ``("big_city", ["KZ-ALA", "KZ-AST"])``, as the CLI takes them."""
    out = []
    for spec in specs:
        name, sep, values = spec.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise SyrmakError(f"'{spec}' is not a category.",
                              "write NAME=CHOICE,CHOICE (choice names of the source question).",
                              code="bad-argument", value=spec)
        out.append((name.strip(), [v.strip() for v in values.split(",") if v.strip()]))
    return out


def derive(study: Study, name: str, source: str, categories: list[tuple[str, list[str]]], *,
           otherwise: str | None = None, labels: dict | None = None,
           category_labels: dict | None = None, actor: str | None = None) -> DerivedVariable:
    """Define (or redefine) a derived variable; checked against the questionnaire first."""
    from syrmak.study import default_actor

    form = study.questionnaire
    if not _NAME.match(name):
        raise SyrmakError(f"'{name}' cannot name a variable.",
                          "use letters, digits and _, starting with a letter (at most 64).",
                          code="bad-argument", value=name)
    if form.has(name):
        raise SyrmakError(f"the questionnaire already has a question '{name}'.",
                          "choose another name for the derived variable.",
                          code="derived-name-taken", value=name)
    q = form.question(source)
    if q.type not in ("select_one", "select_multiple") or q.personal_data:
        raise SyrmakError(f"question '{source}' is not a single- or multiple-answer question.",
                          "derive from a select_one or select_multiple question.",
                          code="derived-bad-source", value=source)
    known = {c.name for c in q.choices}
    names = [c for c, _ in categories] + ([otherwise] if otherwise else [])
    if not categories or len(set(names)) != len(names):
        raise SyrmakError("the categories of a derived variable must be given and distinct.",
                          "give each category once, e.g. big_city=KZ-ALA,KZ-AST.",
                          code="bad-argument")
    for category, values in categories:
        unknown = [v for v in values if v not in known]
        if unknown or not values:
            raise SyrmakError(
                f"category '{category}' lists {', '.join(map(repr, unknown)) or 'no choice'}, "
                f"not a choice of '{source}'.",
                f"use choice names of '{source}': {', '.join(sorted(known))}.",
                code="derived-unknown-choice", value=category)
    category_labels = category_labels or {}
    variable = DerivedVariable(
        name, source,
        tuple(Category(c, category_labels.get(c, {}), tuple(v)) for c, v in categories)
        + ((Category(otherwise, category_labels.get(otherwise, {}), ()),) if otherwise else ()),
        otherwise, labels or {})
    t = schema.derived_variables
    with db.writer(study.engine, study.id) as connection:
        connection.execute(sa.delete(t).where(t.c.name == name))
        connection.execute(sa.insert(t), {"name": name, "definition": variable.to_json(),
                                          "created_by": actor or default_actor(),
                                          "created_at": datetime.now(UTC)})
        study.log("derived-define", {"name": name, "source": source}, actor, connection)
    return variable


def derived_variables(study: Study) -> tuple[DerivedVariable, ...]:
    t = schema.derived_variables
    with study.engine.connect() as connection:
        rows = connection.execute(sa.select(t.c.name, t.c.definition).order_by(t.c.name)).all()
    return tuple(DerivedVariable.from_json(n, d) for n, d in rows)


def with_derived(form: Questionnaire, variables) -> Questionnaire:
    """The questionnaire with the derived variables appended as questions."""
    from dataclasses import replace

    extra = tuple(v.question() for v in variables if not form.has(v.name))
    return replace(form, questions=form.questions + extra) if extra else form


def derive_from_yaml(study: Study, path, actor: str | None = None) -> list[str]:
    """Define the derived variables a YAML file describes (the example study's format:
    name -> source, labels, categories {name: {labels, values}}, otherwise,
    otherwise_labels)."""
    import yaml

    try:
        spec = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SyrmakError(f"cannot read {path}: {exc}", "fix the YAML syntax.",
                          code="bad-config", file=str(path)) from exc
    names = []
    for name, item in spec.items():
        categories = [(c, list(v["values"])) for c, v in item["categories"].items()]
        labels = {c: v.get("labels", {}) for c, v in item["categories"].items()}
        if item.get("otherwise"):
            labels[item["otherwise"]] = item.get("otherwise_labels", {})
        derive(study, name, item["source"], categories, otherwise=item.get("otherwise"),
               labels=item.get("labels"), category_labels=labels, actor=actor)
        names.append(name)
    return names
