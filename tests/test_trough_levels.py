"""Tests for tacrolimus_ibd.trough_levels (notebook 05's analysis as one result object)."""

import pytest

from tacrolimus_ibd import open_study, trough_levels


@pytest.fixture(scope="module")
def study():
    return open_study(style=False)


def test_the_reported_band_is_recognised_and_a_moved_one_is_said(study):
    reported = trough_levels.trough_levels(study)
    moved = trough_levels.trough_levels(study, target_low_ng_ml=8.0)
    assert reported.target_is_reported and not moved.target_is_reported
    assert "MOVED" in moved.reading("target") and "MOVED" not in reported.reading("target")


def test_band_counts_add_up_to_the_table5_patients(study):
    result = trough_levels.trough_levels(study)
    key = result.key_results()
    assert key["n_mean_below_band"] + key["n_mean_in_band"] + key["n_mean_above_band"] == len(result.troughs)
    assert key["n_all_levels_in_band"] <= key["n_mean_in_band"]


def test_a_wider_band_holds_at_least_as_many_patients(study):
    narrow = trough_levels.trough_levels(study, target_low_ng_ml=5.0, target_high_ng_ml=10.0).key_results()
    wide = trough_levels.trough_levels(study, target_low_ng_ml=1.0, target_high_ng_ml=20.0).key_results()
    assert wide["n_mean_in_band"] >= narrow["n_mean_in_band"]
    assert wide["n_mean_in_band"] == wide["n_patients_with_trough"]  # every Table 5 mean lies within 1-20 ng/mL


def test_mean_within_band_is_the_fraction_from_the_low_end(study):
    result = trough_levels.trough_levels(study, target_low_ng_ml=4.0, target_high_ng_ml=8.0)
    row = result.mean_within_band().iloc[0]
    assert row["reading"] == "reported mean"
    assert row["fraction_of_band_from_low_end"] == pytest.approx((row["ng_ml"] - 4.0) / 4.0)


def test_summary_frame_is_table5_sorted_by_mean(study):
    frame = trough_levels.trough_levels(study).summary_frame()
    assert list(frame.columns) == trough_levels.TABLE5_VIEW
    assert frame["mean_trough_ng_ml"].is_monotonic_increasing or frame["mean_trough_ng_ml"].is_monotonic_decreasing
    with pytest.raises(TypeError):
        trough_levels.trough_levels(study, 5.0, 10.0)  # the band is keyword-only


def test_the_rank_tests_name_the_method_they_used_in_the_table_key_results_and_report(study, monkeypatch):
    """Above trough.MANN_WHITNEY_EXACT_LIMIT the normal approximation is computed, and every label says so."""
    from types import SimpleNamespace

    from tacrolimus_ibd import trough
    from tacrolimus_ibd.report import site, teaching

    def prose(key):
        info = SimpleNamespace(stem="05_trough_levels", key_results=key, parameters={})
        appraisal = " ".join(" ".join(p["paragraphs"]) for p in teaching.appraisal([info])["points"])
        return " ".join(site.bottom_line("05_trough_levels", key)) + " " + appraisal

    exact = trough_levels.trough_levels(study)
    assert set(exact.rank_tests["method"]) == {"exact"}
    assert set(exact.rank_tests["test"]) == {"Mann-Whitney U, exact, two-sided"}
    assert exact.key_results()["mwu_test_trough_remission"] == "exact Mann-Whitney"
    assert "(exact Mann-Whitney)" in prose(exact.key_results())

    monkeypatch.setattr(trough, "MANN_WHITNEY_EXACT_LIMIT", 2)  # every comparison is now "large"
    approximate = trough_levels.trough_levels(study)
    assert set(approximate.rank_tests["method"]) == {"asymptotic"}
    assert not approximate.rank_tests["test"].str.contains("exact").any()
    key = approximate.key_results()
    assert key["mwu_test_trough_remission"] == "Mann-Whitney, normal approximation"
    text = prose(key)
    assert "(Mann-Whitney, normal approximation)" in text and "exact Mann-Whitney" not in text
    assert key["p_mwu_trough_remission"] != exact.key_results()["p_mwu_trough_remission"]
