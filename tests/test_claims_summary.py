"""Tests for tacrolimus_ibd.claims.summary (notebook 07's audit summary as one result object)."""

import pandas as pd
import pytest

from tacrolimus_ibd import claims


@pytest.fixture(scope="module")
def result():
    return claims.claims_audit()


def test_status_counts_add_up_to_every_claim(result):
    assert result.summary_frame()["claims"].sum() == len(result.audit)
    key = result.key_results()
    assert sum(key[f"claims_{s}"] for s in result.status_counts["status"]) == key["claims_total"] == len(result.audit)


def test_with_status_partitions_the_audit(result):
    assert sum(len(result.with_status(s)) for s in claims.STATUSES) == len(result.audit)


def test_conclusion_support_counts_each_status():
    audit = pd.DataFrame(
        {
            "claim_id": ["a", "b", "c", "d"],
            "conclusion": ["x", "x", "y", ""],
            "status": ["reproduced", "discrepancy", "discrepancy", "discrepancy"],
            "grade": ["", "minor", "substantive", "minor"],
        }
    )
    support = claims.conclusion_support(audit).set_index("conclusion")
    assert list(support.index) == ["x", "y"]  # a claim without a conclusion supports none
    assert (
        support.loc["x", "claims"] == 2 and support.loc["x", "reproduced"] == 1 and support.loc["x", "discrepancy"] == 1
    )
    assert support.loc["x", "discrepant claims"] == "b (minor)"
    assert support.loc["y", "discrepant claims"] == "c (substantive)"


def test_reading_cells_lists_each_cell_once():
    readings = pd.DataFrame(
        {
            "cell_id": ["c1", "c1", "c2"],
            "as_printed": ["1 5", "1 5", "x"],
            "reading": ["15", "1;5", "x"],
            "rationale": ["first", "second", "only"],
        }
    )
    cells = claims.reading_cells(readings)
    assert list(cells.index) == ["c1", "c2"]
    assert cells.loc["c1", "readings"] == "15, 1;5" and cells.loc["c1", "rationale"] == "second"


def test_resting_on_text_is_a_subset_of_reproduced(result):
    assert result.rests_on_text.index.isin(result.with_status("reproduced").index).all()
    assert result.key_results()["claims_reproduced_resting_on_text"] == int(result.rests_on_text.sum())
