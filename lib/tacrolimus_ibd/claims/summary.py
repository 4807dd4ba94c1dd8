"""Notebook 07's analysis as one call: the audit of the paper's claims, summarised.

``claims_audit(data_dir)`` returns a ``ClaimsAudit``: the audit (``audit.evaluate``) and its
summaries as attributes (counts by status, theme and grade; the discrepancies; the claims that
depend on how a garbled cell is read; the support of each conclusion), ``summary_frame()``
(claims by status) and ``key_results()``. The verdicts are the checks' (``claims.checks``);
nothing here changes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .audit import discrepancies, evaluate, grade_counts, status_counts, theme_counts
from .ledger import STATUSES, load_readings

#: The audit's columns shown for a list of claims.
CLAIM_COLUMNS = ["claim_id", "section", "quote", "reported", "computed", "note"]
#: A reproduced claim whose note says so rests on per-patient values the text gives, not on the tables.
RESTS_ON_TEXT = "from the text|Results; Table 3 lost|inferred"


def reading_cells(readings: pd.DataFrame) -> pd.DataFrame:
    """One row per garbled cell of ``readings.csv``: as printed, its readings, the last rationale."""
    grouped = readings.groupby("cell_id", sort=False)
    return pd.DataFrame(
        {
            "as_printed": grouped["as_printed"].first(),
            "readings": grouped["reading"].agg(lambda r: ", ".join(sorted(set(r)))),
            "rationale": grouped["rationale"].last(),
        }
    )


def conclusion_support(audit: pd.DataFrame) -> pd.DataFrame:
    """For each conclusion of the paper: its claims, their count by status, and the discrepant ones with their grade."""
    rows = []
    for conclusion, part in audit[audit["conclusion"] != ""].groupby("conclusion", sort=False):
        counts = part["status"].value_counts()
        rows.append(
            {
                "conclusion": conclusion,
                "claims": len(part),
                **{s: int(counts.get(s, 0)) for s in STATUSES},
                "discrepant claims": ", ".join(
                    f"{r.claim_id} ({r.grade})" for r in part.itertuples() if r.status == "discrepancy"
                ),
            }
        )
    return pd.DataFrame(rows)


@dataclass
class ClaimsAudit:
    """The claims audit and its summaries (notebook 07)."""

    audit: pd.DataFrame
    status_counts: pd.DataFrame
    theme_counts: pd.DataFrame
    grades: pd.DataFrame
    discrepancies: pd.DataFrame
    readings: pd.DataFrame
    support: pd.DataFrame

    def summary_frame(self) -> pd.DataFrame:
        """Claims by status."""
        return self.status_counts

    def with_status(self, status: str) -> pd.DataFrame:
        """The claims of one status, in the audit's order."""
        return self.audit[self.audit["status"] == status]

    @property
    def fragile(self) -> pd.DataFrame:
        """The claims whose verdict does not hold under every reading of a garbled cell."""
        return self.audit[~self.audit["holds_under_all_readings"]]

    @property
    def rests_on_text(self) -> pd.Series:
        """Of the reproduced claims, which rest on per-patient values the text gives (``RESTS_ON_TEXT``)."""
        return self.with_status("reproduced")["note"].str.contains(RESTS_ON_TEXT, regex=True)

    def reading(self, section: str) -> str:
        """The plain-text reading of ``reproduced`` or ``notes`` (the notes of a few telling claims)."""
        return "\n".join(getattr(self, f"_reading_{section}")())

    def _reading_reproduced(self):
        reproduced, on_text = self.with_status("reproduced"), self.rests_on_text
        yield (
            f"{len(reproduced)} reproduced, of which {int(on_text.sum())} rest on per-patient values the text gives: "
            + ", ".join(reproduced.loc[on_text, "claim_id"])
        )

    def _reading_notes(self, claim_ids=("cdai-week4-all", "disc-steroid-tapering", "trough-mean", "ongoing-end")):
        audit = self.audit.set_index("claim_id")
        for claim_id in claim_ids:
            yield f"{claim_id} ({audit.loc[claim_id, 'status']}): {audit.loc[claim_id, 'note']}\n"
        substantive = int(self.grades.set_index("grade").loc["substantive", "claims"])
        yield f"Discrepancies graded substantive (changing a headline number or a conclusion): {substantive}"

    def key_results(self) -> dict:
        """The flat mapping of notebook 07's headline results (``outputs.save_key_results``)."""
        key = {f"claims_{row.status}": int(row.claims) for row in self.status_counts.itertuples()}
        key["claims_total"] = len(self.audit)
        key.update(
            {f"discrepancies_{row.grade.replace('-', '_')}": int(row.claims) for row in self.grades.itertuples()}
        )
        key["claims_not_holding_under_all_readings"] = int((~self.audit["holds_under_all_readings"]).sum())
        key["claims_reproduced_resting_on_text"] = int(self.rests_on_text.sum())
        return key


def claims_audit(data_dir: str | Path | None = None) -> ClaimsAudit:
    """Evaluate every claim of the ledger on ``data_dir`` (None: data/) and summarise the audit."""
    audit = evaluate(data_dir)
    return ClaimsAudit(
        audit=audit,
        status_counts=status_counts(audit),
        theme_counts=theme_counts(audit),
        grades=grade_counts(audit),
        discrepancies=discrepancies(audit),
        readings=load_readings(data_dir),
        support=conclusion_support(audit),
    )
