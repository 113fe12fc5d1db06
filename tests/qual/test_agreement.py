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
    # By default every document counts: one anna left uncoded is her "absent".
    assert ag.document_agreement(two_coders).documents == tuple(docs)


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


@pytest.fixture
def krippendorff_binary(new_study):
    """Krippendorff (2011), binary example, as a study: coders a and b, one code 'X',
    documents u1..u10; a coder who marked a unit 1 coded X there, 0 left it uncoded."""
    s = new_study()
    cb.add_code(s, "X")
    for i in range(10):
        qd.add_text(s, f"u{i + 1}", "Мы выгорали.")
        for coder, row in (("a", A), ("b", B)):
            if row[i]:
                cd.code_span(s, f"u{i + 1}", 0, 2, "X", coder)
    return s


# Percent agreement 6/10; Brennan-Prediger (p_o - 1/2) / (1 - 1/2) = 0.2; Cohen's kappa
# (0.6 - 0.56) / 0.44 = 0.0909; alpha 0.095 as published by Krippendorff (2011).
KRIPPENDORFF_BINARY = {"units": 10, "agreement": 0.6, "brennan_prediger": 0.2,
                       "cohen_kappa": 0.04 / 0.44, "krippendorff_alpha": 0.095}


@pytest.mark.parametrize("documents", [None, [f"u{i}" for i in range(1, 11)]])
def test_uncoded_assigned_documents_are_units(krippendorff_binary, documents):
    """Counting only documents both coders coded gave units=1, agreement 1.0, alpha
    undefined on this example."""
    row = ag.document_agreement(krippendorff_binary, coders=["a", "b"],
                                documents=documents).table.loc["X"]
    for key, value in KRIPPENDORFF_BINARY.items():
        assert row[key] == pytest.approx(value, abs=5e-4), key


def test_assignments_per_coder(krippendorff_binary):
    given = {"a": [f"u{i}" for i in range(1, 11)], "b": [f"u{i}" for i in range(1, 6)]}
    result = ag.document_agreement(krippendorff_binary, assignments=given)
    assert result.documents == ("u1", "u2", "u3", "u4", "u5")
    assert "assigned to every coder" in result.units_from
    with pytest.raises(SyrmakError, match="no document list for coder"):
        ag.document_agreement(krippendorff_binary, assignments={"a": ["u1"]})
    with pytest.raises(SyrmakError, match="no document named 'u99'"):
        ag.document_agreement(krippendorff_binary, documents=["u1", "u99"])


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        (["u1", "u2", "u3"], ["only 3 unit(s)"]),
        (["u4", "u5"], ["only 2 unit(s)", "alpha is undefined: every coder gave every unit "
                        "the same value", "kappa is undefined"]),
        ([f"u{i}" for i in range(1, 11)], []),
    ],
)
def test_warnings_for_few_units_and_undefined_coefficients(krippendorff_binary, documents,
                                                           expected):
    result = ag.document_agreement(krippendorff_binary, documents=documents)
    text = " ".join(result.warnings)
    for part in expected:
        assert part in text
    if not expected:
        assert result.warnings == ()


def test_cli_passes_documents_and_warns(krippendorff_binary):
    import json

    import click
    from click.testing import CliRunner

    from syrmak.cli.qual import COMMANDS

    group = click.Group("syrmak")
    for command in COMMANDS:
        group.add_command(command)
    folder = str(krippendorff_binary.folder)
    docs = ",".join(f"u{i}" for i in range(1, 11))
    out = CliRunner().invoke(group, ["agreement", folder, "--coder", "a", "--coder", "b",
                                     "--documents", docs, "--format", "json"])
    assert out.exit_code == 0, out.output
    row = {r["code"]: r for r in json.loads(out.stdout)}["X"]
    assert "units: 10 documents given" in out.stderr
    for key, value in KRIPPENDORFF_BINARY.items():
        assert row[key] == pytest.approx(value, abs=5e-3), key  # the CLI rounds to 3
    few = CliRunner().invoke(group, ["agreement", folder, "--coder", "a", "--coder", "b",
                                     "--documents", "u4", "--documents", "u5"])
    assert few.exit_code == 0, few.output
    assert "Warning: 'X': only 2 unit(s)" in few.stderr
    assert "alpha is undefined" in few.stderr
