import pandas as pd
import pytest

from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.qual import matrices as mx

TEXT = "Денег не было. Мы выгорали. Карантин мешал."


@pytest.fixture
def coded(surveyed):
    """Respondents 1, 3 (CSO) and 2, 4 (independent); documents for 1, 2, 3 and an unlinked one.

    Codings (document: codes): i1: Деньги, Выгорание; i1b: Выгорание; i2: Карантин;
    i3: Деньги; free: Деньги.
    """
    s = surveyed
    cb.import_yaml(s, "codes: [{name: Трудности, codes: [Деньги, Выгорание]}, Карантин]")
    for name, respondent in (("i1", 1), ("i1b", 1), ("i2", 2), ("i3", 3), ("free", None)):
        qd.add_text(s, name, TEXT, respondent=respondent)
    for doc, quote, code in (("i1", "Денег не было.", "Деньги"),
                             ("i1", "не было. Мы", "Выгорание"),
                             ("i1b", "Мы выгорали.", "Выгорание"),
                             ("i2", "Карантин мешал.", "Карантин"),
                             ("i3", "Денег", "Деньги"), ("free", "Денег", "Деньги")):
        cd.code_quote(s, doc, quote, code, "anna")
    qd.set_variable(s, "i1", "political", "yes")
    qd.set_variable(s, "i3", "political", "no")
    return s


def test_code_matrix_documents_and_respondents(coded):
    m = mx.code_matrix(coded, "kind", unit="documents", lang="en")
    cso, ind = "Registered CSO", "Independent activist"
    assert list(m.counts.columns) == [cso, ind, "Total"]
    assert m.bases.to_dict() == {cso: 3, ind: 1, "Total": 5}
    assert m.counts.loc["Трудности"].to_dict() == {cso: 3, ind: 0, "Total": 4}
    assert m.counts.loc["Трудности/Выгорание"].to_dict() == {cso: 2, ind: 0, "Total": 2}
    assert m.percents.loc["Трудности/Выгорание", cso] == pytest.approx(66.7)
    r = mx.code_matrix(coded, "kind", ["Выгорание", "Карантин"], unit="respondents", lang="en")
    assert r.bases.to_dict() == {cso: 2, ind: 1, "Total": 3}
    assert r.counts.to_dict("index") == {"Трудности/Выгорание": {cso: 1, ind: 0, "Total": 1},
                                         "Карантин": {cso: 0, ind: 1, "Total": 1}}
    frame = m.to_frame()
    assert frame.loc["Трудности", (cso, "%")] == 100.0
    assert frame.loc["documents (base)", ("Total", "n")] == 5
    free = mx.code_matrix(coded, "political")
    assert free.counts.loc["Трудности/Деньги"].to_dict() == {"no": 1, "yes": 1, "Total": 3}
    multi = mx.code_matrix(coded, "sphere", ["Деньги"], unit="respondents")
    assert multi.counts.loc["Трудности/Деньги"].to_dict() == {
        "rights": 1, "women": 0, "eco": 2, "other": 0, "Total": 2}
    with pytest.raises(SyrmakError, match="no variable"):
        mx.code_matrix(coded, "nothing")


def test_cooccurrence(coded):
    doc = mx.cooccurrence(coded, ["Деньги", "Выгорание", "Карантин"])
    assert doc.counts.to_numpy().tolist() == [[3, 1, 0], [1, 2, 0], [0, 0, 1]]
    assert doc.jaccard.loc["Трудности/Деньги", "Трудности/Выгорание"] == pytest.approx(1 / 4)
    seg = mx.cooccurrence(coded, ["Деньги", "Выгорание"], level="segment")
    assert seg.counts.to_numpy().tolist() == [[3, 1], [1, 2]]
    assert seg.jaccard.iloc[0, 1] == pytest.approx(1 / 4)


def test_quote_matrix(coded, tmp_path):
    q = mx.quote_matrix(coded, "kind", ["Деньги", "Карантин"], lang="en")
    assert [s["text"] for s in q.cells[("Трудности/Деньги", "Registered CSO")]] == [
        "Денег не было.", "Денег"]
    assert ("Трудности/Деньги", "Independent activist") not in q.cells
    frame = q.to_frame()
    assert frame.loc["Карантин", "Independent activist"] == "Карантин мешал. [i2]"
    q.to_xlsx(tmp_path / "q.xlsx")
    assert pd.read_excel(tmp_path / "q.xlsx", index_col=0).shape == (2, 2)
    assert "### Registered CSO\n\n> Денег не было.\n\n— i1" in q.to_markdown()


def test_code_variable_in_crosstab(coded):
    has = mx.code_variable(coded, "Трудности")
    assert has.index.tolist() == [1, 2, 3, 4]
    assert has.tolist() == [True, False, True, pd.NA]
    count = mx.code_variable(coded, "Трудности", kind="count")
    assert count.tolist() == [3, 0, 1, pd.NA]
    from syrmak.analysis.tables import crosstab

    form, frame = mx.with_codes(coded, ["Трудности"], lang="en")
    table = crosstab(form, frame, "code:Трудности", "kind", lang="en")
    counts = table.to_frame()
    assert counts.to_numpy().sum() > 0
    expected = pd.crosstab(frame["code:Трудности"], frame["kind"])
    assert expected.loc["yes", "Registered CSO"] == 2
    assert expected.loc["no", "Independent activist"] == 1
