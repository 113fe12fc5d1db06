"""No CSV, however broken, makes the importer fail with anything but a SyrmakError, and a
refused file writes nothing."""

from __future__ import annotations

import csv
import io
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syrmak.errors import SyrmakError
from syrmak.survey.layouts import FORMATS
from tests.survey.test_import_support import EN, RU, snapshot

HEADERS = sorted({*RU, *RU.values(), *EN.values(), "sphere_other", "thanks", "Отметка времени",
                  "Timestamp", "_uuid", "_submission_time", "KEY", "SubmissionDate", "id",
                  "submitdate", "lastpage", "startlanguage", "sphere/eco", "about/sphere/rights",
                  "about-kind", "sphere[SQ001]", "sphere[other]", "Мнения [Я доверяю власти]",
                  "Email Address", "colour", "", " ", "kind;trust", 'a"b', "sphere_eco"})
VALUES = ["cso", "independent", "rights eco", "women other", "Зарегистрированная организация",
          "Права человека, юридическая помощь, Экология", "Согласен", "agree", "Y", "1", "0",
          "-oth-", "A1", "SQ002", "12", "1,5", "1e400", "nan", "-0", "15.09.2021", "2021-09-15",
          "31.02.2021", "20.09.2021 10:23:45", "2021/09/20 10:23:45 PM GMT+6", "uuid:abc",
          "a@example.org", "+7 701 123 45 67", "", " ", '"', "\n", ";", ",", "\t", "\r",
          "x" * 300]
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
cells = st.one_of(st.sampled_from(VALUES), text)
headers = st.one_of(st.sampled_from(HEADERS), text)


#: Columns an import can accept, with answers it may or may not accept.
PLAUSIBLE = {
    "kind": ["cso", "independent", "Независимый активист", "Registered CSO", "other"],
    "sphere": ["rights eco", "Права женщин, Экология", "women", "", "Экология; что-то ещё"],
    "staff": ["12", "1 200", "", "3.5"],
    "budget": ["1,5", "", "2"],
    "founded": ["2021-09-15", "15.09.2021", "", "9/15/2021"],
    "trust": ["agree", "Согласен", "", "Не согласен"],
    "story": ["", "Нет денег", "пишите a@example.org", '"цитата", и ещё'],
    "contact": ["", "+7 701 123 45 67", "x@example.org"],
    "Отметка времени": ["20.09.2021 10:23:45", "", "2021/09/20 10:23:45 PM GMT+6"],
}


@st.composite
def plausible_rows(draw) -> list[list[str]]:
    names = draw(st.lists(st.sampled_from(sorted(PLAUSIBLE)), min_size=1, max_size=6,
                          unique=True))
    header = [draw(st.sampled_from([n, RU.get(n, n), EN.get(n, n)])) for n in names]
    rows = [header]
    for _ in range(draw(st.integers(0, 5))):
        rows.append([draw(st.one_of(st.sampled_from(PLAUSIBLE[n]), cells)) if
                     draw(st.integers(0, 5)) == 0 else draw(st.sampled_from(PLAUSIBLE[n]))
                     for n in names])
    return rows


@st.composite
def any_rows(draw) -> list[list[str]]:
    width = draw(st.integers(1, 6))
    rows = [draw(st.lists(headers, min_size=width, max_size=width))]
    for _ in range(draw(st.integers(0, 5))):
        # Rows may be shorter or longer than the header.
        rows.append(draw(st.lists(cells, min_size=max(0, width - 2), max_size=width + 1)))
    return rows


@st.composite
def csv_files(draw) -> bytes:
    rows = draw(st.one_of(plausible_rows(), any_rows()))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    if draw(st.booleans()):
        out = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        csv.writer(out, delimiter=delimiter, quoting=quoting).writerows(rows)
        body = out.getvalue()
    else:  # written by hand, without quoting: delimiters and quotes inside cells break it
        body = "\n".join(delimiter.join(r) for r in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16", "koi8_r"]))
    data = body.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:
        data += draw(st.binary(max_size=20))
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(min_size=1, max_size=200))
    return data


def test_no_csv_fails_with_anything_but_syrmak_error(study, tmp_path):
    counter = itertools.count()
    outcomes = {"imported": 0, "refused": 0}

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=csv_files(), fmt=st.sampled_from(FORMATS),
           suffix=st.sampled_from([".csv", ".txt", ".tsv"]))
    def check(data: bytes, fmt: str, suffix: str) -> None:
        path = tmp_path / f"file{next(counter)}{suffix}"
        path.write_bytes(data)
        before = snapshot(study)
        try:
            result = study.import_responses(path, format=fmt)
        except SyrmakError as error:
            assert error.location.file, str(error)
            assert snapshot(study) == before
            outcomes["refused"] += 1
        else:
            assert result.added + result.duplicates == result.rows_read
            outcomes["imported"] += 1

    check()
    # The generator reaches both outcomes, so the property is not vacuous.
    assert outcomes["imported"] and outcomes["refused"], outcomes
