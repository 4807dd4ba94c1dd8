"""The claims ledger (``data/paper/claims.csv``) and the admissible readings (``data/readings.csv``).

``data/paper/claims.csv`` is the only place where reported values are typed; it is the paper's,
stored once with the literature table in ``data/paper/`` (``paper.load_paper`` reads both) and
never in a cohort folder. Each row either names a check (a function registered with
``@check("name")`` in ``claims/checks/``) or gives the reason the claim cannot be computed from
what the paper publishes. Besides the quote and the reported values, each row carries what used
to be code: its ``theme``, the ``conclusion`` of the paper it bears on, the claims whose
sentences it ``restates`` (for circular evidence), the ``grade`` of a discrepancy, and the
``review`` note (an independent re-derivation and how a disagreement was settled).

``data/readings.csv`` lists every transcribed cell whose reading needed judgement, one row per
admissible reading and field; the audit evaluates each claim under each. It stays with the
paper's transcription (data/), not with the paper: its rows name cells of that cohort's tables
(resource, patient, column), as the tables' own ``reading_note`` columns do, and it means
nothing for another cohort, on which the audit does not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..data import default_data_dir
from ..paper import Paper, default_paper_dir, load_paper
from .agreement import printed_decimals

LEDGER_FILE = "claims.csv"
READINGS_FILE = "readings.csv"
AUDIT_FILE = "claims.csv"

#: The five verdicts, in display order.
STATUSES = ("reproduced", "discrepancy", "ambiguous", "circular", "not_computable")

#: The grades of a discrepancy (issue #12): what it changes, most serious first.
GRADES = ("substantive", "minor", "wording", "transcription-dependent")

LEDGER_COLUMNS = [
    "claim_id",
    "section",
    "quote",
    "reported",
    "check",
    "not_computable_reason",
    "theme",
    "conclusion",
    "restates",
    "grade",
    "review",
]
AUDIT_COLUMNS = [
    "claim_id",
    "section",
    "quote",
    "reported",
    "computed",
    "status",
    "grade",
    "holds_under_all_readings",
    "theme",
    "conclusion",
    "note",
]
READINGS_COLUMNS = [
    "cell_id",
    "reading",
    "default",
    "resource",
    "patient_id",
    "field",
    "value",
    "as_printed",
    "rationale",
]

#: Themes in display order (the ledger's ``theme`` column takes one of them).
THEMES = [
    "cohort and previous treatment",
    "methods",
    "response at week 4",
    "medium-term outcome and follow-up",
    "adverse effects",
    "trough levels",
    "other studies",
]

#: One colour per status, for figures and the site (Okabe-Ito: bluish green, vermillion,
#: orange, reddish purple, grey). The one map: report.py and notebook 07 read it from here.
STATUS_COLOURS = {
    "reproduced": "#009E73",
    "discrepancy": "#D55E00",
    "ambiguous": "#E69F00",
    "circular": "#CC79A7",
    "not_computable": "#999999",
}

#: Markers of the README block that ``update_readme`` rewrites.
README_MARKERS = ("<!-- claims-summary:start -->", "<!-- claims-summary:end -->")


# --- the reported values and their printed precision ---------------------------------------

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class ReportedValues(dict):
    """The reported values of a claim (key -> float), with ``decimals``: key -> decimals printed."""

    def __init__(self, values: dict[str, float], decimals: dict[str, int]):
        super().__init__(values)
        self.decimals = dict(decimals)


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


def load_ledger(paper_dir: str | Path | None = None) -> pd.DataFrame:
    """The hand-written claims ledger of ``paper_dir`` (None: ``data/paper/``), with
    ``reported`` parsed into ``reported_values``. ``paper.load_paper`` reads it once for a run.

    Each row must name a check or give a not-computable reason, not both.
    """
    path = Path(paper_dir if paper_dir is not None else default_paper_dir()) / LEDGER_FILE
    ledger = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(ledger.columns) != LEDGER_COLUMNS:
        raise ValueError(f"{path}: columns must be {LEDGER_COLUMNS}, not {list(ledger.columns)}")
    both = (ledger["check"] != "") == (ledger["not_computable_reason"] != "")
    for line in ledger.index[both] + 2:
        raise ValueError(f"{path}:{line}: a claim needs either a check or a not_computable_reason (exactly one)")
    for column, allowed in (("theme", THEMES), ("grade", ("",) + GRADES[:3])):
        bad = ~ledger[column].isin(allowed)
        for line in ledger.index[bad] + 2:
            raise ValueError(
                f"{path}:{line}: column {column!r} must be one of {list(allowed)}, not {ledger.loc[line - 2, column]!r}"
            )
    known = set(ledger["claim_id"])
    for line, restates in zip(ledger.index + 2, ledger["restates"], strict=True):
        unknown = [c for c in restates.split(";") if c and c not in known]
        if unknown:
            raise ValueError(f"{path}:{line}: column 'restates' names unknown claims {unknown}")
    ledger["reported_values"] = [parse_reported(r) for r in ledger["reported"]]
    return ledger


def reported(claim_id: str, paper: Paper | None = None) -> dict[str, float]:
    """The reported values of one claim, as typed in the ledger (``paper``: None reads data/paper/)."""
    return (paper or load_paper()).reported(claim_id)


def beside_reported(rows, paper: Paper | None = None) -> pd.DataFrame:
    """A value of the cohort beside the paper's reported value, one row per quantity.

    ``rows`` are ``(quantity, value from the data, claim_id, key)``; the reported value is the
    ledger's ``key`` of that claim (missing if the claim does not report that key). See
    ``paper.Paper.beside_reported``.
    """
    return (paper or load_paper()).beside_reported(rows)


def load_readings(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The admissible readings of the cells of the paper's transcription (``data_dir``, None:
    data/) whose reading needed judgement.

    One row per (cell, reading, field); exactly one reading of each cell is the ``default``
    (the one the tables hold). Columns: READINGS_COLUMNS, ``default`` as bool.
    """
    path = Path(data_dir if data_dir is not None else default_data_dir()) / READINGS_FILE
    readings = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(readings.columns) != READINGS_COLUMNS:
        raise ValueError(f"{path}: columns must be {READINGS_COLUMNS}, not {list(readings.columns)}")
    bad = ~readings["default"].isin(["true", "false"])
    for line in readings.index[bad] + 2:
        raise ValueError(f"{path}:{line}: column 'default' must be true or false")
    readings["default"] = readings["default"].eq("true")
    for cell, part in readings.groupby("cell_id", sort=False):
        defaults = part.loc[part["default"], "reading"].unique()
        if len(defaults) != 1:
            raise ValueError(f"{path}: cell {cell!r} needs exactly one default reading, has {list(defaults)}")
    return readings
