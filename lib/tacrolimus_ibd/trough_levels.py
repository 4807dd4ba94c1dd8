"""Notebook 05's analysis as one call: tacrolimus trough levels (Ng, Arebi & Kamm, Inflamm Bowel
Dis 2007;13:129-134, Methods' target band, Results and Table 5) against a target band, Ogata et
al.'s high-trough band (Gut 2006;55:1255-62), the reported mean and range, outcome and side effects.

``trough_levels(study, target_low_ng_ml=..., target_high_ng_ml=...)`` returns a
``TroughLevels``: tables as attributes, ``summary_frame()`` (the Table 5 patients with their
position against the band) and ``key_results()``. Tests: Mann-Whitney U (Mann & Whitney 1947;
exact up to ``trough.MANN_WHITNEY_EXACT_LIMIT`` patients, the normal approximation above, each
row naming the one it used) and Fisher's exact test (Fisher 1922), ``trough.mann_whitney_u`` and
``statistics.fisher_2x2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import literature, statistics, trough
from .labels import readable

TABLE5_VIEW = [
    "diagnosis",
    "mean_trough_ng_ml",
    "trough_min_ng_ml",
    "trough_max_ng_ml",
    "position",
    "tacrolimus_duration_months",
    "ongoing_tacrolimus",
    "outcome_end_of_follow_up",
    "any_adverse_effect",
]
OUTCOME_ORDER = ("remission", "clinical_response", "mild", "severe")


@dataclass
class TroughLevels:
    """Trough levels of one cohort against a target band (notebook 05). Attributes: ``target``
    (low, high), ``reported_target``, ``reported_trough`` (the Results' mean and range),
    ``troughs`` (Table 5's patients, sorted by mean, with ``position``), ``summary``
    (``trough.summarise_troughs``), ``ogata_high`` (Ogata's high-trough band), ``band_counts``,
    ``readings`` (the reported numbers against each reading of Table 5), ``rank_tests``,
    ``fisher_tests`` and ``missing`` (patients without a Table 5 row)."""

    study: object
    target: tuple
    reported_target: dict
    reported_trough: dict
    troughs: pd.DataFrame
    summary: dict
    ogata_high: pd.Series
    band_counts: pd.DataFrame
    readings: pd.DataFrame
    rank_tests: pd.DataFrame
    fisher_tests: pd.DataFrame
    missing: pd.DataFrame

    @property
    def target_is_reported(self) -> bool:
        """Whether this run's band is the Methods' reported one."""
        return self.target == (self.reported_target["low"], self.reported_target["high"])

    @property
    def within_all_levels(self) -> int:
        """Patients whose lowest and highest single levels both lie inside the band."""
        t = self.troughs
        return int(((t["trough_min_ng_ml"] >= self.target[0]) & (t["trough_max_ng_ml"] <= self.target[1])).sum())

    @property
    def reported_range_is_mixed(self) -> bool:
        """Whether the reported range runs from the lowest single level to the highest patient mean."""
        agrees = self.readings.set_index(["reported_part", "reading"])["agrees"]
        return bool(agrees.get(("min", "lowest_single"), False) and agrees.get(("max", "highest_mean"), False))

    def summary_frame(self) -> pd.DataFrame:
        """Table 5's patients (sorted by mean trough) with their position against the band."""
        return self.troughs[TABLE5_VIEW]

    def mean_within_band(self) -> pd.DataFrame:
        """The reported mean and each reading of it, as a fraction of the band from its low end."""
        mean_readings = {
            "reported mean": self.reported_trough["mean"],
            **{k: self.summary[k] for k in trough.REPORTED_READINGS["mean"]},
        }
        frame = pd.DataFrame({"reading": list(mean_readings), "ng_ml": list(mean_readings.values())})
        frame["fraction_of_band_from_low_end"] = (frame["ng_ml"] - self.target[0]) / (self.target[1] - self.target[0])
        return frame

    def outcome_order(self) -> list:
        """The end-of-follow-up outcomes present among Table 5's patients, best first."""
        return [o for o in OUTCOME_ORDER if o in set(self.troughs["outcome_end_of_follow_up"])]

    def reading(self, section: str) -> str:
        """The plain-text reading of ``cohort``, ``target``, ``bands``, ``reported`` or ``missing``."""
        return "\n".join(getattr(self, f"_reading_{section}")())

    def _reading_cohort(self):
        yield (
            f"Table 5 lists {len(self.troughs)} of {len(self.study.cohort)} patients: "
            + ", ".join(f"{n} {g}" for g, n in self.troughs["diagnosis"].value_counts().items())
        )

    def _reading_target(self):
        low, high = self.target
        yield f"Reported target band (Methods, ledger): {self.reported_target['low']:g}-{self.reported_target['high']:g} ng/mL"
        yield f"Band used in this run:                  {low:g}-{high:g} ng/mL"
        if self.target_is_reported:
            yield "This run uses the reported band."
        else:
            yield (
                "NOTE: this run has MOVED the band away from the reported one (a sensitivity run); "
                "every count 'in the band' below refers to the band used in this run."
            )

    def _reading_bands(self):
        n_band, n = self.band_counts["all"], len(self.troughs)
        yield (
            f"Band {self.target[0]:g}-{self.target[1]:g} ng/mL: mean below in {n_band['below']}, in the band in {n_band['in']}, "
            f"above in {n_band['above']} of {n} patients."
        )
        yield f"Patients whose every level (lowest and highest) lay inside the band: {self.within_all_levels} of {n}."

    def _reading_reported(self):
        t, s, r = self.troughs, self.summary, self.reported_trough
        yield f"Reported (Results): mean {r['mean']:.1f} ng/mL, range {r['min']:.1f}-{r['max']:.1f}."
        yield f"Table 5, {s['n']} patients:"
        yield (
            f"- mean of the patient means {s['mean_of_means']:.2f}, median {s['median_of_means']:.2f}, "
            f"duration-weighted mean {s['duration_weighted_mean']:.2f} ng/mL;"
        )
        yield (
            f"- patient means run from {s['lowest_mean']:g} (patient {t['mean_trough_ng_ml'].idxmin()}) "
            f"to {s['highest_mean']:g} (patient {t['mean_trough_ng_ml'].idxmax()});"
        )
        yield (
            f"- single levels run from {s['lowest_single']:.1f} (patient {t['trough_min_ng_ml'].idxmin()}) "
            f"to {s['highest_single']:g} (patient {t['trough_max_ng_ml'].idxmax()})."
        )
        for part in ["mean", "min", "max"]:
            rows = self.readings[self.readings["reported_part"] == part]
            matching = [f"{readable(row.reading)} ({row.convention})" for row in rows.itertuples() if row.agrees]
            yield f"Reported {part} {r[part]:.1f}: " + (
                f"agrees with {', '.join(matching)}" if matching else "agrees with none of the readings"
            )
        if self.reported_range_is_mixed:
            yield (
                "So the reported range mixes two kinds of number: its lower end is the lowest single level and its upper end "
                "the highest patient mean, while single levels go higher."
            )

    def _reading_missing(self):
        missing, t = self.missing, self.troughs
        yield (
            f"Severe at end of follow-up: {(missing['outcome_end_of_follow_up'] == 'severe').sum()} of {len(missing)} patients without a Table 5 row, "
            f"{(t['outcome_end_of_follow_up'] == 'severe').sum()} of {len(t)} with one."
        )
        yield (
            f"Adverse effect listed: {(missing['adverse_effects'] != '').sum()} of {len(missing)} without a row, "
            f"{t['any_adverse_effect'].sum()} of {len(t)} with one."
        )

    def key_results(self) -> dict:
        """The flat mapping of notebook 05's headline results (``outputs.save_key_results``)."""
        s, n_band = self.summary, self.band_counts["all"]
        return {
            "target_low_ng_ml": self.target[0],
            "target_high_ng_ml": self.target[1],
            "target_is_reported": bool(self.target_is_reported),
            "n_patients_with_trough": s["n"],
            "n_mean_below_band": int(n_band["below"]),
            "n_mean_in_band": int(n_band["in"]),
            "n_mean_above_band": int(n_band["above"]),
            "n_all_levels_in_band": self.within_all_levels,
            "mean_of_patient_means_ng_ml": s["mean_of_means"],
            "median_of_patient_means_ng_ml": s["median_of_means"],
            "duration_weighted_mean_ng_ml": s["duration_weighted_mean"],
            "lowest_single_level_ng_ml": s["lowest_single"],
            "highest_single_level_ng_ml": s["highest_single"],
            "lowest_patient_mean_ng_ml": s["lowest_mean"],
            "highest_patient_mean_ng_ml": s["highest_mean"],
            "reported_mean_ng_ml": self.reported_trough["mean"],
            "reported_range_is_lowest_single_to_highest_mean": self.reported_range_is_mixed,
            "p_mwu_trough_remission": self.rank_tests.loc[0, "p_value"],
            "p_mwu_trough_adverse_effect": self.rank_tests.loc[1, "p_value"],
            # Which test gave each P (exact, or the normal approximation on a large cohort), for prose.
            "mwu_test_trough_remission": trough.MANN_WHITNEY_SHORT[self.rank_tests.loc[0, "method"]],
            "mwu_test_trough_adverse_effect": trough.MANN_WHITNEY_SHORT[self.rank_tests.loc[1, "method"]],
            "p_fisher_in_band_remission": self.fisher_tests.loc[0, "p_value"],
        }


def trough_levels(study, *, target_low_ng_ml: float = 5.0, target_high_ng_ml: float = 10.0) -> TroughLevels:
    """Every trough analysis of notebook 05 on ``study`` (``study.open_study``), against the band
    ``target_low_ng_ml``-``target_high_ng_ml`` (the Methods' 5-10 ng/mL by default)."""
    target = (target_low_ng_ml, target_high_ng_ml)
    troughs = trough.trough_table(study.cohort)  # the patients Table 5 lists, sorted by mean trough
    troughs["position"] = trough.band_position(troughs["mean_trough_ng_ml"], *target)
    bands = literature.trough_bands(study.literature)
    reported_trough = study.reported("trough-mean")
    summary = trough.summarise_troughs(troughs)
    in_band, above_band = troughs["position"].eq("in"), troughs["position"].eq("above")
    rank_tests = [
        (
            "mean trough: remission vs not, end of follow-up",
            troughs["mean_trough_ng_ml"],
            troughs["remission_end_of_follow_up"],
        ),
        ("mean trough: any adverse effect vs none", troughs["mean_trough_ng_ml"], troughs["any_adverse_effect"]),
        (
            "highest single level: any adverse effect vs none",
            troughs["trough_max_ng_ml"],
            troughs["any_adverse_effect"],
        ),
    ]
    fisher_tests = [
        ("mean in band vs remission at end of follow-up", in_band, troughs["remission_end_of_follow_up"]),
        ("mean above band vs any adverse effect", above_band, troughs["any_adverse_effect"]),
    ]
    return TroughLevels(
        study=study,
        target=target,
        reported_target=study.reported("trough-target"),
        reported_trough=reported_trough,
        troughs=troughs,
        summary=summary,
        ogata_high=bands[(bands["study_id"] == "ogata2006") & (bands["arm"] == "high_trough")].iloc[0],
        band_counts=trough.band_counts(troughs["position"], troughs["diagnosis"]),
        readings=trough.reported_vs_computed(summary, reported_trough),
        rank_tests=pd.DataFrame(
            [
                {"comparison": name, "test": "", **trough.mann_whitney_u(v, g)}  # "test" second, as the table prints it
                for name, v, g in rank_tests
            ]
        ),
        fisher_tests=pd.DataFrame(
            [
                {"comparison": name, "test": "Fisher exact, two-sided", **statistics.fisher_2x2(e, o)}
                for name, e, o in fisher_tests
            ]
        ),
        missing=trough.patients_without_trough(study.cohort),
    )
