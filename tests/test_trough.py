"""Tests of tacrolimus_ibd.trough, against values computed here by other means."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tacrolimus_ibd import data, trough

from .conftest import DATA_DIR


def _frame(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    index = pd.Index(range(1, n + 1), name="patient_id")
    return pd.DataFrame(columns, index=index)


# --- band position ------------------------------------------------------------------------------


def test_band_position_uses_a_closed_band_and_keeps_missing():
    values = pd.Series([4.99, 5.0, 7.0, 10.0, 10.01, np.nan], index=list("abcdef"))
    position = trough.band_position(values, 5.0, 10.0)
    assert position.iloc[:5].tolist() == ["below", "in", "in", "in", "above"]
    assert pd.isna(position.iloc[5])
    assert list(position.index) == list("abcdef")


def test_band_position_rejects_an_inverted_band():
    with pytest.raises(ValueError, match="low <= high"):
        trough.band_position(pd.Series([1.0]), 10.0, 5.0)


def test_band_counts_keep_empty_positions_and_split_by_group():
    position = trough.band_position(pd.Series([1.0, 2.0, 6.0]), 5.0, 10.0)
    groups = pd.Series(["CD", "UC", "CD"])
    counts = trough.band_counts(position, groups)
    assert counts.loc["below"].tolist() == [1, 1, 2]
    assert counts.loc["in"].tolist() == [1, 0, 1]
    assert counts.loc["above"].tolist() == [0, 0, 0]
    assert list(counts.columns) == ["CD", "UC", "all"]


def test_counts_in_bands_count_a_shared_boundary_in_both_bands():
    values = pd.Series([4.0, 5.0, 10.0, 12.0, 16.0], index=[11, 12, 13, 14, 15])
    bands = pd.DataFrame({"label": ["low", "high"], "low": [5.0, 10.0], "high": [10.0, 15.0]})
    out = trough.counts_in_bands(values, bands).set_index("band")
    assert out.loc["low", "patients"] == 2 and out.loc["low", "patient_ids"] == "12 13"
    assert out.loc["high", "patients"] == 2 and out.loc["high", "patient_ids"] == "13 14"
    assert out.loc["below 5", "patient_ids"] == "11"
    assert out.loc["above 15", "patient_ids"] == "15"
    assert (out["of"] == 5).all()


# --- summaries and the reported mean (range) ----------------------------------------------------


def test_summarise_troughs_on_a_small_table():
    frame = _frame(
        mean_trough_ng_ml=[2.0, 6.0, 10.0],
        trough_min_ng_ml=[1.0, 5.0, 4.0],
        trough_max_ng_ml=[3.0, 7.0, 25.0],
        tacrolimus_duration_months=[1.0, 1.0, 2.0],
    )
    s = trough.summarise_troughs(frame)
    assert s["n"] == 3
    assert s["mean_of_means"] == pytest.approx(6.0)
    assert s["median_of_means"] == pytest.approx(6.0)
    assert s["duration_weighted_mean"] == pytest.approx((2 + 6 + 2 * 10) / 4)
    assert (s["lowest_single"], s["highest_single"]) == (1.0, 25.0)
    assert (s["lowest_mean"], s["highest_mean"]) == (2.0, 10.0)


def test_summarise_troughs_on_table5_matches_the_csv_read_directly():
    raw = pd.read_csv(DATA_DIR / "table5_trough.csv")
    listed = raw[raw["in_table5"]]
    s = trough.summarise_troughs(trough.trough_table(data.load_cohort(DATA_DIR)))
    assert s["n"] == len(listed)
    assert s["mean_of_means"] == pytest.approx(sum(listed["mean_trough_ng_ml"]) / len(listed))
    assert s["highest_single"] == max(listed["trough_max_ng_ml"])
    assert s["lowest_single"] == min(listed["trough_min_ng_ml"])
    assert s["highest_mean"] == max(listed["mean_trough_ng_ml"])


def test_reported_vs_computed_flags_readings_that_round_to_the_reported_value():
    summary = {
        "mean_of_means": 7.71,
        "median_of_means": 6.64,
        "duration_weighted_mean": 6.56,
        "lowest_single": 1.0,
        "lowest_mean": 1.7,
        "highest_single": 30.7,
        "highest_mean": 17.4,
    }
    out = trough.reported_vs_computed(summary, {"mean": 6.6, "min": 1.0, "max": 17.4})
    agrees = out.set_index(["reported_part", "reading"])["agrees"]
    assert agrees[("mean", "median_of_means")] and agrees[("mean", "duration_weighted_mean")]
    assert not agrees[("mean", "mean_of_means")]
    assert agrees[("min", "lowest_single")] and not agrees[("min", "lowest_mean")]
    assert agrees[("max", "highest_mean")] and not agrees[("max", "highest_single")]
    assert out.loc[out["reading"] == "highest_single", "difference"].item() == pytest.approx(13.3)


def test_reported_vs_computed_only_compares_parts_reported():
    out = trough.reported_vs_computed(
        {"mean_of_means": 1.0, "median_of_means": 1.0, "duration_weighted_mean": 1.0}, {"mean": 1.0}
    )
    assert set(out["reported_part"]) == {"mean"}


# --- tests of association -----------------------------------------------------------------------


def _exact_mwu_p(x, y) -> float:
    """Two-sided exact p of U by enumerating every split of the pooled ranks (no ties)."""
    pooled = np.concatenate([x, y])
    ranks = stats.rankdata(pooled)
    n1 = len(x)
    u_obs = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    mean_u = n1 * len(y) / 2
    us = np.array([sum(c) - n1 * (n1 + 1) / 2 for c in itertools.combinations(ranks, n1)])
    return float(np.mean(np.abs(us - mean_u) >= abs(u_obs - mean_u) - 1e-9))


def test_mann_whitney_u_matches_enumeration():
    values = pd.Series([1.7, 2.8, 4.2, 5.3, 6.5, 7.7, 9.9, 13.7, 17.4])
    group = pd.Series([True, False, True, True, False, False, True, False, False])
    result = trough.mann_whitney_u(values, group)
    x = values[group].to_numpy()
    y = values[~group].to_numpy()
    assert result["p_value"] == pytest.approx(_exact_mwu_p(x, y))
    assert result["u"] == pytest.approx(stats.rankdata(values)[group.to_numpy()].sum() - 4 * 5 / 2)
    assert (result["n_true"], result["n_false"]) == (4, 5)
    assert result["median_true"] == pytest.approx(np.median(x))
    assert result["method"] == "exact" and result["ties"] is False


def test_mann_whitney_drops_missing_groups_and_handles_an_empty_group():
    values = pd.Series([1.0, 2.0, 3.0])
    result = trough.mann_whitney_u(values, pd.Series([True, pd.NA, True], dtype="boolean"))
    assert (result["n_true"], result["n_false"]) == (2, 0)
    assert math.isnan(result["p_value"]) and math.isnan(result["u"])


def test_fisher_2x2_matches_the_hypergeometric_sum():
    exposure = pd.Series([True] * 6 + [False] * 8)
    outcome = pd.Series([True] * 5 + [False] + [True] * 3 + [False] * 5)
    result = trough.fisher_2x2(exposure, outcome)
    assert (result["exposed_with_outcome"], result["exposed_without_outcome"]) == (5, 1)
    assert (result["unexposed_with_outcome"], result["unexposed_without_outcome"]) == (3, 5)
    # P(table at least as extreme): hypergeometric over the first cell with margins fixed.
    dist = stats.hypergeom(14, 8, 6)  # population, with outcome, exposed
    probs = dist.pmf(np.arange(0, 7))
    expected = probs[probs <= dist.pmf(5) * (1 + 1e-7)].sum()
    assert result["p_value"] == pytest.approx(expected)
    assert result["odds_ratio"] == pytest.approx((5 * 5) / (1 * 3))
    assert result["n"] == 14


# --- the committed cohort -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return data.load_cohort(DATA_DIR)


def test_trough_table_lists_table5_patients_sorted_with_flags(cohort):
    table = trough.trough_table(cohort)
    raw = pd.read_csv(DATA_DIR / "table5_trough.csv")
    assert set(table.index) == set(raw.loc[raw["in_table5"], "patient_id"])
    assert table["mean_trough_ng_ml"].is_monotonic_increasing
    assert (
        table["remission_end_of_follow_up"].tolist()
        == cohort.loc[table.index, "outcome_end_of_follow_up"].eq("remission").tolist()
    )
    assert table["any_adverse_effect"].tolist() == [len(a) > 0 for a in cohort.loc[table.index, "adverse_effects"]]


def test_remission_flag_is_missing_when_the_outcome_is_unknown():
    cohort = pd.DataFrame(
        {
            "in_table5": [True, True],
            "diagnosis": ["CD", "UC"],
            "mean_trough_ng_ml": [5.0, 6.0],
            "trough_min_ng_ml": [4.0, 5.0],
            "trough_max_ng_ml": [6.0, 7.0],
            "tacrolimus_duration_months": [1.0, 2.0],
            "ongoing_tacrolimus": [True, True],
            "outcome_end_of_follow_up": ["remission", None],
            "outcome_end_of_follow_up_basis": ["table4", None],
            "adverse_effects": [(), ("tremor",)],
        },
        index=pd.Index([1, 2], name="patient_id"),
    )
    table = trough.trough_table(cohort)
    assert bool(table.loc[1, "remission_end_of_follow_up"])
    assert pd.isna(table.loc[2, "remission_end_of_follow_up"])
    assert table["any_adverse_effect"].tolist() == [False, True]


def test_patients_without_trough_are_those_table5_omits(cohort):
    raw = pd.read_csv(DATA_DIR / "table5_trough.csv")
    missing = trough.patients_without_trough(cohort)
    assert set(missing.index) == set(raw.loc[~raw["in_table5"], "patient_id"])
    assert list(missing.columns) == ["diagnosis", "treatment_months", "outcome_end_of_follow_up", "adverse_effects"]


def test_mann_whitney_switches_to_the_normal_approximation_above_the_limit():
    import numpy as np
    import pandas as pd

    from tacrolimus_ibd import trough as tr

    n = tr.MANN_WHITNEY_EXACT_LIMIT + 1
    values = pd.Series(np.arange(n, dtype=float))
    group = pd.Series(np.arange(n) % 2 == 0)
    big = tr.mann_whitney_u(values, group)
    assert big["method"] == "asymptotic" and 0 < big["p_value"] <= 1
    small = tr.mann_whitney_u(values[: n - 1], group[: n - 1])
    assert small["method"] == "exact"
    # The label a reader sees is the method used, not a typed "exact".
    assert "normal approximation" in big["test"] and "exact" not in big["test"]
    assert small["test"] == "Mann-Whitney U, exact, two-sided"
    # The p-value above the limit is scipy's normal approximation with the continuity correction.
    x, y = values[group].to_numpy(), values[~group].to_numpy()
    expected = stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method="asymptotic").pvalue
    assert big["p_value"] == pytest.approx(expected)


def test_an_empty_group_names_no_method():
    result = trough.mann_whitney_u(pd.Series([1.0, 2.0]), pd.Series([True, True]))
    assert result["method"] == "none" and "not computed" in result["test"]
