"""Open a study once: a cohort's validated tables, its one-row-per-patient join, and the paper.

Every notebook starts with ``study = open_study(data_dir)`` instead of the same opening block
(style, load, validate, join, count the groups). The tables are those of ``data_dir`` (the
transcription of Ng, Arebi & Kamm, Inflamm Bowel Dis 2007;13:129-134, or any centre's cohort in
the same layout), checked against its data dictionary by ``data.load_tables``. The paper's
inputs (claims ledger, literature table) are read once from ``data/paper/`` (``paper.load_paper``)
and passed down as ``study.paper``; ``study.is_transcription`` says whether the cohort declares
itself the paper's own transcription (``paper.Paper.transcribes``), the one cohort on which the
paper's claims are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import data, plots
from .paper import Paper, load_paper


@dataclass(frozen=True)
class Study:
    """A data folder opened once: ``tables`` (name -> frame), ``cohort`` (one row per patient),
    ``facts`` (the text's patient facts), ``data_dir`` (as given; None is data/), ``paper`` (the
    paper's inputs), ``is_transcription`` (the cohort is the paper's own transcription) and
    ``description`` (how the cohort is named and described beside other studies,
    ``data.cohort_description``)."""

    data_dir: str | Path | None
    tables: dict
    cohort: pd.DataFrame
    paper: Paper
    is_transcription: bool
    description: dict

    @property
    def facts(self) -> pd.DataFrame:
        """The per-patient facts stated in the paper's text (``text_patient_facts``)."""
        return self.tables["text_patient_facts"]

    def reported(self, claim_id: str) -> dict[str, float]:
        """The paper's reported values of one claim of the ledger (``paper.Paper.reported``)."""
        return self.paper.reported(claim_id)

    def beside_reported(self, rows) -> pd.DataFrame:
        """This cohort's values beside the paper's reported ones (``paper.Paper.beside_reported``)."""
        return self.paper.beside_reported(rows)

    @property
    def literature(self) -> pd.DataFrame:
        """The studies the paper discusses (``paper.Paper.literature``)."""
        return self.paper.literature

    def group_sizes(self) -> pd.Series:
        """Patients per diagnosis group, largest first."""
        return self.cohort["diagnosis"].value_counts()

    def describe(self) -> str:
        """One line: the number of patients and of each group (e.g. "19 patients: 11 CD, 7 UC, 1 pouchitis")."""
        return f"{len(self.cohort)} patients: " + ", ".join(f"{n} {g}" for g, n in self.group_sizes().items())


def open_study(data_dir: str | Path | None = None, *, style: bool = True, paper_dir: str | Path | None = None) -> Study:
    """Load and validate ``data_dir`` (None: the compendium's data/), join its cohort, and read the
    paper (``paper_dir``, None: the compendium's data/paper/; never a file of ``data_dir``).

    ``style`` applies the project's figure style (``plots.use_style``), as every notebook does.
    Bad data raise ``data.DataValidationError`` naming file, row and column.
    """
    if style:
        plots.use_style()
    tables = data.load_tables(data_dir)
    paper = load_paper(paper_dir)
    return Study(
        data_dir=data_dir,
        tables=tables,
        cohort=data.cohort_from_tables(tables),
        paper=paper,
        is_transcription=paper.transcribes(data.cohort_name(data_dir)),
        description=data.cohort_description(data_dir),
    )
