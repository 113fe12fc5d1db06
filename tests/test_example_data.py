"""The example study's data (examples/kz-civic-2021) against the reference report.

Independent of syrmak: the CSV is read with plain pandas and the XLSForm with openpyxl.
Expected tables and percentages are copied from the report
(shared/reference/covid-civic-activism-kz-2022.txt), the independent source; where that
file is present, the quoted attributions and "survey quote" originals are also read
from it directly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook


def _no_shared(part: str) -> None:
    """Without ../shared (a user's laptop) skip; CI has it beside the clone, so there it fails."""
    if os.environ.get("CI"):
        pytest.fail(f"../shared/{part} is missing in CI")
    pytest.skip(f"shared/{part} not available")

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "examples" / "kz-civic-2021"
XLSX = STUDY / "questionnaire.xlsx"
CSV = STUDY / "responses.csv"
SHARED_CANDIDATES = [ROOT.parent / "shared", Path("/work/shared")]
N = 31
RU, EN = "label::Russian (ru)", "label::English (en)"
PERSONAL = {"snowball_contacts", "interview_contact"}


def shared(rel: str) -> Path | None:
    for base in SHARED_CANDIDATES:
        if (base / rel).is_file():
            return base / rel
    return None


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


@cache
def form():
    wb = load_workbook(XLSX, read_only=True)
    sheets = {}
    for name in ("survey", "choices", "settings"):
        rows = list(wb[name].iter_rows(values_only=True))
        head = list(rows[0])
        sheets[name] = [
            dict(zip(head, r, strict=True)) for r in rows[1:] if any(v is not None for v in r)
        ]
        sheets[name + "_columns"] = head
    choices: dict[str, list[dict]] = {}
    for c in sheets["choices"]:
        choices.setdefault(c["list_name"], []).append(c)
    fields = [s for s in sheets["survey"] if s["type"] not in ("begin_group", "end_group", "note")]
    return sheets, choices, fields


def field(name):
    return next(f for f in form()[2] if f["name"] == name)


def choice_list(name):
    t = field(name)["type"].split()
    return form()[1][t[1]]


@cache
def table() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False, encoding="utf-8")


def decode_multi(cell: str, labels: list[str]) -> tuple[list[str], list[str]]:
    """Split a Google Forms checkbox cell: known labels longest first, the rest is 'other'."""
    by_length = sorted(labels, key=len, reverse=True)
    found, other, rest = [], [], cell
    while rest:
        for lab in by_length:
            if rest == lab or rest.startswith(lab + ", "):
                found.append(lab)
                rest = rest[len(lab) + 2 :]
                break
        else:
            head, sep, tail = rest.partition(", ")
            other.append(head)
            rest = tail
    return found, other


@cache
def answers() -> dict[str, list]:
    """Question name -> per respondent: choice name, set of names, text, or None."""
    df = table()
    out = {}
    for f in form()[2]:
        col = df[f[RU]].tolist()
        kind = f["type"].split()
        if kind[0] == "select_one":
            lab = {c[RU]: c["name"] for c in form()[1][kind[1]]}
            out[f["name"]] = [lab[v] if v else None for v in col]
        elif kind[0] == "select_multiple":
            opts = form()[1][kind[1]]
            lab = {c[RU]: c["name"] for c in opts}
            vals, others = [], []
            for v in col:
                found, other = decode_multi(v, list(lab))
                vals.append({lab[x] for x in found} if v else None)
                others.append(other)
            out[f["name"]] = vals
            out[f["name"] + "__other"] = others
        else:
            out[f["name"]] = [v if v else None for v in col]
    return out


def count(name: str, option: str) -> int:
    vals = answers()[name]
    if isinstance(next(v for v in vals if v is not None), set):
        return sum(1 for v in vals if v and option in v)
    return sum(1 for v in vals if v == option)


def answered(name: str) -> int:
    return sum(1 for v in answers()[name] if v is not None)


def en(list_name: str) -> dict[str, str]:
    return {c["name"]: c[EN] for c in form()[1][list_name]}


def cell(c: int, base: int = N) -> str:
    """Format a table cell the way the report prints it: 2 decimals, '0', '100'."""
    if c == 0:
        return "0"
    if c == base:
        return "100"
    return f"{100 * c / base:.2f}"


def printed(c: int, base: int = N) -> str:
    """Whole percent as printed in the report's text.

    The report rounds twice, half up: to one decimal, then to a whole number. Only this
    fits every printed figure: 11/31 = 35.48% appears both as "35.5%" and as "36%".
    """
    p = (Decimal(100 * c) / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(p.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------
# the questionnaire
# ---------------------------------------------------------------------------


def test_pyxform_converts_the_form():
    from pyxform.xls2xform import convert

    result = convert(xlsform=str(XLSX))
    assert "<h:html" in result.xform
    assert 'id="kz_civic_2021"' in result.xform


def test_form_sheets_and_settings():
    sheets, choices, fields = form()
    for col in ("type", "name", RU, EN, "required", "personal_data"):
        assert col in sheets["survey_columns"]
    assert sheets["choices_columns"][:4] == ["list_name", "name", RU, EN]
    (settings,) = sheets["settings"]
    assert settings["form_id"] == "kz_civic_2021"
    assert settings["default_language"] == "Russian (ru)"
    assert settings["form_title"] and settings["version"]
    groups = [s["name"] for s in sheets["survey"] if s["type"] == "begin_group"]
    assert len(groups) == 5
    # 31 Google-Forms questions: each 6-row Likert grid (Tables 3, 4) counts as one.
    assert len(fields) - 2 * 5 == 31


@pytest.mark.parametrize(
    "name, type_",
    [
        ("respondent_type", "select_one"),
        ("political", "select_one"),
        ("regions", "select_multiple"),
        ("spheres", "select_multiple"),
        ("gov_partnership_importance", "select_one"),
        ("gov_experience_before", "select_one"),
        ("adaptation", "select_one"),
        ("effectiveness_change", "select_one"),
        ("new_areas", "select_multiple"),
        ("gov_communication", "select_one"),
        ("pandemic_difficulties", "select_multiple"),
        ("lifting_emergency", "select_one"),
        ("platforms_before", "select_multiple"),
        ("platforms_during", "select_multiple"),
        ("helpful_platform", "select_one"),
        ("coping", "select_multiple"),
        ("perception_change", "select_one"),
        ("snowball_contacts", "text"),
        ("interview_consent", "select_one"),
        ("interview_contact", "text"),
    ],
)
def test_required_question_names(name, type_):
    assert field(name)["type"].split()[0] == type_


def test_choice_names_the_program_relies_on():
    assert [c["name"] for c in choice_list("respondent_type")] == ["cso", "independent"]
    assert [c["name"] for c in choice_list("political")] == ["political", "non_political"]
    assert field("spheres")["type"].endswith("or_other")
    assert [c["name"] for c in choice_list("interview_consent")] == ["yes", "no"]
    assert "${interview_consent}" in field("interview_contact")["relevant"]
    t3 = [f for f in form()[2] if f["type"] == "select_one difficulty"]
    t4 = [f for f in form()[2] if f["type"] == "select_one agree5"]
    assert len(t3) == 6 and len(t4) == 6


def test_personal_data_columns():
    marked = {f["name"] for f in form()[2] if (f.get("personal_data") or "") == "yes"}
    assert marked == PERSONAL
    assert not (field("snowball_contacts")["required"] or "")


def test_regions_are_the_2021_iso_codes():
    names = [c["name"] for c in choice_list("regions")]
    assert "KZ-ALA" in names and "KZ-AST" in names and names[-1] == "national"
    path = shared("data/kz_regions_2021.geojson")
    if path is None:
        _no_shared("data")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    geo = {f["properties"]["iso_3166_2"]: f["properties"] for f in features}
    by_code = {c["name"]: c for c in choice_list("regions") if c["name"] != "national"}
    assert set(by_code) == set(geo)
    for code, c in by_code.items():
        assert (c[RU], c[EN]) == (geo[code]["name_ru"], geo[code]["name_en"])


def test_multi_answer_labels_are_decodable():
    with_comma = False
    for f in form()[2]:
        kind = f["type"].split()
        if kind[0] != "select_multiple":
            continue
        labels = [c[RU] for c in form()[1][kind[1]]]
        assert len(labels) == len(set(labels))
        for a in labels:
            with_comma |= ", " in a
            for b in labels:
                assert a == b or not b.startswith(a + ", "), (a, b)
    assert with_comma, "at least one checkbox label must itself contain ', '"


# ---------------------------------------------------------------------------
# the export's shape
# ---------------------------------------------------------------------------


def test_csv_header_is_timestamp_then_russian_labels_in_form_order():
    df = table()
    assert list(df.columns) == ["Отметка времени"] + [f[RU] for f in form()[2]]
    assert len(df) == N


def test_timestamps_are_increasing_within_three_weeks():
    stamps = [dt.datetime.strptime(s, "%d.%m.%Y %H:%M:%S") for s in table()["Отметка времени"]]
    assert all(a < b for a, b in pairwise(stamps))
    assert stamps[-1] - stamps[0] <= dt.timedelta(days=21)
    assert all(s.year == 2021 and s.month in (9, 10) for s in stamps)


def test_every_cell_is_a_known_label():
    df = table()
    for f in form()[2]:
        kind = f["type"].split()
        col = df[f[RU]]
        if kind[0] == "select_one":
            labels = {c[RU] for c in form()[1][kind[1]]}
            assert set(col) - {""} <= labels, f["name"]
        elif kind[0] == "select_multiple":
            others = [o for os in answers()[f["name"] + "__other"] for o in os]
            if "or_other" in kind:
                assert all(o.strip() for o in others)
            else:
                assert others == [], (f["name"], others)
        elif kind[0] == "integer":
            assert all(v == "" or re.fullmatch(r"\d+", v) for v in col)


def test_only_the_modelled_skips_are_empty():
    """Non-response: 2 skipped gov_communication (base 29), 1 skipped perception (base 30)."""
    assert answered("gov_communication") == 29
    assert answered("perception_change") == 30
    for f in form()[2]:
        if (f["required"] or "") == "yes" and not (f["relevant"] or ""):
            assert answered(f["name"]) == N, f["name"]


# ---------------------------------------------------------------------------
# Tables 1-4, cell by cell
# ---------------------------------------------------------------------------


def crosstab_rows(row_q, col_q):
    rows, cols = choice_list(row_q), choice_list(col_q)
    data = list(zip(answers()[row_q], answers()[col_q], strict=True))
    out = {}
    for r in rows:
        cells = [cell(sum(1 for a, b in data if a == r["name"] and b == c["name"])) for c in cols]
        cells.append(cell(sum(1 for a, _ in data if a == r["name"])))
        out[r[EN]] = tuple(cells)
    totals = [cell(sum(1 for _, b in data if b == c["name"])) for c in cols]
    out["Total"] = tuple(totals + [cell(len(data))])
    return [c[EN] for c in cols], out


def test_table1_partnership_importance_by_experience():
    cols, got = crosstab_rows("gov_partnership_importance", "gov_experience_before")
    assert cols == [
        "No, we did not have such experience",
        "Yes, we had a partnership/collaboration",
    ]
    assert got == {
        "Difficult to answer": ("3.23", "3.23", "6.45"),
        "More unimportant than important": ("6.45", "6.45", "12.90"),
        "More important than unimportant": ("12.90", "38.71", "51.61"),
        "Very important": ("3.23", "25.81", "29.03"),
        "Total": ("25.81", "74.19", "100"),
    }


def test_table2_adaptation_by_effectiveness():
    cols, got = crosstab_rows("adaptation", "effectiveness_change")
    assert cols == [
        "We became a lot less effective",
        "We became a little less effective",
        "Effectiveness did not change",
        "We became a little more effective",
        "We became a lot more effective",
    ]
    assert got == {
        "No": ("3.23", "0", "0", "0", "0", "3.23"),
        "Partly": ("6.45", "9.68", "0", "3.23", "0", "19.35"),
        "Yes, fully": ("6.45", "9.68", "29.03", "16.13", "16.13", "77.42"),
        "Total": ("16.13", "19.35", "29.03", "19.35", "16.13", "100"),
    }


TABLE3 = {
    "Providing continuous services": ("16.13", "38.71", "25.81", "19.35", "0"),
    "Fundraising": ("19.35", "41.94", "29.03", "3.23", "6.45"),
    "Building relations with the government authorities": ("25.81", "29.03", "38.71", "6.45", "0"),
    "Finishing work obligations on schedule": ("6.45", "38.71", "48.39", "3.23", "3.23"),
    "Team management": ("19.35", "41.94", "29.03", "9.68", "0"),
    "Building communications within team": ("25.81", "32.26", "41.94", "0", "0"),
}


def test_table3_aspects_of_work():
    items = [f for f in form()[2] if f["type"] == "select_one difficulty"]
    levels = form()[1]["difficulty"]
    assert [c[EN] for c in levels] == [
        "Became easier",
        "Remained the same",
        "Became more difficult",
        "Did not have this problem",
        "Difficult to answer",
    ]
    got = {f[EN]: tuple(cell(count(f["name"], c["name"])) for c in levels) for f in items}
    assert got == TABLE3


TABLE4 = {
    "The COVID-19 outbreak has boosted people's civic engagement": ("16.13", "25.81", "58.06", "0"),
    "The COVID-19 outbreak showed people their potential and power": (
        "22.58",
        "29.03",
        "48.39",
        "0",
    ),
    'The pandemic has increased what is defined as "social capital" in society – human '
    "bonds, solidarity, mutual trust": ("22.58", "29.03", "45.16", "3.23"),
    "A number of community organizations and leaders successfully emerged and became better "
    "known to the community during the pandemic": ("22.58", "38.71", "35.48", "3.23"),
    "New social movements, organizations and leaders emerged during the pandemic": (
        "22.58",
        "29.03",
        "45.16",
        "3.23",
    ),
    "The COVID-19 outbreak significantly changed the influence of party-political structures "
    "and independent civil society structures": ("38.71", "32.26", "22.58", "6.45"),
}


def test_table4_agreement_collapsed_as_printed():
    items = [f for f in form()[2] if f["type"] == "select_one agree5"]
    assert [c["name"] for c in form()[1]["agree5"]] == [
        "strongly_disagree",
        "rather_disagree",
        "neither",
        "rather_agree",
        "strongly_agree",
        "undecided",
    ]
    got = {}
    for f in items:
        c = {o: count(f["name"], o) for o in en("agree5")}
        got[f[EN]] = (
            cell(c["strongly_disagree"] + c["rather_disagree"]),
            cell(c["neither"]),
            cell(c["rather_agree"] + c["strongly_agree"]),
            cell(c["undecided"]),
        )
    assert got == TABLE4


# ---------------------------------------------------------------------------
# every percentage printed in the text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, options, base, expected",
    [
        # Figure 2
        ("spheres", ["human_rights"], N, "58"),
        ("spheres", ["women"], N, "42"),
        ("spheres", ["vulnerable"], N, "36"),
        ("spheres", ["lgbtq"], N, "13"),
        # Table 2 text
        ("adaptation", ["fully"], N, "77"),
        ("adaptation", ["partly"], N, "19"),
        ("effectiveness_change", ["no_change"], N, "29"),
        # Figure 3
        ("new_areas", ["hr_monitoring"], N, "48"),
        ("new_areas", ["legal_help"], N, "45"),
        ("new_areas", ["covid_info"], N, "45"),
        ("new_areas", ["gov_overreach"], N, "42"),
        ("new_areas", ["hospital_ppe"], N, "13"),
        ("new_areas", ["groceries"], N, "10"),
        ("new_areas", ["ppe_fundraising"], N, "3"),
        ("new_areas", ["sanitizing"], N, "3"),
        ("new_areas", ["day_hospitals"], N, "3"),
        # Figure 4 / Table 3 text
        ("difficulty_obligations", ["harder"], N, "48"),
        ("difficulty_team_communication", ["harder"], N, "42"),
        ("difficulty_gov_relations", ["harder"], N, "39"),
        ("difficulty_team_communication", ["easier"], N, "26"),
        ("difficulty_gov_relations", ["easier"], N, "26"),
        ("difficulty_fundraising", ["harder"], N, "29"),
        ("difficulty_fundraising", ["easier"], N, "19"),
        # Figure 5: base 29 (two skipped)
        ("gov_communication", ["average"], 29, "38"),
        ("gov_communication", ["below_average"], 29, "41"),
        # health
        ("pandemic_difficulties", ["burnout"], N, "55"),
        # Figure 6
        ("lifting_emergency", ["easier"], N, "45"),
        # Figure 7
        ("platforms_during", [], N, "100"),
        # coping
        ("coping", ["counseling"], N, "29"),
        ("coping", ["family"], N, "16"),
        # Figure 9: base 30 (one skipped)
        ("perception_change", ["better"], 30, "67"),
    ],
)
def test_text_percentages(question, options, base, expected):
    assert answered(question) == base
    # no options: anyone who answered at all
    c = sum(count(question, o) for o in options) if options else answered(question)
    assert printed(c, base) == expected


def test_effectiveness_increase_is_35_5_percent():
    c = count("effectiveness_change", "little_more") + count("effectiveness_change", "much_more")
    assert f"{100 * c / N:.1f}" == "35.5"


def test_figure2_top_four_and_several_directions():
    sp = Counter(o for v in answers()["spheres"] for o in v)
    top = [k for k, _ in sp.most_common(4)]
    assert top == ["human_rights", "women", "vulnerable", "lgbtq"]
    assert sp.most_common(5)[4][1] < sp["lgbtq"]
    several = sum(
        1
        for v, o in zip(answers()["spheres"], answers()["spheres__other"], strict=True)
        if len(v) + len(o) >= 2
    )
    assert several >= 26  # "the overwhelming majority ... several thematic directions"
    assert any(answers()["spheres__other"])


def test_figure1_mostly_almaty_and_nur_sultan():
    rg = Counter(o for v in answers()["regions"] for o in v)
    assert {k for k, _ in rg.most_common(2)} == {"KZ-ALA", "KZ-AST"}
    assert rg.most_common(3)[2][1] < min(rg["KZ-ALA"], rg["KZ-AST"])
    assert 0 < rg["national"] < N / 2  # "only some" work at the state level


def test_burnout_is_the_most_common_difficulty():
    c = Counter(o for v in answers()["pandemic_difficulties"] for o in v)
    assert c.most_common(1)[0][0] == "burnout"
    assert c.most_common(2)[1][1] < c["burnout"]


def test_figure7_digital_tools():
    during, before = answers()["platforms_during"], answers()["platforms_before"]
    assert all(v and "none" not in v for v in during)
    assert 0 < sum(1 for v in before if "none" in v) < N / 2  # "most ... even before"
    cb = Counter(o for v in before for o in v)
    cd = Counter(o for v in during for o in v)
    for grown in ("telegram", "youtube", "teams", "zoom"):
        assert cd[grown] > cb[grown] + 3, grown
    for popular in ("whatsapp", "instagram", "facebook"):
        assert cb[popular] > N / 2 and cd[popular] > N / 2


def test_figure8_instagram_then_telegram():
    c = Counter(answers()["helpful_platform"]).most_common()
    assert c[0][0] == "instagram" and c[1][0] == "telegram"
    assert c[0][1] > c[1][1] > c[2][1]


# ---------------------------------------------------------------------------
# respondents the report names
# ---------------------------------------------------------------------------

ATTRIBUTIONS = {  # copied from the report's quote attributions
    2: "independent activist",
    3: "representative of an CSO pursuing political activities",
    6: "representative of an CSO pursuing non-political activities",
    8: "representative of an CSO pursuing non-political activities",
    13: "representative of an CSO pursuing non-political activities",
    15: "representative of an CSO pursuing non-political activities",
    16: "representative of an CSO pursuing non-political activities",
    19: "representative of an CSO pursuing non-political activities",
    25: "independent activist",
    26: "representative of an CSO pursuing political activities",
    27: "representative of an CSO pursuing political activities",
    29: "representative of an CSO pursuing non-political activities",
}
INTERVIEWEES = {6, 13, 15, 25, 26}
SURVEY_QUOTED = {2, 3, 8, 16, 19, 26, 27, 29}
OPEN_QUESTIONS = [
    "challenges_text",
    "coping_text",
    "overcoming_text",
    "online_work_text",
    "digital_role_text",
    "gov_relations_text",
]


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def attribution(k: int) -> str:
    """Respondent k's attribution, derived from the English labels of the form."""
    t = answers()["respondent_type"][k - 1]
    if t == "independent":
        return lower_first(en("respondent_type")[t])
    return (
        lower_first(en("respondent_type")[t])
        + " "
        + lower_first(en("political")[answers()["political"][k - 1]])
    )


@cache
def report_lines() -> list[str] | None:
    path = shared("reference/covid-civic-activism-kz-2022.txt")
    return path.read_text(encoding="utf-8").splitlines() if path else None


ATTR_RE = re.compile(r"^Respondent (\d+), (.+), (survey|interview) quote\s*$")


def test_attribution_list_matches_the_report():
    lines = report_lines()
    if lines is None:
        _no_shared("reference")
    found = {}
    for line in lines:
        m = ATTR_RE.match(line.strip())
        if m:
            found.setdefault(int(m[1]), set()).add(m[2])
    assert {k: v.pop() for k, v in found.items() if len(v) == 1} == ATTRIBUTIONS
    survey = {
        int(m[1]) for line in lines if (m := ATTR_RE.match(line.strip())) and m[3] == "survey"
    }
    interview = {
        int(m[1]) for line in lines if (m := ATTR_RE.match(line.strip())) and m[3] == "interview"
    }
    assert survey == SURVEY_QUOTED and interview == INTERVIEWEES


@pytest.mark.parametrize("k", sorted(ATTRIBUTIONS))
def test_respondent_type_and_politics(k):
    assert attribution(k) == ATTRIBUTIONS[k]


def test_interviewees_consented_and_left_a_contact():
    consent, contact = answers()["interview_consent"], answers()["interview_contact"]
    for k in INTERVIEWEES:
        assert consent[k - 1] == "yes" and contact[k - 1], k
    for c, x in zip(consent, contact, strict=True):
        assert (c == "yes") == bool(x)
    # selection criteria: CSO and independent, political and not, big city and region
    assert {answers()["respondent_type"][k - 1] for k in INTERVIEWEES} == {"cso", "independent"}
    assert {answers()["political"][k - 1] for k in INTERVIEWEES} == {"political", "non_political"}
    big = {"KZ-ALA", "KZ-AST", "KZ-SHY", "national"}
    kinds = {bool(answers()["regions"][k - 1] & big) for k in INTERVIEWEES}
    assert kinds == {True, False}


def test_interviewees_did_not_burn_out_themselves():
    for k in INTERVIEWEES:
        assert "burnout" not in answers()["pandemic_difficulties"][k - 1], k


def open_text(k: int) -> str:
    return " ".join(answers()[q][k - 1] or "" for q in OPEN_QUESTIONS)


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@pytest.mark.parametrize("k", sorted(SURVEY_QUOTED))
def test_survey_quoted_respondents_have_open_answers(k):
    assert open_text(k).strip()


def survey_originals() -> list[tuple[int, str]]:
    lines = report_lines()
    out = []
    for i, line in enumerate(lines):
        m = ATTR_RE.match(line.strip())
        if not m or m[3] != "survey":
            continue
        j = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "Original in Russian:")
        text = next(lines[t] for t in range(j + 1, len(lines)) if lines[t].strip())
        out.append((int(m[1]), norm(text)))
    return out


def test_report_survey_quotes_are_in_the_open_answers():
    if report_lines() is None:
        _no_shared("reference")
    originals = survey_originals()
    assert len(originals) >= 12
    for k, text in originals:
        assert text in norm(open_text(k)), (k, text[:60])


def test_open_answers_of_quoted_respondents_come_from_the_report():
    if report_lines() is None:
        _no_shared("reference")
    report = norm("\n".join(report_lines()))
    for k in SURVEY_QUOTED:
        for q in OPEN_QUESTIONS:
            text = answers()[q][k - 1]
            if text:
                for sentence in re.split(r"(?<=[.!?])\s+", norm(text)):
                    assert sentence in report, (k, q, sentence[:60])


# ---------------------------------------------------------------------------
# contacts: made up, and only in the personal-data columns
# ---------------------------------------------------------------------------

CONTACT = re.compile(
    r"[a-z0-9._]+@example\.(?:org|com)"
    r"|\+7 \(700\) 000-\d\d-\d\d"
    r"|@[a-z0-9_]+"
)


def test_contacts_only_in_personal_data_columns():
    df = table()
    personal_headers = {field(n)[RU] for n in PERSONAL}
    for col in df.columns:
        if col in personal_headers:
            continue
        for v in df[col]:
            assert "@" not in v and "+7" not in v, (col, v[:60])


def test_contacts_are_fake():
    for name in PERSONAL:
        for v in answers()[name]:
            if v:
                rest = CONTACT.sub("", v)
                assert re.fullmatch(r"[ ,;]*", rest), (name, v)
    assert sum(1 for v in answers()["snowball_contacts"] if v) >= 10
