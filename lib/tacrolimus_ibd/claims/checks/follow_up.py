"""Checks of the medium-term outcome and follow-up (Table 4, Table 5 and the Results text)."""

from __future__ import annotations

import pandas as pd

from ... import outcomes
from ..agreement import agreement, days_to_months
from .base import (
    Evidence,
    Verdict,
    _fmt,
    _fmt_reported,
    _follow_up_check,
    _group,
    _ids,
    _judge,
    _mismatches,
    _none_in_cohort,
    _own_arithmetic,
    _patient_keys,
    _patients,
    _reading,
    check,
    compare,
    patient_key,
)

# --- checks: end of follow-up ----------------------------------------------------------------


@check("cd_outcome_partition")
def _cd_outcome_partition(ev: Evidence, rep: dict) -> Verdict:
    """The Results' account of the 12 CD patients against Table 4's outcome column."""
    cd = _group(ev, "CD")
    outcome = outcomes.end_of_follow_up_outcome(ev.cohort)[cd.index]
    facts = ev.facts
    response_ids = set(
        outcomes.fact_values(facts, "end_of_follow_up_outcome").pipe(lambda s: s[s == "clinical_response"]).index
    ) & set(cd.index)
    relapse_ids = set(
        outcomes.fact_values(facts, "relapse_requiring_steroids").pipe(lambda s: s[s == "true"]).index
    ) & set(cd.index)
    severe_ids = set(outcomes.fact_values(facts, "referred_for_surgery").pipe(lambda s: s[s == "true"]).index) & set(
        cd.index
    )
    computed = {
        "remission": int(outcome.eq("remission").sum()),
        "response": len(response_ids),
        "relapse": len(relapse_ids),
        "severe": len(severe_ids),
    }
    problems = _mismatches(rep, computed)
    # Each named patient's Table 4 outcome must fit what the text says of them.
    for pid in sorted(response_ids):
        if outcome[pid] not in ("mild", "remission"):
            problems.append(f"Patient {pid}: text says clinical response, Table 4 says {outcome[pid]}")
    for pid in sorted(relapse_ids):
        steroids = pd.notna(cd.loc[pid, "prednisolone_mg_day"]) or bool(cd.loc[pid, "iv_steroids"])
        if pd.isna(cd.loc[pid, "relapse_month"]) or not steroids:
            problems.append(
                f"Patient {pid}: text says relapse requiring steroids, Table 4 has no relapse month or steroid"
            )
    for pid in sorted(severe_ids):
        if outcome[pid] != "severe":
            problems.append(f"Patient {pid}: text says severe activity, Table 4 says {outcome[pid]}")
    named = response_ids | relapse_ids | severe_ids
    total = computed["remission"] + len(named)
    if total != len(cd):
        problems.append(f"the text's groups cover {total} of the {len(cd)} CD patients")
    return _judge(
        computed,
        problems,
        notes=[
            f"response: patients {_ids(response_ids)}; relapse: {_ids(relapse_ids)}; severe: {_ids(severe_ids)}",
            f"remission: patients {_ids(cd.index[outcome.eq('remission')])}",
        ],
        inferred=_remission_inferred(ev, outcome),
    )


@check("cd_relapse_count")
def _cd_relapse_count(ev: Evidence, rep: dict) -> Verdict:
    """'Of the remaining patients, two (Patients 13 and 19) had a relapse requiring a course of steroids'.

    "The remaining patients" points back to the CD patients not in remission and without the
    clinical response of the previous sentence; the next sentence puts the rest of them among
    those with continued severe activity. Readings: (a) that partition; (b) every remaining
    patient with a relapse month in Table 4; (c) every CD patient with one.
    """
    cd = _group(ev, "CD")
    relapses = outcomes.relapse_table(ev.cohort, ev.tables["table4_medium_term"], ev.facts)
    relapses = relapses[relapses["diagnosis"] == "CD"]
    in_table4 = set(relapses.index[relapses["relapse_month_table4"].notna()])
    outcome = outcomes.end_of_follow_up_outcome(ev.cohort)[cd.index]
    facts = ev.facts
    response = set(
        outcomes.fact_values(facts, "end_of_follow_up_outcome").pipe(lambda v: v[v == "clinical_response"]).index
    ) & set(cd.index)
    severe = set(outcomes.fact_values(facts, "referred_for_surgery").pipe(lambda v: v[v == "true"]).index) & set(
        cd.index
    )
    named = set(relapses.index[relapses["text_names_relapse"]])
    remaining = set(cd.index[~outcome.eq("remission")]) - response
    steroid = {
        pid for pid in remaining if pd.notna(cd.loc[pid, "prednisolone_mg_day"]) or bool(cd.loc[pid, "iv_steroids"])
    }
    partition = (remaining - severe) & in_table4 & steroid
    computed = {"count": len(partition)}
    problems = _mismatches(rep, computed)
    without = sorted(named - (in_table4 & steroid))
    if without:
        problems.append(f"{_patients(without)}: no relapse month or steroid course in Table 4")
    readings = [
        (
            f"(a) 'the remaining patients' ({_ids(remaining)}) less the {len(severe)} the next sentence places among those with continued severe activity ({_ids(severe)})",
            "discrepancy" if problems else "reproduced",
            f"{_patients(partition)} with a relapse month and a steroid course in Table 4",
        ),
        (
            "(b) every remaining patient with a relapse month in Table 4",
            "not the sentence's referent",
            f"{len(remaining & in_table4)} ({_ids(remaining & in_table4)})",
        ),
        (
            "(c) every CD patient with a relapse month in Table 4",
            "not the sentence's referent",
            f"{len(in_table4)} ({_ids(in_table4)}; the months of {_ids(in_table4 - remaining)} belong to patients in remission at the end)",
        ),
    ]
    verdict = _reading("discrepancy" if problems else "reproduced", computed, readings)
    return Verdict(verdict.computed, verdict.status, "; ".join([*problems, verdict.note]))


def _table4_month_step(months: float) -> float:
    """The step Table 4 prints months on tacrolimus in: quarter months below one month (0.25,
    0.5), whole months from one month on. A stop the text dates in days or weeks is brought to it."""
    return 0.25 if months < 1 else 1.0


def _stop_months(ev: Evidence, pid: int, days: float) -> tuple[dict, list[str], str]:
    """A stop the text dates in days against Table 4's months, at Table 4's step (claims.agreement)."""
    table_months = float(ev.cohort.loc[pid, "treatment_months"])
    text_months = days_to_months(days)
    result = agreement(text_months, table_months, step=_table4_month_step(table_months))
    computed = {f"p{pid}_table4_months": table_months, f"p{pid}_text_months": text_months}
    problems = (
        []
        if result
        else [
            f"Patient {pid}: the text's {_fmt(days)} days is {_fmt(text_months)} months; Table 4 prints {_fmt(table_months)} months ({result.explanation})"
        ]
    )
    return computed, problems, f"Patient {pid}: {_fmt(days)} days = {result.explanation}"


def _table5_notes(ev: Evidence, ids) -> list[str]:
    table5 = ev.cohort.loc[sorted(ids), ["tacrolimus_duration_months", "follow_up_months"]].dropna()
    return [
        f"Table 5 for Patient {pid}: {_fmt(float(r.tacrolimus_duration_months))} months on tacrolimus, follow-up {_fmt(float(r.follow_up_months))}"
        for pid, r in table5.iterrows()
    ]


@check("early_stops")
def _early_stops(ev: Evidence, rep: dict) -> Verdict:
    """Stops the text dates in days or weeks against Table 4's months, at the step Table 4 prints in."""
    days = {pid: v for pid, v in _patient_keys(rep, "_days").items()}
    days.update({pid: 7 * v for pid, v in _patient_keys(rep, "_weeks").items()})
    computed, problems, notes = {}, [], []
    for pid, d in sorted(days.items()):
        part, wrong, note = _stop_months(ev, pid, d)
        computed.update(part)
        problems += wrong
        notes.append(note)
    return _judge(computed, problems, notes=notes + _table5_notes(ev, days))


@check("stop_at_week")
def _stop_at_week(ev: Evidence, rep: dict) -> Verdict:
    """'Tacrolimus was discontinued in Patient N due to side effects at week W': two readings.

    (a) discontinued at week W, checked against Table 4's months at its step; (b) the side
    effects arose at week W and the sentence does not date the stop, which Tables 4 and 5 do.
    """
    ((pid, weeks),) = _patient_keys(rep, "_weeks").items()
    computed, problems, note = _stop_months(ev, pid, 7 * weeks)
    status_a = "discrepancy" if problems else "reproduced"
    months = _fmt(float(ev.cohort.loc[pid, "treatment_months"]))
    readings = [
        (f"(a) discontinued at week {_fmt(weeks)}", status_a, "; ".join(problems) or note),
        (
            f"(b) side effects at week {_fmt(weeks)}, the stop not dated by the sentence",
            "reproduced",
            f"Table 4 gives {months} months on tacrolimus, which the sentence then does not contradict",
        ),
    ]
    return _reading(
        status_a if status_a == "reproduced" else "ambiguous", computed, readings, notes=_table5_notes(ev, [pid])
    )


@check("cd_follow_up")
def _cd_follow_up(ev: Evidence, rep: dict) -> Verdict:
    return _follow_up_check(_group(ev, "CD"), rep, "CD patients", scope_is_clear=True, comparison=ev.comparison)


@check("uc_follow_up")
def _uc_follow_up(ev: Evidence, rep: dict) -> Verdict:
    return _follow_up_check(_group(ev, "UC"), rep, "UC patients", scope_is_clear=True, comparison=ev.comparison)


@check("fistula_follow_up")
def _fistula_follow_up(ev: Evidence, rep: dict) -> Verdict:
    with_fistula = ev.cohort[ev.cohort["perianal_fistula"].astype(bool)]
    return _follow_up_check(with_fistula, rep, "patients with fistulas", scope_is_clear=True, comparison=ev.comparison)


@check("overall_follow_up")
def _overall_follow_up(ev: Evidence, rep: dict) -> Verdict:
    return _follow_up_check(ev.cohort, rep, "patients", scope_is_clear=False, comparison=ev.comparison)


@check("fistula_treatment_mean")
def _fistula_treatment_mean(ev: Evidence, rep: dict) -> Verdict:
    with_fistula = ev.cohort[ev.cohort["perianal_fistula"].astype(bool)]
    if with_fistula.empty:
        return _none_in_cohort("patients with fistulas")
    duration = outcomes.treatment_duration(with_fistula).dropna(subset=["months"])
    months = duration["months"]
    follow = with_fistula["follow_up_months"].dropna()
    sources = duration["duration_source"].value_counts().sort_index()
    source = sources.index[0] if len(sources) == 1 else ", ".join(f"{n} from {s}" for s, n in sources.items())
    coverage = "for all of them" if len(follow) == len(months) else f"for {len(follow)} only"
    return compare(
        rep,
        {"mean": float(months.mean()), "n": len(months)},
        notes=[
            f"mean months on tacrolimus of the {len(months)} patients with fistulas ({source}); their follow-up is published {coverage} (see fistula-follow-up)"
        ],
    )


@check("fistula_outcomes")
def _fistula_outcomes(ev: Evidence, rep: dict) -> Verdict:
    counts = outcomes.fistula_outcome_counts(ev.cohort).set_index("fistula_outcome")
    if not int(counts["of"].iloc[0]):
        return _none_in_cohort("patients with fistulas")
    computed = {
        "total": int(counts["of"].iloc[0]),
        "complete": int(counts.loc["complete_healing", "patients"]),
        "partial": int(counts.loc["partial_response", "patients"]),
        "none": int(counts.loc["no_response", "patients"]),
    }
    not_recorded = int(counts.loc["not recorded", "patients"])
    listed = {
        name: counts.loc[name, "patient_ids"] or "none"
        for name in ("complete_healing", "partial_response", "no_response")
    }
    notes = [
        f"complete: patients {listed['complete_healing']}; partial: {listed['partial_response']}; none: {listed['no_response']}"
    ]
    if not_recorded:
        unrecorded = counts.loc["not recorded", "patient_ids"].split()
        notes.append(f"no fistula outcome in Table 4 for {_patients(unrecorded)}")
    return compare(rep, computed, notes=notes)


@check("uc_relapses")
def _uc_relapses(ev: Evidence, rep: dict) -> Verdict:
    uc = _group(ev, "UC")
    relapsed = uc[uc["relapse_month"].notna()]
    computed = {"count": len(relapsed), "iv_steroids": int(relapsed["iv_steroids"].fillna(False).astype(bool).sum())}
    computed.update({f"p{pid}_month": float(m) for pid, m in relapsed["relapse_month"].items()})
    problems = _mismatches(rep, computed)
    problems += [
        f"p{pid}_month: Table 4 has no relapse for Patient {pid}"
        for pid in _patient_keys(rep, "_month")
        if f"p{pid}_month" not in computed
    ]
    severe = relapsed.index[outcomes.end_of_follow_up_outcome(ev.cohort)[relapsed.index].eq("severe")]
    return _judge(computed, problems, notes=[f"severe disease at the end (Table 4): patients {_ids(severe)}"])


def _tapering_vs_prednisolone(cohort: pd.DataFrame, ids) -> str:
    """A note: tapering 'complete' in Table 4 for patients Table 2 records as not on prednisolone."""
    not_on = [pid for pid in sorted(ids) if not bool(cohort.loc[pid, "concurrent_prednisolone"])]
    if not not_on:
        return ""
    return (
        f"Table 2's concurrent prednisolone column reads No for {_patients(not_on)} ({len(not_on)} of these {len(ids)}); "
        "the tables do not say which steroid was tapered"
    )


@check("steroid_tapering_count")
def _steroid_tapering_count(ev: Evidence, rep: dict) -> Verdict:
    """Steroid tapering 'complete' in Table 4's steroid-tapering column (the count the sentence gives)."""
    tapered = ev.cohort.index[ev.cohort["steroid_tapering"].eq("complete")]
    computed = {"count": len(tapered)}
    on_pred = ev.cohort.index[ev.cohort["concurrent_prednisolone"].astype(bool)]
    notes = [
        f"tapering complete in Table 4: patients {_ids(tapered)}",
        _tapering_vs_prednisolone(ev.cohort, tapered),
        f"of the {len(on_pred)} on prednisolone at the start (Table 2), {len(set(on_pred) & set(tapered))} completed tapering",
    ]
    return compare(rep, computed, notes=notes)


@check("uc_remission_tapering")
def _uc_remission_tapering(ev: Evidence, rep: dict) -> Verdict:
    uc = _group(ev, "UC")
    remission = uc.index[outcomes.end_of_follow_up_outcome(ev.cohort)[uc.index].eq("remission")]
    tapered = [pid for pid in remission if uc.loc[pid, "steroid_tapering"] == "complete"]
    computed = {"total": len(uc), "remission": len(remission), "tapering": len(tapered)}
    return compare(
        rep,
        computed,
        notes=[
            f"remission and tapering complete in Table 4: patients {_ids(tapered)}",
            _tapering_vs_prednisolone(ev.cohort, tapered),
        ],
    )


@check("steroid_dependent_patients")
def _steroid_dependent_patients(ev: Evidence, rep: dict) -> Verdict:
    """Patients the text calls steroid-dependent at the start of tacrolimus: two readings.

    (a) on steroids at the start, shown by Table 2's concurrent prednisolone; (b) steroid use
    during treatment, shown by Table 4's steroid tapering or prednisolone columns. Neither table
    records steroid dependence itself.
    """
    named = _patient_keys(rep)
    cohort = ev.cohort
    on_pred = {pid: bool(cohort.loc[pid, "concurrent_prednisolone"]) for pid in named}
    table4 = {
        pid: cohort.loc[pid, "steroid_tapering"] == "complete" or pd.notna(cohort.loc[pid, "prednisolone_mg_day"])
        for pid in named
    }
    computed = {f"p{pid}_table2_prednisolone": int(on_pred[pid]) for pid in named} | {
        f"p{pid}_table4_steroid": int(table4[pid]) for pid in named
    }
    missing_a = [pid for pid, flag in named.items() if flag and not on_pred[pid]]
    missing_b = [pid for pid, flag in named.items() if flag and not (on_pred[pid] or table4[pid])]
    readings = [
        (
            "(a) on prednisolone at the start (Table 2)",
            "discrepancy" if missing_a else "reproduced",
            f"Table 2 reads No for {_patients(missing_a)}" if missing_a else "Table 2 reads Yes for each",
        ),
        (
            "(b) steroid use in Table 2 or Table 4 (prednisolone dose, steroid tapering)",
            "discrepancy" if missing_b else "reproduced",
            f"no steroid recorded for {_patients(missing_b)}"
            if missing_b
            else "each has one ("
            + ", ".join(
                f"Patient {pid}: {'Table 2 prednisolone' if on_pred[pid] else 'Table 4 steroid tapering ' + str(cohort.loc[pid, 'steroid_tapering'])}"
                for pid in named
            )
            + ")",
        ),
    ]
    statuses = {r[1] for r in readings}
    return _reading(statuses.pop() if len(statuses) == 1 else "ambiguous", computed, readings)


@check("ongoing_end")
def _ongoing_end(ev: Evidence, rep: dict) -> Verdict:
    """'At the end of follow-up 13 patients (68%) were still on treatment': 68% = 13/19 names all 19.

    Table 5 lists the ongoing status of 14 patients; the text dates the stops of two more; the
    status of the rest is not published, so the count is not computable unless Table 5's
    ongoing plus those unknown fall short of it (a discrepancy).
    """
    status = outcomes.tacrolimus_stopped(ev.cohort, ev.facts)
    listed = ev.cohort["in_table5"].astype(bool)
    ongoing_table5 = ev.cohort.index[listed & ev.cohort["ongoing_tacrolimus"].eq(True)]
    unknown = status.index[status["stopped"].isna()]
    stopped = status.index[status["stopped"].eq(True)]
    computed = {"count_table5": len(ongoing_table5), "unknown": len(unknown)}
    low, high = len(ongoing_table5), len(ongoing_table5) + len(unknown)
    problems = _own_arithmetic(rep)
    detail = (
        f"Table 5 lists {low} ongoing ({_ids(ongoing_table5)}); stopped: {_ids(stopped)} (Table 5 and the Results' stop days); "
        f"not in Table 5 and no stop in the text: {_ids(unknown)}; so {low}{f'-{high}' if high > low else ''} patients were on treatment"
    )
    if not low <= rep["count"] <= high:
        return _judge(computed, problems + [f"count: reported {_fmt_reported(rep, 'count')}; {detail}"])
    need = int(rep["count"]) - low
    return _judge(
        computed,
        problems,
        unknown=[
            f"{detail}: {_fmt_reported(rep, 'count')} needs {need} of {_ids(unknown)} to have continued, whose status is not published"
        ],
        notes=[
            f"{_fmt_reported(rep, 'percent')}% is {_fmt_reported(rep, 'count')}/{_fmt_reported(rep, 'total')}, so the sentence counts all {_fmt_reported(rep, 'total')} patients, not Table 5's {int(listed.sum())}"
        ],
    )


# --- checks: the Discussion's summaries -------------------------------------------------------


@check("half_remission")
def _half_remission(ev: Evidence, rep: dict) -> Verdict:
    """'Half of the patients achieving remission at 8 months': which patients?

    Readings: (a) the UC patients, the only group whose mean follow-up is 8 months; (b) all
    patients, as the paragraph's other sentences speak of the whole series.
    """
    outcome = outcomes.end_of_follow_up_outcome(ev.cohort)
    remission = int(outcome.eq("remission").sum())
    unknown = int(outcome.isna().sum())
    follow = ev.cohort["follow_up_months"].dropna()
    uc = _group(ev, "UC")
    uc_remission = int(outcome[uc.index].eq("remission").sum())
    uc_follow = uc["follow_up_months"].dropna()
    computed = {
        "percent_uc": 100 * uc_remission / len(uc) if len(uc) else float("nan"),
        "months_uc": float(uc_follow.mean()) if len(uc_follow) else float("nan"),
        "percent_all": 100 * remission / len(ev.cohort),
        "months_all_table5": float(follow.mean()),
    }
    uc_fit = _mismatches(rep, {"percent": computed["percent_uc"], "months": computed["months_uc"]})
    all_fit = _mismatches(rep, {"percent": computed["percent_all"], "months": computed["months_all_table5"]})
    readings = [
        (
            "(a) the UC patients",
            "discrepancy" if uc_fit else "reproduced",
            f"{uc_remission}/{len(uc)} in remission (Table 4) at a mean follow-up of {_fmt(computed['months_uc'])} months (Table 5)",
        )
        if len(uc)
        else ("(a) the UC patients", "not_computable", "this cohort has no UC patients"),
        (
            "(b) all patients",
            "discrepancy" if all_fit else "reproduced",
            f"{remission}/{len(ev.cohort)} in remission"
            + (
                f" ({unknown} outcome unknown, so at most {_fmt(100 * (remission + unknown) / len(ev.cohort))}%)"
                if unknown
                else ""
            )
            + ", "
            f"at a mean follow-up of {_fmt(computed['months_all_table5'])} months over Table 5's {len(follow)}",
        ),
    ]
    statuses = {r[1] for r in readings}
    return _reading(
        statuses.pop() if len(statuses) == 1 else "ambiguous",
        computed,
        readings,
        inferred=_remission_inferred(ev, outcome),
    )


def _remission_inferred(ev: Evidence, outcome: pd.Series) -> tuple:
    inferred = ev.cohort.index[ev.cohort["outcome_end_of_follow_up_basis"].eq("inferred") & outcome.eq("remission")]
    return tuple((patient_key(pid), "end_of_follow_up_outcome") for pid in inferred)


#: "Almost half": at least this share and below one half (a reading; the words give no bound).
ALMOST_HALF_FROM = 40.0


@check("almost_half_remission")
def _almost_half_remission(ev: Evidence, rep: dict) -> Verdict:
    """'Almost half the patients were in remission at the end of follow-up', read as 40% to under 50%."""
    outcome = outcomes.end_of_follow_up_outcome(ev.cohort)
    remission = int(outcome.eq("remission").sum())
    from_text = _remission_inferred(ev, outcome)
    n = len(ev.cohort)
    share = 100 * remission / n
    fits = ALMOST_HALF_FROM <= share < rep["percent"]
    table4_only = remission - len(from_text)
    computed = {"remission": remission, "total": n, "percent": share}
    problems = (
        []
        if fits
        else [f"{remission}/{n} = {_fmt(share)}% is not almost half (read as {_fmt(ALMOST_HALF_FROM)}% to under 50%)"]
    )
    notes = [
        f"readings: all {n} patients {remission}/{n} = {_fmt(share)}%; the CD and UC patients {remission}/{n - len(_group(ev, 'pouchitis'))}",
        f"Table 4 alone gives {table4_only}/{n} = {_fmt(100 * table4_only / n)}%" if from_text else "",
    ]
    return _judge(computed, problems, notes=notes, inferred=from_text)
