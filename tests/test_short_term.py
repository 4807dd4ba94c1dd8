"""Tests for tacrolimus_ibd.short_term (notebook 03's analysis as one result object)."""

import dataclasses

import pytest

from tacrolimus_ibd import open_study, short_term


@pytest.fixture(scope="module")
def study():
    return open_study(style=False)


@pytest.fixture(scope="module")
def result(study):
    return short_term.short_term_outcomes(study)


def test_response_counts_every_patient_once(result, study):
    frame = result.summary_frame().set_index("group")
    groups = [g for g in frame.index if g != "all"]
    assert sum(frame.loc[g, "total"] + frame.loc[g, "unknown"] for g in groups) == len(study.cohort)
    assert frame.loc["all", "events"] == sum(frame.loc[g, "events"] for g in groups)


def test_a_wider_alpha_gives_narrower_intervals(study, result):
    wide = short_term.short_term_outcomes(study, alpha=0.5).summary_frame()
    narrow = result.summary_frame()
    assert (wide["clopper_pearson_low"] >= narrow["clopper_pearson_low"]).all()
    assert (wide["clopper_pearson_high"] <= narrow["clopper_pearson_high"]).all()
    with pytest.raises(TypeError):
        short_term.short_term_outcomes(study, 0.5)


def test_assessable_cd_patients_exclude_the_early_stops(result):
    assert result.n_assessable == result.n_cd - len(result.stopped_early)
    assert result.key_results()["cd_patients_stopped_before_week4"] == len(result.stopped_early)


def test_pouchitis_rows_are_the_pouchitis_group(study, result):
    pouch_ids = set(study.cohort.index[study.cohort["diagnosis"] == "pouchitis"])
    assert set(result.pouch["patient_id"]) <= pouch_ids


def test_a_cohort_without_pouchitis_gives_an_empty_pouch_table(study):
    no_pouch = dataclasses.replace(study, cohort=study.cohort[study.cohort["diagnosis"] != "pouchitis"])
    pouch = short_term.pouchitis_before_after(no_pouch)
    assert pouch.empty and "patient_id" in pouch.columns


def test_reported_table_reads_the_ledger(study, result):
    table = result.reported_table(["cd-stool-improved"])
    assert dict(zip(table["quantity"], table["reported"], strict=True)) == study.reported("cd-stool-improved")


def test_a_group_the_cohort_lacks_reads_as_no_rate(study):
    """A cohort without pouchitis: no '0/0 = nan%' line, a sentence instead."""
    no_pouch = dataclasses.replace(study, cohort=study.cohort[study.cohort["diagnosis"] != "pouchitis"])
    reading = short_term.short_term_outcomes(no_pouch).reading("intervals")
    assert "nan" not in reading and "pouchitis: no patient with a week-4 result, so no rate" in reading
