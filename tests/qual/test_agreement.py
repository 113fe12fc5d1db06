import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from syrmak.errors import SyrmakError
from syrmak.qual import agreement as ag
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal example:
# 4 observers, 12 units, missing values; published alpha = 0.743.
K4 = [[1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
      [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]]
# Same paper, binary data, two observers, no missing data: published alpha = 0.095.
A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]


def test_published_krippendorff_examples():
    assert ag.krippendorff_alpha(np.array(K4)) == pytest.approx(0.743, abs=5e-4)
    assert ag.krippendorff_alpha(np.array([A, B])) == pytest.approx(0.095, abs=5e-4)


@pytest.fixture
def two_coders(new_study):
    """Krippendorff's binary example as a code present/absent in 10 documents."""
    s = new_study()
    cb.add_code(s, "Выгорание")
    cb.add_code(s, "Деньги")
    for i in range(10):
        qd.add_text(s, f"d{i}", "Мы выгорали, денег не было.")
        for coder, row in (("anna", A), ("bob", B)):
            if row[i]:
                cd.code_span(s, f"d{i}", 3, 11, "Выгорание", coder)
    for coder in ("anna", "bob"):
        cd.code_span(s, "d0", 13, 18, "Деньги", coder)
    cd.code_span(s, "d1", 12, 18, "Деньги", "bob")
    return s


def test_document_level_matches_published_and_statsmodels(two_coders):
    docs = [f"d{i}" for i in range(10)]
    result = ag.document_agreement(two_coders, documents=docs)
    row = result.table.loc["Выгорание"]
    assert row["krippendorff_alpha"] == pytest.approx(0.095, abs=5e-4)
    assert row["agreement"] == pytest.approx(0.6)
    table = np.array([[sum(1 for a, b in zip(A, B, strict=True) if (a, b) == (i, j))
                       for j in (0, 1)] for i in (0, 1)])
    assert row["cohen_kappa"] == pytest.approx(sm_kappa(table).kappa)
    assert row["brennan_prediger"] == pytest.approx((0.6 - 0.5) / 0.5)
    assert set(result.disagreements.loc[result.disagreements.code == "Выгорание",
                                        "document"]) == {"d0", "d2", "d5", "d8"}
    overall = result.table.loc[ag.OVERALL]
    assert overall["units"] == 20
    pooled_a = A + [1, 0] + [0] * 8
    pooled_b = B + [1, 1] + [0] * 8
    assert overall["agreement"] == pytest.approx(np.mean(np.equal(pooled_a, pooled_b)))
    assert overall["cohen_kappa"] == pytest.approx(ag.cohen_kappa(pooled_a, pooled_b))
    # By default only documents both coders coded count: d0 and d1 (d2, d5: bob only).
    assert ag.document_agreement(two_coders).documents == ("d0", "d1")


def test_cohen_kappa_adds_chance_terms():
    a = ["x", "x", "y", "y", "x"]
    b = ["x", "y", "y", "y", "x"]
    po, pe = 0.8, 0.6 * 0.4 + 0.4 * 0.6
    assert ag.cohen_kappa(a, b) == pytest.approx((po - pe) / (1 - pe))


def test_three_coders_light_kappa(two_coders):
    cd.code_span(two_coders, "d0", 3, 11, "Выгорание", "cem")
    result = ag.document_agreement(two_coders, documents=["d0", "d1", "d2"], codes=["Выгорание"])
    m = np.array([[0, 1, 0], [1, 1, 1], [1, 0, 0]])
    pairs = [(0, 1), (0, 2), (1, 2)]
    row = result.table.loc["Выгорание"]
    assert row["cohen_kappa"] == pytest.approx(np.mean([ag.cohen_kappa(m[i], m[j])
                                                        for i, j in pairs]))
    assert row["agreement"] == pytest.approx(np.mean([np.mean(m[i] == m[j]) for i, j in pairs]))
    assert row["krippendorff_alpha"] == pytest.approx(ag.krippendorff_alpha(m))


def test_segment_level(new_study):
    s = new_study()
    cb.add_code(s, "A")
    cb.add_code(s, "B")
    qd.add_text(s, "doc", "x" * 200)
    cd.code_span(s, "doc", 0, 100, "A", "anna")
    cd.code_span(s, "doc", 5, 100, "A", "bob")      # overlap 95/100: agrees at 90%
    cd.code_span(s, "doc", 120, 140, "A", "anna")   # only anna
    cd.code_span(s, "doc", 125, 140, "A", "anna")   # anna overlapping herself: no agreement
    cd.code_span(s, "doc", 150, 200, "B", "anna")
    cd.code_span(s, "doc", 150, 170, "B", "bob")    # overlap 20/50: disagrees
    result = ag.segment_agreement(s, threshold=0.9)
    t = result.table.set_index("code")
    assert t.loc["A", ["agree", "disagree"]].tolist() == [2, 2]
    assert t.loc["B", ["agree", "disagree"]].tolist() == [0, 2]
    po = 1 / (1 + 2 + 2)
    assert t.loc[ag.OVERALL, "p_o"] == pytest.approx(po)
    assert t.loc[ag.OVERALL, "kappa"] == pytest.approx((po - 0.5) / 0.5)
    assert sorted(result.disagreements["start"]) == [120, 125, 150, 150]
    loose = ag.segment_agreement(s, threshold=0.4).table.set_index("code")
    assert loose.loc["B", "agree"] == 2


def test_agreement_errors(new_study):
    s = new_study()
    cb.add_code(s, "A")
    qd.add_text(s, "doc", "text")
    cd.code_span(s, "doc", 0, 2, "A", "anna")
    with pytest.raises(SyrmakError, match="two coders"):
        ag.document_agreement(s)
    with pytest.raises(SyrmakError, match="no codings by zed"):
        ag.document_agreement(s, coders=["anna", "zed"])
    with pytest.raises(SyrmakError, match="threshold"):
        ag.segment_agreement(s, threshold=1.5)
