"""Counts and rates of the cohort's characteristics and outcomes, over stated denominators."""

from __future__ import annotations

import numpy as np
import pandas as pd

GROUP_ORDER = ["CD", "UC", "pouchitis"]


def patient_ids(ids: pd.Series) -> pd.Series:
    """Patient identifiers as the cohort's index holds them: integers when the dictionary types
    ``patient_id`` integer (the paper's numbers), else the strings as written (codes such as
    RFH-0042), never forced to int."""
    return (
        ids.astype(int)
        if pd.api.types.is_integer_dtype(ids) or pd.api.types.is_float_dtype(ids)
        else ids.astype(object)
    )


def patients_with(treatments: pd.DataFrame, *, timing: str, drugs: str | list[str]) -> set[int]:
    """Patients with any of ``drugs`` in Table 2's ``timing`` column ("previous"/"concurrent")."""
    drugs = [drugs] if isinstance(drugs, str) else list(drugs)
    rows = treatments[(treatments["timing"] == timing) & treatments["drug"].isin(drugs)]
    return set(patient_ids(rows["patient_id"]))


def treatment_counts(treatments: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    """Patients per drug and timing in Table 2, overall and by group, over all 19 patients."""
    groups = cohort["diagnosis"]
    rows = []
    for (timing, drug), part in treatments.groupby(["timing", "drug"], sort=True):
        ids = set(patient_ids(part["patient_id"]))
        row = {"timing": timing, "drug": drug, "patients": len(ids), "of": len(cohort)}
        for group in GROUP_ORDER:
            row[group] = sum(groups.get(i) == group for i in ids)
        row["patient_ids"] = " ".join(str(i) for i in sorted(ids))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["percent"] = 100 * table["patients"] / table["of"]
    return table.sort_values(["timing", "patients", "drug"], ascending=[False, False, True]).reset_index(drop=True)


def baseline_table(cohort: pd.DataFrame):
    """Table 1 of the paper by analysis group, made with tableone (Pollard et al., JAMIA Open 2018).

    Age and disease duration as mean [min, max], the summaries the paper reports; categorical
    rows as n (%). Returns the ``tableone.TableOne`` object (``.tableone`` is the DataFrame).
    """
    from tableone import TableOne

    frame = cohort.reset_index()
    frame["perianal_fistula"] = frame["perianal_fistula"].map({True: "yes", False: "no"})
    frame["previous_operation"] = frame["previous_operations"].ne("none_recorded").map({True: "yes", False: "no"})
    columns = ["age", "sex", "disease_duration_years", "disease_site", "perianal_fistula", "previous_operation"]
    return TableOne(
        frame,
        columns=columns,
        categorical=["sex", "disease_site", "perianal_fistula", "previous_operation"],
        min_max=["age", "disease_duration_years"],
        groupby="diagnosis",
        order={"diagnosis": GROUP_ORDER},
        rename={"age": "age, years", "disease_duration_years": "disease duration, years"},
        pval=False,
        missing=False,
        overall=True,
    )


# --- facts of the Results text ---------------------------------------------------------------

#: Day of the week-4 assessment, the paper's short-term end point ("After 4 weeks ...").
WEEK4_ASSESSMENT_DAY = 28

#: Mean Gregorian month, to set the text's days beside the tables' months.
DAYS_PER_MONTH = 365.2425 / 12

#: The denominators a rate can be stated over (see ``denominator_mask``).
DENOMINATORS = ("intention_to_treat", "per_protocol")

#: Outcome categories at the end of follow-up, best first (Table 4's "Medium term outcome").
OUTCOME_ORDER = ["remission", "mild", "severe"]


def fact_values(facts: pd.DataFrame, fact: str, *, numeric: bool = False) -> pd.Series:
    """One fact of data/text_patient_facts.csv as a Series indexed by patient_id.

    ``numeric`` converts the values (stored as text) to numbers.
    """
    rows = facts[facts["fact"] == fact]
    values = pd.Series(rows["value"].to_numpy(), index=patient_ids(rows["patient_id"]).to_numpy(), name=fact)
    values.index.name = "patient_id"
    if values.index.has_duplicates:
        raise ValueError(f"fact {fact!r} is given more than once for a patient")
    return pd.to_numeric(values) if numeric else values


def side_effect_stop_day(facts: pd.DataFrame) -> pd.Series:
    """Day of stopping tacrolimus for side effects, where the Results text gives it.

    The text facts give either a day (``tacrolimus_stopped_for_side_effects_days``, as in "stopped
    tacrolimus after 5 days") or a week (``tacrolimus_stopped_for_side_effects_week``, as in
    "discontinued ... at week 4"); weeks are converted at 7 days. Patients without such a fact
    are absent from the Series.
    """
    days = fact_values(facts, "tacrolimus_stopped_for_side_effects_days", numeric=True)
    weeks = fact_values(facts, "tacrolimus_stopped_for_side_effects_week", numeric=True)
    stop_day = pd.concat([days, 7 * weeks]).sort_index().rename("stop_day_text")
    if stop_day.index.has_duplicates:
        raise ValueError("a patient has both a stop day and a stop week in the text facts")
    return stop_day


def tacrolimus_stopped(cohort: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Whether each patient had stopped tacrolimus by the end of follow-up, and on what basis.

    Table 5's "Ongoing tacrolimus therapy" column (No = stopped, Yes = ongoing) where the
    patient is listed; otherwise a stop stated in the text facts (``side_effect_stop_day``);
    otherwise unknown (pandas NA). Columns: ``stopped`` (nullable boolean), ``stopped_basis``.
    """
    ongoing = cohort["ongoing_tacrolimus"].astype("boolean")
    text_stop = side_effect_stop_day(facts).reindex(cohort.index).notna()
    stopped = (~ongoing).mask(ongoing.isna() & text_stop, True)
    basis = pd.Series("unknown: not in Table 5, no stop in the text", index=cohort.index, dtype=object)
    basis[ongoing.notna().to_numpy()] = "Table 5 ongoing " + ongoing[ongoing.notna()].map({True: "Yes", False: "No"})
    basis[(ongoing.isna() & text_stop).to_numpy()] = "Results text"
    return pd.DataFrame({"stopped": stopped.astype("boolean"), "stopped_basis": basis})


def side_effect_discontinuations(cohort: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """The patients who stopped tacrolimus because of side effects, with the derivation.

    A discontinuation for side effects is a patient with an adverse effect in Table 4 who had
    stopped tacrolimus (Table 5 "Ongoing" No, or a stop stated in the text: see
    ``tacrolimus_stopped``). The paper gives no per-patient reason for stopping, so an adverse
    effect and a stop together are read as a stop for the adverse effect. One row per patient
    with an adverse effect.
    """
    status = tacrolimus_stopped(cohort, facts)
    stop_day = side_effect_stop_day(facts).reindex(cohort.index)
    has_effect = cohort["adverse_effects"].map(len) > 0
    table = pd.DataFrame(
        {
            "diagnosis": cohort["diagnosis"],
            "adverse_effects": cohort["adverse_effects"].map(", ".join),
            "ongoing_table5": cohort["ongoing_tacrolimus"]
            .astype("boolean")
            .map({True: "Yes", False: "No"}, na_action="ignore")
            .fillna("not listed"),
            "stop_day_text": stop_day,
            "stop_months_text": stop_day / DAYS_PER_MONTH,
            "treatment_months": cohort["treatment_months"],
            "stopped": status["stopped"],
            "stopped_basis": status["stopped_basis"],
        }
    )[has_effect.to_numpy()]
    table["stopped_for_side_effects"] = table["stopped"].fillna(False).astype(bool)
    return table


def stopped_for_side_effects(cohort: pd.DataFrame, facts: pd.DataFrame) -> pd.Series:
    """Boolean per patient: stopped tacrolimus because of side effects (see side_effect_discontinuations)."""
    table = side_effect_discontinuations(cohort, facts)
    ids = table.index[table["stopped_for_side_effects"]]
    return pd.Series(cohort.index.isin(ids), index=cohort.index, name="stopped_for_side_effects")


def denominator_mask(cohort: pd.DataFrame, facts: pd.DataFrame, definition: str = "intention_to_treat") -> pd.Series:
    """Which patients a rate is stated over.

    ``"intention_to_treat"``: every patient who started tacrolimus, whatever happened next
    (the ITT principle: ICH E9, Statistical principles for clinical trials, 1998, section 5.2.1).
    A patient whose outcome is unknown stays in the denominator and is not counted as an event.

    ``"per_protocol"``: every patient except those who stopped tacrolimus for side effects
    before the week-4 assessment (day < 28), who had no on-treatment assessment of the paper's
    short-term end point. This is the denominator the paper's Discussion uses when it says all
    CD patients benefited "except for two patients who had to discontinue treatment due to side
    effects". A patient who stopped at week 4 (day 28) was assessed first and stays in.
    """
    if definition == "intention_to_treat":
        keep = pd.Series(True, index=cohort.index)
    elif definition == "per_protocol":
        stop_day = side_effect_stop_day(facts).reindex(cohort.index)
        keep = ~(stop_day < WEEK4_ASSESSMENT_DAY)
    else:
        raise ValueError(f"definition must be one of {DENOMINATORS}, not {definition!r}")
    return keep.rename(definition)


# --- rates by group --------------------------------------------------------------------------


def rates_by_group(
    cohort: pd.DataFrame,
    events: pd.Series,
    *,
    denominator: pd.Series | None = None,
    groups: list[str] | None = None,
    overall: str | None = "all",
) -> pd.DataFrame:
    """Events over a denominator, per diagnosis group and overall.

    ``events`` is a (nullable) boolean per patient; ``denominator`` a boolean mask of the
    patients counted (default: all). A patient in the denominator whose event is unknown (NA)
    counts in ``total`` but not in ``events`` (missing = no event, as intention to treat
    requires), and in ``unknown``. Columns: group, events, total, unknown, event_ids.
    """
    groups = list(GROUP_ORDER if groups is None else groups)
    events = events.reindex(cohort.index).astype("boolean")
    denominator = (
        pd.Series(True, index=cohort.index)
        if denominator is None
        else denominator.reindex(cohort.index, fill_value=False).astype(bool)
    )
    frame = pd.DataFrame({"group": cohort["diagnosis"], "event": events})[denominator.to_numpy()]
    selections = [(g, frame[frame["group"] == g]) for g in groups]
    if overall is not None:
        selections.append((overall, frame))
    rows = []
    for name, part in selections:
        hit = part["event"].fillna(False).astype(bool)
        rows.append(
            {
                "group": name,
                "events": int(hit.sum()),
                "total": len(part),
                "unknown": int(part["event"].isna().sum()),
                "event_ids": " ".join(map(str, part.index[hit.to_numpy()])),
            }
        )
    return pd.DataFrame(rows)


def week4_response_basis(cohort: pd.DataFrame) -> pd.DataFrame:
    """Week-4 responders by group, split by how the response is known.

    ``week4_response_basis`` says how each response is known (the cohort's text facts): "stated"
    where a source names the patient, "inferred" where it follows from a group statement (in the
    paper's transcription, whose Table 3 rows were lost, the Results text is that source).
    Columns: group, stated, inferred, missing, responders_stated, responders_inferred.
    """
    frame = cohort[["diagnosis", "week4_response", "week4_response_basis"]]
    rows = []
    for name, part in [(g, frame[frame["diagnosis"] == g]) for g in GROUP_ORDER] + [("all", frame)]:
        basis = part["week4_response_basis"]
        responded = part["week4_response"].fillna(False).astype(bool)
        rows.append(
            {
                "group": name,
                "stated": int((basis == "stated").sum()),
                "inferred": int((basis == "inferred").sum()),
                "missing": int(basis.isna().sum()),
                "responders_stated": int((responded & (basis == "stated")).sum()),
                "responders_inferred": int((responded & (basis == "inferred")).sum()),
            }
        )
    return pd.DataFrame(rows)


# --- end of follow-up ------------------------------------------------------------------------


def end_of_follow_up_outcome(cohort: pd.DataFrame, *, include_inferred: bool = True) -> pd.Series:
    """Outcome at the end of follow-up (remission / mild / severe) per patient.

    Table 4's "Medium term outcome" column. An outcome inferred from the text for a patient
    absent from Table 4 (``outcome_end_of_follow_up_basis`` = "inferred") is used only when
    ``include_inferred``; a patient with no outcome in either source has none (missing).
    """
    outcome = cohort["outcome_end_of_follow_up"].copy()
    if not include_inferred:
        outcome[cohort["outcome_end_of_follow_up_basis"].eq("inferred").to_numpy()] = None
    return outcome.rename("outcome")


def outcome_counts(cohort: pd.DataFrame, outcome: pd.Series, *, denominator: pd.Series | None = None) -> pd.DataFrame:
    """Patients per outcome category (remission, mild, severe, unknown) by group and overall."""
    keep = (
        pd.Series(True, index=cohort.index) if denominator is None else denominator.reindex(cohort.index).astype(bool)
    )
    frame = pd.DataFrame({"group": cohort["diagnosis"], "outcome": outcome.reindex(cohort.index).fillna("unknown")})[
        keep.to_numpy()
    ]
    counts = pd.crosstab(frame["group"], frame["outcome"]).reindex(
        index=GROUP_ORDER, columns=OUTCOME_ORDER + ["unknown"], fill_value=0
    )
    counts.loc["all"] = counts.sum()
    counts["total"] = counts.sum(axis=1)
    counts.index.name = "group"
    return counts.reset_index()


def text_named_relapse(facts: pd.DataFrame, patients: pd.Index) -> pd.Series:
    """Boolean per patient: the Results text names a relapse (a relapse month, or "a relapse
    requiring a course of steroids"). False means the text is silent, not that there was none."""
    month = fact_values(facts, "relapse_month").reindex(patients)
    steroids = fact_values(facts, "relapse_requiring_steroids").reindex(patients).eq("true")
    return (month.notna() | steroids).rename("text_names_relapse")


def relapse_table(cohort: pd.DataFrame, table4: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Relapses as Table 4 prints them beside the relapses the Results text names.

    Table 4's "Relapse (month)" cells were read by cell position from a run-together text
    (``reading_note`` says how); the text facts name a relapse either with its month
    (``relapse_month``) or without one (``relapse_requiring_steroids``: "a relapse requiring a
    course of steroids"). One row per patient
    with a relapse in either source; ``sources`` says which.
    """
    notes = table4.set_index(patient_ids(table4["patient_id"]))["reading_note"].reindex(cohort.index)
    text_month = fact_values(facts, "relapse_month", numeric=True).reindex(cohort.index)
    table = pd.DataFrame(
        {
            "diagnosis": cohort["diagnosis"],
            "relapse_month_table4": cohort["relapse_month"].astype(float),
            "text_names_relapse": text_named_relapse(facts, cohort.index),
            "relapse_month_text": text_month,
            "outcome_table4": cohort["outcome_end_of_follow_up"],
            "cell_reading_note": notes.where(cohort["relapse_month"].notna(), None),
        }
    )
    in_table4 = table["relapse_month_table4"].notna()
    table["sources"] = np.select(
        [in_table4 & table["text_names_relapse"], in_table4],
        ["Table 4 and text", "Table 4 only"],
        default="text only",
    )
    table["ambiguous_cell"] = table["cell_reading_note"].notna()
    return table[in_table4 | table["text_names_relapse"]]


def fistula_outcome_counts(cohort: pd.DataFrame) -> pd.DataFrame:
    """Fistula response among the patients with a perianal fistula (Table 1), from Table 4.

    Categories as the paper defines them after Sandborn et al. (Gastroenterology 2003;
    its ref. 16): complete healing (no draining fistula), partial response (at least 50% fewer
    draining fistulas with less size, drainage or discomfort), no response.
    """
    order = ["complete_healing", "partial_response", "no_response", "not recorded"]
    with_fistula = cohort[cohort["perianal_fistula"].astype(bool)]
    outcome = with_fistula["fistula_outcome"].fillna("not recorded")
    rows = [
        {
            "fistula_outcome": name,
            "patients": int((outcome == name).sum()),
            "of": len(with_fistula),
            "patient_ids": " ".join(map(str, outcome.index[outcome == name])),
        }
        for name in order
    ]
    return pd.DataFrame(rows)


def adverse_effect_counts(adverse_effects: pd.DataFrame, n_patients: int) -> pd.DataFrame:
    """Patients per adverse effect (data/table4_adverse_effects.csv), most frequent first."""
    grouped = adverse_effects.groupby("adverse_effect")["patient_id"]
    table = pd.DataFrame(
        {
            "patients": grouped.nunique(),
            "patient_ids": grouped.apply(lambda ids: " ".join(map(str, sorted(set(patient_ids(ids)))))),
        }
    )
    table["of"] = n_patients
    table.index.name = "adverse_effect"
    return (
        table.reset_index().sort_values(["patients", "adverse_effect"], ascending=[False, True]).reset_index(drop=True)
    )


def tolerated(cohort: pd.DataFrame) -> pd.Series:
    """Boolean per patient: no adverse effect listed in Table 4 (the paper's "well tolerated")."""
    return (cohort["adverse_effects"].map(len) == 0).rename("tolerated")


def steroid_tapering_table(cohort: pd.DataFrame) -> pd.DataFrame:
    """Table 4's steroid tapering cell beside Table 2's concurrent prednisolone, per patient.

    Only patients with a tapering entry or on concurrent prednisolone at the start are listed;
    the paper does not define tapering or say when steroids were started.
    """
    tapering = cohort["steroid_tapering"].fillna("not recorded")
    table = pd.DataFrame(
        {
            "diagnosis": cohort["diagnosis"],
            "concurrent_prednisolone_at_start": cohort["concurrent_prednisolone"],
            "steroid_tapering_table4": tapering,
            "prednisolone_mg_day_table4": cohort["prednisolone_mg_day"],
            "iv_steroids_table4": cohort["iv_steroids"],
        }
    )
    return table[(tapering != "not recorded") | cohort["concurrent_prednisolone"].to_numpy()]


# --- time on tacrolimus ----------------------------------------------------------------------


def treatment_duration(cohort: pd.DataFrame) -> pd.DataFrame:
    """Months on tacrolimus: Table 4's "Treatment (month)", else Table 5's duration.

    Columns ``months`` and ``duration_source`` ("Table 4", "Table 5" or "none"). A patient absent
    from Table 4 gets Table 5's value; one absent from both has none (missing, not zero).
    """
    table4 = cohort["treatment_months"].astype(float)
    table5 = cohort["tacrolimus_duration_months"].astype(float)
    months = table4.fillna(table5)
    source = np.select([table4.notna(), table5.notna()], ["Table 4", "Table 5"], default="none")
    return pd.DataFrame({"months": months, "duration_source": source}, index=cohort.index)


UNKNOWN_STATUS_RULES = ("exclude", "event", "censored")


def time_on_tacrolimus(cohort: pd.DataFrame, facts: pd.DataFrame, *, unknown_status: str = "exclude") -> pd.DataFrame:
    """Time-to-event data for a Kaplan-Meier curve of time on tacrolimus.

    Time = ``treatment_duration`` (months); event = tacrolimus stopped (``tacrolimus_stopped``);
    censored = still on tacrolimus at the end of follow-up (Table 5 "Ongoing" Yes). Patients
    whose status is unknown (not in Table 5 and no stop in the text: 18, 19) are handled by
    ``unknown_status``: "exclude", "event" (assume stopped) or "censored" (assume ongoing).
    Patients without any duration (7) are always excluded. Columns: months, duration_source,
    stopped, stopped_basis, event (1/0, NaN when excluded), included.
    """
    if unknown_status not in UNKNOWN_STATUS_RULES:
        raise ValueError(f"unknown_status must be one of {UNKNOWN_STATUS_RULES}, not {unknown_status!r}")
    table = treatment_duration(cohort).join(tacrolimus_stopped(cohort, facts))
    event = table["stopped"].astype("Float64")
    if unknown_status != "exclude":
        event = event.fillna(1.0 if unknown_status == "event" else 0.0)
    table["event"] = event.astype(float)
    table["included"] = table["months"].notna() & table["event"].notna()
    table.loc[~table["included"], "event"] = np.nan
    return table


def swimmer_data(
    cohort: pd.DataFrame, table4: pd.DataFrame, facts: pd.DataFrame, *, include_inferred: bool = True
) -> pd.DataFrame:
    """One row per patient for a swimmer plot of time on tacrolimus.

    Columns: diagnosis, months and duration_source (``treatment_duration``), follow_up_months
    (Table 5), stopped (``tacrolimus_stopped``: NA when unknown), relapse_month (Table 4) with
    relapse_ambiguous (the cell needed a judgement, see ``relapse_table``), stopped_for_side_effects
    (``stopped_for_side_effects``), outcome (``end_of_follow_up_outcome``) and outcome_basis.
    """
    relapses = relapse_table(cohort, table4, facts)
    table = treatment_duration(cohort)
    table.insert(0, "diagnosis", cohort["diagnosis"])
    table["follow_up_months"] = cohort["follow_up_months"].astype(float)
    table["stopped"] = tacrolimus_stopped(cohort, facts)["stopped"]
    table["relapse_month"] = cohort["relapse_month"].astype(float)
    table["relapse_ambiguous"] = relapses["ambiguous_cell"].reindex(cohort.index, fill_value=False).astype(bool)
    table["stopped_for_side_effects"] = stopped_for_side_effects(cohort, facts)
    table["outcome"] = end_of_follow_up_outcome(cohort, include_inferred=include_inferred)
    table["outcome_basis"] = cohort["outcome_end_of_follow_up_basis"].where(table["outcome"].notna(), None)
    return table


def before_after_facts(facts: pd.DataFrame, patient_id: int, measures: list[str]) -> pd.DataFrame:
    """Week-0 and week-4 values of a patient's measures from the text facts.

    Each measure ``m`` is read from the facts ``m_week0`` and ``m_week4``. Columns: measure,
    week0, week4, change (week4 - week0), basis.
    """
    own = facts[patient_ids(facts["patient_id"]) == patient_id].set_index("fact")
    rows = []
    for m in measures:
        before, after = (own.loc[f"{m}_{w}"] if f"{m}_{w}" in own.index else None for w in ("week0", "week4"))
        week0 = float(before["value"]) if before is not None else np.nan
        week4 = float(after["value"]) if after is not None else np.nan
        bases = {r["basis"] for r in (before, after) if r is not None}
        rows.append(
            {"measure": m, "week0": week0, "week4": week4, "change": week4 - week0, "basis": "/".join(sorted(bases))}
        )
    return pd.DataFrame(rows)


def _known(flag: pd.Series, known: pd.Series) -> pd.Series:
    """A boolean Series made NA where ``known`` is False."""
    return flag.astype("boolean").mask(~known.astype(bool))


def outcome_rates(
    cohort: pd.DataFrame,
    facts: pd.DataFrame,
    *,
    denominator: str = "intention_to_treat",
    include_inferred: bool = True,
) -> pd.DataFrame:
    """The medium-term rates of the paper over one denominator (see ``denominator_mask``).

    One row per rate and group: ``rate`` (a short name), ``population`` (who is counted),
    group, events, total, unknown (in the denominator, outcome unknown: counted in total, not
    in events), event_ids, and ``denominator``. The rates:

    * ``remission_end``: remission at the end of follow-up (Table 4, plus the outcomes inferred
      from the text when ``include_inferred``), per group and overall;
    * ``relapse_table4``: a relapse month in Table 4 (unknown for patients not in Table 4);
    * ``relapse_text``: a relapse named in the Results text (the text never says "no relapse",
      so this is a lower bound);
    * ``steroid_tapering_complete``: Table 4's steroid tapering "complete";
    * ``fistula_complete_healing`` and ``fistula_any_response`` (complete or partial), over
      the patients with a perianal fistula (``fistula_outcome_counts``);
    * ``tolerated``: no adverse effect in Table 4;
    * ``stopped_for_side_effects`` (``side_effect_discontinuations``);
    * ``ongoing_end_of_follow_up``: still on tacrolimus (Table 5 "Ongoing" Yes; unknown where
      Table 5 does not list the patient and the text states no stop).
    """
    mask = denominator_mask(cohort, facts, denominator)
    outcome = end_of_follow_up_outcome(cohort, include_inferred=include_inferred)
    in_table4 = cohort["in_table4"].astype(bool)
    fistula = cohort["perianal_fistula"].astype(bool)
    stopped = tacrolimus_stopped(cohort, facts)["stopped"]
    named = text_named_relapse(facts, cohort.index)
    fistula_outcome = cohort["fistula_outcome"]
    specs = [
        ("remission_end", "all patients", _known(outcome.eq("remission"), outcome.notna()), mask, True),
        ("relapse_table4", "all patients", _known(cohort["relapse_month"].notna(), in_table4), mask, False),
        ("relapse_text", "all patients", named, mask, False),
        (
            "steroid_tapering_complete",
            "all patients",
            _known(cohort["steroid_tapering"].eq("complete"), in_table4),
            mask,
            False,
        ),
        (
            "fistula_complete_healing",
            "patients with a perianal fistula",
            _known(fistula_outcome.eq("complete_healing"), in_table4),
            mask & fistula,
            False,
        ),
        (
            "fistula_any_response",
            "patients with a perianal fistula",
            _known(fistula_outcome.isin(["complete_healing", "partial_response"]), in_table4),
            mask & fistula,
            False,
        ),
        ("tolerated", "all patients", tolerated(cohort), mask, False),
        ("stopped_for_side_effects", "all patients", stopped_for_side_effects(cohort, facts), mask, False),
        ("ongoing_end_of_follow_up", "all patients", ~stopped, mask, False),
    ]
    parts = []
    for rate, population, events, keep, by_group in specs:
        table = rates_by_group(cohort, events, denominator=keep, groups=None if by_group else [])
        table.insert(0, "population", population)
        table.insert(0, "rate", rate)
        parts.append(table)
    rates = pd.concat(parts, ignore_index=True)
    rates["denominator"] = denominator
    return rates


#: The disease-activity index Table 3 gives for each group (the data dictionary's description of
#: disease_activity_week0/4): estimated CDAI (Best et al. 1976), modified Truelove-Witts (Truelove &
#: Witts 1955), modified PDAI (Shen et al. 2003). Lower is less active on each.
TABLE3_INDEX = {"CD": "CDAI", "UC": "modified Truelove-Witts", "pouchitis": "mPDAI"}

#: Table 3's paired measures: (week-0 column, week-4 column).
TABLE3_MEASURES = {
    "disease_activity": ("disease_activity_week0", "disease_activity_week4"),
    "stool_frequency": ("stool_frequency_week0_per_day", "stool_frequency_week4_per_day"),
}

#: The columns of :func:`table3_changes`.
TABLE3_CHANGE_COLUMNS = ["patient_id", "group", "index", "week0", "week4", "change"]


def table3_changes(study, *, measure: str = "disease_activity") -> pd.DataFrame:
    """Each patient's ``measure`` (``TABLE3_MEASURES``: the disease-activity index, or the stool
    frequency) at weeks 0 and 4 where Table 3 gives both, and the change (week 4 minus week 0:
    negative is a fall). Empty when Table 3 gives no such pair, as in the paper's transcription,
    whose Table 3 rows were lost. ``study``: anything with ``tables`` and ``cohort`` (a
    ``study.Study``, a check's Evidence)."""
    week0, week4 = TABLE3_MEASURES[measure]
    table3 = study.tables["table3_week4"]
    both = table3.dropna(subset=[week0, week4])
    group = study.cohort["diagnosis"].reindex(both["patient_id"]).to_numpy()
    frame = pd.DataFrame(
        {
            "patient_id": both["patient_id"].to_numpy(),
            "group": group,
            "index": [
                TABLE3_INDEX.get(g, "disease activity") if measure == "disease_activity" else "stools per day"
                for g in group
            ],
            "week0": both[week0].astype(float).to_numpy(),
            "week4": both[week4].astype(float).to_numpy(),
        }
    )
    frame["change"] = frame["week4"] - frame["week0"]
    return frame[TABLE3_CHANGE_COLUMNS]


def fall_summary(changes: pd.DataFrame) -> dict:
    """The Results' summaries of a fall from week 0 to week 4 over the rows of ``changes``
    (``table3_changes``): ``patients``, ``mean_fall`` and ``median_fall`` (week 0 minus week 4),
    ``median_week0``, ``median_week4``, and how many ``improved`` (fell), were ``unchanged`` or ``worse``."""
    fall = -changes["change"]
    return {
        "patients": len(changes),
        "mean_fall": float(fall.mean()),
        "median_fall": float(fall.median()),
        "median_week0": float(changes["week0"].median()),
        "median_week4": float(changes["week4"].median()),
        "improved": int((fall > 0).sum()),
        "unchanged": int((fall == 0).sum()),
        "worse": int((fall < 0).sum()),
    }
