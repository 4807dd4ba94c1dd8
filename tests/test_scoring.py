"""Tests for tacrolimus_ibd.scoring (notebook 02's analysis as one result object)."""

import dataclasses

import pytest

from tacrolimus_ibd import open_study, scores, scoring


@pytest.fixture(scope="module")
def study():
    return open_study(style=False)


@pytest.fixture(scope="module")
def review(study):
    return scoring.scoring_review(study)


def test_illustrative_cdai_totals_are_the_sum_of_the_items(review):
    assert review.cdai_summary["total"].tolist() == pytest.approx(review.cdai_points.sum(axis=1).tolist())
    direct = scores.cdai(**scoring.illustrative_cd_patients())
    assert review.cdai_summary["total"].tolist() == pytest.approx(list(direct))


def test_diary_and_visit_points_add_up(review):
    share = review.diary_share
    assert (share["diary_points"] + share["visit_points"]).tolist() == pytest.approx(share["total"].tolist())
    assert set(review.diary_columns).isdisjoint(review.visit_columns)


def test_the_case_note_spans_more_than_one_category(review):
    assert review.phrase_range["estimated_cdai"].is_monotonic_increasing
    assert review.phrase_range["category"].nunique() >= 1


def test_pouch_facts_are_the_pouchitis_group(study, review):
    pouch_ids = set(study.cohort.index[study.cohort["diagnosis"] == "pouchitis"])
    assert set(review.pouch_mpdai_facts.index) <= pouch_ids
    n_mpdai_rows = (review.reported_values["index"] == "mPDAI").sum()
    assert n_mpdai_rows == 4 * len(review.pouch_mpdai_facts)


def test_a_cohort_without_pouchitis_has_no_patient_mpdai_rows(study):
    no_pouch = dataclasses.replace(study, cohort=study.cohort[study.cohort["diagnosis"] != "pouchitis"])
    review = scoring.scoring_review(no_pouch)
    assert review.pouch_mpdai_facts.empty
    assert set(review.reported_values["index"]) == {"CDAI"}
    assert review.reading("ledger_vs_facts") == ""


def test_key_results_from_the_ledger(review):
    key = review.key_results()
    assert (
        key["cdai_week4_median_points_above_remission_cutoff"]
        == review.cdai_week4["median"] - scores.CDAI_CUTOFFS["remission_below"]
    )
    assert key["cdai_items_needing_diary"] == len(review.diary_columns)


def test_a_cohort_without_uc_reads_zero_uc_patients(study):
    no_uc = dataclasses.replace(study, cohort=study.cohort[study.cohort["diagnosis"] != "UC"])
    assert scoring.scoring_review(no_uc).reading("uc").startswith("Reported at week 4 among 0 UC patients")


def test_on_another_cohort_the_reported_uc_counts_are_the_papers(study):
    other = dataclasses.replace(study, is_transcription=False)
    reading = scoring.scoring_review(other).reading("uc")
    assert reading.startswith("The paper reported at week 4, among its own UC patients")
    assert f"among {other.group_sizes().get('UC', 0)} UC patients" not in reading
