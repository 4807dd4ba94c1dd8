"""Notebook 04's analysis as one call: the medium-term outcomes of Ng, Arebi & Kamm (Inflamm
Bowel Dis 2007;13:129-134), Results "Medium-term outcome", Table 4 and the Abstract.

``medium_term_outcomes(study, denominator=..., include_inferred_outcomes=..., alpha=...)``
returns a ``MediumTermResults`` in the style of statsmodels' result classes: the tables as
attributes, ``summary_frame()`` (the rates over the chosen denominator) and ``key_results()``
(the flat mapping batch runs compare). Rates and intervals: ``outcomes`` and
``statistics.proportion_table`` (Clopper & Pearson 1934; Wilson 1927); time on tacrolimus:
Kaplan-Meier (Kaplan & Meier 1958) with Brookmeyer-Crowley quantile intervals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from . import claims, outcomes, statistics
from .labels import counts_in_words, readable, yes_no

#: How the unknown-status patients enter the Kaplan-Meier time on tacrolimus, with their legend
#: label and line style: the two readings get equal weight; leaving them out is drawn thinner.
KM_RULES = {
    "event": ("unknown status as stopped", {"color": "#D55E00", "lw": 2}),
    "censored": ("unknown status as ongoing", {"color": "#0072B2", "lw": 2, "ls": "--"}),
    "exclude": ("unknown status excluded", {"color": "#555555", "lw": 1, "ls": ":"}),
}


def _ids(index) -> str:
    return ", ".join(map(str, index))


def time_on_tacrolimus_km(cohort: pd.DataFrame, facts: pd.DataFrame, *, alpha: float = 0.05):
    """Kaplan-Meier time on tacrolimus under each reading of unknown status (``KM_RULES``).

    Returns ``(summary, fits)``: one summary row per rule (patients, stopped, censored, the
    excluded and unknown-status patients, the median with its (1 - alpha) Brookmeyer-Crowley
    interval, the 25th percentile) and the fitted curves by rule.
    """
    rows, fits = [], {}
    for rule in KM_RULES:
        timing = outcomes.time_on_tacrolimus(cohort, facts, unknown_status=rule)
        used = timing[timing["included"]]
        fit = statistics.kaplan_meier(used["months"], used["event"])
        median = statistics.survival_quantile(fit, p=0.5, alpha=alpha)
        quartile = statistics.survival_quantile(fit, p=0.25, alpha=alpha)
        unknown = timing.index[timing["stopped"].isna() & timing["months"].notna()]
        rows.append(
            {
                "unknown status": rule,
                "patients": len(used),
                "stopped": int(used["event"].sum()),
                "censored": int((used["event"] == 0).sum()),
                "excluded": _ids(timing.index[~timing["included"]]),
                "unknown-status patients": _ids(unknown),
                "KM median, months": median["estimate"],
                "median": f"{median['estimate']:g} months"
                if median["reached"]
                else f"not reached (at least {median['ci_low']:g} months, lower {1 - alpha:.0%} bound)",
                "median CI low": median["ci_low"],
                "median CI high": median["ci_high"],
                "KM 25th percentile, months": quartile["estimate"],
            }
        )
        fits[rule] = fit
    return pd.DataFrame(rows), fits


@dataclass
class MediumTermResults:
    """The medium-term outcomes of one cohort (notebook 04). Tables as attributes:

    ``denominator_differences`` (patients the two denominators treat differently), ``masks``,
    ``outcome_table`` (end-of-follow-up outcome counts), ``rates`` (every rate, group and
    denominator, with intervals), ``remission`` (remission rates beside the reported ones),
    ``relapses``, ``tapering``, ``fistula``, ``adverse_effects``, ``discontinuations``,
    ``stopped`` (those stopped for side effects), ``swimmer``, ``km_summary`` and ``km_fits``,
    ``durations`` and ``duration_summary``.
    """

    study: object
    denominator: str
    include_inferred_outcomes: bool
    alpha: float
    masks: pd.DataFrame
    denominator_differences: pd.DataFrame
    outcome_table: pd.DataFrame
    rates: pd.DataFrame
    remission: pd.DataFrame
    relapses: pd.DataFrame
    tapering: pd.DataFrame
    fistula: pd.DataFrame
    adverse_effects: pd.DataFrame
    discontinuations: pd.DataFrame
    swimmer: pd.DataFrame
    km_summary: pd.DataFrame
    km_fits: dict
    durations: pd.DataFrame
    duration_summary: pd.DataFrame

    @property
    def overall(self) -> pd.DataFrame:
        """The rates over all patients, both denominators."""
        return self.rates[self.rates["group"] == "all"].drop(columns=["group"])

    @property
    def stopped(self) -> pd.DataFrame:
        """The patients who stopped tacrolimus for side effects."""
        return self.discontinuations[self.discontinuations["stopped_for_side_effects"]]

    def summary_frame(self) -> pd.DataFrame:
        """The rates (every group) over the chosen denominator, with their intervals."""
        return self.rates[self.rates["denominator"] == self.denominator].reset_index(drop=True)

    # --- the reported values set beside the data (the ledger: claims.csv) --------------------

    def relapses_vs_reported(self) -> pd.DataFrame:
        """Relapse counts beside the reported ones; on the paper's own data also the ledger's
        per-patient UC relapse months, each beside that patient's Table 4 month."""
        relapses, study = self.relapses, self.study
        named = relapses[relapses["text_names_relapse"]]
        # The ledger keys the UC relapse months by the paper's patients ("p1_month"): they are those
        # patients only on the paper's transcription; in another cohort the same number is someone else.
        month_keys = [
            k for k in study.reported("uc-relapses") if study.is_transcription and re.fullmatch(r"p\d+_month", k)
        ]
        month_rows = [
            (
                f"Patient {k[1:-6]}'s relapse month, Table 4",
                relapses["relapse_month_table4"].get(int(k[1:-6])),
                "uc-relapses",
                k,
            )
            for k in month_keys
        ]
        in_table4 = relapses["relapse_month_table4"].notna()
        return study.beside_reported(
            month_rows
            + [
                ("UC relapses named in the text", int((named["diagnosis"] == "UC").sum()), "uc-relapses", "count"),
                (
                    "UC relapses in Table 4",
                    int(((relapses["diagnosis"] == "UC") & in_table4).sum()),
                    "uc-relapses",
                    "count",
                ),
                (
                    "CD relapses requiring steroids named in the text",
                    int((named["diagnosis"] == "CD").sum()),
                    "cd-relapse-count",
                    "count",
                ),
                (
                    "CD relapses in Table 4",
                    int(((relapses["diagnosis"] == "CD") & in_table4).sum()),
                    "cd-relapse-count",
                    "count",
                ),
            ]
        )

    def tapering_vs_reported(self) -> pd.DataFrame:
        """Patients with complete steroid tapering beside the Discussion's count."""
        complete = self.tapering[self.tapering["steroid_tapering_table4"] == "complete"]
        return self.study.beside_reported(
            [("patients with complete steroid tapering", len(complete), "disc-steroid-tapering", "count")]
        )

    def discontinuations_vs_reported(self) -> pd.DataFrame:
        """Stops for side effects (and which effects), and the tolerated patients, beside the reported counts."""
        stopped = self.stopped
        return self.study.beside_reported(
            [
                ("stopped for side effects", len(stopped), "ae-discontinued-abstract", "count"),
                ("stopped for side effects", len(stopped), "ae-discontinued-results", "count"),
                (
                    "of whom with tremor",
                    int(stopped["adverse_effects"].str.contains("tremor").sum()),
                    "ae-discontinued-results",
                    "tremor",
                ),
                (
                    "of whom with malaise",
                    int(stopped["adverse_effects"].str.contains("malaise").sum()),
                    "ae-discontinued-results",
                    "malaise",
                ),
                (
                    "patients without adverse effects (tolerated)",
                    int(outcomes.tolerated(self.study.cohort).sum()),
                    "ae-tolerated",
                    "count",
                ),
            ]
        )

    def km_steps(self) -> pd.DataFrame:
        """The Kaplan-Meier steps of the two equal-weight readings of unknown status."""
        steps = pd.concat(
            {KM_RULES[r][0]: statistics.survival_table(self.km_fits[r]) for r in ("event", "censored")},
            names=["analysis", "step"],
        )
        return steps.reset_index(level="step", drop=True).reset_index()

    def km_curves(self) -> dict:
        """Legend label -> (fit, line style) for ``plots.survival_curves``."""
        return {KM_RULES[r][0]: (fit, KM_RULES[r][1]) for r, fit in self.km_fits.items()}

    # --- the plain reading, as printed by notebook 04 -------------------------------------------

    def reading(self, section: str) -> str:
        """The plain-text reading of one section: ``denominators``, ``remission``, ``relapses``,
        ``tapering``, ``discontinuations``, ``ongoing``, ``durations``, ``settings`` (the key
        results' denominator) or ``outcome_basis`` (how each outcome is known)."""
        return "\n".join(getattr(self, f"_reading_{section}")())

    def _reading_settings(self):
        counted = "yes" if self.include_inferred_outcomes else "no"
        yield f"key results over: {readable(self.denominator)}; outcomes inferred from the text counted: {counted}"

    def _reading_denominators(self):
        yield "patients per denominator: " + "; ".join(f"{readable(d)}: {int(m.sum())}" for d, m in self.masks.items())

    def _reading_outcome_basis(self):
        basis = self.study.cohort["outcome_end_of_follow_up_basis"].fillna("not known").value_counts()
        yield f"how each patient's outcome at the end of follow-up is known: {counts_in_words(basis)}"

    def _reading_remission(self):
        for row in self.remission[self.remission["reported_count"].notna()].itertuples():
            same = (row.events, row.total) == (row.reported_count, row.reported_total)
            yield (
                f"{row.group}, {readable(row.denominator)}: data {row.events}/{row.total}, reported {row.reported_count:.0f}/{row.reported_total:.0f}"
                f" -> {'same' if same else 'different'}"
            )

    def _reading_relapses(self):
        relapses, cohort = self.relapses, self.study.cohort
        yield f"relapses by source: {counts_in_words(relapses['sources'].value_counts())}"
        table4_only = relapses[relapses["sources"] == "Table 4 only"]
        yield f"Table 4 relapses the text does not name: patients {_ids(table4_only.index) or 'none'}"
        for pid, row in table4_only.iterrows():
            yield (
                f"- patient {pid}: Table 4 month {row.relapse_month_table4:g}, outcome {row.outcome_table4}, "
                f"treated {cohort.loc[pid, 'treatment_months']:g} months; cell read by position with judgement: {yes_no(row.ambiguous_cell)}"
            )

    def _reading_tapering(self):
        complete = self.tapering[self.tapering["steroid_tapering_table4"] == "complete"]
        if complete.empty:
            yield "steroid tapering complete: no patient"
            return
        yield (
            f"steroid tapering complete: {len(complete)} patients ({_ids(complete.index)}); "
            f"of these, on concurrent prednisolone at the start (Table 2): {int(complete['concurrent_prednisolone_at_start'].sum())}"
        )

    def _reading_discontinuations(self):
        stopped = self.stopped
        yield f"stopped for side effects: {len(stopped)} patients ({_ids(stopped.index)})"
        # Table 4 prints quarter months below one month and whole months from one month on: the one agreement rule
        # (claims.agreement) brings the text's stop to that step.
        for pid, row in stopped.dropna(subset=["stop_months_text"]).iterrows():
            result = claims.agreement(
                row.stop_months_text, row.treatment_months, step=0.25 if row.treatment_months < 1 else 1
            )
            flag = "" if result else "  <- not Table 4's value at its step"
            yield (
                f"- patient {pid}: the text's stop is at {row.stop_months_text:.2f} months, Table 4's treatment "
                f"{row.treatment_months:g} months: {result.explanation}{flag}"
            )

    def _reading_ongoing(self):
        overall = self.overall
        ongoing = overall[
            (overall["rate"] == "ongoing_end_of_follow_up") & (overall["denominator"] == "intention_to_treat")
        ].iloc[0]
        reported = self.study.reported("ongoing-end")
        yield (
            f"still on tacrolimus at the end of follow-up: {ongoing['events']} known (patients {ongoing['event_ids']}); "
            f"{ongoing['unknown']} with unknown status, so between {ongoing['events']} and {ongoing['events'] + ongoing['unknown']} of {ongoing['total']}; "
            f"reported: {reported['count']:.0f} of {reported['total']:.0f}"
        )

    def _reading_durations(self):
        no_duration = self.swimmer.index[self.swimmer["months"].isna()]
        yield f"patients without any treatment duration (listed, not drawn): {_ids(no_duration) or 'none'}"
        both_tables = self.study.cohort[["treatment_months", "tacrolimus_duration_months"]].dropna().astype(float)
        yield (
            f"patients with a duration in both Table 4 and Table 5: {len(both_tables)}; "
            f"the two agree for {int((both_tables.iloc[:, 0] == both_tables.iloc[:, 1]).sum())}"
        )

    def key_results(self) -> dict:
        """The flat mapping of notebook 04's headline results (``outputs.save_key_results``)."""
        key = {"denominator": self.denominator, "include_inferred_outcomes": self.include_inferred_outcomes}
        for row in self.summary_frame().itertuples():
            stem = f"{row.rate}_{row.group.lower()}"
            key |= {
                f"{stem}_events": row.events,
                f"{stem}_total": row.total,
                f"{stem}_unknown": row.unknown,
                f"{stem}_proportion": row.proportion,
                f"{stem}_clopper_pearson_low": row.clopper_pearson_low,
                f"{stem}_clopper_pearson_high": row.clopper_pearson_high,
            }
        key |= {f"fistula_{r.fistula_outcome.replace(' ', '_')}": r.patients for r in self.fistula.itertuples()}
        key |= {f"adverse_effect_{r.adverse_effect}": r.patients for r in self.adverse_effects.itertuples()}
        key["stopped_for_side_effects_ids"] = " ".join(map(str, self.stopped.index))
        key |= {
            f"relapses_{s.lower().replace(' ', '_')}": int(n)
            for s, n in self.relapses["sources"].value_counts().items()
        }
        for _, row in self.km_summary.iterrows():
            rule = row["unknown status"]
            key[f"km_median_months_unknown_{rule}"] = row["KM median, months"]
            key[f"km_median_ci_low_unknown_{rule}"] = row["median CI low"]
            key[f"km_median_ci_high_unknown_{rule}"] = row["median CI high"]
        key |= {f"duration_months_{k}": v for k, v in statistics.describe(self.durations["months"]).items()}
        return key


def medium_term_outcomes(
    study, *, denominator: str = "intention_to_treat", include_inferred_outcomes: bool = True, alpha: float = 0.05
) -> MediumTermResults:
    """Every medium-term analysis of notebook 04 on ``study`` (``study.open_study``).

    ``denominator`` (one of ``outcomes.DENOMINATORS``) is the one the key results use; every
    table shows both. ``include_inferred_outcomes`` counts end-of-follow-up outcomes inferred
    from the text; ``alpha`` is the two-sided level of every interval.
    """
    if denominator not in outcomes.DENOMINATORS:
        raise ValueError(f"denominator must be one of {outcomes.DENOMINATORS}, not {denominator!r}")
    cohort, facts, tables = study.cohort, study.facts, study.tables
    masks = pd.DataFrame({d: outcomes.denominator_mask(cohort, facts, d) for d in outcomes.DENOMINATORS})
    stop_day = outcomes.side_effect_stop_day(facts)
    differ = masks[masks.nunique(axis=1) > 1].join(cohort[["diagnosis"]]).join(stop_day)

    outcome = outcomes.end_of_follow_up_outcome(cohort, include_inferred=include_inferred_outcomes)
    outcome_table = pd.concat(
        [
            outcomes.outcome_counts(cohort, outcome, denominator=masks[d]).assign(denominator=d)
            for d in outcomes.DENOMINATORS
        ],
        ignore_index=True,
    )
    rates = pd.concat(
        [
            outcomes.outcome_rates(cohort, facts, denominator=d, include_inferred=include_inferred_outcomes)
            for d in outcomes.DENOMINATORS
        ],
        ignore_index=True,
    )
    rates = statistics.proportion_table(rates, alpha=alpha)
    reported_remission = {"CD": study.reported("cd-remission-end"), "UC": study.reported("uc-remission-end")}
    remission = rates[rates["rate"] == "remission_end"].copy()
    remission["reported_count"] = remission["group"].map({g: r["count"] for g, r in reported_remission.items()})
    remission["reported_total"] = remission["group"].map({g: r["total"] for g, r in reported_remission.items()})

    fistula = statistics.proportion_table(
        outcomes.fistula_outcome_counts(cohort), events="patients", total="of", alpha=alpha
    )
    reported_fistula = study.reported("fistula-outcomes")
    fistula["reported"] = fistula["fistula_outcome"].map(
        {
            k: reported_fistula[v]
            for k, v in {"complete_healing": "complete", "partial_response": "partial", "no_response": "none"}.items()
        }
    )

    effects = outcomes.adverse_effect_counts(tables["table4_adverse_effects"], len(cohort))
    # The Abstract calls renal impairment "temporary elevated creatinine"; it lists no paresthesia.
    abstract_name = {"renal_impairment": "creatinine"}
    reported_ae = study.reported("ae-abstract")
    effects["reported_abstract"] = effects["adverse_effect"].map(lambda e: reported_ae.get(abstract_name.get(e, e)))

    km_summary, km_fits = time_on_tacrolimus_km(cohort, facts, alpha=alpha)
    durations = outcomes.treatment_duration(cohort)
    duration_summary = pd.DataFrame(
        [
            {"patients": "all with a duration", **statistics.describe(durations["months"])},
            {"patients": "Table 4's treatment column", **statistics.describe(cohort["treatment_months"])},
        ]
    )
    reported_duration = study.reported("duration-median") | study.reported("duration-mean-range")
    duration_summary = pd.concat(
        [
            duration_summary,
            pd.DataFrame([{"patients": "reported (Abstract median; Results mean and range)", **reported_duration}]),
        ],
        ignore_index=True,
    )
    return MediumTermResults(
        study=study,
        denominator=denominator,
        include_inferred_outcomes=include_inferred_outcomes,
        alpha=alpha,
        masks=masks,
        denominator_differences=differ,
        outcome_table=outcome_table,
        rates=rates,
        remission=remission,
        relapses=outcomes.relapse_table(cohort, tables["table4_medium_term"], facts),
        tapering=outcomes.steroid_tapering_table(cohort),
        fistula=fistula,
        adverse_effects=effects,
        discontinuations=outcomes.side_effect_discontinuations(cohort, facts),
        swimmer=outcomes.swimmer_data(
            cohort, tables["table4_medium_term"], facts, include_inferred=include_inferred_outcomes
        ),
        km_summary=km_summary,
        km_fits=km_fits,
        durations=durations,
        duration_summary=duration_summary,
    )
