"""Checks of the short-term (week-4) response: Results, Abstract and the Discussion's restatements."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ... import outcomes, scores, statistics
from ..agreement import agreement
from .base import (
    CheckFunction,
    Evidence,
    Verdict,
    _count_verdict,
    _fmt,
    _group,
    _ids,
    _judge,
    _none_in_cohort,
    _patients,
    _reading,
    check,
    compare,
    patient_key,
)

# --- checks: week-4 response -----------------------------------------------------------------


def _table3(ev: Evidence, ids, column: str) -> str:
    """What Table 3 holds of ``column`` for the patients ``ids``, in the words a note uses:
    "lost" where every row's ``missing_reason`` says so (the paper's transcription: its rows were
    lost in the text extraction), "not recorded" where the values are missing for another reason,
    and "recorded, but not read by this check" where another cohort gives them."""
    table3 = ev.tables.get("table3_week4")
    rows = table3[table3["patient_id"].isin(ids)] if table3 is not None else pd.DataFrame()
    if column in rows and rows[column].notna().any():
        return "recorded, but not read by this check"
    reasons = rows.get("missing_reason", pd.Series(dtype=object)).fillna("")
    if len(rows) and reasons.str.contains("lost", case=False).all():
        return "lost"
    return "not recorded"


def _table3_column(ev: Evidence, part: pd.DataFrame, column: str) -> pd.Series:
    """The ``column`` of Table 3 for the patients of ``part`` where it is recorded, by patient."""
    table3 = ev.tables["table3_week4"]
    rows = table3[table3["patient_id"].isin(part.index)]
    return rows.set_index("patient_id")[column].dropna().astype(float)


def _table3_needed(ev: Evidence, part: pd.DataFrame, column: str, needs: str, *, where_lost: str) -> Verdict:
    """Not computable: the claim needs ``needs`` of Table 3, which does not give ``column`` for
    ``part``. ``where_lost`` is the note where Table 3's rows were lost (the paper's transcription)."""
    state = _table3(ev, part.index, column)
    return _judge({}, unknown=[where_lost if state == "lost" else f"needs {needs} from Table 3 ({state})"])


def _scored(ev: Evidence, group: str, measure: str = "disease_activity") -> pd.DataFrame:
    """The ``group``'s patients whose ``measure`` Table 3 gives at weeks 0 and 4 (``outcomes.table3_changes``)."""
    changes = outcomes.table3_changes(ev, measure=measure)
    return changes[changes["group"] == group]


def _basis_note(part: pd.DataFrame, column: str) -> str:
    basis = part[column].fillna("missing").value_counts().sort_index()
    return "from the text (Table 3 is lost): " + ", ".join(f"{n} {b}" for b, n in basis.items())


def _week4_from_text(part: pd.DataFrame) -> tuple:
    """The week-4 responses of ``part`` that come from the text (Table 3 is lost): (patient, fact) pairs."""
    from_text = part.index[part["week4_response_basis"].isin(["stated", "inferred"])]
    return tuple((patient_key(pid), "week4_response") for pid in from_text)


def _remission_from_text(part: pd.DataFrame, outcome: pd.Series) -> tuple:
    inferred = part.index[part["outcome_end_of_follow_up_basis"].eq("inferred") & outcome.eq("remission")]
    return tuple((patient_key(pid), "end_of_follow_up_outcome") for pid in inferred)


def _group_rate_check(group: str, kind: str) -> CheckFunction:
    """Responders at week 4 (``kind="week4"``) or remissions at the end of follow-up (``"remission"``).

    Week-4 responses come from the text (Table 3 is lost) and are passed on as such, so a claim
    whose sentence they were taken from is circular (claims.audit).
    """

    def run(ev: Evidence, rep: dict) -> Verdict:
        part = _group(ev, group)
        if kind == "week4":
            ids = part.index[part["week4_response"].fillna(False).astype(bool)]
            notes = [_basis_note(part, "week4_response_basis")]
            from_text = _week4_from_text(part)
        else:
            outcome = outcomes.end_of_follow_up_outcome(ev.cohort)[part.index]
            ids = outcome.index[outcome.eq("remission")]
            from_text = _remission_from_text(part, outcome)
            inferred = [pid for pid, _ in from_text]
            notes = [f"Table 4{' plus the text' if len(inferred) else ''}"]
            unknown = outcome.index[outcome.isna()]
            if len(unknown):  # another cohort may not record every outcome: counted as not in remission
                notes.append(f"no outcome recorded for {_patients(unknown)}: counted as not in remission")
            if len(inferred):
                notes.append(
                    f"{_patients(inferred)} not in Table 4: remission inferred from the Results text; Table 4 alone gives {len(ids) - len(inferred)}"
                )
        return _count_verdict(rep, ids, len(part), notes=notes, inferred=from_text, group=group)

    return run


for _name, _group_name, _kind in [
    ("cd_week4_response", "CD", "week4"),
    ("uc_week4_response", "UC", "week4"),
    ("cd_remission_end", "CD", "remission"),
    ("uc_remission_end", "UC", "remission"),
]:
    check(_name)(_group_rate_check(_group_name, _kind))


def _on_treatment_at_week4(ev: Evidence) -> pd.Series:
    """Patients still on tacrolimus at the week-4 assessment (outcomes.denominator_mask, per protocol)."""
    return outcomes.denominator_mask(ev.cohort, ev.facts, "per_protocol")


@check("cdai_week4_all")
def _cdai_week4_all(ev: Evidence, rep: dict) -> Verdict:
    """'A decrease in the estimated CDAI for all patients' at week 4: which patients, and is it checkable?

    Readings of "all patients": (a) every CD patient, the ones who stopped tacrolimus before
    week 4 included: the Discussion says those did not share the reduction ('except for two
    patients who had to discontinue treatment'), so the paper's two sentences disagree (wording);
    (b) the patients assessed on tacrolimus at week 4: the per-patient CDAI of Table 3 is lost,
    so not computable. The readings give different verdicts: ambiguous.
    """
    cd = _group(ev, "CD")
    if cd.empty:
        return _none_in_cohort("CD patients")
    scored = _scored(ev, "CD")
    if not scored.empty:  # another cohort's Table 3 gives the CDAI: count the falls
        fell = int((scored["change"] < 0).sum())
        unscored = cd.index.difference(pd.Index(scored["patient_id"]))
        notes = [f"from Table 3's CDAI: it fell in {fell} of the {len(scored)} CD patients scored at weeks 0 and 4"]
        if len(unscored):
            notes.append(
                f"no CDAI at both weeks for {_patients(unscored)}: of all {len(cd)} CD patients, {fell} had a recorded fall"
            )
        return compare(rep, {"decreased": fell, "total": len(scored)}, notes=notes)
    on = _on_treatment_at_week4(ev)[cd.index]
    stop_day = outcomes.side_effect_stop_day(ev.facts)
    off = on.index[~on]
    cdai_state = _table3(ev, cd.index, "disease_activity_week4")
    computed = {"on_treatment_at_week4": int(on.sum()), "total": len(cd)}
    stops = ", ".join(f"Patient {pid} after {_fmt(float(stop_day[pid]))} days" for pid in off)
    reading_a_status = "discrepancy" if len(off) else "not_computable"
    reading_a = (
        f"includes {stops}, who stopped for side effects before week 4 and whom the Discussion excepts from the CD patients "
        "with a reduction ('except for two patients'): the two sentences disagree, with no number of the tables involved"
        if len(off)
        else f"needs Table 3's CDAI ({cdai_state})"
    )
    status = "ambiguous" if reading_a_status != "not_computable" else "not_computable"
    return _reading(
        status,
        computed,
        [
            (f"(a) all {len(cd)} CD patients", reading_a_status, reading_a),
            (
                f"(b) the {int(on.sum())} assessed on tacrolimus at week 4",
                "not_computable",
                f"needs Table 3's CDAI ({cdai_state}); consistent with the Discussion",
            ),
        ],
        notes=["the reported P value fits either n (see cdai-reduction), so it does not tell the readings apart"],
    )


@check("cd_week4_benefit")
def _cd_week4_benefit(ev: Evidence, rep: dict) -> Verdict:
    """Discussion: all CD patients benefited at week 4 except those who stopped for side effects."""
    cd = _group(ev, "CD")
    if cd.empty:
        return _none_in_cohort("CD patients")
    on = _on_treatment_at_week4(ev)[cd.index]
    stopped = f"stopped before week 4: patients {_ids(on.index[~on])} (Table 4 and the Results' stop days)"
    scored = _scored(ev, "CD")
    if not scored.empty:  # another cohort's Table 3 gives the CDAI: a benefit is a fall in it, as the sentence says
        fell = int((scored["change"] < 0).sum())
        return compare(
            rep,
            {"benefited": fell, "discontinued": int((~on).sum())},
            notes=[
                stopped,
                f"benefit read as a fall in Table 3's CDAI: {fell} of the {len(scored)} CD patients scored at weeks 0 and 4",
            ],
        )
    responders = cd.index[cd["week4_response"].fillna(False).astype(bool)]
    computed = {"benefited": len(responders), "discontinued": int((~on).sum())}
    cdai_state = _table3(ev, cd.index, "disease_activity_week4")
    basis = (
        "per-patient benefit inferred from this sentence, Table 3 being lost"
        if cdai_state == "lost"
        else f"per-patient benefit from the cohort's week-4 responses (Table 3's CDAI: {cdai_state})"
    )
    return compare(
        rep,
        computed,
        notes=[f"{stopped}; {basis}"],
        inferred=_week4_from_text(cd),
    )


@check("cdai_reduction")
def _cdai_reduction(ev: Evidence, rep: dict) -> Verdict:
    """Median and range need Table 3; the P value depends on n alone once every reduction is positive."""
    cd = _group(ev, "CD")
    if cd.empty:
        return _none_in_cohort("CD patients")
    scored = _scored(ev, "CD")
    if not scored.empty:  # another cohort's Table 3 gives the CDAI: the reduction itself, as notebook 03 computes it
        test = statistics.wilcoxon_change(scored["week0"], scored["week4"])
        reduction = -scored["change"]
        computed = {
            "median": float(reduction.median()),
            "min": float(reduction.min()),
            "max": float(reduction.max()),
            "p": test["p_value"],
        }
        notes = [f"from Table 3's CDAI of {len(scored)} CD patients; Wilcoxon signed-rank, {test['method']}"]
        if test["method"] == "exact null distribution":  # few pairs bound P from below, however large the fall
            notes.append(
                f"with {test['n']} pairs an exact two-sided test cannot give less than "
                f"{_fmt(statistics.smallest_exact_signed_rank_p(test['n']))}"
            )
        return compare(rep, computed, notes=notes)
    n_on = int(_on_treatment_at_week4(ev)[cd.index].sum())
    n_all = len(cd)
    tests = statistics.all_positive_paired_tests([n_on, n_all], alternatives=("two-sided",))
    results = [agreement(p, rep["p"], decimals=rep.decimals["p"]) for p in tests["p_value"]]
    tests["agrees"] = [r.agrees for r in results]
    tests["convention"] = [r.convention for r in results]
    listing = "; ".join(
        f"n={n}: " + ", ".join(f"{r.test} {r.method} {_fmt(r.p_value)}" for r in part.itertuples())
        for n, part in tests.groupby("n", sort=True)
    )
    matching = tests[tests["agrees"]]
    fit = "; ".join(f"{r.test} ({r.method}) with n={r.n}, {r.convention}" for r in matching.itertuples()) or "none"
    computed = {
        f"p_exact_n{n_on}": float(
            tests.loc[(tests["n"] == n_on) & (tests["method"] == "exact null distribution"), "p_value"].iloc[0]
        ),
        f"p_exact_n{n_all}": float(
            tests.loc[(tests["n"] == n_all) & (tests["method"] == "exact null distribution"), "p_value"].iloc[0]
        ),
    }
    return _judge(
        computed,
        unknown=[
            f"median and range of the reductions need the per-patient CDAI of Table 3 ({_table3(ev, cd.index, 'disease_activity_week4')})",
            f"P: the range starts above 0, so every reduction was positive and the two-sided P depends on n alone: {listing}. "
            f"The reported P is given by: {fit}; the paper does not name its test",
        ],
    )


def _cdai_summary_check(column: str, week: str) -> CheckFunction:
    """The median and range of the CD patients' estimated CDAI at ``week`` (Results: 'The initial
    median CDAI was ...', 'this decreased to a median of ...'), over the CD patients Table 3 scores."""

    def run(ev: Evidence, rep: dict) -> Verdict:
        cd = _group(ev, "CD")
        if cd.empty:
            return _none_in_cohort("CD patients")
        cdai = _table3_column(ev, cd, column)
        if cdai.empty:
            return _table3_needed(
                ev,
                cd,
                column,
                f"each CD patient's estimated CDAI {week}",
                where_lost=f"Needs each CD patient's estimated CDAI {week}, which was in Table 3, whose rows are lost; "
                "no other table or sentence gives them.",
            )
        unscored = cd.index.difference(cdai.index)
        notes = [f"from Table 3's CDAI of {len(cdai)} of the {len(cd)} CD patients"]
        if len(unscored):
            notes.append(f"no CDAI {week} for {_patients(unscored)}")
            if column == "disease_activity_week4":  # the week-0 figure covers more patients: these ones' own start
                start = _table3_column(ev, cd.loc[cdai.index], "disease_activity_week0")
                if len(start):
                    notes.append(
                        f"the same {len(start)} patients' CDAI before treatment: median {_fmt(float(start.median()))} "
                        f"(range {_fmt(float(start.min()))}-{_fmt(float(start.max()))})"
                    )
        computed = {"median": float(cdai.median()), "min": float(cdai.min()), "max": float(cdai.max())}
        return compare(rep, computed, notes=notes)

    return run


check("cdai_week0_summary")(_cdai_summary_check("disease_activity_week0", "before treatment"))
check("cdai_week4_summary")(_cdai_summary_check("disease_activity_week4", "at week 4"))


def _cd_stool_falls(ev: Evidence, *, where_lost: str) -> Verdict | tuple[dict, str]:
    """The summaries of the CD patients' fall in stools per day from week 0 to week 4
    (``outcomes.fall_summary``) and whom they cover; or, where Table 3 gives none, why not
    (``where_lost`` on the paper)."""
    cd = _group(ev, "CD")
    if cd.empty:
        return _none_in_cohort("CD patients")
    stools = _scored(ev, "CD", measure="stool_frequency")
    if stools.empty:
        needs = "the CD patients' stool frequencies at weeks 0 and 4"
        return _table3_needed(ev, cd, "stool_frequency_week4_per_day", needs, where_lost=where_lost)
    return outcomes.fall_summary(stools), f"{len(stools)} of the {len(cd)} CD patients"


@check("cd_stool_frequency")
def _cd_stool_frequency(ev: Evidence, rep: dict) -> Verdict:
    """Results: the mean fall in the CD patients' stool frequency, and the medians at weeks 0 and 4,
    over the CD patients Table 3 gives at both weeks."""
    found = _cd_stool_falls(
        ev,
        where_lost="Needs the CD patients' stool frequencies at week 0 and week 4, which were in Table 3, whose rows are lost.",
    )
    if isinstance(found, Verdict):
        return found
    summary, covered = found
    computed = {"mean_reduction": summary["mean_fall"], **{k: summary[k] for k in ("median_week0", "median_week4")}}
    return compare(rep, computed, notes=[f"from Table 3's stool frequencies of {covered}"])


@check("abstract_stool_reduction")
def _abstract_stool_reduction(ev: Evidence, rep: dict) -> Verdict:
    """Abstract: a fall in stool frequency of three per day at week 4. It names neither the group
    nor the summary; the Results give it as the CD patients' mean (claim cd-stool-frequency), the
    reading compared here, with the median beside it."""
    found = _cd_stool_falls(
        ev,
        where_lost="Needs the week-0 and week-4 stool frequencies of Table 3, whose rows are lost; the abstract does not "
        "say whether three is a mean or a median (the Results give it as a mean: cd-stool-frequency).",
    )
    if isinstance(found, Verdict):
        return found
    summary, covered = found
    return compare(
        rep,
        {"mean": summary["mean_fall"], "median": summary["median_fall"]},
        notes=[
            f"the paper's three per day beside both summaries of the CD patients' fall, over {covered} in Table 3: "
            "the Results give it as a mean (cd-stool-frequency); the abstract's 'a median reduction of the estimated "
            "CDAI ... and stool frequency' may carry 'median' over to it"
        ],
    )


@check("cd_stool_counts")
def _cd_stool_counts(ev: Evidence, rep: dict) -> Verdict:
    cd = _group(ev, "CD")
    if cd.empty:
        return _none_in_cohort("CD patients")
    stools = _scored(ev, "CD", measure="stool_frequency")
    if not stools.empty:  # another cohort's Table 3 gives the stool frequencies: count them
        summary = outcomes.fall_summary(stools)
        computed = {k: summary[k] for k in ("improved", "unchanged")}
        notes = [
            f"from Table 3's stool frequencies of {len(stools)} of the {len(cd)} CD patients; {summary['worse']} worse"
        ]
        unscored = cd.index.difference(pd.Index(stools["patient_id"]))
        if len(unscored):  # the paper's improved + unchanged covers its stoppers too (see its audit note)
            notes.append(
                f"not counted: {_patients(unscored)}, without a stool frequency at both weeks, where the paper's "
                f"improved + unchanged ({_fmt(rep['improved'] + rep['unchanged'])}) counts its patients who stopped "
                "before week 4 too"
            )
        return compare(rep, computed, notes=notes)
    on = _on_treatment_at_week4(ev)[cd.index]
    total = rep["improved"] + rep["unchanged"]
    stool_state = _table3(ev, cd.index, "stool_frequency_week4_per_day")
    problems = [] if total <= len(cd) else [f"improved + unchanged = {_fmt(total)} exceeds the {len(cd)} CD patients"]
    return _judge(
        {"cd_patients": len(cd), "on_treatment_at_week4": int(on.sum())},
        problems,
        unknown=[
            f"the per-patient stool frequencies were in Table 3 (lost); improved + unchanged = {_fmt(total)} covers all {len(cd)} CD patients, "
            f"including patients {_ids(on.index[~on])}, who stopped tacrolimus before week 4"
            if stool_state == "lost" and total == len(cd)
            else f"the per-patient stool frequencies of Table 3: {stool_state}"
        ],
    )


@check("pouch_mpdai")
def _pouch_mpdai(ev: Evidence, rep: dict) -> Verdict:
    low, high = scores.MPDAI_RANGE
    on_scale = all(low <= rep[k] <= high for k in ("week0", "week4"))
    problems = [] if on_scale else [f"a value lies off the mPDAI scale {low}-{high}"]
    category = scores.mpdai_category(int(rep["week4"]))
    return _judge(
        {"week4_category_by_the_papers_definition": category},
        problems,
        unknown=[
            "the only source is this sentence (Table 3, which would hold the scores, is lost)",
            f"both values lie on the {low}-{high} scale; the week-4 value is below the paper's remission cut-off "
            f"(mPDAI < {scores.MPDAI_POUCHITIS_FROM}), i.e. {category} by its own definition, where the text says 'responded well'",
        ],
    )


@check("uc_week4_split")
def _uc_week4_split(ev: Evidence, rep: dict) -> Verdict:
    """Three UC patients in remission and one responding at week 4: Table 3 would show which."""
    uc = _group(ev, "UC")
    if uc.empty:
        return _none_in_cohort("UC patients")
    inferred = [pid for pid, _ in _week4_from_text(uc) if uc.loc[pid, "week4_response_basis"] == "inferred"]
    needs = f"which UC patients were in remission and which responded at week 4 needs Table 3's Truelove-Witts scores ({_table3(ev, uc.index, 'disease_activity_week4')})"
    return _judge(
        {"uc_patients": len(uc)},
        unknown=[
            f"{needs}; the week-4 responses of {_patients(inferred)} were inferred from this sentence, so they cannot check it"
            if inferred
            else needs
        ],
    )


@check("uc_two_thirds")
def _uc_two_thirds(ev: Evidence, rep: dict) -> Verdict:
    uc = _group(ev, "UC")
    if uc.empty:
        return _none_in_cohort("UC patients")
    scored = _scored(ev, "UC")
    if scored.empty:  # the paper's transcription: each patient's week-4 response, from the text
        declined = int(uc["week4_response"].fillna(False).astype(bool).sum())
        notes, inferred = [_basis_note(uc, "week4_response_basis")], _week4_from_text(uc)
    else:  # another cohort's Table 3 gives the Truelove-Witts scores: a decline is a fall in them
        declined = int((scored["change"] < 0).sum())
        unscored = uc.index.difference(pd.Index(scored["patient_id"]))
        notes = [
            f"from Table 3's Truelove-Witts scores of {len(scored)} of the {len(uc)} UC patients: a fall in the score, "
            "not necessarily a change of grade"
        ]
        if len(unscored):
            notes.append(f"no score at both weeks for {_patients(unscored)}: counted as no decline")
        inferred = ()
    fraction = Fraction(declined, len(uc))
    reported_fraction = Fraction(int(rep["numerator"]), int(rep["denominator"]))
    computed = {"declined": declined, "total": len(uc)}
    problems = [] if fraction == reported_fraction else [f"{declined}/{len(uc)} is not {reported_fraction}"]
    return _judge(computed, problems, notes=notes, inferred=inferred)


@check("pouch_response_from_mpdai")
def _pouch_response_from_mpdai(ev: Evidence, rep: dict) -> Verdict:
    """The pouchitis patient's week-4 response, decided by the mPDAI the Results give (8 to 4).

    A fall in the mPDAI is a response; below the paper's cut-off (mPDAI < 5) it is remission by
    the paper's own definition. The scores come from their own sentence (claim pouch-mpdai), not
    from the sentence that says the patient responded, so they are independent of it; Table 3,
    which would hold them, is lost.
    """
    part = _group(ev, "pouchitis")
    week0 = outcomes.fact_values(ev.facts, "mpdai_week0", numeric=True)
    week4 = outcomes.fact_values(ev.facts, "mpdai_week4", numeric=True)
    responders, notes, used = [], [], []
    source = "Results; Table 3 lost" if _table3(ev, part.index, "disease_activity_week4") == "lost" else "patient facts"
    for pid in part.index:
        if pid in week0.index and pid in week4.index:
            used += [(patient_key(pid), "mpdai_week0"), (patient_key(pid), "mpdai_week4")]
            category = scores.mpdai_category(int(week4[pid]))
            notes.append(
                f"Patient {pid}: mPDAI {_fmt(float(week0[pid]))} to {_fmt(float(week4[pid]))} ({source}), {category} by the paper's definition"
            )
            if week4[pid] < week0[pid]:
                responders.append(pid)
        else:
            notes.append(f"Patient {pid}: no mPDAI published")
    return _count_verdict(rep, responders, len(part), notes=notes, inferred=tuple(used), group="pouchitis")
