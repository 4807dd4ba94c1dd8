"""Tests for tacrolimus_ibd.statistics, against values computed independently of the code under test."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tacrolimus_ibd.statistics import (
    all_positive_paired_tests,
    decimals_of,
    describe,
    kaplan_meier,
    proportion_ci,
    proportion_table,
    rounds_to,
    survival_quantile,
    survival_table,
)

# --- proportions ---------------------------------------------------------------------------


def test_clopper_pearson_is_the_beta_quantile_interval():
    # Clopper-Pearson bounds are beta quantiles: Beta(x, n-x+1) and Beta(x+1, n-x).
    low, high = proportion_ci(10, 12, method="clopper_pearson")
    assert low == pytest.approx(stats.beta.ppf(0.025, 10, 3))
    assert high == pytest.approx(stats.beta.ppf(0.975, 11, 2))


def test_clopper_pearson_all_events_has_upper_bound_one():
    low, high = proportion_ci(1, 1)
    assert high == pytest.approx(1.0)
    assert low == pytest.approx(0.025)  # (alpha/2)^(1/n) for x = n = 1


def test_wilson_matches_the_score_formula():
    x, n, z = 4, 6, stats.norm.ppf(0.975)
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert proportion_ci(x, n, method="wilson") == pytest.approx((centre - half, centre + half))


@pytest.mark.parametrize("events,total", [(3, 2), (-1, 4), (0, 0)])
def test_proportion_ci_rejects_impossible_counts(events, total):
    with pytest.raises(ValueError):
        proportion_ci(events, total)


def test_proportion_ci_rejects_unknown_method():
    with pytest.raises(ValueError, match="method"):
        proportion_ci(1, 2, method="wald")


def test_proportion_table_adds_both_intervals():
    table = proportion_table(pd.DataFrame({"events": [10, 0], "total": [12, 5]}))
    assert table["proportion"].tolist() == pytest.approx([10 / 12, 0.0])
    assert table.loc[1, "clopper_pearson_low"] == pytest.approx(0.0)
    assert (table["clopper_pearson_low"] <= table["proportion"]).all()
    assert (table["wilson_high"] >= table["proportion"]).all()


# --- paired tests with all differences positive --------------------------------------------


def _normal_p(n: int, correction: bool, two_sided: bool) -> float:
    """Normal approximation to the signed-rank test with T- = 0, by hand (Hollander & Wolfe)."""
    mean = n * (n + 1) / 4
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    z = (mean - (0.5 if correction else 0.0)) / sd
    one_sided = 0.5 * math.erfc(z / math.sqrt(2))
    return 2 * one_sided if two_sided else one_sided


@pytest.mark.parametrize("n", [5, 10, 12])
def test_signed_rank_and_sign_test_p_values(n):
    table = all_positive_paired_tests([n]).set_index(["test", "method", "alternative"])["p_value"]
    # Exact: only the all-positive sign pattern (of 2^n equally likely) is as extreme.
    assert table[("Wilcoxon signed-rank", "exact null distribution", "two-sided")] == pytest.approx(2 / 2**n)
    assert table[("Wilcoxon signed-rank", "exact null distribution", "greater")] == pytest.approx(1 / 2**n)
    assert table[("sign test", "exact binomial", "two-sided")] == pytest.approx(2 * 0.5**n)
    assert table[("sign test", "exact binomial", "greater")] == pytest.approx(0.5**n)
    for label, correction in [
        ("normal approximation, no continuity correction", False),
        ("normal approximation, continuity correction", True),
    ]:
        assert table[("Wilcoxon signed-rank", label, "two-sided")] == pytest.approx(_normal_p(n, correction, True))
        assert table[("Wilcoxon signed-rank", label, "greater")] == pytest.approx(_normal_p(n, correction, False))


def test_statistics_are_the_rank_sums():
    table = all_positive_paired_tests([12])
    wilcoxon = table[table["test"] == "Wilcoxon signed-rank"]
    assert (wilcoxon.loc[wilcoxon["alternative"] == "two-sided", "statistic"] == 0).all()
    assert (wilcoxon.loc[wilcoxon["alternative"] == "greater", "statistic"] == 12 * 13 / 2).all()


def test_p_values_do_not_depend_on_the_sizes_of_the_differences():
    # Any distinct positive differences give the table's p-values: only n matters.
    differences = np.array([35, 203, 60, 88, 108, 120, 99, 150, 47, 71, 180, 130], dtype=float)
    table = all_positive_paired_tests([12], alternatives=("two-sided",))
    for method, correction in [("exact", False), ("asymptotic", False), ("asymptotic", True)]:
        p = stats.wilcoxon(differences, correction=correction, method=method).pvalue
        row = table[table["settings"] == f'wilcoxon(method="{method}", correction={correction})']
        assert row["p_value"].item() == pytest.approx(p)


def test_all_positive_paired_tests_rejects_empty_samples():
    with pytest.raises(ValueError):
        all_positive_paired_tests([0])


@pytest.mark.parametrize("value,digits", [(0.002, 3), (0.05, 2), (42.0, 0), (6.6, 1), (0.0005, 4)])
def test_decimals_of(value, digits):
    assert decimals_of(value) == digits


def test_rounds_to():
    # the one agreement rule (claims.agreement): half-up or truncation at the printed decimals
    assert rounds_to([0.00195, 0.00222, 0.00253, 0.00049, 0.00151, 0.00149, 0.00301], 0.002).tolist() == [
        True,
        True,
        True,
        False,
        True,
        False,
        False,
    ]


# --- Kaplan-Meier --------------------------------------------------------------------------


def test_kaplan_meier_matches_the_product_limit_by_hand():
    time = [1, 2, 2, 3, 5, 8]
    event = [1, 0, 1, 1, 0, 1]
    steps = survival_table(kaplan_meier(time, event))
    # at 1: 5/6; at 2: 6 at risk before 1 leaves -> 5 at risk, 1 event -> *4/5; at 3: 3 at risk -> *2/3; at 8: 1 at risk -> 0
    expected = [5 / 6, 5 / 6 * 4 / 5, 5 / 6 * 4 / 5 * 2 / 3, 0.0]
    assert steps["time"].tolist() == [1, 2, 3, 8]
    assert steps["at_risk"].tolist() == [6, 5, 3, 1]
    assert steps["survival"].tolist() == pytest.approx(expected)


def test_survival_median_reached_and_not_reached():
    reached = survival_quantile(kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]))
    # S = 0.75, 0.5, 0.25, 0 at 1..4: the first time with S(t) strictly below 0.5 (the SAS rule) is 3.
    assert reached["reached"] and reached["estimate"] == pytest.approx(3.0)
    not_reached = survival_quantile(kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0]))
    assert not not_reached["reached"]
    assert math.isnan(not_reached["estimate"]) and math.isnan(not_reached["ci_high"])


def test_describe():
    summary = describe([0.25, 2, 5, np.nan, 16])
    assert summary == {"n": 4, "median": 3.5, "mean": pytest.approx(23.25 / 4), "min": 0.25, "max": 16.0}


def test_survival_quantile_is_a_result_with_a_summary_frame():
    fit = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    quartile = survival_quantile(fit, p=0.25)
    # S = 0.75 at 1 is not strictly below 0.75; 0.5 at 2 is: the 25th percentile is 2.
    assert quartile.estimate == pytest.approx(2.0) and quartile.p == 0.25
    frame = quartile.summary_frame()
    assert list(frame.columns) == ["p", "estimate", "ci_low", "ci_high", "reached", "alpha"]
    assert frame.loc[0, "estimate"] == quartile["estimate"]
    assert dict(**quartile)["reached"] is True
    with pytest.raises(TypeError):
        survival_quantile(fit, 0.25)  # p is keyword-only
    with pytest.raises(KeyError):
        quartile["median"]


def test_fisher_2x2_result_reads_as_its_table():
    from tacrolimus_ibd.statistics import fisher_2x2

    exposure = pd.Series([True, True, True, False, False, pd.NA], dtype="boolean")
    outcome = pd.Series([True, True, False, False, False, True], dtype="boolean")
    result = fisher_2x2(exposure, outcome)  # the row with a missing exposure is dropped
    table = result.summary_frame()
    assert table.loc["exposed", "with_outcome"] == 2 and table.loc["unexposed", "without_outcome"] == 2
    assert int(table.to_numpy().sum()) == result.n == 5
    assert list(dict(**result)) == [
        "exposed_with_outcome",
        "exposed_without_outcome",
        "unexposed_with_outcome",
        "unexposed_without_outcome",
        "odds_ratio",
        "p_value",
        "n",
    ]
    assert result.p_value == pytest.approx(stats.fisher_exact([[2, 1], [0, 2]]).pvalue)


def test_exact_wilcoxon_above_scipys_limit_is_the_closed_form():
    """Above WILCOXON_EXACT_SCIPY_LIMIT the exact p-value is 2**-n (one-sided), as scipy gives below it."""
    from tacrolimus_ibd import statistics as st

    n = st.WILCOXON_EXACT_SCIPY_LIMIT
    for alternative in ("greater", "two-sided"):
        scipy_row = st.all_positive_paired_tests([n], alternatives=(alternative,)).iloc[0]
        closed = st._all_positive_exact(n, alternative)
        assert scipy_row["p_value"] == pytest.approx(closed.pvalue, rel=1e-9)
        assert scipy_row["statistic"] == closed.statistic
    big = st.all_positive_paired_tests([10_000], alternatives=("greater",))
    assert big.iloc[0]["method"] == "exact null distribution" and big.iloc[0]["p_value"] == 0.0  # 2**-10000 underflows
    # The settings column says what was computed: scipy's exact method up to its limit, the closed form above.
    assert scipy_row["settings"] == 'wilcoxon(method="exact", correction=False)'
    assert big.iloc[0]["settings"].startswith("closed form") and "wilcoxon(" not in big.iloc[0]["settings"]


def test_proportion_table_leaves_an_empty_group_without_a_proportion():
    from tacrolimus_ibd.statistics import proportion_table

    table = proportion_table(pd.DataFrame({"group": ["CD", "pouchitis"], "events": [3, 0], "total": [4, 0]}))
    assert table.loc[0, "proportion"] == 0.75 and 0 < table.loc[0, "clopper_pearson_low"] < 0.75
    assert table.loc[1, ["proportion", "clopper_pearson_low", "wilson_high"]].isna().all()


@pytest.mark.parametrize("n", [1, 5, 10, 12])
def test_the_smallest_exact_signed_rank_p_is_what_scipy_gives_when_every_pair_falls(n):
    """2 / 2**n: scipy's exact two-sided P for n distinct falls of one sign."""
    from scipy import stats

    from tacrolimus_ibd import statistics

    before = np.arange(1, n + 1) * 10.0
    after = before - np.arange(1, n + 1)
    expected = stats.wilcoxon(before, after, method="exact").pvalue
    assert statistics.smallest_exact_signed_rank_p(n) == pytest.approx(expected)
    with pytest.raises(ValueError):
        statistics.smallest_exact_signed_rank_p(0)
