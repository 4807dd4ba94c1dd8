"""The claims ledger: every number the paper states, checked against the data.

``data/claims.csv`` is the only place where reported values are typed. Each row names a
check: a function registered here with ``@check("name")`` that computes the value from the
data and returns a Verdict. ``evaluate`` runs every check and gives the audit table
(claim_id, section, quote, reported, computed, status, note).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from . import outcomes
from .data import cohort_from_tables, default_data_dir, load_tables

LEDGER_FILE = "claims.csv"
STATUSES = ("reproduced", "discrepancy", "not_computable")


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


def parse_reported(text: str) -> dict[str, float]:
    """``"mean=35;min=18"`` -> ``{"mean": 35.0, "min": 18.0}``."""
    values = {}
    for part in str(text).split(";"):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"reported value {part!r} is not key=value")
        values[key.strip()] = float(value)
    return values


def load_ledger(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The hand-written claims ledger, with ``reported`` parsed into ``reported_values``."""
    path = Path(data_dir if data_dir is not None else default_data_dir()) / LEDGER_FILE
    ledger = pd.read_csv(path, dtype=str, keep_default_na=False)
    ledger["reported_values"] = [parse_reported(r) for r in ledger["reported"]]
    return ledger


def reported(claim_id: str, data_dir: str | Path | None = None) -> dict[str, float]:
    """The reported values of one claim, as typed in the ledger."""
    ledger = load_ledger(data_dir).set_index("claim_id")
    return dict(ledger.loc[claim_id, "reported_values"])


# --- comparison helpers -----------------------------------------------------------------


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}" if value == round(value) else f"{value:.2f}".rstrip("0")
    return str(value)


def compare(reported_values: dict, computed: dict, *, tolerance: dict | None = None) -> Verdict:
    """Compare key by key; each reported value must match within its tolerance (default 0)."""
    tolerance = tolerance or {}
    text = "; ".join(f"{k}={_fmt(v)}" for k, v in computed.items())
    off = [
        f"{k}: reported {_fmt(reported_values[k])}, data give {_fmt(computed[k])}"
        for k in reported_values
        if k in computed and abs(float(computed[k]) - reported_values[k]) > tolerance.get(k, 0) + 1e-9
    ]
    return Verdict(text, "discrepancy" if off else "reproduced", "; ".join(off))


def _count_claim(ev: Evidence, rep: dict, ids: set[int]) -> Verdict:
    total = len(ev.cohort)
    computed = {"count": len(ids), "total": total, "percent": 100 * len(ids) / total}
    verdict = compare(rep, computed, tolerance={"percent": 0.5})
    note = verdict.note
    # The text's own arithmetic: does its percentage follow from its own fraction?
    if "count" in rep and "percent" in rep and abs(100 * rep["count"] / rep["total"] - rep["percent"]) > 0.5:
        note = "; ".join(filter(None, [note, f"{_fmt(rep['count'])}/{_fmt(rep['total'])} is not {_fmt(rep['percent'])}%"]))
    ids_text = "patients " + ", ".join(str(i) for i in sorted(ids))
    status = "discrepancy" if note else "reproduced"
    return Verdict(f"{verdict.computed} ({ids_text})", status, note)


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
    return compare(rep, {"mean": float(age.mean()), "min": int(age.min()), "max": int(age.max())}, tolerance={"mean": 0.5})


@check("duration_summary")
def _duration_summary(ev: Evidence, rep: dict) -> Verdict:
    years = ev.cohort["disease_duration_years"]
    return compare(rep, {"mean": float(years.mean()), "min": years.min(), "max": years.max()}, tolerance={"mean": 0.05})


@check("uc_extent")
def _uc_extent(ev: Evidence, rep: dict) -> Verdict:
    uc = ev.cohort[ev.cohort["diagnosis"] == "UC"]
    return compare(rep, uc["disease_site"].value_counts().to_dict())


@check("cd_fistula_count")
def _cd_fistula(ev: Evidence, rep: dict) -> Verdict:
    cd = ev.cohort[ev.cohort["diagnosis"] == "CD"]
    return compare(rep, {"fistula": int(cd["perianal_fistula"].sum())})


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
    ("concurrent_thiopurine", "concurrent", ["azathioprine", "mercaptopurine_6mp"]),
    ("concurrent_thalidomide", "concurrent", ["thalidomide"]),
]:
    check(_name)(_treatment_check(_timing, _drugs))


@check("concurrent_prednisolone")
def _concurrent_prednisolone(ev: Evidence, rep: dict) -> Verdict:
    ids = set(ev.cohort.index[ev.cohort["concurrent_prednisolone"]])
    return _count_claim(ev, rep, ids)


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
    return pd.DataFrame(rows)
