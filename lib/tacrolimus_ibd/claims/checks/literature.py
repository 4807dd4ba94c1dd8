"""Checks of the paper's account of other studies, against their own figures in data/paper/literature.csv."""

from __future__ import annotations

import re

import pandas as pd

from ..agreement import CONVENTIONS, agreement, attainable_numerators, printed_as, weeks_to_months
from .base import (
    CheckFunction,
    Evidence,
    Verdict,
    _conventions,
    _fmt,
    _fmt_reported,
    _judge,
    _mismatches,
    _reading,
    check,
    compare,
)

# --- checks: other studies (data/paper/literature.csv) ---------------------------------------------

#: Reported key -> literature.csv column.
_LIT_COLUMNS = {"count": "events", "total": "total", "n": "n_randomized_or_treated"}
_TIME_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*(day|week|month)s?")
_TIME_SINGLE = re.compile(r"(\d+(?:\.\d+)?)\s*(day|week|month)s?")


def _time_values(text: str) -> dict[str, float]:
    """Numbers of a time point: ``"6-24 months"`` -> min_months/max_months, ``"2 weeks"`` -> weeks."""
    text = str(text)
    if m := _TIME_RANGE.search(text):
        return {f"min_{m.group(3)}s": float(m.group(1)), f"max_{m.group(3)}s": float(m.group(2))}
    if m := _TIME_SINGLE.search(text):
        return {f"{m.group(2)}s": float(m.group(1))}
    return {}


def _literature_row(lit: pd.DataFrame, study_id: str, arm: str, outcome: str, time_contains: str | None) -> pd.Series:
    rows = lit[(lit["study_id"] == study_id) & (lit["arm"] == arm) & (lit["outcome"] == outcome)]
    if time_contains is not None:
        rows = rows[rows["time_point"].astype(str).str.contains(time_contains, regex=False)]
    if len(rows) != 1:
        raise LookupError(
            f"literature.csv: expected one row for {study_id}/{arm}/{outcome}/{time_contains}, found {len(rows)}"
        )
    return rows.iloc[0]


def _literature_values(row: pd.Series) -> dict[str, float]:
    values = {key: int(row[column]) for key, column in _LIT_COLUMNS.items() if pd.notna(row[column])}
    if "count" in values and values.get("total"):
        values["percent"] = 100 * values["count"] / values["total"]
    elif pd.notna(row["proportion_reported"]):
        values["percent"] = float(row["proportion_reported"])
    values.update(_time_values(row["time_point"]))
    if m := re.search(r"(\d+(?:\.\d+)?) days", str(row["outcome_definition"])):
        values["mean_days"] = float(m.group(1))
    return values


def _literature_check(study_id: str, rows: dict[str, tuple[str, str, str | None]]) -> CheckFunction:
    """Compare a claim about another study with that study's own figures in literature.csv.

    ``rows`` maps a key prefix to the row (arm, outcome, text in time_point or None); the
    reported key ``<prefix>_percent`` is checked against that row's events/total (or its own
    printed percentage when the counts are not published), ``<prefix>_count`` against events,
    and so on. The first row's values are also available without a prefix.
    """

    def run(ev: Evidence, rep: dict) -> Verdict:
        computed, notes = {}, []
        for i, (prefix, spec) in enumerate(rows.items()):
            row = _literature_row(ev.literature, study_id, *spec)
            for key, value in _literature_values(row).items():
                computed[f"{prefix}_{key}" if prefix else key] = value
                if i == 0 and prefix:
                    computed.setdefault(key, value)
            disagreement = row.get("disagreement")
            if pd.notna(disagreement) and str(disagreement).strip() and f"literature.csv: {disagreement}" not in notes:
                notes.append(f"literature.csv: {disagreement}")
        shown = {k: v for k, v in computed.items() if k in rep}
        problems = _mismatches(rep, shown)
        unknown = [f"{k}: not in the study's published figures" for k in rep if k not in computed]
        return _judge(shown, problems, unknown=unknown, notes=[*_conventions(rep, shown), *notes])

    return run


for _name, _study, _rows in [
    ("lit_fellermann_response", "fellermann2002", {"": ("tacrolimus", "response", None)}),
    ("lit_fellermann_remission", "fellermann2002", {"": ("tacrolimus", "remission", None)}),
    ("lit_fellermann_colectomy", "fellermann2002", {"": ("tacrolimus", "colectomy", "16.2")}),
    ("lit_baumgart_response", "baumgart2003", {"": ("tacrolimus", "response", None)}),
    ("lit_baumgart_remission", "baumgart2003", {"": ("tacrolimus", "remission", None)}),
    (
        "lit_baumgart_uc_cd",
        "baumgart2003",
        {"uc": ("tacrolimus_uc_subgroup", "response", None), "cd": ("tacrolimus_cd_subgroup", "response", None)},
    ),
    ("lit_ziring_colectomy", "ziring2007", {"": ("tacrolimus", "colectomy", None)}),
    (
        "lit_gonzalez_lama",
        "gonzalezlama2005",
        {
            "complete": ("tacrolimus", "complete_fistula_closure", None),
            "partial": ("tacrolimus", "fistula_improvement", None),
        },
    ),
    (
        "lit_lowry",
        "lowry1999",
        {
            "complete": ("tacrolimus_plus_thiopurine", "complete_fistula_closure", None),
            "partial": ("tacrolimus_plus_thiopurine", "fistula_improvement", None),
        },
    ),
    ("lit_sandborn", "sandborn2003", {"": ("tacrolimus", "complete_fistula_closure", None)}),
    (
        "lit_ogata_rates",
        "ogata2006",
        {
            "high": ("high_trough", "response", None),
            "low": ("low_trough", "response", None),
            "placebo": ("placebo", "response", None),
        },
    ),
]:
    check(_name)(_literature_check(_study, _rows))


@check("lit_ogata_design")
def _lit_ogata_design(ev: Evidence, rep: dict) -> Verdict:
    """'Twenty patients were randomized to each treatment' of a 60-patient trial."""
    lit = ev.literature
    arms = lit[(lit["study_id"] == "ogata2006") & (lit["outcome"] == "response")]
    randomised = arms.set_index("arm")["n_randomized_or_treated"].astype(int)
    analysed = arms.set_index("arm")["total"].astype(int)
    computed = {"total": int(analysed.sum()), "randomised": int(randomised.sum())}
    problems = _mismatches(rep, {"total": computed["total"]})
    per_arm = rep["per_arm"]
    if (randomised != per_arm).any() or (analysed != per_arm).any():
        problems.append(
            f"per_arm: reported {_fmt_reported(rep, 'per_arm')}; the trial randomised {', '.join(f'{a} {n}' for a, n in randomised.items())} "
            f"and analysed {', '.join(f'{a} {n}' for a, n in analysed.items())}"
        )
    # The trial's own rates, printed to one decimal as the paper prints them, over the paper's 20 per arm.
    for arm, row in arms.set_index("arm").iterrows():
        printed = float(printed_as(100 * int(row["events"]) / int(row["total"]), decimals=1))
        if not attainable_numerators(printed, 1, int(per_arm)):
            problems.append(
                f"{arm}'s {_fmt(printed)}% ({int(row['events'])}/{int(row['total'])}) is not x/{_fmt(per_arm)} for any whole x"
            )
    return _judge(computed, problems)


@check("lit_percent_split")
def _lit_percent_split(ev: Evidence, rep: dict) -> Verdict:
    """Two arms' percentages of an n-patient study: which splits of n give both, by which convention?

    Each printing convention (claims.agreement.CONVENTIONS) is tried for both arms at once. The
    study's own figures decide the claim; where data/paper/literature.csv holds none, the claim is
    not computable and the note says whether the percentages are attainable at all.
    """
    arms = [k.removesuffix("_percent") for k in rep if k.endswith("_percent")]
    if len(arms) != 2:
        raise ValueError("lit_percent_split needs exactly two <arm>_percent keys")
    n = int(rep["n"])
    (a, b) = arms
    pa, pb = rep[f"{a}_percent"], rep[f"{b}_percent"]
    da, db = rep.decimals[f"{a}_percent"], rep.decimals[f"{b}_percent"]
    found = {}
    for convention in CONVENTIONS:
        for na in range(1, n):
            xa = attainable_numerators(pa, da, na, conventions=(convention,))
            xb = attainable_numerators(pb, db, n - na, conventions=(convention,))
            if xa and xb:
                found.setdefault(convention, []).append(f"{xa[0]}/{na} and {xb[0]}/{n - na}")
    computed = {"splits_half_up": len(found.get("half-up", [])), "splits_truncation": len(found.get("truncation", []))}
    shown = f"{_fmt_reported(rep, f'{a}_percent')}% and {_fmt_reported(rep, f'{b}_percent')}%"
    arithmetic = "; ".join(f"{c}: {', '.join(v)}" for c, v in found.items()) or "none"
    lit = ev.literature
    rows = lit[
        lit["study_id"].astype(str).str.contains("ref21")
        | lit["study"].astype(str).str.contains("azathioprine", case=False)
    ]
    if rows["events"].isna().all():
        consistency = (
            f"splits of {n} that print as {shown}: {arithmetic}"
            if found
            else f"no split of {n} patients prints as {shown} by either convention"
        )
        return _judge(
            computed,
            [] if found else [consistency],
            unknown=["the study is not identified in data/literature.csv, so its own figures cannot be checked"]
            if found
            else [],
            notes=[consistency] if found else [],
        )
    return _judge(
        computed,
        [] if found else [f"no split of {n} patients prints as {shown} by either convention"],
        notes=[f"splits: {arithmetic}"],
    )


# --- time windows and periods the paper attaches to other studies ------------------------------

_MONTHS = {
    m: i
    for i, m in enumerate(
        "January February March April May June July August September October November December".split(), start=1
    )
}


def _window_readings(stated: str, value_months: float, rep_key: str, rep: dict, what: str) -> tuple[str, list]:
    """Two readings of a window the paper gives: (a) the study's typical time (``value_months``,
    its median or mean) is within/at the window; (b) a fixed time point or bound for every
    patient, which the study does not state (not computable)."""
    months = rep[rep_key] * 12 if rep_key == "years" else rep[rep_key]
    if what == "at":
        result = agreement(
            value_months / 12 if rep_key == "years" else value_months, rep[rep_key], decimals=rep.decimals[rep_key]
        )
        fits, text = result.agrees, f"{stated}: {result.explanation}"
    else:
        fits, text = (
            value_months <= months,
            f"{stated} ({_fmt(value_months)} months), within {_fmt_reported(rep, rep_key)} {rep_key}",
        )
    return ("reproduced" if fits else "discrepancy"), [
        ("(a) the study's typical time", "reproduced" if fits else "discrepancy", text)
    ]


@check("lit_baumgart_window")
def _lit_baumgart_window(ev: Evidence, rep: dict) -> Verdict:
    """'Went into remission at N year(s) follow-up': the study reports over a median duration of treatment."""
    row = _literature_row(ev.literature, "baumgart2003", "tacrolimus", "remission", None)
    median = float(re.search(r"median treatment (\d+(?:\.\d+)?) months", str(row["time_point"])).group(1))
    status_a, readings = _window_readings(
        f"the study's median treatment of {_fmt(median)} months", median, "years", rep, "at"
    )
    readings.append(
        (
            f"(b) a fixed assessment at {_fmt_reported(rep, 'years')} year(s)",
            "not_computable",
            f"the study does not report one (time point: '{row['time_point']}')",
        )
    )
    return _reading(
        "ambiguous" if status_a == "reproduced" else "discrepancy", {"median_treatment_months": median}, readings
    )


@check("lit_lowry_window")
def _lit_lowry_window(ev: Evidence, rep: dict) -> Verdict:
    """'Complete fistula closure within N months': the study gives a mean time to complete response."""
    row = _literature_row(ev.literature, "lowry1999", "tacrolimus_plus_thiopurine", "complete_fistula_closure", None)
    weeks = float(
        re.search(r"mean time to complete response (\d+(?:\.\d+)?) weeks", str(row["outcome_definition"])).group(1)
    )
    months = weeks_to_months(weeks)
    status_a, readings = _window_readings(
        f"the study's mean time to complete response of {_fmt(weeks)} weeks", months, "months", rep, "within"
    )
    readings.append(
        (
            f"(b) every complete closure within {_fmt_reported(rep, 'months')} months",
            "not_computable",
            "the study gives the mean time only, not each patient's",
        )
    )
    return _reading(
        "ambiguous" if status_a == "reproduced" else "discrepancy",
        {"mean_weeks_to_complete_response": weeks, "months": months},
        readings,
    )


@check("lit_ziring_period")
def _lit_ziring_period(ev: Evidence, rep: dict) -> Verdict:
    """'18 children ... over a 5-year treatment period', against the identified report's series dates."""
    row = _literature_row(ev.literature, "ziring2007", "tacrolimus", "colectomy", None)
    m = re.search(r"\((\w+) (\d{4}) - (\w+) (\d{4})\)", str(row["design"]))
    span_months = (int(m.group(4)) - int(m.group(2))) * 12 + _MONTHS[m.group(3)] - _MONTHS[m.group(1)]
    computed = {"n": int(row["total"]), "years": span_months / 12}
    notes = [
        f"the identified report's series ran {m.group(1)} {m.group(2)} to {m.group(3)} {m.group(4)} ({span_months} months)",
        "the identification of the paper's ref 22 is not confirmed (literature.csv); an earlier report of the series, with a shorter span, would make the period not computable",
    ]
    return compare(rep, computed, notes=notes)


@check("lit_ogata_bands")
def _lit_ogata_bands(ev: Evidence, rep: dict) -> Verdict:
    """The trough bands of Ogata et al.'s two tacrolimus arms, against the trial's own targets."""
    lit = ev.literature
    arms = lit[(lit["study_id"] == "ogata2006") & (lit["outcome"] == "response")].set_index("arm")
    computed = {}
    for prefix, arm in (("low", "low_trough"), ("high", "high_trough")):
        computed[f"{prefix}_min"] = float(arms.loc[arm, "target_trough_low_ng_ml"])
        computed[f"{prefix}_max"] = float(arms.loc[arm, "target_trough_high_ng_ml"])
    return compare(rep, computed, notes=[f"literature.csv: {arms.loc['high_trough', 'target_trough_source']}"])
