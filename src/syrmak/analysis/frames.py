"""Build response frames in code, shaped like ``study.responses(lang=...)``.

For tests, notebooks and benchmarks that need a frame without a study store:
``build_frame`` turns raw codes (choice names, lists of names, numbers, texts) into the
frame the analyses take (see docs/analysis.md, "The response frame").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from syrmak.survey.instrument import OTHER_SUFFIX, Questionnaire


def build_frame(
    questionnaire: Questionnaire,
    answers: Mapping[str, Sequence],
    lang: str | None = None,
) -> pd.DataFrame:
    """Frame with the store's contract from ``{question: [raw code per respondent]}``.

    select_one: choice name or None; select_multiple: list of choice names, or None for
    "did not answer"; "<q>_other": the free text; other keys that are not questions (a
    weight, say) are copied as they are. Questions left out are unanswered by everyone.
    """
    lengths = {len(v) for v in answers.values()}
    if len(lengths) != 1:
        raise ValueError(f"answer lists differ in length: {sorted(lengths)}")
    n = lengths.pop()
    lang = lang or questionnaire.default_language
    columns: dict[str, object] = {}
    for q in questionnaire.answered:
        raw = list(answers.get(q.name, [None] * n))
        if q.open_choices:  # a list kept in a file: the codes given are its options
            q = q.with_codes(v for value in raw if value is not None
                             for v in ([value] if q.type == "select_one" else value))
        names = [c.name for c in q.choices]
        if q.type == "select_one":
            for value in raw:
                if value is not None and value not in names:
                    raise ValueError(f"{q.name}: no option {value!r}")
            labels = [c.label(lang) for c in q.choices]
            codes = [-1 if value is None else names.index(value) for value in raw]
            columns[q.name] = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
        elif q.type == "select_multiple":
            for value in raw:
                for name in value or ():
                    if name not in names:
                        raise ValueError(f"{q.name}: no option {name!r}")
            for name in names:
                columns[f"{q.name}/{name}"] = pd.array(
                    [None if value is None else name in value for value in raw],
                    dtype="boolean",
                )
        elif q.type == "integer":
            columns[q.name] = pd.array(raw, dtype="Int64")
        elif q.type == "decimal":
            columns[q.name] = pd.array(raw, dtype="Float64")
        elif q.type == "date":
            columns[q.name] = pd.to_datetime(pd.Series(raw, dtype="object")).to_numpy()
        else:
            columns[q.name] = pd.array(raw, dtype="string")
        if q.or_other:
            other = answers.get(q.name + OTHER_SUFFIX, [None] * n)
            columns[q.name + OTHER_SUFFIX] = pd.array(list(other), dtype="string")
    for key, values in answers.items():
        if not questionnaire.has(key) and not key.endswith(OTHER_SUFFIX):
            columns[key] = np.asarray(values)
    index = pd.RangeIndex(1, n + 1, name="respondent")
    return pd.DataFrame(columns, index=index)


def expand(*cells: tuple) -> list[list]:
    """Respondents from (value_a, value_b, ..., count) cells: one list per position."""
    width = len(cells[0]) - 1
    out: list[list] = [[] for _ in range(width)]
    for cell in cells:
        *values, count = cell
        for k, value in enumerate(values):
            out[k].extend([value] * count)
    return out
