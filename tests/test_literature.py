"""Tests of tacrolimus_ibd.literature and of the committed data/paper/literature.csv (read by paper.read_literature)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tacrolimus_ibd.literature import (
    COLUMNS,
    exact_intervals,
    pool_random_effects,
)
from tacrolimus_ibd.paper import read_literature as load_literature

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "paper"

REQUIRED_STUDIES = {
    "fellermann2002",
    "baumgart2003",
    "ogata2006",
    "sandborn2003",
    "gonzalezlama2005",
    "lowry1999",
    "ziring2007",
    "komaki2016",
}


def _write_literature(folder: Path, rows: list[dict]) -> Path:
    path = folder / "literature.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


def _row(**kw) -> dict:
    base = {
        "study_id": "teststudy",
        "study": "Test",
        "year": "2000",
        "design": "series",
        "population": "IBD",
        "arm": "tacrolimus",
        "outcome": "response",
        "outcome_definition": "response",
        "time_point": "4 weeks",
        "citation": "Test",
        "figure_seen_in": "nowhere",
        "paper_account": "not mentioned",
    }
    base.update(kw)
    return base


# --- exact intervals ---------------------------------------------------------------------------


@pytest.mark.parametrize(("x", "n"), [(13, 19), (0, 10), (10, 10), (18, 38)])
def test_exact_interval_matches_scipy(x, n):
    df = pd.DataFrame({"events": pd.array([x], dtype="Int64"), "total": pd.array([n], dtype="Int64")})
    out = exact_intervals(df)
    ci = stats.binomtest(x, n).proportion_ci(confidence_level=0.95, method="exact")
    assert out.loc[0, "proportion"] == pytest.approx(x / n)
    assert out.loc[0, "ci_low"] == pytest.approx(ci.low, abs=1e-10)
    assert out.loc[0, "ci_high"] == pytest.approx(ci.high, abs=1e-10)


def test_exact_interval_alpha_and_missing_counts():
    df = pd.DataFrame({"events": pd.array([13, None], dtype="Int64"), "total": pd.array([19, 20], dtype="Int64")})
    out = exact_intervals(df, alpha=0.10)
    ci = stats.binomtest(13, 19).proportion_ci(confidence_level=0.90, method="exact")
    assert out.loc[0, "ci_low"] == pytest.approx(ci.low, abs=1e-10)
    assert out.loc[0, "ci_high"] == pytest.approx(ci.high, abs=1e-10)
    assert np.isnan(out.loc[1, "ci_low"]) and np.isnan(out.loc[1, "proportion"])
    assert "ci_low" not in df.columns  # input untouched


# --- random-effects pooling --------------------------------------------------------------------


def test_pooling_two_identical_studies_gives_their_proportion_and_no_heterogeneity():
    pooled = pool_random_effects([13, 13], [19, 19], ["a", "b"])
    assert pooled.proportion == pytest.approx(13 / 19, abs=1e-12)
    assert pooled.i2 == 0.0
    assert pooled.tau2 == 0.0
    assert pooled.q == pytest.approx(0.0, abs=1e-12)
    assert pooled.ci_low < 13 / 19 < pooled.ci_high
    assert pooled.continuity_corrected == ()


def test_pooling_heterogeneous_studies_gives_positive_i2():
    pooled = pool_random_effects([2, 18], [20, 20], ["low", "high"])
    assert pooled.i2 > 0.5
    assert pooled.tau2 > 0
    assert pooled.q_pvalue < 0.05
    assert pooled.ci_low < pooled.proportion < pooled.ci_high


def test_dersimonian_laird_matches_hand_computation():
    x = np.array([2.0, 18.0, 9.0])
    n = np.array([20.0, 20.0, 21.0])
    y = np.log(x / (n - x))
    v = 1 / x + 1 / (n - x)
    w = 1 / v
    q = np.sum(w * y**2) - np.sum(w * y) ** 2 / np.sum(w)
    tau2 = max(0.0, (q - 2) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
    w_re = 1 / (v + tau2)
    mu = np.sum(w_re * y) / np.sum(w_re)
    se = math.sqrt(1 / np.sum(w_re))
    pooled = pool_random_effects(x.astype(int), n.astype(int), ["a", "b", "c"], method="dl")
    assert pooled.q == pytest.approx(q)
    assert pooled.tau2 == pytest.approx(tau2)
    assert pooled.i2 == pytest.approx((q - 2) / q)
    assert pooled.proportion == pytest.approx(1 / (1 + math.exp(-mu)))
    assert pooled.wald_ci_low == pytest.approx(1 / (1 + math.exp(-(mu - 1.959963984540054 * se))))
    assert pooled.q_pvalue == pytest.approx(stats.chi2.sf(q, 2))
    # Hartung-Knapp-Sidik-Jonkman (the primary interval): variance scaled by the weighted
    # residual dispersion, t quantile on k - 1 = 2 degrees of freedom.
    se_hksj = math.sqrt(max(1.0, np.sum(w_re * (y - mu) ** 2) / 2) / np.sum(w_re))  # dispersion floored at 1
    t = stats.t.isf(0.025, 2)
    assert pooled.interval == "hksj"
    assert pooled.ci_low == pytest.approx(1 / (1 + math.exp(-(mu - t * se_hksj))))
    assert pooled.ci_high == pytest.approx(1 / (1 + math.exp(-(mu + t * se_hksj))))
    wald = pool_random_effects(x.astype(int), n.astype(int), ["a", "b", "c"], method="dl", interval="wald")
    assert (wald.ci_low, wald.ci_high) == (pooled.wald_ci_low, pooled.wald_ci_high)


def test_hksj_is_wider_than_wald_with_few_heterogeneous_studies():
    pooled = pool_random_effects([2, 18, 9], [20, 20, 21], ["a", "b", "c"])
    assert pooled.ci_low < pooled.wald_ci_low and pooled.ci_high > pooled.wald_ci_high
    with pytest.raises(ValueError, match="interval"):
        pool_random_effects([2, 18], [20, 20], ["a", "b"], interval="reml")


def test_continuity_correction_only_for_zero_or_all_events():
    pooled = pool_random_effects([0, 5, 10], [10, 10, 10], ["none", "half", "all"])
    assert pooled.continuity_corrected == ("none", "all")
    assert all(math.isfinite(v) for v in (pooled.proportion, pooled.ci_low, pooled.ci_high, pooled.tau2))


def test_paule_mandel_method_runs():
    pooled = pool_random_effects([2, 18, 9], [20, 20, 21], ["a", "b", "c"], method="pm")
    assert pooled.method == "pm"
    assert pooled.tau2 > 0


@pytest.mark.parametrize(
    ("events", "totals", "labels"),
    [([1], [2], ["only"]), ([3, 5], [2, 10], ["bad", "ok"]), ([1, 2], [5, 5], ["one"]), ([1.5, 2], [5, 5], ["a", "b"])],
)
def test_pooling_rejects_bad_input(events, totals, labels):
    with pytest.raises(ValueError):
        pool_random_effects(events, totals, labels)


def test_pooling_rejects_unknown_method():
    with pytest.raises(ValueError, match="method"):
        pool_random_effects([1, 2], [5, 5], ["a", "b"], method="reml")


# --- loader ------------------------------------------------------------------------------------


def test_events_exceeding_total_raises_with_file_row_and_column(tmp_path):
    path = _write_literature(tmp_path, [_row(events="3", total="5"), _row(arm="placebo", events="7", total="5")])
    with pytest.raises(ValueError) as err:
        load_literature(tmp_path)
    message = str(err.value)
    assert str(path) in message
    assert "line 3" in message  # header is line 1, the offending row is the second data row
    assert "column events" in message


def test_loader_rejects_non_integer_count(tmp_path):
    _write_literature(tmp_path, [_row(events="2.5", total="5")])
    with pytest.raises(ValueError, match=r"line 2: column events"):
        load_literature(tmp_path)


def test_loader_rejects_missing_column(tmp_path):
    (tmp_path / "literature.csv").write_text("study_id,arm\nx,y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        load_literature(tmp_path)


# --- the committed table -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def literature() -> pd.DataFrame:
    return load_literature(DATA_DIR)


def test_committed_literature_loads_with_types(literature):
    assert list(literature.columns) == list(COLUMNS)
    for column in ("events", "total", "year", "n_randomized_or_treated"):
        assert str(literature[column].dtype) == "Int64"
    for column in ("proportion_reported", "pooled_estimate", "pooled_ci_low", "pooled_ci_high"):
        assert literature[column].dtype == np.float64
    keys = ["study_id", "arm", "outcome", "time_point"]
    assert not literature.duplicated(keys).any()


def test_committed_literature_contains_required_studies(literature):
    assert REQUIRED_STUDIES <= set(literature["study_id"])
    ogata = literature[(literature["study_id"] == "ogata2006") & (literature["outcome"] == "response")]
    assert set(ogata["arm"]) == {"high_trough", "low_trough", "placebo"}


def test_ogata_uses_the_trial_arm_sizes_not_twenty_each(literature):
    ogata = literature[(literature["study_id"] == "ogata2006") & (literature["outcome"] == "response")].set_index("arm")
    assert ogata.loc["high_trough", ["events", "total"]].tolist() == [13, 19]
    assert ogata.loc["low_trough", ["events", "total"]].tolist() == [8, 21]
    assert ogata.loc["placebo", ["events", "total"]].tolist() == [2, 20]
    # The paper's 68.4% and 38.1% are reproduced by the trial's own denominators ...
    assert round(100 * 13 / 19, 1) == 68.4 and round(100 * 8 / 21, 1) == 38.1
    # ... and by no x/20, hence the recorded disagreement.
    assert not {68.4, 38.1} & {round(100 * x / 20, 1) for x in range(21)}
    assert ogata.loc[["high_trough", "low_trough"], "disagreement"].notna().all()


def test_reported_percentages_agree_with_counts(literature):
    both = literature.dropna(subset=["events", "total", "proportion_reported"])
    assert len(both) > 0
    for _, row in both.iterrows():
        assert 100 * row["events"] / row["total"] == pytest.approx(row["proportion_reported"], abs=0.051), row[
            "study_id"
        ]


def test_pooled_rows_are_only_komaki_and_ordered(literature):
    pooled = literature[literature["pooled_estimate"].notna()]
    assert set(pooled["study_id"]) == {"komaki2016"}
    assert (pooled["arm"] == "pooled").all()
    with_ci = pooled.dropna(subset=["pooled_ci_low", "pooled_ci_high"])
    assert len(with_ci) >= 1
    assert (
        (with_ci["pooled_ci_low"] <= with_ci["pooled_estimate"])
        & (with_ci["pooled_estimate"] <= with_ci["pooled_ci_high"])
    ).all()
    assert literature.loc[literature["pooled_estimate"].isna(), ["pooled_ci_low", "pooled_ci_high"]].isna().all().all()


def test_every_row_says_where_its_figures_were_seen(literature):
    assert literature["figure_seen_in"].notna().all()
    assert literature["paper_account"].notna().all()


def test_literature_resource_satisfies_its_data_dictionary():
    frictionless = pytest.importorskip("frictionless")
    package = frictionless.Package(str(DATA_DIR / "datapackage.json"))
    report = package.get_resource("literature").validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


# --- this cohort beside the studies, forest rows, pooling sets (notebook 06) ---------------------

from tacrolimus_ibd import data  # noqa: E402
from tacrolimus_ibd import literature as lib  # noqa: E402 (not `literature`: that name is a fixture above)


def _toy_cohort() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "diagnosis": ["CD", "CD", "UC", "pouchitis"],
            "week4_response": pd.array([True, False, True, pd.NA], dtype="boolean"),
            "week4_response_basis": ["inferred", "stated", "stated", None],
            "outcome_end_of_follow_up": ["remission", "mild", None, None],
            "outcome_end_of_follow_up_basis": ["inferred", "table4", None, None],
        },
        index=pd.Index([1, 2, 3, 4], name="patient_id"),
    )


def test_cohort_rows_count_over_every_patient_and_skip_empty_arms():
    """Intention to treat, as notebook 04: an unknown value stays in the denominator, not as an event."""
    rows = lib.cohort_rows(_toy_cohort()).set_index(["outcome", "arm"])
    assert rows.loc[("response", "CD"), ["events", "total"]].tolist() == [1, 2]
    assert rows.loc[("response", "all"), ["events", "total"]].tolist() == [2, 4]
    assert ("response", "pouchitis") not in rows.index  # no known value
    assert rows.loc[("remission", "CD"), ["events", "total"]].tolist() == [1, 2]
    assert rows.loc[("remission", "all"), ["events", "total"]].tolist() == [1, 4]
    assert ("remission", "UC") not in rows.index
    assert rows.loc[("remission", "all"), "note"].startswith(
        "1 of 4 values inferred from the text; 2 with an unknown outcome counted in the denominator"
    )
    assert (rows["study_id"] == lib.THIS_COHORT_ID).all()


def test_forest_rows_never_back_compute_a_count_from_a_percentage(tmp_path):
    _write_literature(
        tmp_path,
        [
            _row(study_id="a", study="A et al. 2001", events="3", total="10"),
            _row(study_id="b", study="B et al. 2002", arm="high_trough", proportion_reported="20"),
            _row(study_id="c", study="C et al. 2003"),  # no figure at all
            _row(study_id="d", study="D et al. 2004", arm="pooled", pooled_estimate="0.7"),
        ],
    )
    table = load_literature(tmp_path)
    rows = lib.forest_rows(table, lib.cohort_rows(_toy_cohort()), outcomes=("response",)).set_index("study_id")
    assert set(rows.index) == {"a", "b", lib.THIS_COHORT_ID}
    assert rows.loc["a", "kind"] == "study" and rows.loc["a", "counts"] == "3/10"
    assert rows.loc["b", "kind"] == "percentage_only"
    assert rows.loc["b", "proportion"] == pytest.approx(0.20)
    assert pd.isna(rows.loc["b", "events"]) and np.isnan(rows.loc["b", "ci_low"])
    assert rows.loc["b", "counts"] == "percentage only"
    assert rows.index[-1] == lib.THIS_COHORT_ID  # this cohort after the published rows
    missing = lib.rows_without_figures(table, outcomes=("response",))
    assert missing["study"].tolist() == ["C et al. 2003"]


def test_with_headers_puts_a_header_before_each_outcome():
    rows = lib.forest_rows(load_literature(DATA_DIR), lib.cohort_rows(_toy_cohort()))
    framed = lib.with_headers(rows)
    headers = framed[framed["kind"] == "header"]
    assert headers["label"].tolist() == ["Response", "Remission"]
    assert len(framed) == len(rows) + 2
    assert framed.index[framed["label"] == "Remission"][0] == 1 + (rows["outcome"] == "response").sum()


def test_combine_keeps_the_literature_types():
    lit = load_literature(DATA_DIR)
    both = lib.combine(lit, lib.cohort_rows(_toy_cohort()))
    assert str(both["events"].dtype) == "Int64" and str(both["total"].dtype) == "Int64"
    assert len(both) == len(lit) + len(lib.cohort_rows(_toy_cohort()))
    assert both["note"].isna().sum() >= len(lit)


def test_select_rows_raises_on_missing_or_duplicated_keys():
    lit = load_literature(DATA_DIR)
    with pytest.raises(KeyError, match="0 rows"):
        lib.select_rows(lit, "response", [("nosuchstudy", "tacrolimus", "14 days")])
    doubled = pd.concat([lit, lit], ignore_index=True)
    with pytest.raises(KeyError, match="2 rows"):
        lib.select_rows(doubled, "response", [("fellermann2002", "tacrolimus", "14 days")])


@pytest.mark.parametrize("outcome", ["response", "remission"])
def test_observational_series_resolve_to_whole_series_rows_with_counts(outcome):
    lit = load_literature(DATA_DIR)
    rows = lib.select_rows(lit, outcome, lib.OBSERVATIONAL_SERIES[outcome])
    assert rows[["events", "total"]].notna().all().all()
    assert not rows["design"].str.contains("randomi", case=False).any()  # no trial arms
    assert not rows["arm"].str.contains("subgroup").any()  # subgroups would double-count patients
    assert rows["study_id"].is_unique
    assert outcome in lib.POOLING_WINDOWS  # the window is stated
    with_cohort = pd.concat(
        [
            rows,
            lib.select_rows(
                lib.combine(lit, lib.cohort_rows(data.load_cohort(DATA_DIR.parent))),
                outcome,
                [lib.THIS_COHORT_POOLING_ROW[outcome]],
            ),
        ]
    )
    pooled = lib.pool_rows(with_cohort)
    direct = pool_random_effects(
        with_cohort["events"].astype(int), with_cohort["total"].astype(int), with_cohort["study"]
    )
    assert pooled == direct


def test_pooled_series_share_a_time_window():
    lit = load_literature(DATA_DIR)
    early = lib.select_rows(lit, "response", lib.OBSERVATIONAL_SERIES["response"])
    assert not early["time_point"].str.contains("month").any()  # no response measured over months of treatment
    later = lib.select_rows(lit, "remission", lib.OBSERVATIONAL_SERIES["remission"])
    assert not (later["time_point"] == "1 month").any()


def test_pooled_table_reports_heterogeneity():
    pooled = pool_random_effects([2, 18, 9], [20, 20, 21], ["a", "b", "c"])
    table = lib.pooled_table({"x": pooled})
    assert table.loc[0, "studies"] == "a; b; c"
    assert table.loc[0, "q_df"] == 2
    assert table.loc[0, "i2"] == pytest.approx(pooled.i2)


def test_ogata_target_bands_are_recorded_with_their_source():
    bands = lib.trough_bands(load_literature(DATA_DIR)).set_index("arm")
    assert bands.loc["low_trough", ["low", "high"]].tolist() == [5.0, 10.0]
    assert bands.loc["high_trough", ["low", "high"]].tolist() == [10.0, 15.0]
    assert bands["source"].str.contains("10-15 ng/ml").all() and bands["source"].str.contains("5-10 ng/ml").all()
    assert "placebo" not in bands.index


def test_published_pooled_rows_are_komaki_response():
    rows = lib.published_pooled(load_literature(DATA_DIR), "response")
    assert len(rows) == 2 and rows["study"].str.startswith("Komaki").all()
    assert lib.published_pooled(load_literature(DATA_DIR), "remission").empty


def test_disagreements_table_lists_every_recorded_disagreement():
    lit = load_literature(DATA_DIR)
    table = lib.disagreements(lit)
    assert len(table) == lit["disagreement"].notna().sum()
    ogata_high = table[(table["study"] == "Ogata et al. 2006") & (table["arm"] == "high_trough")]
    assert ogata_high["study_figures"].tolist() == ["13/19"]
    overview = lib.study_overview(lit)
    assert overview["study_id"].is_unique and set(overview["study_id"]) == set(lit["study_id"])


def test_pooled_proportion_summary_frame_is_a_row_of_pooled_table():
    from tacrolimus_ibd.literature import pooled_table

    pooled = pool_random_effects([2, 18, 9], [20, 20, 21], ["a", "b", "c"])
    row = pooled.summary_frame("three")
    assert row.loc[0, "estimate"] == "three" and row.loc[0, "q_df"] == 2 and row.loc[0, "studies"] == "a; b; c"
    assert pooled_table({"three": pooled}).equals(row)
    with pytest.raises(TypeError):
        pool_random_effects([2, 18], [20, 20], ["a", "b"], "pm")  # the options are keyword-only
