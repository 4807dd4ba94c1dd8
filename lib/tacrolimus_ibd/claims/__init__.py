"""The claims audit: every number the paper states, checked against the data.

* ``ledger``: the ledger ``data/paper/claims.csv`` (reported values, themes, conclusions, grades;
  read once with the paper, ``paper.load_paper``) and the admissible readings of the ambiguous
  cells of the paper's transcription, ``data/readings.csv``;
* ``agreement``: the one rule by which a computed value agrees with a printed one;
* ``checks``: one module per section of the paper, each check computing a claim from the data;
* ``audit``: the verdicts (five statuses), readings, grades, summaries and the README block, on
  the paper's own transcription only; ``compare``: any other cohort beside the paper, no verdict;
* ``summary``: the audit summarised for notebook 07 (``claims_audit``: a result object);
* ``coverage``: every numeral of the paper's sections, covered by a claim or a stated reason.
"""

import importlib

from .agreement import (
    Agreement,
    agreement,
    agrees_at_precision,
    attainable_numerators,
    days_to_months,
    percentage_agreement,
    precision_interval,
    printed_decimals,
    printing_interval,
    weeks_to_months,
)
from .ledger import (
    AUDIT_COLUMNS,
    AUDIT_FILE,
    GRADES,
    LEDGER_COLUMNS,
    LEDGER_FILE,
    READINGS_COLUMNS,
    README_MARKERS,
    STATUS_COLOURS,
    STATUSES,
    THEMES,
    ReportedValues,
    beside_reported,
    load_ledger,
    load_readings,
    parse_reported,
    reported,
)

#: The audit, its checks and the summary import scipy and statsmodels (about a second): they are
#: imported on first use of one of their names, so that what needs only the ledger's constants
#: (the run engine's process, the report) starts without them.
_LAZY = {
    **dict.fromkeys(
        (
            "COMPARISON_COLUMNS",
            "COMPARISON_FILE",
            "NOT_COMPARED_COLUMNS",
            "NotTheTranscription",
            "apply_reading",
            "compare",
            "discrepancies",
            "is_transcription",
            "evaluate",
            "grade_counts",
            "readme_block",
            "readme_summary",
            "status_counts",
            "theme",
            "theme_counts",
            "update_readme",
            "write_audit",
            "write_comparison",
        ),
        "audit",
    ),
    **dict.fromkeys(("CHECKS", "Evidence", "Verdict", "check"), "checks"),
    **dict.fromkeys(
        ("CLAIM_COLUMNS", "ClaimsAudit", "ClaimsComparison", "claims_audit", "conclusion_support", "reading_cells"),
        "summary",
    ),
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


#: The package's public names (what notebooks, the report and the tests use): those imported above,
#: and those imported on first use (``_LAZY``).
__all__ = [
    "Agreement",
    "agreement",
    "agrees_at_precision",
    "attainable_numerators",
    "days_to_months",
    "percentage_agreement",
    "precision_interval",
    "printed_decimals",
    "printing_interval",
    "weeks_to_months",
    "AUDIT_COLUMNS",
    "AUDIT_FILE",
    "GRADES",
    "LEDGER_COLUMNS",
    "LEDGER_FILE",
    "READINGS_COLUMNS",
    "README_MARKERS",
    "STATUS_COLOURS",
    "STATUSES",
    "THEMES",
    "ReportedValues",
    "beside_reported",
    "load_ledger",
    "load_readings",
    "parse_reported",
    "reported",
    *_LAZY,
]
