"""Notebook 03's analysis as one call: the short-term (week 4) outcomes of Ng, Arebi & Kamm
(Inflamm Bowel Dis 2007;13:129-134, Results "Short-term outcome", Table 3 and the Abstract).

``short_term_outcomes(study, alpha=...)`` returns a ``ShortTermResults``: tables as attributes,
``summary_frame()`` (week-4 response by group, beside the reported counts) and
``key_results()``. Intervals: Clopper & Pearson (Biometrika 1934) and Wilson (JASA 1927); the
P-value of the CDAI fall: ``statistics.all_positive_paired_tests`` (Wilcoxon 1945; sign test).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import claims, outcomes, scores, statistics

#: The columns of :func:`table3_summary`.
TABLE3_SUMMARY_COLUMNS = [
    "group",
    "index",
    "patients",
    "median_week0",
    "median_week4",
    "median_change",
    "min_change",
    "max_change",
    "fell",
    "wilcoxon_n",
    "wilcoxon_p",
    "wilcoxon_method",
]


def table3_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Per group: patients with both scores, the medians at weeks 0 and 4, the median change and
    its range, how many fell, and the Wilcoxon signed-rank test of the change
    (``statistics.wilcoxon_change``); ``changes``: ``outcomes.table3_changes``."""
    rows = []
    for group, part in changes.groupby("group", sort=True):
        test = statistics.wilcoxon_change(part["week0"], part["week4"])
        rows.append(
            {
                "group": group,
                "index": part["index"].iloc[0],
                "patients": len(part),
                "median_week0": float(part["week0"].median()),
                "median_week4": float(part["week4"].median()),
                "median_change": float(part["change"].median()),
                "min_change": float(part["change"].min()),
                "max_change": float(part["change"].max()),
                "fell": int((part["change"] < 0).sum()),
                "wilcoxon_n": test["n"],
                "wilcoxon_p": test["p_value"],
                "wilcoxon_method": test["method"],
            }
        )
    return pd.DataFrame(rows, columns=TABLE3_SUMMARY_COLUMNS)


#: The ledger's claim of week-4 response, by group.
RESPONSE_CLAIMS = {"CD": "cd-week4-response", "UC": "uc-week4-response", "pouchitis": "pouch-week4-response"}


def pouchitis_before_after(study) -> pd.DataFrame:
    """Stool frequency and mPDAI at weeks 0 and 4 of every pouchitis patient (the group, not a
    patient number), mPDAI classes (Shen et al., Dis Colon Rectum 2003) and the reported values."""
    cohort, facts = study.cohort, study.facts
    pouch_ids = cohort.index[cohort["diagnosis"] == "pouchitis"]
    columns = ["measure", "week0", "week4", "change", "basis"]
    parts = [
        outcomes.before_after_facts(facts, pid, ["stool_frequency", "mpdai"]).assign(patient_id=pid)
        for pid in pouch_ids
    ]
    pouch = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns + ["patient_id"])
    pouch = pouch.dropna(subset=["week0", "week4"], how="all")
    is_mpdai = (pouch["measure"] == "mpdai") & pouch["week0"].notna() & pouch["week4"].notna()
    pouch.loc[is_mpdai, "class_week0"] = scores.mpdai_category(pouch.loc[is_mpdai, "week0"].to_numpy())
    pouch.loc[is_mpdai, "class_week4"] = scores.mpdai_category(pouch.loc[is_mpdai, "week4"].to_numpy())
    reported = {"stool_frequency": study.reported("pouch-stool-frequency"), "mpdai": study.reported("pouch-mpdai")}
    pouch["reported_week0"] = pouch["measure"].map({m: r["week0"] for m, r in reported.items()})
    pouch["reported_week4"] = pouch["measure"].map({m: r["week4"] for m, r in reported.items()})
    return pouch[["patient_id"] + [c for c in pouch.columns if c != "patient_id"]]


@dataclass
class ShortTermResults:
    """The week-4 outcomes of one cohort (notebook 03). Attributes: ``alpha``, ``basis`` (how each
    week-4 response is known), ``response`` (response by group with intervals and the reported
    counts), ``reported_response``, ``early`` (stops for side effects, before or after the week-4
    assessment), ``n_cd``, ``n_assessable``, ``p_values`` (the CDAI fall's P under each test and n),
    ``reported_p``, ``pouch`` (the pouchitis patients' weeks 0 and 4), ``table3`` (the change of
    each group's disease-activity index where Table 3 gives weeks 0 and 4: ``table3_summary``),
    ``cd_stool`` (the CD patients' stool frequencies where Table 3 gives weeks 0 and 4:
    ``outcomes.table3_changes``)."""

    study: object
    alpha: float
    basis: pd.DataFrame
    response: pd.DataFrame
    reported_response: dict
    early: pd.DataFrame
    n_cd: int
    n_assessable: int
    p_values: pd.DataFrame
    reported_p: float
    pouch: pd.DataFrame
    table3: pd.DataFrame
    cd_stool: pd.DataFrame

    def summary_frame(self) -> pd.DataFrame:
        """Week-4 response by group: counts, proportion, both intervals, the reported count."""
        return self.response

    @property
    def stopped_early(self) -> pd.Index:
        """The CD patients who stopped before the week-4 assessment."""
        return self.early.index[self.early["before_week4_assessment"] & (self.early["diagnosis"] == "CD")]

    @property
    def matches(self) -> pd.DataFrame:
        """The test settings whose P-value prints as the reported P."""
        return self.p_values[self.p_values["rounds_to_reported_p"]]

    def table3_rows_with_values(self) -> int:
        """Table 3 rows with any value (none in the paper's transcription, whose printed rows were lost)."""
        table3 = self.study.tables["table3_week4"]
        return int(table3.drop(columns=["patient_id", "missing_reason"]).notna().any(axis=1).sum())

    def week4_cd_n(self) -> pd.DataFrame:
        """How many CD patients each week-4 statement of the paper counts, beside the data."""
        fell_all, benefit, stool = (
            self.study.reported(c) for c in ["cdai-week4-all", "disc-cd-benefit", "cd-stool-improved"]
        )
        return pd.DataFrame(
            [
                {"source": "data: CD patients treated", "patients": self.n_cd},
                {
                    "source": f"data: CD patients on tacrolimus at day {outcomes.WEEK4_ASSESSMENT_DAY}",
                    "patients": self.n_assessable,
                },
                {"source": "Results (reported): CDAI decreased at week 4", "patients": fell_all["decreased"]},
                {
                    "source": "Results (reported): stool frequency improved + unchanged",
                    "patients": stool["improved"] + stool["unchanged"],
                },
                {"source": "Discussion (reported): CD patients who benefited", "patients": benefit["benefited"]},
                {"source": "Discussion (reported): CD patients who discontinued", "patients": benefit["discontinued"]},
            ]
        )

    def cdai_reported(self) -> pd.DataFrame:
        """What the Results report of the estimated CDAI in CD (median, range; P of the reduction)."""
        claims_labels = [
            ("cdai-week0", "CDAI at week 0"),
            ("cdai-week4", "CDAI at week 4"),
            ("cdai-reduction", "reduction week 0 to 4"),
        ]
        return pd.DataFrame(
            [{"quantity": f"{label} (reported)", **self.study.reported(claim)} for claim, label in claims_labels]
        )

    def reported_table(self, claim_ids, *, label: str = "claim") -> pd.DataFrame:
        """The ledger's reported values of ``claim_ids``, one row per claim and quantity."""
        return pd.DataFrame(
            [{label: c, "quantity": q, "reported": v} for c in claim_ids for q, v in self.study.reported(c).items()]
        )

    def uc_week4_facts(self) -> pd.DataFrame:
        """The text's week-4 response facts of the UC patients."""
        facts, cohort = self.study.facts, self.study.cohort
        uc_ids = cohort.index[cohort["diagnosis"] == "UC"]
        rows = facts[(facts["fact"] == "week4_response") & facts["patient_id"].isin(uc_ids)]
        return rows[["patient_id", "value", "basis", "evidence"]].rename(columns={"value": "week4_response"})

    def reading(self, section: str) -> str:
        """The plain-text reading of ``verdicts``, ``intervals``, ``p_values``, ``medians``, ``uc``, ``table3`` or ``stool``."""
        return "\n".join(getattr(self, f"_reading_{section}")())

    def _reading_verdicts(self):
        # The verdicts are the claims audit's (notebook 07), not a comparison made here; the audit
        # runs on the paper's own transcription only, and any other cohort is only set beside the paper.
        if not self.study.is_transcription:
            for row in self.response[self.response["reported_count"].notna()].itertuples():
                yield (
                    f"{row.group}: this cohort {row.events}/{row.total}, the paper reported "
                    f"{row.reported_count:.0f}/{row.reported_total:.0f} (a comparison: this cohort is not the paper's data)"
                )
            return
        audit = claims.evaluate(self.study.data_dir, paper=self.study.paper, claim_ids=list(RESPONSE_CLAIMS.values()))
        verdicts = audit.set_index("claim_id")["status"]
        for row in self.response[self.response["reported_count"].notna()].itertuples():
            claim_id = RESPONSE_CLAIMS[row.group]
            yield (
                f"{row.group}: data {row.events}/{row.total}, reported {row.reported_count:.0f}/{row.reported_total:.0f}; "
                f"audit verdict on {claim_id}: {verdicts[claim_id].replace('_', ' ')}"
            )

    def _reading_intervals(self):
        for row in self.response.itertuples():
            if not row.total:  # a group this cohort does not have: no rate, no interval
                yield f"{row.group}: no patient with a week-4 result, so no rate"
                continue
            yield (
                f"{row.group}: {row.events}/{row.total} = {row.proportion:.0%}; Clopper-Pearson {row.clopper_pearson_low:.0%} "
                f"to {row.clopper_pearson_high:.0%}; Wilson {row.wilson_low:.0%} to {row.wilson_high:.0%}"
            )

    def _reading_p_values(self):
        yield (
            f"Settings whose p-value prints as the reported P at {statistics.decimals_of(self.reported_p)} decimals "
            "(half-up or truncation: claims.agreement):"
        )
        for row in self.matches.itertuples():
            yield f"- n = {row.n}, {row.alternative}: {row.test}, {row.method}: p = {row.p_value:.5f}"

    def _reading_medians(self):
        week0, week4, reduction = (self.study.reported(c) for c in ["cdai-week0", "cdai-week4", "cdai-reduction"])
        yield (
            f"difference of the reported medians: {week0['median'] - week4['median']:g} points; "
            f"reported median of the reductions: {reduction['median']:g} points"
        )

    def _table3_missing_reason(self) -> str:
        """Why Table 3's values are missing, as the data say it most often: " (reason)", or ""."""
        reasons = self.study.tables["table3_week4"]["missing_reason"].dropna()
        return f" ({reasons.mode().iloc[0]})" if len(reasons) else ""

    def _reading_table3(self):
        if self.table3.empty:
            why = self._table3_missing_reason()
            yield f"Table 3 gives no patient a disease-activity score at both week 0 and week 4{why}: nothing to compute here."
            return
        for row in self.table3.itertuples():
            p = (
                "no test: no patient changed"
                if row.wilcoxon_n == 0
                else "Wilcoxon signed-rank "
                + ("P < 0.001" if row.wilcoxon_p < 0.001 else f"P = {row.wilcoxon_p:.2g}")
                + f" ({row.wilcoxon_method}"
                + (
                    f"; with {row.wilcoxon_n} pairs it cannot be below "
                    f"{statistics.smallest_exact_signed_rank_p(row.wilcoxon_n):.2g})"
                    if row.wilcoxon_method == "exact null distribution"
                    else ")"
                )
            )
            yield (
                f"{row.group} ({row.index}): {row.patients} patients with both scores; median {row.median_week0:g} at week 0 "
                f"and {row.median_week4:g} at week 4; median change {row.median_change:+g} (range {row.min_change:+g} to "
                f"{row.max_change:+g}); the score fell in {row.fell} of {row.patients}; {p}"
            )

    def _reading_stool(self):
        if self.cd_stool.empty:
            why = self._table3_missing_reason()
            yield (
                f"Table 3 gives no CD patient a stool frequency at both week 0 and week 4{why}: "
                "none of the reported values above can be re-derived."
            )
            return
        stool = outcomes.fall_summary(self.cd_stool)
        yield (
            f"CD, from Table 3: {stool['patients']} of {self.n_cd} patients with a stool frequency at both weeks; "
            f"mean fall {round(stool['mean_fall'], 2):g} per day, from a median of {stool['median_week0']:g} to "
            f"{stool['median_week4']:g} per day; improved in {stool['improved']}, unchanged in {stool['unchanged']}, "
            f"worse in {stool['worse']}"
        )
        frequency, improved = self.study.reported("cd-stool-frequency"), self.study.reported("cd-stool-improved")
        yield (
            f"the paper reported: mean fall {frequency['mean_reduction']:g} per day, from a median of "
            f"{frequency['median_week0']:g} to {frequency['median_week4']:g}; improved in {improved['improved']:g}, "
            f"unchanged in {improved['unchanged']:g} (a comparison: this cohort is not the paper's data)"
        )

    def _reading_uc(self):
        uc_reported, two_thirds = self.study.reported("uc-week4-remission"), self.study.reported("disc-uc-two-thirds")
        uc_rates = self.response.set_index("group").loc["UC"]
        yield (
            f"Results (reported): {uc_reported['remission']:.0f} in remission and {uc_reported['response']:.0f} with a response at week 4 "
            f"(sum {uc_reported['remission'] + uc_reported['response']:.0f}); data: {uc_rates['events']} responders of {uc_rates['total']}"
        )
        yield (
            f"Discussion (reported): a decline in {two_thirds['numerator']:.0f}/{two_thirds['denominator']:.0f} of UC patients "
            f"= {two_thirds['numerator'] / two_thirds['denominator']:.2f}; data: {uc_rates['proportion']:.2f}"
        )

    def key_results(self) -> dict:
        """The flat mapping of notebook 03's headline results (``outputs.save_key_results``)."""
        key = {
            f"{r.group.lower()}_week4_response_{k}": getattr(r, k)
            for r in self.response.itertuples()
            for k in [
                "events",
                "total",
                "proportion",
                "clopper_pearson_low",
                "clopper_pearson_high",
                "wilson_low",
                "wilson_high",
            ]
        }
        key |= {
            f"week4_response_basis_{k}": int(self.basis.set_index("group").loc["all", k])
            for k in ["stated", "inferred"]
        }
        for row in self.p_values.itertuples():
            settings = row.method.replace(", ", "_").replace(" ", "_").replace("-", "_")
            key[f"cdai_p_{row.test.split()[0].lower()}_{settings}_n{row.n}_{row.alternative.replace('-', '_')}"] = (
                row.p_value
            )
        key["cdai_p_reported"] = self.reported_p
        key["cdai_p_settings_matching_reported"] = "; ".join(
            f"n={r.n} {r.alternative} {r.test} {r.method}" for r in self.matches.itertuples()
        )
        key["cd_patients_stopped_before_week4"] = len(self.stopped_early)
        key |= {
            f"pouchitis_{r.patient_id}_{r.measure}_week{w}": getattr(r, f"week{w}")
            for r in self.pouch.itertuples()
            for w in (0, 4)
        }
        return key


def short_term_outcomes(study, *, alpha: float = 0.05) -> ShortTermResults:
    """Every week-4 analysis of notebook 03 on ``study`` (``study.open_study``); ``alpha`` is
    the two-sided level of the intervals."""
    cohort, facts = study.cohort, study.facts
    reported_response = {g: study.reported(c) for g, c in RESPONSE_CLAIMS.items()}
    response = statistics.proportion_table(outcomes.rates_by_group(cohort, cohort["week4_response"]), alpha=alpha)
    response["reported_count"] = response["group"].map({g: r["count"] for g, r in reported_response.items()})
    response["reported_total"] = response["group"].map({g: r["total"] for g, r in reported_response.items()})
    response["reported_percent"] = response["group"].map({g: r.get("percent") for g, r in reported_response.items()})
    stop_day = outcomes.side_effect_stop_day(facts)
    early = cohort.loc[stop_day.index].assign(stop_day_text=stop_day)[
        ["diagnosis", "stop_day_text", "treatment_months"]
    ]
    early["before_week4_assessment"] = early["stop_day_text"] < outcomes.WEEK4_ASSESSMENT_DAY
    n_cd = int((cohort["diagnosis"] == "CD").sum())
    n_assessable = n_cd - len(early.index[early["before_week4_assessment"] & (early["diagnosis"] == "CD")])
    reported_p = study.reported("cdai-reduction")["p"]
    # A cohort without CD patients (or with none assessed at week 4) has no CDAI fall to test.
    p_values = statistics.all_positive_paired_tests([n for n in (n_cd, n_assessable) if n > 0])
    p_values["rounds_to_reported_p"] = statistics.rounds_to(p_values["p_value"], reported_p)
    stool = outcomes.table3_changes(study, measure="stool_frequency")
    return ShortTermResults(
        study=study,
        alpha=alpha,
        basis=outcomes.week4_response_basis(cohort),
        response=response,
        reported_response=reported_response,
        early=early,
        n_cd=n_cd,
        n_assessable=n_assessable,
        p_values=p_values,
        reported_p=reported_p,
        pouch=pouchitis_before_after(study),
        table3=table3_summary(outcomes.table3_changes(study)),
        cd_stool=stool[stool["group"] == "CD"].reset_index(drop=True),
    )
