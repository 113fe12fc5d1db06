"""ODK Central CSV exports: '-' between group and question, KEY, split select columns."""

from __future__ import annotations

import pandas as pd

from tests.survey.test_import_support import write_csv

HEADER = ["SubmissionDate", "start", "end", "today", "deviceid", "about-kind", "about-sphere",
          # "Split select multiples": only the options someone chose get a column.
          "about-sphere-rights", "about-sphere-eco", "about-sphere_other", "about-staff",
          "about-budget", "about-founded", "views-trust", "views-hope", "views-story",
          "contact", "meta-instanceID", "KEY", "SubmitterID", "SubmitterName",
          "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID",
          "Edits", "FormVersion"]


def row(date, kind, sphere, staff, trust, story, contact, key):
    chosen = sphere.split()
    return [date, "2021-09-15T10:00:00.000+06:00", "2021-09-15T10:09:00.000+06:00",
            "2021-09-15", "collect:Xyz", kind, sphere,
            "1" if "rights" in chosen else "0" if sphere else "",
            "1" if "eco" in chosen else "0" if sphere else "", "", staff, "", "", trust, "",
            story, contact, f"uuid:{key}", f"uuid:{key}", "5", "enumerator 5", "0", "0", "",
            "approved", "", "0", "3"]


# ODK Central lists the newest submission first.
ROWS = [
    row("2021-09-17T08:00:00.000Z", "independent", "eco", "2", "agree", "", "", "c3"),
    row("2021-09-16T08:00:00.000Z", "cso", "rights eco", "15", "disagree", "Нет связи",
        "a@example.org", "b2"),
    row("2021-09-15T08:00:00.000Z", "cso", "", "", "", "", "", "a1"),
]


def test_central_csv(study, tmp_path):
    path = write_csv(tmp_path / "civic.csv", [HEADER, *ROWS])
    result = study.import_responses(path)
    assert result.format == "odk"
    assert result.added == 3 and result.contacts_stored == 1
    frame = study.responses(lang="en")
    # Numbers follow SubmissionDate, not the newest-first file order.
    assert frame["kind"].tolist() == ["Registered CSO", "Registered CSO", "Independent activist"]
    assert frame.loc[2, ["sphere/rights", "sphere/women", "sphere/eco"]].tolist() == [
        True, False, True]
    assert frame.loc[1, ["sphere/rights", "sphere/women"]].isna().all()
    assert frame["staff"].tolist() == [pd.NA, 15, 2]


def test_key_makes_reimport_idempotent(study, tmp_path):
    path = write_csv(tmp_path / "civic.csv", [HEADER, *ROWS[1:]])
    assert study.import_responses(path).numbers == (1, 2)
    # A later export holds one more (newer) submission.
    later = study.import_responses(write_csv(tmp_path / "later.csv", [HEADER, *ROWS]))
    assert (later.added, later.duplicates, later.numbers) == (1, 2, (3,))
    assert study.responses(lang="en").loc[3, "kind"] == "Independent activist"


def test_explicit_format_and_split_columns_alone(study, tmp_path):
    header = [h for h in HEADER if h != "about-sphere"]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h != "about-sphere"] for r in ROWS]
    result = study.import_responses(write_csv(tmp_path / "s.csv", [header, *rows]), format="odk")
    assert result.added == 3
    frame = study.responses(lang="en")
    assert frame.loc[3, ["sphere/rights", "sphere/eco"]].tolist() == [False, True]
