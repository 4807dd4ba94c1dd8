"""Tests for tacrolimus_ibd.comparison (notebook 06's analysis as one result object)."""

import pandas as pd
import pytest

from tacrolimus_ibd import comparison, literature, open_study


@pytest.fixture(scope="module")
def result():
    return comparison.literature_comparison(open_study(style=False))


def test_counts_by_band_counts_known_outcomes_only():
    band = pd.Series(
        pd.Categorical(["low", "low", "high", "low"], categories=["low", "between bands", "high", "empty"]),
        index=list("abcd"),
    )
    response = pd.Series([True, None, False, False], index=list("abcd"), dtype=object)
    remission = pd.Series([None, True, True, False], index=list("abcd"), dtype=object)
    counts = comparison.counts_by_band(band, response, remission).set_index("band")
    assert list(counts.index) == [
        "low",
        "high",
        "empty",
    ]  # the empty gap between bands is dropped, other empty bands kept
    assert counts.loc["low"].tolist() == [3, 1, 2, 1, 2]
    assert counts.loc["high"].tolist() == [1, 0, 1, 1, 1]
    assert counts.loc["empty"].tolist() == [0, 0, 0, 0, 0]


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        comparison.literature_comparison(open_study(style=False), "pm")


def test_summary_frame_is_every_pooled_estimate(result):
    frame = result.summary_frame()
    assert list(frame["estimate"]) == [f"{o}: {n}" for o, n in result.pooled]
    assert set(frame["method"]) == {"dl"}


def test_paule_mandel_changes_the_method(result):
    pm = comparison.literature_comparison(open_study(style=False), pooling_method="pm")
    assert set(pm.summary_frame()["method"]) == {"pm"}
    assert pm.key_results()["pooling_method"] == "pm"


def test_key_results_follow_the_pooled_estimates(result):
    key = result.key_results()
    pooled = result.pooled[("response", "published series + this cohort")]
    assert key["pooled_response_published_series_plus_this_cohort"] == pooled.proportion
    assert key["pooled_response_published_series_plus_this_cohort_k"] == pooled.k
    assert key["n_disagreements_recorded"] == len(literature.disagreements(result.studies))


def test_pooled_forest_rows_end_with_the_pooled_estimates(result):
    rows = result.pooled_forest_rows("response")
    assert rows["label"].str.contains("Random effects (DerSimonian-Laird, HKSJ interval)", regex=False).sum() >= 1
