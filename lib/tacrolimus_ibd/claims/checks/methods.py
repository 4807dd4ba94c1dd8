"""Checks of the Methods: dose, monitoring and the definitions of remission."""

from __future__ import annotations

import numpy as np

from ... import outcomes, scores
from .base import Evidence, Verdict, _fmt, _judge, check, compare

# --- checks: methods -------------------------------------------------------------------------


@check("initial_dose")
def _initial_dose(ev: Evidence, rep: dict) -> Verdict:
    """Abstract (0.05 mg/kg twice daily) against Methods (0.1 mg/kg/day in two divided doses)."""
    computed = {"daily_mg_kg": rep["per_dose_mg_kg"] * rep["doses_per_day"]}
    return compare(rep, computed, notes=["the two statements agree; the doses each patient received are not published"])


@check("monitoring_interval")
def _monitoring_interval(ev: Evidence, rep: dict) -> Verdict:
    """Visits about every 4 weeks, with a trough level at each: what Table 5's ranges suggest."""
    listed = ev.cohort[ev.cohort["in_table5"].astype(bool)]
    single = listed[listed["trough_min_ng_ml"] == listed["trough_max_ng_ml"]]
    expected = single["tacrolimus_duration_months"] * outcomes.DAYS_PER_MONTH / (7 * rep["weeks"])
    detail = ", ".join(
        f"Patient {pid} ({_fmt(m)} months, about {_fmt(float(np.floor(e)))} visits expected)"
        for pid, m, e in zip(single.index, single["tacrolimus_duration_months"], expected, strict=True)
    )
    if single.empty:
        return _judge(
            {"table5_single_valued_ranges": 0},
            unknown=[
                "visit dates are not published; no trough range in Table 5 is a single value: every patient it lists had at least two different levels"
            ],
        )
    return _judge(
        {"table5_single_valued_ranges": len(single)},
        unknown=[
            "visit dates are not published; Table 5 prints the trough range as a single value for "
            f"{detail}: one measurement, or identical ones, over several expected visits"
        ],
    )


@check("cdai_remission_definition")
def _cdai_remission_definition(ev: Evidence, rep: dict) -> Verdict:
    return compare(
        rep, {"threshold": scores.CDAI_CUTOFFS["remission_below"]}, notes=["Best et al. 1976 (scores.CDAI_CUTOFFS)"]
    )


@check("mpdai_definition")
def _mpdai_definition(ev: Evidence, rep: dict) -> Verdict:
    # every item at its least and greatest points, from the index's own table of items
    best = scores.mpdai(**dict.fromkeys(scores.MPDAI_ITEM_MAX, 0))
    worst = scores.mpdai(**scores.MPDAI_ITEM_MAX)
    computed = {"remission_below": scores.MPDAI_POUCHITIS_FROM, "max": worst, "min": best}
    return compare(
        rep, computed, notes=["Shen et al. 2003: scores.mpdai with every item at its least and greatest points"]
    )
