"""Notebook 07's analysis as one call: the audit of the paper's claims, or a comparison.

``claims_audit(study)`` returns, on the paper's own transcription (``study.is_transcription``),
a ``ClaimsAudit``: the audit (``audit.evaluate``) and its summaries as attributes (counts by
status, theme and grade; the discrepancies; the claims that depend on how a garbled cell is
read; the support of each conclusion), ``summary_frame()`` (claims by status) and
``key_results()``. The verdicts are the checks' (``claims.checks``); nothing here changes them.

On any other cohort it returns a ``ClaimsComparison`` instead: this cohort's figures beside the
paper's reported ones (``audit.compare``), with no verdict, since a difference there is about the
cohort, not the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..paper import Paper, load_paper
from . import narrative
from .audit import (
    COMPARISON_COLUMNS,
    THEMES,
    compare,
    discrepancies,
    evaluate,
    grade_counts,
    is_transcription,
    status_counts,
    theme_counts,
    write_audit,
    write_comparison,
)
from .ledger import STATUSES, load_readings

#: The audit's columns shown for a list of claims.
CLAIM_COLUMNS = ["claim_id", "section", "quote", "reported", "computed", "note"]
#: The audit's columns shown for the claims of one part of the paper (notebook 01), and a comparison's.
AUDIT_SHOWN = ["claim_id", "quote", "reported", "computed", "status", "note"]
COMPARISON_SHOWN = ["claim_id", "quote", "the paper reported", "this cohort", "note"]
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
    """The claims audit and its summaries (notebook 07), on the paper's own transcription."""

    audit: pd.DataFrame
    status_counts: pd.DataFrame
    theme_counts: pd.DataFrame
    grades: pd.DataFrame
    discrepancies: pd.DataFrame
    readings: pd.DataFrame
    support: pd.DataFrame
    patients: int = 0

    #: An audit gives verdicts on the paper (a ``ClaimsComparison`` does not).
    is_audit = True
    #: The columns shown for a list of claims (``claims_about``).
    shown_columns = AUDIT_SHOWN

    def describe(self) -> str:
        """One line: what was checked against what."""
        return (
            f"{len(self.audit)} claims checked against the data of {self.patients} patients "
            "and the published figures in data/paper/literature.csv"
        )

    def write(self, output_dir) -> None:
        """``output_dir/claims.csv``, the full audit (nothing when None)."""
        write_audit(self.audit, output_dir)

    def claims_about(self, prefixes: tuple[str, ...]) -> pd.DataFrame:
        """The audit's rows of the claims whose id starts with one of ``prefixes``."""
        return self.audit[self.audit["claim_id"].str.startswith(prefixes)]

    def reading_about(self, prefixes: tuple[str, ...], *, what: str = "cohort statements") -> str:
        """The discrepancies among the claims whose id starts with one of ``prefixes``, with their notes."""
        part = self.claims_about(prefixes)
        found = part[part["status"] == "discrepancy"]
        lines = [f"{len(found)} of {len(part)} {what} disagree with the tables:"]
        return "\n".join(lines + [f"- {row.claim_id}: {row.note}" for row in found.itertuples()])

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

    def closing(self) -> str:
        """Notebook 07's closing words (markdown): what the verdicts mean for the paper's conclusions."""
        return narrative.AUDIT_CLOSING

    def discussion(self) -> str:
        """Notebook 07's "For discussion" box (markdown), about the audit."""
        return narrative.discussion_box(narrative.AUDIT_QUESTIONS)

    def _reading_reproduced(self):
        reproduced, on_text = self.with_status("reproduced"), self.rests_on_text
        yield (
            f"{len(reproduced)} reproduced, of which {int(on_text.sum())} rest on per-patient values the text gives: "
            + ", ".join(reproduced.loc[on_text, "claim_id"])
        )

    def _reading_notes(self, claim_ids=("cdai-week4-all", "disc-steroid-tapering", "trough-mean", "ongoing-end")):
        audit = self.audit.set_index("claim_id")
        for claim_id in claim_ids:
            yield f"{claim_id} ({audit.loc[claim_id, 'status'].replace('_', ' ')}): {audit.loc[claim_id, 'note']}\n"
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


def comparison_theme_counts(comparison: pd.DataFrame, not_compared: pd.DataFrame) -> pd.DataFrame:
    """Claims per theme (THEMES order): set beside this cohort, and left out."""
    compared = comparison["theme"].value_counts().reindex(THEMES, fill_value=0)
    left_out = not_compared["theme"].value_counts().reindex(THEMES, fill_value=0)
    return pd.DataFrame(
        {"theme": THEMES, "compared": compared.to_numpy().astype(int), "left out": left_out.to_numpy().astype(int)}
    )


@dataclass
class ClaimsComparison:
    """A cohort that is not the paper's transcription beside the paper's reported values (notebook 07).

    ``comparison`` (``audit.COMPARISON_COLUMNS``): per claim, "the paper reported" and "this
    cohort"; ``not_compared``: the claims left out, with the reason; ``theme_counts``; ``cohort``
    (the name the cohort's dictionary declares). No status: these are not verdicts on the paper.
    """

    comparison: pd.DataFrame
    not_compared: pd.DataFrame
    theme_counts: pd.DataFrame
    cohort: str
    patients: int

    is_audit = False
    shown_columns = COMPARISON_SHOWN

    def describe(self) -> str:
        """One line: why this is a comparison, and what it holds."""
        return (
            f"This cohort ({self.patients} patients, data package {self.cohort!r}) is not the paper's transcription: "
            f"{len(self.comparison)} of the paper's {len(self.comparison) + len(self.not_compared)} claims are set "
            "beside this cohort's figures, as a comparison, not as verdicts on the paper; "
            f"{len(self.not_compared)} are left out (see why below). The paper's audit runs on its own data only."
        )

    def write(self, output_dir) -> None:
        """``output_dir/claims_comparison.csv`` (nothing when None); no claims.csv: no verdicts."""
        write_comparison(self.comparison, output_dir)

    def claims_about(self, prefixes: tuple[str, ...]) -> pd.DataFrame:
        """The comparison's rows of the claims whose id starts with one of ``prefixes``."""
        return self.comparison[self.comparison["claim_id"].str.startswith(prefixes)]

    def reading_about(self, prefixes: tuple[str, ...], *, what: str = "cohort statements") -> str:
        """What a comparison says of the claims whose id starts with one of ``prefixes``: no verdict."""
        part = self.claims_about(prefixes)
        return (
            f"{len(part)} {what} of the paper are set beside this cohort above: a comparison, not a verdict "
            "(this cohort is not the paper's data)."
        )

    def summary_frame(self) -> pd.DataFrame:
        """Claims per theme: compared, and left out."""
        return self.theme_counts

    def closing(self) -> str:
        """Notebook 07's closing words (markdown) on another cohort: what the comparison can and cannot say."""
        return narrative.COMPARISON_CLOSING.format(
            patients=self.patients,
            compared=len(self.comparison),
            total=len(self.comparison) + len(self.not_compared),
            not_compared=len(self.not_compared),
        )

    def discussion(self) -> str:
        """Notebook 07's "For discussion" box (markdown) on another cohort: about the comparison."""
        return narrative.discussion_box(narrative.COMPARISON_QUESTIONS)

    def beside(self) -> pd.DataFrame:
        """The comparison, as shown: claim, quote, the paper reported, this cohort, note."""
        return self.comparison[["claim_id", "section", *COMPARISON_SHOWN[1:]]]

    def key_results(self) -> dict:
        """The flat mapping of notebook 07's headline results on another cohort (no statuses)."""
        return {
            "claims_total": len(self.comparison) + len(self.not_compared),
            "claims_compared": len(self.comparison),
            "claims_not_compared": len(self.not_compared),
        }


def claims_audit(study=None, *, paper: Paper | None = None) -> ClaimsAudit | ClaimsComparison:
    """The audit of the paper's claims on its own transcription, else this cohort beside the paper.

    ``study`` is an opened study (``open_study``: its data folder and paper are used) or a data
    folder (None: data/; the paper then is ``paper``, None: ``load_paper()``).
    """
    if hasattr(study, "paper"):
        data_dir, paper, patients = study.data_dir, study.paper, len(study.cohort)
    else:
        from ..data import load_cohort

        data_dir, paper, patients = study, paper or load_paper(), len(load_cohort(study))
    if not is_transcription(data_dir, paper=paper):
        from ..data import cohort_name

        comparison, not_compared = compare(data_dir, paper=paper)
        return ClaimsComparison(
            comparison=comparison[COMPARISON_COLUMNS],
            not_compared=not_compared,
            theme_counts=comparison_theme_counts(comparison, not_compared),
            cohort=cohort_name(data_dir),
            patients=patients,
        )
    audit = evaluate(data_dir, paper=paper)
    return ClaimsAudit(
        audit=audit,
        status_counts=status_counts(audit),
        theme_counts=theme_counts(audit),
        grades=grade_counts(audit),
        discrepancies=discrepancies(audit),
        readings=load_readings(data_dir),
        support=conclusion_support(audit),
        patients=patients,
    )
