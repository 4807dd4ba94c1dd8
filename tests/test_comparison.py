"""Tests for tacrolimus_ibd.comparison (notebook 06's analysis as one result object)."""

import pandas as pd
import pytest

from tacrolimus_ibd import comparison, literature, open_study

from .conftest import ROOT


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


# --- the cohort is named by its own dictionary, never by code that knows the paper -----------------


def _cohort_labels(data_dir) -> set[str]:
    rows = comparison.literature_comparison(open_study(data_dir, style=False)).this_cohort
    return set(rows["study"]) | set(rows["design"]) | set(rows["population"]) | set(rows["outcome_definition"])


def test_the_paper_s_transcription_names_itself_in_its_own_dictionary(result):
    rows = result.this_cohort
    assert set(rows["study"]) == {"This cohort (Ng et al. 2007)"}
    assert any("Table 3 lost" in d for d in rows["outcome_definition"])


def test_another_cohort_is_named_by_its_dictionary_not_as_the_paper():
    labels = _cohort_labels(ROOT / "examples" / "synthetic_cohort")
    assert "This cohort (SYNTHETIC)" in labels
    assert not any("Ng et al" in label or "Table 3 lost" in label for label in labels)


def test_a_cohort_that_does_not_describe_itself_gets_neutral_wording(data_copy):
    import json

    package_file = data_copy / "datapackage.json"
    package = json.loads(package_file.read_text(encoding="utf-8"))
    del package["cohortDescription"]
    package["name"] = "another-centre"
    package_file.write_text(json.dumps(package, indent=2), encoding="utf-8")
    labels = _cohort_labels(data_copy)
    assert "This cohort" in labels and "Clinical response or remission at week 4" in labels
    assert not any("Ng et al" in label or "Table 3 lost" in label for label in labels)
