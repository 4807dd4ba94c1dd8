"""The paper: its claims ledger, its literature table and its reported values, read once.

Ng, Arebi & Kamm (Inflamm Bowel Dis 2007;13:129-134) is one input of the compendium; a cohort
(patient tables and their dictionary, ``data.load_tables``) is the other. The paper's own
inputs are stored once, in the compendium's ``data/paper/`` (a data package of its own,
validated like a cohort's, without the cohort's tables), and never in a cohort folder:

* ``claims.csv``, the claims ledger: every number the paper states, the only place where a
  reported value is typed (its rules: ``claims.ledger``);
* ``literature.csv``: the other studies the paper discusses, with their own published counts.

``load_paper()`` reads and validates them once per process (again only when their bytes
change) and returns a :class:`Paper`, which ``open_study`` passes down to every analysis. A
cohort folder that holds a ``claims.csv`` of its own is not read for it; a cohort dictionary that
lists one is refused by validation (``validation.PAPER_TABLES``).

Which cohort is the paper's transcription is declared, not guessed: the paper's package names
it (``transcribedCohort``), and a cohort is the transcription when its own dictionary declares
that ``name`` (:meth:`Paper.transcribes`), never by its patients' count, ids or group mix. On
that cohort the claims are audited (verdicts on the paper); on any other they are a comparison.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .data import DataValidationError, Problem, default_paper_dir, read_package, validate_data_dir_cached

LEDGER_FILE = "claims.csv"
LITERATURE_FILE = "literature.csv"
#: The property of the paper's data package naming the cohort package that transcribes its tables.
TRANSCRIPTION_PROPERTY = "transcribedCohort"

#: Columns of literature.csv, in order, with the pandas dtype each is read as.
LITERATURE_COLUMNS: dict[str, str] = {
    "study_id": "string",
    "study": "string",
    "year": "Int64",
    "design": "string",
    "population": "string",
    "arm": "string",
    "n_randomized_or_treated": "Int64",
    "outcome": "string",
    "outcome_definition": "string",
    "time_point": "string",
    "events": "Int64",
    "total": "Int64",
    "proportion_reported": "float64",
    "citation": "string",
    "doi": "string",
    "pmid": "string",
    "figure_seen_in": "string",
    "paper_account": "string",
    "disagreement": "string",
    "pooled_estimate": "float64",
    "pooled_ci_low": "float64",
    "pooled_ci_high": "float64",
    "target_trough_low_ng_ml": "float64",
    "target_trough_high_ng_ml": "float64",
    "target_trough_source": "string",
}


def read_literature(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``literature.csv`` of ``folder`` (default: ``data/paper/``), typed.

    Integer columns (``year``, ``n_randomized_or_treated``, ``events``, ``total``) are nullable
    ``Int64``; ``proportion_reported`` (percent) and the ``pooled_*`` columns (proportions) are
    ``float64``; the rest are pandas strings. Empty cells are missing (``<NA>``/``NaN``).

    Raises ``ValueError`` naming the file, the line (header = line 1) and the column when a
    column is missing, a count is not a whole number, or a row's ``events`` exceed its
    ``total``.
    """
    path = Path(folder if folder is not None else default_paper_dir()) / LITERATURE_FILE
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    missing = [c for c in LITERATURE_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    frame = pd.DataFrame(index=raw.index)
    for column, dtype in LITERATURE_COLUMNS.items():
        values = raw[column]
        if dtype == "string":
            frame[column] = values.astype("string")
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        for i in numbers.index[numbers.isna() & values.notna()]:
            raise ValueError(f"{path}: line {i + 2}: column {column}: {values[i]!r} is not a number")
        if dtype == "Int64":
            fractional = numbers.notna() & (numbers != np.floor(numbers))
            for i in numbers.index[fractional]:
                raise ValueError(f"{path}: line {i + 2}: column {column}: {values[i]!r} is not a whole number")
            frame[column] = numbers.astype("Int64")
        else:
            frame[column] = numbers.astype("float64")
    both = frame["events"].notna() & frame["total"].notna()
    for i in frame.index[both & (frame["events"] > frame["total"]).fillna(False)]:
        raise ValueError(
            f"{path}: line {i + 2}: column events: events {frame.at[i, 'events']} exceed total "
            f"{frame.at[i, 'total']} (study {frame.at[i, 'study_id']}, arm {frame.at[i, 'arm']})"
        )
    return frame


@dataclass(frozen=True)
class Paper:
    """The paper's inputs, read once: ``ledger`` (``claims.ledger.load_ledger``: one row per claim,
    ``reported_values`` parsed), ``literature`` (``read_literature``), ``transcription`` (the
    ``name`` a cohort's dictionary declares when it is the paper's transcription) and ``folder``."""

    folder: Path
    transcription: str
    ledger: pd.DataFrame
    literature: pd.DataFrame

    def reported(self, claim_id: str) -> dict[str, float]:
        """The reported values of one claim, as typed in the ledger."""
        return dict(self.ledger.set_index("claim_id").loc[claim_id, "reported_values"])

    def beside_reported(self, rows) -> pd.DataFrame:
        """A value of the cohort beside the paper's reported value, one row per quantity.

        ``rows`` are ``(quantity, value of the cohort, claim_id, key)``; ``reported`` is the
        ledger's ``key`` of that claim (missing if the claim does not report that key). Columns:
        ``quantity``, ``data`` (this cohort), ``reported`` (the paper), ``claim``.
        """
        reported = self.ledger.set_index("claim_id")["reported_values"]
        return pd.DataFrame(
            [{"quantity": q, "data": value, "reported": reported[c].get(k), "claim": c} for q, value, c, k in rows],
            columns=["quantity", "data", "reported", "claim"],
        )

    def transcribes(self, cohort_name: str) -> bool:
        """Whether a cohort whose dictionary declares ``cohort_name`` is the paper's own transcription."""
        return bool(cohort_name) and cohort_name == self.transcription


_LOADED: dict[tuple[Path, str], Paper] = {}


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load_paper(paper_dir: str | Path | None = None) -> Paper:
    """The paper's inputs of ``paper_dir`` (None: ``data/paper/``), validated and read once.

    Raises ``data.DataValidationError`` (``file:row:column`` problems) when the folder does not
    validate against its data package, or the ledger breaks one of its rules.
    """
    from .claims.ledger import load_ledger  # the ledger's rules live with the audit that reads them

    folder = Path(paper_dir) if paper_dir is not None else default_paper_dir()
    key = (folder.resolve(), _fingerprint(folder))
    if key not in _LOADED:
        problems = validate_data_dir_cached(folder, cohort=False)
        if problems:
            raise DataValidationError(problems)
        transcription = read_package(folder).get(TRANSCRIPTION_PROPERTY, "")
        if not isinstance(transcription, str):
            raise DataValidationError(
                [Problem(str(folder / "datapackage.json"), 0, TRANSCRIPTION_PROPERTY, "must be a cohort's name (text)")]
            )
        try:
            ledger = load_ledger(folder)
        except ValueError as err:  # "file:line: what" (the ledger's rules, claims.ledger.load_ledger)
            where = re.match(r"(?P<file>[^:]+):(?:(?P<line>\d+):)? (?P<what>.*)", str(err), re.S)
            file, line, what = (
                where.group("file", "line", "what") if where else (str(folder / LEDGER_FILE), 0, str(err))
            )
            raise DataValidationError([Problem(file, int(line or 0), "-", what)]) from None
        _LOADED[key] = Paper(
            folder=folder, transcription=transcription, ledger=ledger, literature=read_literature(folder)
        )
    return _LOADED[key]
