"""What every check shares: the Verdict, the Evidence a check reads, the registry and the comparison helpers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ... import outcomes
from ..agreement import agreement, agrees_at_precision, printing_interval
from ..ledger import STATUSES


@dataclass(frozen=True)
class Verdict:
    """What a check found: the computed values (text), a status and a note.

    ``inferred`` names the patient facts of ``data/text_patient_facts.csv`` (stated in, or
    inferred from, a sentence of the paper; Table 3 being lost) on which the verdict rests, as
    ``(patient_id, fact)``; the audit calls the claim ``circular`` when one of them comes from
    the claim's own sentence or one it restates.
    """

    computed: str
    status: str
    note: str = ""
    inferred: tuple = field(default=())

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")


@dataclass(frozen=True)
class Evidence:
    """What a check may read: the validated tables, the joined cohort and the paper's literature
    table (``paper.Paper.literature``: the other studies' own figures). ``comparison`` is true when
    the cohort is set beside the paper rather than audited (``audit.compare``): a check then leaves
    out readings that only ask whether unrecorded values could give the paper's figure."""

    tables: dict[str, pd.DataFrame]
    cohort: pd.DataFrame
    literature: pd.DataFrame
    comparison: bool = False

    @property
    def facts(self) -> pd.DataFrame:
        return self.tables["text_patient_facts"]


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


def patient_key(pid):
    """A patient's identifier as checks match and print it: the integer of a numeric id (the
    paper's patients are numbered 1-19), else the code itself (a cohort may type patient_id as
    string: RFH-0042), so a check works on either."""
    if isinstance(pid, (bool, np.bool_)):
        return str(pid)
    if isinstance(pid, (int, np.integer)) or (isinstance(pid, (float, np.floating)) and float(pid).is_integer()):
        return int(pid)
    return str(pid)


def _in_order(ids) -> list:
    """Patient keys in their natural order: numbers by value, codes by their digits' value
    ("P2" before "P10")."""
    keys = {patient_key(i) for i in ids}
    return sorted(keys, key=lambda k: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(k))])


def _ids(ids) -> str:
    return ", ".join(str(i) for i in _in_order(ids)) or "none"


def _patients(ids) -> str:
    """ "Patient 16" or "patients 5, 10" (or "no patient")."""
    ids = _in_order(ids)
    return f"Patient {_ids(ids)}" if len(ids) == 1 else (f"patients {_ids(ids)}" if ids else "no patient")


def _mismatches(rep: dict, computed: dict) -> list[str]:
    """One line per reported key that the computed value does not give at the printed precision."""
    decimals = getattr(rep, "decimals", {})
    return [
        f"{k}: reported {_fmt_reported(rep, k)}, data give {_fmt(computed[k])}"
        for k in rep
        if k in computed and not agrees_at_precision(float(computed[k]), rep[k], decimals.get(k, 0))
    ]


def _conventions(rep: dict, computed: dict) -> list[str]:
    """The printing reading of each reported key the data give only at its printed precision:
    "k: 35.3158 prints as 35 (half-up, 0 decimals)", or "only by truncation" (claims.agreement).
    Keys the data give exactly need no reading and get no note."""
    decimals = getattr(rep, "decimals", {})
    notes = []
    for k in rep:
        if k in computed:
            result = agreement(float(computed[k]), rep[k], decimals=decimals.get(k, 0))
            if result.agrees and float(computed[k]) != float(rep[k]):
                notes.append(f"{k}: {result.explanation}")
    return notes


def _judge(computed: dict | str, problems=(), *, unknown=(), notes=(), inferred=()) -> Verdict:
    """A verdict: discrepancy if any problem, else not_computable if any part is unknown, else reproduced."""
    text = computed if isinstance(computed, str) else "; ".join(f"{k}={_fmt(v)}" for k, v in computed.items())
    status = "discrepancy" if problems else ("not_computable" if unknown else "reproduced")
    return Verdict(text, status, "; ".join(p for p in [*problems, *unknown, *notes] if p), tuple(inferred))


def _reading(
    status: str, computed: dict | str, readings: list[tuple[str, str, str]], *, notes=(), inferred=()
) -> Verdict:
    """A verdict over readings of the sentence: ``readings`` are (reading, status, what it gives).

    ``status`` is the verdict; the note lists every reading with its result, so a reader sees
    which reading the verdict rests on and what the others give.
    """
    text = computed if isinstance(computed, str) else "; ".join(f"{k}={_fmt(v)}" for k, v in computed.items())
    listed = "; ".join(f"reading {name}: {result} ({verdict.replace('_', ' ')})" for name, verdict, result in readings)
    return Verdict(text, status, "; ".join(p for p in [listed, *notes] if p), tuple(inferred))


def compare(reported_values: dict, computed: dict, *, notes=(), inferred=()) -> Verdict:
    """Compare key by key at the precision each reported value was printed with."""
    return _judge(
        computed,
        _mismatches(reported_values, computed),
        notes=[*_conventions(reported_values, computed), *notes],
        inferred=inferred,
    )


def _own_arithmetic(rep: dict) -> list[str]:
    """The text's own arithmetic: does its percentage follow from its own count/total?"""
    if not {"count", "total", "percent"} <= set(rep):
        return []
    if agrees_at_precision(100 * rep["count"] / rep["total"], rep["percent"], rep.decimals["percent"]):
        return []
    return [f"{_fmt_reported(rep, 'count')}/{_fmt_reported(rep, 'total')} is not {_fmt_reported(rep, 'percent')}%"]


def _none_in_cohort(label: str) -> Verdict:
    """Not computable: another cohort than the paper's may have none of the patients a sentence
    is about (no pouchitis, no fistula)."""
    return _judge({"patients": 0}, unknown=[f"this cohort has no {label}"])


def _count_verdict(rep: dict, ids, total: int, *, notes=(), inferred=(), group: str = "") -> Verdict:
    """Count claims: count, total and percent against the patients ``ids`` of ``total``
    (not computable when the ``group`` counted has no patient in this cohort)."""
    if total == 0:
        return _none_in_cohort(f"{group} patients" if group else "patients of the group the sentence counts")
    ids = {patient_key(i) for i in ids}
    computed = {"count": len(ids), "total": int(total), "percent": 100 * len(ids) / total}
    problems = _mismatches(rep, computed) + _own_arithmetic(rep)
    text = "; ".join(f"{k}={_fmt(v)}" for k, v in computed.items() if k in rep or k == "count")
    return _judge(
        f"{text} (patients {_ids(ids)})", problems, notes=[*_conventions(rep, computed), *notes], inferred=inferred
    )


def _count_claim(ev: Evidence, rep: dict, ids: set[int]) -> Verdict:
    computed = {"count": len(ids), "total": len(ev.cohort), "percent": 100 * len(ids) / len(ev.cohort)}
    problems = _mismatches(rep, computed) + _own_arithmetic(rep)
    text = "; ".join(f"{k}={_fmt(v)}" for k, v in computed.items())
    return _judge(f"{text} (patients {_ids(ids)})", problems, notes=_conventions(rep, computed))


def _mean_bounds(known: pd.Series, floors: pd.Series) -> tuple[float, float]:
    """Lowest and highest possible mean of ``known`` values plus unpublished ones.

    Each unpublished value is at least its floor (a missing floor counts as 0) and has no
    upper limit, so the highest mean is infinite whenever a value is unpublished.
    """
    n = len(known) + len(floors)
    low = (known.sum() + floors.fillna(0).sum()) / n
    return float(low), (float(known.mean()) if len(floors) == 0 else math.inf)


def _feasible(rep_value: float, decimals: int, bounds: tuple[float, float]) -> bool:
    low, high = printing_interval(rep_value, decimals)
    return low < bounds[1] and high > bounds[0]


def _group(ev: Evidence, name: str) -> pd.DataFrame:
    return ev.cohort[ev.cohort["diagnosis"] == name]


def _patient_keys(rep: dict, suffix: str = "") -> dict[int, float]:
    """Keys such as ``p15_days`` -> {15: value} (patients named in the quote)."""
    pattern = re.compile(rf"^p(\d+){re.escape(suffix)}$")
    return {int(m.group(1)): v for k, v in rep.items() if (m := pattern.match(k))}


def _follow_up_floor(cohort: pd.DataFrame) -> pd.Series:
    """The least follow-up a patient can have had: months on tacrolimus (Table 4, else Table 5),
    or the month of a relapse Table 4 records, whichever is later.

    Table 5's follow-up is at least its treatment duration in every row it lists, so follow-up
    is read as counted from the start of tacrolimus.
    """
    months = outcomes.treatment_duration(cohort)["months"]
    relapse = pd.to_numeric(cohort["relapse_month"], errors="coerce").reindex(months.index)
    return pd.concat([months, relapse], axis=1).max(axis=1, skipna=True).where(months.notna() | relapse.notna())


def _follow_up_check(
    cohort: pd.DataFrame, rep: dict, label: str, *, scope_is_clear: bool, comparison: bool = False
) -> Verdict:
    """A reported mean follow-up against Table 5 and what its unlisted patients would need.

    Two readings of the group: (a) the patients Table 5 lists, (b) every patient of the group,
    the unlisted ones with at least their months on tacrolimus (or their relapse month). Where
    the sentence names its group (``scope_is_clear``: "in this group", "the six patients with
    UC"), reading (b) decides: discrepancy when no follow-up of the unlisted gives the mean,
    else not computable. Where it does not (a mean beside "Individualized data are shown in
    Table 5"), both readings are given, and the claim is ambiguous when their verdicts differ.
    """
    if cohort.empty:
        return _none_in_cohort(label)
    follow = cohort["follow_up_months"].astype(float)
    known, floors = follow.dropna(), _follow_up_floor(cohort)[follow.isna()]
    if comparison:  # this cohort's mean beside the paper's, and whose follow-up is not recorded
        unrecorded = f"; not recorded for {_patients(floors.index)}" if len(floors) else ""
        return compare(
            rep, {"mean": float(known.mean())}, notes=[f"{len(known)} {label} with a follow-up in Table 5{unrecorded}"]
        )
    decimals = rep.decimals["mean"]
    bounds = _mean_bounds(known, floors)
    computed = {f"mean_table5_{len(known)}_patients": float(known.mean())}
    listed = agreement(float(known.mean()), rep["mean"], decimals=decimals)
    reading_a = f"the {len(known)} {label} Table 5 lists: {listed.explanation}"
    if not len(floors):
        return _judge(
            computed,
            []
            if listed
            else [f"Table 5's {len(known)} {label} give {_fmt(float(known.mean()))}: {listed.explanation}"],
            notes=[f"all {len(known)} {label} are in Table 5: {listed.explanation}"] if listed else [],
        )
    unlisted = f"patients {_ids(floors.index)}"
    n = len(known) + len(floors)
    low, high = printing_interval(rep["mean"], decimals)
    need_low, need_high = max(low * n - known.sum(), floors.fillna(0).sum()), high * n - known.sum()
    feasible = _feasible(rep["mean"], decimals, bounds)
    if feasible:
        reading_b = (
            f"all {n} {label}: the unlisted ({unlisted}, follow-up not published, at least "
            f"{_fmt(float(floors.fillna(0).sum()))} months together) would need to total {_fmt(need_low)}-{_fmt(need_high)} months"
        )
    else:
        reading_b = f"all {n} {label}: no follow-up of the unlisted ({unlisted}) gives a mean of {_fmt_reported(rep, 'mean')}; the least possible is {_fmt(bounds[0])}"
    status_b = "not_computable" if feasible else "discrepancy"
    if scope_is_clear:
        return _reading(
            status_b,
            computed,
            [
                ("(b), the sentence's group", status_b, reading_b),
                ("(a)", "reproduced" if listed else "discrepancy", reading_a),
            ],
        )
    status_a = "reproduced" if listed else "discrepancy"
    status = status_a if status_a == status_b else "ambiguous"
    return _reading(status, computed, [("(a)", status_a, reading_a), ("(b)", status_b, reading_b)])
