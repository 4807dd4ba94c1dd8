"""Checks of the cohort: Table 1, Table 2, the Results' account of the patients and their treatment."""

from __future__ import annotations

import pandas as pd

from ... import outcomes
from ..agreement import CONVENTIONS, days_to_months, printed_as, printing_interval
from .base import (
    CheckFunction,
    Evidence,
    Verdict,
    _conventions,
    _count_claim,
    _count_verdict,
    _fmt,
    _group,
    _ids,
    _judge,
    _mismatches,
    _patients,
    check,
    compare,
    patient_key,
)

# --- checks: cohort (Table 1, Table 2 and the Results text) --------------------------------


@check("group_sizes")
def _group_sizes(ev: Evidence, rep: dict) -> Verdict:
    return compare(rep, ev.cohort["diagnosis"].value_counts().to_dict())


@check("sex_counts")
def _sex_counts(ev: Evidence, rep: dict) -> Verdict:
    """Men and women in Table 1; on a mismatch, the diagnosis groups are tried as the sentence's scope."""
    counts = ev.cohort["sex"].value_counts()
    verdict = compare(rep, {"male": int(counts.get("M", 0)), "female": int(counts.get("F", 0))})
    if verdict.status != "discrepancy":
        return verdict
    men = ev.cohort.index[ev.cohort["sex"].eq("M")]
    by_group = ev.cohort.groupby("diagnosis")["sex"].agg(
        lambda s: f"male {int(s.eq('M').sum())}, female {int(s.eq('F').sum())}"
    )
    stated = _fmt(rep["male"] + rep["female"])
    tried = (
        f"Table 1 gives men as {_patients(men)}; readings tried: all {len(ev.cohort)} patients (the sentence's scope: its "
        f"counts add up to {stated}); by diagnosis: " + "; ".join(f"{g} {t}" for g, t in by_group.items())
    )
    return Verdict(verdict.computed, verdict.status, f"{verdict.note}; {tried}")


@check("age_summary")
def _age_summary(ev: Evidence, rep: dict) -> Verdict:
    age = ev.cohort["age"]
    return compare(rep, {"mean": float(age.mean()), "min": int(age.min()), "max": int(age.max())})


@check("duration_summary")
def _duration_summary(ev: Evidence, rep: dict) -> Verdict:
    years = ev.cohort["disease_duration_years"]
    return compare(rep, {"mean": float(years.mean()), "min": years.min(), "max": years.max()})


@check("uc_extent")
def _uc_extent(ev: Evidence, rep: dict) -> Verdict:
    uc = ev.cohort[ev.cohort["diagnosis"] == "UC"]
    return compare(rep, {"uc": len(uc), **uc["disease_site"].value_counts().to_dict()})


@check("cd_fistula_count")
def _cd_fistula(ev: Evidence, rep: dict) -> Verdict:
    cd = ev.cohort[ev.cohort["diagnosis"] == "CD"]
    return compare(rep, {"cd": len(cd), "fistula": int(cd["perianal_fistula"].sum())})


@check("cd_fistula_perianal")
def _cd_fistula_perianal(ev: Evidence, rep: dict) -> Verdict:
    """'(seven perianal)': Table 1's column "Perianal disease" reads Fistula for the CD patients with one.

    The Results also name an enterocutaneous or ileocolic fistula for some of them; another
    fistula does not exclude a perianal one, so Table 1's column decides.
    """
    cd = _group(ev, "CD")
    with_fistula = set(cd.index[cd["perianal_fistula"].astype(bool)])
    facts = ev.facts[ev.facts["fact"].isin(["surgery", "fistula_type"])]
    named = facts[
        facts["value"].str.contains("fistula", case=False) & ~facts["value"].str.contains("perianal", case=False)
    ]
    other = {
        patient_key(r.patient_id): r.value for r in named.itertuples() if patient_key(r.patient_id) in with_fistula
    }
    notes = [f"Table 1's 'Perianal disease' column reads Fistula for CD patients {_ids(with_fistula)}"]
    if other:
        named_text = "; ".join(f"Patient {pid}: '{text}'" for pid, text in sorted(other.items()))
        notes.append(
            f"the Results also name another fistula for {_patients(other)} ({named_text}), which does not exclude a perianal one"
        )
    return compare(rep, {"perianal": len(with_fistula)}, notes=notes)


@check("previous_immunomodulator_all")
def _previous_immunomodulator_all(ev: Evidence, rep: dict) -> Verdict:
    """Every patient had 'failed ... immunomodulators including azathioprine, 6-MP, or methotrexate'?"""
    drugs = ["azathioprine", "mercaptopurine_6mp", "methotrexate"]
    ids = outcomes.patients_with(ev.tables["table2_treatments"], timing="previous", drugs=drugs)
    missing = sorted(set(ev.cohort.index) - ids)
    notes = []
    treatments = ev.tables["table2_treatments"]
    if missing:  # every missing patient's previous treatments and first reading note, in one pass
        numbered = treatments.assign(_pid=treatments["patient_id"].map(patient_key))
        rows = numbered[numbered["_pid"].isin(missing)]
        previous = rows[rows["timing"] == "previous"].groupby("_pid", sort=False)["as_printed"].agg(", ".join)
        reading = rows.dropna(subset=["reading_note"]).groupby("_pid", sort=False)["reading_note"].first()
    for pid in missing:
        notes.append(
            f"Patient {pid}'s previous treatment: {previous.get(pid, '')}"
            + (f" ({reading[pid]})" if pid in reading.index else "")
        )
    if missing:
        aza_previous = outcomes.patients_with(treatments, timing="previous", drugs=["azathioprine"])
        aza_any = aza_previous | outcomes.patients_with(treatments, timing="concurrent", drugs=["azathioprine"])
        with_concurrent = ids | outcomes.patients_with(treatments, timing="concurrent", drugs=drugs)
        n = len(ev.cohort)
        notes.append(
            f"readings tried: 'failed' as a drug listed under previous treatment, as the paper counts failed azathioprine "
            f"(tx-prev-aza, reproduced by Table 2's {len(aza_previous)}/{n}); counting an immunomodulator taken concurrently without "
            f"response as failed gives {len(with_concurrent)}/{n} here, but {len(aza_any)}/{n} for azathioprine, which tx-prev-aza's count does not allow"
        )
    return _count_verdict(rep, ids, len(ev.cohort), notes=notes)


def _treatment_check(timing: str, drugs: list[str]) -> CheckFunction:
    """Patients with ``drugs`` under ``timing`` in Table 2; on a mismatch, the diagnosis groups are tried."""

    def run(ev: Evidence, rep: dict) -> Verdict:
        ids = outcomes.patients_with(ev.tables["table2_treatments"], timing=timing, drugs=drugs)
        verdict = _count_claim(ev, rep, ids)
        if verdict.status != "discrepancy" or "count" not in rep:
            return verdict
        groups = ev.cohort["diagnosis"]
        unknown = [pid for pid in ids if pid not in groups.index]
        if unknown:
            raise KeyError(unknown[0])
        listed = groups[groups.index.isin(list(ids))]
        tried = []
        for group in sorted(groups.unique()):
            in_group = sorted(listed.index[listed == group])
            fits = len(in_group) == rep["count"]
            tried.append(
                f"{group} {len(in_group)}" + (f" (patients {_ids(in_group)}: the reported count)" if fits else "")
            )
        readings = (
            f"Table 2 lists it for {_patients(ids)}; readings tried: all {len(ev.cohort)} patients (the sentence's denominator) {len(ids)}; "
            f"by diagnosis: {', '.join(tried)}"
        )
        return Verdict(verdict.computed, verdict.status, f"{verdict.note}; {readings}")

    return run


for _name, _timing, _drugs in [
    ("previous_azathioprine", "previous", ["azathioprine"]),
    ("previous_mercaptopurine", "previous", ["mercaptopurine_6mp"]),
    ("previous_infliximab", "previous", ["infliximab"]),
    ("previous_adalimumab", "previous", ["adalimumab"]),
    ("previous_adacolumn", "previous", ["adacolumn_apheresis"]),
    ("previous_methotrexate", "previous", ["methotrexate"]),
    ("concurrent_thiopurine", "concurrent", ["azathioprine", "mercaptopurine_6mp"]),
    ("concurrent_thalidomide", "concurrent", ["thalidomide"]),
]:
    check(_name)(_treatment_check(_timing, _drugs))


@check("previous_iv_ciclosporin")
def _previous_iv_ciclosporin(ev: Evidence, rep: dict) -> Verdict:
    ids = set(ev.cohort.index[ev.cohort["previous_iv_ciclosporin"].astype(bool)])
    groups = ", ".join(sorted(set(ev.cohort.loc[sorted(ids), "diagnosis"])))
    return _count_verdict(
        rep,
        ids,
        len(ev.cohort),
        notes=[f"all {groups}; the Results' list of failed treatments does not mention ciclosporin"],
    )


@check("previous_operations")
def _previous_operations(ev: Evidence, rep: dict) -> Verdict:
    ids = set(ev.cohort.index[ev.cohort["previous_operations"].ne("none_recorded")])
    return _count_verdict(rep, ids, len(ev.cohort))


@check("concurrent_prednisolone")
def _concurrent_prednisolone(ev: Evidence, rep: dict) -> Verdict:
    ids = set(ev.cohort.index[ev.cohort["concurrent_prednisolone"]])
    return _count_claim(ev, rep, ids)


# --- checks: treatment duration -------------------------------------------------------------


@check("treatment_median")
def _treatment_median(ev: Evidence, rep: dict) -> Verdict:
    months = outcomes.treatment_duration(ev.cohort)
    known = months["months"].dropna()
    sources = months.loc[known.index, "duration_source"].value_counts().to_dict()
    unknown = sorted(set(months.index) - set(known.index))
    return compare(
        rep,
        {"median": float(known.median()), "n": len(known)},
        notes=[
            f"{len(known)} patients with a duration ({', '.join(f'{n} from {s}' for s, n in sorted(sources.items()))}); not published for {_patients(unknown)}"
        ],
    )


def _shortest_course_readings(ev: Evidence, months: pd.Series, rep: dict) -> str:
    """Why the shortest course lies below the reported range, and the readings tried: the printed
    precision (both conventions), the stop day the text gives for those patients, leaving them out."""
    shortest = months[months == months.min()].index
    without = months.drop(shortest)
    decimals = rep.decimals["min"]
    precision = {0: "no decimals", 1: "one decimal", 2: "two decimals"}.get(decimals, f"{decimals} decimals")

    def printed(value: float) -> str:
        return " or ".join(_fmt(float(printed_as(value, decimals=decimals, convention=c))) for c in CONVENTIONS)

    stop_days = sorted(set(outcomes.side_effect_stop_day(ev.facts).reindex(shortest).dropna()))
    in_text, text_readings = "", ""
    if len(stop_days) == 1:  # the paper: one patient, stopped after 5 days
        days = float(stop_days[0])
        in_text = f"; {_fmt(days)} days in the Results"
        text_readings = (
            f"; the text's {_fmt(days)} days ({_fmt(days_to_months(days))} months) as {printed(days_to_months(days))}"
        )
    elif stop_days:
        in_text = f"; {_fmt(float(stop_days[0]))}-{_fmt(float(stop_days[-1]))} days in the Results"
    lowest = float(months.min())
    half_up, truncated = (_fmt(float(printed_as(lowest, decimals=decimals, convention=c))) for c in CONVENTIONS)
    return (
        f"the shortest course ({_patients(shortest)}, {_fmt(lowest)} months in Table 4{in_text}) lies below the reported range; "
        f"readings tried: at the printed {precision}, {_fmt(lowest)} prints as {half_up} (half-up) or {truncated} (truncation){text_readings}; "
        f"leaving {_patients(shortest)} out gives a minimum of {_fmt(float(without.min()))} but a mean of {_fmt(float(without.mean()))}"
    )


@check("treatment_mean_range")
def _treatment_mean_range(ev: Evidence, rep: dict) -> Verdict:
    months = outcomes.treatment_duration(ev.cohort)["months"].dropna()
    table4 = ev.cohort["treatment_months"].dropna().astype(float)
    computed = {"mean": float(months.mean()), "min": float(months.min()), "max": float(months.max()), "n": len(months)}
    problems = _mismatches(rep, computed)
    if problems and "min" in rep and months.min() < printing_interval(rep["min"], rep.decimals["min"])[0]:
        problems.append(_shortest_course_readings(ev, months, rep))
    notes = [
        f"mean over Table 4's {len(table4)} patients alone: {_fmt(float(table4.mean()))}",
        *_conventions(rep, computed),
    ]
    return _judge(computed, problems, notes=notes)
