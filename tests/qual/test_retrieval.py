import pandas as pd
import pytest

from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.qual.retrieval import Code, parse_query, retrieve

# 0         1         2         3         4         5
# 012345678901234567890123456789012345678901234567890123456
TEXT = "Денег не было. Мы выгорали. Карантин мешал. Помогали друг другу."


@pytest.fixture
def coded(surveyed):
    s = surveyed
    cb.import_yaml(s, "codes: [{name: Трудности, codes: [Деньги, Выгорание]}, Карантин, "
                      "Взаимопомощь, fear of infection]")
    qd.add_text(s, "int1", TEXT, respondent=1)
    qd.add_text(s, "int3", TEXT, respondent=3)
    qd.add_text(s, "int4", TEXT, respondent=4)

    def code(doc, quote, name, coder="anna"):
        return cd.code_quote(s, doc, quote, name, coder)

    code("int1", "Денег не было.", "Деньги")
    code("int1", "не было. Мы выгорали.", "Выгорание")
    code("int1", "Карантин мешал.", "Карантин")
    code("int3", "Мы выгорали.", "Выгорание", "bob")
    code("int3", "Помогали друг другу.", "Взаимопомощь")
    code("int4", "Денег не было. Мы выгорали.", "Деньги")
    code("int4", "Денег", "fear of infection")
    return s


def spans(result):
    return [(r["document"], r["text"]) for r in result.rows]


def test_code_with_and_without_subcodes(coded):
    got = spans(retrieve(coded, "Трудности"))
    assert got == [("int1", "Денег не было."), ("int1", "не было. Мы выгорали."),
                   ("int3", "Мы выгорали."), ("int4", "Денег не было. Мы выгорали.")]
    assert spans(retrieve(coded, "=Трудности")) == []
    assert spans(retrieve(coded, Code("Выгорание"), coders=["bob"])) == [("int3", "Мы выгорали.")]


@pytest.mark.parametrize("query, expected", [
    ("Деньги AND Выгорание", [("int1", "не было.")]),
    ("Деньги & Выгорание", None),
    ("Выгорание OVERLAP Деньги", [("int1", "не было. Мы выгорали.")]),
    ("Выгорание NOT Деньги", [("int3", "Мы выгорали.")]),
    ("Выгорание NEAR/5 Взаимопомощь", []),
    ("Выгорание NEAR/30 Взаимопомощь", [("int3", "Мы выгорали.")]),
    ("Карантин OR Взаимопомощь", [("int1", "Карантин мешал."), ("int3", "Помогали друг другу.")]),
    ("fear of infection OR (Карантин AND Деньги)", [("int4", "Денег")]),
    ('"fear of infection" OVERLAP Трудности', [("int4", "Денег")]),
])
def test_operators(coded, query, expected):
    if expected is None:
        with pytest.raises(SyrmakError, match="no code 'Деньги & Выгорание'"):
            retrieve(coded, query)
        return
    assert spans(retrieve(coded, query)) == expected


def test_operators_match_brute_force(coded):
    """AND/OVERLAP/NOT/NEAR against an independent character-set computation."""
    frame = cd.codings_frame(coded)

    def chars(code):
        rows = frame[frame.code.str.endswith(code)]
        return {(r.document, i) for r in rows.itertuples() for i in range(r.start, r.end)}

    money, burn = chars("Деньги"), chars("Выгорание")
    got = {(r["document"], i) for r in retrieve(coded, "Деньги AND Выгорание").rows
           for i in range(r["start"], r["end"])}
    assert got == money & burn
    burn_rows = frame[frame.code.str.endswith("Выгорание")]
    overlapping = [r for r in burn_rows.itertuples()
                   if any((r.document, i) in money for i in range(r.start, r.end))]
    assert len(retrieve(coded, "Выгорание OVERLAP Деньги")) == len(overlapping)
    assert len(retrieve(coded, "Выгорание NOT Деньги")) == len(burn_rows) - len(overlapping)


def test_filters_context_and_outputs(coded, tmp_path):
    result = retrieve(coded, "Трудности", where={"kind": "Registered CSO"}, context=5, lang="en")
    assert {r["document"] for r in result.rows} == {"int1", "int3"}
    first = result.rows[0]
    assert (first["before"], first["text"], first["after"], first["respondent"]) == (
        "", "Денег не было.", " Мы в", 1)
    para = retrieve(coded, "Карантин", context="paragraph")
    assert para.rows[0]["before"] + para.rows[0]["text"] + para.rows[0]["after"] == TEXT
    assert len(retrieve(coded, "Трудности", documents=["int4"])) == 1
    assert len(retrieve(coded, "Трудности", where=lambda f: f["staff"] > 10)) == 1
    with pytest.raises(SyrmakError, match="no document variable"):
        retrieve(coded, "Трудности", where={"colour": "red"})
    result.to_csv(tmp_path / "s.csv")
    result.to_xlsx(tmp_path / "s.xlsx")
    assert pd.read_csv(tmp_path / "s.csv")["text"].tolist() == [r["text"] for r in result.rows]
    assert pd.read_excel(tmp_path / "s.xlsx")["document"].tolist() == ["int1", "int1", "int3"]
    md = result.to_markdown("Respondent {respondent}")
    assert "> Денег не было.\n\n— Respondent 1, 0–14 (Трудности/Деньги; anna)" in md


@pytest.mark.parametrize("text", ["", "A AND", "(A OR B", "A B)", "AND A"])
def test_bad_queries(text):
    with pytest.raises(SyrmakError):
        parse_query(text)


def test_parse_round_trip():
    assert str(parse_query('a b OR c AND =d NEAR/20 "e OR f"')) == "(a b OR ((c AND =d) NEAR/20 e OR f))"
