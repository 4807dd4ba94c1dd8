"""Checks of the adverse effects and the renal episode."""

from __future__ import annotations

import pandas as pd

from ... import outcomes
from .base import (
    Evidence,
    Verdict,
    _count_verdict,
    _fmt,
    _fmt_reported,
    _ids,
    _judge,
    _none_in_cohort,
    _patients,
    _reading,
    check,
    compare,
    patient_key,
)

# --- checks: adverse effects -----------------------------------------------------------------

#: The abstract's names for Table 4's adverse effects.
_EFFECT_NAMES = {"creatinine": "renal_impairment"}


@check("adverse_effect_counts")
def _adverse_effect_counts(ev: Evidence, rep: dict) -> Verdict:
    """Patients with each listed adverse effect (Table 4). 'Included' is non-exhaustive wording,
    so an effect Table 4 lists and the sentence leaves out is noted, not counted against it."""
    counts = outcomes.adverse_effect_counts(ev.tables["table4_adverse_effects"], len(ev.cohort)).set_index(
        "adverse_effect"
    )
    keys = {k: _EFFECT_NAMES.get(k, k) for k in rep}
    computed = {k: int(counts["patients"].get(effect, 0)) for k, effect in keys.items()}
    notes = [
        f"Table 4 also lists {effect} ({_patients(counts.loc[effect, 'patient_ids'].split())}); the sentence says 'included', so the list need not be complete"
        for effect in counts.index
        if effect not in keys.values()
    ]
    return compare(rep, computed, notes=notes)


@check("side_effect_discontinuations")
def _side_effect_discontinuations(ev: Evidence, rep: dict) -> Verdict:
    table = outcomes.side_effect_discontinuations(ev.cohort, ev.facts)
    stopped = table[table["stopped_for_side_effects"]]
    effects = ev.cohort.loc[stopped.index, "adverse_effects"]
    computed = {"count": len(stopped)}
    computed.update({k: int(effects.map(lambda e, k=k: k in e).sum()) for k in rep if k != "count"})
    basis = "; ".join(
        f"Patient {pid}: {effects_of} ({basis_of})"
        for pid, effects_of, basis_of in zip(
            stopped.index, stopped["adverse_effects"], stopped["stopped_basis"], strict=True
        )
    )
    return compare(
        rep, computed, notes=[basis, "a stop and an adverse effect together are read as a stop for the adverse effect"]
    )


@check("tolerated")
def _tolerated(ev: Evidence, rep: dict) -> Verdict:
    ok = outcomes.tolerated(ev.cohort)
    stopped = outcomes.stopped_for_side_effects(ev.cohort, ev.facts)
    not_ok = ok.index[~ok]
    notes = [
        f"tolerated = no adverse effect in Table 4; patients {_ids(not_ok)} had one; of these, {_patients(set(not_ok) - set(stopped.index[stopped]))} continued"
    ]
    # The reading the count rests on: a patient Table 4 does not list, with no adverse effect recorded
    # elsewhere, is counted as tolerating the drug (a fresh referee's re-derivation agreed).
    unlisted = ok.index[ok & ~ev.cohort["in_table4"].astype(bool)]
    if len(unlisted):
        notes.append(
            f"{_patients(unlisted)} {'is' if len(unlisted) == 1 else 'are'} not in Table 4 and no adverse effect of theirs is recorded: "
            f"counted as tolerated (as unknown, the count would be {int(ok.sum()) - len(unlisted)} to {int(ok.sum())})"
        )
    return _count_verdict(rep, ok.index[ok], len(ev.cohort), notes=notes)


@check("creatinine_episode")
def _creatinine_episode(ev: Evidence, rep: dict) -> Verdict:
    """The renal episode: its values come from this sentence alone (no table gives creatinine).

    Readings of 'normalized to 60': (a) back within the quoted normal range 70-150; (b) no
    longer raised (at or below the upper limit). The values are passed on as coming from the
    text, so the audit calls the claim circular.
    """
    low, high = rep["normal_low"], rep["normal_high"]
    renal = ev.cohort.index[ev.cohort["adverse_effects"].map(lambda e: "renal_impairment" in e)]
    if renal.empty:
        return _none_in_cohort("patients with renal impairment in Table 4")
    peaks = outcomes.fact_values(ev.facts, "peak_creatinine_umol_l", numeric=True)
    if not renal.isin(peaks.index).any():  # the sentence's values would stand in for this cohort's
        return _judge(
            {"creatinine_values": 0},
            unknown=[f"no creatinine value is recorded for {_patients(renal)} (renal impairment in Table 4)"],
        )
    after = rep["after"]
    readings = [
        (
            f"(a) 'normalized' as within the quoted range {_fmt(low)}-{_fmt(high)}",
            "discrepancy" if not low <= after <= high else "reproduced",
            f"{_fmt_reported(rep, 'after')} lies {'below' if after < low else 'within'} it",
        ),
        (
            f"(b) 'normalized' as no longer raised (at most {_fmt(high)})",
            "reproduced" if after <= high else "discrepancy",
            f"{_fmt_reported(rep, 'after')} is not raised",
        ),
        (
            "the peak",
            "reproduced" if rep["peak"] > high else "discrepancy",
            f"{_fmt_reported(rep, 'peak')} lies above {_fmt(high)}",
        ),
    ]
    from_text = tuple(
        (patient_key(pid), fact)
        for pid in renal
        for fact in ("peak_creatinine_umol_l", "creatinine_after_dose_reduction_umol_l")
    )
    status = "reproduced" if after <= high and rep["peak"] > high else "discrepancy"
    return _reading(
        status,
        {"peak_above_normal": rep["peak"] > high, "after_within_quoted_range": low <= after <= high},
        readings,
        notes=[
            f"creatinine values and the days to normal are not in the tables; Table 4 lists renal impairment for {_patients(renal)}"
        ],
        inferred=from_text,
    )


def _renal_patient_troughs(ev: Evidence) -> pd.DataFrame:
    renal = ev.cohort[ev.cohort["adverse_effects"].map(lambda e: "renal_impairment" in e)]
    return renal[["trough_min_ng_ml", "mean_trough_ng_ml", "trough_max_ng_ml"]]


def _no_renal_troughs(troughs: pd.DataFrame) -> Verdict:
    """Not computable on a cohort whose patients with renal impairment have no levels in Table 5
    (or which has none)."""
    if troughs.empty:
        return _none_in_cohort("patients with renal impairment in Table 4")
    return _judge(
        {"patients": len(troughs)},
        unknown=[f"Table 5 gives no trough range for {_patients(troughs.index)} (renal impairment in Table 4)"],
    )


@check("renal_trough_high")
def _renal_trough_high(ev: Evidence, rep: dict) -> Verdict:
    troughs = _renal_patient_troughs(ev)
    if troughs["trough_max_ng_ml"].isna().all():
        return _no_renal_troughs(troughs)
    computed = {"level": float(troughs["trough_max_ng_ml"].max())}
    if len(troughs) == 1:  # the paper: one patient with renal impairment
        where = f"highest trough in Table 5 of {_patients(troughs.index)} (renal impairment in Table 4)"
    else:  # another cohort may have several: each one's highest, and who has no levels
        listed = troughs["trough_max_ng_ml"].dropna().sort_values(ascending=False)
        where = "highest trough in Table 5 of each patient with renal impairment in Table 4: " + ", ".join(
            f"{_patients([pid])} {_fmt(float(level))}" for pid, level in listed.items()
        )
        unlisted = troughs.index[troughs["trough_max_ng_ml"].isna()]
        if len(unlisted):
            where += f"; no levels for {_patients(unlisted)}"
    return compare(rep, computed, notes=[where])


@check("renal_trough_after")
def _renal_trough_after(ev: Evidence, rep: dict) -> Verdict:
    troughs = _renal_patient_troughs(ev)
    if troughs["trough_min_ng_ml"].isna().all() or troughs["trough_max_ng_ml"].isna().all():
        return _no_renal_troughs(troughs)
    low, high = float(troughs["trough_min_ng_ml"].min()), float(troughs["trough_max_ng_ml"].max())
    inside = low <= rep["level"] <= high
    levels = troughs.index[troughs["trough_min_ng_ml"].notna()]
    without = troughs.index.difference(levels)
    of_whom = _patients(levels) + (f" (no levels for {_patients(without)})" if len(without) else "")
    problems = (
        []
        if inside
        else [f"{_fmt_reported(rep, 'level')} lies outside Table 5's range {_fmt(low)}-{_fmt(high)} for this patient"]
    )
    return _judge(
        {"table5_range_low": low, "table5_range_high": high},
        problems,
        unknown=[
            f"single trough values are not published; {_fmt_reported(rep, 'level')} lies within Table 5's range {_fmt(low)}-{_fmt(high)} for {of_whom}"
        ],
    )
