"""Open a study once: its validated tables, the one-row-per-patient cohort, and the paper's ledger.

Every notebook starts with ``study = open_study(data_dir)`` instead of the same opening block
(style, load, validate, join, count the groups). The tables are those of ``data_dir`` (Ng, Arebi
& Kamm, Inflamm Bowel Dis 2007;13:129-134, or any centre's cohort in the same layout), checked
against its data dictionary by ``data.load_tables``; the reported values come from the claims
ledger through ``claims.reported``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import claims, data, plots


@dataclass(frozen=True)
class Study:
    """A data folder opened once: ``tables`` (name -> frame), ``cohort`` (one row per patient),
    ``facts`` (the text's patient facts) and ``data_dir`` (as given; None is data/)."""

    data_dir: str | Path | None
    tables: dict
    cohort: pd.DataFrame

    @property
    def facts(self) -> pd.DataFrame:
        """The per-patient facts stated in the paper's text (``text_patient_facts``)."""
        return self.tables["text_patient_facts"]

    def reported(self, claim_id: str) -> dict[str, float]:
        """The reported values of one claim of the ledger (``claims.reported``)."""
        return claims.reported(claim_id, self.data_dir)

    def beside_reported(self, rows) -> pd.DataFrame:
        """Values from the data beside the ledger's reported ones (``claims.beside_reported``)."""
        return claims.beside_reported(rows, self.data_dir)

    def group_sizes(self) -> pd.Series:
        """Patients per diagnosis group, largest first."""
        return self.cohort["diagnosis"].value_counts()

    def describe(self) -> str:
        """One line: the number of patients and of each group (e.g. "19 patients: 11 CD, 7 UC, 1 pouchitis")."""
        return f"{len(self.cohort)} patients: " + ", ".join(f"{n} {g}" for g, n in self.group_sizes().items())


def open_study(data_dir: str | Path | None = None, *, style: bool = True) -> Study:
    """Load and validate ``data_dir`` (None: the compendium's data/) and join its cohort.

    ``style`` applies the project's figure style (``plots.use_style``), as every notebook does.
    Bad data raise ``data.DataValidationError`` naming file, row and column.
    """
    if style:
        plots.use_style()
    tables = data.load_tables(data_dir)
    return Study(data_dir=data_dir, tables=tables, cohort=data.cohort_from_tables(tables))
