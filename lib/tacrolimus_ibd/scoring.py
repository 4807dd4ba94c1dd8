"""Notebook 02's analysis as one call: how the paper's disease-activity indices read (Ng, Arebi &
Kamm, Inflamm Bowel Dis 2007;13:129-134, Methods and Results): the CDAI (Best et al.,
Gastroenterology 1976), the modified Truelove-Witts grading (Truelove & Witts, BMJ 1955) beside
the Lichtiger index (Lichtiger et al., NEJM 1994), and the mPDAI (Shen et al., Dis Colon Rectum
2003), on ILLUSTRATIVE patients invented here (never study patients) and on the reported values.

``scoring_review(study)`` returns a ``ScoringReview``: tables as attributes, ``summary_frame()``
(the reported index values, classified) and ``key_results()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import scores
from .labels import readable, yes_no

#: How the paper used each index: the category it counted as remission, by group.
PAPER_USE = (
    ("CD", "CDAI", "remission"),
    ("UC", "modified Truelove-Witts", "inactive"),
    ("pouchitis", "mPDAI", "remission"),
)


def illustrative_cd_patients() -> pd.DataFrame:
    """ILLUSTRATIVE CD patients, invented to show how the CDAI's items add up (not study patients)."""
    return pd.DataFrame(
        {
            "patient": [
                "A: active luminal disease",
                "B: draining perianal fistula, few symptoms",
                "C: anaemic and underweight",
                "D: heavy, high haematocrit",
            ],
            "liquid_stools_7d": [35, 7, 14, 10],
            "abdominal_pain_7d": [14, 3, 7, 7],
            "wellbeing_7d": [14, 4, 7, 7],
            "complications": [0, 1, 1, 0],
            "antidiarrheal": [True, False, False, False],
            "abdominal_mass": [0, 0, 2, 0],
            "hematocrit_pct": [44.0, 43.0, 34.0, 49.0],
            "sex": ["F", "M", "F", "M"],
            "weight_kg": [58.0, 75.0, 48.0, 95.0],
            "standard_weight_kg": [60.0, 72.0, 60.0, 75.0],
        }
    ).set_index("patient")


def illustrative_uc_patients() -> pd.DataFrame:
    """ILLUSTRATIVE UC patients, invented to set Truelove-Witts grades beside Lichtiger scores (not study patients)."""
    return pd.DataFrame(
        {
            "patient": [
                "U1: bloody diarrhoea, tachycardic, anaemic",
                "U2: same bowel symptoms, normal pulse and bloods",
                "U3: few stools, no blood, anaemic",
                "U4: few stools, a little blood",
                "U5: quiet",
                "U6: quiet, raised ESR",
            ],
            "stools_per_day": [8, 8, 3, 3, 2, 2],
            "visible_blood_pct": [100.0, 100.0, 0.0, 20.0, 0.0, 0.0],
            "nocturnal_diarrhea": [True, True, False, False, False, False],
            "fecal_incontinence": [False, False, False, False, False, False],
            "abdominal_pain": [2, 2, 1, 1, 0, 0],
            "wellbeing": [4, 4, 2, 2, 1, 1],
            "abdominal_tenderness": [1, 1, 0, 0, 0, 0],
            "antidiarrheal": [False, False, False, False, False, False],
            "pulse_bpm": [104.0, 80.0, 78.0, 76.0, 70.0, 72.0],
            "temperature_c": [37.9, 36.9, 36.8, 36.7, 36.6, 36.7],
            "hemoglobin_g_dl": [10.1, 13.0, 10.2, 13.2, 13.5, 13.1],
            "esr_mm_h": [42.0, 12.0, 15.0, 10.0, 8.0, 25.0],
        }
    ).set_index("patient")


#: ILLUSTRATIVE case note, read at its two ends (daily value x 7 days).
CASE_NOTE = "two to four loose stools a day, no or mild pain, generally well to slightly under par"


def case_note_range(*, days: int = 7) -> pd.DataFrame:
    """The CDAI of one invented patient's ``CASE_NOTE`` read at its lowest and highest (the diary covers ``days``)."""
    readings = pd.DataFrame(
        {"stools_per_day": [2, 4], "pain_rating": [0, 1], "wellbeing_rating": [0, 1]},
        index=pd.Index(["lowest reading", "highest reading"], name="reading of the note"),
    )
    estimated = scores.cdai(
        liquid_stools_7d=readings["stools_per_day"] * days,
        abdominal_pain_7d=readings["pain_rating"] * days,
        wellbeing_7d=readings["wellbeing_rating"] * days,
        complications=1,  # a perianal fistula
        antidiarrheal=False,
        abdominal_mass=0,
        hematocrit_pct=39.0,
        sex="F",
        weight_kg=60.0,
        standard_weight_kg=62.0,
    )
    return readings.assign(estimated_cdai=estimated, category=scores.cdai_category(estimated))


@dataclass
class ScoringReview:
    """The indices of notebook 02. Attributes: ``cutoffs``, ``paper_use``, ``cdai_points`` and
    ``cdai_summary`` (illustrative CD patients), ``diary_columns``, ``visit_columns``,
    ``diary_share``, ``phrase_range``, ``uc_comparison``, ``mpdai_parts``, ``stool_item``,
    ``reported_values`` and the ledger's ``cdai_week0``, ``cdai_week4``, ``cdai_reduction``,
    ``pouch_mpdai``; ``pouch_mpdai_facts`` (the pouchitis patients' mPDAI in the text facts)."""

    study: object
    cutoffs: pd.DataFrame
    paper_use: pd.DataFrame
    cdai_points: pd.DataFrame
    cdai_summary: pd.DataFrame
    diary_columns: list
    visit_columns: list
    diary_share: pd.DataFrame
    phrase_range: pd.DataFrame
    uc_comparison: pd.DataFrame
    mpdai_parts: pd.DataFrame
    stool_item: pd.DataFrame
    cdai_week0: dict
    cdai_week4: dict
    cdai_reduction: dict
    pouch_mpdai: dict
    pouch_mpdai_facts: pd.DataFrame
    reported_values: pd.DataFrame

    def summary_frame(self) -> pd.DataFrame:
        """The reported index values, each with its category and distance from the cut-off."""
        return self.reported_values

    def rule(self, index: str, category: str) -> str:
        """The rule of one category of one index (``scores.index_cutoffs``)."""
        return self.cutoffs.set_index(["index", "category"])["rule"][index, category]

    def lichtiger_by_grade(self) -> pd.DataFrame:
        """The Lichtiger scores (min, max, count) of the illustrative UC patients within each
        Truelove-Witts grade, in the order the grades first appear."""
        return self.uc_comparison.groupby("truelove_witts_grade", sort=False)["lichtiger_score"].agg(
            ["min", "max", "count"]
        )

    def reading(self, section: str) -> str:
        """The plain-text reading of ``diary``, ``phrase``, ``mpdai``, ``stool``, ``ledger_vs_facts``,
        ``findings``, ``uc`` or ``lichtiger``."""
        return "\n".join(getattr(self, f"_reading_{section}")())

    def _reading_diary(self):
        yield f"{len(self.diary_columns)} of {len(self.diary_columns) + len(self.visit_columns)} CDAI items need the diary: {', '.join(readable(c) for c in self.diary_columns)}"

    def _reading_phrase(self):
        estimated, category = self.phrase_range["estimated_cdai"], self.phrase_range["category"]
        yield (
            f"The same note gives an estimated CDAI spanning {estimated.max() - estimated.min():.0f} points, "
            f"from '{category.iloc[0]}' to '{category.iloc[-1]}'."
        )

    def _reading_mpdai(self):
        part_max = self.mpdai_parts.groupby("part")["max_points"].sum()
        yield (
            f"Maximum clinical subscore {part_max['clinical']}, endoscopic subscore {part_max['endoscopic']}; "
            f"pouchitis from {scores.MPDAI_POUCHITIS_FROM}."
        )

    def _reading_lichtiger(self):
        yield (
            f"Lichtiger index range: {scores.LICHTIGER_RANGE[0]}-{scores.LICHTIGER_RANGE[1]}; "
            "Lichtiger scores within each Truelove-Witts grade of the illustrative patients:"
        )

    def _reading_stool(self):
        item, reported = self.stool_item, self.study.reported("pouch-stool-frequency")
        unchanged = item[item["points_week0"] == item["points_week4"]]["usual_stools_per_day"]
        changed = item[item["points_week0"] != item["points_week4"]]["usual_stools_per_day"]
        yield f"Reported stool frequency: {reported['week0']:g} a day before, {reported['week4']:g} a day at week 4."
        yield (
            f"The stool item scores the same at both visits for any usual frequency up to {unchanged.max()} a day "
            f"({item['points_week0'].max():g} points, the item's maximum is {scores.MPDAI_ITEM_MAX['stool_frequency']});"
            f" it falls only if the usual frequency was {changed.min()}-{changed.max()} a day."
        )

    def _reading_ledger_vs_facts(self):
        for pid, row in self.pouch_mpdai_facts.iterrows():
            agree = bool(
                row["mpdai_week0"] == self.pouch_mpdai["week0"] and row["mpdai_week4"] == self.pouch_mpdai["week4"]
            )
            yield f"Patient {pid}'s mPDAI in the ledger and in the text's patient facts agree: {yes_no(agree)}"

    def _reading_findings(self):
        week0, week4, reduction = self.cdai_week0, self.cdai_week4, self.cdai_reduction
        cut, category = scores.CDAI_CUTOFFS["remission_below"], scores.cdai_category
        lowest_week4 = week0["min"] - reduction["min"]
        highest_week4 = week0["max"] - reduction["max"]
        findings = [
            f"The reported week-4 median CDAI ({week4['median']:g}) is {week4['median'] - cut:+g} points "
            f"from the remission cut-off: '{category(week4['median'])}', so at least half of the CD patients "
            "summarised were not in remission at week 4 by the paper's own definition.",
            f"The lowest reported baseline CDAI ({week0['min']:g}) is only {week0['min'] - cut:+g} points "
            f"from the cut-off ('{category(week0['min'])}'): that patient's disease was barely 'active' on the "
            f"CDAI; a fall of more than {week0['min'] - cut:g} points makes it 'remission', and the smallest "
            f"reported reduction is {reduction['min']:g}.",
            f"If that patient's reduction was within the reported range, the week-4 CDAI was at most "
            f"{lowest_week4:g} ('{category(lowest_week4)}').",
            f"If the highest-baseline patient ({week0['max']:g}, '{category(week0['max'])}') also "
            f"had a reduction within the range, the week-4 CDAI was at least {highest_week4:g} "
            f"('{category(highest_week4)}').",
            f"The difference of the reported medians ({week0['median'] - week4['median']:g}) is not the reported "
            f"median reduction ({reduction['median']:g}); this is not a contradiction: the median of the differences "
            "need not equal the difference of the medians.",
            f"The highest reported week-4 CDAI ({week4['max']:g}) is '{category(week4['max'])}'.",
        ]
        yield from (f"- {finding}" for finding in findings)

    def _reading_uc(self):
        uc_week4 = self.study.reported("uc-week4-remission")
        # The counts are the paper's (the ledger): among this cohort's UC patients only on the paper's data.
        among = (
            f"Reported at week 4 among {self.study.group_sizes().get('UC', 0)} UC patients"
            if self.study.is_transcription
            else "The paper reported at week 4, among its own UC patients"
        )
        yield (
            f"{among}: {uc_week4['remission']:g} in remission "
            f"('inactive': {self.rule('modified Truelove-Witts', 'inactive')}), {uc_week4['response']:g} with a response."
        )

    def key_results(self) -> dict:
        """The flat mapping of notebook 02's headline results (``outputs.save_key_results``)."""
        week0, week4, pouch = self.cdai_week0, self.cdai_week4, self.pouch_mpdai
        cut, category = scores.CDAI_CUTOFFS["remission_below"], scores.cdai_category
        return {
            "cdai_week0_median_reported": week0["median"],
            "cdai_week0_median_category": category(week0["median"]),
            "cdai_week0_min_category": category(week0["min"]),
            "cdai_week0_min_points_above_remission_cutoff": week0["min"] - cut,
            "cdai_week4_median_reported": week4["median"],
            "cdai_week4_median_category": category(week4["median"]),
            "cdai_week4_median_points_above_remission_cutoff": week4["median"] - cut,
            "cdai_week4_max_category": category(week4["max"]),
            "mpdai_week0_category": scores.mpdai_category(pouch["week0"]),
            "mpdai_week4_category": scores.mpdai_category(pouch["week4"]),
            "mpdai_week4_points_below_cutoff": scores.MPDAI_POUCHITIS_FROM - pouch["week4"],
            "cdai_items_needing_diary": len(self.diary_columns),
        }


def _reported_values(week0, week4, pouch_mpdai, pouch_facts) -> pd.DataFrame:
    rows = [("cdai-week0", "CDAI", "week 0", stat, week0[stat]) for stat in ("median", "min", "max")]
    rows += [("cdai-week4", "CDAI", "week 4", stat, week4[stat]) for stat in ("median", "min", "max")]
    for pid in pouch_facts.index:  # the ledger's mPDAI is that of the pouchitis patient the text describes
        rows += [
            ("pouch-mpdai", "mPDAI", f"week {week}", f"patient {pid}", pouch_mpdai[f"week{week}"]) for week in (0, 4)
        ]
    for pid, facts in pouch_facts.iterrows():
        rows += [
            ("text_patient_facts", "mPDAI", f"week {week}", f"patient {pid}", facts[f"mpdai_week{week}"])
            for week in (0, 4)
        ]
    values = pd.DataFrame(rows, columns=["source", "index", "time", "statistic", "reported"])
    is_cdai = values["index"] == "CDAI"
    values["category"] = pd.concat(
        [scores.cdai_category(values.loc[is_cdai, "reported"]), scores.mpdai_category(values.loc[~is_cdai, "reported"])]
    )
    values["points_from_remission_cutoff"] = values["reported"] - values["index"].map(
        {"CDAI": scores.CDAI_CUTOFFS["remission_below"], "mPDAI": scores.MPDAI_POUCHITIS_FROM}
    )
    return values


def scoring_review(study) -> ScoringReview:
    """Every index reading of notebook 02 on ``study`` (``study.open_study``)."""
    cutoffs = scores.index_cutoffs()
    paper_use = pd.DataFrame(list(PAPER_USE), columns=["group", "index", "remission_category"])
    paper_use["patients"] = paper_use["group"].map(study.group_sizes())
    rules = cutoffs.set_index(["index", "category"])["rule"]
    paper_use["remission_rule"] = [
        rules[i, c] for i, c in zip(paper_use["index"], paper_use["remission_category"], strict=True)
    ]

    cdai_points = scores.cdai_components(**illustrative_cd_patients())  # one column per item, in Best's order
    cdai_summary = cdai_points.assign(
        total=cdai_points.sum(axis=1), category=lambda frame: scores.cdai_category(frame["total"])
    )
    items = scores.cdai_items()
    diary_columns, visit_columns = list(items.index[items["needs_diary"]]), list(items.index[~items["needs_diary"]])
    diary_share = pd.DataFrame(
        {
            "diary_points": cdai_points[diary_columns].sum(axis=1),
            "visit_points": cdai_points[visit_columns].sum(axis=1),
            "total": cdai_points.sum(axis=1),
        }
    )
    diary_share["diary_share_of_positive_points"] = diary_share["diary_points"] / cdai_points.clip(lower=0).sum(axis=1)

    uc = illustrative_uc_patients()
    uc_graded = pd.DataFrame(
        {
            "truelove_witts_grade": scores.truelove_witts(
                stools_per_day=uc["stools_per_day"],
                blood_in_stool=uc["visible_blood_pct"] > 0,
                pulse_bpm=uc["pulse_bpm"],
                temperature_c=uc["temperature_c"],
                hemoglobin_g_dl=uc["hemoglobin_g_dl"],
                esr_mm_h=uc["esr_mm_h"],
            ),
            "lichtiger_score": scores.lichtiger(
                **uc.drop(columns=["pulse_bpm", "temperature_c", "hemoglobin_g_dl", "esr_mm_h"])
            ),
        }
    )

    mpdai_parts = pd.DataFrame(
        {"item": list(scores.MPDAI_ITEM_MAX), "max_points": list(scores.MPDAI_ITEM_MAX.values())}
    )
    mpdai_parts["part"] = (
        mpdai_parts["item"].isin(list(scores.MPDAI_ENDOSCOPIC_ITEMS)).map({True: "endoscopic", False: "clinical"})
    )
    pouch_stools = study.reported("pouch-stool-frequency")
    usual = pd.Series(range(int(pouch_stools["week4"]) + 1), name="usual_stools_per_day")
    stool_item = pd.DataFrame(
        {
            "usual_stools_per_day": usual,
            "points_week0": scores.mpdai_stool_frequency_points(
                stools_per_day=pouch_stools["week0"], usual_stools_per_day=usual
            ),
            "points_week4": scores.mpdai_stool_frequency_points(
                stools_per_day=pouch_stools["week4"], usual_stools_per_day=usual
            ),
        }
    )

    facts, cohort = study.facts, study.cohort
    pouch_ids = cohort.index[cohort["diagnosis"] == "pouchitis"]
    mpdai_facts = facts[facts["patient_id"].isin(pouch_ids) & facts["fact"].isin(["mpdai_week0", "mpdai_week4"])]
    pouch_facts = mpdai_facts.assign(value=pd.to_numeric(mpdai_facts["value"])).pivot(
        index="patient_id", columns="fact", values="value"
    )
    pouch_facts = pouch_facts.reindex(columns=["mpdai_week0", "mpdai_week4"])
    week0, week4, pouch_mpdai = (
        study.reported("cdai-week0"),
        study.reported("cdai-week4"),
        study.reported("pouch-mpdai"),
    )
    return ScoringReview(
        study=study,
        cutoffs=cutoffs,
        paper_use=paper_use,
        cdai_points=cdai_points,
        cdai_summary=cdai_summary,
        diary_columns=diary_columns,
        visit_columns=visit_columns,
        diary_share=diary_share,
        phrase_range=case_note_range(),
        uc_comparison=uc.join(uc_graded),
        mpdai_parts=mpdai_parts,
        stool_item=stool_item,
        cdai_week0=week0,
        cdai_week4=week4,
        cdai_reduction=study.reported("cdai-reduction"),
        pouch_mpdai=pouch_mpdai,
        pouch_mpdai_facts=pouch_facts,
        reported_values=_reported_values(week0, week4, pouch_mpdai, pouch_facts),
    )
