"""Notebook 06's analysis as one call: this cohort beside the published tacrolimus studies the
paper discusses (Ng, Arebi & Kamm, Inflamm Bowel Dis 2007;13:129-134, Discussion), and beside
the trough bands of Ogata et al. (Gut 2006;55:1255-62).

``literature_comparison(study, pooling_method=...)`` returns a ``LiteratureComparison``:
tables as attributes, ``summary_frame()`` (the pooled random-effects estimates) and
``key_results()``. Pooling: ``literature.pool_rows`` (DerSimonian & Laird 1986 or Paule &
Mandel 1982 for tau squared; Hartung-Knapp-Sidik-Jonkman interval); exact intervals:
Clopper & Pearson (Biometrika 1934).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import literature, trough
from .labels import readable, yes_no

OUTCOMES = ("response", "remission")
POOLING_METHOD_NAMES = {"dl": "DerSimonian-Laird", "pm": "Paule-Mandel"}
SERIES = ("published series", "published series + this cohort")


def counts_by_band(band: pd.Series, week4_response: pd.Series, remission_end: pd.Series) -> pd.DataFrame:
    """Patients per trough band, with the week-4 responders and end-of-follow-up remissions among
    those whose outcome is known (``events``/``total``, ``remission_events``/``remission_total``).

    The three series share the patients' index; a band with no patient is kept unless it is
    the "between bands" gap.
    """
    frame = pd.DataFrame(
        {"band": band, "response": week4_response.astype("boolean"), "remission": remission_end.astype("boolean")}
    )
    known = frame[["response", "remission"]].notna()
    happened = frame[["response", "remission"]].fillna(False).astype(bool)
    counts = pd.DataFrame(
        {
            "band": frame["band"],
            "events": happened["response"].astype(int),
            "total": known["response"].astype(int),
            "remission_events": happened["remission"].astype(int),
            "remission_total": known["remission"].astype(int),
        }
    )
    grouped = counts.groupby("band", observed=False)
    by_band = grouped.size().rename("patients").to_frame().join(grouped.sum()).reset_index()
    by_band = by_band[["band", "patients", "events", "total", "remission_events", "remission_total"]]
    return by_band[(by_band["band"] != "between bands") | (by_band["patients"] > 0)]


@dataclass
class LiteratureComparison:
    """This cohort beside the literature (notebook 06). Attributes: ``studies`` (literature.csv),
    ``this_cohort`` (the cohort's rows in the same layout), ``overview``, ``forest_table``,
    ``no_figures``, ``bands``, ``troughs``, ``band_counts``, ``by_band``, ``ogata_arms``,
    ``pooled`` ((outcome, series) -> PooledProportion), ``pool_inputs`` (outcome -> rows),
    ``published_pooled`` (outcome -> Komaki's rows), ``disagreements``."""

    pooling_method: str
    studies: pd.DataFrame
    this_cohort: pd.DataFrame
    overview: pd.DataFrame
    forest_table: pd.DataFrame
    no_figures: pd.DataFrame
    bands: pd.DataFrame
    troughs: pd.DataFrame
    band_counts: pd.DataFrame
    by_band: pd.DataFrame
    ogata_arms: pd.DataFrame
    pooled: dict
    pool_inputs: dict
    published_pooled: dict
    disagreements: pd.DataFrame

    def summary_frame(self) -> pd.DataFrame:
        """The pooled random-effects estimates, one row per outcome and series (``literature.pooled_table``)."""
        return literature.pooled_table({f"{o}: {name}": r for (o, name), r in self.pooled.items()})

    def pooled_forest_rows(self, outcome: str) -> pd.DataFrame:
        """The forest rows of one outcome: the pooled series, the pooled estimates and Komaki's."""
        method = POOLING_METHOD_NAMES.get(self.pooling_method, self.pooling_method)
        return literature.pooled_forest_rows(
            literature.forest_rows(self.pool_inputs[outcome], outcomes=(outcome,)),
            {
                f"Random effects ({method}, HKSJ interval): {name}": self.pooled[(outcome, name)]
                for name in SERIES
                if (outcome, name) in self.pooled
            },
            self.published_pooled[outcome],
        )

    def reading(self, section: str) -> str:
        """The plain-text reading of ``boundary``, ``pooling``, ``published_pooled`` or ``ogata``."""
        return "\n".join(getattr(self, f"_reading_{section}")())

    def _reading_boundary(self):
        shared = self.troughs["mean_trough_ng_ml"].isin(set(self.bands["low"]) & set(self.bands["high"])).sum()
        yield f"Patient means exactly on a boundary shared by two bands: {shared} (such a mean would be counted in the lower band below)."

    def _reading_pooling(self):
        for outcome in OUTCOMES:
            yield f"{outcome}, pooled over one window, {literature.POOLING_WINDOWS[outcome]}:"
            for row in self.pool_inputs[outcome].itertuples():
                yield f"  - {row.study}, {row.arm}: {row.events}/{row.total} at {row.time_point}"
            published = len(literature.select_rows(self.studies, outcome, literature.OBSERVATIONAL_SERIES[outcome]))
            if published < 2:
                yield f"  ({published} published series in this window: pooled only with this cohort added)"

    def _reading_published_pooled(self):
        for outcome, rows in self.published_pooled.items():
            if rows.empty:
                yield f"{outcome}: no published pooled estimate in literature.csv"

    def _reading_ogata(self):
        ogata = self.studies[
            (self.studies["study_id"] == "ogata2006") & (self.studies["outcome"] == "response")
        ].set_index("arm")
        yield "Ogata's arms, randomised and analysed (the study's own numbers):"
        for arm, row in ogata.iterrows():
            yield (
                f"  - {readable(arm)}: {row['n_randomized_or_treated']} randomised, {row['total']} analysed, {row['events']} improved "
                f"({100 * row['events'] / row['total']:.1f}%)"
            )
        yield (
            f"Total randomised {ogata['n_randomized_or_treated'].sum()}, analysed {ogata['total'].sum()}; "
            f"arm sizes all equal: {yes_no(ogata['n_randomized_or_treated'].nunique() == 1)}."
        )

    def key_results(self) -> dict:
        """The flat mapping of notebook 06's headline results (``outputs.save_key_results``)."""
        key = {}
        for (outcome, name), r in self.pooled.items():
            slug = f"{outcome}_{name.replace(' + ', '_plus_').replace(' ', '_')}"
            key |= {
                f"pooled_{slug}": r.proportion,
                f"pooled_{slug}_ci_low": r.ci_low,
                f"pooled_{slug}_ci_high": r.ci_high,
                f"pooled_{slug}_wald_ci_low": r.wald_ci_low,
                f"pooled_{slug}_wald_ci_high": r.wald_ci_high,
                f"pooled_{slug}_i2": r.i2,
                f"pooled_{slug}_tau2": r.tau2,
                f"pooled_{slug}_q": r.q,
                f"pooled_{slug}_k": r.k,
            }
        overall = self.this_cohort[self.this_cohort["arm"] == "all"].set_index("outcome")
        counts = self.band_counts
        key |= {
            "pooling_method": self.pooling_method,
            "this_cohort_week4_response": overall.loc["response", "events"] / overall.loc["response", "total"],
            "this_cohort_remission_end": overall.loc["remission", "events"] / overall.loc["remission", "total"],
            "n_cohort_means_in_ogata_low_band": int(
                counts.loc[counts["band"].str.contains("low trough"), "patients"].sum()
            ),
            "n_cohort_means_in_ogata_high_band": int(
                counts.loc[counts["band"].str.contains("high trough"), "patients"].sum()
            ),
            "n_disagreements_recorded": len(self.disagreements),
            "n_forest_rows_percentage_only": int((self.forest_table["kind"] == "percentage_only").sum()),
        }
        return key


def literature_comparison(study, *, pooling_method: str = "dl") -> LiteratureComparison:
    """Every comparison of notebook 06 on ``study`` (``study.open_study``).

    ``pooling_method`` is the random-effects tau-squared estimator: "dl" (DerSimonian-Laird) or
    "pm" (Paule-Mandel, a sensitivity analysis).
    """
    cohort = study.cohort
    studies = study.literature
    described = study.description
    this_cohort = literature.cohort_rows(
        cohort,
        label=described["label"],
        design=described["design"],
        population=described["population"],
        response_source=described["week4ResponseSource"],
    )
    bands = literature.trough_bands(studies)
    troughs = trough.trough_table(cohort)
    troughs["ogata_band"] = trough.assign_bands(troughs["mean_trough_ng_ml"], bands)
    by_band = counts_by_band(
        troughs["ogata_band"], cohort.loc[troughs.index, "week4_response"], troughs["remission_end_of_follow_up"]
    )
    ogata_arms = studies[(studies["study_id"] == "ogata2006") & (studies["outcome"] == "response")][
        ["arm", "time_point", "events", "total"]
    ]
    combined = literature.combine(studies, this_cohort)
    pooled, inputs = {}, {}
    for outcome in OUTCOMES:
        series_keys = literature.OBSERVATIONAL_SERIES[outcome]
        published_rows = literature.select_rows(studies, outcome, series_keys)
        with_cohort_rows = literature.select_rows(
            combined, outcome, (*series_keys, literature.THIS_COHORT_POOLING_ROW[outcome])
        )
        if len(published_rows) >= 2:
            pooled[(outcome, SERIES[0])] = literature.pool_rows(published_rows, method=pooling_method)
        pooled[(outcome, SERIES[1])] = literature.pool_rows(with_cohort_rows, method=pooling_method)
        inputs[outcome] = with_cohort_rows
    return LiteratureComparison(
        pooling_method=pooling_method,
        studies=studies,
        this_cohort=this_cohort,
        overview=literature.study_overview(studies),
        forest_table=literature.forest_rows(studies, this_cohort),
        no_figures=literature.rows_without_figures(studies),
        bands=bands,
        troughs=troughs,
        band_counts=trough.counts_in_bands(troughs["mean_trough_ng_ml"], bands),
        by_band=literature.exact_intervals(by_band),
        ogata_arms=literature.exact_intervals(ogata_arms),
        pooled=pooled,
        pool_inputs=inputs,
        published_pooled={outcome: literature.published_pooled(studies, outcome) for outcome in OUTCOMES},
        disagreements=literature.disagreements(studies),
    )
