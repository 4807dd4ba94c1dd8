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


def test_a_cohort_without_cd_patients_has_no_cdai_p_values_and_draws_no_warning(tmp_path):
    """A UC-only cohort (any subset of groups is a valid cohort) used to stop notebook 03 with
    'n must be at least 1, got 0'; its CDAI P table is empty, and the P figure says so."""
    import contextlib
    import importlib.util
    import io
    import warnings

    import matplotlib.pyplot as plt

    from tacrolimus_ibd import plots

    from .conftest import ROOT

    spec = importlib.util.spec_from_file_location("make_synthetic_cohort", ROOT / "tools" / "make_synthetic_cohort.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with contextlib.redirect_stdout(io.StringIO()):
        assert tool.main([str(tmp_path / "uc"), "--patients", "8", "--groups", "UC"]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = short_term.short_term_outcomes(open_study(tmp_path / "uc", style=False))
        assert result.n_cd == 0 and result.p_values.empty and result.matches.empty
        fig, ax = plt.subplots()
        plots.p_value_dots(result.p_values, reported=result.reported_p, ax=ax, title="t")
        assert "no CD patient" in ax.texts[0].get_text()
        plt.close(fig)
