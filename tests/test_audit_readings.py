"""The audit runs again, under an alternative reading, only the checks that read what the reading
changes (claims.audit.evaluate's only_affected): the verdicts are those of running every check."""

from __future__ import annotations

import pandas as pd
import pytest

from tacrolimus_ibd import claims
from tacrolimus_ibd.claims import audit

from .conftest import DATA_DIR


@pytest.fixture(scope="module")
def paper_audit() -> pd.DataFrame:
    return audit.evaluate(DATA_DIR)


def test_only_the_affected_checks_give_the_same_audit_as_every_check(paper_audit):
    # The paper's readings change Table 2's treatments (read by the treatment checks) and Table 4
    # (joined into the cohort most checks read); their verdicts change under them.
    readings = claims.load_readings(DATA_DIR)
    assert {"table2_treatments", "table4_medium_term"} <= set(readings.loc[~readings["default"], "resource"])
    pruned = paper_audit
    assert not pruned["holds_under_all_readings"].all()
    pd.testing.assert_frame_equal(pruned, audit.evaluate(DATA_DIR, only_affected=False))


def test_the_read_log_notes_each_table_read_and_listing_reads_all():
    reads: set[str] = set()
    log = audit._ReadLog({"a": pd.DataFrame(), "b": pd.DataFrame()}, reads)
    assert log["a"].empty
    assert reads == {"a"}
    assert log.get("b").empty
    assert reads == {"a", "b"}
    reads.clear()
    list(log.items())
    assert reads == {"a", "b"}
    reads.clear()
    assert "a" in log and reads == {"a"}


def test_a_check_reading_the_cohort_is_noted():
    reads: set[str] = set()
    evidence = audit._TracedEvidence(audit._ReadLog({}, reads), pd.DataFrame(), pd.DataFrame())
    assert evidence.cohort.empty
    assert reads == {audit._COHORT}


def test_some_claims_only_are_those_rows_of_the_whole_audit(paper_audit):
    whole = paper_audit
    # a circular claim (its verdict rests on the sentence it restates) and one a reading changes
    wanted = ["cd-week4-response", "inclusion-immunomodulator-failure", "cohort-sex"]
    part = audit.evaluate(DATA_DIR, claim_ids=wanted)
    expected = whole[whole["claim_id"].isin(wanted)]
    pd.testing.assert_frame_equal(part.reset_index(drop=True), expected.reset_index(drop=True))
    assert set(part["status"]) >= {"circular", "discrepancy"}
    with pytest.raises(KeyError, match="no claim no-such-claim"):
        audit.evaluate(DATA_DIR, claim_ids=["no-such-claim"])
