"""The claims ledger: every number the paper states, checked against the data.

``data/claims.csv`` is the only place where reported values are typed. Each row either names a
check (a function registered here with ``@check("name")`` that computes the value from the data
and returns a Verdict) or gives the reason the claim cannot be computed from what the paper
publishes. ``evaluate`` runs every check and gives the audit table (claim_id, section, quote,
reported, computed, status, note); ``write_audit`` writes it to ``outputs/claims.csv``.

Statuses:

* ``reproduced``: the data (or, for another study, its own published figures in
  ``data/literature.csv``) give the reported value at the precision the paper printed it
  (:func:`agrees_at_precision`);
* ``discrepancy``: the data or the arithmetic contradict the statement; the note says how;
* ``not_computable``: the data needed are not published; the note says what would be needed,
  and what the published data do constrain.

Rounding: a value printed with ``d`` decimals is reproduced by any value that rounds to it
(half up) at ``d`` decimals: a mean printed as 35 by 35.3, 10.8 by 10.79, a P value printed
as 0.002 by 0.00195 (Altman & Bland, BMJ 1996, on presenting numbers at the precision they
are measured). The decimals are read from the ledger's text, so "1.0" has one decimal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import outcomes, scores, statistics, trough
from .data import cohort_from_tables, default_data_dir, load_tables

LEDGER_FILE = "claims.csv"
AUDIT_FILE = "claims.csv"
STATUSES = ("reproduced", "discrepancy", "not_computable")
LEDGER_COLUMNS = ["claim_id", "section", "quote", "reported", "check", "not_computable_reason"]
AUDIT_COLUMNS = ["claim_id", "section", "quote", "reported", "computed", "status", "note"]

#: One colour per status for figures (Okabe-Ito: bluish green, vermillion, grey).
STATUS_COLOURS = {"reproduced": "#009E73", "discrepancy": "#D55E00", "not_computable": "#999999"}

#: Markers of the README block that ``update_readme`` rewrites.
README_MARKERS = ("<!-- claims-summary:start -->", "<!-- claims-summary:end -->")


@dataclass(frozen=True)
class Verdict:
    computed: str
    status: str
    note: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")


@dataclass(frozen=True)
class Evidence:
    """What a check may read: the validated tables and the joined cohort."""

    tables: dict[str, pd.DataFrame]
    cohort: pd.DataFrame

    @property
    def facts(self) -> pd.DataFrame:
        return self.tables["text_patient_facts"]

    @property
    def literature(self) -> pd.DataFrame:
        return self.tables["literature"]


CheckFunction = Callable[[Evidence, dict], Verdict]
CHECKS: dict[str, CheckFunction] = {}


def check(name: str):
    """Register a check function under the name the ledger's ``check`` column uses."""

    def register(func: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = func
        return func

    return register


# --- the reported values and their printed precision ---------------------------------------

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


class ReportedValues(dict):
    """The reported values of a claim (key -> float), with ``decimals``: key -> decimals printed."""

    def __init__(self, values: dict[str, float], decimals: dict[str, int]):
        super().__init__(values)
        self.decimals = dict(decimals)


def printed_decimals(text: str) -> int:
    """Decimals of a number as printed: ``"35"`` -> 0, ``"1.0"`` -> 1, ``"0.002"`` -> 3."""
    text = str(text).strip()
    if not _NUMBER.match(text):
        raise ValueError(f"{text!r} is not a plain decimal number")
    return len(text.partition(".")[2])


def parse_reported(text: str) -> ReportedValues:
    """``"mean=35;min=18"`` -> ``{"mean": 35.0, "min": 18.0}`` (with ``.decimals`` {mean: 0, min: 0})."""
    values, decimals = {}, {}
    for part in str(text).split(";"):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ValueError(f"reported value {part!r} is not key=value")
        if not _KEY.match(key):
            raise ValueError(f"reported key {key!r} must be letters, digits and _ (starting with a letter)")
        if key in values:
            raise ValueError(f"reported key {key!r} given twice")
        decimals[key] = printed_decimals(value)
        values[key] = float(value)
    return ReportedValues(values, decimals)


def _rounded(value: float, decimals: int) -> Decimal:
    # repr gives the shortest text that reads back as the same float ("0.35", not 0.34999...),
    # so a value is rounded as it would be printed.
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def agrees_at_precision(computed: float, reported: float, decimals: int) -> bool:
    """Whether ``computed``, rounded half up to ``decimals`` decimals, equals ``reported``.

    The paper's rounding is the tolerance: a mean printed as 35 is reproduced by 35.3 (and by
    34.5, not by 35.5); 10.8 by 10.79; a P value printed 0.002 by 0.00195 but not by 0.00049.
    """
    if computed is None or (isinstance(computed, float) and math.isnan(computed)):
        return False
    return _rounded(computed, decimals) == _rounded(reported, decimals)


def precision_interval(reported: float, decimals: int) -> tuple[float, float]:
    """The values ``[low, high)`` that print as ``reported`` at ``decimals`` decimals."""
    half = 0.5 * 10.0**-decimals
    return reported - half, reported + half


def attainable_numerators(percent: float, decimals: int, total: int) -> list[int]:
    """Whole numerators ``x`` (0..total) for which ``100 x / total`` prints as ``percent``."""
    return [x for x in range(int(total) + 1) if agrees_at_precision(100 * x / total, percent, decimals)]


def load_ledger(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The hand-written claims ledger, with ``reported`` parsed into ``reported_values``.

    Each row must name a check or give a not-computable reason, not both.
    """
    path = Path(data_dir if data_dir is not None else default_data_dir()) / LEDGER_FILE
    ledger = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(ledger.columns) != LEDGER_COLUMNS:
        raise ValueError(f"{path}: columns must be {LEDGER_COLUMNS}, not {list(ledger.columns)}")
    both = (ledger["check"] != "") == (ledger["not_computable_reason"] != "")
    for line in ledger.index[both] + 2:
        raise ValueError(f"{path}:{line}: a claim needs either a check or a not_computable_reason (exactly one)")
    ledger["reported_values"] = [parse_reported(r) for r in ledger["reported"]]
    return ledger


def reported(claim_id: str, data_dir: str | Path | None = None) -> dict[str, float]:
    """The reported values of one claim, as typed in the ledger."""
    ledger = load_ledger(data_dir).set_index("claim_id")
    return dict(ledger.loc[claim_id, "reported_values"])


def beside_reported(rows, data_dir: str | Path | None = None) -> pd.DataFrame:
    """A value from the data beside the ledger's reported value, one row per quantity.

    ``rows`` are ``(quantity, value from the data, claim_id, key)``; the reported value is the
    ledger's ``key`` of that claim (missing if the claim does not report that key).
    """
    ledger = load_ledger(data_dir).set_index("claim_id")["reported_values"]
    return pd.DataFrame(
        [{"quantity": q, "data": value, "reported": ledger[c].get(k), "claim": c} for q, value, c, k in rows],
        columns=["quantity", "data", "reported", "claim"],
    )


# --- comparison helpers -----------------------------------------------------------------------


def _fmt(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return "n/a"
        if value == round(value):
            return f"{value:g}"
        # two decimals, as percentages and means are shown; small values (P values) keep 3 significant digits
        return f"{value:.2f}".rstrip("0") if abs(value) >= 0.1 else f"{value:.3g}"
    return str(value)


def _fmt_reported(rep: dict, key: str) -> str:
    decimals = getattr(rep, "decimals", {}).get(key)
    return f"{rep[key]:.{decimals}f}" if decimals is not None else _fmt(rep[key])


def _ids(ids) -> str:
    return ", ".join(str(int(i)) for i in sorted(ids)) or "none"


def _patients(ids) -> str:
    """"Patient 16" or "patients 5, 10" (or "no patient")."""
    ids = sorted(ids)
    return f"Patient {_ids(ids)}" if len(ids) == 1 else (f"patients {_ids(ids)}" if ids else "no patient")


def _mismatches(rep: dict, computed: dict) -> list[str]:
    """One line per reported key that the computed value does not give at the printed precision."""
    decimals = getattr(rep, "decimals", {})
    return [
        f"{k}: reported {_fmt_reported(rep, k)}, data give {_fmt(computed[k])}"
        for k in rep
        if k in computed and not agrees_at_precision(float(computed[k]), rep[k], decimals.get(k, 0))
    ]


def _judge(computed: dict | str, problems=(), *, unknown=(), notes=()) -> Verdict:
    """A verdict: discrepancy if any problem, else not_computable if any part is unknown, else reproduced."""
    text = computed if isinstance(computed, str) else "; ".join(f"{k}={_fmt(v)}" for k, v in computed.items())
    status = "discrepancy" if problems else ("not_computable" if unknown else "reproduced")
    return Verdict(text, status, "; ".join([*problems, *unknown, *notes]))


def compare(reported_values: dict, computed: dict, *, notes=()) -> Verdict:
    """Compare key by key at the precision each reported value was printed with."""
    return _judge(computed, _mismatches(reported_values, computed), notes=notes)


def _own_arithmetic(rep: dict) -> list[str]:
    """The text's own arithmetic: does its percentage follow from its own count/total?"""
    if not {"count", "total", "percent"} <= set(rep):
        return []
    if agrees_at_precision(100 * rep["count"] / rep["total"], rep["percent"], rep.decimals["percent"]):
        return []
    return [f"{_fmt_reported(rep, 'count')}/{_fmt_reported(rep, 'total')} is not {_fmt_reported(rep, 'percent')}%"]


def _count_verdict(rep: dict, ids, total: int, *, notes=()) -> Verdict:
    """Count claims: count, total and percent against the patients ``ids`` of ``total``."""
    ids = set(int(i) for i in ids)
    computed = {"count": len(ids), "total": int(total), "percent": 100 * len(ids) / total}
    problems = _mismatches(rep, computed) + _own_arithmetic(rep)
    text = "; ".join(f"{k}={_fmt(v)}" for k, v in computed.items() if k in rep or k == "count")
    return _judge(f"{text} (patients {_ids(ids)})", problems, notes=notes)


def _count_claim(ev: Evidence, rep: dict, ids: set[int]) -> Verdict:
    computed = {"count": len(ids), "total": len(ev.cohort), "percent": 100 * len(ids) / len(ev.cohort)}
    problems = _mismatches(rep, computed) + _own_arithmetic(rep)
    text = "; ".join(f"{k}={_fmt(v)}" for k, v in computed.items())
    return _judge(f"{text} (patients {_ids(ids)})", problems)


def _mean_bounds(known: pd.Series, floors: pd.Series) -> tuple[float, float]:
    """Lowest and highest possible mean of ``known`` values plus unpublished ones.

    Each unpublished value is at least its floor (a missing floor counts as 0) and has no
    upper limit, so the highest mean is infinite whenever a value is unpublished.
    """
    n = len(known) + len(floors)
    low = (known.sum() + floors.fillna(0).sum()) / n
    return float(low), (float(known.mean()) if len(floors) == 0 else math.inf)


def _feasible(rep_value: float, decimals: int, bounds: tuple[float, float]) -> bool:
    low, high = precision_interval(rep_value, decimals)
    return low < bounds[1] and high > bounds[0]


def _group(ev: Evidence, name: str) -> pd.DataFrame:
    return ev.cohort[ev.cohort["diagnosis"] == name]


def _patient_keys(rep: dict, suffix: str = "") -> dict[int, float]:
    """Keys such as ``p15_days`` -> {15: value} (patients named in the quote)."""
    pattern = re.compile(rf"^p(\d+){re.escape(suffix)}$")
    return {int(m.group(1)): v for k, v in rep.items() if (m := pattern.match(k))}


def _follow_up_floor(cohort: pd.DataFrame) -> pd.Series:
    """The least follow-up a patient can have had: months on tacrolimus (Table 4, else Table 5).

    Table 5's follow-up is at least its treatment duration in every row it lists, so follow-up
    is read as counted from the start of tacrolimus.
    """
    return outcomes.treatment_duration(cohort)["months"]


def _follow_up_check(cohort: pd.DataFrame, rep: dict, label: str, *, table5_is_the_source: bool) -> Verdict:
    """A reported mean follow-up against Table 5 and what its unlisted patients would need.

    Where the paper points to Table 5 for the individual data (``table5_is_the_source``), the
    mean of Table 5's values is the check; otherwise the reported mean is checked for being
    attainable once the unlisted patients' follow-up (at least their months on tacrolimus) is
    allowed for, and is not computable when it is.
    """
    follow = cohort["follow_up_months"].astype(float)
    known, floors = follow.dropna(), _follow_up_floor(cohort)[follow.isna()]
    decimals = rep.decimals["mean"]
    bounds = _mean_bounds(known, floors)
    computed = {f"mean_table5_{len(known)}_patients": float(known.mean())}
    unlisted = f"patients {_ids(floors.index)}" if len(floors) else "none"
    need = ""
    if len(floors):
        low, high = precision_interval(rep["mean"], decimals)
        n = len(known) + len(floors)
        need_low, need_high = max(low * n - known.sum(), floors.fillna(0).sum()), high * n - known.sum()
        need = (
            f"over all {n} {label} it needs the unlisted ({unlisted}, follow-up not published, at least their months on "
            f"tacrolimus, together {_fmt(float(floors.fillna(0).sum()))}) to total {_fmt(need_low)}-{_fmt(need_high)} months"
        )
    agrees = agrees_at_precision(float(known.mean()), rep["mean"], decimals)
    if not _feasible(rep["mean"], decimals, bounds):
        problem = f"no follow-up of the unlisted patients gives a mean of {_fmt_reported(rep, 'mean')}: the least possible is {_fmt(bounds[0])}"
        return _judge(computed, [problem])
    if agrees:
        return _judge(computed, notes=[need] if need else [])
    table = f"Table 5's {len(known)} {label} give {_fmt(float(known.mean()))}, not {_fmt_reported(rep, 'mean')}"
    if table5_is_the_source:
        return _judge(computed, [table + " (the paragraph points to Table 5 for the individual data)"], notes=[need] if need else [])
    return _judge(computed, unknown=[table + "; " + need])


# --- checks: cohort (Table 1, Table 2 and the Results text) --------------------------------


@check("group_sizes")
def _group_sizes(ev: Evidence, rep: dict) -> Verdict:
    return compare(rep, ev.cohort["diagnosis"].value_counts().to_dict())


@check("sex_counts")
def _sex_counts(ev: Evidence, rep: dict) -> Verdict:
    counts = ev.cohort["sex"].value_counts()
    return compare(rep, {"male": int(counts.get("M", 0)), "female": int(counts.get("F", 0))})


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
    return compare(rep, uc["disease_site"].value_counts().to_dict())


@check("cd_fistula_count")
def _cd_fistula(ev: Evidence, rep: dict) -> Verdict:
    cd = ev.cohort[ev.cohort["diagnosis"] == "CD"]
    return compare(rep, {"fistula": int(cd["perianal_fistula"].sum())})


@check("cd_fistula_perianal")
def _cd_fistula_perianal(ev: Evidence, rep: dict) -> Verdict:
    """Table 1 puts every fistula under "Perianal disease"; the Results text names two of them otherwise."""
    cd = _group(ev, "CD")
    with_fistula = set(cd.index[cd["perianal_fistula"].astype(bool)])
    facts = ev.facts[ev.facts["fact"].isin(["surgery", "fistula_type"])]
    named = facts[facts["value"].str.contains("fistula", case=False) & ~facts["value"].str.contains("perianal", case=False)]
    other = {int(r.patient_id): r.value for r in named.itertuples() if int(r.patient_id) in with_fistula}
    computed = {"fistula_table1": len(with_fistula), "perianal_not_contradicted": len(with_fistula) - len(other)}
    problems = []
    if other and rep["perianal"] > computed["perianal_not_contradicted"]:
        named_text = "; ".join(f"Patient {pid}: '{text}'" for pid, text in sorted(other.items()))
        problems.append(
            f"perianal: reported {_fmt_reported(rep, 'perianal')}, but the Results text names another fistula for "
            f"{len(other)} of the {len(with_fistula)} ({named_text}); it does not say they also had a perianal one"
        )
    return _judge(computed, problems)


@check("previous_immunomodulator_all")
def _previous_immunomodulator_all(ev: Evidence, rep: dict) -> Verdict:
    """Every patient had 'failed ... immunomodulators including azathioprine, 6-MP, or methotrexate'?"""
    drugs = ["azathioprine", "mercaptopurine_6mp", "methotrexate"]
    ids = outcomes.patients_with(ev.tables["table2_treatments"], timing="previous", drugs=drugs)
    missing = sorted(set(ev.cohort.index) - ids)
    notes = []
    treatments = ev.tables["table2_treatments"]
    for pid in missing:
        rows = treatments[treatments["patient_id"].astype(int) == pid]
        previous = ", ".join(rows.loc[rows["timing"] == "previous", "as_printed"])
        reading = rows["reading_note"].dropna()
        notes.append(f"Patient {pid}'s previous treatment: {previous}" + (f" ({reading.iloc[0]})" if len(reading) else ""))
    return _count_verdict(rep, ids, len(ev.cohort), notes=notes)


def _treatment_check(timing: str, drugs: list[str]) -> CheckFunction:
    def run(ev: Evidence, rep: dict) -> Verdict:
        return _count_claim(ev, rep, outcomes.patients_with(ev.tables["table2_treatments"], timing=timing, drugs=drugs))

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
    return _count_verdict(rep, ids, len(ev.cohort), notes=[f"all {groups}; the Results' list of failed treatments does not mention ciclosporin"])


@check("previous_operations")
def _previous_operations(ev: Evidence, rep: dict) -> Verdict:
    ids = set(ev.cohort.index[ev.cohort["previous_operations"].ne("none_recorded")])
    return _count_verdict(rep, ids, len(ev.cohort))


@check("concurrent_prednisolone")
def _concurrent_prednisolone(ev: Evidence, rep: dict) -> Verdict:
    ids = set(ev.cohort.index[ev.cohort["concurrent_prednisolone"]])
    return _count_claim(ev, rep, ids)


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
    detail = ", ".join(f"Patient {pid} ({_fmt(m)} months, about {_fmt(float(np.floor(e)))} visits expected)" for pid, m, e in zip(single.index, single["tacrolimus_duration_months"], expected))
    return _judge(
        {"table5_single_valued_ranges": len(single)},
        unknown=[
            "visit dates are not published; Table 5 prints the trough range as a single value for "
            f"{detail}: one measurement, or identical ones, over several expected visits"
        ],
    )


@check("cdai_remission_definition")
def _cdai_remission_definition(ev: Evidence, rep: dict) -> Verdict:
    return compare(rep, {"threshold": scores.CDAI_CUTOFFS["remission_below"]}, notes=["Best et al. 1976 (scores.CDAI_CUTOFFS)"])


@check("mpdai_definition")
def _mpdai_definition(ev: Evidence, rep: dict) -> Verdict:
    items = ["stool_frequency", "rectal_bleeding", "urgency_or_cramps", "fever", "edema", "granularity", "friability", "loss_of_vascular_pattern", "mucous_exudate", "ulceration"]
    maximum = {"stool_frequency": 2, "urgency_or_cramps": 2}
    best = scores.mpdai(**{i: 0 for i in items})
    worst = scores.mpdai(**{i: maximum.get(i, 1) for i in items})
    computed = {"remission_below": scores.MPDAI_POUCHITIS_FROM, "max": worst, "min": best}
    return compare(rep, computed, notes=["Shen et al. 2003: scores.mpdai with every item at its least and greatest points"])


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
        notes=[f"{len(known)} patients with a duration ({', '.join(f'{n} from {s}' for s, n in sorted(sources.items()))}); not published for {_patients(unknown)}"],
    )


@check("treatment_mean_range")
def _treatment_mean_range(ev: Evidence, rep: dict) -> Verdict:
    months = outcomes.treatment_duration(ev.cohort)["months"].dropna()
    table4 = ev.cohort["treatment_months"].dropna().astype(float)
    computed = {"mean": float(months.mean()), "min": float(months.min()), "max": float(months.max()), "n": len(months)}
    problems = _mismatches(rep, computed)
    if problems:
        shortest = months[months == months.min()].index
        problems.append(f"the shortest course ({_patients(shortest)}, {_fmt(float(months.min()))} months in Table 4) lies outside the reported range")
    notes = [f"mean over Table 4's {len(table4)} patients alone: {_fmt(float(table4.mean()))}"]
    return _judge(computed, problems, notes=notes)


# --- checks: week-4 response -----------------------------------------------------------------


def _basis_note(part: pd.DataFrame, column: str) -> str:
    basis = part[column].fillna("missing").value_counts().sort_index()
    return "from the text (Table 3 is lost): " + ", ".join(f"{n} {b}" for b, n in basis.items())


def _group_rate_check(group: str, kind: str) -> CheckFunction:
    """Responders at week 4 (``kind="week4"``) or remissions at the end of follow-up (``"remission"``)."""

    def run(ev: Evidence, rep: dict) -> Verdict:
        part = _group(ev, group)
        if kind == "week4":
            ids = part.index[part["week4_response"].fillna(False).astype(bool)]
            notes = [_basis_note(part, "week4_response_basis")]
        else:
            outcome = outcomes.end_of_follow_up_outcome(ev.cohort)[part.index]
            ids = outcome.index[outcome.eq("remission")]
            inferred = part.index[part["outcome_end_of_follow_up_basis"].eq("inferred") & outcome.eq("remission")]
            notes = [f"Table 4{' plus the text' if len(inferred) else ''}"]
            if len(inferred):
                notes.append(f"{_patients(inferred)} not in Table 4: remission inferred from the Results text; Table 4 alone gives {len(ids) - len(inferred)}")
        return _count_verdict(rep, ids, len(part), notes=notes)

    return run


for _name, _group_name, _kind in [
    ("cd_week4_response", "CD", "week4"),
    ("uc_week4_response", "UC", "week4"),
    ("pouch_week4_response", "pouchitis", "week4"),
    ("cd_remission_end", "CD", "remission"),
    ("uc_remission_end", "UC", "remission"),
]:
    check(_name)(_group_rate_check(_group_name, _kind))


def _on_treatment_at_week4(ev: Evidence) -> pd.Series:
    """Patients still on tacrolimus at the week-4 assessment (outcomes.denominator_mask, per protocol)."""
    return outcomes.denominator_mask(ev.cohort, ev.facts, "per_protocol")


@check("cdai_week4_all")
def _cdai_week4_all(ev: Evidence, rep: dict) -> Verdict:
    """'A decrease in the estimated CDAI for all patients' at week 4, against who was still treated."""
    cd = _group(ev, "CD")
    on = _on_treatment_at_week4(ev)[cd.index]
    stop_day = outcomes.side_effect_stop_day(ev.facts)
    off = on.index[~on]
    computed = {"on_treatment_at_week4": int(on.sum()), "total": len(cd)}
    problems = []
    if rep["decreased"] > on.sum():
        stops = ", ".join(f"Patient {pid} after {_fmt(float(stop_day[pid]))} days (Table 4: {_fmt(float(cd.loc[pid, 'treatment_months']))} months)" for pid in off)
        problems.append(
            f"decreased: reported {_fmt_reported(rep, 'decreased')} of {_fmt_reported(rep, 'total')}, but only {int(on.sum())} CD patients were on "
            f"tacrolimus at week 4: {stops} stopped for side effects, as the Discussion says ('except for two patients')"
        )
    return _judge(computed, problems)


@check("cd_week4_benefit")
def _cd_week4_benefit(ev: Evidence, rep: dict) -> Verdict:
    """Discussion: all CD patients benefited at week 4 except those who stopped for side effects."""
    cd = _group(ev, "CD")
    on = _on_treatment_at_week4(ev)[cd.index]
    responders = cd.index[cd["week4_response"].fillna(False).astype(bool)]
    computed = {"benefited": len(responders), "discontinued": int((~on).sum())}
    return compare(rep, computed, notes=[f"stopped before week 4: patients {_ids(on.index[~on])} (Table 4 and the Results' stop days); per-patient benefit inferred from this sentence, Table 3 being lost"])


@check("cdai_reduction")
def _cdai_reduction(ev: Evidence, rep: dict) -> Verdict:
    """Median and range need Table 3; the P value depends on n alone once every reduction is positive."""
    cd = _group(ev, "CD")
    n_on = int(_on_treatment_at_week4(ev)[cd.index].sum())
    n_all = len(cd)
    tests = statistics.all_positive_paired_tests([n_on, n_all], alternatives=("two-sided",))
    tests["agrees"] = [agrees_at_precision(p, rep["p"], rep.decimals["p"]) for p in tests["p_value"]]
    listing = "; ".join(
        f"n={n}: " + ", ".join(f"{r.test} {r.method} {_fmt(r.p_value)}" for r in part.itertuples()) for n, part in tests.groupby("n", sort=True)
    )
    matching = tests[tests["agrees"]]
    fit = "; ".join(f"{r.test} ({r.method}) with n={r.n}" for r in matching.itertuples()) or "none"
    computed = {f"p_exact_n{n_on}": float(tests.loc[(tests["n"] == n_on) & (tests["method"] == "exact null distribution"), "p_value"].iloc[0]),
                f"p_exact_n{n_all}": float(tests.loc[(tests["n"] == n_all) & (tests["method"] == "exact null distribution"), "p_value"].iloc[0])}
    return _judge(
        computed,
        unknown=[
            "median and range of the reductions need the per-patient CDAI of Table 3 (lost)",
            f"P: the range starts above 0, so every reduction was positive and the two-sided P depends on n alone: {listing}. "
            f"The reported P is given by: {fit}; the paper does not name its test",
        ],
    )


@check("cd_stool_counts")
def _cd_stool_counts(ev: Evidence, rep: dict) -> Verdict:
    cd = _group(ev, "CD")
    on = _on_treatment_at_week4(ev)[cd.index]
    total = rep["improved"] + rep["unchanged"]
    problems = [] if total <= len(cd) else [f"improved + unchanged = {_fmt(total)} exceeds the {len(cd)} CD patients"]
    return _judge(
        {"cd_patients": len(cd), "on_treatment_at_week4": int(on.sum())},
        problems,
        unknown=[
            f"the per-patient stool frequencies were in Table 3 (lost); improved + unchanged = {_fmt(total)} covers all {len(cd)} CD patients, "
            f"including patients {_ids(on.index[~on])}, who stopped tacrolimus before week 4"
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
    uc = _group(ev, "UC")
    responders = int(uc["week4_response"].fillna(False).astype(bool).sum())
    total = rep["remission"] + rep["response"]
    problems = [] if total == responders else [f"remission + response = {_fmt(total)}, but {responders} UC patients responded"]
    return _judge(
        {"uc_responders": responders},
        problems,
        unknown=[f"which patients were in remission needs Table 3 (lost); remission + response = {_fmt(total)} agrees with the {responders} UC responders of the abstract"],
    )


@check("uc_two_thirds")
def _uc_two_thirds(ev: Evidence, rep: dict) -> Verdict:
    uc = _group(ev, "UC")
    declined = int(uc["week4_response"].fillna(False).astype(bool).sum())
    fraction = Fraction(declined, len(uc))
    reported_fraction = Fraction(int(rep["numerator"]), int(rep["denominator"]))
    computed = {"declined": declined, "total": len(uc)}
    problems = [] if fraction == reported_fraction else [f"{declined}/{len(uc)} is not {reported_fraction}"]
    return _judge(computed, problems, notes=[_basis_note(uc, "week4_response_basis")])


# --- checks: end of follow-up ----------------------------------------------------------------


@check("cd_outcome_partition")
def _cd_outcome_partition(ev: Evidence, rep: dict) -> Verdict:
    """The Results' account of the 12 CD patients against Table 4's outcome column."""
    cd = _group(ev, "CD")
    outcome = outcomes.end_of_follow_up_outcome(ev.cohort)[cd.index]
    facts = ev.facts
    response_ids = set(outcomes.fact_values(facts, "end_of_follow_up_outcome").pipe(lambda s: s[s == "clinical_response"]).index) & set(cd.index)
    relapse_ids = set(outcomes.fact_values(facts, "relapse_requiring_steroids").pipe(lambda s: s[s == "true"]).index) & set(cd.index)
    severe_ids = set(outcomes.fact_values(facts, "referred_for_surgery").pipe(lambda s: s[s == "true"]).index) & set(cd.index)
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
            problems.append(f"Patient {pid}: text says relapse requiring steroids, Table 4 has no relapse month or steroid")
    for pid in sorted(severe_ids):
        if outcome[pid] != "severe":
            problems.append(f"Patient {pid}: text says severe activity, Table 4 says {outcome[pid]}")
    named = response_ids | relapse_ids | severe_ids
    total = computed["remission"] + len(named)
    if total != len(cd):
        problems.append(f"the text's groups cover {total} of the {len(cd)} CD patients")
    return _judge(computed, problems, notes=[f"response: patients {_ids(response_ids)}; relapse: {_ids(relapse_ids)}; severe: {_ids(severe_ids)}"])


@check("cd_relapse_count")
def _cd_relapse_count(ev: Evidence, rep: dict) -> Verdict:
    cd = _group(ev, "CD")
    relapses = outcomes.relapse_table(ev.cohort, ev.tables["table4_medium_term"], ev.facts)
    relapses = relapses[relapses["diagnosis"] == "CD"]
    in_table4 = relapses[relapses["relapse_month_table4"].notna()]
    named = relapses.index[relapses["text_names_relapse"]]
    computed = {"count": len(in_table4)}
    problems = _mismatches(rep, computed)
    if problems:
        extra = in_table4.index.difference(named)
        ambiguous = in_table4.index[in_table4["ambiguous_cell"].astype(bool)].intersection(extra)
        in_remission = set(extra) & set(cd.index[cd["outcome_end_of_follow_up"].eq("remission")])
        problems.append(
            f"Table 4's relapse column has a month for CD {_patients(in_table4.index)}; the text names {_ids(named)}; "
            f"{_patients(ambiguous)} have cells read from run-together text (see reading_note) and {_patients(in_remission)} are in remission at the end"
        )
    return _judge(computed, problems)


@check("early_stops")
def _early_stops(ev: Evidence, rep: dict) -> Verdict:
    """Stops the text dates in days or weeks against Table 4's months, at Table 4's printed precision."""
    days = {pid: v for pid, v in _patient_keys(rep, "_days").items()}
    days.update({pid: 7 * v for pid, v in _patient_keys(rep, "_weeks").items()})
    computed, problems = {}, []
    for pid, d in sorted(days.items()):
        table_months = float(ev.cohort.loc[pid, "treatment_months"])
        text_months = d / outcomes.DAYS_PER_MONTH
        computed[f"p{pid}_table4_months"] = table_months
        computed[f"p{pid}_text_months"] = text_months
        decimals = printed_decimals(repr(table_months).removesuffix(".0")) if table_months != int(table_months) else 0
        if not agrees_at_precision(text_months, table_months, decimals):
            problems.append(
                f"Patient {pid}: the text's {_fmt(d)} days is {_fmt(text_months)} months; Table 4 prints {_fmt(table_months)} months "
                f"({_fmt(table_months * outcomes.DAYS_PER_MONTH)} days)"
            )
    table5 = ev.cohort.loc[sorted(days), ["tacrolimus_duration_months", "follow_up_months"]].dropna()
    notes = [f"Table 5 for Patient {pid}: {_fmt(float(r.tacrolimus_duration_months))} months on tacrolimus, follow-up {_fmt(float(r.follow_up_months))}" for pid, r in table5.iterrows()]
    return _judge(computed, problems, notes=notes)


@check("cd_follow_up")
def _cd_follow_up(ev: Evidence, rep: dict) -> Verdict:
    return _follow_up_check(_group(ev, "CD"), rep, "CD patients", table5_is_the_source=False)


@check("uc_follow_up")
def _uc_follow_up(ev: Evidence, rep: dict) -> Verdict:
    return _follow_up_check(_group(ev, "UC"), rep, "UC patients", table5_is_the_source=False)


@check("fistula_follow_up")
def _fistula_follow_up(ev: Evidence, rep: dict) -> Verdict:
    with_fistula = ev.cohort[ev.cohort["perianal_fistula"].astype(bool)]
    return _follow_up_check(with_fistula, rep, "patients with fistulas", table5_is_the_source=False)


@check("overall_follow_up")
def _overall_follow_up(ev: Evidence, rep: dict) -> Verdict:
    return _follow_up_check(ev.cohort, rep, "patients", table5_is_the_source=True)


@check("fistula_treatment_mean")
def _fistula_treatment_mean(ev: Evidence, rep: dict) -> Verdict:
    with_fistula = ev.cohort[ev.cohort["perianal_fistula"].astype(bool)]
    months = outcomes.treatment_duration(with_fistula)["months"].dropna()
    follow = with_fistula["follow_up_months"].dropna()
    return compare(
        rep,
        {"mean": float(months.mean()), "n": len(months)},
        notes=[f"mean months on tacrolimus of the {len(months)} patients with fistulas (Table 4); their follow-up is published for {len(follow)} only (see fistula-follow-up)"],
    )


@check("fistula_outcomes")
def _fistula_outcomes(ev: Evidence, rep: dict) -> Verdict:
    counts = outcomes.fistula_outcome_counts(ev.cohort).set_index("fistula_outcome")
    computed = {
        "total": int(counts["of"].iloc[0]),
        "complete": int(counts.loc["complete_healing", "patients"]),
        "partial": int(counts.loc["partial_response", "patients"]),
        "none": int(counts.loc["no_response", "patients"]),
    }
    not_recorded = int(counts.loc["not recorded", "patients"])
    notes = [f"complete: patients {counts.loc['complete_healing', 'patient_ids']}; partial: {counts.loc['partial_response', 'patient_ids']}; none: {counts.loc['no_response', 'patient_ids']}"]
    if not_recorded:
        notes.append(f"{not_recorded} with a fistula have no fistula outcome in Table 4")
    return compare(rep, computed, notes=notes)


@check("uc_relapses")
def _uc_relapses(ev: Evidence, rep: dict) -> Verdict:
    uc = _group(ev, "UC")
    relapsed = uc[uc["relapse_month"].notna()]
    computed = {"count": len(relapsed), "iv_steroids": int(relapsed["iv_steroids"].fillna(False).astype(bool).sum())}
    computed.update({f"p{pid}_month": float(m) for pid, m in relapsed["relapse_month"].items()})
    problems = _mismatches(rep, computed)
    problems += [f"p{pid}_month: Table 4 has no relapse for Patient {pid}" for pid in _patient_keys(rep, "_month") if f"p{pid}_month" not in computed]
    severe = relapsed.index[outcomes.end_of_follow_up_outcome(ev.cohort)[relapsed.index].eq("severe")]
    return _judge(computed, problems, notes=[f"severe disease at the end (Table 4): patients {_ids(severe)}"])


def _tapering_vs_prednisolone(cohort: pd.DataFrame, ids) -> list[str]:
    """Tapering 'complete' in Table 4 for patients Table 2 records as not on prednisolone."""
    not_on = [pid for pid in sorted(ids) if not bool(cohort.loc[pid, "concurrent_prednisolone"])]
    if not not_on:
        return []
    return [
        f"Table 2 records no concurrent prednisolone at the start for patients {_ids(not_on)} (nor any other steroid among their "
        f"concurrent treatments), so the tables show no steroid to taper in {len(not_on)} of these {len(ids)}"
    ]


@check("steroid_tapering_count")
def _steroid_tapering_count(ev: Evidence, rep: dict) -> Verdict:
    tapered = ev.cohort.index[ev.cohort["steroid_tapering"].eq("complete")]
    computed = {"count": len(tapered)}
    problems = _mismatches(rep, computed) + _tapering_vs_prednisolone(ev.cohort, tapered)
    on_pred = ev.cohort.index[ev.cohort["concurrent_prednisolone"].astype(bool)]
    notes = [
        f"tapering complete in Table 4: patients {_ids(tapered)}; of the {len(on_pred)} on prednisolone at the start (Table 2), "
        f"{len(set(on_pred) & set(tapered))} completed tapering"
    ]
    return _judge(computed, problems, notes=notes)


@check("uc_remission_tapering")
def _uc_remission_tapering(ev: Evidence, rep: dict) -> Verdict:
    uc = _group(ev, "UC")
    remission = uc.index[outcomes.end_of_follow_up_outcome(ev.cohort)[uc.index].eq("remission")]
    tapered = [pid for pid in remission if uc.loc[pid, "steroid_tapering"] == "complete"]
    computed = {"remission": len(remission), "tapering": len(tapered)}
    problems = _mismatches(rep, computed) + _tapering_vs_prednisolone(ev.cohort, tapered)
    return _judge(computed, problems, notes=[f"remission and tapering complete in Table 4: patients {_ids(tapered)}"])


@check("steroid_dependent_patients")
def _steroid_dependent_patients(ev: Evidence, rep: dict) -> Verdict:
    """Patients the text calls steroid-dependent at the start, against Table 2's concurrent prednisolone."""
    named = _patient_keys(rep)
    computed = {f"p{pid}": int(bool(ev.cohort.loc[pid, "concurrent_prednisolone"])) for pid in named}
    problems = [
        f"Patient {pid}: steroid-dependent at the start, but Table 2 records no concurrent prednisolone"
        for pid, flag in named.items()
        if flag and not computed[f"p{pid}"]
    ]
    return _judge(computed, problems, notes=["1 = on concurrent prednisolone in Table 2"])


@check("ongoing_end")
def _ongoing_end(ev: Evidence, rep: dict) -> Verdict:
    status = outcomes.tacrolimus_stopped(ev.cohort, ev.facts)
    listed = ev.cohort["in_table5"].astype(bool)
    ongoing_table5 = ev.cohort.index[listed & ev.cohort["ongoing_tacrolimus"].eq(True)]
    unknown = status.index[status["stopped"].isna()]
    stopped = status.index[status["stopped"].eq(True)]
    computed = {"count": len(ongoing_table5), "total": len(ev.cohort), "percent": 100 * len(ongoing_table5) / len(ev.cohort)}
    problems = _mismatches(rep, {"count": computed["count"]}) + _own_arithmetic(rep)
    if problems:
        problems.append(
            f"Table 5, which the sentence points to, lists {len(ongoing_table5)} ongoing (patients {_ids(ongoing_table5)}); stopped: {_ids(stopped)}; "
            f"not in Table 5 and no stop in the text: {_ids(unknown)}, so at most {len(ongoing_table5) + len(unknown)} could have been on treatment"
        )
    return _judge({"count_table5": len(ongoing_table5), "unknown": len(unknown)}, problems)


# --- checks: adverse effects -----------------------------------------------------------------

#: The abstract's names for Table 4's adverse effects.
_EFFECT_NAMES = {"creatinine": "renal_impairment"}


@check("adverse_effect_counts")
def _adverse_effect_counts(ev: Evidence, rep: dict) -> Verdict:
    counts = outcomes.adverse_effect_counts(ev.tables["table4_adverse_effects"], len(ev.cohort)).set_index("adverse_effect")
    keys = {k: _EFFECT_NAMES.get(k, k) for k in rep}
    computed = {k: int(counts["patients"].get(effect, 0)) for k, effect in keys.items()}
    problems = _mismatches(rep, computed)
    unlisted = [e for e in counts.index if e not in keys.values()]
    for effect in unlisted:
        computed[effect] = int(counts.loc[effect, "patients"])
        problems.append(f"Table 4 also lists {effect} ({_patients(map(int, counts.loc[effect, 'patient_ids'].split()))}), which the list omits")
    return _judge(computed, problems)


@check("side_effect_discontinuations")
def _side_effect_discontinuations(ev: Evidence, rep: dict) -> Verdict:
    table = outcomes.side_effect_discontinuations(ev.cohort, ev.facts)
    stopped = table[table["stopped_for_side_effects"]]
    effects = ev.cohort.loc[stopped.index, "adverse_effects"]
    computed = {"count": len(stopped)}
    computed.update({k: int(effects.map(lambda e, k=k: k in e).sum()) for k in rep if k != "count"})
    basis = "; ".join(f"Patient {pid}: {r.adverse_effects} ({r.stopped_basis})" for pid, r in stopped.iterrows())
    return compare(rep, computed, notes=[basis, "a stop and an adverse effect together are read as a stop for the adverse effect"])


@check("tolerated")
def _tolerated(ev: Evidence, rep: dict) -> Verdict:
    ok = outcomes.tolerated(ev.cohort)
    stopped = outcomes.stopped_for_side_effects(ev.cohort, ev.facts)
    not_ok = ok.index[~ok]
    return _count_verdict(
        rep,
        ok.index[ok],
        len(ev.cohort),
        notes=[f"tolerated = no adverse effect in Table 4; patients {_ids(not_ok)} had one, and {_ids(set(not_ok) - set(stopped.index[stopped]))} of them continued"],
    )


@check("creatinine_episode")
def _creatinine_episode(ev: Evidence, rep: dict) -> Verdict:
    """The text's own arithmetic: a rise above, and a return into, the normal range it quotes."""
    low, high = rep["normal_low"], rep["normal_high"]
    problems = []
    if not rep["peak"] > high:
        problems.append(f"the peak {_fmt_reported(rep, 'peak')} is not above the normal range {_fmt(low)}-{_fmt(high)}")
    if not low <= rep["after"] <= high:
        problems.append(f"'normalized to {_fmt_reported(rep, 'after')}' lies outside the normal range {_fmt(low)}-{_fmt(high)} the same sentence gives")
    renal = ev.cohort.index[ev.cohort["adverse_effects"].map(lambda e: "renal_impairment" in e)]
    return _judge(
        {"peak_above_normal": rep["peak"] > high, "after_within_normal": low <= rep["after"] <= high},
        problems,
        notes=[f"creatinine values are not published in the tables; Table 4 lists renal impairment for {_patients(renal)}"],
    )


def _renal_patient_troughs(ev: Evidence) -> pd.DataFrame:
    renal = ev.cohort[ev.cohort["adverse_effects"].map(lambda e: "renal_impairment" in e)]
    return renal[["trough_min_ng_ml", "mean_trough_ng_ml", "trough_max_ng_ml"]]


@check("renal_trough_high")
def _renal_trough_high(ev: Evidence, rep: dict) -> Verdict:
    troughs = _renal_patient_troughs(ev)
    computed = {"level": float(troughs["trough_max_ng_ml"].max())}
    return compare(rep, computed, notes=[f"highest trough in Table 5 of {_patients(troughs.index)} (renal impairment in Table 4)"])


@check("renal_trough_after")
def _renal_trough_after(ev: Evidence, rep: dict) -> Verdict:
    troughs = _renal_patient_troughs(ev)
    low, high = float(troughs["trough_min_ng_ml"].min()), float(troughs["trough_max_ng_ml"].max())
    inside = low <= rep["level"] <= high
    problems = [] if inside else [f"{_fmt_reported(rep, 'level')} lies outside Table 5's range {_fmt(low)}-{_fmt(high)} for this patient"]
    return _judge(
        {"table5_range_low": low, "table5_range_high": high},
        problems,
        unknown=[f"single trough values are not published; {_fmt_reported(rep, 'level')} lies within Table 5's range {_fmt(low)}-{_fmt(high)} for {_patients(troughs.index)}"],
    )


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
    table = trough.trough_table(ev.cohort)
    summary = trough.summarise_troughs(table)
    computed = {"mean": summary["mean_of_means"]}
    for key, reading in (("min", "lowest_single"), ("max", "highest_single")):
        if key in rep:
            computed[key] = summary[reading]
    problems = _mismatches(rep, computed)
    readings = trough.reported_vs_computed(summary, rep)
    for part in [p for p in ("mean", "min", "max") if p in rep]:
        rows = readings[readings["reported_part"] == part]
        fits = [_TROUGH_READINGS[r.reading] for r in rows.itertuples() if agrees_at_precision(r.computed, rep[part], rep.decimals[part])]
        alternatives = ", ".join(f"{_TROUGH_READINGS[r.reading]} {_fmt(r.computed)}" for r in rows.itertuples())
        if fits and part in computed and not agrees_at_precision(computed[part], rep[part], rep.decimals[part]):
            problems.append(f"{part} {_fmt_reported(rep, part)} is Table 5's {', '.join(fits)}")
        elif not fits:
            problems.append(f"no summary of Table 5 gives the {part} ({alternatives})")
    if {"min", "max"} <= set(rep) and problems:
        problems.append(
            f"the reported range mixes Table 5's lowest single level ({_fmt(summary['lowest_single'])}) with its highest patient mean "
            f"({_fmt(summary['highest_mean'])}); single levels reach {_fmt(summary['highest_single'])}"
        )
    return _judge({**computed, "n": summary["n"]}, problems)


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
            f"{len(outside_singles)} patients had a single level outside it",
        ],
    )


# --- checks: the Discussion's summaries -------------------------------------------------------


@check("half_remission")
def _half_remission(ev: Evidence, rep: dict) -> Verdict:
    """'Half of the patients achieving remission at 8 months': all patients, and the UC group."""
    outcome = outcomes.end_of_follow_up_outcome(ev.cohort)
    remission = int(outcome.eq("remission").sum())
    unknown = int(outcome.isna().sum())
    follow = ev.cohort["follow_up_months"].dropna()
    computed = {"percent": 100 * remission / len(ev.cohort), "months": float(follow.mean())}
    problems = _mismatches(rep, computed)
    uc = _group(ev, "UC")
    uc_remission = int(outcome[uc.index].eq("remission").sum())
    uc_follow = uc["follow_up_months"].dropna()
    uc_fits = agrees_at_precision(100 * uc_remission / len(uc), rep["percent"], rep.decimals["percent"]) and agrees_at_precision(
        float(uc_follow.mean()), rep["months"], rep.decimals["months"]
    )
    if problems:
        problems.append(
            f"over all {len(ev.cohort)} patients {remission} were in remission ({unknown} outcome unknown, so at most "
            f"{_fmt(100 * (remission + unknown) / len(ev.cohort))}%), at a mean follow-up of {_fmt(float(follow.mean()))} months (Table 5)"
        )
        if uc_fits:
            problems.append(f"the figures fit the UC group alone: {uc_remission}/{len(uc)} at a mean follow-up of {_fmt(float(uc_follow.mean()))} months")
    return _judge(computed, problems)


# --- checks: other studies (data/literature.csv) ---------------------------------------------

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
        raise LookupError(f"literature.csv: expected one row for {study_id}/{arm}/{outcome}/{time_contains}, found {len(rows)}")
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
        return _judge(shown, problems, unknown=unknown, notes=notes)

    return run


for _name, _study, _rows in [
    ("lit_fellermann_response", "fellermann2002", {"": ("tacrolimus", "response", None)}),
    ("lit_fellermann_remission", "fellermann2002", {"": ("tacrolimus", "remission", None)}),
    ("lit_fellermann_colectomy", "fellermann2002", {"": ("tacrolimus", "colectomy", "16.2")}),
    ("lit_baumgart_response", "baumgart2003", {"": ("tacrolimus", "response", None)}),
    ("lit_baumgart_remission", "baumgart2003", {"": ("tacrolimus", "remission", None)}),
    ("lit_baumgart_uc_cd", "baumgart2003", {"uc": ("tacrolimus_uc_subgroup", "response", None), "cd": ("tacrolimus_cd_subgroup", "response", None)}),
    ("lit_ziring_colectomy", "ziring2007", {"": ("tacrolimus", "colectomy", None)}),
    ("lit_gonzalez_lama", "gonzalezlama2005", {"complete": ("tacrolimus", "complete_fistula_closure", None), "partial": ("tacrolimus", "fistula_improvement", None)}),
    ("lit_lowry", "lowry1999", {"complete": ("tacrolimus_plus_thiopurine", "complete_fistula_closure", None), "partial": ("tacrolimus_plus_thiopurine", "fistula_improvement", None)}),
    ("lit_sandborn", "sandborn2003", {"": ("tacrolimus", "complete_fistula_closure", None)}),
    ("lit_ogata_rates", "ogata2006", {"high": ("high_trough", "response", None), "low": ("low_trough", "response", None), "placebo": ("placebo", "response", None)}),
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
        rate = 100 * int(row["events"]) / int(row["total"])
        if not attainable_numerators(float(_rounded(rate, 1)), 1, int(per_arm)):
            problems.append(f"{arm}'s {_fmt(float(_rounded(rate, 1)))}% ({int(row['events'])}/{int(row['total'])}) is not x/{_fmt(per_arm)} for any whole x")
    return _judge(computed, problems)


@check("lit_percent_split")
def _lit_percent_split(ev: Evidence, rep: dict) -> Verdict:
    """Two arms' percentages of an n-patient study: does any split of n give both?"""
    arms = [k.removesuffix("_percent") for k in rep if k.endswith("_percent")]
    if len(arms) != 2:
        raise ValueError("lit_percent_split needs exactly two <arm>_percent keys")
    n = int(rep["n"])
    (a, b) = arms
    pa, pb = rep[f"{a}_percent"], rep[f"{b}_percent"]
    da, db = rep.decimals[f"{a}_percent"], rep.decimals[f"{b}_percent"]
    splits = [(na, n - na) for na in range(1, n) if attainable_numerators(pa, da, na) and attainable_numerators(pb, db, n - na)]
    single_a = [m for m in range(1, n + 1) if attainable_numerators(pa, da, m)]
    single_b = [m for m in range(1, n + 1) if attainable_numerators(pb, db, m)]
    computed = {"splits_giving_both": len(splits)}
    problems = []
    if not splits:
        problems.append(
            f"no split of {n} patients into two arms gives {_fmt_reported(rep, f'{a}_percent')}% and {_fmt_reported(rep, f'{b}_percent')}%: "
            f"{_fmt_reported(rep, f'{a}_percent')}% needs an arm of {', '.join(map(str, single_a)) or 'no size'} up to {n}; "
            f"{_fmt_reported(rep, f'{b}_percent')}% needs {', '.join(map(str, single_b)) or 'no arm size'} up to {n}"
        )
    lit = ev.literature
    rows = lit[lit["study_id"].astype(str).str.contains("ref21") | lit["study"].astype(str).str.contains("azathioprine", case=False)]
    notes = ["the study is not identified in data/literature.csv (no published counts); a Kaplan-Meier estimate would not need to be a whole fraction"] if rows["events"].isna().all() else []
    return _judge(computed, problems, notes=notes)


# --- evaluation ----------------------------------------------------------------------------


def evaluate(data_dir: str | Path | None = None, *, ledger: pd.DataFrame | None = None) -> pd.DataFrame:
    """Run every claim's check: claim_id, section, quote, reported, computed, status, note."""
    tables = load_tables(data_dir)
    evidence = Evidence(tables, cohort_from_tables(tables))
    ledger = load_ledger(data_dir) if ledger is None else ledger
    rows = []
    for claim in ledger.itertuples(index=False):
        if claim.check:
            if claim.check not in CHECKS:
                raise KeyError(f"claims.csv: claim {claim.claim_id} names unknown check {claim.check!r}")
            verdict = CHECKS[claim.check](evidence, claim.reported_values)
        else:
            verdict = Verdict("", "not_computable", claim.not_computable_reason)
        rows.append(
            {
                "claim_id": claim.claim_id,
                "section": claim.section,
                "quote": claim.quote,
                "reported": claim.reported,
                "computed": verdict.computed,
                "status": verdict.status,
                "note": verdict.note,
            }
        )
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


#: What each claim is about, by claim_id prefix (first match wins), for summaries by theme.
THEME_RULES = [
    ("renal-trough", "trough levels"),
    ("disc-trough", "trough levels"),
    ("trough-", "trough levels"),
    ("ae-", "adverse effects"),
    ("renal-", "adverse effects"),
    ("methods-", "methods"),
    ("cohort-", "cohort and previous treatment"),
    ("tx-", "cohort and previous treatment"),
    ("table1-", "cohort and previous treatment"),
    ("table2-", "cohort and previous treatment"),
    ("inclusion-", "cohort and previous treatment"),
    ("cd-week4", "response at week 4"),
    ("uc-week4", "response at week 4"),
    ("pouch-", "response at week 4"),
    ("cdai-", "response at week 4"),
    ("cd-stool", "response at week 4"),
    ("abstract-stool", "response at week 4"),
    ("disc-cd-benefit", "response at week 4"),
    ("disc-uc-two-thirds", "response at week 4"),
    ("lit-", "other studies"),
    ("intro-", "other studies"),
]
#: Themes in display order; claims matching no rule are "medium-term outcome and follow-up".
THEMES = [
    "cohort and previous treatment",
    "methods",
    "response at week 4",
    "medium-term outcome and follow-up",
    "adverse effects",
    "trough levels",
    "other studies",
]


def theme(claim_id: str) -> str:
    """The theme of a claim (THEME_RULES), for summaries of the audit."""
    for prefix, name in THEME_RULES:
        if claim_id.startswith(prefix):
            return name
    return "medium-term outcome and follow-up"


def theme_counts(audit: pd.DataFrame) -> pd.DataFrame:
    """Claims per theme (rows, THEMES order) and status (columns, STATUSES order), with a total."""
    themes = audit["claim_id"].map(theme)
    table = pd.crosstab(pd.Categorical(themes, categories=THEMES), pd.Categorical(audit["status"], categories=list(STATUSES)), dropna=False)
    table.index.name, table.columns.name = "theme", None
    table["total"] = table.sum(axis=1)
    return table.reset_index()


def status_counts(audit: pd.DataFrame) -> pd.DataFrame:
    """Claims per status, in STATUSES order (zeros kept): columns status, claims."""
    counts = audit["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    return pd.DataFrame({"status": list(STATUSES), "claims": counts.to_numpy().astype(int)})


def write_audit(audit: pd.DataFrame, output_dir: str | Path | None) -> Path | None:
    """Write the audit to ``output_dir/claims.csv`` (UTF-8, '\\n' line ends); nothing when None."""
    if output_dir is None:
        return None
    path = Path(output_dir) / AUDIT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    audit[AUDIT_COLUMNS].to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def readme_summary(audit: pd.DataFrame) -> str:
    """A short markdown table of claims per status, and a line saying how it was generated."""
    counts = status_counts(audit)
    lines = ["| status | claims |", "| --- | ---: |"]
    lines += [f"| {s.replace('_', ' ')} | {n} |" for s, n in zip(counts["status"], counts["claims"])]
    lines.append(f"| **total** | **{int(counts['claims'].sum())}** |")
    lines.append("")
    lines.append("*Generated by `tacrolimus_ibd.claims.update_readme` from `claims.evaluate()` (data/claims.csv checked against data/); do not edit by hand.*")
    return "\n".join(lines)


def update_readme(readme_path: str | Path, data_dir: str | Path | None = None) -> bool:
    """Rewrite the README block between README_MARKERS with ``readme_summary``; True if it changed."""
    path = Path(readme_path)
    text = path.read_text(encoding="utf-8")
    start, end = README_MARKERS
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"{path.name}: needs one {start} followed by one {end}")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    new = f"{head}{start}\n{readme_summary(evaluate(data_dir))}\n{end}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def readme_block(readme_text: str) -> str:
    """The text between README_MARKERS, without the surrounding newlines."""
    start, end = README_MARKERS
    return readme_text.split(start, 1)[1].split(end, 1)[0].strip("\n")
