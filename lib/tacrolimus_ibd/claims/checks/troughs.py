"""Checks of the trough levels (Table 5)."""

from __future__ import annotations

from ... import trough
from .base import Evidence, Verdict, _fmt, _fmt_reported, _ids, _judge, _patients, _reading, check

# --- checks: trough levels -------------------------------------------------------------------


#: Words for trough.summarise_troughs' keys.
_TROUGH_READINGS = {
    "mean_of_means": "mean of the patient means",
    "median_of_means": "median of the patient means",
    "duration_weighted_mean": "duration-weighted mean",
    "lowest_single": "lowest single level",
    "highest_single": "highest single level",
    "lowest_mean": "lowest patient mean",
    "highest_mean": "highest patient mean",
}


@check("trough_mean")
def _trough_mean(ev: Evidence, rep: dict) -> Verdict:
    """The reported mean trough (and range), under two readings of which patients it covers.

    (a) the 14 patients Table 5 lists ("Individualized data are shown in Table 5"): every
    summary of Table 5 that could stand for each reported part (trough.reported_vs_computed);
    (b) all 19 patients: not computable (five have no published levels); the note says what
    those five would need to average for the reported mean.
    """
    table = trough.trough_table(ev.cohort)
    if table.empty:
        return _judge({"n": 0}, unknown=["Table 5 gives no patient's trough levels in this cohort"])
    summary = trough.summarise_troughs(table)
    readings = trough.reported_vs_computed(summary, rep)
    problems = []
    for part in [p for p in ("mean", "min", "max") if p in rep]:
        rows = readings[readings["reported_part"] == part]
        fits = [f"{_TROUGH_READINGS[r.reading]} ({r.convention})" for r in rows.itertuples() if r.agrees]
        alternatives = ", ".join(f"{_TROUGH_READINGS[r.reading]} {_fmt(r.computed)}" for r in rows.itertuples())
        if not fits:
            problems.append(f"no summary of Table 5 gives the {part} {_fmt_reported(rep, part)} ({alternatives})")
        elif part != "mean":
            problems.append(f"{part} {_fmt_reported(rep, part)} is Table 5's {', '.join(fits)}")
    mixed = {"min", "max"} <= set(rep) and (
        rep["min"] == summary["lowest_single"]
        and rep["max"] == summary["highest_mean"]
        and summary["highest_single"] > rep["max"]
    )
    if mixed:
        problems.append(
            f"the range pairs Table 5's lowest single level ({_fmt(summary['lowest_single'])}) with its highest patient mean "
            f"({_fmt(summary['highest_mean'])}); single levels reach {_fmt(summary['highest_single'])}"
        )
    mean_fits = readings[(readings["reported_part"] == "mean") & readings["agrees"]]
    status_a = "reproduced" if not len(mean_fits) == 0 and not mixed else "discrepancy"
    n_all, n_listed = len(ev.cohort), int(summary["n"])
    unlisted = sorted(set(ev.cohort.index) - set(table.index))
    if ev.comparison:  # Table 5's summaries beside the paper's figures, without solving for the unlisted
        notes = [f"the {n_listed} patients of Table 5: " + ("; ".join(problems) or "agrees")]
        return _judge(
            {
                "mean_of_table5_means": summary["mean_of_means"],
                "median_of_table5_means": summary["median_of_means"],
                "n": n_listed,
            },
            notes=notes + ([f"no levels for {_patients(unlisted)}"] if unlisted else []),
        )
    need = (rep["mean"] * n_all - summary["mean_of_means"] * n_listed) / (n_all - n_listed) if n_all > n_listed else 0
    reading_b = (
        "the same patients: Table 5 lists every one"  # another cohort may give every patient's levels
        if n_all == n_listed
        else f"not computable: the {n_all - n_listed} patients without published levels ({_ids(sorted(set(ev.cohort.index) - set(table.index)))}) would need "
        + (
            f"patient means averaging about {_fmt(need)} ng/mL for a mean of means of {_fmt_reported(rep, 'mean')}"
            if need >= 0
            else f"a negative mean for a mean of means of {_fmt_reported(rep, 'mean')}: no levels of theirs could give it"
        )
        + (
            f"; a range of patient means from {_fmt_reported(rep, 'min')} would then need one of them at {_fmt_reported(rep, 'min')}"
            if "min" in rep and rep["min"] < summary["lowest_mean"]
            else ""
        )
    )
    status_b = status_a if n_all == n_listed else "not_computable"
    computed = {
        "mean_of_table5_means": summary["mean_of_means"],
        "median_of_table5_means": summary["median_of_means"],
        "n": n_listed,
    }
    verdict = _reading(
        "ambiguous" if status_a != "not_computable" else status_a,
        computed,
        [
            (f"(a) the {n_listed} patients of Table 5", status_a, "; ".join(problems) or "agrees"),
            (f"(b) all {n_all} patients", status_b, reading_b),
        ],
    )
    return verdict


@check("trough_target")
def _trough_target(ev: Evidence, rep: dict) -> Verdict:
    table = trough.trough_table(ev.cohort)
    position = trough.band_position(table["mean_trough_ng_ml"], rep["low"], rep["high"])
    counts = trough.band_counts(position)["all"]
    outside_singles = table[(table["trough_max_ng_ml"] > rep["high"]) | (table["trough_min_ng_ml"] < rep["low"])]
    return _judge(
        {f"means_{p}": int(counts[p]) for p in trough.BAND_POSITIONS},
        unknown=[
            "a target, not a result: the dose adjustments are not published",
            f"of Table 5's {len(table)} patient means, {int(counts['below'])} lie below, {int(counts['in'])} within and {int(counts['above'])} above the target; "
            f"{len(outside_singles)} patients had at least one level outside it",
        ],
    )
