"""Row keys of either hashing scheme are recognised: stores written before scheme 2 keep
their "row:" keys, and a re-import of their export adds nothing."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from syrmak.store import schema
from syrmak.survey import identity
from syrmak.survey.imports import parse, read_file

ROWS = ("kind,staff,story\ncso,3,Нет денег\nindependent,,Карантин\ncso,3,Нет денег\n"
        "independent,12,\n")


def test_scheme_one_keys_from_an_older_store_are_recognised(study, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(ROWS, encoding="utf-8")
    assert study.import_responses(path).added == 4
    with study.engine.connect() as connection:
        stored = [k for (k,) in connection.execute(sa.select(schema.respondents.c.row_key))]
    assert all(k.startswith("row2:") for k in stored)
    # Rewrite the stored keys as the scheme-1 keys an older syrmak made for the same rows.
    form = study.questionnaire
    raw, fmt = read_file(path, form, "auto")
    parsed = parse(raw, form, fmt)
    old = identity.row_keys(parsed.answers, parsed.times, form.form_id, scheme=1)
    assert old.str.startswith("row:").all() and old.iloc[2].endswith("#2")
    r = schema.respondents
    with study.engine.begin() as connection:
        for number, key in zip(range(1, 5), old.tolist(), strict=True):
            connection.execute(sa.update(r).where(r.c.number == number).values(row_key=key))
    assert study.import_responses(path).added == 0
    # A new row next to them is new.
    path.write_text(ROWS + "cso,99,Другое\n", encoding="utf-8")
    assert study.import_responses(path).added == 1


def test_schemes_differ_and_keep_their_prefix():
    answers = pd.DataFrame({"a": ["x", "y"]})
    times = pd.Series(pd.NaT, index=answers.index, dtype="datetime64[us, UTC]")
    one, two = (identity.row_keys(answers, times, "f", scheme=s) for s in (1, 2))
    assert one.str.startswith("row:").all() and two.str.startswith("row2:").all()
    assert identity.scheme_of(one.iloc[0]) == 1 and identity.scheme_of(two.iloc[0]) == 2


def test_keys_from_the_parse_factors_equal_keys_from_the_answers(study, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(ROWS + "cso,4,  Нет денег \n", encoding="utf-8")
    form = study.questionnaire
    raw, fmt = read_file(path, form, "auto")
    parsed = parse(raw, form, fmt)
    assert "story" in parsed.factors
    fast = identity.row_keys(parsed.answers, parsed.times, form.form_id, factors=parsed.factors)
    plain = identity.row_keys(parsed.answers, parsed.times, form.form_id)
    assert fast.tolist() == plain.tolist()
